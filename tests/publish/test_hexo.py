"""The Hexo writer: front matter Hexo reads right, safe names, atomic and incremental."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from helpers.common import sample_article
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsmill.model import Article, Source
from newsmill.publish import HexoWriter
from newsmill.publish.naming import slugify

SHANGHAI = ZoneInfo("Asia/Shanghai")
SOURCE = Source("sina", "https://x.example/feed", ("金融", "新浪财经", "国内"), author="新浪财经")


def make(title: str = "标题", guid: str = "g1", **changes: object) -> Article:
    fields: dict[str, object] = {
        "source": "sina",
        "url": "https://finance.example/doc.shtml",
        "canonical_url": "https://finance.example/doc.shtml",
        "author": "",
        "tags": [],
        "published": datetime(2021, 11, 28, 0, 7, 44, tzinfo=UTC),
        "fetched": datetime(2021, 11, 28, 1, 0, tzinfo=UTC),
        "content_html": "<p>正文</p>",
        "text": "正文",
        "summary": "正文",
        "language": "zh",
        "content_hash": "h",
    }
    return sample_article(guid, title, **(fields | changes))


def read_post(path: Path) -> tuple[dict[str, object], str]:
    _, front, body = path.read_text("utf-8").split("---\n", 2)
    return yaml.safe_load(front), body


def writer(folder: Path, placeholder: str = "") -> HexoWriter:
    return HexoWriter(folder, SHANGHAI, {"sina": SOURCE}, placeholder)


def test_keys_order_image_and_placeholder(tmp_path: Path) -> None:
    writer(tmp_path, "https://cdn.example/placeholder.png").publish(
        [make(guid="a"), make(guid="b", lead_image="https://img.example/lead.jpg")]
    )
    posts = {read_post(p)[0]["newsmill_id"]: read_post(p)[0] for p in tmp_path.glob("*.md")}
    with_placeholder = posts[Article.make_id("sina", "a")]
    assert list(with_placeholder)[:8] == [
        "title", "categories", "headimg", "author", "comments", "date", "thumbnail", "link",
    ]  # fmt: skip
    assert (
        with_placeholder["headimg"]
        == with_placeholder["thumbnail"]
        == "https://cdn.example/placeholder.png"
    )
    assert posts[Article.make_id("sina", "b")]["headimg"] == "https://img.example/lead.jpg"
    assert with_placeholder["date"] == datetime(2021, 11, 28, 8, 7, 44)
    assert with_placeholder["disableNunjucks"] is True
    assert with_placeholder["lang"] == "zh"  # Hexo's page.lang


def test_no_image_no_placeholder_leaves_keys_out(tmp_path: Path) -> None:
    writer(tmp_path).publish([make()])
    data, _ = read_post(next(tmp_path.glob("*.md")))
    assert "headimg" not in data and "thumbnail" not in data


def test_unchanged_articles_are_not_rewritten_and_renames_clean_up(tmp_path: Path) -> None:
    w = writer(tmp_path)
    first = w.publish([make()])
    (path,) = tmp_path.glob("*.md")
    os.utime(path, (1_000_000, 1_000_000))
    second = w.publish([make()])
    assert (first.written, second.written, second.unchanged) == (1, 0, 1)
    assert path.stat().st_mtime == 1_000_000
    renamed = w.publish([make(title="新标题")])
    assert renamed.written == 1 and renamed.removed == 1
    assert [read_post(p)[0]["title"] for p in tmp_path.glob("*.md")] == ["新标题"]
    gone = w.publish([])
    assert gone.removed == 1 and list(tmp_path.glob("*.md")) == []


def test_user_files_in_the_folder_are_left_alone(tmp_path: Path) -> None:
    (tmp_path / "hello-world.md").write_text("mine")
    writer(tmp_path).publish([])
    assert (tmp_path / "hello-world.md").read_text() == "mine"


def test_hostile_titles_make_safe_names() -> None:
    for title in ["../../etc/passwd", "/abs/path", "CON", "a" * 300, "标题" * 200, "...", "\x00"]:
        slug = slugify(title)
        assert "/" not in slug and ".." not in slug and "\x00" not in slug
        assert len(slug.encode()) <= 120


titles = st.text(min_size=1, max_size=300).filter(lambda t: t.strip() != "")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=titles, category=st.text(min_size=1, max_size=40).filter(str.strip))
def test_any_title_round_trips_through_yaml(tmp_path: Path, title: str, category: str) -> None:
    folder = tmp_path / "posts"
    article = make(title=title, categories=["金融", category])
    writer(folder).publish([article])
    (path,) = folder.glob(f"*-{article.id[:10]}.md")
    assert path.parent == folder and len(path.name.encode()) <= 255
    data, _ = read_post(path)
    assert data["title"] == title
    assert data["categories"] == ["金融", category]
    assert data["date"] == datetime(2021, 11, 28, 8, 7, 44)
    for leftover in folder.glob("*.md"):
        leftover.unlink()
