"""From a fetched feed to the articles its source keeps: the pure per-item stages.

Parse, then for each item clean, enrich and key it (`build_article`), filter
it and tag it (`build_articles`). No I/O happens here, so the same functions
serve the local runner, its worker processes, a distributed worker and the
tests.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from newsmill.clean import RuleBook, clean_fragment, default_rules, html_to_text, load_rules
from newsmill.config import Config, FiltersConfig, TagsConfig
from newsmill.dates import plausible
from newsmill.dedupe import content_hash
from newsmill.enrich import (
    article_language,
    find_editor,
    find_publisher,
    keywords,
    make_summary,
    pick_lead_image,
)
from newsmill.extract import ExtractedPage
from newsmill.htmltools import text_weight
from newsmill.listdates import parse_list_date
from newsmill.model import Article, Entry, FetchResult, Source
from newsmill.parse import ListError, ListSelect, find_list, parse_feed, select_list
from newsmill.run.filters import rejection
from newsmill.run.schedule import ScheduleSettings
from newsmill.urls import canonical_url

log = logging.getLogger("newsmill.run")

# What processing a source's items made: the articles kept, (guid, reason) of those filtered.
Built = tuple[list[Article], list[tuple[str, str]]]


@dataclass(frozen=True)
class RunPolicy:
    """Everything from the configuration that processing a source needs, built once."""

    rules: RuleBook
    filters: FiltersConfig = field(default_factory=FiltersConfig)
    tags: TagsConfig = field(default_factory=TagsConfig)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    zone: tzinfo = UTC  # where a list page's dates without a zone are read (the site's)

    @classmethod
    def from_config(cls, config: Config) -> RunPolicy:
        s = config.schedule
        return cls(
            rules=load_rules(config.rules),
            filters=config.filters,
            tags=config.tags,
            schedule=ScheduleSettings(
                interval=s.interval,
                min_interval=s.min_interval,
                max_interval=s.max_interval,
                jitter=s.jitter,
                disable_after=s.disable_after,
            ),
            zone=config.site.tz,
        )

    @classmethod
    def default(cls) -> RunPolicy:
        return cls(rules=default_rules())


@dataclass
class FeedItems:
    """A parsed feed on its way to the store, with the article pages fetched for it."""

    entries: list[Entry]
    fetched: datetime
    pages: dict[str, ExtractedPage] = field(default_factory=dict)  # by entry guid
    # Teasers whose full article is stored already: left alone, not overwritten.
    already_full: set[str] = field(default_factory=set)
    # Items a filter turned away on an earlier run: not processed again.
    known_filtered: set[str] = field(default_factory=set)
    ttl_minutes: int | None = None
    damage: str | None = None  # what the parser says it may have lost (ParsedFeed.damage)
    refused: str | None = None  # article pages robots.txt kept from being fetched, and why
    next_page: str | None = None  # a list page's next page, if it shows one
    list_select: ListSelect | None = None  # what found the list: its next pages use it too


class ListSourceError(Exception):
    """A list source's page cannot be read as a list (a selector matches nothing)."""


def read_feed(source: Source, result: FetchResult) -> FeedItems:
    """Parse a fetched feed (raises FeedError); a guid repeated in one feed is one item."""
    parsed = parse_feed(
        result.body,
        base_url=result.final_url,
        content_type=result.content_type,
        encoding=source.encoding,
    )
    unique = {entry.guid: entry for entry in reversed(parsed.entries)}
    entries = [e for e in parsed.entries if unique.get(e.guid) is e]
    return FeedItems(
        entries=entries,
        fetched=datetime.now(UTC),
        ttl_minutes=parsed.ttl_minutes,
        damage=parsed.damage,
    )


def build_articles(source: Source, items: FeedItems, policy: RunPolicy | None = None) -> Built:
    """Process every item; returns the articles kept and (guid, reason) of those filtered."""
    policy = policy or RunPolicy.default()
    kept: list[Article] = []
    filtered: list[tuple[str, str]] = []
    for entry in items.entries:
        if entry.guid in items.already_full or entry.guid in items.known_filtered:
            continue
        try:
            article = build_article(
                source, entry, items.fetched, policy.rules, items.pages.get(entry.guid)
            )
        except Exception:  # one item must not cost its source the others
            log.exception("source %s: item %r could not be processed", source.name, entry.guid)
            continue
        if reason := rejection(source, policy.filters, article, items.fetched):
            filtered.append((entry.guid, reason))
            continue
        if not article.tags and policy.tags.enabled:
            article.tags = keywords(article.text, article.language, policy.tags.max)
        kept.append(article)
    return kept, filtered


_TAGS = re.compile(r"<[^>]+>")


_FORMAT_TYPES = {
    "html": "text/html",
    "json": "application/json",
    "jsonp": "application/javascript",
}


