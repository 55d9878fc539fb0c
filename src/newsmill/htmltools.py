"""lxml helpers shared by extraction and cleaning: page chrome by class words,
text weights that treat Chinese fairly, and removal that keeps following text."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple, overload

import lxml.html
from lxml import etree
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction

# Words of class and id attributes (split at `-`, `_` and camelCase) that mark
# page chrome, and those that mark an article body.
NEGATIVE_WORDS = frozenset(
    """comment comments commentlist footer footnote foot share shares sharing sharebar social
    sidebar sponsor sponsored related relatedposts recommend recommended recommendation promo
    advert advertisement advertising ad ads adsense adslot adunit banner breadcrumb breadcrumbs
    nav navbar navigation menu masthead subscribe subscription newsletter popup modal cookie
    cookies outbrain taboola widget widgets toolbar login signup pagination pager copyright
    disclaimer qrcode qr erweima appendqr hot rank ranking xgyd xgwz tuijian bio byline tags
    tagcloud skip print hidden rating reactions popular trending follow disqus author meta
    dateline timestamp caption credit newsletter paywall more also next prev previous
    donate donation membership""".split()
)
POSITIVE_WORDS = frozenset(
    """article articles body content contents entry main post story text blog artibody detail
    details richmedia rich zw cont txt articlebody postbody storybody entrycontent""".split()
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")


_NO_WORDS: frozenset[str] = frozenset()


@lru_cache(maxsize=65536)
def _words(marks: str) -> frozenset[str]:
    return frozenset(_WORD_SPLIT.split(_CAMEL.sub(" ", marks).lower())) - {""}


def mark_words(element: HtmlElement) -> frozenset[str]:
    """The words of an element's class and id: `articleBody-main` -> article, body, main."""
    klass, ident = element.get("class"), element.get("id")
    if not klass and not ident:
        return _NO_WORDS
    return _words(f"{klass or ''} {ident or ''}")


@lru_cache(maxsize=65536)
def _chrome_marks(klass: str | None, ident: str | None) -> bool:
    words = _words(f"{klass or ''} {ident or ''}")
    return bool(words & NEGATIVE_WORDS) and not words & POSITIVE_WORDS


def marked_as_chrome(element: HtmlElement) -> bool:
    """Class and id words say page chrome: a negative word and no positive one.

    One cached look-up per distinct class and id: pages repeat them a lot.
    """
    klass, ident = element.get("class"), element.get("id")
    if not klass and not ident:
        return False
    return _chrome_marks(klass, ident)


def is_negative(words: frozenset[str]) -> bool:
    return bool(words & NEGATIVE_WORDS)


def is_positive(words: frozenset[str]) -> bool:
    return bool(words & POSITIVE_WORDS)


ALWAYS_JUNK = {
    "script", "style", "noscript", "template", "button", "input", "select", "textarea", "svg",
    "canvas", "object", "embed", "link", "meta", "iframe",
}  # fmt: skip
JUNK_TAGS = {"form", "nav", "aside", "footer", "dialog"}
_NOT_TEXT = {"script", "style", "noscript", "template"}


class Counts(NamedTuple):
    """An element's text weight, and how much of it is link text."""

    text: int = 0
    links: int = 0


