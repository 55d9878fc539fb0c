"""Property tests and bounded fuzzing of the parser and the cleaner (hypothesis)."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.html
from conftest import sample_article
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsmill.clean import clean_fragment, sanitize_html
from newsmill.clean.rules import default_rules
from newsmill.clean.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from newsmill.model import Article, Source
from newsmill.parse import FeedError, parse_feed
from newsmill.publish import HexoWriter, JsonlWriter

BASE = "https://news.example/a/b.html"
ACTIVE_TAGS = ["script", "iframe", "object", "embed", "svg", "math", "form", "input", "button",
               "style", "link", "meta", "base", "frame", "frameset", "applet", "textarea", "img", "a",
               "p", "div", "video", "audio", "template", "noscript", "xmp", "plaintext"]  # fmt: skip
ATTRS = ["onclick", "onerror", "onload", "style", "href", "src", "srcset", "formaction", "action",
         "data", "xlink:href", "background", "poster", "class", "id", "width"]  # fmt: skip
VALUES = ["javascript:alert(1)", " JaVaScRiPt:x", "vbscript:x", "data:text/html,<script>",
          "expression(alert(1))", "https://ok.example/x", "/rel/path", "&#106;avascript:x",
          "java\tscript:x", "x\" onmouseover=\"y", "0;url=javascript:x"]  # fmt: skip

element = st.builds(
    lambda tag, attrs, text: (
        f"<{tag} " + " ".join(f'{name}="{value}"' for name, value in attrs) + f">{text}</{tag}>"
    ),
    st.sampled_from(ACTIVE_TAGS),
    st.lists(st.tuples(st.sampled_from(ATTRS), st.sampled_from(VALUES)), max_size=4),
    st.text(max_size=20),
)
soup = st.lists(
    st.one_of(
        element,
        st.text(max_size=30),
        st.sampled_from(["<!--x-->", "<![CDATA[x]]>", "</div>", "<p>"]),
    ),
    max_size=12,
).map("".join)


def assert_inert(html: str) -> None:
    if not html:
        return
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for node in root.iter():
        if not isinstance(node.tag, str):
            raise AssertionError(f"comment or PI survived: {html!r}")
        if node is root:
            continue
        assert node.tag in ALLOWED_TAGS, (node.tag, html)
        for name, value in node.attrib.items():
            allowed = ALLOWED_ATTRIBUTES.get(node.tag, set()) | {"rel", "referrerpolicy", "loading"}
            assert name in allowed, (node.tag, name, html)
            if name in ("href", "src", "cite"):
                assert value.startswith(("http://", "https://", "mailto:")), (name, value, html)


# Inputs fuzzing once crashed on, kept so they never do again.
CRASHERS = ["<!>\x1b", "<p>a\x00b</p><!--\x08-->"]


def test_former_crashers() -> None:
    for html in CRASHERS:
        assert_inert(sanitize_html(html, BASE))
        assert_inert(clean_fragment(html, BASE, default_rules().for_url(BASE)))


@settings(max_examples=400, deadline=None)
@given(soup)
def test_sanitized_html_is_never_active(html: str) -> None:
    assert_inert(sanitize_html(html, BASE))
    assert_inert(clean_fragment(html, BASE, default_rules().for_url(BASE)))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_parser_fuzz_bytes(data: bytes) -> None:
    with contextlib.suppress(FeedError):  # a clear error is a fine answer; a crash is not
        parse_feed(data, base_url=BASE)


xml_piece = st.sampled_from([
    "<rss version=\"2.0\">", "<channel>", "<item>", "</item>", "<title>", "</title>", "<link>",
    "</link>", "<description>", "</description>", "<![CDATA[", "]]>", "&amp;", "&lt;", "&#0;",
    "&undefined;", "<!DOCTYPE x [<!ENTITY e \"ee\">]>", "&e;", "<feed xmlns=\"http://www.w3.org/2005/Atom\">",
    "<entry>", "</entry>", "<pubDate>", "</pubDate>", "Sat, 28 Nov 2026 10:00:00 GMT", "<guid>", "</guid>",
    "{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[", "]}", "\x00", "\ufeff", "标题",
])  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(xml_piece, st.text(max_size=10)), max_size=30).map("".join))
def test_parser_fuzz_feed_shaped(text: str) -> None:
    try:
        parsed = parse_feed(text.encode("utf-8", "surrogatepass"), base_url=BASE)
    except FeedError:
        return
    for entry in parsed.entries:
        assert "\x00" not in entry.title and len(entry.title) <= 1000


def article(title: str, guid: str, categories: list[str], when: datetime) -> Article:
    return sample_article(
        guid, title, source="s", url="https://n.example/x", canonical_url="https://n.example/x",
        author="", categories=categories, tags=[], published=when, fetched=when,
        content_html="<p>x</p>", text="x", summary="x", content_hash="h",
    )  # fmt: skip


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    title=st.text(min_size=1, max_size=400).filter(str.strip),
    guid=st.text(min_size=1, max_size=300),
    categories=st.lists(st.text(min_size=1, max_size=30).filter(str.strip), min_size=1, max_size=3),
    when=st.datetimes(
        min_value=datetime(1901, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
)
def test_any_article_round_trips_and_stays_inside(
    tmp_path: Path, title: str, guid: str, categories: list[str], when: datetime
) -> None:
    import yaml

    item = article(title, guid, categories, when)
    folder = tmp_path / "out"
    tz = ZoneInfo("Asia/Shanghai")
    HexoWriter(folder / "posts", tz, {"s": Source("s", "u", ("x",))}).publish([item])
    JsonlWriter(folder / "a.jsonl", {}).publish([item])
    for path in folder.rglob("*"):
        assert path.resolve().is_relative_to(folder.resolve()) and len(path.name.encode()) <= 255
    (post,) = (folder / "posts").glob("*.md")
    front = yaml.safe_load(post.read_text("utf-8").split("---\n", 2)[1])
    assert front["title"] == title and front["categories"] == categories
    assert front["date"] == when.astimezone(tz).replace(tzinfo=None, microsecond=0)
    (record,) = [json.loads(x) for x in (folder / "a.jsonl").read_text("utf-8").splitlines()]
    assert record["title"] == title and record["guid"] == guid
    for path in folder.rglob("*"):
        if path.is_file():
            path.unlink()
