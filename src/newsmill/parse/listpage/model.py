"""The data a list page gives and the selectors that describe where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ListKind = Literal["html", "json", "jsonp", "embedded-json"]


class ListError(ValueError):
    """A list page that cannot be read, or a selector that matches nothing."""


@dataclass(frozen=True, slots=True)
class ListItem:
    """One article of a list: its absolute URL, the title shown, the date as shown."""

    url: str
    title: str
    date_text: str | None = None
    summary: str | None = None  # shown beside the link, when a selector names it


@dataclass(frozen=True, slots=True)
class ListSelect:
    """Where a list is: CSS selectors for HTML, dot paths for JSON.

    HTML: `items` selects one element per article; `link`, `title`, `date` are
    evaluated inside it (`sel@attr` reads an attribute; an empty `link` means
    the item is the link); `next` selects the next-page link in the page.
    JSON: `items` is the dot path of the array; `link`, `title`, `date` are
    field names (dotted paths allowed) inside each element.
    """

    items: str
    link: str = ""
    title: str = ""
    date: str = ""
    next: str = ""
    summary: str = ""

    def as_dict(self) -> dict[str, str]:
        """The non-empty selectors, as a config file would hold them."""
        pairs = {"items": self.items, "link": self.link, "title": self.title}
        pairs |= {"date": self.date, "summary": self.summary, "next": self.next}
        return {key: value for key, value in pairs.items() if value}


@dataclass(frozen=True, slots=True)
class FoundList:
    """A page's main list, what kind of document it was, and the selectors that find it."""

    items: list[ListItem]
    kind: ListKind
    select: ListSelect
    next_page: str | None = None
    notes: list[str] = field(default_factory=list)
