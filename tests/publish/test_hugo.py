"""Hugo posts, checked by building them with the real Hugo (Debian's package)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers.posts import assert_every_article_rendered, build_site, front, rendered_articles
from helpers.site import HOSTILE_TITLE, SHANGHAI, SOURCES, corpus
from lxml import html

from newsmill.publish.hugo import HugoWriter, escape_shortcodes

DATA = Path(__file__).parent.parent / "data" / "hugo-site"
TRICKY_BODY = (
    "<p>Shortcodes: {{&lt; youtube abc &gt;}} and {{% notice %}} and {{ .Title }} {% raw %}</p>"
    '<p><img src="https://img.example/x.jpg?a=1&amp;b=2" alt="图" referrerpolicy="no-referrer" loading="lazy"></p>'
    "<pre>line 1&#10;&#10;    indented line</pre>"
)


def articles() -> list:
    items = corpus(12)
    items[0] = replace(
        items[0],
        title=HOSTILE_TITLE + " {{< youtube x >}}",
        content_html=TRICKY_BODY.replace("&lt;", "<", 1).replace("&gt;", ">", 1),
        publisher="新华社",
        updated=datetime(2026, 10, 2, tzinfo=UTC),
        tags=["{{ x }}", "标签"],
    )
    items[1] = replace(items[1], categories=["../../etc", "Tech: News", "#1"])
    return items


def test_front_matter_and_body(tmp_path: Path) -> None:
    items = articles()
    writer = HugoWriter(tmp_path, SHANGHAI, SOURCES, "https://cdn.example/ph.png")
    report = writer.publish(items)
    assert report.written == 12
    post = writer.path_for(items[0])
    data = front(post)
    assert data["title"] == items[0].title
    assert data["date"] == "2026-10-01T08:00:00+08:00"
    assert data["lastmod"] == "2026-10-02T08:00:00+08:00"
    assert data["categories"] == ["金融", "示例财经", "国内"] and data["tags"] == [
        "{{ x }}",
        "标签",
    ]
    assert data["images"] == ["https://img.example/0.jpg"] and data["author"] == "示例财经"
    assert data["link"] == items[0].url and data["publisher"] == "新华社"
    assert data["language"] == "zh" and data["isCJKLanguage"] is True
    english = front(writer.path_for(next(a for a in items if a.language == "en")))
    assert english["language"] == "en" and "isCJKLanguage" not in english
    body = post.read_text("utf-8").split("---\n", 2)[2]
    assert "{{<" not in body and "{{%" not in body
    assert "\n\n" not in body.strip()
    no_image = replace(items[2], lead_image=None)
    assert front_images(writer, no_image) == ["https://cdn.example/ph.png"]
    assert escape_shortcodes("{{< a >}}{{% b %}}{{ c }}") == "{{&lt; a >}}{{&#37; b %}}{{ c }}"
    assert writer.publish(items).written == 0
    assert writer.publish(items[1:]).removed == 1


def front_images(writer: HugoWriter, article) -> list[str]:
    return writer.front_matter(article)["images"]


@pytest.fixture(scope="module")
def hugo_public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("hugo")
    shutil.copytree(DATA, site, dirs_exist_ok=True)
    HugoWriter(site / "content" / "posts", SHANGHAI, SOURCES).publish(articles())
    build_site(["hugo", "--source", str(site), "--destination", str(site / "public"), "--quiet"])
    return site / "public"


def test_hugo_renders_every_article(hugo_public: Path) -> None:
    pages = rendered_articles(hugo_public, "index.html")
    items = articles()
    assert_every_article_rendered(pages, items)
    tricky = pages[items[0].id]
    content = html.tostring(tricky.xpath("div[@class='content']")[0], encoding="unicode")
    assert "raw HTML omitted" not in content
    text = tricky.xpath("string(div[@class='content'])")
    assert "{{< youtube abc >}}" in text and "{{% notice %}}" in text and "{{ .Title }}" in text
    (img,) = tricky.xpath(".//div[@class='content']//img")
    assert img.get("referrerpolicy") == "no-referrer"
    assert img.get("src") == "https://img.example/x.jpg?a=1&b=2"
    assert "line 1\n\n    indented line" in tricky.xpath("string(.//pre)")


def test_hostile_categories_stay_inside_public(hugo_public: Path) -> None:
    root = hugo_public.parent.resolve()
    for path in root.rglob("*"):
        assert path.resolve().is_relative_to(root)
