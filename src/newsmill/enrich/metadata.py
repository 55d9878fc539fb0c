"""Metadata read from clean text: publisher (来源), editor (责任编辑), summary."""

from __future__ import annotations

import re

# The patterns of Chinese news bylines. None starts with `^\s*` under MULTILINE:
# on text of many empty lines that backtracks quadratically (a hostile feed
# found it); every quantifier here is bounded by a literal before it.
PUBLISHER = re.compile(
    r"(?:^|[\s　|｜])(?:(?:文章|稿件|新闻|信息)?来源|稿源|出处)\s*[:：]\s*"
    r"(?P<name>[^\s　|｜<>，,。;；()（）]{2,30})"
)
# A name, and more names after 、 or a space, none of them a label ("分类：").
_NAMES = (
    r"[\u4e00-\u9fffA-Za-z·]{2,12}(?![:：])"
    r"(?:[、，, \u3000](?!报道|摄影?|通讯员|实习生|综合|编译|发自)[\u4e00-\u9fff]{2,4}"
    r"(?![\u4e00-\u9fff]*[:：])){0,3}"
)
AUTHOR = re.compile(r"(?:作者|记者|撰文|文\s*/|文｜|文\|)\s*[:：]?\s*(?P<name>" + _NAMES + ")")
EDITOR = re.compile(r"(?:责任编辑|责编|编辑)\s*[:：]\s*(?P<name>" + _NAMES + ")")
EDITOR_EN = re.compile(
    r"(?:Edit(?:ing|ed) by|Editor:)[ \t]+(?P<name>[A-Z][\w.'’-]+(?:[ \t]+[A-Z][\w.'’-]+){0,3})"
)
LABEL = re.compile(r"^\s*(?:(?:文章|稿件|新闻|信息)?来源|稿源|出处|Source|From)\s*[:：]\s*", re.I)
_SENTENCE_END = re.compile(r"(?<=[。！？!?.])\s*")


def find_publisher(text: str) -> str | None:
    match = PUBLISHER.search(text)
    return match.group("name") if match else None


def find_editor(text: str) -> str | None:
    match = EDITOR.search(text) or EDITOR_EN.search(text)
    return match.group("name") if match else None


def make_summary(text: str, limit: int = 200) -> str:
    """The first sentences of the text, cut at a sentence end where one is near."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    ends = [m.start() for m in _SENTENCE_END.finditer(cut) if m.start() > limit // 2]
    return cut[: ends[-1]] if ends else cut.rstrip() + "…"
