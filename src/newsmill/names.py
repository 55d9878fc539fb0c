"""Source names made from what a feed calls itself: valid, readable and unused.

A name is a source's id in the config, the store and every command
(`newsmill sources enable NAME`). Made from the feed's title, it keeps the
title's letters whatever their script (`新浪财经-滚动`), as the config's rule
for names allows; a title with too little to go on gives way to the host.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_UNSAFE = re.compile(r"[^\w.-]+")  # \w: letters and digits of every script, and _
MAX_LENGTH = 60


def source_name(title: str, url: str, taken: set[str]) -> str:
    """An unused name from `title`, else from the host of `url`; added to `taken`."""
    base = _UNSAFE.sub("-", title).strip("-._").lower()[:MAX_LENGTH].rstrip("-._")
    if len(base) < 2:
        host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
        base = _UNSAFE.sub("-", host).strip("-._") or "source"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return name
