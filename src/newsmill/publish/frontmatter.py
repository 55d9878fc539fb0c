"""Front matter for the post writers (Hexo, Hugo, Jekyll): the YAML and the post around it.

Each generator wants its own keys and date format, which its writer builds;
what they share is here: YAML every title survives, the `---` framing, and
the keys that say where an article comes from, so the three cannot drift
apart in how they escape a title or mark an undated article.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import yaml

from newsmill.model import Article

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


def post_text(front: Mapping[str, Any], body: str, blank_line: bool = True) -> str:
    """A post: the front matter between `---` lines, then the body and a newline.

    Hexo and Hugo posts have a blank line before the body, Jekyll's none:
    kept as each has always been, since a changed byte rewrites every post.
    """
    gap = "\n" if blank_line else ""
    return f"---\n{dump_front_matter(front)}---\n{gap}{body}\n"


def origin(article: Article, timestamp: Callable[[datetime], Any]) -> dict[str, Any]:
    """Where the article comes from, in the keys Hugo and Jekyll posts give it.

    `link`, `source`, `publisher` if known; for an article whose feed gave no
    date, `undated` (its `date` only places it) and `first_seen`, written by
    `timestamp` in the generator's own date format.
    """
    data: dict[str, Any] = {"link": article.url, "source": article.source}
    if article.publisher:
        data["publisher"] = article.publisher
    if article.date_is_fallback:
        data["undated"] = True
        data["first_seen"] = timestamp(article.fetched)
    return data
