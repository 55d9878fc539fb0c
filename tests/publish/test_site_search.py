"""The site's search index: tokens, results, and incremental updates equal to a rebuild."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

from helpers.site import corpus, make, site_writer, snapshot, store_with

from newsmill.publish.site.search import postings, shard_of, tokens
from newsmill.publish.site.search.reader import SearchIndex, query_groups
from newsmill.publish.site.search.tokens import MAX_SEGMENTS

QUERIES = [
    "央行",
    "港口",
    "集装箱",
    "地铁新闻",
    "inflation",
    "harbor battery",
    "cor",
    "港",
    "新闻第1",
]


def contains(article_text: str, query: str) -> bool:
    """Ground truth: every query word in the text (Chinese as substring, English as word)."""
    text = article_text.lower()
    for word in query.lower().split():
        if re.fullmatch(r"[a-z0-9]+", word):
            if not re.search(rf"\b{word}\b", text):
                return False
        elif word not in text:
            return False
    return True


def results(site: Path, query: str) -> set[str]:
    total, hits = SearchIndex(site).search(query, limit=1000)
    assert total == len(hits)
    return {h.path for h in hits}


def test_tokens_are_cjk_bigrams_and_words() -> None:
    assert tokens("央行下调利率") == {"央行", "行下", "下调", "调利", "利率", "率"}
    assert tokens("Ｈｅｌｌｏ, World! 2026年") == {"hello", "world", "2026", "年"}
    assert tokens("a_b " + "x" * 41) == {"a", "b"}  # no underscores; no 41-letter junk
    assert [g.exact for g in query_groups("人工智能 model")] == ["人工", "工智", "智能", "model"]
    assert [g.prefix for g in query_groups("港 infl")] == [True, True]
    assert [g.prefix for g in query_groups("infl港")] == [False, True]
    assert shard_of("央", 256) == shard_of("央", 256) < 256


def test_the_batch_tokenizer_finds_what_the_reference_does() -> None:
    """The index is tokenized a batch at a time with numpy; `tokens` is the rule."""
    import random

    import numpy as np

    samples = [
        "央行下调利率", "Ｈｅｌｌｏ, World! 2026年", "a_b " + "x" * 41, "", "   ", "港", "infl港口",
        "café au lait", "ｶﾀｶﾅ テスト 한국어 텍스트", "①②③ ﬁne ²", "Ⅻ 第十二", "ÉCOLE École",
        "中文，标点：测试！（括号）\u3000全角", "混合English单词mixed中文", "𠀀𠀁 rare", "Привет мир",
        "e\u0301 combining", "x" * 40 + " " + "y" * 41,
    ]  # fmt: skip
    rnd = random.Random(1)
    alphabet = "abcXYZ09 _-.,，。中文字港口地铁ｶﾀ한국①ﬁ\u0301é\n"
    samples += [
        "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 30))) for _ in range(500)
    ]
    vocabulary = postings.Vocabulary()
    for start in range(0, len(samples), 37):
        batch = samples[start : start + 37]
        keys, positions = postings.batch_pairs(batch, 100 + start, vocabulary)
        unique = np.unique(keys)
        name_of = dict(
            zip(unique.tolist(), postings._token_names(unique, vocabulary.words), strict=True)
        )
        found: dict[int, set[str]] = {}
        for key, position in zip(keys.tolist(), positions.tolist(), strict=True):
            found.setdefault(position, set()).add(name_of[key])
        for offset, text in enumerate(batch):
            assert found.get(100 + start + offset, set()) == tokens(text), text


def test_a_huge_segment_sorts_its_postings_the_other_way_alike(tmp_path: Path, monkeypatch) -> None:
    """Past two million documents the (token, document) pairs no longer pack in 64 bits."""
    articles = corpus(30)
    site_writer(tmp_path / "packed").publish(articles)
    monkeypatch.setattr(postings, "KEY_BITS", 64)
    site_writer(tmp_path / "lexsorted").publish(articles)
    packed = {p.name: p.read_bytes() for p in (tmp_path / "packed/search").rglob("*.json")}
    lexsorted = {p.name: p.read_bytes() for p in (tmp_path / "lexsorted/search").rglob("*.json")}
    assert packed == lexsorted


def test_results_are_exactly_the_articles_with_the_words(tmp_path: Path) -> None:
    articles = corpus(60)
    site_writer(tmp_path / "site").publish(articles)
    by_path = {}
    for path in (tmp_path / "site/a").rglob("*.html"):
        by_path[path.relative_to(tmp_path / "site").as_posix()] = path.name
    for query in ["央行", "港口", "集装箱", "inflation", "harbor battery", "新闻第12"]:
        expected = {a.id[:10] for a in articles if contains(f"{a.title}\n{a.text}", query)}
        found = {by_path[p].rsplit("-", 1)[1][:10] for p in results(tmp_path / "site", query)}
        assert found == expected and found, query


def test_ranking_prefers_titles_and_newer_articles(tmp_path: Path) -> None:
    old_title = make("t", "地铁新线开通", text="今天的新闻。")
    body_only = make(
        "b", "城市新闻", text="地铁新线开通了。", when=old_title.published.replace(year=2027)
    )
    newer_title = make(
        "n", "地铁新线开通", text="又一条。", when=old_title.published.replace(month=12)
    )
    site_writer(tmp_path / "site").publish([body_only, newer_title, old_title])
    _, hits = SearchIndex(tmp_path / "site").search("地铁")
    assert [h.title for h in hits] == ["地铁新线开通", "地铁新线开通", "城市新闻"]
    assert hits[0].date > hits[1].date


def test_prefix_matches_rank_below_exact_ones(tmp_path: Path) -> None:
    site_writer(tmp_path / "site").publish(
        [
            make("a", "Port news", "techwire", text="port"),
            make("b", "Portal", "techwire", text="portal"),
        ]
    )
    _, hits = SearchIndex(tmp_path / "site").search("port")
    assert [h.title for h in hits] == ["Port news", "Portal"]
    assert SearchIndex(tmp_path / "site").search("nothing-like-this")[0] == 0


def test_an_exact_word_outranks_rarer_words_it_begins_even_in_titles(tmp_path: Path) -> None:
    """The last word of a query also matches as a prefix (search as you type), but the
    word itself comes first: a longer word it begins is rarer, and once ranked by its
    own rarity it put "Portal" above every article that says "port" (seen with
    3-letter words over 100,000 articles)."""
    common = [make(f"p{i}", f"Harbor report {i}", "techwire", text="the port") for i in range(5)]
    rare = make("x", "Portal opens", "techwire", text="a new portal")
    site_writer(tmp_path / "site").publish([*common, rare])
    _, hits = SearchIndex(tmp_path / "site").search("port")
    assert [h.title for h in hits][-1] == "Portal opens", [h.title for h in hits]
    assert len(hits) == 6


def test_incremental_updates_answer_like_a_rebuild(tmp_path: Path) -> None:
    articles = corpus(45)
    store = store_with(tmp_path / "s.db", articles[:30])
    writer = site_writer(tmp_path / "inc")
    writer.publish_store(store)
    store.upsert_articles("caijing", [a for a in articles[30:40] if a.source == "caijing"])
    store.upsert_articles("techwire", [a for a in articles[30:40] if a.source == "techwire"])
    store.upsert_articles("harbor", [a for a in articles[30:40] if a.source == "harbor"])
    writer.publish_store(store)
    edited = replace(articles[4], text=articles[4].text + "\n集装箱码头扩建。", title="改过的标题")
    store.upsert_articles(edited.source, [edited])
    store.delete_articles([articles[7].id, articles[31].id])
    writer.publish_store(store)
    meta = json.loads((tmp_path / "inc/search/meta.json").read_text())
    assert len(meta["segments"]) == 3 and len(meta["deleted"]) == 3
    fresh = site_writer(tmp_path / "full")
    fresh.publish_store(store)
    assert len(json.loads((tmp_path / "full/search/meta.json").read_text())["segments"]) == 1
    for query in [*QUERIES, "改过", "码头扩建"]:
        assert results(tmp_path / "inc", query) == results(tmp_path / "full", query), query
    assert results(tmp_path / "inc", "码头扩建")


def test_many_small_updates_end_in_one_rebuilt_segment(tmp_path: Path) -> None:
    articles = corpus(3 + MAX_SEGMENTS + 1)
    writer = site_writer(tmp_path / "site")
    shown = articles[:3]
    writer.publish(shown)
    for article in articles[3:]:
        shown.append(article)
        writer.publish(shown)
        meta = json.loads((tmp_path / "site/search/meta.json").read_text())
        assert 1 <= len(meta["segments"]) <= MAX_SEGMENTS
    assert len(meta["segments"]) < MAX_SEGMENTS  # it was rebuilt on the way
    names = {p.parent.name for p in (tmp_path / "site/search").rglob("t0.json")}
    assert names == {s["id"] for s in meta["segments"]}  # old segments' files are gone
    assert results(tmp_path / "site", articles[-1].title) >= set()
    assert meta["docs"] == len(shown)


def test_a_lost_segment_file_means_a_rebuild_not_a_broken_index(tmp_path: Path) -> None:
    writer = site_writer(tmp_path / "site")
    writer.publish(corpus(6))
    for shard in (tmp_path / "site/search").rglob("t*.json"):
        shard.unlink()
    writer.publish(corpus(6))
    assert results(tmp_path / "site", "央行")


def test_search_off_writes_no_index(tmp_path: Path) -> None:
    site_writer(tmp_path / "site", search=False).publish(corpus(3))
    assert not (tmp_path / "site/search").exists()
    assert 'role="search"' not in (tmp_path / "site/index.html").read_text()


def test_a_second_process_builds_the_same_site(tmp_path: Path, monkeypatch) -> None:
    from newsmill.publish.site import builder

    articles = corpus(40)
    site_writer(tmp_path / "local").publish(articles)
    store = store_with(tmp_path / "s.db", articles)
    site_writer(tmp_path / "stored-local").publish_store(store)
    monkeypatch.setattr(builder, "PARALLEL_MIN", 1)
    monkeypatch.setattr(builder, "CHUNK_PAGES", 3)  # pages shared out in many small chunks
    started = []
    original = builder.Helper.__init__

    def spy(self, *args):  # type: ignore[no-untyped-def]
        started.append(True)
        original(self, *args)

    monkeypatch.setattr(builder.Helper, "__init__", spy)
    report = site_writer(tmp_path / "forked").publish(articles)
    assert started == [True]  # and every build of this size forks from now on
    local = site_writer(tmp_path / "local").publish(articles)
    assert local.written == 0 and report.written > 40
    assert snapshot_bytes(tmp_path / "local") == snapshot_bytes(tmp_path / "forked")
    for query in QUERIES:
        assert results(tmp_path / "local", query) == results(tmp_path / "forked", query)
    assert site_writer(tmp_path / "forked").publish(articles).written == 0
    # From the store, which the helper reads through a connection of its own.
    started.clear()
    report = site_writer(tmp_path / "stored").publish_store(store)
    assert started == [True] and report.written > 40
    assert snapshot_bytes(tmp_path / "stored-local") == snapshot_bytes(tmp_path / "stored")
    assert site_writer(tmp_path / "stored").publish_store(store).written == 0


def snapshot_bytes(folder: Path) -> dict[str, bytes]:
    return {p: d for p, (_, d) in snapshot(folder).items()}


def test_the_helper_reads_either_store_backend(tmp_path: Path, store_url: str, monkeypatch) -> None:
    """The forked helper opens its own connections to the store (SQLite or PostgreSQL)."""
    from newsmill.publish.site import builder
    from newsmill.store import Store

    articles = corpus(30)
    store = Store(store_url)
    try:
        for article in articles:
            store.upsert_articles(article.source, [article])
        site_writer(tmp_path / "alone").publish_store(store)
        monkeypatch.setattr(builder, "PARALLEL_MIN", 1)
        monkeypatch.setattr(builder, "CHUNK_PAGES", 4)
        site_writer(tmp_path / "helped").publish_store(store)
        assert snapshot_bytes(tmp_path / "alone") == snapshot_bytes(tmp_path / "helped")
        store.upsert_articles("caijing", [replace(articles[0], title="改过的标题")])
        assert site_writer(tmp_path / "helped").publish_store(store).written > 0
        assert store.count_articles() == 30  # the parent's connection still works
    finally:
        store.close()
