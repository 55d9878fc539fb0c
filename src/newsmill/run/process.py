"""From a feed Entry (and its article page, when fetched) to a stored Article.

The pure stages in their order; no I/O happens here, so the same function
serves the local runner, a distributed worker and the tests.
"""

from __future__ import annotations

import re
from datetime import datetime

from newsmill.clean import RuleBook, clean_fragment, html_to_text
from newsmill.clean.rules import default_rules
from newsmill.dates import plausible
from newsmill.dedupe import canonical_url, content_hash
from newsmill.enrich import (
    article_language,
    find_editor,
    find_publisher,
    make_summary,
    pick_lead_image,
)
from newsmill.extract import ExtractedPage
from newsmill.htmltools import text_weight
from newsmill.model import Article, Entry, Source

_TAGS = re.compile(r"<[^>]+>")


def _published(candidates: tuple[datetime | None, ...], fetched: datetime) -> tuple[datetime, bool]:
    """The first date that can be true, or the fetch time marked as a fallback."""
    for when in candidates:
        if (date := plausible(when, fetched)) is not None:
            return date, False
    return fetched, True


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
    published, fallback = _published(
        (entry.published, entry.updated, page.published if page else None), fetched
    )
    url = entry.link or source.url
    title = entry.title or (page.title if page else "") or make_summary(text, 80) or "(untitled)"
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
        date_is_fallback=fallback,
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
