"""Worker processes for item processing: the same articles as in-process, and a dead
worker costs no source."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import psutil
import pytest
from helpers.common import run_cli, write_config
from pytest_httpserver import HTTPServer

from newsmill.config import ConfigError, load_config
from newsmill.model import Entry, Source
from newsmill.run.items import FeedItems, RunPolicy, build_articles
from newsmill.run.pool import (
    AUTO_MAX_WORKERS,
    POOL_MIN_SOURCES,
    ItemProcessors,
    worker_count,
)

START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def feed(n: int) -> str:
    """Eight items: Chinese and English bodies (keywords from both jieba and YAKE), one
    with a filtered word, one with markup that cleaning must remove."""
    items = []
    for i in range(8):
        if i % 2:
            body = (
                f"<p>港口{n}集装箱吞吐量第{i}季度同比增长，出口企业订单回升。</p>"
                "<p>航运价格保持稳定，码头作业效率提高，物流企业扩大投资。</p>"
            )
        else:
            body = (
                f"<p>Harbor {n} reported container volumes for quarter {i}, with exporters "
                "seeing orders recover and freight rates holding steady.</p>"
            )
        if i == 3:
            body += "<script>alert(1)</script><p onclick='x()'>责任编辑：某某</p>"
        title = "skipme notice" if i == 5 else f"Feed {n} story {i}"
        when = format_datetime(START + timedelta(hours=n * 8 + i))
        items.append(
            f"<item><title>{title}</title><link>https://news.example/{n}/{i}</link>"
            f"<guid>f{n}-{i}</guid><pubDate>{when}</pubDate>"
            f"<description>{escape(body)}</description></item>"
        )
    return f'<rss version="2.0"><channel><title>Feed {n}</title>{"".join(items)}</channel></rss>'


def serve_feeds(httpserver: HTTPServer, count: int) -> None:
    for n in range(count):
        httpserver.expect_request(f"/{n}").respond_with_data(
            feed(n), content_type="application/rss+xml"
        )


def workers() -> list[psutil.Process]:
    """Worker processes: children of a fork server this process started."""
    return [w for server in psutil.Process().children() for w in server.children()]


def run_with(folder: Path, httpserver: HTTPServer, processes: int) -> list[dict[str, object]]:
    base = httpserver.url_for("").rstrip("/")
    sources = [{"name": f"feed-{n}", "url": f"{base}/{n}", "categories": ["港口", f"f{n}"]}
               for n in range(12)]  # fmt: skip
    folder.mkdir()
    config = write_config(
        folder, sources, run={"processes": processes}, filters={"exclude": ["skipme"]}
    )
    result = run_cli("run", "-c", str(config))
    assert result.exit_code == 0, result.output
    lines = (folder / "articles.jsonl").read_text("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    for record in records:
        record.pop("fetched")  # when each run fetched differs; all the rest must not
    return sorted(records, key=lambda r: str(r["id"]))


def test_worker_processes_store_what_the_run_itself_would(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    serve_feeds(httpserver, 12)
    alone = run_with(tmp_path / "alone", httpserver, 0)
    pooled = run_with(tmp_path / "pooled", httpserver, 2)
    assert len(alone) == 12 * 7  # the skipme items are filtered
    assert pooled == alone
    assert all(r["tags"] for r in pooled)  # keywords, made in the workers
    assert not any(
        "script" in str(r["content_html"]) or "责任编辑" in str(r["text"]) for r in pooled
    )


def _items(n: int) -> FeedItems:
    text = "<p>Harbor volumes rose as exporters saw orders recover and rates hold.</p>"
    entries = [Entry(guid=f"g{i}", link=f"https://news.example/{i}", title=f"Story {i}",
                     content_html=text, published=START) for i in range(n)]  # fmt: skip
    return FeedItems(entries=entries, fetched=START)


async def _build_twice_killing_workers(processors: ItemProcessors, source: Source) -> list[object]:
    first = await processors.build(source, _items(3))
    running = workers()
    assert running, "the pool's workers, children of its fork server"
    for worker in running:
        worker.kill()
    psutil.wait_procs(running, timeout=10)
    return [
        first,
        await processors.build(source, _items(3)),
        await processors.build(source, _items(1)),
    ]


def test_a_dead_worker_leaves_the_rest_to_the_run(caplog: pytest.LogCaptureFixture) -> None:
    import asyncio

    source = Source(name="s", url="https://news.example/", categories=["a"])
    processors = ItemProcessors(RunPolicy.default(), 1)
    try:
        first, after_kill, later = asyncio.run(_build_twice_killing_workers(processors, source))
    finally:
        processors.close()
    assert first is not None
    assert [a.title for a in first[0]] == [a.title for a in build_articles(source, _items(3))[0]]
    # a dead worker: the caller builds these items itself, and every later one too
    assert after_kill is None and later is None
    assert "a worker process died" in caplog.text


def test_how_many_workers_a_run_starts(tmp_path: Path) -> None:
    cores = len(os.sched_getaffinity(0))
    assert worker_count("auto", POOL_MIN_SOURCES - 1) == 0
    assert worker_count("auto", POOL_MIN_SOURCES) == (
        min(cores, AUTO_MAX_WORKERS) if cores > 1 else 0
    )
    assert worker_count(3, 1) == 3 and worker_count(0, 10_000) == 0
    path = write_config(tmp_path, [], run={"processes": -1})
    with pytest.raises(ConfigError, match="processes"):
        load_config(path)


def test_the_daemon_keeps_one_pool_from_pass_to_pass(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    from newsmill.run.daemon import watch
    from newsmill.run.stopping import StopFlag
    from newsmill.store import Store

    serve_feeds(httpserver, 3)
    base = httpserver.url_for("").rstrip("/")
    sources = [
        {"name": f"feed-{n}", "url": f"{base}/{n}", "categories": ["港口"]} for n in range(3)
    ]
    config = load_config(
        write_config(
            tmp_path,
            sources,
            run={"processes": 2},
            schedule={"interval": "1s", "min_interval": "1s"},
        )
    )
    store = Store(config.store.url)
    stop = StopFlag()
    seen: list[set[int]] = []

    def on_pass(report: object) -> None:
        seen.append({w.pid for w in workers()})
        if len(seen) == 3:
            stop.set()

    try:
        assert watch(config, store, stop, on_pass, max_sleep=1.0) == 3
        assert store.count_articles() == 3 * 8
    finally:
        store.close()
    assert seen[0] and seen[0] == seen[1] == seen[2]  # the same workers every pass
    assert not workers()  # and none once the daemon has stopped
