"""Parse stage: feed and list-page bytes to what they list, and the feeds a page offers."""

from newsmill.parse.discover import advertised_feeds, usual_feed_urls
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
    "advertised_feeds",
    "find_list",
    "parse_feed",
    "plain_text",
    "select_list",
    "usual_feed_urls",
]
