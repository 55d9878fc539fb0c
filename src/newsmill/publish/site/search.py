"""Full-text search for the static site: an index built from the store, read by a small script.

Why not Pagefind: measured on this machine over 10,000 Chinese articles it
took 33 s and 5.3 GB (four times Hugo's whole build) and it rebuilds the
whole index every time. The store already holds every article's clean text,
so this index is built from `title` and `text` with no HTML parsed again, and
updated incrementally: a build tokenizes only new and changed articles.

Tokens (the same rules in `static/search.js`): NFKC, lower case; a run of
CJK characters gives its overlapping bigrams plus its last character (so a
one-character query is answered by the union of the tokens it begins);
any other run of letters and digits is one word.

Layout under `<site>/search/`:

- `meta.json`: `{"v", "docs", "segments": [{"id", "base", "n", "shards", "w"}], "deleted"}`
- `<segment>/t<k>.json`: the tokens whose key hashes to shard `k`:
  `{"t": [token, ...], "n": [postings of each], "p": postings,
  "T": [title token, ...], "N": [...], "P": title postings}`. Postings are
  the base64 of little-endian unsigned integers `w` bytes wide (2, or 4 past
  65,536 documents), each token's ascending document numbers minus the
  segment's base, one token after the other
- `<segment>/d<k>.json`: `[[path, title, date, section, summary], ...]` for
  document numbers `base + k*CHUNK ...`

A segment never changes once written. An incremental build adds one segment
for the new and changed articles and marks the numbers of removed or changed
ones deleted; when there are more than `MAX_SEGMENTS` segments or a quarter
of the numbers are deleted, the next build writes one fresh segment. The
client fetches only the shards its query's tokens hash to, one per segment.

Building is vectorized (numpy), because a Chinese article has about a
thousand postings and a per-character Python loop made the index the
slowest part of a site build: texts are tokenized a batch at a time, CJK
bigrams as integer pairs of code points, words through one vocabulary, and
the posting lists come out of one sort of (token, document) pairs.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from operator import add
from pathlib import Path
from typing import Any

import numpy as np

FORMAT_VERSION = 2
MAX_SEGMENTS = 8
MAX_DELETED_RATIO = 0.25
CHUNK = 100
MAX_WORD = 40
SUMMARY_CHARS = 140
BATCH = 512  # documents tokenized together

_CJK_RANGES = (
    (0x3040, 0x30FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xAC00, 0xD7AF),
)
_CJK = "".join(f"{chr(a)}-{chr(b)}" for a, b in _CJK_RANGES)
_RUN = re.compile(r"[^\W_]+")
_CJK_SPLIT = re.compile(f"([{_CJK}]+)")
_HAS_CJK = re.compile(f"[{_CJK}]")
_CJK_RUN = re.compile(f"[{_CJK}]+")
_WORD = re.compile(f"[^\\W_{_CJK}]+")
_PAIRS = re.compile("..", re.S)
# ASCII letters and digits kept (upper case lowered), everything else a space: for
# ASCII text, `translate` then `split` gives what `_WORD` finds, in a fraction of the time.
_ASCII_WORDS = bytes(
    c + 32 if 65 <= c <= 90 else c if 48 <= c <= 57 or 97 <= c <= 122 else 32 for c in range(256)
)
# Punctuation common in Chinese text whose NFKC form is one ASCII character.
_WIDE_PUNCTUATION = (
    ("，", ","), ("：", ":"), ("；", ";"), ("！", "!"), ("？", "?"), ("（", "("), ("）", ")"),
    ("\u3000", " "),
)  # fmt: skip

# Token keys, as integers: one CJK character is its code point, two are (first << 21 |
# second), a word is WORD_BASE + its number. Sorted keys are then grouped by kind.
_CHAR_BITS = 21
_CHAR_MASK = (1 << _CHAR_BITS) - 1
_BIGRAM_BASE = 1 << _CHAR_BITS
WORD_BASE = 1 << (2 * _CHAR_BITS)
_KEY_BITS = 2 * _CHAR_BITS + 1
_FNV_BASIS = 0x811C9DC5
_FNV_PRIME = 16777619


def normalize(text: str) -> str:
    """NFKC and lower case: full-width letters and digits become ASCII, as in the client."""
    if text.isascii():
        return text.lower()
    if unicodedata.is_normalized("NFKC", text):
        return text.lower()
    # Most Chinese text fails the quick check only for its full-width punctuation; each
    # of these is its own NFKC decomposition's one starter, so replacing it first gives
    # the same normal form without normalizing the whole text.
    simple = text
    for wide, narrow in _WIDE_PUNCTUATION:
        simple = simple.replace(wide, narrow)
    if simple is not text and unicodedata.is_normalized("NFKC", simple):
        return simple.lower()
    return unicodedata.normalize("NFKC", text).lower()


def _split_runs(text: str) -> Iterator[tuple[bool, str]]:
    """(is_cjk, run) for each run of letters and digits, CJK and other parts apart."""
    for run in _RUN.findall(text):
        if not _HAS_CJK.search(run):
            yield False, run
            continue
        for i, part in enumerate(_CJK_SPLIT.split(run)):
            if part:
                yield i % 2 == 1, part


def tokens(text: str) -> set[str]:
    """The distinct index tokens of a text (the reference the batch tokenizer must equal)."""
    text = normalize(text)
    out = {word for word in _WORD.findall(text) if len(word) <= MAX_WORD}
    for run in _CJK_RUN.findall(text):
        if len(run) > 1:
            out.update(map(add, run, run[1:]))
        out.add(run[-1])
    return out


def token_key(token: str) -> str:
    """What decides a token's shard: its first character if CJK, else its first two."""
    return token[0] if _HAS_CJK.match(token[0]) else token[:2]


