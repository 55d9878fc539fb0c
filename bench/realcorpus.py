"""The 280 real feeds of ../shared/data/feeds/ as the pipeline stores them, for the
benchmarks that judge what it does to a whole real corpus (bench/dedupe.py).

Each feed is parsed and processed as `newsmill run` does with `full_text =
"never"` (no keyword tags: they play no part here), the articles stored in a new
SQLite store and deduplicated by the real Deduper with the default settings.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from newsmill.clean.rules import default_rules
from newsmill.config import TagsConfig
from newsmill.dedupe.clusters import Deduper, DedupeSettings
from newsmill.model import FetchResult, Source
from newsmill.parse import FeedError
from newsmill.run.items import RunPolicy, build_articles, read_feed
from newsmill.store import Store

FEEDS = Path(__file__).resolve().parents[2] / "shared" / "data" / "feeds"
# Undated items take the fetch time: one fixed time, so every run forms the same pairs.
FETCHED = datetime(2026, 12, 2, tzinfo=UTC)


def feed_files() -> list[str]:
    with (FEEDS / "manifest.csv").open(encoding="utf-8") as handle:
        return [row["file"] for row in csv.DictReader(handle)]


@contextmanager
def stored_corpus(settings: DedupeSettings | None = None) -> Iterator[Store]:
    """A store holding the deduplicated articles of every real feed (source = file name)."""
    policy = RunPolicy(rules=default_rules(), tags=TagsConfig(enabled=False))
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{folder}/corpus.db")
        try:
            for name in feed_files():
                source = Source(
                    name, f"https://feeds.example/{name}", ("feeds",), full_text="never"
                )
                body = (FEEDS / name).read_bytes()
                result = FetchResult(source.url, source.url, status=200, body=body)
                try:
                    items = read_feed(source, result)
                except FeedError:
                    continue
                items.fetched = FETCHED
                articles, _ = build_articles(source, items, policy)
                store.upsert_articles(name, articles)
            Deduper(store, settings or DedupeSettings()).run()
            yield store
        finally:
            store.close()


def _words(text: str) -> list[str]:
    import re
    import unicodedata

    normalized = unicodedata.normalize("NFKC", text).casefold()
    cjk = re.sub(r"[^\u3400-\u9fff]", "", normalized)
    words = re.findall(r"\w+", normalized)
    return list(cjk) if len(cjk) > len(words) else words


def _shingles(text: str, size: int = 3) -> set[tuple[str, ...]]:
    units = _words(text)
    return {tuple(units[i : i + size]) for i in range(max(1, len(units) - size + 1))}


def copy_candidates(store: Store, max_df: int = 25) -> list[tuple[str, str, str]]:
    """Pairs of articles of different feeds that may be copies of one another, found
    without the deduper (for labelling): the same title, titles sharing half their words,
    or one text sharing half its rarer 3-word shingles with the other. Returns
    (id, id, why)."""
    from collections import Counter, defaultdict

    rows = list(store.iter_articles())
    by_id = {a.id: a for a in rows}
    found: dict[tuple[str, str], str] = {}

    def note(a: str, b: str, why: str) -> None:
        if by_id[a].source != by_id[b].source:
            found.setdefault((min(a, b), max(a, b)), why)

    titles: dict[str, set[str]] = {a.id: set(_words(a.title)) for a in rows}
    by_title_word: dict[str, list[str]] = defaultdict(list)
    for article_id, words in titles.items():
        for word in words:
            by_title_word[word].append(article_id)
    for article_id, words in titles.items():
        shared: Counter[str] = Counter()
        for word in words:
            if len(by_title_word[word]) <= 200:
                shared.update(by_title_word[word])
        for other, count in shared.items():
            if other > article_id and count / max(1, len(words | titles[other])) >= 0.5:
                note(article_id, other, "titles")

    shingles = {a.id: _shingles(a.text) for a in rows if len(a.text) >= 80}
    df: Counter[tuple[str, ...]] = Counter()
    for grams in shingles.values():
        df.update(grams)
    rare = {i: {g for g in grams if df[g] <= max_df} for i, grams in shingles.items()}
    postings: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for article_id, grams in rare.items():
        for gram in grams:
            postings[gram].append(article_id)
    for article_id, grams in rare.items():
        shared = Counter()
        for gram in grams:
            shared.update(postings[gram])
        for other, count in shared.items():
            if other > article_id:
                smaller = min(len(grams), len(rare[other]))
                if smaller >= 5 and count / smaller >= 0.5:
                    note(article_id, other, "text")
    return [(a, b, why) for (a, b), why in sorted(found.items())]
