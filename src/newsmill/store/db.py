"""The article store: SQLite by default, PostgreSQL by URL, one code path.

Writes are upserts keyed by (source, guid), so a second run of the same job
changes nothing and an edited article updates its row instead of adding one. A
guid that is a link matches a stored one that differs only in tracking
parameters (`dedupe.guid_key`): some feeds add a cache buster on every fetch.
Distinct guids are distinct items, however alike their links.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from newsmill.dedupe import FingerprintedMember, Member, PendingArticle
from newsmill.model import Article, FetchResult, FetchState, PublishReport, Source
from newsmill.store.article_row import (
    ARTICLE_FIELDS,
    article_to_row,
    columns_to_article,
)
from newsmill.store.errors import StoreError
from newsmill.store.heads import (
    DISPLAY_FIELDS,
    HEAD_FIELDS,
    ArticleDisplay,
    ArticleHead,
    ArticleVersion,
    RowDecoder,
    stored_version,
)
from newsmill.store.ledger import BatchLedger
from newsmill.store.schema import articles, filtered_items, migrate, outputs, sources
from newsmill.urls import guid_key

# Every column an Article has, in its field order: rows read by position.
_ARTICLE_COLUMNS = [articles.c[name] for name in ARTICLE_FIELDS]

# Fields whose change makes an article "updated". Fetch time is not one, and a
# fallback date (the feed gave none) is re-derived each run, so it is not either.
_COMPARED = (
    "url",
    "canonical_url",
    "title",
    "author",
    "categories",
    "tags",
    "updated",
    "lead_image",
    "content_html",
    "language",
    "publisher",
    "editor",
    "content_hash",
)


@dataclass
class UpsertReport:
    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return len(self.inserted) + len(self.updated)


@dataclass
class SourceStatus:
    name: str
    url: str
    last_fetch: datetime | None
    last_success: datetime | None
    last_status: int | None
    last_error: str | None
    consecutive_failures: int
    articles: int
    disabled_reason: str | None = None
    next_due: datetime | None = None
    interval_seconds: int | None = None
    filtered: int = 0
    last_warning: str | None = None


@dataclass
class OutputStatus:
    """An output's (or a stage's) last run, as `newsmill status` shows it."""

    name: str
    last_run: datetime
    last_success: datetime | None
    last_error: str | None
    written: int
    unchanged: int
    removed: int
    failed: int


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Store:
    """One database, migrated on open."""

    def __init__(self, url: str) -> None:
        self.url = url
        # Sources whose articles the output queries leave out (`hiding_sources`).
        self._hidden: tuple[str, ...] = ()
        if url.startswith("sqlite:///") and ":memory:" not in url:
            # A typo in the path must not quietly start an empty archive somewhere new.
            folder = Path(url.removeprefix("sqlite:///")).parent
            if not folder.is_dir():
                raise StoreError(f"store {url}: the folder {folder} does not exist")
        try:
            self.engine: Engine = create_engine(url, future=True, pool_pre_ping=True)
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", _sqlite_pragmas)
            with self.engine.begin() as conn:
                migrate(conn)
        except ModuleNotFoundError as exc:  # the database's driver
            from newsmill.extras import missing_extra

            detail = missing_extra(exc) or str(exc)
            raise StoreError(f"store {_redact(url)}: cannot open: {detail}") from None
        except (SQLAlchemyError, OSError, RuntimeError) as exc:
            detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise StoreError(f"store {_redact(url)}: cannot open: {detail}") from None

    @property
    def run_ledger(self) -> BatchLedger:
        """The distributed engine's ledger, on this store's own connections (for the
        scheduler, which has no pool of its own; workers use `RunTables`)."""
        return BatchLedger(self.engine)

    def close(self) -> None:
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        self.engine.dispose()

    def forget_inherited_connections(self) -> None:
        """In a forked child: leave the parent's connections to the parent (closing
        them here would close its sockets) and open new ones when asked."""
        self.engine.dispose(close=False)

    # -- sources ---------------------------------------------------------

    def sync_sources(self, configured: Sequence[Source]) -> None:
        """Make sure every configured source has a row (its URL kept current)."""
        with self.engine.begin() as conn:
            known = {r.name: r.url for r in conn.execute(select(sources.c.name, sources.c.url))}
            for source in configured:
                if source.name not in known:
                    conn.execute(
                        insert(sources).values(
                            name=source.name, url=source.url, consecutive_failures=0, items_seen=0
                        )
                    )
                elif known[source.name] != source.url:
                    # A new URL is a new feed: its validators mean nothing there.
                    conn.execute(
                        update(sources)
                        .where(sources.c.name == source.name)
                        .values(url=source.url, etag=None, last_modified=None)
                    )

    def fetch_state(self, name: str) -> FetchState:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(sources.c.etag, sources.c.last_modified).where(sources.c.name == name)
            ).first()
        return FetchState(etag=row.etag, last_modified=row.last_modified) if row else FetchState()

    def record_fetch(
        self,
        name: str,
        result: FetchResult,
        error: str | None,
        items_seen: int = 0,
        warning: str | None = None,
    ) -> int:
        """Remember the outcome of one fetch: validators on success, the error on failure,
        and on a success what was wrong with the document (`warning`), if anything.

        Returns the source's consecutive failures after this fetch (0 on success),
        which the scheduler turns into a backoff.
        """
        now = datetime.now(UTC)
        values: dict[str, Any] = {"last_fetch": now, "last_status": result.status or None}
        if error is None:
            values.update(last_success=now, last_error=None, consecutive_failures=0)
            if not result.not_modified:
                values.update(etag=result.etag, last_modified=result.last_modified)
                values["items_seen"] = items_seen
                values["last_warning"] = warning[:2000] if warning else None
        else:
            values.update(
                last_error=error[:2000],
                consecutive_failures=sources.c.consecutive_failures + 1,
            )
        with self.engine.begin() as conn:
            conn.execute(update(sources).where(sources.c.name == name).values(**values))
            failures = conn.execute(
                select(sources.c.consecutive_failures).where(sources.c.name == name)
            ).scalar()
        return int(failures or 0)

    def schedule_source(
        self,
        name: str,
        next_due: datetime,
        interval_seconds: float | None = None,
        disabled_reason: str | None = None,
        newest_item: datetime | None = None,
    ) -> None:
        values: dict[str, Any] = {"next_due": next_due}
        if interval_seconds is not None:
            values["interval_seconds"] = int(interval_seconds)
        if disabled_reason:
            values["disabled_reason"] = disabled_reason[:2000]
        if newest_item is not None:
            values["last_new_item"] = newest_item
        with self.engine.begin() as conn:
            conn.execute(update(sources).where(sources.c.name == name).values(**values))

    def due_sources(self, now: datetime) -> set[str]:
        """Sources not disabled whose next poll time has come (or was never set)."""
        query = select(sources.c.name).where(
            sources.c.disabled_reason.is_(None),
            (sources.c.next_due.is_(None)) | (sources.c.next_due <= now),
        )
        with self.engine.connect() as conn:
            return {r.name for r in conn.execute(query)}

    def disabled_sources(self) -> dict[str, str]:
        query = select(sources.c.name, sources.c.disabled_reason).where(
            sources.c.disabled_reason.is_not(None)
        )
        with self.engine.connect() as conn:
            return {r.name: r.disabled_reason for r in conn.execute(query)}

    def next_due_time(self, names: Sequence[str]) -> datetime | None:
        """The earliest next poll among these sources (None if one was never polled)."""
        if not names:
            return None
        query = select(sources.c.next_due).where(
            sources.c.name.in_(list(names)), sources.c.disabled_reason.is_(None)
        )
        with self.engine.connect() as conn:
            times = [r.next_due for r in conn.execute(query)]
        if not times or any(t is None for t in times):
            return None
        return min(times)

    def enable_source(self, name: str) -> bool:
        """Turn a disabled source back on, due at once; False if there is no such source."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(sources)
                .where(sources.c.name == name)
                .values(disabled_reason=None, consecutive_failures=0, next_due=None)
            )
        return bool(result.rowcount)

    # -- filtered items ------------------------------------------------------

    def filtered_guids(self, source: str) -> set[str]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(filtered_items.c.guid).where(filtered_items.c.source == source)
            )
            return {r.guid for r in rows}

    def record_filtered(self, source: str, items: Sequence[tuple[str, str]]) -> None:
        """Remember (guid, reason) of items a filter turned away, so they are not redone."""
        if not items:
            return
        with self.engine.begin() as conn:
            _add_filtered(conn, source, items)

    def source_statuses(self) -> list[SourceStatus]:
        counts = (
            select(articles.c.source, func.count().label("n"))
            .group_by(articles.c.source)
            .subquery()
        )
        query = (
            select(sources, func.coalesce(counts.c.n, 0).label("n"))
            .select_from(sources.outerjoin(counts, counts.c.source == sources.c.name))
            .order_by(sources.c.name)
        )
        with self.engine.connect() as conn:
            return [
                SourceStatus(
                    name=r.name,
                    url=r.url,
                    last_fetch=r.last_fetch,
                    last_success=r.last_success,
                    last_status=r.last_status,
                    last_error=r.last_error,
                    consecutive_failures=r.consecutive_failures,
                    articles=r.n,
                    disabled_reason=r.disabled_reason,
                    next_due=r.next_due,
                    interval_seconds=r.interval_seconds,
                    last_warning=r.last_warning,
                )
                for r in conn.execute(query)
            ]

    # -- outputs ---------------------------------------------------------

    def record_outputs(self, reports: Sequence[PublishReport]) -> None:
        """Remember how each output (or stage after the store) did on this run."""
        if not reports:
            return
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            known = set(conn.execute(select(outputs.c.name)).scalars())
            for report in reports:
                values: dict[str, Any] = {
                    "last_run": now,
                    "last_error": report.error[:2000] if report.error else None,
                    "written": report.written,
                    "unchanged": report.unchanged,
                    "removed": report.removed,
                    "failed": report.failed,
                }
                if report.ok:
                    values["last_success"] = now
                if report.output in known:
                    conn.execute(
                        update(outputs).where(outputs.c.name == report.output).values(**values)
                    )
                else:
                    conn.execute(insert(outputs).values(name=report.output, **values))

    def output_statuses(self) -> list[OutputStatus]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(outputs).order_by(outputs.c.name))
            return [OutputStatus(**row._mapping) for row in rows]

    # -- articles --------------------------------------------------------

    def upsert_articles(self, source: str, batch: Iterable[Article]) -> UpsertReport:
        """Insert new articles and update changed ones, in one transaction per batch."""
        batch = list(batch)
        report = UpsertReport()
        if not batch:
            return report
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            existing: dict[str, Any] = {}
            by_key: dict[str, Any] = {}  # by guid_key, among the rows of the same links
            guids = [a.guid for a in batch]
            urls = [a.canonical_url for a in batch if a.canonical_url]
            for chunk_start in range(0, len(batch), 500):
                g = guids[chunk_start : chunk_start + 500]
                u = urls[chunk_start : chunk_start + 500]
                for row in conn.execute(
                    select(articles).where(articles.c.source == source, articles.c.guid.in_(g))
                ):
                    existing[row.guid] = row
                for row in conn.execute(
                    select(articles).where(
                        articles.c.source == source, articles.c.canonical_url.in_(u)
                    )
                ):
                    by_key.setdefault(guid_key(row.guid), row)
            pending_inserts: list[dict[str, Any]] = []
            for article in batch:
                key = guid_key(article.guid)
                found = existing.get(article.guid) or by_key.get(key)
                new = article_to_row(article, now)
                if found is None:
                    pending_inserts.append(new)
                    report.inserted.append(article.id)
                    # Later items of the batch with the same guid now match this one.
                    by_key.setdefault(key, _Pending(new))
                    existing.setdefault(article.guid, _Pending(new))
                    continue
                old = found._mapping
                changes = {k: new[k] for k in _COMPARED if old[k] != new[k]}
                if not article.date_is_fallback and old["published"] != new["published"]:
                    changes["published"] = new["published"]
                    changes["date_is_fallback"] = False
                    changes["date_source"] = new["date_source"]
                if not changes:
                    report.unchanged += 1
                    continue
                changes.update(text=new["text"], summary=new["summary"], changed_at=now)
                if "content_hash" in changes or "title" in changes:
                    changes["fingerprint"] = None  # deduplicate it again
                if isinstance(found, _Pending):  # not inserted yet: amend the pending row
                    found._mapping.update(changes)
                    continue
                conn.execute(update(articles).where(articles.c.id == old["id"]).values(**changes))
                report.updated.append(old["id"])
            if pending_inserts:
                conn.execute(insert(articles), pending_inserts)  # one executemany
        return report

    def place_undated(self, since: datetime) -> int:
        """Put the undated articles first stored since `since` (one run) after the dated
        ones of that run, in every list: their date is when they were first seen
        (`fetched`, which the outputs show, marked), not when they were written, and a
        feed's backlog of undated items must not sit on top of the news as the newest.
        Returns how many were placed; a second call places none."""
        with self.engine.begin() as conn:
            earliest = conn.execute(
                select(func.min(articles.c.published)).where(
                    articles.c.fetched >= since, articles.c.date_is_fallback.is_(False)
                )
            ).scalar()
            if earliest is None:
                return 0
            before = earliest - timedelta(seconds=1)
            result = conn.execute(
                update(articles)
                .where(
                    articles.c.fetched >= since,
                    articles.c.date_is_fallback.is_(True),
                    articles.c.published > before,
                )
                .values(published=before, changed_at=datetime.now(UTC), fingerprint=None)
            )
        return int(result.rowcount or 0)

    def existing_guids(self, source: str, guids: Sequence[str]) -> set[str]:
        """Which of these items the store already holds for the source."""
        found: set[str] = set()
        with self.engine.connect() as conn:
            for start in range(0, len(guids), 500):
                chunk = list(guids[start : start + 500])
                rows = conn.execute(
                    select(articles.c.guid).where(
                        articles.c.source == source, articles.c.guid.in_(chunk)
                    )
                )
                found.update(r.guid for r in rows)
        return found

    # -- near-duplicate clusters ---------------------------------------------

    def has_pending_dedupe(self) -> bool:
        """Whether any article waits for deduplication: what a build asks before it loads
        the deduper, without reading the backlog the deduper then reads."""
        query = select(articles.c.id).where(articles.c.fingerprint.is_(None)).limit(1)
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None

    def pending_dedupe(self) -> list[PendingArticle]:
        """Articles not yet deduplicated (new or changed), oldest first, without
        their text: a backlog can be the whole archive (see `dedupe_texts`)."""
        query = (
            select(
                articles.c.id,
                articles.c.source,
                articles.c.published,
                articles.c.canonical_url,
                articles.c.content_hash,
                articles.c.cluster,
            )
            .where(articles.c.fingerprint.is_(None))
            .order_by(articles.c.published, articles.c.id)
        )
        with self.engine.connect() as conn:
            return [
                PendingArticle(
                    id=r.id,
                    source=r.source,
                    published=r.published,
                    canonical_url=r.canonical_url,
                    content_hash=r.content_hash,
                    cluster=r.cluster,
                )
                for r in conn.execute(query)
            ]

    def dedupe_texts(self, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """(title, text) of these articles, for fingerprinting."""
        query = select(articles.c.id, articles.c.title, articles.c.text).where(
            articles.c.id.in_(list(ids))
        )
        with self.engine.connect() as conn:
            return {row.id: (row.title, row.text) for row in conn.execute(query)}

    def _member_columns(self) -> list[Any]:
        return [
            articles.c.id, articles.c.source, articles.c.published,
            func.length(articles.c.text).label("length"), articles.c.canonical_url,
            articles.c.content_hash, articles.c.cluster, articles.c.duplicate_of,
        ]  # fmt: skip

    def dedupe_neighbours(self, start: datetime, end: datetime) -> Iterator[FingerprintedMember]:
        """Deduplicated articles published in [start, end], with their fingerprints."""
        query = select(*self._member_columns(), articles.c.fingerprint).where(
            articles.c.fingerprint.is_not(None),
            articles.c.published >= start,
            articles.c.published <= end,
        )
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=2000).execute(query):
                yield FingerprintedMember(_member(row), row.fingerprint)

    def cluster_members(self, clusters: set[str]) -> list[Member]:
        """Deduplicated articles of these clusters, whenever published."""
        if not clusters:
            return []
        found: list[Member] = []
        names = sorted(clusters)
        with self.engine.connect() as conn:
            for start in range(0, len(names), 500):
                query = select(*self._member_columns()).where(
                    articles.c.cluster.in_(names[start : start + 500]),
                    articles.c.fingerprint.is_not(None),
                )
                found.extend(_member(row) for row in conn.execute(query))
        return found

    def save_dedupe(self, updates: Sequence[tuple[str, str | None, str, str | None]]) -> None:
        """(id, new fingerprint or None to keep, cluster, duplicate_of) for each article
        (a `Placement`), as two batched statements in one transaction."""
        if not updates:
            return
        target = articles.c.id == bindparam("target")
        with_fp = [
            {"target": i, "fingerprint": fp, "cluster": c, "duplicate_of": d}
            for i, fp, c, d in updates
            if fp is not None
        ]
        without_fp = [
            {"target": i, "cluster": c, "duplicate_of": d} for i, fp, c, d in updates if fp is None
        ]
        with self.engine.begin() as conn:
            if with_fp:
                conn.execute(update(articles).where(target), with_fp)
            if without_fp:
                conn.execute(update(articles).where(target), without_fp)

    def unconfigured_sources(self, configured: Collection[str]) -> list[str]:
        """The sources the store knows that are not among `configured`: dropped from the
        config since they were last run."""
        with self.engine.connect() as conn:
            known = conn.execute(select(sources.c.name)).scalars().all()
        return sorted(set(known) - set(configured))

    @contextmanager
    def hiding_sources(self, names: Collection[str]) -> Iterator[None]:
        """While the block runs, the queries the outputs read from (`article_versions`,
        `iter_articles`, `language_counts`) leave these sources' articles out, as if
        they were not stored; they stay stored."""
        before, self._hidden = self._hidden, tuple(names)
        try:
            yield
        finally:
            self._hidden = before

    def _shown(self, query: Any) -> Any:
        return query.where(articles.c.source.not_in(self._hidden)) if self._hidden else query

    def iter_articles(
        self, source: str | None = None, canonical_only: bool = False
    ) -> Iterator[Article]:
        """Every article, newest first (ties broken by id so the order is stable)."""
        query = select(*_ARTICLE_COLUMNS).order_by(articles.c.published.desc(), articles.c.id)
        query = self._shown(query)
        if source is not None:
            query = query.where(articles.c.source == source)
        if canonical_only:
            query = query.where(articles.c.duplicate_of.is_(None))
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=500).execute(query):
                yield columns_to_article(row)

    def article_fields(
        self, names: Sequence[str], ids: Sequence[str] | None = None
    ) -> Iterator[Sequence[Any]]:
        """Rows of these columns of the articles with these ids (all articles if None), in
        no particular order, as the driver gives the values: text or lists for JSON, text
        or datetimes for times. For readers of thousands of rows, such as the site build,
        which decode only what they use: SQLAlchemy's per-value conversions were most of
        the cost."""
        unknown = [name for name in names if name not in articles.c]
        if unknown:
            raise KeyError(f"articles have no column {unknown[0]!r}")
        columns: list[Any] = [literal_column(name) for name in names]
        query = select(*columns).select_from(articles)
        with self.engine.connect() as conn:
            if ids is None:
                yield from conn.execution_options(yield_per=2000).execute(query)
                return
            for start in range(0, len(ids), 500):
                batch = ids[start : start + 500]
                yield from conn.execute(query.where(articles.c.id.in_(batch))).all()

    def article_versions(self) -> list[ArticleVersion]:
        """Every article's id, version and primary, newest first: what an output build
        reads of the whole archive each time, from the covering index
        `ix_articles_newest`. The driver's own cursor, since SQLAlchemy's row handling
        was a third of the cost."""
        query = self._shown(
            select(
                articles.c.id, articles.c.changed_at, articles.c.cluster, articles.c.duplicate_of
            ).order_by(articles.c.published.desc(), articles.c.id)
        )
        with self.engine.connect() as conn:
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            try:
                compiled = query.compile(self.engine, compile_kwargs={"render_postcompile": True})
                params: Any = compiled.params
                if compiled.positiontup is not None:  # SQLite's ? placeholders
                    params = [params[name] for name in compiled.positiontup]
                cursor.execute(str(compiled), params)
                rows = cursor.fetchall()
            finally:
                cursor.close()
        return [
            ArticleVersion(i, stored_version(changed, cluster, primary), primary)
            for i, changed, cluster, primary in rows
        ]

    def language_counts(self) -> dict[str, int]:
        """How many articles are in each language (those of none left out): what a site
        whose language is not set speaks."""
        query = self._shown(
            select(articles.c.language, func.count())
            .where(articles.c.language.is_not(None))
            .group_by(articles.c.language)
        )
        with self.engine.connect() as conn:
            return {language: count for language, count in conn.execute(query).all()}

    def article_heads(self, ids: Sequence[str] | None = None) -> Iterator[ArticleHead]:
        """The heads (all but content and text) of these articles, or of all of them, in
        no particular order. Past a few thousand ids, every head is read in one pass and
        the others skipped: cheaper than thousands of lookups."""
        decoder = RowDecoder()
        if ids is None:
            yield from map(decoder.head, self.article_fields(HEAD_FIELDS))
            return
        wanted = set(ids)
        rows = self.article_fields(HEAD_FIELDS, None if len(ids) > 2000 else ids)
        yield from (decoder.head(row) for row in rows if row[0] in wanted)

    def article_displays(self, ids: Sequence[str]) -> dict[str, ArticleDisplay]:
        """What the list entries of these articles show, by id."""
        decoder = RowDecoder()
        return {row[0]: decoder.display(row) for row in self.article_fields(DISPLAY_FIELDS, ids)}

    def articles_by_id(self, ids: Iterable[str]) -> Iterator[Article]:
        """The articles with these ids, in no particular order, read 500 at a time."""
        wanted = sorted(set(ids))
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                batch = wanted[start : start + 500]
                query = select(*_ARTICLE_COLUMNS).where(articles.c.id.in_(batch))
                for row in conn.execute(query):
                    yield columns_to_article(row)

    def prune_articles(
        self, older_than: datetime | None = None, keep_per_source: int | None = None
    ) -> list[str]:
        """Delete articles published before `older_than` and all but the newest
        `keep_per_source` of each source; return the ids deleted.

        Their guids are remembered as filtered, like items a filter turned away:
        a feed that still lists a pruned item would otherwise bring it back on
        every run, only for retention to delete it again."""
        doomed: dict[str, tuple[str, str]] = {}  # id -> (source, guid)
        columns = (articles.c.id, articles.c.source, articles.c.guid)
        with self.engine.begin() as conn:
            if older_than is not None:  # an undated article is as old as when it was first seen
                dated = articles.c.date_is_fallback.is_(False) & (articles.c.published < older_than)
                undated = articles.c.date_is_fallback.is_(True) & (articles.c.fetched < older_than)
                query = select(*columns).where(dated | undated)
                doomed.update((r.id, (r.source, r.guid)) for r in conn.execute(query))
            if keep_per_source is not None:
                rank = (
                    func.row_number()
                    .over(
                        partition_by=articles.c.source,
                        order_by=(articles.c.published.desc(), articles.c.id),
                    )
                    .label("rank")
                )
                ranked = select(*columns, rank).subquery()
                query = select(ranked.c.id, ranked.c.source, ranked.c.guid).where(
                    ranked.c.rank > keep_per_source
                )
                doomed.update((r.id, (r.source, r.guid)) for r in conn.execute(query))
            ids = sorted(doomed)
            for start in range(0, len(ids), 500):
                conn.execute(delete(articles).where(articles.c.id.in_(ids[start : start + 500])))
            by_source: dict[str, list[tuple[str, str]]] = {}
            for source, guid in doomed.values():
                by_source.setdefault(source, []).append((guid, "removed by retention"))
            for source, pruned in by_source.items():
                _add_filtered(conn, source, pruned)
        return ids

    def remove_source(self, name: str) -> int:
        """Delete a source: its articles, its filtered items and its row, in one
        transaction; return how many articles went. Articles of other sources that
        were reported as duplicates of its articles wait for deduplication again,
        so that their story gets a canonical article among those left."""
        with self.engine.begin() as conn:
            ids = list(
                conn.execute(select(articles.c.id).where(articles.c.source == name)).scalars()
            )
            for start in range(0, len(ids), 500):
                batch = ids[start : start + 500]
                orphans = (articles.c.duplicate_of.in_(batch)) & (articles.c.source != name)
                conn.execute(
                    update(articles)
                    .where(orphans)
                    .values(
                        duplicate_of=None,
                        cluster=None,
                        fingerprint=None,
                        changed_at=datetime.now(UTC),
                    )
                )
                conn.execute(delete(articles).where(articles.c.id.in_(batch)))
            conn.execute(delete(filtered_items).where(filtered_items.c.source == name))
            conn.execute(delete(sources).where(sources.c.name == name))
        return len(ids)

    def count_articles(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(articles)).scalar() or 0)

    def delete_articles(self, ids: Sequence[str]) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(delete(articles).where(articles.c.id.in_(list(ids))))
            return int(result.rowcount or 0)


def _member(row: Any) -> Member:
    """A row of `Store._member_columns` as a story's member."""
    return Member(
        row.id, row.source, row.published, row.length, row.canonical_url,
        row.content_hash, row.cluster, row.duplicate_of,
    )  # fmt: skip


def _add_filtered(conn: Connection, source: str, items: Sequence[tuple[str, str]]) -> None:
    """Insert the (guid, reason) pairs of `source` not recorded yet, in the caller's
    transaction."""
    query = select(filtered_items.c.guid).where(filtered_items.c.source == source)
    known = set(conn.execute(query).scalars())
    now = datetime.now(UTC)
    rows = [
        {"source": source, "guid": guid, "reason": reason[:500], "first_seen": now}
        for guid, reason in dict(items).items()
        if guid not in known
    ]
    for start in range(0, len(rows), 500):
        conn.execute(insert(filtered_items), rows[start : start + 500])


class _Pending:
    """A row inserted earlier in the same batch, shaped like a result row."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._mapping = values
