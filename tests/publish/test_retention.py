"""Retention against a feed that still lists what was pruned: a second run changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from helpers.common import run_cli, write_config
from pytest_httpserver import HTTPServer

from newsmill.store import Store

TOPICS = ["harbor dredging", "school meals", "night buses", "river flood wall", "market hall"]


def feed(base: str, count: int) -> bytes:
    """Items an hour apart, each on its own topic (so none is a near-duplicate)."""
    now = datetime.now(UTC)
    items = "".join(
        f"<item><title>Item {n}</title><link>{base}/a/{n}</link><guid>g{n}</guid>"
        f"<pubDate>{format_datetime(now - timedelta(hours=n))}</pubDate>"
        f"<description>The council voted on {TOPICS[n]} after a long debate.</description></item>"
        for n in range(count)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>'
        f"<link>{base}/</link>{items}</channel></rss>"
    ).encode()


def test_pruned_items_still_in_the_feed_are_not_brought_back(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed").respond_with_data(feed(base, 5))
    source = {"name": "busy", "url": f"{base}/feed", "categories": ["x"]}
    config = write_config(tmp_path, [source], publish={"keep": 2})

    assert run_cli("run", "--all", "-c", str(config)).exit_code == 0
    posts = sorted(p.name for p in (tmp_path / "posts").glob("*.md"))
    assert len(posts) == 2
    jsonl = tmp_path / "articles.jsonl"
    before = jsonl.stat().st_mtime_ns

    again = run_cli("run", "--all", "-c", str(config))
    assert again.exit_code == 0
    assert "0 new" in again.output, again.output
    assert sorted(p.name for p in (tmp_path / "posts").glob("*.md")) == posts
    assert jsonl.stat().st_mtime_ns == before

    store = Store(f"sqlite:///{tmp_path / 'newsmill.db'}")
    try:
        assert sorted(a.guid for a in store.iter_articles()) == ["g0", "g1"]
        assert store.filtered_guids("busy") == {"g2", "g3", "g4"}
    finally:
        store.close()
