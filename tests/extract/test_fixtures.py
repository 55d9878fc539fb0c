"""Quality gate: the extractor on the fixture pages in the markup of real news sites."""

from __future__ import annotations

from helpers.common import DATA

from newsmill.extract.evaluate import score_fixtures


def test_chinese_news_pages_meet_the_targets() -> None:
    scores = score_fixtures(DATA / "extract", "zh")
    assert scores is not None and scores["pages"] >= 30
    assert scores["char_f1"] >= 0.98
    assert scores["title"] >= 0.97
    assert scores["time"] >= 0.95
    assert scores["people"] >= 0.80
    assert scores["leaked"] <= 0.05


def test_english_news_pages() -> None:
    scores = score_fixtures(DATA / "extract", "en")
    assert scores is not None and scores["pages"] >= 8
    assert scores["char_f1"] >= 0.95
    assert scores["title"] >= 0.9
    assert scores["leaked"] <= 0.05
