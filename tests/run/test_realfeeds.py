"""The 280 real feeds of ../shared/data/feeds/, served on loopback, through whole
`newsmill run` processes with every output, in a time zone east of UTC and one west
of it: nothing crashes, nothing is lost, nothing undated poses as dated."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import feedparser
import pytest
import yaml
from helpers.common import SHARED, write_config
from helpers.links import broken_links
from lxml import html

FEEDS = SHARED / "data" / "feeds"
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)

pytestmark = pytest.mark.skipif(not FEEDS.is_dir(), reason="needs ../shared/data/feeds")


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def feeds_url() -> Any:
    """The feed files over HTTP on 127.0.0.1, as their sites would serve them."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(FEEDS)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def feed_files() -> list[str]:
    with (FEEDS / "manifest.csv").open(encoding="utf-8") as handle:
        return [row["file"] for row in csv.DictReader(handle)]


def source_name(file: str) -> str:
    return file.replace("+", "-")[:90]


def distinct_items(file: str) -> tuple[int, int]:
    """(entries, distinct items) of a feed as feedparser (or json, for JSON Feed) reads
    it, apart from newsmill: an item is its guid, else its link, else its title and
    text, and a feed that repeats one counts it once."""
    data = (FEEDS / file).read_bytes()
    if data.lstrip()[:1] in (b"{", b"["):
        items = json.loads(data).get("items", [])
        keys = {
            i.get("id")
            or i.get("url")
            or (i.get("title"), i.get("content_html") or i.get("content_text"))
            for i in items
        }
        return len(items), len({str(k) for k in keys})
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    keys = set()
    for e in parsed.entries:
        text = str([c.get("value") for c in e.get("content") or []]) + str(e.get("summary"))
        key = (e.get("id") or "").strip() or (e.get("link") or "").strip() or (e.get("title"), text)
        keys.add(str(key))
    return len(parsed.entries), len(keys)


def front_matter(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text("utf-8").split("---\n", 2)[1])


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "America/Los_Angeles"])
def test_every_real_feed_runs_whole_in_any_time_zone(
    tmp_path: Path, feeds_url: str, zone: str
) -> None:
    files = feed_files()
    assert len(files) == 280
    sources = [
        {
            "name": source_name(f),
            "url": f"{feeds_url}/{f}",
            "categories": ["feeds"],
            "full_text": "never",
        }
        for f in files
    ]
    config = write_config(
        tmp_path, sources,
        site={"title": "real feeds", "timezone": zone},
        fetch={"allow_private_networks": True, "concurrency": 32, "per_host": 32, "timeout": "20s",
               "total_timeout": "60s", "retries": 1},
        publish={"hexo": {"dir": "hexo"}, "hugo": {"dir": "hugo"}, "jekyll": {"dir": "jekyll"},
                 "jsonl": {"path": "articles.jsonl"}, "site": {"dir": "site"}},
    )  # fmt: skip
    started = datetime.now(UTC)
    run = subprocess.run(
        [sys.executable, "-m", "newsmill", "-q", "run", "-c", str(config)],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "Traceback" not in run.stderr

    # Every output written.
    records = [json.loads(x) for x in (tmp_path / "articles.jsonl").read_text("utf-8").splitlines()]
    canonical = [r for r in records if not r["duplicate_of"]]
    for folder, suffix in (("hexo", ".md"), ("hugo", ".md"), ("jekyll", ".html")):
        assert len(list((tmp_path / folder).glob(f"*{suffix}"))) == len(canonical), folder
    assert (tmp_path / "site" / "index.html").is_file()
    assert len(list((tmp_path / "site" / "a").rglob("*.html"))) == len(records)
    assert broken_links(tmp_path / "site") == []

    # Every distinct item of every feed stored, and none made up.
    stored: dict[str, int] = {}
    for record in records:
        stored[record["source"]] = stored.get(record["source"], 0) + 1
    with (FEEDS / "manifest.csv").open(encoding="utf-8") as handle:
        fastfeedparser_counts = {
            r["file"]: int(r["items_fastfeedparser"] or 0) for r in csv.DictReader(handle)
        }
    wrong = []
    for file in files:
        entries, distinct = distinct_items(file)
        have = stored.get(source_name(file), 0)
        if not distinct <= have <= max(entries, fastfeedparser_counts[file]):
            wrong.append(f"{file}: {have} stored, {distinct} distinct items in {entries} entries")
    assert wrong == []

    # No article dated before 1990 or after the run (plus the tolerated day).
    latest = datetime.now(UTC) + timedelta(days=1)
    for record in records:
        for key in ("published", "updated"):
            if record[key]:
                moment = datetime.fromisoformat(record[key])
                assert EARLIEST <= moment <= latest, (record["source"], record["guid"], key, moment)

    # No undated article shown as dated: marked in every output, and after every dated
    # article of the run on the site's lists.
    undated = [r for r in records if r["date_is_fallback"]]
    assert undated, "the real feeds hold undated items"
    earliest_dated = min(
        datetime.fromisoformat(r["published"]) for r in records if not r["date_is_fallback"]
    )
    for record in undated:
        assert started <= datetime.fromisoformat(record["fetched"])  # first seen in this run
        assert datetime.fromisoformat(record["published"]) < earliest_dated  # listed after them
    posts = {
        front_matter(p)["newsmill_id"]: front_matter(p) for p in (tmp_path / "hexo").glob("*.md")
    }
    for record in undated:
        if not record["duplicate_of"]:
            post = posts[record["id"]]
            assert post["undated"] is True and "first_seen" in post
    pages = {
        p.name.rsplit("-", 1)[-1].removesuffix(".html"): p
        for p in (tmp_path / "site" / "a").rglob("*.html")
    }
    for record in undated:
        page = html.fromstring(pages[record["id"][:10]].read_bytes())
        assert page.xpath("//article//*[@class='undated']"), record["id"]
    home = html.fromstring((tmp_path / "site" / "index.html").read_bytes())
    marks = [
        bool(card.xpath(".//*[@class='undated']"))
        for card in home.xpath("//li[contains(@class,'item')]")
    ]
    assert marks == sorted(marks)  # no undated entry above a dated one