def read_list(
    source: Source, result: FetchResult, zone: tzinfo = UTC, select: ListSelect | None = None
) -> FeedItems:
    """A list page's articles as entries to fetch in full (raises ListSourceError).

    An article is its canonical link, so a list that reorders, repeats or drops
    items adds nothing twice; its date is the one the list shows, read in `zone`
    relative to the fetch, when it shows one. `select` (else the source's own
    selectors, else none: the list is found) says where the list is."""
    fetched = datetime.now(UTC)
    # A declared format wins over what the server says the body is.
    content_type = _FORMAT_TYPES.get(source.list_format, result.content_type)
    try:
        if select is None and source.select:
            select = ListSelect(**dict(source.select))
        if select is not None:
            found = select_list(
                result.body, result.final_url, select, content_type, source.encoding
            )
        else:
            found = find_list(result.body, result.final_url, content_type, source.encoding)
    except ListError as exc:
        raise ListSourceError(f"list: {exc}{_why_no_list(result.body)}") from None
    entries: dict[str, Entry] = {}
    for item in found.items:
        guid = canonical_url(item.url)
        if guid not in entries:
            published = parse_list_date(item.date_text, fetched, zone)
            summary = html.escape(item.summary) if item.summary else ""
            entries[guid] = Entry(
                guid=guid,
                link=item.url,
                title=item.title,
                published=published,
                summary_html=summary,
            )
    return FeedItems(
        list(entries.values()), fetched, next_page=found.next_page, list_select=found.select
    )


# Fewer links than this in a page with no list: it is not the page it was.
FEW_LINKS = 10


def _links(body: bytes) -> int:
    return body.count(b"<a ") + body.count(b"<A ")


def drawn_elsewhere(body: bytes) -> bool:
    """An HTML page with almost no links: not the site's own (a challenge, a login)
    or one its scripts draw, worth loading in a browser when asked to."""
    return body.lstrip()[:1] == b"<" and _links(body) < FEW_LINKS


def _why_no_list(body: bytes) -> str:
    if drawn_elsewhere(body):
        return f" ({_links(body)} links in all: a challenge page, or one drawn by JavaScript?)"
    return ""


def _published(
    candidates: tuple[tuple[datetime | None, str], ...], fetched: datetime
) -> tuple[datetime, str]:
    """The first date that can be true and where it came from, or the fetch time."""
    for when, origin in candidates:
        if (date := plausible(when, fetched)) is not None:
            return date, origin
    return fetched, "first_seen"


def build_article(
    source: Source,
    entry: Entry,
    fetched: datetime,
    rules: RuleBook | None = None,
    page: ExtractedPage | None = None,
) -> Article:
    """Clean, enrich and key one item; the page's content wins when it is the longer."""
    rules = rules or default_rules()
    base = entry.link or source.url
    rule = rules.for_url(base)
    raw_html = entry.content_html or entry.summary_html
    # Editor lines are removed as boilerplate, so they are read before cleaning.
    raw_text = _TAGS.sub("\n", raw_html)
    content = clean_fragment(raw_html, base, rule)
    text = html_to_text(content)
    from_page = page is not None and text_weight(page.text) > text_weight(text)
    if page is not None and from_page:
        content, text = page.content_html, page.text
    origin = "list" if source.kind == "list" else "feed"
    published, date_source = _published(
        (
            (entry.published, origin),
            (entry.updated, origin),
            (page.published if page else None, "page"),
        ),
        fetched,
    )
    url = entry.link or source.url
    title = entry.title
    if page and page.title and (not title or title.endswith(("...", "…"))):
        title = page.title  # a list shows titles cut short; the page has them whole
    title = title or make_summary(text, 80) or "(untitled)"
    lead_image = (page.lead_image if page else None) or pick_lead_image(
        entry, raw_html, content, base
    )
    if lead_image is None and from_page:
        lead_image = pick_lead_image(Entry(guid="", link="", title=""), content, content, base)
    tags = list(dict.fromkeys(entry.categories or (page.tags if page else [])))[:10]
    return Article(
        id=Article.make_id(source.name, entry.guid),
        source=source.name,
        guid=entry.guid,
        url=url,
        # No link of its own (the feed's address stands in): no link to match on.
        canonical_url=canonical_url(entry.link) if entry.link else "",
        title=title,
        author=entry.author or (page.author if page and page.author else "") or source.author,
        categories=list(source.categories),
        tags=tags,
        published=published,
        updated=plausible(entry.updated, fetched),
        fetched=fetched,
        date_is_fallback=date_source == "first_seen",
        date_source=date_source,
        lead_image=lead_image,
        content_html=content,
        text=text,
        summary=make_summary(text),
        language=article_language(
            (page.language if page and from_page else None) or entry.language, f"{title}\n{text}"
        ),
        publisher=(page.publisher if page else None) or find_publisher(text),
        editor=(page.editor if page else None) or find_editor(raw_text),
        content_hash=content_hash(title, text),
    )
