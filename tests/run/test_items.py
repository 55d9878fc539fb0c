"""From an entry to an article: where dates are checked, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsmill.model import Entry, Source
from newsmill.run.items import build_article

FETCHED = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
SOURCE = Source("s", "https://feed.example/rss", ("news",))


def entry(**fields: object) -> Entry:
    values: dict[str, object] = {
        "guid": "g1", "link": "https://news.example/1", "title": "A title",
        "content_html": "<p>Some text of the article.</p>",
    }  # fmt: skip
    values.update(fields)
    return Entry(**values)  # type: ignore[arg-type]


def test_go_zero_time_and_epoch_are_no_date() -> None:
    for impossible in (datetime(1, 1, 1, tzinfo=UTC), datetime(1970, 1, 1, tzinfo=UTC)):
        article = build_article(SOURCE, entry(published=impossible, updated=impossible), FETCHED)
        assert article.date_is_fallback and article.published == FETCHED
        assert article.updated is None


def test_the_first_true_date_wins_over_an_impossible_one() -> None:
    updated = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    article = build_article(
        SOURCE, entry(published=datetime(1, 1, 1, tzinfo=UTC), updated=updated), FETCHED
    )
    assert not article.date_is_fallback and article.published == updated


def test_a_date_more_than_a_day_ahead_is_no_date() -> None:
    ahead = FETCHED + timedelta(days=400)
    article = build_article(SOURCE, entry(published=ahead), FETCHED)
    assert article.date_is_fallback and article.published == FETCHED


def test_a_naive_date_is_read_as_utc() -> None:
    article = build_article(SOURCE, entry(published=datetime(2026, 11, 1, 9, 30)), FETCHED)
    assert article.published == datetime(2026, 11, 1, 9, 30, tzinfo=UTC)


def test_an_item_without_a_link_has_no_link_to_match_on() -> None:
    article = build_article(SOURCE, entry(link="", guid="newsmill:abc"), FETCHED)
    assert article.url == SOURCE.url  # something to point at
    assert article.canonical_url == ""  # but not an identity shared by every such item
