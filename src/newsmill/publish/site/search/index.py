"""Updating the index: unchanged documents keep their numbers, new and changed ones
go into one new segment (see the package). numpy (`postings`) loads only when a
build has documents to add: a build with nothing new does not wait for it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from newsmill.publish.site.search.state import SearchState, Segment
from newsmill.publish.site.search.tokens import BATCH, CHUNK, FORMAT_VERSION, shards_for

if TYPE_CHECKING:
    import numpy as np

    from newsmill.publish.site.search.postings import Vocabulary


def _dump(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


class IndexBuilder:
    """Told about every indexable article once; tokenizes only what is new.

    `keep_all` is told every article first: an unchanged one keeps its entry
    and costs a dictionary lookup. The articles it returns are then
    given to `add` with their text, in any order; `order` (their rank in the
    store's newest-first order) decides their document numbers, so numbers
    grow with dates and the client can break ties by number.
    """

    def __init__(self, previous: SearchState | None) -> None:
        self.rebuild = previous is None or previous.needs_rebuild()
        self.previous = SearchState() if self.rebuild or previous is None else previous
        self.kept: dict[str, tuple[int, str]] = {}
        self.new_ids: list[tuple[str, str]] = []
        self.new_meta: list[list[str]] = []
        self.orders: list[int] = []
        self.vocabulary: Vocabulary | None = None  # made with the first batch
        self._bodies: list[str] = []
        self._titles: list[str] = []
        self._body_pairs: list[tuple[np.ndarray, np.ndarray]] = []
        self._title_pairs: list[tuple[np.ndarray, np.ndarray]] = []

    def keep_all(self, documents: list[tuple[str, str]]) -> list[str]:
        """Keep the entry of each (id, key) the index has with that key; the ids of the
        others, in order, which `add` is to be given."""
        docs, deleted, kept = self.previous.docs, self.previous.deleted, self.kept
        missing = []
        for article_id, key in documents:
            old = docs.get(article_id)
            if old is not None and old[1] == key and old[0] not in deleted:
                kept[article_id] = old
            else:
                missing.append(article_id)
        return missing

    def add(
        self, article_id: str, key: str, order: int, title: str, text: str, meta: list[str]
    ) -> None:
        self.new_ids.append((article_id, key))
        self.new_meta.append(meta)
        self.orders.append(order)
        self._bodies.append(f"{title}\n{text}")
        self._titles.append(title)
        if len(self._bodies) >= BATCH:
            self._tokenize()

    def _tokenize(self) -> None:
        if not self._bodies:
            return
        from newsmill.publish.site.search import postings

        if self.vocabulary is None:
            self.vocabulary = postings.Vocabulary()
        first = len(self.new_ids) - len(self._bodies)
        self._body_pairs.append(postings.batch_pairs(self._bodies, first, self.vocabulary))
        self._title_pairs.append(postings.batch_pairs(self._titles, first, self.vocabulary))
        self._bodies, self._titles = [], []

    def finish(self) -> tuple[SearchState, dict[str, bytes]]:
        """The new state and the files to write (unchanged segments are not among them)."""
        self._tokenize()
        previous = self.previous
        kept_numbers = {docno for docno, _ in self.kept.values()}
        deleted = set(previous.deleted)
        for docno, _ in previous.docs.values():
            if docno not in kept_numbers:
                deleted.add(docno)
        segments = list(previous.segments)
        files: dict[str, bytes] = {}
        docs = dict(self.kept)
        n = len(self.new_ids)
        if n:
            base = max((s.base + s.n for s in segments), default=0)
            digest = hashlib.blake2b(digest_size=6)
            for article_id, key in sorted(self.new_ids):
                digest.update(f"{article_id}:{key};".encode())
            segment = Segment(f"s{base}-{digest.hexdigest()}", base, n, shards_for(n))
            segments.append(segment)
            local, segment_files = self._segment_files(segment)
            for position, (article_id, key) in enumerate(self.new_ids):
                docs[article_id] = (base + local[position], key)
            files.update(segment_files)
        # Numbers no live document holds any more need no tombstone once their segment is gone.
        live_segments = [s for s in segments if any(True for _ in _live_in(s, docs, deleted))]
        if len(live_segments) != len(segments):
            dropped = [s for s in segments if s not in live_segments]
            deleted = {d for d in deleted if not any(s.base <= d < s.base + s.n for s in dropped)}
            segments = live_segments
        state = SearchState(segments, deleted, docs)
        meta = {
            "v": FORMAT_VERSION,
            "docs": len(docs),
            "segments": [s.to_meta() for s in segments],
            "deleted": sorted(deleted),
        }
        files["search/meta.json"] = _dump(meta)
        return state, files

    def _segment_files(self, segment: Segment) -> tuple[list[int], dict[str, bytes]]:
        """(each added document's number in the segment, the segment's files)."""
        from newsmill.publish.site.search import postings

        assert self.vocabulary is not None  # documents were added: a batch was tokenized
        local = postings.local_numbers(self.orders)
        tables = postings.shard_tables(
            self._body_pairs, self._title_pairs, local, segment, self.vocabulary.words
        )
        files = {f"search/{segment.id}/t{k}.json": _dump(table) for k, table in enumerate(tables)}
        numbers = local.tolist()
        ordered: list[list[str]] = [[] for _ in range(segment.n)]
        for position, number in enumerate(numbers):
            ordered[number] = self.new_meta[position]
        for k in range(0, len(ordered), CHUNK):
            files[f"search/{segment.id}/d{k // CHUNK}.json"] = _dump(ordered[k : k + CHUNK])
        return numbers, files


def _live_in(
    segment: Segment, docs: dict[str, tuple[int, str]], deleted: set[int]
) -> Iterable[int]:
    end = segment.base + segment.n
    return (d for d, _ in docs.values() if segment.base <= d < end and d not in deleted)
