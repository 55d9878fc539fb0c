"""Lists held as JSON: API responses, JSONP, `var x = ...`, and objects in scripts.

An API response holds its list as an array of objects somewhere under a
wrapper (`data.list`, `result.data`); the array we want is the one whose
objects carry a URL and a title. Field names differ by site, so the fields are
chosen by what their values look like, with names as tie-breakers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from newsmill.listdates import looks_like_date
from newsmill.parse.listpage.model import ListError, ListItem, ListSelect
from newsmill.parse.listpage.text import absolute, squash, weight

_WRAPPER = re.compile(
    r"^\s*(?:(?:var|let|const)\s+[\w$.]+\s*=|export\s+default\s+(?:[\w$.]+\s*=\s*)?"
    r"|[\w$.]+\s*=|[\w$.]+\s*\()\s*"
)
_URL_NAMES = ("url", "link", "href", "pc_url", "weburl", "web_url", "pcurl", "docurl", "share_url")
# Variants of an article's URL that are not the web page: app and mobile deep
# links, raw attachments, media.
_URL_AVOID = re.compile(
    r"app|mobile|wap|raw|img|image|pic|thumb|video|avatar|icon|cover|logo", re.I
)
_TITLE_NAMES = ("title", "headline", "name", "topic", "subject", "digest")
_DATE_NAMES = re.compile(r"date|time|pub|created|ctime|mtime", re.I)
_MEDIA = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|mp4|mp3|pdf)(?:$|\?)", re.I)
_MIN_ITEMS = 2


@dataclass(slots=True)
class JsonList:
    """The chosen array, read into items, with the path and fields that find it again."""

    items: list[ListItem]
    select: ListSelect
    score: float


def unwrap(text: str) -> tuple[Any, bool]:
    """The JSON value of a response, and whether it was wrapped (JSONP and kin)."""
    stripped = text.strip().lstrip("\ufeff")
    if stripped[:1] in ("{", "["):
        try:
            return json.loads(stripped), False
        except ValueError:
            pass
    match = _WRAPPER.match(stripped)
    start = (
        match.end()
        if match
        else min((i for i in (stripped.find("{"), stripped.find("[")) if i >= 0), default=-1)
    )
    if start < 0:
        raise ListError("no JSON object or array in the document")
    try:
        value, _ = json.JSONDecoder().raw_decode(stripped[start:])
    except ValueError as error:
        raise ListError(f"not JSON, nor JSON in a callback or assignment: {error}") from None
    return value, True


def arrays(value: Any, path: str = "") -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Every array of objects in `value`, with its dot path."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from arrays(child, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        objects = [v for v in value if isinstance(v, dict)]
        if objects and len(objects) >= len(value) / 2:
            yield path, objects
        for i, child in enumerate(value[:50]):
            if isinstance(child, dict | list):
                yield from arrays(child, f"{path}.{i}" if path else str(i))


def field(obj: Any, path: str) -> Any:
    """The value at a dotted path inside `obj`, or None."""
    for key in path.split("."):
        if isinstance(obj, dict):
            obj = obj.get(key)
        elif isinstance(obj, list) and key.isdigit() and int(key) < len(obj):
            obj = obj[int(key)]
        else:
            return None
    return obj


def _string_fields(objects: list[dict[str, Any]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for obj in objects:
        for key, value in obj.items():
            if isinstance(value, str | int) and not isinstance(value, bool):
                found.setdefault(key, []).append(str(value))
    return found


def _url_field(fields: dict[str, list[str]], n: int, base_url: str) -> str | None:
    best, best_score = None, 0.0
    for key, values in fields.items():
        urls = [absolute(v, base_url) for v in values if v.strip().startswith(("http", "/"))]
        good = [u for u in urls if u and not _MEDIA.search(u)]
        if len(good) < n * 0.6:
            continue
        score = len(good) / n
        lowered = key.lower()
        if lowered in _URL_NAMES:
            score += 1.0 - _URL_NAMES.index(lowered) * 0.05
        elif "url" in lowered or "link" in lowered:
            score += 0.5
        if _URL_AVOID.search(lowered):
            score -= 0.8
        if score > best_score:
            best, best_score = key, score
    return best


def _title_field(fields: dict[str, list[str]], n: int, skip: str) -> str | None:
    best, best_score = None, 0.0
    for key, values in fields.items():
        if key == skip or len(values) < n * 0.6:
            continue
        if sum(v.startswith(("http", "/")) for v in values) > len(values) / 2:
            continue
        mean = sum(min(weight(v), 120) for v in values) / n
        if mean < 6:
            continue
        score = mean
        if key.lower() in _TITLE_NAMES:
            # A field named title is the title even when a digest beside it is longer.
            score += 1000 - _TITLE_NAMES.index(key.lower()) * 100
        if score > best_score:
            best, best_score = key, score
    return best


def _date_field(fields: dict[str, list[str]], n: int) -> str | None:
    """A date-named field whose values read as dates; one named `date` over a bare time."""
    named = [
        key
        for key, values in fields.items()
        if _DATE_NAMES.search(key) and sum(looks_like_date(v) for v in values) >= n * 0.6
    ]
    named.sort(key=lambda key: "date" not in key.lower())
    return named[0] if named else None


def read_array(
    objects: list[dict[str, Any]],
    base_url: str,
    url_key: str,
    title_key: str,
    date_key: str,
    summary_key: str = "",
) -> list[ListItem]:
    """Items from the array's objects, one per URL, in order."""
    items: list[ListItem] = []
    seen: set[str] = set()
    for obj in objects:
        url = absolute(str(field(obj, url_key) or ""), base_url)
        if url is None or url in seen:
            continue
        seen.add(url)
        title = squash(str(field(obj, title_key) or "")) if title_key else ""
        raw_date = field(obj, date_key) if date_key else None
        date = None if raw_date is None or raw_date == "" else str(raw_date)
        summary = squash(str(field(obj, summary_key) or "")) if summary_key else ""
        items.append(ListItem(url, title, date, summary or None))
    return items


def find_json_list(value: Any, base_url: str) -> JsonList | None:
    """The array of objects with a URL and a title that carries the most title text."""
    best: JsonList | None = None
    for path, objects in arrays(value):
        n = len(objects)
        if n < _MIN_ITEMS:
            continue
        fields = _string_fields(objects)
        url_key = _url_field(fields, n, base_url)
        if url_key is None:
            continue
        title_key = _title_field(fields, n, url_key)
        if title_key is None:
            continue
        date_key = _date_field(fields, n) or ""
        items = read_array(objects, base_url, url_key, title_key, date_key)
        score = sum(min(weight(i.title), 90) for i in items) * (1.2 if date_key else 1.0)
        if best is None or score > best.score:
            best = JsonList(items, ListSelect(path, url_key, title_key, date_key), score)
    return best
