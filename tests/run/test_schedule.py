"""Adaptive polling intervals, backoff and jitter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsmill.run.schedule import (
    ScheduleSettings,
    SourceHints,
    backoff_interval,
    hints_from_response,
    jittered,
    next_interval,
)

SETTINGS = ScheduleSettings(interval=1800, min_interval=300, max_interval=6 * 3600, jitter=0.1)
T0 = datetime(2026, 11, 28, tzinfo=UTC)


def every(minutes: float, count: int = 10) -> list[datetime]:
    return [T0 + timedelta(minutes=minutes * i) for i in range(count)]


def test_busy_feeds_are_polled_more_often_than_idle_ones() -> None:
    busy = next_interval(SETTINGS, every(20), SourceHints())
    idle = next_interval(SETTINGS, every(60 * 24 * 3), SourceHints())
    unknown = next_interval(SETTINGS, [], SourceHints())
    assert busy == 600  # half the typical gap
    assert idle == 6 * 3600  # capped at max_interval
    assert unknown == 1800
    assert next_interval(SETTINGS, every(1), SourceHints()) == 300  # floored at min_interval


def test_what_the_source_asks_for_is_a_floor() -> None:
    assert next_interval(SETTINGS, every(20), SourceHints(ttl_seconds=3600)) == 3600
    assert next_interval(SETTINGS, every(20), SourceHints(max_age_seconds=7200)) == 7200
    # a source asking for more than max_interval gets it: it knows its own schedule
    assert next_interval(SETTINGS, every(20), SourceHints(update_period_seconds=86400)) == 86400
    assert next_interval(SETTINGS, every(20), SourceHints(), configured=900) == 900


def test_hints_from_headers_and_feed() -> None:
    body = b"<rss><channel><sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>"
    hints = hints_from_response({"cache-control": "public, max-age=600"}, body, ttl_minutes=15)
    assert hints == SourceHints(ttl_seconds=900, update_period_seconds=1800, max_age_seconds=600)


def test_backoff_doubles_and_honours_retry_after() -> None:
    assert [backoff_interval(SETTINGS, n, None) for n in (1, 2, 3)] == [300, 600, 1200]
    assert backoff_interval(SETTINGS, 20, None) == 4 * 6 * 3600
    assert backoff_interval(SETTINGS, 1, 5000) == 5000


def test_jitter_is_stable_per_source_and_spreads_sources() -> None:
    assert jittered("a", 1000, SETTINGS) == jittered("a", 1000, SETTINGS)
    spread = {round(jittered(f"src-{i}", 1000, SETTINGS)) for i in range(20)}
    assert len(spread) > 10 and all(900 <= s <= 1100 for s in spread)
