"""Hugo posts: `content/posts/<date>-<slug>-<id>.md` with YAML front matter Hugo reads.

Checked with Debian's Hugo 0.111: dates are RFC 3339 with the site's offset
(Hugo keeps the instant and shows it in that zone), `images` feeds Hugo's own
Open Graph and Twitter templates, and custom keys (`link`, `source`,
`publisher`, `newsmill_id`) are `.Params` in a theme. The body is the
article's sanitized HTML in one `<div>` with no blank lines, so Goldmark keeps
it as one raw HTML block; Hugo renders raw HTML only with
`[markup.goldmark.renderer] unsafe = true` in the site config, otherwise it
writes `<!-- raw HTML omitted -->`.

Hugo reads `{{< name >}}` and `{{% name %}}` in content as shortcodes, and an
unknown one fails the whole build. The body is HTML, so such text is written
with an entity (`{{&lt;`, `{{&#37;`) that a browser shows unchanged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from newsmill.dates import in_zone
from newsmill.enrich import primary_language
from newsmill.model import Article
from newsmill.publish.frontmatter import origin, post_text
from newsmill.publish.posts import PostWriter


def escape_shortcodes(html: str) -> str:
    """Text that would open a Hugo shortcode, made inert but shown the same."""
    return html.replace("{{<", "{{&lt;").replace("{{%", "{{&#37;")


class HugoWriter(PostWriter):
    """Writes one Markdown file per article into a Hugo `content/posts` folder."""

    name = "hugo"
    suffix = ".md"

    def timestamp(self, moment: datetime) -> str:
        """RFC 3339 with the site's offset, whole seconds: `2026-11-28T08:07:44+08:00`."""
        return in_zone(moment, self.tz).replace(microsecond=0).isoformat()

    def front_matter(self, article: Article) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": article.title,
            "date": self.timestamp(article.published),
        }
        if article.updated and article.updated != article.published:
            data["lastmod"] = self.timestamp(article.updated)
        data["draft"] = False
        data["categories"] = list(article.categories)
        if article.tags:
            data["tags"] = list(article.tags)
        image = self.image_for(article)
        if image:
            data["images"] = [image]
        if article.summary:
            data["description"] = article.summary
        author = self.source_author(article)
        if author:
            data["author"] = author
        data.update(origin(article, self.timestamp))
        if article.language:
            data["language"] = article.language  # .Params.language
            if primary_language(article.language) in ("zh", "ja", "ko"):
                data["isCJKLanguage"] = True  # Hugo counts words and cuts summaries by character
        data["newsmill_id"] = article.id
        return data

    def render(self, article: Article) -> str:
        body = f"<div>{escape_shortcodes(article.content_html)}</div>"
        return post_text(self.front_matter(article), body)
