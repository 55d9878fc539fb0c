"""`newsmill demo`: offline, complete, idempotent, and readable by real Hexo."""

from __future__ import annotations

import html
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from helpers.common import HexoSite
from helpers.links import broken_links


def demo(out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsmill", "demo", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    result = demo(out)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return out


def posts(demo_dir: Path) -> list[Path]:
    return sorted((demo_dir / "hexo" / "source" / "_posts").glob("*.md"))


def test_demo_makes_posts_and_jsonl(demo_dir: Path) -> None:
    assert len(posts(demo_dir)) >= 20
    records = [json.loads(x) for x in (demo_dir / "articles.jsonl").read_text("utf-8").splitlines()]
    # One story is carried by two sources: JSONL has both, Hexo the canonical one.
    assert len([r for r in records if r["duplicate_of"] is None]) == len(posts(demo_dir))
    duplicates = [r for r in records if r["duplicate_of"]]
    assert len(duplicates) == 1
    (copy,) = duplicates
    (canonical,) = [r for r in records if r["id"] == copy["duplicate_of"]]
    assert copy["source"] != canonical["source"] and copy["cluster"] == canonical["cluster"]
    assert {copy["source"], canonical["source"]} == {"caijing-guonei", "zhengquan-shichang"}
    groups = {r["categories"][0] for r in records}
    assert len(groups) >= 3
    assert {r["language"] for r in records} >= {"zh", "en"}
    assert len({r["source"] for r in records}) >= 5
    # the GBK feed came through as Chinese, not mojibake
    assert all("\ufffd" not in r["title"] + r["text"] for r in records)


def test_no_link_of_the_demo_site_is_broken(demo_dir: Path) -> None:
    """Every page, list, tag, feed, style and script a page of the site links to is
    there, the duplicate story's page included."""
    site = demo_dir / "site"
    assert len(list(site.rglob("*.html"))) > 50
    assert broken_links(site) == []


def test_second_demo_run_changes_no_output_and_adds_no_row(demo_dir: Path) -> None:
    import sqlite3

    outputs = [*posts(demo_dir), demo_dir / "articles.jsonl", demo_dir / "newsmill.toml"]
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in outputs}
    rows = (
        sqlite3.connect(demo_dir / "newsmill.db")
        .execute("select count(*) from articles")
        .fetchone()
    )
    result = demo(demo_dir)
    assert result.returncode == 0, result.stderr
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in outputs} == before
    after = (
        sqlite3.connect(demo_dir / "newsmill.db")
        .execute("select count(*) from articles")
        .fetchone()
    )
    assert after == rows


def test_hexo_generates_every_demo_post(demo_dir: Path, hexo_site: HexoSite) -> None:
    for post in posts(demo_dir):
        (hexo_site.posts / post.name).write_bytes(post.read_bytes())
    hexo_site.generate()
    pages = {p.read_text("utf-8") for p in hexo_site.public.rglob("index.html")}
    article_pages = [p for p in pages if 'itemprop="articleBody"' in p]
    for post in posts(demo_dir):
        data = yaml.safe_load(post.read_text("utf-8").split("---\n", 2)[1])
        title = (
            html.escape(str(data["title"]), quote=True)
            .replace("&#x27;", "&#39;")
            .replace("&quot;", "&#34;")
        )
        matching = [p for p in article_pages if f"<title>{title} | " in p]
        assert len(matching) == 1, f"no Hexo page for {data['title']!r}"
        page = matching[0]
        when = data["date"]
        assert isinstance(when, datetime)
        assert f">{when:%Y-%m-%d}</time>" in page
        for category in data["categories"]:
            assert html.escape(str(category)) in page


def records(demo_dir: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in (demo_dir / "articles.jsonl").read_text("utf-8").splitlines()]


def test_summary_only_sources_come_out_as_full_articles(demo_dir: Path) -> None:
    import tomllib

    from newsmill.extract.policy import is_teaser

    manifest = tomllib.loads(
        Path(__file__)
        .parents[2]
        .joinpath("src/newsmill/demo/samples/manifest.toml")
        .read_text("utf-8")
    )
    auto = [f["source"]["name"] for f in manifest["feeds"] if f["source"]["full_text"] == "auto"]
    teaser_sources = {"shili-xinwen", "harbor-world"}
    assert teaser_sources <= set(auto)
    for record in records(demo_dir):
        if record["source"] in teaser_sources:
            assert not is_teaser(str(record["text"])), record["title"]
            assert str(record["text"]).count("\n") >= 3


def test_sina_style_item_comes_out_clean(demo_dir: Path) -> None:
    sina = [
        r for r in records(demo_dir) if r["publisher"] and str(r["publisher"]).endswith("办公室")
    ]
    assert sina, "the Sina-style sample keeps its 来源 as publisher"
    for record in sina:
        html = str(record["content_html"])
        for junk in ("appendQr", "qr-promo", "海量资讯", "责任编辑", "<style", "cms-style", "<!--"):
            assert junk not in html, junk
        assert record["editor"] and str(record["text"]).splitlines()[-1].startswith("来源：")
