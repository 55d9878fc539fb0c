"""Reading an index as the browser does: the reference for `static/search.js`.

Tests and the bench ask it what the client would answer; the site never runs it.
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from newsmill.publish.site.search.state import Segment
from newsmill.publish.site.search.tokens import (
    CHUNK,
    MAX_WORD,
    normalize,
    posting_width,
    shard_of,
    split_runs,
    token_key,
)

# -- querying (the same algorithm as static/search.js, for tests and the bench) --------


@dataclass(frozen=True)
class Hit:
    docno: int
    score: float
    path: str
    title: str
    date: str
    section: str
    summary: str


@dataclass
class _Group:
    """One required part of a query: a token, or the tokens one prefix begins."""

    exact: str
    prefix: bool


def query_groups(query: str) -> list[_Group]:
    """Every bigram of a CJK run is required; a lone CJK character and the last
    word (3 letters or more) also match as prefixes, for search as you type."""
    groups: list[_Group] = []
    runs = list(split_runs(normalize(query)))
    for index, (is_cjk, run) in enumerate(runs):
        if is_cjk:
            if len(run) == 1:
                groups.append(_Group(run, True))
            else:
                groups.extend(_Group(a + b, False) for a, b in pairwise(run))
        elif len(run) <= MAX_WORD:
            groups.append(_Group(run, index == len(runs) - 1 and len(run) >= 3))
    unique: dict[tuple[str, bool], _Group] = {(g.exact, g.prefix): g for g in groups}
    return list(unique.values())


def decode_lists(tokens: list[str], counts: list[int], blob: str, width: int, base: int
                 ) -> dict[str, list[int]]:  # fmt: skip
    """A shard's posting lists as {token: [document number, ...]}."""
    numbers = np.frombuffer(base64.b64decode(blob), dtype="<u2" if width == 2 else "<u4")
    out: dict[str, list[int]] = {}
    at = 0
    for token, size in zip(tokens, counts, strict=True):
        out[token] = [base + int(d) for d in numbers[at : at + size]]
        at += size
    return out


class SearchIndex:
    """Reads an index folder the way the browser does: meta, then only the needed shards."""

    def __init__(self, site: Path) -> None:
        self.root = site
        self.meta = json.loads((site / "search" / "meta.json").read_text("utf-8"))
        self.segments = [
            Segment(s["id"], s["base"], s["n"], s["shards"]) for s in self.meta["segments"]
        ]
        self.deleted = set(self.meta["deleted"])
        self._shards: dict[tuple[str, int], tuple[dict[str, list[int]], set[Any]]] = {}
        self._chunks: dict[tuple[str, int], list[list[str]]] = {}

    def _shard(self, segment: Segment, key: str) -> tuple[dict[str, list[int]], set[Any]]:
        """({token: documents}, {(token, document) in a title}) of the shard `key` is in."""
        k = shard_of(key, segment.shards)
        if (segment.id, k) not in self._shards:
            path = self.root / "search" / segment.id / f"t{k}.json"
            data = json.loads(path.read_text("utf-8"))
            width = posting_width(segment.n)
            body = decode_lists(data["t"], data["n"], data["p"], width, segment.base)
            title = decode_lists(data["T"], data["N"], data["P"], width, segment.base)
            in_title = {(t, d) for t, docs in title.items() for d in docs}
            self._shards[(segment.id, k)] = (body, in_title)
        return self._shards[(segment.id, k)]

    def _postings(self, group: _Group) -> list[tuple[float, dict[int, bool]]]:
        """For each token the group matches: (weight, {docno: in title})."""
        found: dict[str, dict[int, bool]] = {}
        for segment in self.segments:
            shard, in_title = self._shard(segment, token_key(group.exact))
            names = (
                [t for t in shard if t.startswith(group.exact)]
                if group.prefix
                else ([group.exact] if group.exact in shard else [])
            )
            for name in names:
                docs = found.setdefault(name, {})
                for docno in shard[name]:
                    if docno not in self.deleted:
                        docs[docno] = (name, docno) in in_title
        return [(1.0 if name == group.exact else 0.3, docs) for name, docs in found.items()]

    def search(self, query: str, limit: int = 20) -> tuple[int, list[Hit]]:
        """(number of matches, the best `limit` of them)."""
        groups = query_groups(query)
        if not groups:
            return 0, []
        total = max(1, int(self.meta["docs"]))
        scores: dict[int, float] | None = None
        for group in groups:
            group_scores: dict[int, float] = {}
            postings = self._postings(group)
            # One idf for the group, from every document it matches: a longer word the
            # query begins is rarer than the word itself, and with its own idf outranked
            # the exact matches (3-letter English words at 100,000 articles).
            matched: set[int] = set()
            for _, docs in postings:
                matched.update(docs)
            idf = math.log(1 + total / max(1, len(matched)))
            for weight, docs in postings:
                for docno, in_title in docs.items():
                    score = idf * weight * (3.0 if in_title else 1.0)
                    if score > group_scores.get(docno, 0.0):
                        group_scores[docno] = score
            if scores is None:
                scores = group_scores
            else:
                scores = {d: s + group_scores[d] for d, s in scores.items() if d in group_scores}
            if not scores:
                return 0, []
        assert scores is not None
        ranked = sorted(scores.items(), key=lambda item: (-item[1], -item[0]))
        return len(ranked), [self._hit(docno, score) for docno, score in ranked[:limit]]

    def _hit(self, docno: int, score: float) -> Hit:
        segment = next(s for s in self.segments if s.base <= docno < s.base + s.n)
        local = docno - segment.base
        key = (segment.id, local // CHUNK)
        if key not in self._chunks:
            path = self.root / "search" / segment.id / f"d{local // CHUNK}.json"
            self._chunks[key] = json.loads(path.read_text("utf-8"))
        path_, title, date, section, summary = self._chunks[key][local % CHUNK]
        return Hit(docno, score, path_, title, date, section, summary)
