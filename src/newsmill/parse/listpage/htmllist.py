"""The main article list of an HTML page, found without selectors.

Links that sit at the same place of the page's structure (the same chain of
tags and classes from the root) are one candidate list: a channel's 40 roll
items share one chain, its nav menu another, the hot-ranking sidebar a third.
Each candidate is scored by what separates an article list from the rest:
how much title text it carries (CJK-aware), how article-like its URLs are, and
whether a date stands beside each link. The best candidate wins; its items keep
page order, one per URL.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from cssselect import SelectorError
from lxml.html import HtmlElement

from newsmill.listdates import looks_like_date
from newsmill.parse.listpage.model import ListItem, ListSelect
from newsmill.parse.listpage.text import absolute, squash, weight
from newsmill.parse.listpage.urlshape import article_likeness

# Class words that mark a state of one sibling, not its kind: dropping them keeps
# the first, the current and the odd rows in the same list as the others.
_STATE_CLASSES = frozenset(
    "active current cur on selected first last odd even hover show hidden clearfix "
    "fl fr left right".split()
)
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "textarea", "select", "head"})
_TEMPLATE_MARK = re.compile(r"(?:^|[\s_-])(?:templates?|tpl)(?:$|[\s_-])", re.I)
_MIN_ITEMS = 3
_CLOCK = re.compile(r"\d{1,2}[:：]\d{2}")
# A title shorter than this (reading units: a CJK character counts 3) is a menu word.
_MENU_WEIGHT = 12
_TITLE_CAP = 90
# Elements searched for a date in one item: a row is small; a huge "item" is no row.
_DATE_SEARCH = 80
# Steps of an inferred item selector above the item, when no id anchors it sooner.
_PATH_STEPS = 4


@dataclass(slots=True)
class _Link:
    element: HtmlElement
    url: str
    text: str
    chain: tuple[HtmlElement, ...]
    order: int


@dataclass(slots=True)
class _Page:
    """Every readable link grouped by its place, and each element's token for selectors."""

    groups: dict[str, list[_Link]]
    tokens: dict[HtmlElement, str]


@dataclass(slots=True)
class _Candidate:
    pairs: list[tuple[_Link, HtmlElement]]
    dates: list[tuple[str, HtmlElement] | None]
    score: float


@dataclass(slots=True)
class HtmlList:
    """The chosen list: its items, the selectors that describe it, and its score."""

    items: list[ListItem]
    select: ListSelect
    score: float
    text_weight: int


def _classes(element: HtmlElement) -> frozenset[str]:
    return frozenset(
        c
        for c in (element.get("class") or "").split()
        if c.lower() not in _STATE_CLASSES
        and not any(ch.isdigit() for ch in c)
        and re.fullmatch(r"[\w-]+", c)
    )


def _token(element: HtmlElement, shared: frozenset[str] | None = None) -> str:
    """Tag, id and classes; `shared` (the classes all same-tag siblings have) replaces
    the element's own classes, so WordPress's per-post classes (`category-x`,
    `has-post-thumbnail`) and a first column's extra class do not split a list."""
    classes = shared if shared else _classes(element)
    ident = element.get("id") or ""
    token = str(element.tag)
    if ident and not any(ch.isdigit() for ch in ident) and re.fullmatch(r"[\w-]+", ident):
        token += "#" + ident
    return token + "".join("." + c for c in sorted(classes))


def _shared_classes(parent: HtmlElement) -> dict[str, frozenset[str]]:
    """Per tag, the classes that every child of that tag carries (when there are several)."""
    by_tag: dict[str, list[frozenset[str]]] = defaultdict(list)
    for child in parent:
        if isinstance(child.tag, str):
            by_tag[child.tag].append(_classes(child))
    return {tag: frozenset.intersection(*sets) for tag, sets in by_tag.items() if len(sets) > 1}


def _is_template(element: HtmlElement) -> bool:
    marks = f"{element.get('id') or ''} {element.get('class') or ''}"
    return bool(_TEMPLATE_MARK.search(marks)) or element.get("type") == "text/template"


