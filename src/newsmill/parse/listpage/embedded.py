"""Lists that an HTML page also holds as data in a script (`__NEXT_DATA__`,
`window.__INITIAL_STATE__ = {...}`): a page rendered by script may show the
list only there."""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

from lxml.html import HtmlElement

from newsmill.parse.listpage.jsonlist import JsonList, find_json_list

_ASSIGN = re.compile(r"(?:window\.|var\s+|let\s+|const\s+)?([\w$.]+)\s*=\s*(?=[\[{])")


def script_values(root: HtmlElement) -> list[tuple[str, Any]]:
    """JSON values held by the page's scripts, each named as a selector could name it."""
    values: list[tuple[str, Any]] = []
    decoder = json.JSONDecoder()
    for script in root.iter("script"):
        text = script.text or ""
        if len(text) < 40:
            continue
        kind = (script.get("type") or "").lower()
        name = f"script#{script.get('id')}" if script.get("id") else "script"
        if "json" in kind:
            with contextlib.suppress(ValueError):
                values.append((name, json.loads(text)))
            continue
        for match in _ASSIGN.finditer(text):
            try:
                value, _ = decoder.raw_decode(text, match.end())
            except ValueError:
                continue
            values.append((f"{name} {match.group(1)}", value))
    return values


def find_embedded_list(root: HtmlElement, base_url: str) -> tuple[str, JsonList] | None:
    """The best list among the page's script-held data, with the script that holds it."""
    best: tuple[str, JsonList] | None = None
    for name, value in script_values(root):
        found = find_json_list(value, base_url)
        if found is not None and (best is None or found.score > best[1].score):
            best = (name, found)
    return best
