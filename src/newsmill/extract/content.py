"""Find the article body in a page: one pass of text-density scoring over the lxml tree.

The idea is readability's (paragraphs vote for their ancestors, links count
against them), done in a single bottom-up pass with counts cached per element,
and taught Chinese: full-width punctuation votes like commas, and characters,
not words, measure length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree
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
_NOT_TEXT = ("script", "style", "noscript", "template")


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


@dataclass
class Candidate:
    """A block that might hold the article, and why it scored what it scored."""

    element: HtmlElement
    votes: float  # paragraph votes, plus its tag's and class words' weights
    text: int  # text weight (a CJK character weighs 3)
    link_density: float
    distance: int | None  # text weight between the headline and the block; None: no headline
    markers: tuple[str, ...]  # comment, related-list... words on the block or its ancestors
    score: float

    @property
    def path(self) -> str:
        return short_path(self.element)


def short_path(element: HtmlElement) -> str:
    """`div#endText`, `div.post_body`, or `section > div.text` up to an element with an id."""
    parts: list[str] = []
    node: HtmlElement | None = element
    while node is not None and len(parts) < 3 and isinstance(node.tag, str):
        ident, klass = node.get("id"), (node.get("class") or "").split()
        part = node.tag + (f"#{ident}" if ident else f".{klass[0]}" if klass else "")
        parts.append(part)
        if ident or node.tag in ("body", "html"):
            break
        node = node.getparent()
    return " > ".join(reversed(parts))


class Anchor:
    """Where the headline is, as text offsets in document order: blocks are scored by
    how far they start from it (an article follows its headline and byline; a
    comment thread, a related-news strip or a gallery sidebar sits far away).

    Offsets come from the text counts, worked out only for the elements asked
    about (and the siblings and ancestors before them), not for the whole tree.
    """

    def __init__(self, root: HtmlElement, headline: HtmlElement | None, counts: TextCounts) -> None:
        if headline is not None and headline.getroottree().getroot() is not root:
            headline = None  # removed with the page chrome around it
        self.headline = headline
        self._counts = counts
        self._start: dict[etree._Element, int] = {}

    def _weight(self, node: etree._Element) -> int:
        return self._counts.get(node, _NO_COUNTS).text if isinstance(node.tag, str) else 0

    def start(self, element: etree._Element) -> int:
        """Text weight before the element, in document order."""
        chain = []
        node: etree._Element | None = element
        while node is not None and node not in self._start:
            chain.append(node)
            previous = node.getprevious()
            node = previous if previous is not None else node.getparent()
        for node in reversed(chain):
            previous = node.getprevious()
            if previous is not None:
                offset = self._start[previous] + self._weight(previous)
                offset += text_weight(previous.tail)
            elif (parent := node.getparent()) is not None:
                offset = self._start[parent]
                if parent.tag not in _NOT_TEXT:
                    offset += text_weight(parent.text)
            else:
                offset = 0
            self._start[node] = offset
        return self._start[element]

    def distance(self, element: HtmlElement) -> int | None:
        head = self.headline
        if head is None:
            return None
        start, head_start = self.start(element), self.start(head)
        end, head_end = start + self._weight(element), head_start + self._weight(head)
        if start <= head_start and head_end <= end:
            return 0  # the block holds the headline
        if start >= head_end:
            return start - head_end
        # Before the headline: twice as far, articles rarely start above their title.
        return 2 * max(0, head_start - end)


_NO_COUNTS = Counts()
_HEADLINE_TAGS = ("h1", "h2", "h3", "div", "p", "span", "td", "strong", "b", "font")
_SPACES = re.compile(r"\s+")


def find_headline(root: HtmlElement, title: str) -> HtmlElement | None:
    """The element that shows the page's headline: an h1 whose text is the title
    (or the only h1), else a short element whose text is the title."""
    wanted = _SPACES.sub("", title)
    h1s = [h for h in root.iter("h1") if _SPACES.sub("", h.text_content())]
    for h1 in h1s:
        text = _SPACES.sub("", h1.text_content())
        if wanted and (text == wanted or (len(text) >= 4 and text in wanted) or wanted in text):
            return h1
    if len(wanted) < 4:
        return h1s[0] if len(h1s) == 1 else None
    for element in root.iter(*_HEADLINE_TAGS):
        text = element.text_content()
        if len(text) < 2 * len(wanted) + 20 and _SPACES.sub("", text) == wanted:
            return element
    return h1s[0] if len(h1s) == 1 else None


# Class and id words of blocks that are next to an article, not the article: on the
# block itself, and (the first set) on any box around it.
_AWAY_AROUND = frozenset(
    """comment comments commentlist cmt reply replies discuss related relatedposts recommend
    recommended recommendation recommends tuijian xgyd xgwz gentie tie""".split()
)
_AWAY_WORDS = _AWAY_AROUND | frozenset(
    """hot hotnews rank ranking share sharing sidebar aside gallery""".split()
)
# Text at the start of a block that names such a widget (a heading like 网友跟贴, 相关新闻).
_AWAY_TEXT = re.compile(
    r"跟贴|跟帖|评论|网友|相关(?:新闻|阅读|文章|推荐|报道)|延伸阅读|推荐阅读|热门|排行|猜你喜欢|为你推荐|免责声明"
)


def _teasers(element: HtmlElement, counts: TextCounts) -> bool:
    """A list of teasers: most of the block's text sits in three or more alike items
    (same tag and class: li, div...), each led by a link (a news strip with
    summaries, a gallery, a comment list), not in paragraphs."""
    groups: dict[tuple[str, str], list[HtmlElement]] = {}
    for child in element:
        if isinstance(child.tag, str) and child.tag in ("li", "div", "dl", "section", "article"):
            groups.setdefault((child.tag, child.get("class") or ""), []).append(child)
    total = counts.text(element)
    for items in groups.values():
        linked = [item for item in items if item.find(".//a[@href]") is not None]
        if len(linked) >= 3 and len(linked) >= 0.8 * len(items):
            weight = sum(counts.get(item, Counts()).text for item in items)
            if total and weight >= 0.6 * total:
                return True
    return False


def _leading_text(element: HtmlElement, size: int = 30) -> str:
    """The first `size` characters of the block's text, without white space."""
    parts: list[str] = []
    length = 0
    for piece in element.itertext():
        piece = "".join(piece.split())
        parts.append(piece)
        length += len(piece)
        if length >= size:
            break
    return "".join(parts)[:size]


