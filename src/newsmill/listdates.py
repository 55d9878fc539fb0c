"""Dates as list pages show them: absolute, yearless, relative, or epoch numbers.

A list page prints what fits a column: `05-20 13:15`, `昨天 08:00`, `3分钟前`,
`5 hours ago`, a Unix number in a JSON field. Each reading needs a reference
time (the fetch) and the site's zone; text that is not one of these forms gives
None, never a guess, because an invented date would reorder the archive.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo

__all__ = ["looks_like_date", "parse_list_date"]

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}
_TIME = r"(?:[T\s]*(?P<h>\d{1,2})[:：时](?P<mi>\d{2})(?:[:：分](?P<s>\d{2}))?)?"
_FULL = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?" + _TIME
)
_COMPACT = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)")
_YEARLESS = re.compile(r"(?<![\d-])(?P<m>\d{1,2})\s*[-/月]\s*(?P<d>\d{1,2})\s*日?" + _TIME)
_DAYWORD = re.compile(r"(?P<w>今天|今日|昨天|昨日|前天)\s*(?:(?P<h>\d{1,2})[:：](?P<mi>\d{2}))?")
_AGO_ZH = re.compile(r"(?P<n>\d+)\s*(?P<u>秒|分钟|分|小时|个小时|天|日|周|星期|个月|月)前")
_AGO_EN = re.compile(
    r"(?P<n>\d+|an?|one)\s*(?P<u>sec|second|min|minute|hour|hr|day|week|month)s?\s+ago", re.I
)
_EN_MDY = re.compile(
    r"(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d{2})"
)
_EN_DMY = re.compile(
    r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<mon>[A-Za-z]{3,9})\.?,?\s+(?P<y>(?:19|20)\d{2})"
)
_UNITS = {
    "秒": timedelta(seconds=1),
    "sec": timedelta(seconds=1),
    "second": timedelta(seconds=1),
    "分钟": timedelta(minutes=1),
    "分": timedelta(minutes=1),
    "min": timedelta(minutes=1),
    "minute": timedelta(minutes=1),
    "小时": timedelta(hours=1),
    "个小时": timedelta(hours=1),
    "hour": timedelta(hours=1),
    "hr": timedelta(hours=1),
    "天": timedelta(days=1),
    "日": timedelta(days=1),
    "day": timedelta(days=1),
    "周": timedelta(weeks=1),
    "星期": timedelta(weeks=1),
    "week": timedelta(weeks=1),
    "个月": timedelta(days=30),
    "月": timedelta(days=30),
    "month": timedelta(days=30),
}
_JUST_NOW = ("刚刚", "刚才", "just now")
_DAY_OFFSET = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}
# Unix seconds between 1990 and 2100, and the same in milliseconds.
_EPOCH_S = (631152000, 4102444800)


def _local(moment: datetime, zone: tzinfo) -> datetime:
    return moment.astimezone(zone) if moment.tzinfo else moment.replace(tzinfo=zone)


def _build(
    zone: tzinfo, y: int, m: int, d: int, h: str | None, mi: str | None, s: str | None
) -> datetime | None:
    try:
        return datetime(y, m, d, int(h or 0), int(mi or 0), int(s or 0), tzinfo=zone)
    except ValueError:
        return None


def _epoch(value: int) -> datetime | None:
    if _EPOCH_S[0] <= value < _EPOCH_S[1]:
        return datetime.fromtimestamp(value, UTC)
    if _EPOCH_S[0] * 1000 <= value < _EPOCH_S[1] * 1000:
        return datetime.fromtimestamp(value / 1000, UTC)
    return None


def _yearless_ok(found: re.Match[str]) -> bool:
    """`5月20日`, `05-20`, `05/20 13:15` are dates; `1/5` (the first of five photos) is not."""
    whole = found.group(0)
    if "月" in whole or found.group("h"):
        return True
    return len(found.group("m")) == 2 and len(found.group("d")) == 2


def parse_list_date(
    shown: str | int | float | None, now: datetime, zone: tzinfo = UTC
) -> datetime | None:
    """The moment a list page's date text means, read in `zone` relative to `now`.

    A date without a year takes the most recent year that does not put it in the
    future; relative forms count back from `now`. Returns an aware datetime, or
    None when the text is none of the forms list pages use.
    """
    if shown is None or isinstance(shown, bool):
        return None
    if isinstance(shown, int | float):
        return _epoch(int(shown))
    text = " ".join(shown.split())
    if not text:
        return None
    ref = _local(now, zone)
    if text.isdigit() and len(text) in (10, 13):
        return _epoch(int(text))
    if found := _FULL.search(text):
        g = found.groupdict()
        return _build(zone, int(g["y"]), int(g["m"]), int(g["d"]), g["h"], g["mi"], g["s"])
    if found := (_EN_MDY.search(text) or _EN_DMY.search(text)):
        month = _MONTHS.get(found["mon"].lower())
        if month:
            return _build(zone, int(found["y"]), month, int(found["d"]), None, None, None)
    if any(word in text.lower() for word in _JUST_NOW):
        return ref
    if found := _AGO_ZH.search(text):
        return ref - int(found["n"]) * _UNITS[found["u"]]
    if found := _AGO_EN.search(text):
        n = found["n"].lower()
        count = 1 if n in ("a", "an", "one") else int(n)
        return ref - count * _UNITS[found["u"].lower()]
    if found := _DAYWORD.search(text):
        day = (ref - timedelta(days=_DAY_OFFSET[found["w"]])).date()
        return _build(zone, day.year, day.month, day.day, found["h"], found["mi"], None)
    if found := _COMPACT.search(text):
        return _build(zone, int(found["y"]), int(found["m"]), int(found["d"]), None, None, None)
    if (found := _YEARLESS.search(text)) and _yearless_ok(found):
        g = found.groupdict()
        for year in (ref.year, ref.year - 1):
            moment = _build(zone, year, int(g["m"]), int(g["d"]), g["h"], g["mi"], g["s"])
            if moment is not None and moment <= ref + timedelta(minutes=1):
                return moment
        return None
    if re.fullmatch(r"(?:今天\s*)?(\d{1,2})[:：](\d{2})", text):
        h, mi = re.split(r"[:：]", text.replace("今天", "").strip())
        return _build(zone, ref.year, ref.month, ref.day, h, mi, None)
    return None


# What may surround a date in a list's date element: labels, units, month names.
_DATE_WORDS = re.compile(
    r"发布时间|发布于|发布|更新|时间|日期|来源|今天|今日|昨天|昨日|前天|刚刚|刚才|[年月日时分秒前天周星期小钟个]"
    r"|ago|just|now|posted|published|updated|on|at|an?|hours?|hrs?|minutes?|mins?|seconds?|secs?"
    r"|days?|weeks?|months?|jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|jul\w*|aug\w*|sep\w*|oct\w*"
    r"|nov\w*|dec\w*|am|pm|utc|gmt|cst|th|st|nd|rd",
    re.I,
)
# Letters and ideographs left after the date words: a label fits, a title does not.
_LEFTOVER = 8


def looks_like_date(text: str) -> bool:
    """Whether short text reads as a date, whatever the reference time; a title that
    merely contains a date (`2024年5月20日国务院常务会议`) does not."""
    if len(text) > 40:
        return False
    rest = _DATE_WORDS.sub("", text)
    if sum(ch.isalpha() for ch in rest) > _LEFTOVER:
        return False
    probe = datetime(2030, 1, 1, tzinfo=UTC)
    return parse_list_date(text, probe, UTC) is not None
