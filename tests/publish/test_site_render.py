"""Templates (publish/site/render.py): hostile text through the real template path.

Each field a stranger's feed controls is rendered by a real site build, and must
come out as the text it was, escaped exactly as markupsafe escapes it: never as
markup, never as template source.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path

import markupsafe
import pytest
from helpers.site import SOURCES, make, store_with

from newsmill.config import SiteConfig, SiteOutputConfig
from newsmill.model import Source
from newsmill.publish.site import SiteWriter
from newsmill.publish.site.render import make_environment

TITLE = (
    '</title><script>alert(1)</script> {{ 7*7 }} {% raw %} "><img src=x onerror=alert(2)> '
    "'q' & \u2028 line\x00nul"
)
AUTHOR = '"><img src=x onerror=alert(3)> {{ site.title }}'
PUBLISHER = "<script>alert(4)</script>{% raw %}"
SUMMARY = '"><img src=x onerror=alert(5)> </title> {{ 7*7 }}\u2028\x00'
EDITOR = "<iframe src=javascript:alert(6)>{% endraw %}"
SOURCE_NAME = "<script>alert(7)</script> {{ 7*7 }}"  # a source without categories is named so
TAG = "<b onmouseover=alert(8)>t</b>"
# What would be live if any of it were not escaped.
LIVE = ("<script>alert", "<img src=x", '"><img', "<iframe", "<b onmouseover")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("render")
    hostile = make(
        "h1", TITLE, "caijing",
        author=AUTHOR, publisher=PUBLISHER, summary=SUMMARY, editor=EDITOR, tags=[TAG],
    )  # fmt: skip
    unnamed = replace(make("h2", "Plain title", "caijing", categories=[]), source="evil")
    sources = SOURCES | {"evil": Source("evil", "https://e.example/feed", (), SOURCE_NAME)}
    store = store_with(root / "store.db", [hostile, unnamed])
    writer = SiteWriter(
        SiteOutputConfig(dir=root / "site"),
        SiteConfig(title="测试站", timezone="Asia/Shanghai", language="zh-CN"),
        sources,
    )
    writer.publish_store(store)
    store.close()
    return root / "site"


def pages(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): p.read_text("utf-8") for p in sorted(site.rglob("*.html"))
    }


def article_page(site: Path, words: str) -> str:
    (found,) = [
        text for path, text in pages(site).items() if path.startswith("a/") and words in text
    ]
    return found


def escaped(value: str) -> str:
    return str(markupsafe.escape(value))


def test_no_page_holds_live_markup_from_the_feed(site: Path) -> None:
    found = pages(site)
    assert len(found) > 5 and sum(escaped(TITLE) in text for text in found.values()) > 3
    for path, text in found.items():
        for live in LIVE:
            assert live not in text, (path, live)
        assert text.count("</title>") == 1, path  # the page's own, the title's escaped


def test_every_field_is_escaped_as_markupsafe_escapes_it(site: Path) -> None:
    page = article_page(site, escaped(TITLE))
    for value in (TITLE, AUTHOR, PUBLISHER, SUMMARY, EDITOR, TAG):
        assert escaped(value) in page, value
    assert "&#34;&gt;&lt;img" in page and "&#39;q&#39;" in page  # markupsafe's entities
    assert escaped(SOURCE_NAME) in article_page(site, "Plain title")
    home = pages(site)["index.html"]
    assert escaped(TITLE) in home and escaped(SUMMARY) in home and escaped(SOURCE_NAME) in home


def test_fields_come_back_as_the_same_text_never_evaluated(site: Path) -> None:
    """Unescaping what the page holds gives the field back: `{{ 7*7 }}` is not 49,
    `{{ site.title }}` not the site's title, `{% raw %}` not a tag; U+2028 and NUL
    are passed through as the text they are."""
    page = article_page(site, escaped(TITLE))
    (heading,) = re.findall(r"<h1>(.*?)</h1>", page, re.S)
    assert html.unescape(heading) == TITLE
    (title,) = re.findall(r"<title>(.*?)</title>", page, re.S)
    assert html.unescape(title) == f"{TITLE} · 测试站"
    (description,) = re.findall(r'<meta name="description" content="([^"]*)">', page)
    assert html.unescape(description) == SUMMARY
    (author,) = re.findall(r"<dd>([^<]*\{\{ site\.title \}\}[^<]*)</dd>", page)
    assert html.unescape(author) == AUTHOR
    assert "49" not in heading + description


@pytest.mark.parametrize("value", [TITLE, AUTHOR, SUMMARY, EDITOR, TAG, 7, None, 1.5])
def test_an_output_expression_escapes_as_markupsafe_does(value: object) -> None:
    """Straight through the environment the site is built with, for any value type."""
    env = make_environment(None)
    template = env.from_string("{{ v }}|{{ v }}")
    assert template.render(v=value) == f"{escaped(str(value))}|{escaped(str(value))}"
    trusted = markupsafe.Markup("<b>sanitized</b>")
    assert template.render(v=trusted) == "<b>sanitized</b>|<b>sanitized</b>"


def test_templates_see_the_environment_globals() -> None:
    """The globals are Jinja's defaults, each template's own laid over them."""
    env = make_environment(None)
    assert env.from_string("{{ range(3)|list }}").render() == "[0, 1, 2]"
    own = env.from_string("{{ x }} {{ range(2)|list }}", globals={"x": "<x>"})
    assert own.render() == "&lt;x&gt; [0, 1]"
    assert "x" not in env.globals
