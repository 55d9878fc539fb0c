"""When each source is next due: adapted to how often it publishes, within bounds.

A busy wire feed is polled often, a weekly blog rarely; what the source asks
for (RSS ttl, sy:updatePeriod, Cache-Control max-age, Retry-After) sets a
floor; failures back off exponentially; a stable per-source jitter keeps the
sources of one host from firing together.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*(\d+)", re.IGNORECASE)
_UPDATE_PERIOD = re.compile(rb"<sy:updatePeriod>\s*(\w+)\s*</sy:updatePeriod>", re.IGNORECASE)
_UPDATE_FREQUENCY = re.compile(rb"<sy:updateFrequency>\s*(\d+)\s*</sy:updateFrequency>", re.I)
_PERIOD_SECONDS = {b"hourly": 3600, b"daily": 86400, b"weekly": 604800, b"monthly": 2592000,
                   b"yearly": 31536000}  # fmt: skip


@dataclass(frozen=True)
class ScheduleSettings:
    interval: float = 1800.0  # when nothing is known about a source
    min_interval: float = 300.0
    max_interval: float = 6 * 3600.0
    jitter: float = 0.1  # share of the interval
    disable_after: int = 10  # consecutive failures; 0 never disables


@dataclass(frozen=True)
class SourceHints:
    """What a fetch told about how often to come back."""

    ttl_seconds: float | None = None
    update_period_seconds: float | None = None
    max_age_seconds: float | None = None
    retry_after_seconds: float | None = None


def hints_from_response(
    headers: dict[str, str], body: bytes, ttl_minutes: int | None
) -> SourceHints:
    max_age = None
    if cache := _MAX_AGE.search(headers.get("cache-control", "")):
        max_age = float(cache.group(1))
    period = None
    if match := _UPDATE_PERIOD.search(body[:20000]):
        seconds = _PERIOD_SECONDS.get(match.group(1).lower())
        frequency = _UPDATE_FREQUENCY.search(body[:20000])
        count = int(frequency.group(1)) if frequency else 1
        if seconds:
            period = seconds / max(count, 1)
    return SourceHints(
        ttl_seconds=ttl_minutes * 60.0 if ttl_minutes else None,
        update_period_seconds=period,
        max_age_seconds=max_age,
    )


def publishing_gap(published: Sequence[datetime]) -> float | None:
    """The typical time between a source's items (median gap of the last 20)."""
    times = sorted(published)[-20:]
    if len(times) < 3:
        return None
    gaps = sorted((b - a).total_seconds() for a, b in itertools.pairwise(times))
    gaps = [g for g in gaps if g > 0]
    return gaps[len(gaps) // 2] if gaps else None


def next_interval(
    settings: ScheduleSettings, published: Sequence[datetime], hints: SourceHints,
    configured: float | None = None,
) -> float:  # fmt: skip
    """Seconds until the next poll after a successful fetch."""
    if configured:
        base = configured
    else:
        gap = publishing_gap(published)
        # Poll about twice per typical gap, so a new item waits half a gap at most.
        base = gap / 2 if gap else settings.interval
    floor = max(
        settings.min_interval,
        hints.ttl_seconds or 0,
        hints.update_period_seconds or 0,
        hints.max_age_seconds or 0,
    )
    return min(max(base, floor), max(settings.max_interval, floor))


def backoff_interval(settings: ScheduleSettings, failures: int, retry_after: float | None) -> float:
    """Seconds until the next try after `failures` consecutive failures."""
    base = settings.min_interval * (2 ** max(failures - 1, 0))
    return min(max(base, retry_after or 0), max(settings.max_interval * 4, retry_after or 0))


def jittered(name: str, seconds: float, settings: ScheduleSettings) -> float:
    """A stable offset per source: the same source always lands at the same phase."""
    digest = hashlib.sha256(name.encode()).digest()
    fraction = int.from_bytes(digest[:4], "big") / 2**32  # 0..1
    return seconds * (1 + settings.jitter * (2 * fraction - 1))


def due_at(now: datetime, seconds: float) -> datetime:
    return now + timedelta(seconds=seconds)
