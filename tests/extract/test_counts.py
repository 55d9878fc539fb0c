"""Text counts kept while dropping, and the ISO date fast path, agree with starting over."""

from __future__ import annotations

import warnings
from datetime import datetime

from dateutil import parser as dateutil_parser
from helpers.common import DATA
from lxml import etree

from newsmill.extract.dates import parse_date
from newsmill.extract.page import parse_html
from newsmill.htmltools import TextCounts, remove_junk


def _assert_counts_true(root: etree._Element, counts: TextCounts) -> None:
    fresh = TextCounts(root)
    for element in root.iter(etree.Element):
        assert counts[element] == fresh[element], (element.tag, element.get("class"))


def test_counts_stay_true_while_elements_are_dropped() -> None:
    for page in ("pages/sina-gbk.html", "pages/harbor-en.html", "extract/zh/163-news-1.html"):
        root = parse_html((DATA / page).read_bytes())
        counts = remove_junk(root)  # drops comments, scripts, chrome
        _assert_counts_true(root, counts)
        for element in list(root.iter("a", "li", "span", "b"))[::3]:
            if element.getparent() is not None:
                counts.drop(element)
        _assert_counts_true(root, counts)


def test_what_is_inside_a_link_is_link_text() -> None:
    root = parse_html(b"<html><body><div><a>ab <b>cd</b> ef</a><p>gh <b>ij</b></p></div></body>")
    counts = TextCounts(root)
    div = root.find(".//div")
    assert counts[div].text == 10 and counts[div].links == 6
    counts.drop(root.find(".//a/b"))
    assert counts[div].text == 8 and counts[div].links == 4
    _assert_counts_true(root, counts)


def test_iso_times_read_as_dateutil_reads_them() -> None:
    warnings.simplefilter("ignore")
    for value in (
        "2019-11-20T12:00:00+08:00", "2019-11-20T12:00:00Z", "2019-11-20T12:00:00.123-05:00",
        "2019-11-20 12:00+0530", "2019-11-20T12:00:00.5-00:00", "2019-11-20T12:00:00.123456Z",
    ):  # fmt: skip
        ours, theirs = parse_date(value), dateutil_parser.parse(value)
        assert isinstance(ours, datetime)
        assert (ours, ours.utcoffset(), str(ours)) == (theirs, theirs.utcoffset(), str(theirs))
    assert parse_date("2019-02-30T12:00:00Z") is None