def _collect(root: HtmlElement, base_url: str) -> _Page:
    """Every readable link, grouped by its chain of tags and classes from the root."""
    groups: dict[str, list[_Link]] = defaultdict(list)
    signature: dict[HtmlElement, str] = {root: _token(root)}
    tokens: dict[HtmlElement, str] = {root: signature[root]}
    chains: dict[HtmlElement, tuple[HtmlElement, ...]] = {root: (root,)}
    skipped: set[HtmlElement] = set()
    shared: dict[HtmlElement, dict[str, frozenset[str]]] = {}
    for element in root.iterdescendants():
        if not isinstance(element.tag, str):
            continue
        parent = element.getparent()
        if parent in skipped or element.tag in _SKIP_TAGS or _is_template(element):
            skipped.add(element)
            continue
        if parent not in shared:
            shared[parent] = _shared_classes(parent)
        token = _token(element, shared[parent].get(element.tag))
        tokens[element] = token
        sig = signature[parent] + "/" + token
        signature[element] = sig
        chains[element] = (*chains[parent], element)
        if element.tag != "a":
            continue
        url = absolute(element.get("href"), base_url)
        if url is None:
            continue
        text = squash(element.text_content()) or squash(element.get("title"))
        groups[sig].append(_Link(element, url, text, chains[element], len(tokens)))
    return _Page(groups, tokens)


def _common_depth(a: tuple[HtmlElement, ...], b: tuple[HtmlElement, ...]) -> int:
    depth = 0
    for x, y in zip(a, b, strict=False):
        if x is not y:
            break
        depth += 1
    return depth


def _items_of(links: list[_Link]) -> list[tuple[_Link, HtmlElement]]:
    """One (title link, item element) per URL: the item is the largest element that
    holds this link and no link of the group to another article."""
    firsts: dict[str, _Link] = {}
    for link in links:
        kept = firsts.get(link.url)
        if kept is None or (not kept.text and link.text):
            firsts[link.url] = link
    ordered = sorted(firsts.values(), key=lambda link: link.order)
    result = []
    for i, link in enumerate(ordered):
        depth = 0
        if i > 0:
            depth = max(depth, _common_depth(link.chain, ordered[i - 1].chain))
        if i + 1 < len(ordered):
            depth = max(depth, _common_depth(link.chain, ordered[i + 1].chain))
        item = link.chain[min(depth, len(link.chain) - 1)]
        result.append((link, item))
    return result


def _date_in(item: HtmlElement, title: str) -> tuple[str, HtmlElement] | None:
    """A date shown in the item (or, for table rows, in the row after it).

    A bare clock time (`04:10`) is taken only when nothing better is there: in a
    card it is as often a video's length as the hour of the day.
    """
    places = [item]
    following = item.getnext()
    if (
        item.tag == "tr"
        and following is not None
        and not following.xpath(".//a[string-length(normalize-space())>20]")
    ):
        places.append(following)
    fallback: tuple[str, HtmlElement] | None = None
    for place in places:
        for seen, element in enumerate(place.iter()):
            if seen > _DATE_SEARCH:
                break
            if not isinstance(element.tag, str):
                continue
            for piece, holder in ((element.text, element), (element.tail, element.getparent())):
                text = squash(piece).strip("[]()【】（） ")
                if text and text != title and looks_like_date(text):
                    found = (text, holder if holder is not None else element)
                    if not _CLOCK.fullmatch(text):
                        return found
                    fallback = fallback or found
            value = element.get("datetime")
            if element.tag == "time" and value and looks_like_date(value):
                return squash(element.text_content()) or value, element
    return fallback


def _css_path(
    element: HtmlElement, tokens: dict[HtmlElement, str], stop: HtmlElement | None = None
) -> str:
    """A selector for `element`: its tokens upward to the nearest id, `stop`, or a
    few classed steps, so that it is short enough to read and still specific."""
    parts: list[str] = []
    current: HtmlElement | None = element
    while current is not None and current is not stop and current.tag not in ("html", "body"):
        token = tokens.get(current) or str(current.tag)
        parts.append(token)
        if "#" in token or (stop is None and len(parts) >= _PATH_STEPS and "." in token):
            break
        current = current.getparent()
    return " > ".join(reversed(parts))


def _score(pairs: list[tuple[_Link, HtmlElement]], dated: int) -> float:
    titles = [link.text for link, _ in pairs if link.text]
    if len(titles) < _MIN_ITEMS:
        return 0.0
    weights = [min(weight(t), _TITLE_CAP) for t in titles]
    mean = sum(weights) / len(weights)
    article = sum(article_likeness(link.url) for link, _ in pairs) / len(pairs)
    distinct = len(set(titles)) / len(titles)
    score = sum(weights) * (0.15 + article) * distinct * (1 + dated / len(pairs))
    if mean < _MENU_WEIGHT:
        score *= 0.1
    return score


def _candidate(links: list[_Link]) -> _Candidate:
    """A group scored; a group that cannot be a list (too few URLs) is not searched for dates."""
    pairs = _items_of(links)
    if len(pairs) < _MIN_ITEMS:
        return _Candidate(pairs, [None] * len(pairs), 0.0)
    dates = [_date_in(item, link.text) for link, item in pairs]
    return _Candidate(pairs, dates, _score(pairs, sum(1 for d in dates if d)))


