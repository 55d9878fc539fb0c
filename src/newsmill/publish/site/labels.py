"""The site's own words, in its language, and the namespaces templates read them from."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "home": "首页",
        "latest": "最新文章",
        "archive": "归档",
        "more": "更多",
        "search": "搜索",
        "search_label": "搜索文章",
        "search_placeholder": "输入中文或英文关键词",
        "newer": "← 较新",
        "older": "较早 →",
        "original": "阅读原文",
        "source": "媒体",
        "publisher": "来源",
        "date": "日期",
        "author": "作者",
        "editor": "责任编辑",
        "tags": "标签",
        "also": "其他媒体的报道",
        "primary": "这篇报道的主条目",
        "not_found": "找不到这个页面",
        "not_found_text": "这个页面不存在，或者已经被删除。",
        "back_home": "返回首页",
        "skip": "跳到正文",
        "sections": "栏目",
        "feeds": "订阅",
        "results": "找到 {n} 篇文章",
        "searching": "正在搜索…",
        "failed": "搜索出错",
        "count": "共 {n} 篇",
        "month": "{y} 年 {m} 月",
        "tag": "标签：{name}",
        "updated": "更新于",
        "undated": "未注明日期",
        "first_seen": "首次收录于",
        "no_script": "搜索需要启用 JavaScript。",
        "breadcrumbs": "位置",
        "pages": "翻页",
        "powered": "由 newsmill 生成",
    },
    "en": {
        "home": "Home",
        "latest": "Latest articles",
        "archive": "Archive",
        "more": "More",
        "search": "Search",
        "search_label": "Search articles",
        "search_placeholder": "Words in Chinese or English",
        "newer": "← Newer",
        "older": "Older →",
        "original": "Read the original",
        "source": "Source",
        "publisher": "Publisher",
        "date": "Date",
        "author": "Author",
        "editor": "Editor",
        "tags": "Tags",
        "also": "Also reported by",
        "primary": "Main report of this story",
        "not_found": "Page not found",
        "not_found_text": "This page does not exist or has been removed.",
        "back_home": "Back to the home page",
        "skip": "Skip to content",
        "sections": "Sections",
        "feeds": "Feeds",
        "results": "{n} articles found",
        "searching": "Searching…",
        "failed": "Search failed",
        "count": "{n} articles",
        "month": "{y}-{m}",
        "tag": "Tag: {name}",
        "updated": "Updated",
        "undated": "Undated",
        "first_seen": "first seen",
        "no_script": "Search needs JavaScript.",
        "breadcrumbs": "Breadcrumbs",
        "pages": "Pages",
        "powered": "Made with newsmill",
    },
}


def labels_for(language: str) -> dict[str, str]:
    return LABELS["zh" if language.lower().startswith("zh") else "en"]


def site_language(counts: Mapping[str, int]) -> str:
    """The language of a site whose settings name none: that of most of its articles
    (`zh-CN` for Chinese ones, else `en`, the two the site has words in)."""
    chinese = sum(n for language, n in counts.items() if language.lower().startswith("zh"))
    return "zh-CN" if chinese * 2 > sum(counts.values()) else "en"


class Namespace(dict[str, Any]):
    """A dict whose keys templates read as attributes (`t.home`, `site.title`).

    Jinja reads `x.name` by trying `getattr(x, "name")` first and only then
    `x["name"]`; on a plain dict the first try raises, thousands of times a
    build. Here the dict is its own attribute dictionary, so the first try
    finds the key. Keys must not be named like dict methods.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.__dict__ = self
