"""Parse stage: feed bytes to Entries."""

from newsmill.parse.feed import FeedError, ParsedFeed, parse_feed, plain_text
from newsmill.parse.listpage import (
    FoundList,
    ListError,
    ListItem,
    ListKind,
    ListSelect,
    find_list,
    select_list,
)

__all__ = [
    "FeedError",
    "FoundList",
    "ListError",
    "ListItem",
    "ListKind",
    "ListSelect",
    "ParsedFeed",
    "find_list",
    "parse_feed",
    "plain_text",
    "select_list",
]
