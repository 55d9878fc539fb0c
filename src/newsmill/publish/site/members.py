"""Which listed articles each list holds, gathered in one pass before any list is made.

The category, tag and month lists, the feeds and the sitemap's index of lists
all need the members of some lists; one pass over the archive serves them all,
and is made before the build forks its helper, so the two processes share it
instead of each walking the archive again for the lists it takes.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsmill.publish.site.catalog import Item
from newsmill.publish.site.paths import tag_dir


@dataclass(frozen=True, slots=True, eq=False)
class Members:
    """Every list's articles, newest first; names as first met (newest first)."""

    categories: dict[str, list[Item]]  # category folder: its articles
    category_names: dict[str, tuple[str, ...]]  # category folder: its levels' names
    months: dict[str, list[Item]]  # month folder: its articles
    tag_names: dict[str, str]  # every tag folder: its tag
    tags: dict[str, list[Item]]  # tag folder: its articles, for the tags gathered

    def category_children(self) -> dict[str, list[str]]:
        """{category folder: its subfolders}."""
        children: dict[str, list[str]] = {}
        for folder in self.categories:
            parent = folder[: folder.rstrip("/").rfind("/") + 1]
            if parent != "c/":
                children.setdefault(parent, []).append(folder)
        return children

    def index_pages(self) -> list[str]:
        """The first page of every list, in the order the lists are made."""
        folders = (*self.categories, *self.tag_names, *self.months)
        return ["index.html", *(folder + "index.html" for folder in folders), "archive/index.html"]


def gather(listed: list[Item], tags: set[str] | None) -> Members:
    """The members of every category and month list, and of the tag lists in `tags`
    (None: every tag)."""
    categories: dict[str, list[Item]] = {}
    category_names: dict[str, tuple[str, ...]] = {}
    months: dict[str, list[Item]] = {}
    tag_names: dict[str, str] = {}
    tag_members: dict[str, list[Item]] = {}
    for item in listed:
        for depth, folder in enumerate(item.folders, 1):
            group = categories.get(folder)
            if group is None:
                group = categories[folder] = []
                category_names[folder] = item.categories[:depth]
            group.append(item)
        month = item.month
        group = months.get(month)
        if group is None:
            group = months[month] = []
        group.append(item)
        for tag in item.tags:
            folder = tag_dir(tag)
            if folder not in tag_names:
                tag_names[folder] = tag
            if tags is None or folder in tags:
                group = tag_members.setdefault(folder, [])
                if not group or group[-1] is not item:  # a tag given twice
                    group.append(item)
    return Members(categories, category_names, months, tag_names, tag_members)
