"""What the Hugo and Jekyll tests share: building posts with the real tool and
reading back every article page it rendered (their test themes mark each
article with data-id)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import yaml
from lxml import html

from helpers.site import SHANGHAI


def front(path: Path) -> dict:
    """A post's YAML front matter."""
    return yaml.safe_load(path.read_text("utf-8").split("---\n", 2)[1])


def build_site(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def rendered_articles(output: Path, pattern: str) -> dict[str, Any]:
    """Every <article data-id> in the built site, by article id."""
    pages = {}
    for path in output.rglob(pattern):
        doc = html.fromstring(path.read_bytes())
        for article in doc.xpath("//article[@data-id]"):
            pages[article.get("data-id")] = article
    return pages


def assert_every_article_rendered(pages: dict[str, Any], items: list) -> None:
    """Title, local time, link to the original and categories, as a reader sees them."""
    assert set(pages) == {a.id for a in items}
    for item in items:
        page = pages[item.id]
        assert page.xpath("string(h1)") == item.title
        local = item.published.astimezone(SHANGHAI)
        assert page.xpath("string(time)") == local.strftime("%Y-%m-%d %H:%M")
        assert page.xpath("a[@class='original']/@href") == [item.url]
        assert page.xpath(".//ul[@class='categories']/li/text()") == item.categories
        assert page.xpath("string(div[@class='content'])").strip()
