"""Hexo posts: the seed's front matter, written so Hexo reads it right.

Measured with Hexo 8: when the site's `_config.yml` sets `timezone:`, any
front-matter date carrying an offset is shown shifted by it, so dates are
written as local times (no offset) in `[site] timezone`; set the same zone in
the Hexo config. `disableNunjucks: true` keeps `{{ }}` and `{% %}` in a body
literal, which the old `&#123;` replacement did badly.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from newsmill.dates import in_zone
from newsmill.model import Article, Source
from newsmill.publish.posts import PostWriter


def local_naive(moment: datetime, tz: ZoneInfo) -> datetime:
    """The wall-clock time in `tz`, whole seconds, without an offset."""
    return in_zone(moment, tz).replace(tzinfo=None, microsecond=0)


# libyaml's emitter is ten times faster than the pure-Python one, and the
# front matter is most of a post's rendering time.
_BaseDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _FrontMatterDumper(_BaseDumper):  # type: ignore[valid-type,misc]
    """Double-quotes any string holding a character that is not plainly printable.

    PyYAML otherwise picks plain or single-quoted style for some strings with
    Unicode line breaks (NEL, U+2028) or format characters, and they do not
    read back the same; double quotes escape them.
    """


def _represent_str(dumper: Any, value: str) -> yaml.ScalarNode:
    style = None if value.isprintable() else '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_FrontMatterDumper.add_representer(str, _represent_str)


def dump_front_matter(data: Mapping[str, Any]) -> str:
    """YAML any title survives: quotes of both kinds, colons, `#`, newlines, emoji."""
    return yaml.dump(
        dict(data),
        Dumper=_FrontMatterDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=2**31 - 1,
    )


def hexo_front_matter(
    article: Article, source: Source | None, tz: ZoneInfo, placeholder: str
) -> dict[str, Any]:
    image = article.lead_image or placeholder or None
    data: dict[str, Any] = {"title": article.title, "categories": list(article.categories)}
    if image:
        data["headimg"] = image
    data["author"] = (source.author if source and source.author else "") or article.author
    data["comments"] = False
    data["date"] = local_naive(article.published, tz)
    if image:
        data["thumbnail"] = image
    data["link"] = article.url
    if article.updated:
        data["updated"] = local_naive(article.updated, tz)
    if article.tags:
        data["tags"] = list(article.tags)
    if article.publisher:
        data["publisher"] = article.publisher
    data["source"] = article.source
    if article.date_is_fallback:  # `date` only places it: its feed gave none
        data["undated"] = True
        data["first_seen"] = local_naive(article.fetched, tz)
    if article.language:
        data["lang"] = article.language  # Hexo's own key: page.lang
    data["newsmill_id"] = article.id
    data["disableNunjucks"] = True
    return data


def render_hexo_post(
    article: Article, source: Source | None, tz: ZoneInfo, placeholder: str = ""
) -> str:
    front = dump_front_matter(hexo_front_matter(article, source, tz, placeholder))
    return f"---\n{front}---\n\n<div>{article.content_html}</div>\n"


class HexoWriter(PostWriter):
    """Writes one Markdown file per article into a Hexo `source/_posts` folder."""

    name = "hexo"
    suffix = ".md"

    def render(self, article: Article) -> str:
        return render_hexo_post(
            article, self.sources.get(article.source), self.tz, self.placeholder
        )
