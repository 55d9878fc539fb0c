"""Reading a list with the selectors a user gave: CSS for HTML, dot paths for JSON."""

from __future__ import annotations

from typing import Any

from cssselect import SelectorError
from lxml.html import HtmlElement

from newsmill.parse.listpage.jsonlist import field, read_array
from newsmill.parse.listpage.model import ListError, ListItem, ListSelect
from newsmill.parse.listpage.text import absolute, squash


def _split(selector: str) -> tuple[str, str | None]:
    """`a@href` → ("a", "href"); `@title` → ("", "title")."""
    if "@" in selector:
        css, attr = selector.rsplit("@", 1)
        return css.strip(), attr.strip()
    return selector.strip(), None


def _select(root: HtmlElement, css: str, name: str) -> list[HtmlElement]:
    try:
        return list(root.cssselect(css))
    except (SelectorError, SyntaxError) as error:
        raise ListError(f"selector {name}={css!r} is not valid CSS: {error}") from None


def _value(item: HtmlElement, selector: str, name: str, default_attr: str | None) -> str | None:
    css, attr = _split(selector)
    found = _select(item, css, name)[:1] if css else [item]
    if not found:
        return None
    element = found[0]
    attr = attr or default_attr
    value = element.get(attr) if attr else element.text_content()
    return squash(value) if value is not None else None


def select_html(root: HtmlElement, base_url: str, select: ListSelect) -> list[ListItem]:
    """Items by CSS selectors; a selector that matches nothing is an error naming it."""
    elements = _select(root, select.items, "items")
    if not elements:
        raise ListError(f"selector items={select.items!r} matches nothing")
    items: list[ListItem] = []
    seen: set[str] = set()
    any_link = any_date = False
    for element in elements:
        href = _value(element, select.link, "link", "href") if select.link else element.get("href")
        if href is None and not select.link:
            found = element.cssselect("a[href]")
            href = found[0].get("href") if found else None
        url = absolute(href, base_url)
        if url is None:
            continue
        any_link = True
        title = _value(element, select.title or select.link or "", "title", None) or ""
        date = _value(element, select.date, "date", None) if select.date else None
        any_date = any_date or date is not None
        summary = _value(element, select.summary, "summary", None) if select.summary else None
        if url not in seen:
            seen.add(url)
            items.append(ListItem(url, title, date or None, summary or None))
    if not any_link:
        raise ListError(f"selector link={select.link or 'a[href]'!r} finds no link in the items")
    if select.date and not any_date:
        raise ListError(f"selector date={select.date!r} matches nothing in the items")
    return items


def select_json(value: Any, base_url: str, select: ListSelect) -> list[ListItem]:
    """Items from the array at `select.items`, fields `link`, `title`, `date`."""
    array = field(value, select.items) if select.items else value
    if not isinstance(array, list):
        raise ListError(f"json path items={select.items!r} is not an array in the document")
    objects = [v for v in array if isinstance(v, dict)]
    link = select.link or "url"
    if objects and all(field(obj, link) is None for obj in objects):
        raise ListError(f"json field link={link!r} is in no element of {select.items!r}")
    return read_array(objects, base_url, link, select.title or "title", select.date, select.summary)