def _is_hidden(element: HtmlElement) -> bool:
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    style = element.get("style", "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


# Never junk by their marks: the article's own kinds of element.
_NEVER_JUNK = frozenset(
    {"body", "html", "article", "main", "a", "img", "p", "figure", "figcaption"}
)


def text_weight(text: str | None) -> int:
    """Length in reading units: a CJK character counts like a short English word's letters.

    Characters other than white space, plus two more for each CJK character,
    read off the UTF-8 length (three bytes for CJK) so no regex runs per node.
    """
    if not text or text.isspace():
        return 0
    stripped = "".join(text.split())
    return len(stripped.encode("utf-8"))


def _is_junk(element: HtmlElement, counts: TextCounts, small: float) -> bool:
    """Code or form parts; or a junk tag, chrome by its class and id words, or a
    hidden box, if it holds less text than `small`."""
    tag = element.tag.lower()
    if tag in ALWAYS_JUNK:
        return True
    if tag in _NEVER_JUNK or counts.text(element) >= small:
        return False
    # Attribute look-ups cost more than the rest together: last, and only if needed.
    return tag in JUNK_TAGS or marked_as_chrome(element) or _is_hidden(element)


def remove_junk(root: HtmlElement, counts: TextCounts | None = None) -> TextCounts:
    """Drop elements that never hold article text: code, forms, chrome, hidden boxes.

    A box that holds a large share of the page's text is a wrapper, whatever its
    class says (`page-ad-margins`, `has-sidebar`, a form around the whole page),
    so it stays and scoring decides. Returns the text counts, kept true for the
    tree that is left, so the next step need not count again.
    """
    counts = counts if counts is not None else TextCounts(root)
    body = root.find("body")
    total = counts[body].text if body is not None and body in counts else counts[root].text
    small = max(total * 0.25, 200)
    for element in _outermost_junk(root, counts, small):
        counts.drop(element)
    return counts


def _outermost_junk(root: HtmlElement, counts: TextCounts, small: float) -> list[etree._Element]:
    """Comments, processing instructions and junk elements, in document order; not
    what is inside a junk element: it goes with it, so it is never looked at (a
    menu's links, an icon's paths)."""
    doomed = []
    walker = etree.iterwalk(root, events=("start", "comment", "pi"))
    for event, element in walker:
        if event != "start":
            doomed.append(element)
        elif _is_junk(element, counts, small):
            doomed.append(element)
            walker.skip_subtree()
    return doomed


def _fast_html_parser() -> etree.HTMLParser:
    """lxml.html's parser, less its per-element class lookup.

    lxml.html picks a class for every element in Python (FormElement, InputElement...),
    and that lookup runs each time an element is touched from Python: nearly half
    the cost of walking a tree. Extraction needs none of those classes, so every
    element here is a plain HtmlElement, chosen in C. UTF-8 bytes parse in about
    half the time lxml needs for the same str.
    """
    # No table of id attributes either: nothing here looks elements up by id().
    parser = etree.HTMLParser(encoding="utf-8", collect_ids=False)
    parser.set_element_class_lookup(
        etree.ElementDefaultClassLookup(
            element=HtmlElement,
            comment=HtmlComment,
            pi=HtmlProcessingInstruction,
            entity=HtmlEntity,
        )
    )
    return parser


_PARSER = _fast_html_parser()
# Characters XML forbids; lxml parses them into text but refuses them when text is set.
# In UTF-8 these bytes never occur inside a multi-byte character, so deleting bytes is safe.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def utf8_without_controls(text: str) -> bytes:
    """`text` as UTF-8 without control characters, ready for the fast parser."""
    return text.encode("utf-8", "replace").translate(None, _CONTROL_BYTES)


# A page's text is decoded already: a leftover declaration must not re-decode it.
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def parse_document(text: str) -> HtmlElement:
    """A whole page, parsed fast (see `_fast_html_parser`); ParserError if empty."""
    text = _XML_DECLARATION.sub("", text, count=1)
    return lxml.html.document_fromstring(utf8_without_controls(text), parser=_PARSER)


def parse_fragment(html: str) -> HtmlElement:
    """An HTML fragment inside a new <div>, parsed fast (see `_fast_html_parser`)."""
    return lxml.html.fragment_fromstring(
        utf8_without_controls(html), create_parent="div", parser=_PARSER
    )


def drop_keep_tail(element: etree._Element) -> None:
    """Remove an element but keep the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail and tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _count(root: HtmlElement) -> tuple[dict[HtmlElement, int], dict[HtmlElement, int]]:
    """Text and link-text weights of every element, in one bottom-up pass.

    An element's weight is its own text, its children's weights and the text
    after each child (a comment's too: it is text the reader sees); scripts and
    styles weigh nothing. Links weigh what the <a> elements inside weigh.
    Plain ints in two dicts: an object per element would cost more to make
    (and to garbage-collect) than the counting itself.
    """
    text_of: dict[HtmlElement, int] = {}
    links_of: dict[HtmlElement, int] = {}
    # Children come after their parent in document order: walking it backwards,
    # each node is complete when reached and adds itself and its tail to its parent.
    for node in reversed(list(root.iter())):
        tag = node.tag
        text = links = 0
        if isinstance(tag, str):  # not a comment or processing instruction
            if tag not in _NOT_TEXT:
                text = text_of.get(node, 0) + text_weight(node.text)
                links = text if tag == "a" else links_of.get(node, 0)
            text_of[node], links_of[node] = text, links
        if node is root:
            break  # the last node; its tail is not its text
        text += text_weight(node.tail)
        if text:
            parent = node.getparent()
            text_of[parent] = text_of.get(parent, 0) + text
            if links:
                links_of[parent] = links_of.get(parent, 0) + links
    return text_of, links_of


class TextCounts:
    """Text and link weights of every element of a tree, kept true while elements
    are dropped from it.

    Counting walks every element; dropping one changes only its ancestors'
    weights, so the steps that drop (junk, selectors, pruning) share one count
    instead of each counting the page again.
    """

    def __init__(self, root: HtmlElement) -> None:
        self._text, self._links = _count(root)

    def __getitem__(self, element: HtmlElement) -> Counts:
        return Counts(self._text[element], self._links[element])

    def __contains__(self, element: object) -> bool:
        return element in self._text

    @overload
    def get(self, element: HtmlElement) -> Counts | None: ...
    @overload
    def get(self, element: HtmlElement, default: Counts) -> Counts: ...
    def get(self, element: HtmlElement, default: Counts | None = None) -> Counts | None:
        text = self._text.get(element)
        return default if text is None else Counts(text, self._links[element])

    def text(self, element: HtmlElement) -> int:
        return self._text[element]

    def drop(self, element: etree._Element) -> None:
        """`drop_keep_tail`, and the element's weights taken off its ancestors.

        The tail stays in the parent, so only the element's own weights leave.
        """
        text = self._text.get(element, 0) if isinstance(element.tag, str) else 0
        if text:  # links are part of the text: no text, no links
            self._subtract(element, text, self._links[element])
        drop_keep_tail(element)

    def forget_text(self, owner: etree._Element, text: str | None) -> None:
        """Take the weight of `text`, about to be removed from `owner` (a block: its text
        or a child's tail), off `owner` and its ancestors."""
        weight = text_weight(text)
        if weight and owner in self._text:
            self._text[owner] -= weight
            self._subtract(owner, weight, 0)

    def _subtract(self, element: etree._Element, text: int, links: int) -> None:
        for ancestor in element.iterancestors():
            if ancestor not in self._text or ancestor.tag in _NOT_TEXT:
                return  # outside the counted tree, or in a box that weighs nothing
            self._text[ancestor] -= text
            if ancestor.tag == "a":  # an <a> is all link: its links are its text
                links = self._links[ancestor] - self._text[ancestor]
                self._links[ancestor] = self._text[ancestor]
            else:
                self._links[ancestor] -= links
