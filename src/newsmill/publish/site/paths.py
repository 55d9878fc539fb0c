"""Where every page of the site lives, and how pages link to each other.

Paths are site-relative POSIX paths of files (`a/2026/11/slug-0123456789.html`,
`c/金融/index.html`). Pages link with relative URLs, so a site works from any
folder of a web server and, but for search, opened from disk.

Every folder name comes from `slugify`, which keeps only letters, digits,
`_` and `-`, so no name from a source can climb out of the site folder, and a
folder name never contains a dot, so it can never collide with a file such
as `page-2.html` or `atom.xml` beside it. Names that slugify alike ("Tech"
and "tech") are one category or tag: the same words, one page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from newsmill.publish.naming import slugify

ARTICLE_SLUG_BYTES = 80
NAME_SLUG_BYTES = 60


def _short_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=4).hexdigest()


@lru_cache(maxsize=65536)
def name_slug(name: str) -> str:
    """A category or tag as a folder name; names of only symbols get a hash."""
    return slugify(name, NAME_SLUG_BYTES) or f"x-{_short_hash(name)}"


def inside_site(path: str) -> bool:
    """Whether a site-relative path stays in the site folder: the one check for every
    path the build writes or deletes (a tampered manifest names paths too)."""
    return (
        bool(path)
        and not path.startswith("/")
        and "\\" not in path
        and (".." not in path.split("/"))
    )


def category_dir(levels: Sequence[str]) -> str:
    return "c/" + "".join(name_slug(level) + "/" for level in levels)


@lru_cache(maxsize=65536)
def tag_dir(tag: str) -> str:
    return f"t/{name_slug(tag)}/"


def month_dir(local_iso: str) -> str:
    """`archive/YYYY/MM/` of a local time in ISO 8601, read off the string: the build
    asks for every article's month and keeps its times as text."""
    return f"archive/{local_iso[:4]}/{local_iso[5:7]}/"


def article_path(article_id: str, title: str, local: datetime) -> str:
    """`a/YYYY/MM/<title slug>-<short id>.html`: readable, unique, and stable while the
    title and date are."""
    slug = slugify(title, ARTICLE_SLUG_BYTES)
    short = article_id[:10]
    stem = f"{slug}-{short}" if slug else short
    return f"a/{local:%Y}/{local:%m}/{stem}.html"


def root_of(path: str) -> str:
    """The relative prefix from a page back to the site root (`""`, `"../"`, ...)."""
    return "../" * path.count("/")


_SAFE = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~/"
_QUOTED = [chr(b) if b in _SAFE else f"%{b:02X}" for b in range(256)]


def quote_path(path: str) -> str:
    """`urllib.parse.quote(path, safe="/")`, twice as fast: the sitemap quotes every page."""
    return "".join(map(_QUOTED.__getitem__, path.encode("utf-8")))


def absolute(base_url: str, path: str) -> str:
    """A page's URL for feeds and the sitemap: the base URL joined with the path."""
    return base_url.rstrip("/") + "/" + (path if path.isascii() else quote_path(path))


@dataclass(frozen=True)
class Pager:
    """One page of a paginated list."""

    path: str
    start: int  # slice of the newest-first list
    stop: int
    newer: str | None
    older: str | None
    number: int  # 0 for the first page, else counted from the oldest


def paginate(folder: str, count: int, size: int) -> list[Pager]:
    """Pages counted from the oldest, so adding articles never changes an older page.

    Page k (1-based) holds the k-th `size` articles counting from the oldest and
    never changes once full; the first page (`index.html`) holds the newest
    full page plus the newer articles not yet filling a page (size to 2*size-1).
    A new article then rewrites only the first page, where a list paginated
    from the newest would shift every page.
    """
    front = f"{folder}index.html"
    full = count // size
    if full <= 1:
        return [Pager(front, 0, count, None, None, 0)]

    def page(k: int) -> str:
        return f"{folder}page-{k}.html"

    first_stop = count - (full - 1) * size
    pagers = [Pager(front, 0, first_stop, None, page(full - 1), 0)]
    for k in range(full - 1, 0, -1):
        newer = front if k == full - 1 else page(k + 1)
        older = page(k - 1) if k > 1 else None
        pagers.append(Pager(page(k), count - k * size, count - (k - 1) * size, newer, older, k))
    return pagers
