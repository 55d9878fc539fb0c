"""List pages: a page's main article list, found without selectors or read with them."""

from newsmill.parse.listpage.find import find_list, select_list
from newsmill.parse.listpage.model import FoundList, ListError, ListItem, ListKind, ListSelect

__all__ = [
    "FoundList",
    "ListError",
    "ListItem",
    "ListKind",
    "ListSelect",
    "find_list",
    "select_list",
]
