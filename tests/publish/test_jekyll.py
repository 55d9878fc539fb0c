"""Jekyll posts, checked by building them with the real Jekyll (Debian's package, offline)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers.posts import assert_every_article_rendered, build_site, front, rendered_articles
from helpers.site import HOSTILE_TITLE, SHANGHAI, SOURCES, corpus

from newsmill.publish.jekyll import JekyllWriter

DATA = Path(__file__).parent.parent / "data" / "jekyll-site"


def articles() -> list:
    items = corpus(9)
    items[0] = replace(
        items[0],
        title=HOSTILE_TITLE + " {{ page.title }} {% include x.html %}",
        content_html="<p>Liquid: {{ site.title }} {% if true %}x{% endif %} {%- raw -%}</p>"
        '<p><img src="https://img.example/x.jpg" alt="图" referrerpolicy="no-referrer" loading="lazy"></p>',
        updated=datetime(2026, 10, 2, tzinfo=UTC),
    )
    items[1] = replace(items[1], categories=["../../etc", "Tech News", "#1"])
    return items


def test_front_matter_and_names(tmp_path: Path) -> None:
    items = articles()
    writer = JekyllWriter(tmp_path, SHANGHAI, SOURCES)
    assert writer.publish(items).written == 9
    post = writer.path_for(items[0])
    assert post.name.startswith("2026-10-01-") and post.suffix == ".html"
    data = front(post)
    assert data["title"] == items[0].title and data["layout"] == "post"
    assert data["date"] == "2026-10-01 08:00:00 +0800"
    assert data["last_modified_at"] == "2026-10-02 08:00:00 +0800"
    assert data["render_with_liquid"] is False
    assert data["categories"] == ["金融", "示例财经", "国内"]
    assert writer.publish(items).written == 0


@pytest.fixture(scope="module")
def jekyll_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("jekyll")
    shutil.copytree(DATA, site, dirs_exist_ok=True)
    JekyllWriter(site / "_posts", SHANGHAI, SOURCES).publish(articles())
    build_site(
        ["jekyll", "build", "--source", str(site), "--destination", str(site / "_site"),
         "--quiet", "--safe", "--disable-disk-cache"]
    )  # fmt: skip
    return site / "_site"


def test_jekyll_renders_every_article(jekyll_site: Path) -> None:
    pages = rendered_articles(jekyll_site, "*.html")
    items = articles()
    assert_every_article_rendered(pages, items)
    tricky = pages[items[0].id]
    text = tricky.xpath("string(div[@class='content'])")
    assert "{{ site.title }} {% if true %}x{% endif %} {%- raw -%}" in text
    (img,) = tricky.xpath(".//div[@class='content']//img")
    assert img.get("referrerpolicy") == "no-referrer"


def test_hostile_categories_stay_inside_the_site(jekyll_site: Path) -> None:
    root = jekyll_site.parent.resolve()
    for path in root.rglob("*"):
        assert path.resolve().is_relative_to(root)
