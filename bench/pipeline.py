"""End-to-end throughput: generated feeds served on loopback, newsmill vs a naive baseline.

The baseline does what the old generator did: ten download threads, feedparser,
and one file write per item (named after the title). Each system runs in its
own child process so peak memory (max RSS) is its own. newsmill does more per
item than the baseline (sanitizing, boilerplate removal, keywords for tags,
near-duplicate detection, the store's upserts); it reads feed content only,
as the old system did, with no article pages fetched. With 100 feeds or more
newsmill processes items in one worker process per core (`[run] processes`);
its peak memory is then the largest of its processes.

    python bench/pipeline.py [--feeds 200] [--items 50]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

COMMON = (
    "market policy growth energy 市场 政策 增长 能源 企业 报告 数据 城市 科技 发布 央行 利率 "
    "港口 出口 消费 创新 平台 服务 research data cloud network model chip vote city port"
).split()
# Rarer words and two-character Chinese words, so items are distinct stories
# (every item built from the same 30 words would be one story to the deduper).
_RNG = random.Random(11)
WORDS = COMMON + [
    "".join(_RNG.choice("bcdfghklmnprstvz") + _RNG.choice("aeiou") for _ in range(3))
    for _ in range(1500)
] + [chr(_RNG.randrange(0x4E00, 0x4E00 + 3000)) + chr(_RNG.randrange(0x4E00, 0x4E00 + 3000))
     for _ in range(1500)]  # fmt: skip


def make_feed(feed: int, items: int) -> bytes:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    parts = []
    for i in range(items):
        rng = random.Random(feed * 100_003 + i)
        words = rng.choices(COMMON, k=20) + rng.choices(WORDS, k=40)
        rng.shuffle(words)
        body = "".join(f"<p>{' '.join(words[k : k + 12])}。</p>" for k in range(0, 60, 12))
        when = format_datetime(start + timedelta(minutes=feed * items + i))
        parts.append(
            f"<item><title>Feed {feed} item {i}: {' '.join(words[:6])}</title>"
            f"<link>http://127.0.0.1/{feed}/{i}</link><guid>f{feed}-i{i}</guid>"
            f"<pubDate>{when}</pubDate><description>{escape(body)}</description></item>"
        )
    xml = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Feed {feed}</title><link>http://127.0.0.1/</link>{''.join(parts)}</channel></rss>"
    )
    return xml.encode()


def serve(feeds: dict[str, bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            body = feeds.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_newsmill(urls: list[str], work: Path) -> dict[str, float]:
    import tomli_w

    from newsmill.config import load_config
    from newsmill.parse import parse_feed
    from newsmill.run import run_once
    from newsmill.store import Store

    config_path = work / "newsmill.toml"
    config_path.write_text(
        tomli_w.dumps(
            {
                "site": {"timezone": "Asia/Shanghai"},
                "fetch": {"allow_private_networks": True, "concurrency": 16, "per_host": 16},
                "sources": [
                    # Feed content only, as the old system did: no article pages.
                    {
                        "name": f"feed-{i}",
                        "url": u,
                        "categories": ["bench", f"f{i}"],
                        "full_text": "never",
                    }
                    for i, u in enumerate(urls)
                ],
                "publish": {"hexo": {"dir": "posts"}, "jsonl": {"path": "articles.jsonl"}},
            }
        )
    )
    config = load_config(config_path)
    store = Store(config.store.url)
    started = time.perf_counter()
    report = run_once(config, store)
    elapsed = time.perf_counter() - started
    articles = store.count_articles()
    store.close()
    assert not report.failed, report.failed
    import httpx

    bodies = [httpx.get(u).content for u in urls]
    started = time.perf_counter()
    parsed = sum(len(parse_feed(b, base_url=u).entries) for b, u in zip(bodies, urls, strict=True))
    parse_elapsed = time.perf_counter() - started
    return {
        "articles": articles,
        "seconds": elapsed,
        "parsed": parsed,
        "parse_seconds": parse_elapsed,
    }


def run_baseline(urls: list[str], work: Path) -> dict[str, float]:
    import feedparser
    import httpx

    out = work / "posts"
    out.mkdir()

    def download(url: str) -> bytes:
        return httpx.get(url, timeout=20).content

    started = time.perf_counter()
    with ThreadPoolExecutor(10) as pool:
        bodies = list(pool.map(download, urls))
    written = 0
    parse_elapsed = 0.0
    for body in bodies:
        t0 = time.perf_counter()
        feed = feedparser.parse(body)
        parse_elapsed += time.perf_counter() - t0
        for entry in feed.entries:
            name = re.sub(r"[:/\\?*“”<>|\[\]]", "_", entry.title).replace(".", "")
            text = f"---\ntitle: '{entry.title}'\ndate: {entry.published}\n---\n<div>{entry.summary}</div>\n"
            (out / f"{name}.md").write_text(text, encoding="utf-8")
            written += 1
    elapsed = time.perf_counter() - started
    return {
        "articles": written,
        "seconds": elapsed,
        "parsed": written,
        "parse_seconds": parse_elapsed,
    }


def child(system: str, urls: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        runner = run_newsmill if system == "newsmill" else run_baseline
        result = runner(urls, Path(tmp))
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--child", choices=["newsmill", "baseline"])
    parser.add_argument("--urls", default="")
    opts = parser.parse_args()
    if opts.child:
        child(opts.child, opts.urls.split(","))
        return

    feeds = {f"/feed/{i}.xml": make_feed(i, opts.items) for i in range(opts.feeds)}
    server = serve(feeds)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    urls = ",".join(base + path for path in feeds)
    print(f"{opts.feeds} feeds x {opts.items} items = {opts.feeds * opts.items} articles on {base}")
    results = {}
    for system in ("baseline", "newsmill"):
        out = subprocess.run(
            [sys.executable, __file__, "--child", system, "--urls", urls],
            capture_output=True,
            text=True,
            check=True,
        )
        results[system] = json.loads(out.stdout.strip().splitlines()[-1])
    server.shutdown()
    print(f"{'system':10} {'articles':>9} {'end-to-end/s':>13} {'parse/s':>10} {'peak MB':>8}")
    for system, r in results.items():
        print(
            f"{system:10} {r['articles']:9.0f} {r['articles'] / r['seconds']:13.0f} "
            f"{r['parsed'] / r['parse_seconds']:10.0f} {r['peak_mb']:8.0f}"
        )
    b, n = results["baseline"], results["newsmill"]
    print(
        f"newsmill / baseline: end to end {(n['articles'] / n['seconds']) / (b['articles'] / b['seconds']):.2f}x, "
        f"parse {(n['parsed'] / n['parse_seconds']) / (b['parsed'] / b['parse_seconds']):.1f}x"
    )
    print("(newsmill end to end includes sanitizing, the store's upserts and both writers)")


if __name__ == "__main__":
    main()
