"""The one rule for dates an item can have, and conversions that never overflow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from newsmill.dates import EARLIEST, in_zone, plausible, shifted

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def test_zero_times_epoch_and_far_future_are_no_date() -> None:
    assert plausible(datetime(1, 1, 1, tzinfo=UTC), NOW) is None  # Go's zero time
    assert plausible(datetime(1970, 1, 1, tzinfo=UTC), NOW) is None  # the Unix epoch
    assert plausible(datetime(1989, 12, 31, 23, 59, tzinfo=UTC), NOW) is None
    assert plausible(NOW + timedelta(days=1, seconds=1), NOW) is None
    assert (
        plausible(datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-12))), NOW)
        is None
    )
    assert plausible(None, NOW) is None


def test_a_true_date_is_kept_in_utc_and_naive_reads_as_utc() -> None:
    east = datetime(2024, 5, 20, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert plausible(east, NOW) == datetime(2024, 5, 20, 0, 0, tzinfo=UTC)
    assert plausible(east, NOW).tzinfo is UTC  # type: ignore[union-attr]
    assert plausible(datetime(2024, 5, 20, 8, 0), NOW) == datetime(2024, 5, 20, 8, 0, tzinfo=UTC)
    assert plausible(EARLIEST, NOW) == EARLIEST
    assert plausible(NOW + timedelta(hours=23), NOW) == NOW + timedelta(hours=23)


def test_conversions_at_the_ends_of_the_range_do_not_raise() -> None:
    first = datetime(1, 1, 1, tzinfo=UTC)
    last = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
    assert in_zone(first, ZoneInfo("America/Los_Angeles")).year == 1
    assert in_zone(last, ZoneInfo("Asia/Shanghai")).year == 9999
    assert in_zone(NOW, ZoneInfo("Asia/Shanghai")).hour == 20  # ordinary times convert as usual
    assert shifted(first, -timedelta(days=7)) == datetime.min.replace(tzinfo=UTC)
    assert shifted(last, timedelta(days=7)) == datetime.max.replace(tzinfo=UTC)
    assert shifted(NOW, timedelta(days=7)) == NOW + timedelta(days=7)
