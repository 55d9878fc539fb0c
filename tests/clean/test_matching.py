"""The fast paths of rule matching give what the slow, obvious ones give."""

from __future__ import annotations

import re

import lxml.html
from lxml.cssselect import CSSSelector

from newsmill.clean.rules import any_pattern, compile_selector_set, default_rules
from newsmill.clean.text import html_to_text

PAGE = """<html><body>
<div id="main" class="wide story"><p class="lead">Lead</p>
  <div class="share bar"><a href="/s">Share</a></div>
  <section class="Advertisement"><span>Ad</span></section>
  <div class="related-news x"><ul><li><a href="/r">R</a></li></ul></div>
  <p data-role="editor-name">Ed</p><aside>Side</aside>
  <div class="a b"><div class="b">nested b</div></div>
  <ins class="adsbygoogle"></ins><span class="adsbygoogle">not ins</span>
  <div id="comments" class="comments-area"><p>c</p></div>
  <div class="\tshare\n">tab share</div><div class="sharebar">not share</div>
</div></body></html>"""

SELECTORS = (
    ".share", "ins.adsbygoogle", "#comments", "aside", ".Advertisement", "div.a.b",
    "div#main.wide", "p[data-role='editor-name']", "div.related-news li", "DIV.b",
    "#main > p.lead", ".missing, section span",
)  # fmt: skip


def test_selector_set_selects_what_the_xpath_union_selects() -> None:
    root = lxml.html.document_fromstring(PAGE)
    for count in range(1, len(SELECTORS) + 1):
        selectors = SELECTORS[:count]
        expected = CSSSelector(", ".join(selectors), translator="html")(root)
        assert compile_selector_set(selectors).select(root) == expected, selectors


def test_selector_set_with_the_shipped_rules() -> None:
    book = default_rules()
    root = lxml.html.document_fromstring(PAGE)
    for host in ("example.org", *book.hosts):
        drop = book.for_host(host).drop
        expected = CSSSelector(", ".join(drop), translator="html")(root)
        assert compile_selector_set(drop).select(root) == expected, host


def test_joined_patterns_match_where_one_of_them_does() -> None:
    book = default_rules()
    texts = ("责任编辑：王小明", "Advertisement", "Share this article", "正文。", "Read more")
    for host in ("news.example", *book.hosts):
        rule = book.for_host(host)
        matches = rule.text_matcher()
        for text in texts + tuple(p.pattern.strip("^$") for p in rule.drop_text):
            assert matches(text) == any(p.search(text) for p in rule.drop_text), (host, text)


def test_patterns_that_cannot_be_joined_are_searched_one_by_one() -> None:
    patterns = (
        re.compile(r"^(ab)\1$"),  # a numbered back-reference
        re.compile(r"(?i)^share$"),  # flags of its own
        re.compile(r"(?P<x>q)"),
        re.compile(r"(?P<x>z)"),  # a group name twice
    )
    matches = any_pattern(patterns)
    for text, expected in (("abab", True), ("SHARE", True), ("zz", True), ("abba", False)):
        assert matches(text) is expected, text


def test_plain_text_survives_control_characters() -> None:
    assert html_to_text("<p>a\x01b</p><p>c\u3000\u3000d\xa0 e</p>") == "ab\nc d e"
