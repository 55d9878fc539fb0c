"""Property tests and bounded fuzzing of the parser and the cleaner (hypothesis)."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from helpers.common import sample_article
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


ZONES = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Shanghai",
         "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/St_Johns", "Asia/Kathmandu"]  # fmt: skip
any_zone = st.one_of(
    st.none(),  # naive: a feed that gave no zone
    st.builds(
        lambda minutes: timezone(timedelta(minutes=minutes)),
        st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1),
    ),
    st.sampled_from(ZONES).map(ZoneInfo),  # with their DST gaps and folds
)
any_date = st.one_of(
    st.none(),
    st.datetimes(
        min_value=datetime(1, 1, 1),
        max_value=datetime(9999, 12, 31, 23, 59, 59),
        timezones=any_zone,
        allow_imaginary=True,
    ),
    st.sampled_from([datetime(1, 1, 1), datetime(1970, 1, 1), datetime(9999, 12, 31, 23, 59)]),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    dates=st.lists(st.tuples(any_date, any_date), min_size=1, max_size=4),
    site_zone=st.sampled_from(["Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Shanghai"]),
)
def test_any_date_goes_through_store_dedupe_and_every_writer(
    tmp_path_factory: pytest.TempPathFactory,
    dates: list[tuple[datetime | None, datetime | None]],
    site_zone: str,
) -> None:
    """Year 1 to 9999, naive and aware, every offset, DST gaps: a year-1 date once
    overflowed the deduper and stopped every run after it."""
    from newsmill.config import config_from_dict
    from newsmill.dates import EARLIEST, FUTURE_TOLERANCE
    from newsmill.model import Entry
    from newsmill.run.items import build_article
    from newsmill.run.pipeline import publish_all
    from newsmill.store import Store

    folder = tmp_path_factory.mktemp("dates")
    source = Source("s", "https://feed.example/rss", ("news", "dates"))
    fetched = datetime.now(UTC)
    articles = [
        build_article(source, Entry(
            guid=f"g{n}", link=f"https://n.example/{n}", title=f"Item {n} of a feed",
            published=published, updated=updated,
            content_html=f"<p>Item {n} says something of its own, number {n * 37}.</p>",
        ), fetched)
        for n, (published, updated) in enumerate(dates)
    ]  # fmt: skip
    for article in articles:  # the one gate: whatever came in, what goes on can be true
        assert EARLIEST <= article.published <= fetched + FUTURE_TOLERANCE
        assert article.updated is None or EARLIEST <= article.updated <= fetched + FUTURE_TOLERANCE
        assert article.date_is_fallback == (article.published == fetched)
    # Writers and the deduper also take the ends of the range, should anything else
    # put them there.
    extremes = [
        sample_article(f"edge{n}", f"Edge {n}", source="s", url=f"https://n.example/e{n}",
                       canonical_url=f"https://n.example/e{n}", published=moment, fetched=moment,
                       updated=moment, content_hash=f"edge{n}", text=f"Edge text {n}")
        for n, moment in enumerate([datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, tzinfo=UTC)])
    ]  # fmt: skip
    config = config_from_dict({
        "site": {"timezone": site_zone},
        "store": {"url": f"sqlite:///{folder / 'store.db'}"},
        "sources": [{"name": "s", "url": source.url, "categories": ["news", "dates"]}],
        "publish": {"hexo": {"dir": "hexo"}, "hugo": {"dir": "hugo"}, "jekyll": {"dir": "jekyll"},
                    "jsonl": {"path": "a.jsonl"}, "site": {"dir": "site"}},
    }, folder / "newsmill.toml")  # fmt: skip
    store = Store(config.store.url)
    try:
        store.upsert_articles("s", articles + extremes)
        reports = publish_all(config, store)
        assert [r.output for r in reports] == ["hexo", "jsonl", "hugo", "jekyll", "site"]
        assert all(r.ok for r in reports), [str(r) for r in reports if not r.ok]
        assert len(list((folder / "hexo").glob("*.md"))) == len(articles) + len(extremes)
    finally:
        store.close()
