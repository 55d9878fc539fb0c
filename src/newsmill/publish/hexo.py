"""Hexo posts: the seed's front matter, written so Hexo reads it right.

Measured with Hexo 8: when the site's `_config.yml` sets `timezone:`, any
front-matter date carrying an offset is shown shifted by it, so dates are
written as local times (no offset) in `[site] timezone`; set the same zone in
the Hexo config. `disableNunjucks: true` keeps `{{ }}` and `{% %}` in a body
literal, which the old `&#123;` replacement did badly.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from newsmill.dates import in_zone
from newsmill.model import Article, Source
from newsmill.publish.frontmatter import post_text
from newsmill.publish.posts import PostWriter


class HexoWriter(PostWriter):
    """Writes one Markdown file per article into a Hexo `source/_posts` folder."""

    name = "hexo"
    suffix = ".md"

    def timestamp(self, moment: datetime) -> datetime:
        """The wall-clock time in the site's zone, whole seconds, without an offset."""
        return in_zone(moment, self.tz).replace(tzinfo=None, microsecond=0)

    def front_matter(self, article: Article) -> dict[str, Any]:
        image = self.image_for(article)
        data: dict[str, Any] = {"title": article.title, "categories": list(article.categories)}
        if image:
            data["headimg"] = image
        data["author"] = self.source_author(article)
        data["comments"] = False
        data["date"] = self.timestamp(article.published)
        if image:
            data["thumbnail"] = image
        data["link"] = article.url
        if article.updated:
            data["updated"] = self.timestamp(article.updated)
        if article.tags:
            data["tags"] = list(article.tags)
        if article.publisher:
            data["publisher"] = article.publisher
        data["source"] = article.source
        if article.date_is_fallback:  # `date` only places it: its feed gave none
            data["undated"] = True
            data["first_seen"] = self.timestamp(article.fetched)
        if article.language:
            data["lang"] = article.language  # Hexo's own key: page.lang
        data["newsmill_id"] = article.id
        data["disableNunjucks"] = True
        return data

    def render(self, article: Article) -> str:
        return post_text(self.front_matter(article), f"<div>{article.content_html}</div>")


def render_hexo_post(
    article: Article, source: Source | None, tz: ZoneInfo, placeholder: str = ""
) -> str:
    """One article's Hexo post, as `HexoWriter` writes it, without a folder."""
    sources = {article.source: source} if source else {}
    return HexoWriter(Path(), tz, sources, placeholder).render(article)
