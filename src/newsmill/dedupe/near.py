"""Near-duplicate fingerprints: MinHash over shingles of the clean text, found by LSH.

Chinese has no spaces, so its shingles are runs of characters; English ones
are runs of words. Punctuation, case and full/half width are folded first, so
a story re-typeset by another portal shingles the same.

Signatures are rows of one numpy array and the LSH buckets are one sorted
array, not a Python object per article: at 20,000 articles datasketch's
MinHash objects and dict-of-sets LSH spent 0.2 ms inserting, 0.17 ms querying
and 4 us per candidate compared, which put 100,000 articles past a minute and
grew the per-article check with the archive. Here a new article is hashed,
looked up and compared with all its candidates in a handful of array
operations (bench/dedupe.py prints the figures).
"""

from __future__ import annotations

import base64
import re
import unicodedata
import zlib
from collections.abc import Iterable

import numpy as np

NUM_PERM = 128
CJK_SHINGLE = 3  # characters
WORD_SHINGLE = 2  # words
# LSH: 56 bands of 2 values. Two articles become candidates with probability
# 1 - (1 - J^2)^56: 0.72 at Jaccard 0.15, 0.90 at 0.2, 0.995 at 0.3. A version
# half as long that keeps half its sentences (containment 0.5) has a Jaccard
# near 0.2, and missing a candidate costs a duplicate, while checking one
# costs a fraction of a microsecond.
BANDS, ROWS = 56, 2
# Below this many shingles a text is too short to resemble another by chance or
# not: a few words of a test item or a listing.
MIN_SHINGLES = 4
# Containment needs enough shingles in the shorter text to mean anything, and
# enough signature values in common to tell the shorter one's own sentences
# from the common phrases ("of the", "in a") any long text holds. Against a text
# many times its length, a short one shares a value or two with nearly anything:
# on the 280 real feeds, counting those as containment filed a 200-character
# teaser under a 6,000-character essay of another year and subject. A teaser
# that is the lead of a full article 14 times as long still shares about 9.
MIN_SHINGLES_FOR_CONTAINMENT = 15
MIN_CONTAINMENT_AGREEMENT = 8
# Stored fingerprints start with the scheme; store migration v5 cleared the
# fingerprints of the earlier (datasketch) scheme, so those were recomputed.
SCHEME = "m2"

_NOT_CJK = re.compile(r"[^\u3400-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"[a-z0-9]+")
_CODE_POINT_BITS = 21  # every Unicode code point fits, so three fit in 64 bits
_EMPTY = np.uint32(0xFFFFFFFF)


def _mix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finalizer: structured keys (code points, word hashes)
    become uniformly spread 64-bit values. uint64 arithmetic wraps, as it must."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _constants(start: int, count: int) -> np.ndarray:
    """Fixed pseudo-random uint32s, derived here rather than from an RNG whose
    stream may change between numpy versions (stored fingerprints must not)."""
    return (_mix64(np.arange(start, start + count, dtype=np.uint64)) >> np.uint64(32)).astype(
        np.uint32
    )


# Permutation i maps a shingle hash x to A[i] * x + B[i] mod 2^32 (A odd: a bijection).
_A = _constants(1, NUM_PERM) | np.uint32(1)
_B = _constants(1 + NUM_PERM, NUM_PERM)
_BAND_SALT = _mix64(np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))


def _gram_keys(units: np.ndarray, size: int, bits: int) -> np.ndarray:
    """One uint64 per run of `size` consecutive units (all of them if fewer)."""
    size = min(size, len(units))
    span = len(units) - size + 1
    keys = np.zeros(span, dtype=np.uint64)
    for offset in range(size):
        keys = (keys << np.uint64(bits)) | units[offset : offset + span]
    return keys