def shard_of(key: str, shards: int) -> int:
    """FNV-1a over code points; `search.js` computes the same number."""
    h = _FNV_BASIS
    for ch in key:
        h = ((h ^ ord(ch)) * _FNV_PRIME) & 0xFFFFFFFF
    return h % shards


def shards_for(n_docs: int) -> int:
    """A power of two near one shard per 40 documents, at most 256."""
    shards = 1
    while shards < 256 and shards * 40 < n_docs:
        shards *= 2
    return shards


def posting_width(n_docs: int) -> int:
    """Bytes per posting in a segment of `n_docs` documents."""
    return 2 if n_docs <= 1 << 16 else 4


@dataclass(frozen=True)
class Segment:
    id: str
    base: int
    n: int
    shards: int

    @property
    def width(self) -> int:
        return posting_width(self.n)

    def files(self) -> list[str]:
        """Site-relative paths of every file of the segment."""
        chunks = (self.n + CHUNK - 1) // CHUNK
        return [f"search/{self.id}/t{k}.json" for k in range(self.shards)] + [
            f"search/{self.id}/d{k}.json" for k in range(chunks)
        ]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "base": self.base, "n": self.n, "shards": self.shards}

    def to_meta(self) -> dict[str, Any]:
        """What the client reads: the manifest's fields and the posting width."""
        return {**self.to_json(), "w": self.width}


@dataclass
class SearchState:
    """What the next build needs to update the index: kept in the site's build manifest."""

    segments: list[Segment] = field(default_factory=list)
    deleted: set[int] = field(default_factory=set)
    docs: dict[str, tuple[int, str]] = field(default_factory=dict)  # id -> (docno, key)

    def to_json(self) -> dict[str, Any]:
        return {
            "segments": [s.to_json() for s in self.segments],
            "deleted": sorted(self.deleted),
            "docs": {k: list(v) for k, v in sorted(self.docs.items())},
        }

    @classmethod
    def from_json(cls, data: Any) -> SearchState | None:
        """None for anything unreadable: the caller then rebuilds the index."""
        try:
            return cls(
                segments=[Segment(**s) for s in data["segments"]],
                deleted={int(x) for x in data["deleted"]},
                docs={str(k): (int(v[0]), str(v[1])) for k, v in data["docs"].items()},
            )
        except (KeyError, TypeError, ValueError, IndexError):
            return None

    @property
    def total(self) -> int:
        return sum(s.n for s in self.segments)

    def needs_rebuild(self) -> bool:
        return (
            len(self.segments) >= MAX_SEGMENTS
            or self.total == 0
            or len(self.deleted) > MAX_DELETED_RATIO * self.total
        )


def _dump(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


# -- tokenizing a batch ------------------------------------------------------------------


class _Vocabulary:
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
    for low, high in _CJK_RANGES:
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
            (chars[bigram] << np.uint64(_CHAR_BITS)) | points[1:][bigram].astype(np.uint64),
            chars[last],
        )
    )
    return keys, np.concatenate((owner[:-1][bigram], owner[:-1][last]))


