"""Source names from feed titles: readable in any script, valid, unused."""

from __future__ import annotations

from pathlib import Path

from helpers.common import write_config

from newsmill.config import load_config
from newsmill.names import source_name


def test_names_keep_the_titles_letters_in_any_script() -> None:
    assert source_name("The Harbor Daily!", "https://x.example/", set()) == "the-harbor-daily"
    assert (
        source_name("江州新闻 · 要闻", "https://www.jz-news.example/rss", set()) == "江州新闻-要闻"
    )
    assert source_name("Урду ньюз", "https://u.example/", set()) == "урду-ньюз"


def test_a_title_with_nothing_to_go_on_gives_way_to_the_host() -> None:
    assert source_name("!!", "https://www.jz-news.example/rss", set()) == "jz-news.example"
    assert source_name("", "https://127.0.0.1:8080/x/c4eb1.feed", set()) == "127.0.0.1"


def test_names_are_unused_and_taken_as_made() -> None:
    taken = {"feed", "feed-2"}
    assert source_name("Feed", "https://a.example/", taken) == "feed-3"
    assert source_name("Feed", "https://a.example/", taken) == "feed-4"
    assert {"feed-3", "feed-4"} <= taken


def test_every_name_made_is_one_the_config_accepts(tmp_path: Path) -> None:
    titles = ["江州新闻 · 要闻", "Урду ньюз", "The Harbor Daily!", "!!", "_private", "a.b-c"]
    taken: set[str] = set()
    sources = [
        {"name": source_name(t, f"https://h{n}.example/", taken), "url": f"https://h{n}.example/",
         "categories": ["x"]}
        for n, t in enumerate(titles)
    ]  # fmt: skip
    loaded = load_config(write_config(tmp_path, sources))
    assert [s.name for s in loaded.sources] == [s["name"] for s in sources]
