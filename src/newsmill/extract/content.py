"""Find the article body in a page: one pass of text-density scoring over the lxml tree.

The idea is readability's (paragraphs vote for their ancestors, links count
against them), done in a single bottom-up pass with counts cached per element,
and taught Chinese: full-width punctuation votes like commas, and characters,
not words, measure length.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from newsmill.htmltools import (
    Counts,
    TextCounts,
    drop_keep_tail,
    is_negative,
    is_positive,
    mark_words,
    marked_as_chrome,
    text_weight,
)

PARAGRAPH_TAGS = {"p", "pre", "td", "blockquote", "li", "h2", "h3", "h4", "dd"}
_COMMAS = ",，、。；;"


def _commas(text: str) -> int:
    """Commas and their kin, Chinese too: each counted by str.count, which beats a
    regex class of non-Latin-1 characters many times over."""
    return sum(map(text.count, _COMMAS))


def _class_weight(element: HtmlElement) -> float:
    weight = 0.0
    words = mark_words(element)
    if is_negative(words):
        weight -= 25
    if is_positive(words):
        weight += 25
    if element.get("itemprop") == "articleBody":
        weight += 50
    return weight


def _tag_weight(tag: str) -> float:
    return {
        "article": 10, "main": 5, "div": 5, "section": 3, "pre": 3, "td": 3, "blockquote": 3,
        "form": -3, "ol": -3, "ul": -3, "li": -3, "dl": -3, "th": -5, "address": -3,
        "h1": -5, "h2": -5, "h3": -5, "h4": -5, "header": -5,
    }.get(tag, 0)  # fmt: skip


def find_main(root: HtmlElement, counts: TextCounts | None = None) -> list[HtmlElement]:
    """The element(s) that hold the article: the best-scored node plus siblings that
    continue it (articles split across several sibling containers).

    `counts` are the tree's text counts if the caller has them (see TextCounts).
    """
    counts = counts if counts is not None else TextCounts(root)
    scores: dict[HtmlElement, float] = {}

    def score_of(element: HtmlElement) -> float:
        if element not in scores:
            scores[element] = _tag_weight(element.tag) + _class_weight(element)
        return scores[element]

    for element in root.iter(*PARAGRAPH_TAGS, "div", "section"):
        if element not in counts:
            continue
        weight = counts.text(element)
        if element.tag in ("div", "section"):
            # A div votes like a paragraph only for text directly inside it.
            text = (element.text or "") + "".join([child.tail or "" for child in element])
            if text_weight(text) < 50:
                continue
        else:
            if weight < 50:
                continue
            text = element.text_content()
        points = 1 + _commas(text) + min(weight // 100, 3)
        ancestor = element.getparent()
        for divider in (1, 2, 3):
            if ancestor is None or not isinstance(ancestor.tag, str):
                break
            scores[ancestor] = score_of(ancestor) + points / divider
            ancestor = ancestor.getparent()

    if not scores:
        body = root.find("body")
        return [body if body is not None else root]

    def final(element: HtmlElement) -> float:
        c = counts.get(element, Counts())
        density = c.links / c.text if c.text else 1.0
        return scores[element] * (1 - density)

    best = max(scores, key=final)
    best_score = final(best)
    chunks = _repeated_chunks(best, counts)
    if chunks:
        return chunks
    parent = best.getparent()
    if parent is None:
        return [best]
    threshold = max(10.0, best_score * 0.2)
    chosen = []
    for sibling in parent:
        if not isinstance(sibling.tag, str):
            continue
        if sibling is best:
            chosen.append(sibling)
            continue
        if sibling in scores and final(sibling) >= threshold:
            chosen.append(sibling)
            continue
        if sibling.tag == "p":
            c = counts.get(sibling, Counts())
            density = c.links / c.text if c.text else 1.0
            if (c.text > 160 and density < 0.25) or (
                0 < c.text <= 160
                and density == 0
                and re.search(r"[.。!?！？]\s*$", sibling.text_content())
            ):
                chosen.append(sibling)
    return chosen


def _repeated_chunks(best: HtmlElement, counts: TextCounts) -> list[HtmlElement]:
    """Long articles are often cut into repeated blocks (`<div class="chunk">` per few
    paragraphs, ads between); climb from the best node through wrappers that hold
    nearly all their parent's text, and take every same-tag, same-class sibling."""
    unit = best
    for _ in range(4):
        parent = unit.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        klass = unit.get("class")
        if klass:
            same = [
                s
                for s in parent
                if s.tag == unit.tag
                and s.get("class") == klass
                and counts.get(s, Counts()).text > 0
            ]
            if len(same) > 1:
                return same
        if counts[unit].text < 0.8 * counts[parent].text:
            break
        unit = parent
    return []


def _has_media(element: HtmlElement) -> bool:
    return element.find(".//img") is not None or element.find(".//pre") is not None


def prune(container: HtmlElement, counts: TextCounts | None = None) -> None:
    """Inside the chosen body, drop link lists and chrome that scoring let through.

    `counts` are the tree's text counts if the caller kept them (see TextCounts).
    """
    counts = counts if counts is not None else TextCounts(container)
    doomed = []
    for element in container.iter("ul", "ol", "div", "section", "table", "p", "dl"):
        if element is container or element.get("class") == "newsmill-video":
            continue
        c = counts.get(element)
        if c is None:
            continue
        if c.text == 0 and not _has_media(element):
            doomed.append(element)
            continue
        density = c.links / c.text if c.text else 0.0
        if marked_as_chrome(element) or (density > 0.5 and element.tag != "p") or density > 0.8:
            doomed.append(element)
    for element in doomed:
        if element.getparent() is not None:
            drop_keep_tail(element)
