"""Parse stage: feed bytes to Entries."""

from newsmill.parse.feed import FeedError, ParsedFeed, parse_feed, plain_text

__all__ = ["FeedError", "ParsedFeed", "parse_feed", "plain_text"]
