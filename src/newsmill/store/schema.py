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
    select,
)
from sqlalchemy.engine import Dialect


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
    UniqueConstraint("source", "guid", name="uq_articles_source_guid"),
    Index("ix_articles_source_canonical", "source", "canonical_url"),
    Index("ix_articles_published", "published"),
    Index("ix_articles_content_hash", "content_hash"),
)


def _v1_initial(conn: Connection) -> None:
    metadata.create_all(conn, tables=[sources, articles])


# Append only: a migration once released is never edited, so every database
# can be brought from its recorded version to the newest one.
MIGRATIONS: list[Callable[[Connection], Any]] = [_v1_initial]
LATEST_VERSION = len(MIGRATIONS)


def migrate(conn: Connection) -> int:
    """Apply the migrations a database lacks; return its version afterwards."""
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
