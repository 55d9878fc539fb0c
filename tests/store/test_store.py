"""The store, against real SQLite and the PostgreSQL server on 127.0.0.1."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import ARTICLE_TIME as NOW
from conftest import sample_article as article
from sqlalchemy import inspect, select, text, update

from newsmill.model import Article, FetchResult, Source
from newsmill.store import Store
from newsmill.store.schema import LATEST_VERSION, articles, schema_version


def test_migrations_record_the_schema_version(store_url: str) -> None:
    store = Store(store_url)
    with store.engine.connect() as conn:
        versions = [r.version for r in conn.execute(select(schema_version.c.version))]
    assert versions == list(range(1, LATEST_VERSION + 1))
    store.close()
    Store(store_url).close()  # reopening migrates nothing twice


def test_upsert_is_idempotent_and_updates_in_place(store_url: str) -> None:
    store = Store(store_url)
    first = store.upsert_articles("src", [article("1"), article("2")])
    assert len(first.inserted) == 2
    again = store.upsert_articles(
        "src", [article("1", fetched=NOW + timedelta(hours=1)), article("2")]
    )
    assert again.inserted == [] and again.updated == [] and again.unchanged == 2

    edited = store.upsert_articles("src", [article("1", title="New title")])
    assert edited.updated == [Article.make_id("src", "1")]
    stored = {a.guid: a for a in store.iter_articles()}
    assert len(stored) == 2 and stored["1"].title == "New title"
    assert stored["1"].published == NOW - timedelta(hours=1)
    assert stored["1"].published.tzinfo is not None
    assert stored["1"].categories == ["金融", "新浪财经", "国内"]
    store.close()


def test_changed_guid_falls_back_to_the_canonical_url(store_url: str) -> None:
    store = Store(store_url)
    store.upsert_articles("src", [article("1")])
    moved = article("1?ts=123", url="https://example.com/1", canonical_url="https://example.com/1")
    report = store.upsert_articles("src", [moved])
    assert report.inserted == []
    assert [a.id for a in store.iter_articles()] == [Article.make_id("src", "1")]
    store.close()


def test_fallback_date_does_not_count_as_a_change(store_url: str) -> None:
    store = Store(store_url)
    store.upsert_articles("src", [article("1", published=NOW, date_is_fallback=True)])
    later = article("1", published=NOW + timedelta(hours=5), date_is_fallback=True)
    assert store.upsert_articles("src", [later]).unchanged == 1
    assert next(store.iter_articles()).published == NOW
    store.close()


def test_fetch_state_and_health_are_kept(store_url: str) -> None:
    store = Store(store_url)
    store.sync_sources([Source("src", "https://example.com/feed", ("a",))])
    ok = FetchResult(
        "u", "u", status=200, etag='"e1"', last_modified="Sat, 28 Nov 2026 10:00:00 GMT"
    )
    store.record_fetch("src", ok, None, items_seen=3)
    assert store.fetch_state("src").etag == '"e1"'
    store.record_fetch("src", FetchResult("u", "u", status=500), "HTTP 500")
    store.record_fetch("src", FetchResult("u", "u", status=500), "HTTP 500")
    (status,) = store.source_statuses()
    assert status.consecutive_failures == 2 and status.last_error == "HTTP 500"
    assert status.last_success is not None and status.last_fetch is not None
    assert store.fetch_state("src").etag == '"e1"'  # a failure keeps the validators
    # A new URL for the source forgets validators that belonged to the old one.
    store.sync_sources([Source("src", "https://example.com/other", ("a",))])
    assert store.fetch_state("src").etag is None
    store.close()


def test_fingerprints_of_the_old_scheme_are_cleared_for_recomputing(store_url: str) -> None:
    store = Store(store_url)
    store.upsert_articles("src", [article("1"), article("2")])
    ids = [a.id for a in store.iter_articles()]
    with store.engine.begin() as conn:
        conn.execute(update(articles).where(articles.c.id == ids[0]).values(fingerprint="212:AAAA"))
        conn.execute(
            update(articles).where(articles.c.id == ids[1]).values(fingerprint="m2:9:AAAA")
        )
        conn.execute(schema_version.delete().where(schema_version.c.version >= 5))
    store.close()
    store = Store(store_url)  # migrates the database from version 4
    with store.engine.connect() as conn:
        kept = dict(conn.execute(select(articles.c.id, articles.c.fingerprint)).all())
    assert kept == {ids[0]: None, ids[1]: "m2:9:AAAA"}
    store.close()


def test_versions_come_newest_first_from_the_covering_index(store_url: str) -> None:
    store = Store(store_url)
    store.upsert_articles(
        "src", [article(str(n), published=NOW - timedelta(hours=n)) for n in (3, 1, 2)]
    )
    with store.engine.begin() as conn:  # a store of version 5, with the index it had then
        conn.execute(text("DROP INDEX ix_articles_newest"))
        conn.execute(text("CREATE INDEX ix_articles_published ON articles (published)"))
        conn.execute(schema_version.delete().where(schema_version.c.version >= 6))
    store.close()
    store = Store(store_url)
    with store.engine.connect() as conn:
        indexes = {i["name"] for i in inspect(conn).get_indexes("articles")}
    assert "ix_articles_newest" in indexes and "ix_articles_published" not in indexes
    versions = store.article_versions()
    assert [row[0] for row in versions] == [Article.make_id("src", n) for n in "123"]
    assert all(row[1] is not None and row[2] is None for row in versions)
    store.close()


def test_article_fields_are_driver_values_by_id_or_all(store_url: str) -> None:
    store = Store(store_url)
    store.upsert_articles("src", [article(str(n)) for n in range(3)])
    ids = [Article.make_id("src", "2"), Article.make_id("src", "0")]
    rows = {row[0]: row for row in store.article_fields(("id", "title", "tags"), ids)}
    assert set(rows) == set(ids) and rows[ids[0]][1] == "Title"
    assert rows[ids[0]][2] in (["t"], '["t"]')  # PostgreSQL gives the list, SQLite the text
    assert len(list(store.article_fields(("id",)))) == 3
    with pytest.raises(KeyError, match="no column 'nope'"):
        list(store.article_fields(("id", "nope")))
    store.close()
