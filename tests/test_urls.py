"""Canonical URLs and content hashes: the exact-duplicate keys."""

from __future__ import annotations

import pytest

from newsmill.dedupe import content_hash
from newsmill.urls import canonical_url, strip_tracking


@pytest.mark.parametrize(
    "variant",
    [
        "https://www.news.example/a/1.html",
        "http://news.example/a/1.html",
        "https://NEWS.example:443/a/1.html#comments",
        "https://news.example/a/1.html?utm_source=rss&utm_medium=feed",
        "https://news.example/a/1.html?spm=a1.b2&fbclid=xyz&_=1795000000",
    ],
)
def test_variants_of_one_link_share_a_key(variant: str) -> None:
    assert canonical_url(variant) == "https://news.example/a/1.html"


def test_meaningful_query_parameters_stay_and_are_ordered() -> None:
    assert (
        canonical_url("https://n.example/read?p=2&id=7&utm_campaign=x")
        == "https://n.example/read?id=7&p=2"
    )
    assert canonical_url("https://n.example:8080/x") == "https://n.example:8080/x"
    assert canonical_url("https://a.example/x") != canonical_url("https://b.example/x")


def test_strip_tracking_leaves_the_rest_of_a_link_alone() -> None:
    assert strip_tracking("https://n.example/a?b=1&utm_source=x") == "https://n.example/a?b=1"
    assert strip_tracking("mailto:x@example.com") == "mailto:x@example.com"


def test_content_hash_ignores_markup_spacing_and_width() -> None:
    assert content_hash("标题", "第一段，正文。") == content_hash("标题", "第一段,  正文.")
    assert content_hash("Title", "Body text.") == content_hash("title", "body   text")
    assert content_hash("Title", "Body text.") != content_hash("Title", "Other text.")
