"""The one schema, for SQLite and PostgreSQL alike, and its versioned migrations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Dialect

from newsmill.dates import EARLIEST, FUTURE_TOLERANCE


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on backends that drop the zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", UTCDateTime, nullable=False),
)

sources = Table(
    "sources",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("url", Text, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_fetch", UTCDateTime),
    Column("last_success", UTCDateTime),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("consecutive_failures", Integer, nullable=False, default=0),
    Column("items_seen", Integer, nullable=False, default=0),
    # v3: health and scheduling
    Column("disabled_reason", Text),
    Column("next_due", UTCDateTime),
    Column("interval_seconds", Integer),
    Column("last_new_item", UTCDateTime),
    # v8: what the last fetch read, but not whole (a feed cut short, broken XML)
    Column("last_warning", Text),
)

articles = Table(
    "articles",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("source", String(100), nullable=False),
    Column("guid", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("canonical_url", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("author", Text, nullable=False, default=""),
    Column("categories", JSON, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("published", UTCDateTime, nullable=False),
    Column("updated", UTCDateTime),
    Column("fetched", UTCDateTime, nullable=False),
    Column("date_is_fallback", Boolean, nullable=False, default=False),
    Column("lead_image", Text),
    Column("content_html", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("language", String(16)),
    Column("publisher", Text),
    Column("editor", Text),
    Column("content_hash", String(64), nullable=False),
    Column("fingerprint", Text),
    Column("changed_at", UTCDateTime, nullable=False),
    # v3: near-duplicate clusters; NULL fingerprint means "not yet deduplicated"
    Column("cluster", String(16)),
    Column("duplicate_of", String(16)),
    # v9: where the published date came from (feed, list, page, first_seen)
    Column("date_source", String(16)),
    UniqueConstraint("source", "guid", name="uq_articles_source_guid"),
    Index("ix_articles_source_canonical", "source", "canonical_url"),
    Index("ix_articles_content_hash", "content_hash"),
)
# Newest first with what makes an article's version: the site build reads this for
# every article on every build, from the index alone (a third of the time of reading
# the table and sorting). Serves the queries by publishing time as well.
NEWEST_INDEX = Index(
    "ix_articles_newest",
    articles.c.published.desc(),
    articles.c.id,
    articles.c.changed_at,
    articles.c.cluster,
    articles.c.duplicate_of,
)
# The site's language when its config names none is that of most of its articles:
# counted on every build, from this index alone (6 ms over 100,000 articles, against
# 190 ms reading the table). The source is in it for the sources an output hides.
LANGUAGE_INDEX = Index("ix_articles_language", articles.c.language, articles.c.source)


# v8: the outcome of each output (and each stage after the store) on its last run,
# so that `newsmill status` can say which one failed and why.
outputs = Table(
    "outputs",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("last_run", UTCDateTime, nullable=False),
    Column("last_success", UTCDateTime),
    Column("last_error", Text),
    Column("written", Integer, nullable=False, default=0),
    Column("unchanged", Integer, nullable=False, default=0),
    Column("removed", Integer, nullable=False, default=0),
    Column("failed", Integer, nullable=False, default=0),
)


def _v1_initial(conn: Connection) -> None:
    metadata.create_all(conn, tables=[sources, articles])


# The distributed engine's ledger (newsmill.run.celery): one row per batch of
# enqueued sources and per source in it, so a redelivered task can tell work
# already done, and the last finisher can publish once for the whole batch.
run_batches = Table(
    "run_batches",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("created", UTCDateTime, nullable=False),
    Column("total", Integer, nullable=False),
    Column("remaining", Integer),  # v4: sources not finished yet; 0 means publish
    Column("publish_queued", UTCDateTime),
    Column("published_at", UTCDateTime),
    Column("publish_count", Integer, nullable=False, default=0),
    Column("publish_error", Text),
)

run_tasks = Table(
    "run_tasks",
    metadata,
    Column("batch", String(32), primary_key=True),
    Column("source", String(100), primary_key=True),
    Column("state", String(10), nullable=False),  # pending | done | failed
    Column("deliveries", Integer, nullable=False, default=0),
    Column("error", Text),
    Column("items", Integer, nullable=False, default=0),
    Column("inserted", Integer, nullable=False, default=0),
    Column("updated", Integer, nullable=False, default=0),
    Column("not_modified", Boolean, nullable=False, default=False),
    Column("finished_at", UTCDateTime),
    # The worker that last started it: a dead worker's unfinished tasks are sent again.
    Column("worker", String(255)),
    Index("ix_run_tasks_batch_state", "batch", "state"),
)

run_workers = Table(
    "run_workers",
    metadata,
    Column("name", String(255), primary_key=True),
    Column("pid", Integer, nullable=False),
    Column("started", UTCDateTime, nullable=False),
    Column("last_heartbeat", UTCDateTime, nullable=False),
    Column("tasks_done", Integer, nullable=False, default=0),
)

host_leases = Table(
    "host_leases",
    metadata,
    Column("host", String(255), primary_key=True),
    Column("slot", Integer, primary_key=True),
    Column("holder", String(64), nullable=False),
    Column("expires", UTCDateTime, nullable=False),
)


def _v2_run_engine(conn: Connection) -> None:
    metadata.create_all(conn, tables=[run_batches, run_tasks, run_workers, host_leases])


# Append only: a migration once released is never edited, so every database
# can be brought from its recorded version to the newest one.
# Items a filter turned away, remembered so they are not processed again.
filtered_items = Table(
    "filtered_items",
    metadata,
    Column("source", String(100), primary_key=True),
    Column("guid", Text, primary_key=True),
    Column("reason", Text, nullable=False),
    Column("first_seen", UTCDateTime, nullable=False),
)


def _add_missing_columns(conn: Connection, table: Table, names: list[str]) -> None:
    """ALTER TABLE ... ADD COLUMN for the columns a database lacks.

    v1 creates tables from the current definitions, so on a new database the
    columns of later versions exist already; on an old one they are added.
    """
    present = {c["name"] for c in inspect(conn).get_columns(table.name)}
    for name in names:
        if name in present:
            continue
        column = table.c[name]
        ddl = column.type.compile(dialect=conn.dialect)
        conn.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{name}" {ddl}'))


def _v3_dedupe_and_health(conn: Connection) -> None:
    _add_missing_columns(conn, articles, ["cluster", "duplicate_of"])
    _add_missing_columns(
        conn, sources, ["disabled_reason", "next_due", "interval_seconds", "last_new_item"]
    )
    if "ix_articles_cluster" not in {i["name"] for i in inspect(conn).get_indexes("articles")}:
        Index("ix_articles_cluster", articles.c.cluster).create(conn)
    metadata.create_all(conn, tables=[filtered_items])


def _v4_batch_countdown(conn: Connection) -> None:
    _add_missing_columns(conn, run_batches, ["remaining"])


def _v5_numpy_fingerprints(conn: Connection) -> None:
    """Fingerprints of the datasketch scheme do not compare with the new ones:
    clear them, so the next run fingerprints those articles again (their
    clusters stay until then)."""
    conn.execute(
        update(articles)
        .where(articles.c.fingerprint.is_not(None), ~articles.c.fingerprint.startswith("m2:"))
        .values(fingerprint=None)
    )


def _v6_newest_index(conn: Connection) -> None:
    """The covering index of the site build's version query replaces the one on
    `published`, whose queries it serves too."""
    present = {i["name"] for i in inspect(conn).get_indexes("articles")}
    if NEWEST_INDEX.name not in present:
        NEWEST_INDEX.create(conn)
    if "ix_articles_published" in present:
        conn.execute(text("DROP INDEX ix_articles_published"))


def _v7_impossible_dates(conn: Connection) -> None:
    """Dates no news item can have (Go's zero time, the Unix epoch) were stored as
    they came, and one of them overflowed the deduper on every later run. Such an
    article is undated, as `dates.plausible` makes new ones: its first-seen time,
    marked, deduplicated and published again."""
    now = datetime.now(UTC)
    conn.execute(
        update(articles)
        .where(articles.c.published < EARLIEST)
        .values(
            published=articles.c.fetched,
            date_is_fallback=True,
            fingerprint=None,
            changed_at=now,
        )
    )
    conn.execute(
        update(articles)
        .where((articles.c.updated < EARLIEST) | (articles.c.updated > now + FUTURE_TOLERANCE))
        .values(updated=None, changed_at=now)
    )


def _v8_health_of_feeds_and_outputs(conn: Connection) -> None:
    _add_missing_columns(conn, sources, ["last_warning"])
    metadata.create_all(conn, tables=[outputs])


def _v9_date_sources(conn: Connection) -> None:
    _add_missing_columns(conn, articles, ["date_source"])


def _v10_task_workers(conn: Connection) -> None:
    _add_missing_columns(conn, run_tasks, ["worker"])


def _v11_language_index(conn: Connection) -> None:
    if LANGUAGE_INDEX.name not in {i["name"] for i in inspect(conn).get_indexes("articles")}:
        LANGUAGE_INDEX.create(conn)


MIGRATIONS: list[Callable[[Connection], Any]] = [
    _v1_initial,
    _v2_run_engine,
    _v3_dedupe_and_health,
    _v4_batch_countdown,
    _v5_numpy_fingerprints,
    _v6_newest_index,
    _v7_impossible_dates,
    _v8_health_of_feeds_and_outputs,
    _v9_date_sources,
    _v10_task_workers,
    _v11_language_index,
]
LATEST_VERSION = len(MIGRATIONS)


def migrate(conn: Connection) -> int:
    """Apply the migrations a database lacks; return its version afterwards."""
    if conn.dialect.name == "postgresql":
        # Workers starting together must not migrate one database at once; the
        # lock lasts until the caller's transaction ends.
        conn.execute(text("SELECT pg_advisory_xact_lock(7236975)"))
    schema_version.create(conn, checkfirst=True)
    current = conn.execute(
        select(schema_version.c.version).order_by(schema_version.c.version.desc())
    ).scalar()
    current = current or 0
    if current > LATEST_VERSION:
        raise RuntimeError(
            f"the store is at schema version {current}, newer than this newsmill ({LATEST_VERSION})"
        )
    for version in range(current + 1, LATEST_VERSION + 1):
        MIGRATIONS[version - 1](conn)
        conn.execute(schema_version.insert().values(version=version, applied_at=datetime.now(UTC)))
    return LATEST_VERSION