def shingle_hashes(text: str) -> np.ndarray:
    """The distinct shingles of normalized text as sorted uint64 hashes: CJK
    character n-grams, or Latin word n-grams, by which script dominates (mixed
    text shingles as its majority)."""
    normalized = unicodedata.normalize("NFKC", text).casefold()
    cjk = _NOT_CJK.sub("", normalized)
    words = _LATIN_WORD.findall(normalized)
    if not cjk and not words:
        return np.empty(0, dtype=np.uint64)
    if len(cjk) >= len(words):
        points = np.frombuffer(cjk.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
        keys = _gram_keys(points, CJK_SHINGLE, _CODE_POINT_BITS)
    else:
        word_hashes = np.fromiter(
            (zlib.crc32(word.encode()) for word in words), dtype=np.uint64, count=len(words)
        )
        keys = _gram_keys(word_hashes, WORD_SHINGLE, 32)
    return np.unique(_mix64(keys))


def minhash(hashes: np.ndarray) -> np.ndarray:
    """NUM_PERM minimum values, one per permutation, of 64-bit shingle hashes."""
    if not len(hashes):
        return np.full(NUM_PERM, _EMPTY, dtype=np.uint32)
    high = (hashes >> np.uint64(32)).astype(np.uint32)
    return (high[:, None] * _A + _B).min(axis=0)


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """The LSH bucket of each band (last axis), one uint64 each, distinct across bands."""
    bands = signatures[..., : BANDS * ROWS].reshape(*signatures.shape[:-1], BANDS, ROWS)
    keys = np.broadcast_to(_BAND_SALT, bands.shape[:-1]).copy()
    for row in range(ROWS):
        keys = _mix64(keys ^ bands[..., row].astype(np.uint64))
    return keys


class Fingerprint:
    """A MinHash signature and the number of shingles it summarizes.

    The count turns the Jaccard estimate into a containment estimate, which is
    what recognizes a condensed rewrite: most of its shingles are in the original.
    """

    __slots__ = ("_bands", "count", "values")

    def __init__(self, values: np.ndarray, count: int) -> None:
        self.values = values
        self.count = count
        self._bands: np.ndarray | None = None

    @property
    def bands(self) -> np.ndarray:
        """LSH bucket keys, computed once: an article is looked up, then indexed."""
        if self._bands is None:
            self._bands = band_keys(self.values)
        return self._bands


def fingerprint(text: str) -> Fingerprint:
    hashes = shingle_hashes(text)
    return Fingerprint(minhash(hashes), len(hashes))


def encode(fp: Fingerprint) -> str:
    """Compact text form for the store: scheme, shingle count, the values in base64."""
    values = base64.b64encode(fp.values.astype("<u4").tobytes()).decode("ascii")
    return f"{SCHEME}:{fp.count}:{values}"


def decode(text: str) -> Fingerprint:
    scheme, _, rest = text.partition(":")
    count, _, data = rest.partition(":")
    if scheme != SCHEME or not count.isdigit():
        raise ValueError(f"fingerprint: not a {SCHEME} fingerprint: {text[:20]!r}")
    values = np.frombuffer(base64.b64decode(data), dtype="<u4").astype(np.uint32)
    if len(values) != NUM_PERM:
        raise ValueError(f"fingerprint: {len(values)} values, expected {NUM_PERM}")
    return Fingerprint(values, int(count))


def similarities(fp: Fingerprint, signatures: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """For each row: the larger of estimated Jaccard and estimated containment
    of the shorter text in the longer, where that estimate can be trusted. Texts
    of a few shingles resemble nothing."""
    agreement = np.count_nonzero(signatures == fp.values, axis=1)
    jaccard = agreement / NUM_PERM
    smaller = np.minimum(counts, fp.count)
    shared = jaccard * (counts + fp.count) / (1 + jaccard)
    containment = np.minimum(shared / np.maximum(smaller, 1), 1.0)
    reliable = (smaller >= MIN_SHINGLES_FOR_CONTAINMENT) & (agreement >= MIN_CONTAINMENT_AGREEMENT)
    score = np.where(reliable, np.maximum(jaccard, containment), jaccard)
    return np.where(smaller >= MIN_SHINGLES, score, 0.0)


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    return float(similarities(a, b.values[None, :], np.array([b.count]))[0])


class BandTable:
    """LSH buckets: one sorted array of (bucket key, row), plus dicts of recent
    insertions merged into it in batches. About 12 bytes per band and article,
    where a dict of sets per band costs ten times as much."""

    MERGE_AT = 1 << 16  # recent entries
    # A bucket shared by very many articles (a source's template bulletins, one
    # story carried everywhere) yields its newest rows only: one member of a
    # story is enough to join it, and comparing with thousands would make each
    # new article cost as much as the archive is large.
    BUCKET_LIMIT = 64

    def __init__(self) -> None:
        self._keys = np.empty(0, dtype=np.uint64)
        self._rows = np.empty(0, dtype=np.int32)
        self._recent: dict[int, int] = {}  # bucket key -> its first recent row
        self._recent_more: dict[int, list[int]] = {}  # -> the others, rare

    def insert(self, row: int, keys: np.ndarray) -> None:
        fresh = keys.tolist()
        shared = self._recent.keys() & fresh
        if shared:
            for key in shared:
                self._recent_more.setdefault(key, []).append(row)
            fresh = [key for key in fresh if key not in shared]
        self._recent.update(dict.fromkeys(fresh, row))
        if len(self._recent) >= self.MERGE_AT:
            self._flush_recent()

    def insert_many(self, rows: np.ndarray, keys: np.ndarray) -> None:
        """rows: (n,); keys: (n, BANDS)."""
        self._merge(keys.ravel(), np.repeat(rows, keys.shape[1]))

    def query(self, keys: np.ndarray) -> np.ndarray:
        """Distinct rows sharing at least one bucket with `keys`, at most
        BUCKET_LIMIT of each bucket, the newest."""
        limit = self.BUCKET_LIMIT
        parts: list[np.ndarray] = []
        recent: list[int] = []
        room: dict[int, int] = {}  # bucket -> rows it may still take from the sorted array
        for key in keys.tolist():
            row = self._recent.get(key)
            if row is not None:
                newest = [row, *self._recent_more.get(key, ())][-limit:]
                recent.extend(newest)
                room[key] = limit - len(newest)
        if recent:
            parts.append(np.array(recent, dtype=np.int32))
        keys = np.sort(keys)  # ascending keys let the binary searches share work
        starts = np.searchsorted(self._keys, keys)
        if len(self._keys):
            found = self._keys[np.minimum(starts, len(self._keys) - 1)] == keys
            starts, keys = starts[found], keys[found]
            ends = np.searchsorted(self._keys, keys, side="right")
            for key, s, e in zip(keys.tolist(), starts.tolist(), ends.tolist(), strict=True):
                take = room.get(key, limit)
                if take > 0:
                    parts.append(self._rows[max(s, e - take) : e])
        if not parts:
            return self._rows[:0]
        return np.unique(np.concatenate(parts))

    def _flush_recent(self) -> None:
        count = len(self._recent)
        keys = np.fromiter(self._recent.keys(), dtype=np.uint64, count=count)
        rows = np.fromiter(self._recent.values(), dtype=np.int32, count=count)
        if self._recent_more:
            more = [(key, row) for key, group in self._recent_more.items() for row in group]
            keys = np.concatenate([keys, np.array([k for k, _ in more], dtype=np.uint64)])
            rows = np.concatenate([rows, np.array([r for _, r in more], dtype=np.int32)])
        self._recent.clear()
        self._recent_more.clear()
        self._merge(keys, rows)

    def _merge(self, keys: np.ndarray, rows: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        keys, rows = keys[order], rows[order].astype(np.int32)
        at = np.searchsorted(self._keys, keys, side="right")
        self._keys = np.insert(self._keys, at, keys)
        self._rows = np.insert(self._rows, at, rows)


class NearDuplicateIndex:
    """Signatures in one growing array, LSH buckets over them, so a new article
    meets only likely matches and meets all of them at once."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self._signatures = np.empty((1024, NUM_PERM), dtype=np.uint32)
        self._counts = np.empty(1024, dtype=np.int64)
        self._live = np.zeros(1024, dtype=bool)
        self._size = 0
        self._keys: list[str] = []
        self._row_of: dict[str, int] = {}
        self._bands = BandTable()

    def __len__(self) -> int:
        return len(self._row_of)

    def add(self, key: str, fp: Fingerprint) -> None:
        """Index an article; a key seen before is replaced (its text changed)."""
        row = self._append(key, fp)
        self._bands.insert(row, fp.bands)

    def add_many(self, items: Iterable[tuple[str, Fingerprint]]) -> None:
        """Index many articles at once (one merge, not one per article); keys
        already present are kept as they are."""
        rows = [self._append(key, fp) for key, fp in items if key not in self._row_of]
        if rows:
            index = np.array(rows, dtype=np.int64)
            self._bands.insert_many(index, band_keys(self._signatures[index]))

    def matches(self, fp: Fingerprint, exclude: str | None = None) -> list[tuple[str, float]]:
        """Candidates at or above the threshold, most similar first."""
        rows = self._bands.query(fp.bands)
        rows = rows[self._live[rows]]
        if not len(rows):
            return []
        scores = similarities(fp, self._signatures[rows], self._counts[rows])
        hits = np.flatnonzero(scores >= self.threshold)
        found = [(self._keys[rows[i]], float(scores[i])) for i in hits.tolist()]
        return sorted((pair for pair in found if pair[0] != exclude), key=lambda p: -p[1])

    def _append(self, key: str, fp: Fingerprint) -> int:
        old = self._row_of.get(key)
        if old is not None:
            self._live[old] = False
        if self._size == len(self._counts):
            self._grow()
        row = self._size
        self._size += 1
        self._signatures[row] = fp.values
        self._counts[row] = fp.count
        self._live[row] = True
        self._keys.append(key)
        self._row_of[key] = row
        return row

    def _grow(self) -> None:
        capacity = 2 * len(self._counts)
        self._signatures = np.resize(self._signatures, (capacity, NUM_PERM))
        self._counts = np.resize(self._counts, capacity)
        live = np.zeros(capacity, dtype=bool)
        live[: self._size] = self._live[: self._size]
        self._live = live
