"""How much a URL looks like one article rather than a section, a tag or a site.

Article URLs carry an identity: a long number, a date, a slug of many words, a
file name with an id (`/2024-05/20/c_1130150.htm`, `doc-i….shtml`,
`t20240520_123.html`, `/posts/why-we-moved-to-rust/`). Section links are
short and generic (`/world/`, `/tag/rust`, `/list_25462`). The score is a
signal among others, never a filter: some real lists link `item?id=1`.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_LONG_NUMBER = re.compile(r"\d{5,}")
_DATE = re.compile(r"(?:19|20)\d{2}[-_/]?[01]\d(?:[-_/]?[0-3]\d)?")
_ID_QUERY = re.compile(r"(?:^|&)(?:id|aid|p|story|article|doc|newsid|docid)=\w{3,}", re.I)
# A path that is only a date (`/2021/12/`) is a monthly or daily archive.
_ARCHIVE = re.compile(r"/(?:19|20)\d{2}(?:/[01]?\d(?:/[0-3]?\d)?)?/?")
_WORDS = re.compile(r"[a-z0-9]+", re.I)
# Path words that name groups of articles, not articles.
_SECTION_WORDS = frozenset(
    "tag tags category categories channel column topic topics author authors member user users "
    "login register search about contact help page archive archives label section rss feed".split()
)


def article_likeness(url: str) -> float:
    """0 (a site, a section, a tag) to 1 (surely one article)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return 0.0
    path = parts.path
    segments = [s for s in path.split("/") if s]
    if not segments and not parts.query:
        return 0.0
    lowered = {w.lower() for s in segments[:-1] for w in _WORDS.findall(s)}
    last = segments[-1] if segments else ""
    named = lowered | {w.lower() for w in _WORDS.findall(last)}
    if named & _SECTION_WORDS and not _LONG_NUMBER.search(last):
        return 0.1
    if _ARCHIVE.fullmatch(path) and not parts.query:
        return 0.1
    score = 0.0
    if _LONG_NUMBER.search(path) or _DATE.search(path):
        score = 1.0
    elif _ID_QUERY.search(parts.query) or len(_WORDS.findall(last.rsplit(".", 1)[0])) >= 3:
        score = 0.9
    elif re.search(r"\d", last) and "." in last:
        score = 0.7
    elif len(segments) >= 3 or re.search(r"\d{3,}", path + parts.query):
        score = 0.5
    else:
        score = 0.2
    return score
