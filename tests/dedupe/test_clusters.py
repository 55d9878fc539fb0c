"""Stories across sources: one canonical article per story in every output."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import yaml
from helpers.common import run_cli, write_config
from pytest_httpserver import HTTPServer

from newsmill.dedupe.near import fingerprint, similarity

STORIES = [
    (
        "江州港前10月集装箱吞吐量增长12.4%",
        [
            "江州港集团11月25日发布数据，今年前10个月江州港累计完成集装箱吞吐量412万标准箱，同比增长12.4%，增速居长江沿线港口前列。",
            "其中外贸集装箱吞吐量完成236万标准箱，同比增长15.1%；内贸集装箱吞吐量完成176万标准箱，同比增长9.0%。",
            "港集团相关负责人介绍，今年以来江州港新开通外贸航线9条，目前共有国际航线46条，覆盖东南亚、日韩、中东及欧洲主要港口。",
            "该负责人表示，随着冬季航线加密，预计全年吞吐量将首次突破500万标准箱。",
        ],
    ),
    (
        "Harbor city opens overnight bus network",
        [
            "The city's first overnight bus network starts on Monday, with eleven routes running every twenty minutes between midnight and five in the morning.",
            "Transit officials said the routes were drawn from phone data showing where late-shift workers live, and that fares will match daytime prices.",
            "Nurses, cleaners and bakers have waited years for this, the council's transport chair said at the depot on Thursday evening.",
            "The network costs 4.2 million dollars a year and will be reviewed after twelve months of service.",
        ],
    ),
    (
        "江州发布低空经济三年行动方案",
        [
            "江州市政府11月24日印发低空经济高质量发展三年行动方案，提出到2028年全市低空经济产业规模突破300亿元。",
            "方案明确，将建设通用机场2个、无人机起降点200个以上，开通城市低空物流航线50条。",
            "市发改委负责人表示，将设立20亿元低空产业基金，重点支持整机制造、飞控系统和运营服务企业落户。",
        ],
    ),
]


def feed(
    base: str, prefix: str, items: list[tuple[str, str, str]], encoding: str = "utf-8"
) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><link>{base}/{prefix}/{i}</link><guid>{prefix}-{i}</guid>"
        f"<pubDate>{date}</pubDate><description><![CDATA[{html}]]></description></item>"
        for i, (title, html, date) in enumerate(items)
    )
    xml = (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
        f"<title>{prefix}</title><link>{base}/</link>{body}</channel></rss>"
    )
    return xml.encode(encoding)


def variants() -> tuple[list, list, list]:
    wire, reencoded, rewritten = [], [], []
    for n, (title, paragraphs) in enumerate(STORIES):
        html = "".join(f"<p>{p}</p>" for p in paragraphs)
        wire.append((title, html, f"Sat, 28 Nov 2026 0{n}:00:00 +0800"))
        reencoded.append((title, html, f"Sat, 28 Nov 2026 0{n}:30:00 +0800"))
        # Another outlet: its own headline, its own boilerplate, a sentence cut.
        other = (
            '<p class="lead">本报讯（记者 李青）</p>'
            + "".join(f"<p>{p}</p>" for p in paragraphs[:-1])
            + '<p class="article-editor">责任编辑：周扬</p><div class="share">分享到：微博 微信</div>'
        )
        rewritten.append((f"【关注】{title[:8]}…", other, f"Sat, 28 Nov 2026 0{n}:45:00 +0800"))
    return wire, reencoded, rewritten


def test_same_stories_in_three_sources_publish_once(tmp_path: Path, httpserver: HTTPServer) -> None:
    base = httpserver.url_for("").rstrip("/")
    wire, reencoded, rewritten = variants()
    httpserver.expect_request("/wire").respond_with_data(feed(base, "wire", wire))
    httpserver.expect_request("/gbk").respond_with_data(
        feed(base, "gbk", reencoded[:1] + reencoded[2:], "gb18030")
    )
    httpserver.expect_request("/other").respond_with_data(feed(base, "other", rewritten))
    sources = [
        {"name": n, "url": f"{base}/{n}", "categories": ["新闻", n]}
        for n in ("wire", "gbk", "other")
    ]
    config = write_config(tmp_path, sources)
    assert run_cli("run", "-c", str(config)).exit_code == 0

    records = [json.loads(x) for x in (tmp_path / "articles.jsonl").read_text("utf-8").splitlines()]
    assert len(records) == 8
    stories: dict[str, list[dict]] = {}
    for record in records:
        stories.setdefault(record["cluster"], []).append(record)
    assert len(stories) == 3
    for members in stories.values():
        canonical = [m for m in members if m["duplicate_of"] is None]
        assert len(canonical) == 1
        assert canonical[0]["source"] == "wire"  # the earliest
        assert all(
            m["duplicate_of"] == canonical[0]["id"] for m in members if m is not canonical[0]
        )
        assert len({m["source"] for m in members}) == len(members)

    posts = list((tmp_path / "posts").glob("*.md"))
    assert len(posts) == 3
    titles = {yaml.safe_load(p.read_text("utf-8").split("---\n")[1])["title"] for p in posts}
    assert titles == {title for title, _ in STORIES}

    # A second run finds nothing new to cluster and changes no output.
    before = {p: p.stat().st_mtime_ns for p in [*posts, tmp_path / "articles.jsonl"]}
    assert run_cli("run", "--all", "-c", str(config)).exit_code == 0
    assert {p: p.stat().st_mtime_ns for p in before} == before


def test_publish_duplicates_writes_every_article(tmp_path: Path, httpserver: HTTPServer) -> None:
    base = httpserver.url_for("").rstrip("/")
    wire, _, rewritten = variants()
    httpserver.expect_request("/wire").respond_with_data(feed(base, "wire", wire))
    httpserver.expect_request("/other").respond_with_data(feed(base, "other", rewritten))
    sources = [{"name": n, "url": f"{base}/{n}", "categories": ["x"]} for n in ("wire", "other")]
    config = write_config(tmp_path, sources, dedupe={"publish_duplicates": True})
    assert run_cli("run", "-c", str(config)).exit_code == 0
    assert len(list((tmp_path / "posts").glob("*.md"))) == 6


def test_same_topic_different_story_is_not_a_duplicate() -> None:
    a = "江州市人民银行11月28日宣布，下调辖内农商行存款利率，三年期定期存款利率降至1.75%，自12月1日起执行。"
    b = "江州市人民银行11月28日宣布，对辖内小微企业再贷款额度增加50亿元，利率维持1.75%不变，自12月1日起执行。"
    same = a.replace("宣布，", "发布通知称，")
    assert similarity(fingerprint(a), fingerprint(same)) > 0.5
    assert similarity(fingerprint(a), fingerprint(b)) < 0.5


def test_a_stop_request_saves_what_was_placed_and_leaves_the_rest_pending(tmp_path: Path) -> None:
    from helpers.common import sample_article

    from newsmill.dedupe.clusters import Deduper, DedupeSettings
    from newsmill.store import Store

    store = Store(f"sqlite:///{tmp_path / 'a.db'}")
    for source in ("wire", "portal"):
        store.upsert_articles(
            source,
            [
                sample_article(
                    f"{source}-{n}",
                    title,
                    source=source,
                    text="".join(body),
                    content_hash=f"{source}-{n}",
                    url=f"https://{source}.example/{n}",
                    canonical_url=f"https://{source}.example/{n}",
                )
                for n, (title, body) in enumerate(STORIES)
            ],
        )
    checks = iter(range(100))
    stop_after_four = Deduper(store, DedupeSettings(), stop=lambda: next(checks) >= 4)
    first = stop_after_four.run()
    assert first.interrupted and first.checked == 4
    assert len(store.pending_dedupe()) == 2 and store.has_pending_dedupe()

    second = Deduper(store, DedupeSettings()).run()
    assert not second.interrupted and second.checked == 2
    assert store.pending_dedupe() == [] and not store.has_pending_dedupe()
    rows = list(store.cluster_members({a.cluster for a in store.iter_articles() if a.cluster}))
    assert len({r.cluster for r in rows}) == 3  # one story each, carried by both sources
    assert sum(r.duplicate_of is None for r in rows) == 3
    store.close()


def _member(key: str, source: str, title: str, text: str, published: datetime, url: str = ""):
    from newsmill.dedupe.clusters import Member
    from newsmill.dedupe.hashing import content_hash

    return Member(
        id=key, source=source, published=published, length=len(text),
        canonical_url=url or f"https://{source}.example/{key}",
        content_hash=content_hash(title, text), cluster=None, duplicate_of=None,
    )  # fmt: skip


def _place(index, member, title: str, text: str) -> str:
    from newsmill.dedupe.clusters import match_text

    return index.add(member, fingerprint(match_text(title, text)))


TEASER = (
    "In this episode the crew talks about the games of the week, the news of the day and the "
    "letters of the listeners, and what the show will do next year when the studio moves to a new "
    "building on the other side of the town."
)


def long_text_sharing_common_phrases(short: str, words: int = 4000) -> str:
    """A text a hundred times as long as `short`, half of it the short one's words
    ("of the", "the day") among words of its own: what any long essay shares with
    a podcast's summary."""
    import random

    rng = random.Random(0)
    own = short.lower().replace(",", "").replace(".", "").split()
    return " ".join(
        rng.choice(own) if rng.random() < 0.5 else f"word{rng.randint(0, 3000)}"
        for _ in range(words)
    )


