"""Posting lists with numpy: texts tokenized a batch at a time (CJK bigrams as integer
pairs of code points, words through one vocabulary), then one sort of (token,
document) pairs gives every list, packed per shard as the client reads them."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import numpy as np

from newsmill.publish.site.search.state import Segment
from newsmill.publish.site.search.tokens import (
    ASCII_WORDS,
    BIGRAM_BASE,
    CHAR_BITS,
    CHAR_MASK,
    CJK_RANGES,
    FNV_BASIS,
    FNV_PRIME,
    HAS_CJK,
    KEY_BITS,
    MAX_WORD,
    PAIRS,
    WORD,
    WORD_BASE,
    normalize,
    shard_of,
)

# -- tokenizing a batch ------------------------------------------------------------------


class Vocabulary:
    """Words by number, numbered as first met, so the index does not depend on hash order.
    Words too long to index get -1."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.words: list[str] = []

    def lookup(self, words: list[str]) -> np.ndarray:
        numbers = self.numbers
        for word in dict.fromkeys(words):
            if word not in numbers:
                if len(word) > MAX_WORD:
                    numbers[word] = -1
                else:
                    numbers[word] = len(self.words)
                    self.words.append(word)
        return np.fromiter(map(numbers.__getitem__, words), np.int64, len(words))


def _cjk_mask(points: np.ndarray) -> np.ndarray:
    mask = np.zeros(len(points), dtype=bool)
    for low, high in CJK_RANGES:
        mask |= (points >= low) & (points <= high)
    return mask


