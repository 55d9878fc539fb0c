"""The store, against real SQLite and the PostgreSQL server on 127.0.0.1."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from helpers.common import ARTICLE_TIME as NOW
from helpers.common import sample_article as article
from sqlalchemy import inspect, select, text, update

from newsmill.dedupe.storage import Placement
from newsmill.model import Article, FetchResult, Source
from newsmill.store import Store
from newsmill.store.article_row import ARTICLE_FIELDS
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


def test_a_guid_link_with_a_new_cache_buster_is_the_same_item(store_url: str) -> None:
    store = Store(store_url)
    first = "https://example.com/1?ts=1"
    store.upsert_articles("src", [article(first, canonical_url="https://example.com/1")])
    moved = article(
        "https://example.com/1?ts=123&utm_source=rss", canonical_url="https://example.com/1"
    )
    report = store.upsert_articles("src", [moved])
    assert report.inserted == []
    assert [a.id for a in store.iter_articles()] == [Article.make_id("src", first)]
    other = article("https://example.com/1?ts=9#part-2", canonical_url="https://example.com/1")
    assert (
        len(store.upsert_articles("src", [other]).inserted) == 1
    )  # another fragment: another item
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
    assert [row.id for row in versions] == [Article.make_id("src", n) for n in "123"]
    assert all(row.version and row.primary is None for row in versions)
    store.close()


def test_article_heads_and_displays_are_decoded_alike_on_both_backends(store_url: str) -> None:
    store = Store(store_url)
    store.upsert_articles("src", [article(str(n)) for n in range(3)])
    ids = [Article.make_id("src", "2"), Article.make_id("src", "0")]
    heads = {head.id: head for head in store.article_heads(ids)}
    assert set(heads) == set(ids)
    head = heads[ids[0]]
    assert head.tags == ["t"] and head.title == "Title"  # a list, whatever the driver gives
    assert head.published.tzinfo is not None and head.fetched.utcoffset() == timedelta(0)
    assert len(list(store.article_heads())) == 3
    shown = store.article_displays(ids)
    assert set(shown) == set(ids) and shown[ids[1]].title == "Title"
    assert shown[ids[1]].fetched.tzinfo is not None and shown[ids[1]].date_is_fallback is False
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


def test_distinct_guids_are_distinct_items_whatever_their_links(store_url: str) -> None:
    """Comments of one page, notes of one log page, episodes linking the show's home:
    the canonical URL drops the fragment, and once merged such items into one."""
    store = Store(store_url)
    shared = "https://example.com/now.html"
    batch = [
        article(f"{shared}#2026-02-{day}", url=f"{shared}#2026-02-{day}", canonical_url=shared)
        for day in (11, 16)
    ] + [
        article(f"ep{i}", url="https://example.com/", canonical_url="https://example.com/")
        for i in range(2)
    ]
    assert len(store.upsert_articles("src", batch).inserted) == 4
    assert len(store.upsert_articles("src", batch).inserted) == 0  # and the next run adds none
    assert store.count_articles() == 4
    store.close()


def test_migration_v7_makes_impossible_dates_no_date(store_url: str) -> None:
    """A year-1 date stored by an older newsmill stopped every later run in the deduper."""
    from datetime import UTC, datetime

    from newsmill.dedupe.clusters import Deduper, DedupeSettings

    store = Store(store_url)
    store.upsert_articles("src", [article("zero"), article("fine")])
    with store.engine.begin() as conn:
        zero = Article.make_id("src", "zero")
        conn.execute(
            update(articles)
            .where(articles.c.id == zero)
            .values(published=datetime(1, 1, 1, tzinfo=UTC), updated=datetime(1, 1, 1, tzinfo=UTC))
        )
        conn.execute(schema_version.delete().where(schema_version.c.version >= 7))
    store.close()
    store = Store(store_url)  # migrates again
    stored = {a.guid: a for a in store.iter_articles()}
    assert stored["zero"].published == stored["zero"].fetched and stored["zero"].date_is_fallback
    assert stored["zero"].updated is None
    assert (
        stored["fine"].published == NOW - timedelta(hours=1) and not stored["fine"].date_is_fallback
    )
    assert Deduper(store, DedupeSettings()).run().checked == 2  # no overflow
    store.close()


def test_undated_articles_go_after_the_dated_ones_of_their_run_and_age_from_first_seen(
    store_url: str,
) -> None:
    store = Store(store_url)
    run = NOW
    store.upsert_articles(
        "old",
        [
            article(
                "kept-old",
                source="old",
                published=NOW - timedelta(days=30),
                fetched=NOW - timedelta(days=30),
            )
        ],
    )
    store.upsert_articles("src", [
        article("dated", published=NOW - timedelta(days=10), fetched=run),
        article("undated", published=run, fetched=run, date_is_fallback=True),
    ])  # fmt: skip
    assert store.place_undated(run) == 1
    assert store.place_undated(run) == 0  # placed once
    by_guid = {a.guid: a for a in store.iter_articles()}
    assert by_guid["undated"].published < by_guid["dated"].published
    assert by_guid["undated"].published > by_guid["kept-old"].published  # not before earlier runs
    assert by_guid["undated"].fetched == run  # still says when it was first seen
    assert [a.guid for a in store.iter_articles()][:2] == ["dated", "undated"]
    # Retention by age counts an undated article from when it was first seen.
    pruned = store.prune_articles(older_than=NOW - timedelta(days=5))
    assert sorted(pruned) == sorted(
        [Article.make_id(s, g) for s, g in (("old", "kept-old"), ("src", "dated"))]
    )
    assert [a.guid for a in store.iter_articles()] == ["undated"]
    store.close()


def test_every_field_of_an_article_is_stored_and_read_back(store_url: str) -> None:
    assert set(ARTICLE_FIELDS) <= set(articles.c.keys())  # a new field needs its column
    store = Store(store_url)
    full = article(
        "full",
        updated=NOW,
        date_is_fallback=True,
        lead_image="https://example.com/a.png",
        language="zh",
        publisher="Publisher",
        editor="Editor",
        fingerprint="m2:abc",
    )
    store.upsert_articles("src", [full, article("plain")])
    stored = {a.guid: a for a in store.iter_articles()}
    assert stored["full"] == full and stored["plain"] == article("plain")
    assert isinstance(stored["full"].categories, list) and stored["full"].date_is_fallback is True

    other = Article.make_id("src", "plain")
    store.save_dedupe(
        [Placement(full.id, None, other, other), Placement(other, "m2:x", other, None)]
    )
    (placed,) = store.articles_by_id([full.id])
    assert (placed.cluster, placed.duplicate_of, placed.fingerprint) == (other, other, "m2:abc")
    assert replace(placed, cluster=None, duplicate_of=None) == full
    store.close()


def test_hidden_sources_leave_the_output_queries_only(store_url: str) -> None:
    """A source dropped from the config: the queries outputs read leave its articles
    out while it is hidden (names with quotes and all), the store keeps them."""
    store = Store(store_url)
    try:
        names = ["kept", "it's gone"]
        store.sync_sources([Source(n, f"https://{n[:2]}.example/f", ("c",)) for n in names])
        for n in names:
            store.upsert_articles(n, [article(f"{n}-1", source=n, language="en")])
        assert store.unconfigured_sources(["kept"]) == ["it's gone"]
        with store.hiding_sources(["it's gone"]):
            assert [v.id for v in store.article_versions()] == [
                a.id for a in store.iter_articles() if a.source == "kept"
            ]
            assert {a.source for a in store.iter_articles()} == {"kept"}
            assert store.language_counts() == {"en": 1}
        assert len(store.article_versions()) == 2 and store.count_articles() == 2
    finally:
        store.close()
