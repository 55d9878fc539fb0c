"""Publish times as pages show them: ISO in meta tags, and the many Chinese forms in text.

A time without an offset is read in the page's zone (Beijing time for Chinese
pages), because that is what the page meant; the result is always aware.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser
from dateutil import tz as dateutil_tz

SHANGHAI = ZoneInfo("Asia/Shanghai")

# 2026年11月28日 08:07, 2026-11-28 08:07:44, 2026/11/28 08:07, 2026.11.28 8:07, and a
# zone where one is named: "2012年12月10日, 格林尼治标准时间10:41", "10:41 GMT".
_ZONE = r"格林[尼威]治(?:标准)?时间|北京时间|GMT|UTC"
_FULL = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[年\-/.]\s*(?P<m>\d{1,2})\s*[月\-/.]\s*(?P<d>\d{1,2})\s*日?"
    rf"(?:(?:[,，]?\s?(?P<zone>{_ZONE}))?\s*(?:T|\s)?\s*"
    r"(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{2})(?:\s*[:：分]\s*(?P<S>\d{2}))?"
    rf"(?:\s?(?P<zone_after>GMT|UTC)\b)?)?"
)

# 11-28 08:07 or 11月28日 08:07, the year given elsewhere (URL, copyright line)
_SHORT = re.compile(
    r"(?<![\d\-/.])(?P<m>\d{1,2})\s*[月\-/]\s*(?P<d>\d{1,2})\s*日?\s+(?P<H>\d{1,2})[:：](?P<M>\d{2})"
    r"(?:[:：](?P<S>\d{2}))?"
)
_YEAR_IN_URL = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:[/\-_]?)(\d{2})(?:[/\-_]?)(\d{2})?(?!\d)")
# Words that introduce the publish time on Chinese and English pages.
_CUE = re.compile(
    r"发布时间|发布于|发表于|时间[:：]|日期[:：]|更新时间|Published|Updated|Posted", re.I
)


def _build(groups: dict[str, str | None], year: int, tz: tzinfo) -> datetime | None:
    zone = groups.get("zone") or groups.get("zone_after") or ""
    if zone:
        tz = SHANGHAI if zone == "北京时间" else UTC
    try:
        return datetime(
            year,
            int(groups["m"] or 0),
            int(groups["d"] or 0),
            int(groups.get("H") or 0),
            int(groups.get("M") or 0),
            int(groups.get("S") or 0),
            tzinfo=tz,
        )
    except (TypeError, ValueError):
        return None


_ENDS_IN_OFFSET = re.compile(r"[+-]\d{2}:?\d{2}$|Z$")
# What meta tags and JSON-LD nearly always hold: 2019-11-20T12:00:00.000+08:00.
_ISO_WITH_OFFSET = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})[T ](?P<H>\d{2}):(?P<M>\d{2})"
    r"(?::(?P<S>\d{2})(?:\.(?P<f>\d{1,6}))?)?"
    r"(?:(?P<utc>Z)|(?P<sign>[+-])(?P<oh>\d{2}):?(?P<om>\d{2}))$"
)


def _from_iso(match: re.Match[str]) -> datetime | None:
    """An ISO 8601 time with its offset, read as dateutil reads it, at a fraction of
    dateutil's cost. (Same tzinfo classes, except that dateutil gives tzlocal() for
    a UTC time on a machine whose zone is UTC: the same instant and offset.)"""
    offset = 0
    if not match["utc"]:
        offset = (int(match["oh"]) * 60 + int(match["om"])) * 60
        offset = -offset if match["sign"] == "-" else offset
    try:
        zone = dateutil_tz.UTC if offset == 0 else dateutil_tz.tzoffset(None, offset)
        return datetime(
            int(match["y"]), int(match["m"]), int(match["d"]), int(match["H"]), int(match["M"]),
            int(match["S"] or 0), int((match["f"] or "0").ljust(6, "0")), tzinfo=zone,
        )  # fmt: skip
    except ValueError:
        return None


def parse_date(value: str, tz: tzinfo = SHANGHAI) -> datetime | None:
    """Any single date string: ISO 8601, RFC 822, Chinese forms; aware in `tz` if naive."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit() and len(value) in (10, 13):  # Unix seconds or milliseconds
        seconds = int(value) / (1000 if len(value) == 13 else 1)
        try:
            return datetime.fromtimestamp(seconds, tz)
        except (OverflowError, OSError, ValueError):
            return None
    match = _FULL.search(value)
    if match and not _ENDS_IN_OFFSET.search(value):
        return _build(match.groupdict(), int(match.group("y")), tz)
    if iso := _ISO_WITH_OFFSET.match(value):
        return _from_iso(iso)
    try:
        parsed = dateutil_parser.parse(value, fuzzy=False)
    except (ValueError, OverflowError, TypeError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def has_time(value: datetime) -> bool:
    """False for a date read without a time of day (held at midnight)."""
    return (value.hour, value.minute, value.second) != (0, 0, 0)


def year_hint(url: str) -> int | None:
    match = _YEAR_IN_URL.search(url)
    return int(match.group(1)) if match else None


def first_time_span(text: str) -> tuple[int, int] | None:
    """Where the first date with a time of day stands in `text`."""
    for match in _FULL.finditer(text):
        if match.group("H"):
            return match.span()
    return None


def find_date_in_text(text: str, tz: tzinfo, year: int | None = None) -> datetime | None:
    """The publish time shown in page text, most trustworthy form first: a full date
    with a time after a cue word, then the first full date with a time, then a
    short `11-28 08:07` (the year from the URL), then the first date alone."""
    for cue in _CUE.finditer(text):
        window = text[cue.end() : cue.end() + 60]
        match = _FULL.search(window)
        if match and match.group("H"):
            return _build(match.groupdict(), int(match.group("y")), tz)
    date_only: datetime | None = None
    for match in _FULL.finditer(text):
        found = _build(match.groupdict(), int(match.group("y")), tz)
        if found is None:
            continue
        if match.group("H"):
            return found
        date_only = date_only or found
    if year and (short := _SHORT.search(text)):
        found = _build(short.groupdict(), year, tz)
        if found is not None:
            return found
    return date_only
