"""Parse stage: feed bytes to Entries, and the feeds a page offers."""

from newsmill.parse.discover import advertised_feeds, usual_feed_urls
from newsmill.parse.feed import FeedError, ParsedFeed, parse_feed, plain_text

__all__ = [
    "FeedError",
    "ParsedFeed",
    "advertised_feeds",
    "parse_feed",
    "plain_text",
    "usual_feed_urls",
]
