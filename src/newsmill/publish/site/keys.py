"""Page keys and article versions: short hashes that change whenever what they stand for does."""

from __future__ import annotations

import hashlib
from dataclasses import fields

from newsmill.model import Article

# Not shown on any page, so a change to them alone re-renders nothing.
_UNSHOWN = frozenset({"fetched"})
_FIELDS: dict[type, tuple[str, ...]] = {}


def digest(*parts: object) -> str:
    """A page key: strings are hashed as they are (long ones cost no repr), the rest by repr."""
    hashed = hashlib.blake2b(digest_size=12)
    for part in parts:
        if isinstance(part, str):
            hashed.update(part.encode("utf-8", "surrogatepass"))
        elif isinstance(part, tuple):
            try:  # a tuple of strings, joined (join refuses anything else)
                joined = "\x1f".join(part)
            except TypeError:
                joined = None
            if joined is None:
                hashed.update(repr(part).encode("utf-8", "surrogatepass"))
            else:
                hashed.update(joined.encode("utf-8", "surrogatepass"))
                hashed.update(b"\x1e%d" % len(part))
        else:
            hashed.update(repr(part).encode("utf-8", "surrogatepass"))
        hashed.update(b"\x00")
    return hashed.hexdigest()


def article_version(article: Article) -> str:
    """Changes whenever any shown field of the article does (long strings hashed without repr)."""
    values = [getattr(article, name) for name in _shown_fields(type(article))]
    texts = tuple(v if isinstance(v, str) else "" for v in values)
    others = tuple("<str>" if isinstance(v, str) else v for v in values)
    return digest(texts, others)


def _shown_fields(kind: type) -> tuple[str, ...]:
    """Every field of the article type but the unshown ones, so a field added to
    Article later (cluster, duplicate_of) is part of every page key at once."""
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in fields(kind) if f.name not in _UNSHOWN)
    return names


def versions_digest(versions: list[tuple[str, str]]) -> str:
    """One key for the whole archive as a build saw it: every article's id and version,
    in order. Equal digests, equal site settings: nothing a page shows has changed."""
    hashed = hashlib.blake2b(digest_size=16)
    hashed.update("\x1e".join(f"{i}\x1f{v}" for i, v in versions).encode("utf-8", "surrogatepass"))
    return hashed.hexdigest()
