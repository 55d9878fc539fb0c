"""When a feed item is only a teaser, and the article page must be fetched."""

from __future__ import annotations

import re

from newsmill.clean import html_to_text
from newsmill.htmltools import text_weight
from newsmill.model import Entry

# Teasers end like this: an ellipsis, or a link inviting the reader to the page.
_TEASER_END = re.compile(
    r"(\.\.\.|…|⋯|阅读全文|查看全文|阅读原文|全文阅读|点击查看|详情请点击|继续阅读|更多内容|"
    r"read more|continue reading|read the full (?:story|article)|full story|keep reading)"
    r"\s*[>»›→\]】)）.。]*\s*$",
    re.IGNORECASE,
)
# Text weight (characters, CJK counted thrice) below which content is a teaser:
# about 100 Chinese characters or 400 letters of English.
SHORT_CONTENT = 400


def is_teaser(text: str) -> bool:
    return text_weight(text) < SHORT_CONTENT or bool(_TEASER_END.search(text.strip()[-40:]))


def needs_full_text(entry: Entry, policy: str) -> bool:
    """`always` and `never` say it; `auto` fetches when the feed gave no content,
    content much shorter than an article, or text ending in an ellipsis or a
    read-more link."""
    if policy == "never" or not entry.link.startswith(("http://", "https://")):
        return False
    if policy == "always":
        return True
    body = entry.content_html or entry.summary_html
    return is_teaser(html_to_text(body))
