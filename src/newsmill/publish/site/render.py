"""Templates: Jinja2 with autoescaping, the user's folder first, then the built-in ones.

Autoescaping is what keeps a title like `{{ x }}`, `{% raw %}` or
`<script>` inert: values are data, never template source, and are escaped on
output. Only `content_html` is marked safe, because the clean stage
sanitized it with an allow-list before it was stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from newsmill import __version__

PACKAGE = "newsmill.publish.site"
STATIC_FILES = ("style.css", "search.js")

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "home": "首页",
        "latest": "最新文章",
        "archive": "归档",
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


class SiteEnvironment(jinja2.Environment):
    """Jinja's environment, with each template's globals in a plain dict.

    Every render copies the template's globals into its context and collects their
    names; Jinja's default globals map is a ChainMap over the environment's, which
    Python walks key by key, about a third of rendering a list entry (see
    bench/render.py). The dict is a snapshot: Jinja's documentation asks not to
    change globals once a template is loaded, and a site build never does.

    Output expressions keep Jinja's own autoescape, `markupsafe.escape`, which wraps
    each value in a Markup. Calling markupsafe's private C function instead rendered
    pages a third faster, but the escaping that keeps hostile text inert uses public
    APIs only, where a new Jinja or markupsafe cannot quietly change it.
    """

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


def make_environment(user_templates: Path | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None:
        loaders.append(jinja2.FileSystemLoader(str(user_templates)))
    loaders.append(jinja2.PackageLoader(PACKAGE, "templates"))
    env = SiteEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    # Compiling the templates took a tenth of a small build's time; Jinja keeps the
    # compiled code in a private folder of the temporary directory, by source checksum.
    env.bytecode_cache = _bytecode_cache(env)
    return env


def _bytecode_cache(env: jinja2.Environment) -> jinja2.BytecodeCache | None:
    """Jinja keys compiled templates by name and source only, not by the options they were
    compiled with: those (and newsmill's version) go into the file names."""
    options = (__version__, env.autoescape, env.trim_blocks, env.lstrip_blocks,
               env.keep_trailing_newline, env.undefined.__name__)  # fmt: skip
    tag = hashlib.blake2b(repr(options).encode(), digest_size=6).hexdigest()
    try:
        return jinja2.FileSystemBytecodeCache(pattern=f"__newsmill_{tag}_%s.cache")
    except (OSError, RuntimeError):  # no usable temporary directory: compile every time
        return None


def static_files(user_templates: Path | None) -> dict[str, bytes]:
    """`static/` assets: the built-in ones, replaced or added to by `<templates>/static/`."""
    root = resources.files(PACKAGE).joinpath("static")
    files = {f"static/{name}": root.joinpath(name).read_bytes() for name in STATIC_FILES}
    if user_templates is not None and (user_templates / "static").is_dir():
        for path in sorted((user_templates / "static").rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                rel = path.relative_to(user_templates).as_posix()
                files[rel] = path.read_bytes()
    return files


def templates_fingerprint(user_templates: Path | None) -> str:
    """Changes when any template does, so a new template re-renders every page."""
    digest = hashlib.blake2b(digest_size=12)
    digest.update(__version__.encode())
    root = resources.files(PACKAGE).joinpath("templates")
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".html"):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    if user_templates is not None and user_templates.is_dir():
        for path in sorted(user_templates.rglob("*.html")):
            name = path.relative_to(user_templates).as_posix()
            digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
