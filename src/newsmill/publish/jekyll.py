"""Jekyll posts: `_posts/YYYY-MM-DD-<slug>-<id>.html` with front matter Jekyll reads.

Checked with Debian's Jekyll 4.3: the date is written as local time with its
offset (`2026-11-28 08:07:44 +0800`), which Jekyll parses exactly; the post
is HTML, so no Markdown converter touches the sanitized body; and
`render_with_liquid: false` keeps `{{ }}` and `{% %}` in a title or body
literal, where Liquid would otherwise run them or fail the build. Jekyll
skips posts dated in the future unless the site sets `future: true`.
"""

from __future__ import annotations

from typing import Any

from newsmill.dates import in_zone
from newsmill.model import Article
from newsmill.publish.hexo import dump_front_matter
from newsmill.publish.posts import PostWriter


class JekyllWriter(PostWriter):
    """Writes one HTML post per article into a Jekyll `_posts` folder."""

    name = "jekyll"
    suffix = ".html"

    def front_matter(self, article: Article) -> dict[str, Any]:
        local = in_zone(article.published, self.tz)
        data: dict[str, Any] = {
            "layout": "post",
            "title": article.title,
            "date": local.strftime("%Y-%m-%d %H:%M:%S %z"),
        }
        if article.updated and article.updated != article.published:
            data["last_modified_at"] = in_zone(article.updated, self.tz).strftime(
                "%Y-%m-%d %H:%M:%S %z"
            )
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
        data["link"] = article.url
        data["source"] = article.source
        if article.publisher:
            data["publisher"] = article.publisher
        if article.date_is_fallback:  # `date` only places it: its feed gave none
            data["undated"] = True
            data["first_seen"] = in_zone(article.fetched, self.tz).strftime("%Y-%m-%d %H:%M:%S %z")
        if article.language:
            data["lang"] = article.language  # page.lang, as jekyll-seo-tag and themes read it
        data["newsmill_id"] = article.id
        data["render_with_liquid"] = False
        return data

    def render(self, article: Article) -> str:
        front = dump_front_matter(self.front_matter(article))
        return f"---\n{front}---\n<div>{article.content_html}</div>\n"
