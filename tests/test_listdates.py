"""Dates as list pages show them, read against a reference time and zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from newsmill.listdates import looks_like_date, parse_list_date

CST = timezone(timedelta(hours=8))
NOW = datetime(2024, 5, 20, 14, 0, tzinfo=CST)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CST)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("2024-05-20 13:15", at(2024, 5, 20, 13, 15)),
        ("2024-05-20 13:15:09", at(2024, 5, 20, 13, 15, 9)),
        ("2024/05/20", at(2024, 5, 20)),
        ("[ 2021-05-19 ]", at(2021, 5, 19)),
        ("2024年5月20日", at(2024, 5, 20)),
        ("2024年5月20日 08:30", at(2024, 5, 20, 8, 30)),
        ("发布时间：2024-05-20", at(2024, 5, 20)),
        ("05-20 13:15", at(2024, 5, 20, 13, 15)),
        ("5月19日", at(2024, 5, 19)),
        ("今天 13:15", at(2024, 5, 20, 13, 15)),
        ("昨天 08:00", at(2024, 5, 19, 8, 0)),
        ("前天", at(2024, 5, 18)),
        ("刚刚", NOW),
        ("3分钟前", NOW - timedelta(minutes=3)),
        ("1小时前", NOW - timedelta(hours=1)),
        ("2天前", NOW - timedelta(days=2)),
        ("5 hours ago", NOW - timedelta(hours=5)),
        ("an hour ago", NOW - timedelta(hours=1)),
        ("May 20, 2024", at(2024, 5, 20)),
        ("20 May 2024", at(2024, 5, 20)),
        ("Sept. 3, 2019", at(2019, 9, 3)),
    ],
)
def test_forms_list_pages_show(shown: str, expected: datetime) -> None:
    assert parse_list_date(shown, NOW, CST) == expected


def test_a_yearless_date_is_the_most_recent_one_not_in_the_future() -> None:
    # On 20 May, "12-31" is last New Year's Eve, not this year's.
    assert parse_list_date("12-31 23:00", NOW, CST) == at(2023, 12, 31, 23, 0)
    assert parse_list_date("05-20 13:59", NOW, CST) == at(2024, 5, 20, 13, 59)
    assert parse_list_date("05-20 15:00", NOW, CST) == at(2023, 5, 20, 15, 0)


def test_unix_seconds_and_milliseconds_as_numbers_or_digit_strings() -> None:
    moment = datetime(2024, 5, 20, 5, 15, tzinfo=UTC)
    seconds = int(moment.timestamp())
    assert parse_list_date(seconds, NOW, CST) == moment
    assert parse_list_date(str(seconds), NOW, CST) == moment
    assert parse_list_date(seconds * 1000, NOW, CST) == moment
    assert parse_list_date(str(seconds * 1000), NOW, CST) == moment


def test_the_date_is_read_in_the_site_zone() -> None:
    read = parse_list_date("2024-05-20 08:00", NOW, CST)
    assert read is not None and read.astimezone(UTC) == datetime(2024, 5, 20, 0, 0, tzinfo=UTC)
    assert parse_list_date("3分钟前", NOW.astimezone(UTC), CST) == NOW - timedelta(minutes=3)


@pytest.mark.parametrize(
    "shown",
    ["", "   ", "阅读全文", "Read more", "13-45", "2024-13-40", "12345", "99999999999", None, True],
)
def test_text_that_is_no_date_gives_none(shown: str | None) -> None:
    assert parse_list_date(shown, NOW, CST) is None


def test_looks_like_date_rejects_titles() -> None:
    assert looks_like_date("2024-05-20")
    assert looks_like_date("3小时前")
    assert not looks_like_date("国务院常务会议部署进一步优化营商环境的政策措施")
    assert not looks_like_date("x" * 50 + " 2024-05-20")


def test_a_counter_is_no_yearless_date() -> None:
    assert parse_list_date("1/5", NOW, CST) is None
    assert parse_list_date("05/19", NOW, CST) == at(2024, 5, 19)


def test_a_title_that_contains_a_date_does_not_look_like_one() -> None:
    assert not looks_like_date("2024年5月20日国务院召开常务会议")
    assert not looks_like_date("Release notes for May 20, 2024 build")
    assert looks_like_date("发布时间：2024-05-20")
    assert looks_like_date("Posted on May 20, 2024")