def _markers(element: HtmlElement, body: HtmlElement | None, counts: TextCounts) -> tuple[str, ...]:
    found: list[str] = []
    words = mark_words(element)
    if not is_positive(words):
        found.extend(sorted(words & _AWAY_WORDS))
    node = element.getparent()
    while node is not None and node is not body and isinstance(node.tag, str):
        found.extend(sorted(mark_words(node) & _AWAY_AROUND))
        node = node.getparent()
    if match := _AWAY_TEXT.search(_leading_text(element)):
        found.append(match.group())
    if _teasers(element, counts):
        found.append("teaser-list")
    return tuple(dict.fromkeys(found))


# A block this far (text weight) from the headline keeps half its score.
_HALF_DISTANCE = 1800
# Blocks of less text weight than this (about 60 CJK characters) score less.
_SHORT = 180


def score_candidates(
    root: HtmlElement, counts: TextCounts | None = None, anchor: Anchor | None = None
) -> list[Candidate]:
    """Every block that paragraphs voted for, best first.

    Votes (paragraphs and their commas, tag and class words) make a block's
    base; link text, distance from the headline and comment or related-list
    markers cut it, so a short article near its headline beats a long thread
    of comments or a strip of news summaries further down.
    """
    counts = counts if counts is not None else TextCounts(root)
    scores: dict[HtmlElement, float] = {}

    def score_of(element: HtmlElement) -> float:
        if element not in scores:
            scores[element] = _tag_weight(element.tag) + _class_weight(element)
        return scores[element]

    walls: dict[HtmlElement, bool] = {}

    def walls_in(element: HtmlElement) -> bool:
        if element not in walls:
            words = mark_words(element)
            walls[element] = bool(words & _AWAY_AROUND and not is_positive(words)) or (
                element.tag in ("ul", "ol", "div", "section") and _teasers(element, counts)
            )
        return walls[element]

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
            if walls_in(ancestor):
                break  # a comment thread's or a teaser list's votes do not lift the page
            ancestor = ancestor.getparent()

    body = root.find("body")
    base: dict[HtmlElement, tuple[float, Counts, int | None]] = {}
    for element, votes in scores.items():
        c = counts.get(element, Counts())
        score = votes * (1 - (c.links / c.text if c.text else 1.0))
        distance = anchor.distance(element) if anchor is not None else None
        if distance is not None and score > 0:
            score /= 1 + distance / _HALF_DISTANCE
        base[element] = (score, c, distance)
    # Markers only cut a score: blocks far below the best cannot win either way.
    floor = 0.04 * max((score for score, _, _ in base.values()), default=0.0)
    candidates = []
    for element, (score, c, distance) in base.items():
        markers = _markers(element, body, counts) if score > 0 and score >= floor else ()
        if markers:
            score *= 0.25
        if c.text < _SHORT:
            score *= c.text / _SHORT  # a line or two: a caption, a share box, not an article
        density = c.links / c.text if c.text else 1.0
        candidates.append(
            Candidate(element, scores[element], c.text, density, distance, markers, score)
        )
    candidates.sort(key=lambda candidate: candidate.score, reverse=True)
    return candidates