def test_a_short_teaser_is_not_contained_in_any_long_text() -> None:
    """A 200-character summary once "was contained" in a 6,000-character essay of
    another source and subject: one signature value in common, by way of a common
    phrase, made a containment estimate of 0.64."""
    long = long_text_sharing_common_phrases(TEASER)
    assert similarity(fingerprint(TEASER), fingerprint(long)) < 0.1
    lead = " ".join(TEASER.split()[:40])  # a teaser cut from the text it leads is contained
    assert similarity(fingerprint(lead), fingerprint(TEASER)) >= 0.5


def test_the_same_text_years_apart_or_in_one_source_is_not_one_story() -> None:
    from newsmill.dedupe.clusters import DedupeSettings, StoryIndex

    text = "Hello world! This is the first post of my new blog, where I will write about code and life."
    index = StoryIndex(DedupeSettings())
    first = _place(
        index,
        _member("a", "blog-a", "Hello World", text, datetime(2011, 10, 30, tzinfo=UTC)),
        "Hello World",
        text,
    )
    later = _place(
        index,
        _member("b", "blog-b", "Hello World", text, datetime(2025, 1, 17, tzinfo=UTC)),
        "Hello World",
        text,
    )
    assert later != first  # outside the window: two blogs' first posts
    templated = "Game X was newly added and its anti-cheat status is Supported, says the tracker's entry for it."
    t = datetime(2024, 11, 18, tzinfo=UTC)
    one = _place(index, _member("g1", "tracker", "Game X", templated, t), "Game X", templated)
    two = _place(
        index,
        _member("g2", "tracker", "Game Y", templated.replace("X", "Y"), t),
        "Game Y",
        templated.replace("X", "Y"),
    )
    assert one != two  # one feed's items are its own, however alike
    copy = _place(index, _member("c", "mirror", "Game X", templated, t), "Game X", templated)
    assert copy == one  # the same text in another source within the window is one story


