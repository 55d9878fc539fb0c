"""Jekyll posts: `_posts/YYYY-MM-DD-<slug>-<id>.html` with front matter Jekyll reads.

Checked with Debian's Jekyll 4.3: the date is written as local time with its
offset (`2026-11-28 08:07:44 +0800`), which Jekyll parses exactly; the post
is HTML, so no Markdown converter touches the sanitized body; and
`render_with_liquid: false` keeps `{{ }}` and `{% %}` in a title or body
literal, where Liquid would otherwise run them or fail the build. Jekyll
skips posts dated in the future unless the site sets `future: true`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from newsmill.dates import in_zone
from newsmill.model import Article
from newsmill.publish.frontmatter import origin, post_text
from newsmill.publish.posts import PostWriter


class JekyllWriter(PostWriter):
    """Writes one HTML post per article into a Jekyll `_posts` folder."""

    name = "jekyll"
    suffix = ".html"

    def timestamp(self, moment: datetime) -> str:
        """Local time with its offset, as Jekyll parses it: `2026-11-28 08:07:44 +0800`."""
        return in_zone(moment, self.tz).strftime("%Y-%m-%d %H:%M:%S %z")

    def front_matter(self, article: Article) -> dict[str, Any]:
        data: dict[str, Any] = {
            "layout": "post",
            "title": article.title,
            "date": self.timestamp(article.published),
        }
        if article.updated and article.updated != article.published:
            data["last_modified_at"] = self.timestamp(article.updated)
        data["categories"] = list(article.categories)
        if article.tags:
            data["tags"] = list(article.tags)
        image = self.image_for(article)
        if image:
            data["image"] = image
        author = self.source_author(article)
        if author:
            data["author"] = author
        if article.summary:
            data["description"] = article.summary
        data.update(origin(article, self.timestamp))
        if article.language:
            data["lang"] = article.language  # page.lang, as jekyll-seo-tag and themes read it
        data["newsmill_id"] = article.id
        data["render_with_liquid"] = False
        return data

    def render(self, article: Article) -> str:
        body = f"<div>{article.content_html}</div>"
        return post_text(self.front_matter(article), body, blank_line=False)
