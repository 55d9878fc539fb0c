"""What counts as a date, and time arithmetic that cannot overflow.

Real feeds carry dates that cannot be true: Go's zero time (`0001-01-01T00:00:00Z`,
`Mon, 01 Jan 0001`), Unix's 1970 epoch, placeholders in 2099. Stored as
they are, a year-1 date overflowed the deduper's window arithmetic and stopped
every later run. `plausible` is the one rule: `run.items.build_article` applies
it when an entry becomes an article, and store migration v7 applied it to the
rows stored before.

The other helpers are for code that converts or shifts any datetime it is
handed (writers, the deduper): at the ends of Python's range, `astimezone` and
`+ timedelta` raise OverflowError, and one such article must not stop an output.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

# No news feed, archive or page of the web dates an item before this; earlier
# dates are defaults (0001-01-01, 1970-01-01) and typing errors.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
# A date this far past the fetch is wrong or hostile: it would pin the item to
# the top of every list for years. A day covers any time zone mistake.
FUTURE_TOLERANCE = timedelta(days=1)

_MIN = datetime.min.replace(tzinfo=UTC)
_MAX = datetime.max.replace(tzinfo=UTC)
_MARGIN = timedelta(days=2)  # more than any UTC offset


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive one is read as UTC (the feed gave no zone)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # year 1 east of UTC, year 9999 west of it
        return _MIN if moment.year == 1 else _MAX


def plausible(moment: datetime | None, now: datetime) -> datetime | None:
    """`moment` in UTC if it can be a news item's date, else None (no date).

    Not before 1990 and not more than a day after `now` (the fetch time).
    """
    if moment is None:
        return None
    utc = as_utc(moment)
    if utc < EARLIEST or utc > now + FUTURE_TOLERANCE:
        return None
    return utc


def shifted(moment: datetime, delta: timedelta) -> datetime:
    """`moment + delta`, held at the ends of the representable range instead of raising."""
    try:
        return moment + delta
    except OverflowError:
        return _MAX if delta > timedelta(0) else _MIN


def in_zone(moment: datetime, zone: tzinfo) -> datetime:
    """`moment` as a local time of `zone`; a moment so near the ends of the range that
    the zone's offset would leave it is first moved inside (by at most two days)."""
    try:
        return moment.astimezone(zone)
    except OverflowError:
        utc = as_utc(moment)
        inside = _MIN + _MARGIN if utc < EARLIEST else _MAX - _MARGIN
        return inside.astimezone(zone)
