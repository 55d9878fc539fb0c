"""From a feed Entry to a stored Article: the pure stages in their order.

No I/O happens here, so the same function serves the local runner, a
distributed worker and the tests.
"""

from __future__ import annotations

from datetime import UTC, datetime

from newsmill.clean import html_to_text, sanitize_html
from newsmill.dedupe import canonical_url, content_hash
from newsmill.enrich import (
    find_editor,
    find_publisher,
    guess_language,
    make_summary,
    pick_lead_image,
)
from newsmill.model import Article, Entry, Source

# A feed dating an item far in the future is wrong or hostile; it must not
# pin the item to the top of every list for years.
_FUTURE_TOLERANCE_SECONDS = 24 * 3600


def _published(entry: Entry, fetched: datetime) -> tuple[datetime, bool]:
    when = entry.published or entry.updated
    if when is None:
        return fetched, True
    if (when - fetched).total_seconds() > _FUTURE_TOLERANCE_SECONDS:
        return fetched, True
    return when.astimezone(UTC), False


def build_article(source: Source, entry: Entry, fetched: datetime) -> Article:
    base = entry.link or source.url
    raw_html = entry.content_html or entry.summary_html
    content = sanitize_html(raw_html, base)
    text = html_to_text(content)
    published, fallback = _published(entry, fetched)
    url = entry.link or source.url
    title = entry.title or make_summary(text, 80) or "(untitled)"
    return Article(
        id=Article.make_id(source.name, entry.guid),
        source=source.name,
        guid=entry.guid,
        url=url,
        canonical_url=canonical_url(url),
        title=title,
        author=entry.author or source.author,
        categories=list(source.categories),
        tags=list(dict.fromkeys(entry.categories))[:10],
        published=published,
        updated=entry.updated.astimezone(UTC) if entry.updated else None,
        fetched=fetched,
        date_is_fallback=fallback,
        lead_image=pick_lead_image(entry, raw_html, content, base),
        content_html=content,
        text=text,
        summary=make_summary(text),
        language=guess_language(f"{title}\n{text}"),
        publisher=find_publisher(text),
        editor=find_editor(text),
        content_hash=content_hash(title, text),
    )