def _words(text: str) -> tuple[list[str], str | None]:
    """The words of a text, and the normalized text if it may hold CJK characters."""
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_WORDS).decode("ascii").split(), None
    text = normalize(text)
    return _WORD.findall(text), text


def batch_pairs(
    texts: list[str], first: int, vocabulary: _Vocabulary
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
        if normalized is not None and _HAS_CJK.search(normalized):
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
    if _KEY_BITS + shift <= 64:
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
    bigrams_at = int(np.searchsorted(keys, _BIGRAM_BASE))
    words_at = int(np.searchsorted(keys, WORD_BASE))
    names = list(_decode_points(keys[:bigrams_at]))
    pairs = np.empty((words_at - bigrams_at, 2), dtype=np.uint64)
    pairs[:, 0] = keys[bigrams_at:words_at] >> np.uint64(_CHAR_BITS)
    pairs[:, 1] = keys[bigrams_at:words_at] & np.uint64(_CHAR_MASK)
    names += _PAIRS.findall(_decode_points(pairs.ravel()))
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
    first = np.where(cjk < np.uint64(_BIGRAM_BASE), cjk, cjk >> np.uint64(_CHAR_BITS))
    hashed = ((np.uint64(_FNV_BASIS) ^ first) * np.uint64(_FNV_PRIME)) & np.uint64(0xFFFFFFFF)
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


class IndexBuilder:
    """Told about every indexable article once; tokenizes only what is new.

    `keep` is asked first for each article: an unchanged one keeps its entry
    and costs a dictionary lookup. Articles it returns False for are then
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
        self.vocabulary = _Vocabulary()
        self._bodies: list[str] = []
        self._titles: list[str] = []
        self._body_pairs: list[tuple[np.ndarray, np.ndarray]] = []
        self._title_pairs: list[tuple[np.ndarray, np.ndarray]] = []

    def keep(self, article_id: str, key: str) -> bool:
        old = self.previous.docs.get(article_id)
        if old is not None and old[1] == key and old[0] not in self.previous.deleted:
            self.kept[article_id] = old
            return True
        return False

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
        first = len(self.new_ids) - len(self._bodies)
        self._body_pairs.append(batch_pairs(self._bodies, first, self.vocabulary))
        self._title_pairs.append(batch_pairs(self._titles, first, self.vocabulary))
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
            local = self._local_numbers()
            for position, (article_id, key) in enumerate(self.new_ids):
                docs[article_id] = (base + int(local[position]), key)
            files.update(self._segment_files(segment, local))
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

    def _local_numbers(self) -> np.ndarray:
        """Each added document's number in its segment: the newest gets the highest."""
        n = len(self.orders)
        local = np.empty(n, dtype=np.uint32)
        local[np.argsort(np.asarray(self.orders), kind="stable")] = np.arange(n - 1, -1, -1)
        return local

    def _segment_files(self, segment: Segment, local: np.ndarray) -> dict[str, bytes]:
        words = self.vocabulary.words
        lists = [
            _by_shard(_posting_lists(pairs, local, segment.n, words), segment.shards, segment.width)
            for pairs in (self._body_pairs, self._title_pairs)
        ]
        files = {}
        for k, ((t, n, p), (tt, tn, tp)) in enumerate(zip(*lists, strict=True)):
            shard = {"t": t, "n": n, "p": p, "T": tt, "N": tn, "P": tp}
            files[f"search/{segment.id}/t{k}.json"] = _dump(shard)
        ordered: list[list[str]] = [[] for _ in range(segment.n)]
        for position, number in enumerate(local.tolist()):
            ordered[number] = self.new_meta[position]
        for k in range(0, len(ordered), CHUNK):
            files[f"search/{segment.id}/d{k // CHUNK}.json"] = _dump(ordered[k : k + CHUNK])
        return files


def _live_in(
    segment: Segment, docs: dict[str, tuple[int, str]], deleted: set[int]
) -> Iterable[int]:
    end = segment.base + segment.n
    return (d for d, _ in docs.values() if segment.base <= d < end and d not in deleted)


def doc_meta(path: str, title: str, date: str, section: str, summary: str) -> list[str]:
    """What a search result shows, in the order the client reads it."""
    if len(summary) > SUMMARY_CHARS:
        summary = summary[:SUMMARY_CHARS].rstrip() + "…"
    return [path, title, date, section, summary]


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
    runs = list(_split_runs(normalize(query)))
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
            for weight, docs in self._postings(group):
                idf = math.log(1 + total / max(1, len(docs)))
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
