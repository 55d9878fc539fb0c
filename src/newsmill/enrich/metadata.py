"""Metadata read from clean text: publisher (来源), editor (责任编辑), language, summary."""

from __future__ import annotations

import re

_PUBLISHER = re.compile(r"^\s*(?:文章)?来源\s*[:：]\s*(?P<name>[^\s|｜,，。]{2,40})", re.MULTILINE)
_EDITOR = re.compile(
    r"^\s*[（(]?\s*(?:责任编辑|责编|编辑)\s*[:：]\s*(?P<name>[\u4e00-\u9fffA-Za-z·]{2,20})",
    re.MULTILINE,
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_SENTENCE_END = re.compile(r"(?<=[。！？!?.])\s*")


def find_publisher(text: str) -> str | None:
    match = _PUBLISHER.search(text)
    return match.group("name") if match else None


def find_editor(text: str) -> str | None:
    match = _EDITOR.search(text)
    return match.group("name") if match else None


def guess_language(text: str) -> str | None:
    """`zh` or `en` by script, from a sample; good enough to set a page's lang."""
    sample = text[:2000]
    cjk = len(_CJK.findall(sample))
    latin = len(_LATIN.findall(sample))
    if cjk == 0 and latin == 0:
        return None
    return "zh" if cjk * 2 >= latin / 4 else "en"


def make_summary(text: str, limit: int = 200) -> str:
    """The first sentences of the text, cut at a sentence end where one is near."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    ends = [m.start() for m in _SENTENCE_END.finditer(cut) if m.start() > limit // 2]
    return cut[: ends[-1]] if ends else cut.rstrip() + "…"