def test_the_same_link_joins_sources_but_not_a_home_page() -> None:
    from newsmill.dedupe.clusters import DedupeSettings, StoryIndex

    index = StoryIndex(DedupeSettings())
    t = datetime(2026, 11, 1, tzinfo=UTC)
    story = "https://news.example/2026/11/01/harbour.html"
    a = _place(
        index,
        _member("a", "s1", "Harbour opens", "One text.", t, story),
        "Harbour opens",
        "One text.",
    )
    b = _place(
        index,
        _member("b", "s2", "The harbour is open", "Another text.", t, story),
        "The harbour is open",
        "Another text.",
    )
    assert a == b
    home = "https://show.example/"
    c = _place(
        index, _member("c", "s1", "Episode 1", "About cats.", t, home), "Episode 1", "About cats."
    )
    d = _place(
        index, _member("d", "s3", "Episode 9", "About ships.", t, home), "Episode 9", "About ships."
    )
    assert c != d


class MemoryStore:
    """Everything the deduper needs of a store (`DedupeStore`), in a dict: the
    deduper depends on that protocol, not on a database."""

    def __init__(self) -> None:
        self.rows: dict[str, dict] = {}

    def add(self, key: str, source: str, title: str, text: str, published: datetime) -> None:
        from newsmill.dedupe.hashing import content_hash

        self.rows[key] = {
            "id": key, "source": source, "published": published, "title": title, "text": text,
            "canonical_url": f"https://{source}.example/{key}",
            "content_hash": content_hash(title, text),
            "fingerprint": None, "cluster": None, "duplicate_of": None,
        }  # fmt: skip

    def _member(self, row: dict):
        from newsmill.dedupe.storage import Member

        return Member(
            row["id"], row["source"], row["published"], len(row["text"]), row["canonical_url"],
            row["content_hash"], row["cluster"], row["duplicate_of"],
        )  # fmt: skip

    def pending_dedupe(self):
        from newsmill.dedupe.storage import PendingArticle

        pending = [r for r in self.rows.values() if r["fingerprint"] is None]
        return [
            PendingArticle(
                r["id"],
                r["source"],
                r["published"],
                r["canonical_url"],
                r["content_hash"],
                r["cluster"],
            )
            for r in sorted(pending, key=lambda r: (r["published"], r["id"]))
        ]

    def dedupe_texts(self, ids):
        return {i: (self.rows[i]["title"], self.rows[i]["text"]) for i in ids}

    def dedupe_neighbours(self, start, end):
        from newsmill.dedupe.storage import FingerprintedMember

        for row in self.rows.values():
            if row["fingerprint"] is not None and start <= row["published"] <= end:
                yield FingerprintedMember(self._member(row), row["fingerprint"])

    def cluster_members(self, clusters):
        return [
            self._member(r)
            for r in self.rows.values()
            if r["cluster"] in clusters and r["fingerprint"] is not None
        ]

    def save_dedupe(self, updates) -> None:
        for placement in updates:
            row = self.rows[placement.id]
            if placement.fingerprint is not None:
                row["fingerprint"] = placement.fingerprint
            row["cluster"], row["duplicate_of"] = placement.cluster, placement.duplicate_of


