"""Near-duplicate fingerprints: MinHash over shingles of the clean text, found by LSH.

Chinese has no spaces, so its shingles are runs of characters; English ones
are runs of words. Punctuation, case and full/half width are folded first, so
a story re-typeset by another portal shingles the same.
"""

from __future__ import annotations

import base64
import re
import unicodedata
import zlib
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
CJK_SHINGLE = 3  # characters
WORD_SHINGLE = 2  # words
# LSH finds candidates down to this estimated Jaccard: a version half as long
# that keeps half its sentences (containment 0.5) has a Jaccard near 0.2.
CANDIDATE_JACCARD = 0.2
# Containment needs enough shingles in the shorter text to mean anything.
MIN_SHINGLES_FOR_CONTAINMENT = 30
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[a-z0-9]+")


def _crc(data: bytes) -> int:
    return zlib.crc32(data)


def shingles(text: str) -> set[bytes]:
    """Shingles of normalized text: CJK character n-grams, or Latin word n-grams,
    by which script dominates (mixed text shingles as its majority)."""
    normalized = unicodedata.normalize("NFKC", text).casefold()
    cjk = "".join(_CJK.findall(normalized))
    words = _LATIN_WORD.findall(normalized)
    if len(cjk) >= len(words):
        size, units = CJK_SHINGLE, cjk
        grams = {units[i : i + size] for i in range(max(len(units) - size + 1, 1))}
    else:
        size = WORD_SHINGLE
        grams = {" ".join(words[i : i + size]) for i in range(max(len(words) - size + 1, 1))}
    grams.discard("")
    return {g.encode() for g in grams}


@lru_cache(maxsize=1)
def _seed_minhash() -> MinHash:
    # One template with the permutations; copies share them (the costly part).
    return MinHash(num_perm=NUM_PERM, hashfunc=_crc, seed=1, scheme="affine32")


class Fingerprint:
    """A MinHash signature and the number of shingles it summarizes.

    The count turns the Jaccard estimate into a containment estimate, which is
    what recognizes a condensed rewrite: most of its shingles are in the original.
    """

    __slots__ = ("count", "minhash")

    def __init__(self, minhash: MinHash, count: int) -> None:
        self.minhash = minhash
        self.count = count


def fingerprint(text: str) -> Fingerprint:
    minhash = _seed_minhash().copy()
    found = shingles(text)
    if found:
        minhash.update_batch(list(found))
    return Fingerprint(minhash, len(found))


def encode(fp: Fingerprint) -> str:
    """Compact text form for the store: the shingle count, then the values in base64."""
    values = base64.b64encode(fp.minhash.hashvalues.astype("<u4").tobytes()).decode("ascii")
    return f"{fp.count}:{values}"


def decode(text: str) -> Fingerprint:
    count, _, data = text.partition(":")
    values = np.frombuffer(base64.b64decode(data), dtype="<u4").astype(np.uint32)
    minhash = MinHash(
        num_perm=NUM_PERM, hashfunc=_crc, seed=1, hashvalues=values, scheme="affine32"
    )
    return Fingerprint(minhash, int(count))


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """The larger of estimated Jaccard and estimated containment of the shorter text."""
    jaccard = float(a.minhash.jaccard(b.minhash))
    smaller = min(a.count, b.count)
    if smaller < MIN_SHINGLES_FOR_CONTAINMENT:
        return jaccard
    shared = jaccard * (a.count + b.count) / (1 + jaccard)
    return max(jaccard, min(shared / smaller, 1.0))


class NearDuplicateIndex:
    """LSH over MinHash signatures, so a new article meets only likely matches."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        # Missing a candidate costs a duplicate; checking one costs microseconds.
        self._lsh = MinHashLSH(threshold=CANDIDATE_JACCARD, num_perm=NUM_PERM, weights=(0.2, 0.8))
        self._prints: dict[str, Fingerprint] = {}

    def __len__(self) -> int:
        return len(self._prints)

    def add(self, key: str, fp: Fingerprint) -> None:
        if key in self._prints:
            self._lsh.remove(key)
        self._prints[key] = fp
        self._lsh.insert(key, fp.minhash)

    def add_many(self, items: Iterable[tuple[str, Fingerprint]]) -> None:
        with self._lsh.insertion_session() as session:
            for key, fp in items:
                if key in self._prints:
                    continue
                self._prints[key] = fp
                session.insert(key, fp.minhash)

    def matches(self, fp: Fingerprint, exclude: str | None = None) -> list[tuple[str, float]]:
        """Candidates at or above the threshold, most similar first."""
        found = []
        for key in self._lsh.query(fp.minhash):
            if key == exclude:
                continue
            score = similarity(fp, self._prints[key])
            if score >= self.threshold:
                found.append((key, score))
        return sorted(found, key=lambda pair: -pair[1])
