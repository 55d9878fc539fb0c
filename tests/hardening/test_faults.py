"""Faults: flaky servers, kills, signals, concurrent runs, full or read-only disks."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psutil
import pytest
import yaml
from helpers.common import run_cli, status_json, write_config
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

FEEDS, ITEMS = 24, 15


WORDS = (
    "harbor council budget river transit school vote factory bridge market festival storm "
    "library hospital railway museum election drought harvest airport tunnel park stadium "
    "court police fire water power housing tax trade port ferry canal tram clinic farm"
).split()


def story_text(n: int, i: int) -> str:
    """A body of its own for every story, so none is a near-duplicate of another."""
    rng = random.Random(n * 1000 + i)
    return " ".join(rng.choice(WORDS) for _ in range(60))


def feed_body(base: str, n: int) -> bytes:
    items = "".join(
        f"<item><title>Feed {n} story {i}</title><link>{base}/story/{n}/{i}</link><guid>f{n}-{i}</guid>"
        f"<pubDate>Sat, 28 Nov 2026 {i:02d}:{n:02d}:00 GMT</pubDate>"
        f"<description>&lt;p&gt;{story_text(n, i)}.&lt;/p&gt;</description></item>"
        for i in range(ITEMS)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title>{items}</channel></rss>'.encode()


def many_sources(base: str) -> list[dict[str, object]]:
    return [
        {
            "name": f"feed-{n}",
            "url": f"{base}/feed/{n}",
            "categories": ["fault", f"f{n}"],
            "full_text": "never",
        }
        for n in range(FEEDS)
    ]


def check_consistent(folder: Path, expected_articles: int | None = None) -> None:
    """No duplicate rows, no corrupt database, no partial or stray files."""
    db = sqlite3.connect(folder / "newsmill.db")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    tables = {r[0] for r in db.execute("select name from sqlite_master where type = 'table'")}
    if "articles" not in tables:  # killed before the first migration committed
        assert expected_articles is None and "schema_version" not in tables
        return
    rows = db.execute(
        "select count(*), count(distinct source || '|' || guid) from articles"
    ).fetchone()
    assert rows[0] == rows[1]
    if expected_articles is not None:
        assert rows[0] == expected_articles
    posts = folder / "posts"
    assert not list(posts.glob(".*newsmill-tmp")) if posts.exists() else True
    for post in posts.glob("*.md") if posts.exists() else []:
        text = post.read_text("utf-8")
        assert text.startswith("---\n") and text.endswith("</div>\n"), post
        yaml.safe_load(text.split("---\n", 2)[1])
    jsonl = folder / "articles.jsonl"
    if jsonl.exists():
        for line in jsonl.read_text("utf-8").splitlines():
            json.loads(line)


def test_transient_failures_lose_nothing(tmp_path: Path, httpserver: HTTPServer) -> None:
    """A third of requests fail (500, reset, stall, truncated body); retries recover all."""
    base = httpserver.url_for("").rstrip("/")
    rng = random.Random(42)
    attempts: Counter[str] = Counter()
    injected: Counter[str] = Counter()
    lock = threading.Lock()

    def flaky(request: Request) -> Response:
        n = int(request.path.rsplit("/", 1)[1])
        with lock:
            attempts[request.path] += 1
            # at most two failures per URL: transient, within the 3 retries
            fail = attempts[request.path] <= 2 and rng.random() < 0.35
            kind = rng.choice(["500", "reset", "stall", "truncated"]) if fail else ""
            injected[kind] += bool(kind)
        body = feed_body(base, n)
        if kind == "500":
            return Response("oops", status=500)
        if kind == "reset":
            raise ConnectionResetError  # werkzeug drops the connection
        if kind == "stall":
            time.sleep(3)  # longer than the test's timeout
        if kind == "truncated":
            # Content-Length promises the whole body; the connection dies half-way.
            def half():
                yield body[: len(body) // 2]
                raise ConnectionResetError

            return Response(
                half(), headers={"Content-Length": str(len(body))}, direct_passthrough=True
            )
        return Response(body, content_type="application/rss+xml")

    for n in range(FEEDS):
        httpserver.expect_request(f"/feed/{n}").respond_with_handler(flaky)
    config = write_config(
        tmp_path,
        many_sources(base),
        fetch={"retries": 3, "backoff": "0.05s", "timeout": "1s", "total_timeout": "2s"},
    )
    result = run_cli("run", "-c", str(config))
    assert result.exit_code == 0, result.output
    assert sum(injected.values()) >= 5, injected
    print(f"\nfaults injected: {sum(injected.values())} {dict(injected)}; articles lost: 0")
    assert "lost: 0 sources, 0 article pages" in result.output
    check_consistent(tmp_path, FEEDS * ITEMS)


def start_run(config: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "newsmill", "run", "--all", *extra, "-c", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def slow_server(
    httpserver: HTTPServer, delay: float = 0.05, started: threading.Event | None = None
) -> str:
    base = httpserver.url_for("").rstrip("/")

    def slow(request: Request) -> Response:
        if started:
            started.set()
        time.sleep(delay)
        return Response(
            feed_body(base, int(request.path.rsplit("/", 1)[1])), content_type="application/rss+xml"
        )

    for n in range(FEEDS):
        httpserver.expect_request(f"/feed/{n}").respond_with_handler(slow)
    return base


def start_fetching_run(
    tmp_path: Path, httpserver: HTTPServer, delay: float, concurrency: int, **sections: object
) -> tuple[Path, subprocess.Popen[str]]:
    """A run over the slow feeds, returned once it has asked for its first feed."""
    fetching = threading.Event()
    base = slow_server(httpserver, delay=delay, started=fetching)
    fetch = {"concurrency": concurrency, "per_host": concurrency}
    config = write_config(tmp_path, many_sources(base), fetch=fetch, **sections)
    process = start_run(config)
    assert fetching.wait(60)
    return config, process


def test_sigkill_at_random_points_loses_nothing(tmp_path: Path, httpserver: HTTPServer) -> None:
    base = slow_server(httpserver)
    config = write_config(tmp_path, many_sources(base), fetch={"concurrency": 4, "per_host": 4})
    rng = random.Random(7)
    kills = 0
    for _ in range(12):
        process = start_run(config)
        time.sleep(rng.uniform(0.2, 2.5))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=60)
        check_consistent(tmp_path)
    assert kills >= 6
    print(f"\nSIGKILLs survived: {kills}")
    final = start_run(config)
    _out, err = final.communicate(timeout=120)
    assert final.returncode == 0, err
    check_consistent(tmp_path, FEEDS * ITEMS)
    assert len(list((tmp_path / "posts").glob("*.md"))) == FEEDS * ITEMS


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signals_stop_cleanly_after_current_writes(
    tmp_path: Path, httpserver: HTTPServer, sig: int
) -> None:
    config, process = start_fetching_run(tmp_path, httpserver, delay=0.4, concurrency=2)
    time.sleep(1.0)
    process.send_signal(sig)
    _out, err = process.communicate(timeout=60)
    assert "stopped by " + signal.Signals(sig).name in err
    assert "Traceback" not in err
    check_consistent(tmp_path)
    stored = (
        sqlite3.connect(tmp_path / "newsmill.db")
        .execute("select count(*) from articles")
        .fetchone()[0]
    )
    assert 0 < stored < FEEDS * ITEMS  # it stopped early, keeping what it had
    # The next run finishes the job.
    again = start_run(config)
    again.communicate(timeout=120)
    assert again.returncode == 0
    check_consistent(tmp_path, FEEDS * ITEMS)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_worker_processes_end_with_their_run(
    tmp_path: Path, httpserver: HTTPServer, sig: int
) -> None:
    _config, process = start_fetching_run(
        tmp_path, httpserver, delay=0.2, concurrency=4, run={"processes": 2}
    )
    run = psutil.Process(process.pid)
    deadline = time.monotonic() + 30
    # the fork server, and under it the workers (started with the first items)
    while not any(p.children() for p in run.children()) and time.monotonic() < deadline:
        time.sleep(0.05)
    family = run.children(recursive=True)
    assert any(p.children() for p in run.children()), "no worker process started"
    process.send_signal(sig)
    _out, err = process.communicate(timeout=60)
    _gone, alive = psutil.wait_procs(family, timeout=15)
    assert not alive, f"left running: {[p.cmdline()[:3] for p in alive]}"
    check_consistent(tmp_path)
    if sig == signal.SIGTERM:
        assert "stopped by SIGTERM" in err and "Traceback" not in err, err


def test_runs_racing_for_one_store_leave_it_whole(tmp_path: Path, httpserver: HTTPServer) -> None:
    """Three real runs at once: one works, one refuses, one waits its turn; every
    item is stored once (tests/run/test_lock.py tests the lock itself)."""
    config, first = start_fetching_run(tmp_path, httpserver, delay=0.3, concurrency=2)
    second = start_run(config)
    _out2, err2 = second.communicate(timeout=60)
    assert second.returncode == 3, err2
    waiting = start_run(config, "--wait-lock", "120")
    first.communicate(timeout=120)
    waiting.communicate(timeout=120)
    assert first.returncode == 0 and waiting.returncode == 0
    check_consistent(tmp_path, FEEDS * ITEMS)


def mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


def test_full_disk_and_read_only_output(tmp_path: Path, httpserver: HTTPServer) -> None:
    base = slow_server(httpserver, delay=0)
    for kind in ("full", "read-only"):
        folder = tmp_path / kind
        posts = folder / "posts"
        posts.mkdir(parents=True)
        if kind == "full":
            mount("-t", "tmpfs", "-o", "size=48k", "tmpfs", str(posts))
        else:
            mount("--bind", str(posts), str(posts))
            mount("-o", "remount,bind,ro", str(posts))
        try:
            config = write_config(folder, many_sources(base))
            result = run_cli("run", "-c", str(config))
            assert result.exit_code == 1
            (hexo,) = [line for line in result.output.splitlines() if line.startswith("hexo: ")]
            assert "failed" in hexo and str(posts) in hexo
            assert "No space left" in hexo if kind == "full" else "Read-only" in hexo
            assert "Traceback" not in result.output
            # The other outputs were still written, and the summary still printed.
            assert len((folder / "articles.jsonl").read_text("utf-8").splitlines()) == FEEDS * ITEMS
            assert "1 outputs failed" in result.output and "0 failed" in result.output
            _, outputs = status_json("-c", str(config))
            assert outputs["hexo"]["failed"] > 0 and str(posts) in outputs["hexo"]["last_error"]
            assert outputs["jsonl"]["last_error"] is None and outputs["jsonl"]["last_success"]
            # The store kept every article, consistent, for the next run.
            db = sqlite3.connect(folder / "newsmill.db")
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert db.execute("select count(*) from articles").fetchone() == (FEEDS * ITEMS,)
        finally:
            subprocess.run(["umount", str(posts)], check=True)
        assert not list(posts.glob(".*newsmill-tmp"))
