"""Feed parsing over the 280 real feeds of ../shared/data/feeds/.

Prints, for each parser in the same run: feeds/s, items/s, items found, and
items whose title came out with U+FFFD (garbled by a wrong charset). This is
the measurement behind newsmill's choice: our decoding in front of
fastfeedparser, feedparser as the fallback.

    python bench/parse.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Callable
from pathlib import Path

import fastfeedparser
import feedparser

from newsmill.parse import FeedError, parse_feed

FEEDS = Path(__file__).resolve().parents[2] / "shared" / "data" / "feeds"


def titles_feedparser(body: bytes) -> list[str]:
    return [str(e.get("title", "")) for e in feedparser.parse(body).entries]


def titles_feedparser_raw(body: bytes) -> list[str]:
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    return [str(e.get("title", "")) for e in parsed.entries]


def titles_fastfeedparser(body: bytes) -> list[str]:
    try:
        return [str(e.get("title", "")) for e in fastfeedparser.parse(body)["entries"]]
    except Exception:
        return []


def titles_newsmill(body: bytes) -> list[str]:
    try:
        return [e.title for e in parse_feed(body, base_url="https://example.com/feed").entries]
    except FeedError:
        return []


PARSERS: dict[str, Callable[[bytes], list[str]]] = {
    "feedparser": titles_feedparser,
    "feedparser (no sanitize)": titles_feedparser_raw,
    "fastfeedparser": titles_fastfeedparser,
    "newsmill (decode + fastfeedparser, feedparser fallback)": titles_newsmill,
}


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--repeat", type=int, default=1)
    opts = args.parse_args()
    rows = list(csv.DictReader((FEEDS / "manifest.csv").open(encoding="utf-8")))
    bodies = [(FEEDS / r["file"]).read_bytes() for r in rows]
    print(f"{len(bodies)} feeds, {sum(map(len, bodies)) / 1e6:.1f} MB, repeat {opts.repeat}")
    print(f"{'parser':58} {'feeds/s':>9} {'items/s':>10} {'items':>7} {'garbled':>8}")
    baseline = None
    for name, parse in PARSERS.items():
        best = float("inf")
        items = garbled = 0
        for _ in range(opts.repeat):
            started = time.perf_counter()
            found = [parse(b) for b in bodies]
            best = min(best, time.perf_counter() - started)
        items = sum(len(t) for t in found)
        garbled = sum("\ufffd" in title for titles in found for title in titles)
        baseline = baseline or best
        print(
            f"{name:58} {len(bodies) / best:9.0f} {items / best:10.0f} {items:7d} {garbled:8d}"
            f"   {baseline / best:6.1f}x feedparser"
        )


if __name__ == "__main__":
    main()