def choose(candidates: list[Candidate], root: HtmlElement, counts: TextCounts) -> list[HtmlElement]:
    """The best candidate, or the repeated chunks it is one of, plus the siblings
    that continue it."""
    if not candidates:
        body = root.find("body")
        return [body if body is not None else root]
    final = {candidate.element: candidate.score for candidate in candidates}
    best = candidates[0].element
    best_score = candidates[0].score
    chunks = _repeated_chunks(best, counts)
    if chunks:
        return chunks
    parent = best.getparent()
    if parent is None:
        return [best]
    if twins := _continued_in_twins(candidates, root):
        return twins
    threshold = max(10.0, best_score * 0.2)
    chosen = []
    for sibling in parent:
        if not isinstance(sibling.tag, str):
            continue
        if sibling is best:
            chosen.append(sibling)
            continue
        if sibling in final and final[sibling] >= threshold:
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


def _shape(element: HtmlElement) -> tuple[tuple[str, str], ...]:
    """Tag and first class word of an element and its two ancestors: what a template
    repeats (modifiers such as "version-2" may differ from section to section)."""
    shape = []
    node: HtmlElement | None = element
    for _ in range(3):
        if node is None or not isinstance(node.tag, str):
            break
        shape.append((node.tag, next(iter((node.get("class") or "").split()), "")))
        node = node.getparent()
    return tuple(shape)


def _continued_in_twins(candidates: list[Candidate], root: HtmlElement) -> list[HtmlElement]:
    """An article the template cut into sections far apart (a figure, a quote or an ad
    module between them, each section in its own wrapper): the best block and every
    block of the very same shape that also scored well, in page order. Empty when
    the best block has no such twin."""
    best = candidates[0]
    shape = _shape(best.element)
    if not shape[0][1]:
        return []  # a bare <div> in bare wrappers is no template's article section
    # Mass without the distance to the headline: later sections are far from it.
    threshold = max(10.0, 0.25 * best.votes * (1 - best.link_density))
    twins = [
        c.element
        for c in candidates[1:]
        if c.votes * (1 - c.link_density) >= threshold
        and not c.markers
        and _shape(c.element) == shape
    ]
    if not twins:
        return []
    chosen = [best.element, *twins]
    nested = {
        e for e in chosen for other in chosen if other is not e and e in other.iterancestors()
    }
    order = {element: index for index, element in enumerate(root.iter())}
    return sorted((e for e in chosen if e not in nested), key=order.__getitem__)


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


# A video player's controls (speeds, quality, "loading" and error lines) are not
# text; a video embed became a link to the video before this (iframes_to_links).
_PLAYER_WORDS = frozenset({"player", "mplayer", "jwplayer", "vjs", "videoplayer"})


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
        if (
            marked_as_chrome(element)
            or (density > 0.5 and element.tag != "p")
            or density > 0.8
            or mark_words(element) & _PLAYER_WORDS
        ):
            doomed.append(element)
    for element in doomed:
        if element.getparent() is not None:
            drop_keep_tail(element)
    _drop_link_lines(container, counts)


_BLANK = " \t\r\n\u3000\xa0"


def _drop_link_lines(container: HtmlElement, counts: TextCounts) -> None:
    """Three or more `<br>`-separated lines in a row that are each nothing but a link
    (a 相关阅读 list of headlines set straight into the body) are not article text."""
    for parent in list(container.iter()):
        if not isinstance(parent.tag, str) or parent.find("br") is None:
            continue
        lines: list[tuple[list[HtmlElement], bool]] = []
        items: list[HtmlElement] = []
        loose = bool((parent.text or "").strip(_BLANK))
        for child in parent:
            if child.tag == "br":
                lines.append((items, loose))
                items, loose = [], False
            elif isinstance(child.tag, str):
                items.append(child)
            loose = loose or bool((child.tail or "").strip(_BLANK))
        lines.append((items, loose))
        run: list[HtmlElement] = []
        runs = []
        for items, loose in lines:
            if not items and not loose:
                continue  # an empty line between two links
            c = [counts.get(item, Counts()) for item in items]
            if not loose and items and all(x.text and x.links == x.text for x in c):
                run.extend(items)
                runs.append(len(items))
                continue
            _drop_run(run, runs, counts)
            run, runs = [], []
        _drop_run(run, runs, counts)


def _drop_run(run: list[HtmlElement], runs: list[int], counts: TextCounts) -> None:
    if len(runs) >= 3:
        for element in run:
            if element.getparent() is not None:
                counts.drop(element)
