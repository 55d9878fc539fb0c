"""OPML 2.0 round trip through `newsmill sources export` and `sources import`."""

from __future__ import annotations

from pathlib import Path

from helpers.common import run_cli, write_config
from lxml import etree

from newsmill.config import load_config


def test_export_nests_category_levels_and_import_round_trips(tmp_path: Path) -> None:
    sources = [
        {
            "name": "sina",
            "url": "https://a.example/sina.xml",
            "categories": ["金融", "新浪财经", "国内"],
            "author": "新浪财经",
        },
        {"name": "kr", "url": "https://b.example/36kr.xml", "categories": ["新媒体", "36kr"]},
        {"name": "hn", "url": "https://c.example/hn.xml", "categories": ["Tech"]},
    ]
    config = write_config(tmp_path, sources)
    opml = tmp_path / "out.opml"
    result = run_cli("sources", "export", "-c", str(config), "-o", str(opml))
    assert result.exit_code == 0, result.output
    root = etree.parse(str(opml)).getroot()
    assert root.get("version") == "2.0"
    feed = root.xpath("//outline[@xmlUrl='https://a.example/sina.xml']")[0]
    assert [o.get("text") for o in feed.iterancestors("outline")][::-1] == [
        "金融",
        "新浪财经",
        "国内",
    ]

    other = tmp_path / "other"
    other.mkdir()
    target = write_config(other, [])
    imported = run_cli("sources", "import", str(opml), "-c", str(target))
    assert imported.exit_code == 0 and "added 3 sources" in imported.output
    loaded = {s.name: s for s in load_config(target).resolved_sources()}
    assert loaded["sina"].categories == ("金融", "新浪财经", "国内")
    assert (
        loaded["kr"].categories == ("新媒体", "36kr")
        and loaded["hn"].url == "https://c.example/hn.xml"
    )
    again = run_cli("sources", "import", str(opml), "-c", str(target))
    assert again.exit_code == 0 and "no new feeds" in again.output


def test_import_of_a_plain_reader_export(tmp_path: Path) -> None:
    opml = tmp_path / "reader.opml"
    opml.write_text(
        """<?xml version="1.0"?><opml version="1.0"><head><title>x</title></head><body>
        <outline text="Tech"><outline type="rss" text="Some Blog" xmlUrl="https://d.example/feed"/>
        <outline type="rss" text="Some Blog" xmlUrl="https://e.example/feed"/></outline>
        <outline type="rss" text="Loose" xmlUrl="https://f.example/rss"/></body></opml>""",
        encoding="utf-8",
    )
    target = write_config(tmp_path, [])
    assert run_cli("sources", "import", str(opml), "-c", str(target)).exit_code == 0
    loaded = {s.name: s for s in load_config(target).resolved_sources()}
    assert set(loaded) == {"some-blog", "some-blog-2", "loose"}
    # A feed's title is its source level under its folder; feeds in no folder share one
    # group; the title is nobody's author.
    assert loaded["some-blog"].categories == ("Tech", "Some Blog")
    assert loaded["loose"].categories == ("Feeds", "Loose")
    assert all(s.author == "" for s in loaded.values())


def test_import_names_sources_from_their_titles_and_says_what_it_skipped(
    tmp_path: Path,
) -> None:
    opml = tmp_path / "reader.opml"
    opml.write_text(
        """<?xml version="1.0"?><opml version="2.0"><body><outline text="新闻">
        <outline type="rss" text="江州日报 · 要闻" xmlUrl="https://jz.example/rss"/>
        <outline type="rss" text="Known" xmlUrl="https://known.example/feed"/></outline>
        <outline type="rss" text="Also known" xmlUrl="https://known2.example/feed"/></body></opml>""",
        encoding="utf-8",
    )
    target = write_config(
        tmp_path,
        [{"name": "mine", "url": "https://known.example/feed", "categories": ["a"]},
         {"name": "mine2", "url": "https://known2.example/feed", "categories": ["a"]}],
    )  # fmt: skip
    result = run_cli("sources", "import", str(opml), "-c", str(target))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"added 1 sources to {target}",
        "skipped 2 already configured: mine, mine2",
    ]
    loaded = {s.name: s for s in load_config(target).resolved_sources()}
    assert loaded["江州日报-要闻"].categories == ("新闻", "江州日报 · 要闻")


def test_defaults_apply_to_every_source_that_does_not_say(tmp_path: Path) -> None:
    sources = [
        {"name": "quiet", "url": "https://a.example/f"},
        {"name": "loud", "url": "https://b.example/f", "full_text": "always", "categories": ["x"]},
    ]
    target = write_config(
        tmp_path, sources, defaults={"full_text": "never", "categories": ["新闻"]}
    )
    loaded = {s.name: s for s in load_config(target).resolved_sources()}
    assert loaded["quiet"].full_text == "never" and loaded["quiet"].categories == ("新闻",)
    assert loaded["loud"].full_text == "always" and loaded["loud"].categories == ("x",)
    bad = write_config(tmp_path, sources, defaults={"url": "https://c.example/"})
    result = run_cli("build", "-c", str(bad))
    assert result.exit_code == 2
    assert result.output.startswith(
        f"newsmill: {bad}: defaults.url: not a setting sources can share"
    )


def test_bad_opml_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.opml"
    bad.write_text("<html><body>not opml</body></html>")
    target = write_config(tmp_path, [])
    result = run_cli("sources", "import", str(bad), "-c", str(target))
    assert result.exit_code == 2 and "not an OPML document" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_import_never_corrupts_the_config(tmp_path: Path) -> None:
    opml = tmp_path / "one.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="A" xmlUrl="https://g.example/f"/></body></opml>'
    )
    target = tmp_path / "newsmill.toml"
    target.write_text("sources = []\n", encoding="utf-8")
    result = run_cli("sources", "import", str(opml), "-c", str(target))
    assert result.exit_code == 2 and "inline array" in result.output
    assert target.read_text("utf-8") == "sources = []\n"
