"""Entry points: a list page's bytes in, its main list out.

The document decides the reader: JSON or JSONP goes to the array finder; HTML
goes to the link-group finder, and its scripts' data are read too, because a
page rendered by script may hold its list only there.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from cssselect import SelectorError
from lxml.etree import ParserError
from lxml.html import HtmlElement

from newsmill.decoding import decode_document
from newsmill.htmltools import parse_document
from newsmill.parse.listpage.embedded import find_embedded_list, script_values
from newsmill.parse.listpage.htmllist import find_html_list
from newsmill.parse.listpage.jsonlist import find_json_list, unwrap
from newsmill.parse.listpage.model import FoundList, ListError, ListItem, ListKind, ListSelect
from newsmill.parse.listpage.nextpage import find_next_page
from newsmill.parse.listpage.selected import select_html, select_json

# Script data replace what the HTML shows only when they hold clearly more title
# text: a page that renders its list shows it better than its data does.
_EMBEDDED_MARGIN = 1.5


def _text(body: bytes | str, content_type: str, encoding: str | None) -> str:
    if isinstance(body, str):
        return body
    return decode_document(body, content_type, encoding)[0]


def _looks_json(text: str, content_type: str) -> bool:
    head = text.lstrip("\ufeff \t\r\n")[:200].lower()
    if head.startswith(("<", "<!")):
        return False
    if "json" in content_type.lower() or "javascript" in content_type.lower():
        return True
    return (
        head[:1] in ("{", "[")
        or head.startswith(("var ", "let ", "const ", "export ", "window."))
        or "(" in head[:80]
    )


def _parse_html(text: str) -> HtmlElement:
    try:
        return parse_document(text)
    except ParserError:
        raise ListError("the page is empty") from None


def find_list(
    body: bytes | str, base_url: str, content_type: str = "", encoding: str | None = None
) -> FoundList:
    """The page's main article list, found with no selectors.

    Raises ListError when the document holds nothing that reads as a list.
    """
    text = _text(body, content_type, encoding)
    if _looks_json(text, content_type):
        try:
            value, wrapped = unwrap(text)
        except ListError:
            value = None
        if value is not None:
            found = find_json_list(value, base_url)
            if found is None:
                raise ListError("no array of objects with a URL and a title in the JSON")
            kind: ListKind = "jsonp" if wrapped else "json"
            return FoundList(found.items, kind, found.select)
    root = _parse_html(text)
    html = find_html_list(root, base_url)
    embedded = find_embedded_list(root, base_url)
    next_page = find_next_page(root, base_url)
    if embedded is not None and (
        html is None or embedded[1].score > _EMBEDDED_MARGIN * html.text_weight
    ):
        script, found = embedded
        return FoundList(
            found.items, "embedded-json", found.select, next_page, [f"data from {script}"]
        )
    if html is None:
        raise ListError("no group of article links found in the page")
    return FoundList(html.items, "html", html.select, next_page)


def select_list(
    body: bytes | str,
    base_url: str,
    select: ListSelect,
    content_type: str = "",
    encoding: str | None = None,
) -> FoundList:
    """The list the given selectors describe; ListError names a selector that matches nothing."""
    text = _text(body, content_type, encoding)
    if _looks_json(text, content_type):
        value: Any
        try:
            value, wrapped = unwrap(text)
        except ListError:
            value = None
        if value is not None:
            items = select_json(value, base_url, select)
            return FoundList(items, "jsonp" if wrapped else "json", select)
    root = _parse_html(text)
    try:
        items = select_html(root, base_url, select)
        kind: ListKind = "html"
    except ListError as error:
        items = _select_embedded(root, base_url, select, error)
        kind = "embedded-json"
    return FoundList(items, kind, select, _next_by(root, base_url, select.next))


def _select_embedded(
    root: HtmlElement, base_url: str, select: ListSelect, error: ListError
) -> list[ListItem]:
    """A dot path given for an HTML page reads the page's script data."""
    if "." not in select.items and not select.items.isidentifier():
        raise error
    for _, value in script_values(root):
        try:
            return select_json(value, base_url, select)
        except ListError:
            continue
    raise error


def _next_by(root: HtmlElement, base_url: str, selector: str) -> str | None:
    """The next page by the user's selector (an error if it matches nothing), else found."""
    if not selector:
        return find_next_page(root, base_url)
    css, _, attr = selector.partition("@")
    try:
        links = root.cssselect(css)
    except (SelectorError, SyntaxError) as error:
        raise ListError(f"selector next={selector!r} is not valid CSS: {error}") from None
    if not links:
        raise ListError(f"selector next={selector!r} matches nothing")
    href = (links[0].get(attr or "href") or "").strip()
    if not href or href.lower().startswith("javascript:"):
        return None
    return urljoin(base_url, href)
