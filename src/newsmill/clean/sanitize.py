"""Sanitizing: what a source sends becomes HTML that is safe on any page.

nh3 (ammonia) does the work; the policy here is an allow-list, so an element
or attribute nobody thought of is dropped, not passed through.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Literal

import nh3

from newsmill.urls import strip_tracking

ALLOWED_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col",
    "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p",
    "pre", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "summary",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "reversed"},
    "li": {"value"},
    "time": {"datetime"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "bdo": {"dir"},
}
# Removed with everything inside them: their content is code or chrome, never text.
DROPPED_WITH_CONTENT = {
    "script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math",
    "textarea", "select", "button", "canvas", "audio", "video", "frameset", "frame", "applet",
}  # fmt: skip
URL_SCHEMES = {"http", "https", "mailto"}

_PRE_BLOCK = re.compile(r"<pre\b.*?</pre>", re.IGNORECASE | re.DOTALL)
_BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*(?=\n)")
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "href" and tag == "a":
        return strip_tracking(value)
    return value


def _no_blank_lines(html: str) -> str:
    """Keep the fragment free of blank lines.

    Markdown renderers (Hexo's, Hugo's) end a raw HTML block at the first
    blank line and read the rest as Markdown; inside <pre> a newline is kept
    as a character reference so the code still shows its lines.
    """
    html = _PRE_BLOCK.sub(lambda m: m.group(0).replace("\r", "").replace("\n", "&#10;"), html)
    return _BLANK_LINES.sub("", html).strip()


def sanitize_html(html: str, base_url: str | None = None) -> str:
    """Safe HTML with absolute URLs, no comments and no blank lines."""
    if not html:
        return ""
    relative: Literal["deny"] | tuple[Literal["rewrite_with_base"], str] = "deny"
    if base_url and base_url.startswith(("http://", "https://")):
        relative = ("rewrite_with_base", base_url)
    clean = partial(
        nh3.clean,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        strip_comments=True,
        link_rel="noopener noreferrer nofollow",
        url_schemes=URL_SCHEMES,
    )
    try:
        result = clean(CONTROL_CHARACTERS.sub("", html), url_relative=relative)
    except ValueError:
        result = clean(CONTROL_CHARACTERS.sub("", html), url_relative="deny")
    return _no_blank_lines(_IMAGE_TAG.sub(_quiet_image, result))


# ammonia serializes a tag as `<img name="value" ...>` (a quote inside a value is
# `&quot;`, a `<` in text is `&lt;`), so this finds every image tag and no text.
_IMAGE_TAG = re.compile(r'<img((?:\s[^\s"=>]+(?:="[^"]*")?)*)>')


def _quiet_image(tag: re.Match[str]) -> str:
    """An image loads lazily and tells its host nothing of the page that shows it.

    Added here rather than by nh3's `set_tag_attribute_values`, whose attributes
    come out in an order that changes from process to process: the same item
    would give different bytes on every run.
    """
    return f'<img{tag.group(1)} referrerpolicy="no-referrer" loading="lazy">'
