"""One run at a time per store, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.common import run_cli, write_config
from pytest_httpserver import HTTPServer

from newsmill.run.lock import RunLocked, run_lock
from newsmill.store import Store

FEED = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title>'
    "<item><title>Story</title><link>{base}/story</link><guid>s1</guid>"
    "<pubDate>Sat, 28 Nov 2026 10:00:00 GMT</pubDate>"
    "<description>A story of its own.</description></item></channel></rss>"
)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = Store(store_url)
    yield opened
    opened.close()


def hold_in_thread(store: Store, seconds: float) -> threading.Thread:
    """Take the run lock in another thread, hold it `seconds`, release it; returned
    once the lock is held."""
    held = threading.Event()

    def hold() -> None:
        with run_lock(store):
            held.set()
            time.sleep(seconds)

    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(30)
    return thread


def test_a_second_run_refuses_while_one_holds_the_store(store: Store, store_url: str) -> None:
    other = Store(store_url)
    try:
        with run_lock(store):
            with pytest.raises(RunLocked) as refused, run_lock(other):
                pytest.fail("two runs held the lock at once")
            message = str(refused.value)
            assert message.startswith("another newsmill run is using ")
            assert message.endswith("try again later, or pass --wait-lock SECONDS")
            if store_url.startswith("sqlite"):  # the file lock names the holder
                assert f"(pid {os.getpid()})" in message
        with run_lock(other):  # released with the block
            pass
    finally:
        other.close()


def test_a_waiting_run_starts_as_soon_as_the_holder_ends(store: Store) -> None:
    started = time.monotonic()
    holder = hold_in_thread(store, 1.0)
    with run_lock(store, wait=30):
        waited = time.monotonic() - started
    holder.join()
    assert 0.9 <= waited < 10


def test_a_run_that_raises_leaves_the_lock_free(store: Store) -> None:
    with pytest.raises(ValueError), run_lock(store):
        raise ValueError("the run failed")
    with run_lock(store):
        pass


def test_a_holder_killed_with_sigkill_leaves_the_lock_free(store: Store, store_url: str) -> None:
    """The kernel drops a dead process's flock and PostgreSQL its session's advisory
    lock: no stale lock to clean up by hand after a crash."""
    script = (
        "import sys, time\n"
        "from newsmill.run.lock import run_lock\n"
        "from newsmill.store import Store\n"
        "with run_lock(Store(sys.argv[1])):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(600)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script, store_url], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        names = f"pid {holder.pid}" if "sqlite" in store_url else "this database"
        with pytest.raises(RunLocked, match=names), run_lock(store):
            pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(30)
        with run_lock(store, wait=10):
            pass
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def test_two_runs_at_once_one_refuses(tmp_path: Path, httpserver: HTTPServer) -> None:
    """`newsmill run` on a held store exits 3 with one line saying why; with
    --wait-lock it waits for the holder and then runs."""
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed").respond_with_data(
        FEED.format(base=base), content_type="application/rss+xml"
    )
    source = {"name": "feed", "url": f"{base}/feed", "categories": ["x"], "full_text": "never"}
    config = str(write_config(tmp_path, [source]))
    store = Store(f"sqlite:///{tmp_path / 'newsmill.db'}")
    try:
        with run_lock(store):
            refused = run_cli("run", "--all", "-c", config)
        assert refused.exit_code == 3, refused.output
        assert refused.output.startswith("newsmill: another newsmill run is using")
        assert len(refused.output.strip().splitlines()) == 1
        assert store.count_articles() == 0

        holder = hold_in_thread(store, 1.0)
        waited = run_cli("run", "--all", "--wait-lock", "120", "-c", config)
        holder.join()
        assert waited.exit_code == 0, waited.output
        assert store.count_articles() == 1
    finally:
        store.close()
