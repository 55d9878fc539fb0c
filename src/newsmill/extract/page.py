"""An article page to an article: main content as clean HTML, plus its metadata."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from newsmill.clean import (
    RuleBook,
    SiteRule,
    clean_tree,
    default_rules,
    first_match,
    html_to_text,
    iframes_to_links,
    resolve_lazy_images,
    sanitize_html,
)
from newsmill.decoding import decode_document
from newsmill.enrich import content_images, find_publisher, looks_like_chrome
from newsmill.extract.content import (
    Anchor,
    Candidate,
    choose,
    find_headline,
    prune,
    score_candidates,
)
from newsmill.extract.metadata import PageMeta, page_url, read_declared, read_metadata
from newsmill.htmltools import TextCounts, drop_keep_tail, parse_document, remove_junk

_NOT_TEXT = ("script", "style", "noscript", "template")


class ExtractError(Exception):
    """The document is not an HTML page we can read."""


@dataclass
class ExtractedPage:
    url: str
    title: str
    author: str | None
    published: datetime | None
    updated: datetime | None
    lead_image: str | None
    publisher: str | None
    editor: str | None
    language: str | None
    content_html: str
    text: str
    tags: list[str] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        """The page as JSON-ready fields (dates in ISO 8601), for `newsmill extract`."""
        record: dict[str, Any] = {"url": self.url}
        for name in RECORD_FIELDS:
            value = getattr(self, name)
            record[name] = value.isoformat() if isinstance(value, datetime) else value
        return record


RECORD_FIELDS = (
    "title", "author", "published", "updated", "lead_image", "publisher", "editor",
    "language", "tags", "content_html", "text",
)  # fmt: skip


def parse_html(
    document: bytes | str, content_type: str = "", encoding: str | None = None
) -> HtmlElement:
    text = (
        document
        if isinstance(document, str)
        else decode_document(document, content_type, encoding)[0]
    )
    if not text.strip():
        raise ExtractError("empty document")
    try:
        return parse_document(text)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractError(f"not HTML: {exc}") from None


def visible_text(root: HtmlElement) -> str:
    """The page's text as a reader sees it; drops scripts and styles from the tree."""
    for element in list(root.iter(*_NOT_TEXT)):
        drop_keep_tail(element)
    body = root.find("body")
    text = (body if body is not None else root).text_content()
    # Most lines of a page's text are indentation: skip them before splitting.
    return "\n".join(
        [" ".join(line.split()) for line in text.split("\n") if line and not line.isspace()]
    )


def _drop_head(root: HtmlElement) -> None:
    """The <head> holds no article text, and its metadata has been read: every
    pass that follows would walk its meta and link elements for nothing."""
    head, body = root.find("head"), root.find("body")
    if head is not None and body is not None:
        drop_keep_tail(head)


@dataclass
class PreparedPage:
    """A parsed page, its own URL, site rule and metadata, ready for the block choice."""

    root: HtmlElement
    url: str
    rule: SiteRule
    meta: PageMeta


def prepare_page(
    document: bytes | str,
    url: str,
    content_type: str = "",
    encoding: str | None = None,
    rules: RuleBook | None = None,
) -> PreparedPage:
    """Everything before the article block is chosen (ExtractError if unreadable)."""
    root = parse_html(document, content_type, encoding)
    url = page_url(root, url)  # a saved page (file:) is read as the address it declares
    rule = (rules or default_rules()).for_url(url)
    # Metadata first: it reads JSON-LD scripts and bylines that cleaning removes.
    declared = read_declared(root)
    meta = read_metadata(root, url, rule, visible_text(root), declared)
    _drop_head(root)
    resolve_lazy_images(root)
    iframes_to_links(root, url)  # before chrome removal drops every iframe
    return PreparedPage(root, url, rule, meta)


@dataclass
class BlockChoice:
    """The article's element(s) and how they were chosen."""

    nodes: list[HtmlElement]
    # The text counts of a page whose chrome was removed already (None when a site
    # rule chose the element and it still has it).
    counts: TextCounts | None
    by_rule: bool = False
    headline: HtmlElement | None = None
    candidates: list[Candidate] = field(default_factory=list)  # best first


def choose_block(page: PreparedPage, score_anyway: bool = False) -> BlockChoice:
    """The site rule's element if it holds text, else the best-scored candidates.

    `score_anyway` scores the candidates a site rule overrides too, for a report:
    it removes the page's junk, which extraction after a rule's choice must not."""
    root, rule = page.root, page.rule
    ruled = None
    if rule.content:
        chosen = first_match(root, rule.selectors("content"))
        if chosen is not None and len(chosen.text_content().strip()) > 20:
            ruled = chosen
    if ruled is not None and not score_anyway:
        return BlockChoice([ruled], None, by_rule=True)
    headline = find_headline(root, page.meta.title)  # before junk removal may drop it
    counts = remove_junk(root)
    candidates = score_candidates(root, counts, Anchor(root, headline, counts))
    if ruled is not None:
        return BlockChoice([ruled], None, True, headline, candidates)
    return BlockChoice(choose(candidates, root, counts), counts, False, headline, candidates)


def _serialize(nodes: list[HtmlElement], title: str) -> str:
    parts = []
    for node in nodes:
        for heading in list(node.iter("h1")):
            if heading.text_content().strip() in ("", title.strip()) or heading is node:
                drop_keep_tail(heading)
        parts.append(etree.tostring(node, encoding="unicode", method="html", with_tail=False))
    return "".join(parts)


def extract_page(
    document: bytes | str,
    url: str,
    *,
    content_type: str = "",
    encoding: str | None = None,
    rules: RuleBook | None = None,
) -> ExtractedPage:
    """Extract one article page; raises ExtractError if it is not a readable page."""
    prepared = prepare_page(document, url, content_type, encoding, rules)
    url, rule, page = prepared.url, prepared.rule, prepared.meta
    block = choose_block(prepared)
    nodes, counts = block.nodes, block.counts
    for node in nodes:
        node_counts = clean_tree(
            node, rule, url, remove_chrome=counts is None, counts=counts, embeds_done=True
        )
        prune(node, node_counts)
    content_html = sanitize_html(_serialize(nodes, page.title), url)
    text = html_to_text(content_html)
    lead_image = page.lead_image
    if lead_image and looks_like_chrome(lead_image):
        lead_image = None  # a site logo or generic share card, not the article's picture
    lead_image = lead_image or next(iter(content_images(content_html, url)), None)
    # "（来源：X）" signed at the end, else the name the byline row shows by its time.
    publisher = page.publisher or find_publisher(text[-300:]) or page.shown_outlet
    return ExtractedPage(
        url=url,
        title=page.title,
        author=page.author,
        published=page.published,
        updated=page.updated,
        lead_image=lead_image,
        publisher=publisher,
        editor=page.editor,
        language=page.language,
        content_html=content_html,
        text=text,
        tags=page.tags,
    )
