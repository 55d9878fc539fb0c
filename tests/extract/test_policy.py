"""The full-text policy: which feed items are teasers."""

from __future__ import annotations

import pytest

from newsmill.extract.policy import needs_full_text
from newsmill.model import Entry

LONG = "<p>" + "市场监管部门表示，将持续加强对重点行业的价格监测和执法检查。" * 20 + "</p>"


def entry(content: str = "", summary: str = "", link: str = "https://n.example/a") -> Entry:
    return Entry(guid="g", link=link, title="t", content_html=content, summary_html=summary)


@pytest.mark.parametrize(
    ("item", "policy", "expected"),
    [
        (entry(content=LONG), "auto", False),
        (entry(summary=LONG), "auto", False),  # a long description is the article
        (entry(summary="<p>Short teaser about the budget.</p>"), "auto", True),
        (entry(content=LONG + "<p>……阅读全文</p>"), "auto", True),
        (entry(content=LONG[:-4] + "...</p>"), "auto", True),
        (entry(content=LONG + '<p><a href="/a">Read more »</a></p>'), "auto", True),
        (entry(), "auto", True),
        (entry(content=LONG), "always", True),
        (entry(summary="teaser"), "never", False),
        (entry(summary="teaser", link=""), "always", False),
    ],
)
def test_policy(item: Entry, policy: str, expected: bool) -> None:
    assert needs_full_text(item, policy) is expected