def _same_kind(a: HtmlElement, b: HtmlElement, tokens: dict[HtmlElement, str]) -> bool:
    if a.tag != b.tag or a.getparent() is not b.getparent():
        return False
    classes_a, classes_b = (
        set(tokens.get(a, "").split(".")[1:]),
        set(tokens.get(b, "").split(".")[1:]),
    )
    return bool(classes_a & classes_b) or not (classes_a or classes_b)


def _extend(
    best: _Candidate, others: list[_Candidate], tokens: dict[HtmlElement, str]
) -> _Candidate:
    """Rows of the same list whose inside differs (a photo-set row, a wide promoted
    card): new item elements beside the list's own, of the same kind, titled like it."""
    items = {id(item) for _, item in best.pairs}
    urls = {link.url for link, _ in best.pairs}
    siblings = {id(item.getparent()): item for _, item in best.pairs}
    pairs, dates = list(best.pairs), list(best.dates)
    for other in others:
        for link, _ in other.pairs:
            if link.url in urls or weight(link.text) < _MENU_WEIGHT:
                continue
            # The row is the link's ancestor that sits beside the list's own rows.
            item = next((e for e in link.chain[1:] if id(e.getparent()) in siblings), None)
            if item is None or id(item) in items:
                continue
            if not _same_kind(item, siblings[id(item.getparent())], tokens):
                continue
            items.add(id(item))
            urls.add(link.url)
            pairs.append((link, item))
            dates.append(_date_in(item, link.text))
    order = sorted(range(len(pairs)), key=lambda i: pairs[i][0].order)
    return _Candidate([pairs[i] for i in order], [dates[i] for i in order], best.score)


def _link_selector(pairs: list[tuple[_Link, HtmlElement]], tokens: dict[HtmlElement, str]) -> str:
    """A selector that finds each item's title link as the first match inside the item:
    the link's path, made more specific (`:nth-of-type`) when an earlier link of the
    item (a category badge) would match first."""
    link, item = pairs[0]
    if link.element is item:
        return ""
    path = _css_path(link.element, tokens, item)
    position = sum(
        1 for s in link.element.itersiblings(preceding=True) if s.tag == link.element.tag
    )
    for candidate in (path, f"{path}:nth-of-type({position + 1})"):
        try:
            if all(
                (found := item_el.cssselect(candidate)) and found[0] is link_el.element
                for link_el, item_el in pairs[:5]
            ):
                return candidate
        except (SelectorError, SyntaxError):
            continue
    return path


def _title(link: _Link) -> str:
    """The link's text without a date printed inside it (`<a><span>05-20</span>Title</a>`):
    the date is the item's date, not part of its title. A whole card made one link
    is titled by its heading, not by heading, summary and byline run together."""
    heading = link.element.xpath(
        ".//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6"
        " or contains(concat(' ', normalize-space(@class), ' '), ' title ')][1]"
    )
    if heading and squash(heading[0].text_content()):
        return squash(heading[0].text_content())
    dated = [
        child
        for child in link.element.iterdescendants()
        if isinstance(child.tag, str) and looks_like_date(squash(child.text_content()))
    ]
    if not dated:
        return link.text
    parts: list[str] = []
    for piece in link.element.xpath(".//text()"):
        holder = piece.getparent()
        inside_date = any(holder is d or d in holder.iterancestors() for d in dated)
        if piece.is_tail:
            inside_date = any(d in holder.iterancestors() for d in dated)
        if not inside_date:
            parts.append(str(piece))
    return squash("".join(parts)) or link.text


def find_html_list(root: HtmlElement, base_url: str) -> HtmlList | None:
    """The page's main article list, or None when no group of links looks like one."""
    page = _collect(root, base_url)
    candidates = [_candidate(links) for links in page.groups.values()]
    ranked = [c for c in candidates if c.score > 0]
    if not ranked:
        return None
    best = max(ranked, key=lambda c: c.score)
    first_item = best.pairs[0][1]
    date_holder = next((d[1] for d in best.dates if d), None)
    select = ListSelect(
        items=_css_path(first_item, page.tokens),
        link=_link_selector(best.pairs, page.tokens),
        date=page.tokens.get(date_holder, "")
        if date_holder is not None and date_holder is not first_item
        else "",
    )
    best = _extend(best, [c for c in candidates if c is not best], page.tokens)
    items = [
        ListItem(link.url, _title(link), d[0] if d else None)
        for (link, _), d in zip(best.pairs, best.dates, strict=True)
    ]
    text = sum(min(weight(item.title), _TITLE_CAP) for item in items)
    return HtmlList(items, select, best.score, text)
