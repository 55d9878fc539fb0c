"""Search tokens: the rules `static/search.js` applies to queries, applied to documents.

NFKC, lower case; a run of CJK characters gives its overlapping bigrams plus
its last character; any other run of letters and digits is one word. Also the
index's sizes and how a token picks its shard, which the client repeats.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from operator import add

FORMAT_VERSION = 2
MAX_SEGMENTS = 8
MAX_DELETED_RATIO = 0.25
CHUNK = 100
MAX_WORD = 40
SUMMARY_CHARS = 140
BATCH = 512  # documents tokenized together

CJK_RANGES = (
    (0x3040, 0x30FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0xAC00, 0xD7AF),
)
_CJK = "".join(f"{chr(a)}-{chr(b)}" for a, b in CJK_RANGES)
_RUN = re.compile(r"[^\W_]+")
_CJK_SPLIT = re.compile(f"([{_CJK}]+)")
HAS_CJK = re.compile(f"[{_CJK}]")
_CJK_RUN = re.compile(f"[{_CJK}]+")
WORD = re.compile(f"[^\\W_{_CJK}]+")
PAIRS = re.compile("..", re.S)
# ASCII letters and digits kept (upper case lowered), everything else a space: for
# ASCII text, `translate` then `split` gives what `WORD` finds, in a fraction of the time.
ASCII_WORDS = bytes(
    c + 32 if 65 <= c <= 90 else c if 48 <= c <= 57 or 97 <= c <= 122 else 32 for c in range(256)
)
# Punctuation common in Chinese text whose NFKC form is one ASCII character.
_WIDE_PUNCTUATION = (
    ("，", ","), ("：", ":"), ("；", ";"), ("！", "!"), ("？", "?"), ("（", "("), ("）", ")"),
    ("\u3000", " "),
)  # fmt: skip

# Token keys, as integers: one CJK character is its code point, two are (first << 21 |
# second), a word is WORD_BASE + its number. Sorted keys are then grouped by kind.
CHAR_BITS = 21
CHAR_MASK = (1 << CHAR_BITS) - 1
BIGRAM_BASE = 1 << CHAR_BITS
WORD_BASE = 1 << (2 * CHAR_BITS)
KEY_BITS = 2 * CHAR_BITS + 1
FNV_BASIS = 0x811C9DC5
FNV_PRIME = 16777619


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


def split_runs(text: str) -> Iterator[tuple[bool, str]]:
    """(is_cjk, run) for each run of letters and digits, CJK and other parts apart."""
    for run in _RUN.findall(text):
        if not HAS_CJK.search(run):
            yield False, run
            continue
        for i, part in enumerate(_CJK_SPLIT.split(run)):
            if part:
                yield i % 2 == 1, part


def tokens(text: str) -> set[str]:
    """The distinct index tokens of a text (the reference the batch tokenizer must equal)."""
    text = normalize(text)
    out = {word for word in WORD.findall(text) if len(word) <= MAX_WORD}
    for run in _CJK_RUN.findall(text):
        if len(run) > 1:
            out.update(map(add, run, run[1:]))
        out.add(run[-1])
    return out


def token_key(token: str) -> str:
    """What decides a token's shard: its first character if CJK, else its first two."""
    return token[0] if HAS_CJK.match(token[0]) else token[:2]


def shard_of(key: str, shards: int) -> int:
    """FNV-1a over code points; `search.js` computes the same number."""
    h = FNV_BASIS
    for ch in key:
        h = ((h ^ ord(ch)) * FNV_PRIME) & 0xFFFFFFFF
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