def test_the_deduper_needs_only_its_narrow_store_protocol() -> None:
    from newsmill.dedupe.clusters import Deduper, DedupeSettings

    store = MemoryStore()
    title, body = STORIES[0]
    early, late = datetime(2026, 11, 25, 8, tzinfo=UTC), datetime(2026, 11, 25, 9, tzinfo=UTC)
    store.add("wire", "wire", title, "".join(body), early)
    store.add("portal", "portal", title, "".join(body[:3]), late)
    store.add("other", "portal", STORIES[1][0], " ".join(STORIES[1][1]), late)

    first = Deduper(store, DedupeSettings()).run()
    assert first.checked == 3 and first.joined == 1
    rows = store.rows
    assert rows["wire"]["cluster"] == rows["portal"]["cluster"] == "wire"
    assert (rows["wire"]["duplicate_of"], rows["portal"]["duplicate_of"]) == (None, "wire")
    assert rows["other"]["cluster"] == "other" and rows["other"]["duplicate_of"] is None
    assert store.pending_dedupe() == []

    # The copy changes into another story: it leaves, and only it is looked at again.
    rows["portal"].update(text=" ".join(STORIES[2][1]), title=STORIES[2][0], fingerprint=None)
    second = Deduper(store, DedupeSettings()).run()
    assert second.checked == 1 and second.joined == 0
    assert (rows["portal"]["cluster"], rows["portal"]["duplicate_of"]) == ("portal", None)
    assert (rows["wire"]["cluster"], rows["wire"]["duplicate_of"]) == ("wire", None)