def _cjk_pairs(texts: list[str], positions: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(key, position) of every CJK bigram and of the last character of every CJK run."""
    joined = "\n".join(texts) + "\n"  # a non-CJK character ends every text's last run
    points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    owner = np.repeat(np.asarray(positions, dtype=np.uint32), [len(t) + 1 for t in texts])
    cjk = _cjk_mask(points)
    here, after = cjk[:-1], cjk[1:]
    chars = points[:-1].astype(np.uint64)
    bigram = here & after
    last = here & ~after
    keys = np.concatenate(
        (
            (chars[bigram] << np.uint64(CHAR_BITS)) | points[1:][bigram].astype(np.uint64),
            chars[last],
        )
    )
    return keys, np.concatenate((owner[:-1][bigram], owner[:-1][last]))


def _words(text: str) -> tuple[list[str], str | None]:
    """The words of a text, and the normalized text if it may hold CJK characters."""
    if text.isascii():
        return text.encode("ascii").translate(ASCII_WORDS).decode("ascii").split(), None
    text = normalize(text)
    return WORD.findall(text), text


def batch_pairs(
    texts: list[str], first: int, vocabulary: Vocabulary
) -> tuple[np.ndarray, np.ndarray]:
    """(token key, position) of each distinct token of each text, positions from `first`."""
    words: list[str] = []
    counts: list[int] = []
    cjk_texts: list[str] = []
    cjk_positions: list[int] = []
    for position, text in enumerate(texts, first):
        found, normalized = _words(text)
        words += found
        counts.append(len(found))
        if normalized is not None and HAS_CJK.search(normalized):
            cjk_texts.append(normalized)
            cjk_positions.append(position)
    numbers = vocabulary.lookup(words)
    owners = np.repeat(np.arange(first, first + len(texts), dtype=np.uint32), counts)
    indexed = numbers >= 0
    keys = numbers[indexed].astype(np.uint64) + np.uint64(WORD_BASE)
    owners = owners[indexed]
    if cjk_texts:
        cjk_keys, cjk_owners = _cjk_pairs(cjk_texts, cjk_positions)
        keys = np.concatenate((keys, cjk_keys))
        owners = np.concatenate((owners, cjk_owners))
    # One sort drops the repeats of a token within a text. Later texts sort first within
    # a token: texts come newest first and get descending numbers, so each batch is then
    # one ascending run for the final sort to merge.
    size = max(1, len(texts))
    last = first + size - 1
    unique = _sorted_unique(keys * np.uint64(size) + (last - owners).astype(np.uint64))
    positions = np.uint32(last) - (unique % np.uint64(size)).astype(np.uint32)
    return unique // np.uint64(size), positions


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """`np.unique` without its overhead (numpy 2 hashes before it sorts)."""
    values.sort()
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


# -- posting lists -----------------------------------------------------------------------


@dataclass
class _Lists:
    """Posting lists in token order: token strings, where each list starts, its length,
    and the document numbers (local to the segment) of all of them end to end."""

    keys: np.ndarray
    tokens: list[str]
    starts: np.ndarray
    counts: np.ndarray
    docs: np.ndarray


def _posting_lists(
    parts: list[tuple[np.ndarray, np.ndarray]], local: np.ndarray, n_docs: int, words: list[str]
) -> _Lists:
    """Sort the (key, position) pairs of every batch into posting lists of local document
    numbers; `words` names the word keys. The batches' arrays are let go as they are read:
    this is the build's largest moment."""
    shift = max(1, (n_docs - 1).bit_length())
    if KEY_BITS + shift <= 64:
        keys, docs = _sorted_packed(parts, local, shift)
    else:  # past two million documents: sort by two columns, with more memory
        keys = np.concatenate([k for k, _ in parts])
        docs = local[np.concatenate([p for _, p in parts])]
        parts.clear()
        order = np.lexsort((docs, keys))
        keys, docs = keys[order], docs[order]
    if not len(keys):
        empty = np.zeros(0, dtype=np.int64)
        return _Lists(keys, [], empty, empty, docs)
    change = np.empty(len(keys), dtype=bool)
    change[0] = True
    np.not_equal(keys[1:], keys[:-1], out=change[1:])
    starts = np.flatnonzero(change)
    del change
    counts = np.diff(np.append(starts, len(keys)))
    unique = keys[starts]
    del keys
    return _Lists(unique, _token_names(unique, words), starts, counts, docs)


def _sorted_packed(
    parts: list[tuple[np.ndarray, np.ndarray]], local: np.ndarray, shift: int
) -> tuple[np.ndarray, np.ndarray]:
    """(keys, document numbers) sorted by both, through one array of (key << shift | doc)."""
    packed = np.empty(sum(len(keys) for keys, _ in parts), dtype=np.uint64)
    at = 0
    while parts:
        keys, positions = parts.pop(0)
        end = at + len(keys)
        np.left_shift(keys, np.uint64(shift), out=packed[at:end])
        packed[at:end] |= local[positions].astype(np.uint64)
        at = end
    packed.sort(kind="stable")  # merges the batches' sorted runs
    docs = packed.astype(np.uint32)  # the low bits: the document number ...
    docs &= np.uint32((1 << shift) - 1)
    np.right_shift(packed, np.uint64(shift), out=packed)  # ... the high ones: the key
    return packed, docs


def _token_names(keys: np.ndarray, words: list[str]) -> list[str]:
    """The token of each sorted key: characters, then bigrams, then words."""
    bigrams_at = int(np.searchsorted(keys, BIGRAM_BASE))
    words_at = int(np.searchsorted(keys, WORD_BASE))
    names = list(_decode_points(keys[:bigrams_at]))
    pairs = np.empty((words_at - bigrams_at, 2), dtype=np.uint64)
    pairs[:, 0] = keys[bigrams_at:words_at] >> np.uint64(CHAR_BITS)
    pairs[:, 1] = keys[bigrams_at:words_at] & np.uint64(CHAR_MASK)
    names += PAIRS.findall(_decode_points(pairs.ravel()))
    names += map(words.__getitem__, (keys[words_at:] - np.uint64(WORD_BASE)).tolist())
    return names


def _decode_points(points: np.ndarray) -> str:
    return points.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")


def _shards_of(lists: _Lists, shards: int) -> np.ndarray:
    """Each token's shard, as `shard_of(token_key(token))`: CJK tokens (keyed by their
    first character) all at once, words one distinct two-letter key at a time."""
    keys = lists.keys
    words_at = int(np.searchsorted(keys, WORD_BASE))
    cjk = keys[:words_at]
    first = np.where(cjk < np.uint64(BIGRAM_BASE), cjk, cjk >> np.uint64(CHAR_BITS))
    hashed = ((np.uint64(FNV_BASIS) ^ first) * np.uint64(FNV_PRIME)) & np.uint64(0xFFFFFFFF)
    cache: dict[str, int] = {}
    word_shards = []
    for name in lists.tokens[words_at:]:
        key = name[:2]
        shard = cache.get(key)
        if shard is None:
            shard = cache[key] = shard_of(key, shards)
        word_shards.append(shard)
    return np.concatenate(
        ((hashed % np.uint64(shards)).astype(np.int64), np.asarray(word_shards, dtype=np.int64))
    )


def _by_shard(lists: _Lists, shards: int, width: int) -> list[tuple[list[str], list[int], str]]:
    """For each shard: its tokens, their posting counts, and their postings in base64."""
    shard_ids = _shards_of(lists, shards)
    order = np.argsort(shard_ids, kind="stable")
    counts = lists.counts[order]
    ends = np.cumsum(counts)
    gather = np.repeat((lists.starts[order] - (ends - counts)).astype(np.int32), counts)
    gather += np.arange(len(gather), dtype=np.int32)
    postings = lists.docs[gather].astype("<u2" if width == 2 else "<u4")
    del gather
    token_bounds = np.searchsorted(shard_ids[order], np.arange(shards + 1)).tolist()
    names = list(map(lists.tokens.__getitem__, order.tolist()))
    offsets = [0, *ends.tolist()]
    out = []
    for k in range(shards):
        a, b = token_bounds[k], token_bounds[k + 1]
        blob = postings[offsets[a] : offsets[b]].tobytes()
        out.append((names[a:b], counts[a:b].tolist(), base64.b64encode(blob).decode("ascii")))
    return out


def local_numbers(orders: list[int]) -> np.ndarray:
    """Each added document's number in its segment: the newest gets the highest."""
    n = len(orders)
    local = np.empty(n, dtype=np.uint32)
    local[np.argsort(np.asarray(orders), kind="stable")] = np.arange(n - 1, -1, -1)
    return local


def shard_tables(
    body_pairs: list[tuple[np.ndarray, np.ndarray]],
    title_pairs: list[tuple[np.ndarray, np.ndarray]],
    local: np.ndarray,
    segment: Segment,
    words: list[str],
) -> list[dict[str, Any]]:
    """Each shard's file of a new segment: body and title tokens, counts and postings."""
    lists = [
        _by_shard(_posting_lists(pairs, local, segment.n, words), segment.shards, segment.width)
        for pairs in (body_pairs, title_pairs)
    ]
    return [
        {"t": t, "n": n, "p": p, "T": tt, "N": tn, "P": tp}
        for (t, n, p), (tt, tn, tp) in zip(*lists, strict=True)
    ]
