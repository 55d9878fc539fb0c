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
CJK_SHINGLE = 4  # characters
WORD_SHINGLE = 3  # words
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_WORD = re.compile(r"[a-z0-9]+|[\u3400-\u9fff\uf900-\ufaff]")


def _crc(data: bytes) -> int:
    return zlib.crc32(data)


def shingles(text: str) -> set[bytes]:
    """Shingles of normalized text: CJK character n-grams plus Latin word n-grams."""
    normalized = unicodedata.normalize("NFKC", text).casefold()
    tokens = _WORD.findall(normalized)
    if not tokens:
        return set()
    out: set[bytes] = set()
    # CJK characters and Latin words are one token stream; the shingle length
    # depends on which kind dominates, so mixed text shingles sensibly.
    cjk = sum(1 for t in tokens if len(t) == 1 and _CJK.match(t))
    size = CJK_SHINGLE if cjk * 2 >= len(tokens) else WORD_SHINGLE
    if len(tokens) <= size:
        return {" ".join(tokens).encode()}
    for i in range(len(tokens) - size + 1):
        out.add(" ".join(tokens[i : i + size]).encode())
    return out


@lru_cache(maxsize=1)
def _seed_minhash() -> MinHash:
    # One template with the permutations; copies share them (the costly part).
    return MinHash(num_perm=NUM_PERM, hashfunc=_crc, seed=1, scheme="affine32")


def fingerprint(text: str) -> MinHash:
    minhash = _seed_minhash().copy()
    found = shingles(text)
    if found:
        minhash.update_batch(list(found))
    return minhash


def encode(minhash: MinHash) -> str:
    """Compact text form for the store: 128 uint32 values, base64."""
    return base64.b64encode(minhash.hashvalues.astype("<u4").tobytes()).decode("ascii")


def decode(text: str) -> MinHash:
    values = np.frombuffer(base64.b64decode(text), dtype="<u4").astype(np.uint32)
    return MinHash(num_perm=NUM_PERM, hashfunc=_crc, seed=1, hashvalues=values, scheme="affine32")


def similarity(a: MinHash, b: MinHash) -> float:
    return float(a.jaccard(b))


class NearDuplicateIndex:
    """LSH over MinHash signatures, so a new article meets only likely matches."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._signatures: dict[str, MinHash] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def add(self, key: str, minhash: MinHash) -> None:
        if key in self._signatures:
            self._lsh.remove(key)
        self._signatures[key] = minhash
        self._lsh.insert(key, minhash)

    def add_many(self, items: Iterable[tuple[str, MinHash]]) -> None:
        with self._lsh.insertion_session() as session:
            for key, minhash in items:
                if key in self._signatures:
                    continue
                self._signatures[key] = minhash
                session.insert(key, minhash)

    def matches(self, minhash: MinHash, exclude: str | None = None) -> list[tuple[str, float]]:
        """Candidates at or above the threshold, most similar first."""
        found = []
        for key in self._lsh.query(minhash):
            if key == exclude:
                continue
            score = similarity(minhash, self._signatures[key])
            if score >= self.threshold:
                found.append((key, score))
        return sorted(found, key=lambda pair: -pair[1])
