"""newsmill: news sources in, clean deduplicated articles out."""

__version__ = "0.1.0"
