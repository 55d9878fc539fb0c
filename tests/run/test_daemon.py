"""`newsmill run --watch` as a real process: polls, adapts, backs off, disables, stops on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from helpers.common import status_json, write_config
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response


def feed(base: str, name: str, gap: timedelta) -> bytes:
    now = datetime.now(UTC)
    items = "".join(
        f"<item><title>{name} item {i}</title><link>{base}/{name}/{i}</link>"
        f"<pubDate>{format_datetime(now - gap * i)}</pubDate>"
        f"<description>Body of {name} item {i}, long enough to be a story of its own.</description></item>"
        for i in range(6)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>{items}</channel></rss>'.encode()


def test_daemon_polls_adapts_backs_off_disables_and_stops(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    hits: Counter[str] = Counter()
    base = httpserver.url_for("").rstrip("/")
    bodies = {
        "busy": feed(base, "busy", timedelta(seconds=2)),  # an item every 2 s
        "idle": feed(base, "idle", timedelta(days=2)),  # an item every 2 days
    }

    def handler(request: Request) -> Response:
        name = request.path.strip("/")
        hits[name] += 1
        if name == "broken":
            return Response("down", status=503)
        return Response(bodies[name], content_type="application/rss+xml")

    for name in ("busy", "idle", "broken"):
        httpserver.expect_request(f"/{name}").respond_with_handler(handler)
    config = write_config(
        tmp_path,
        [
            {"name": n, "url": f"{base}/{n}", "categories": ["d"]}
            for n in ("busy", "idle", "broken")
        ],
        fetch={"retries": 0},
        schedule={"min_interval": "1s", "max_interval": "30s", "jitter": 0.05, "disable_after": 3},
    )
    daemon = subprocess.Popen(
        [sys.executable, "-m", "newsmill", "run", "--watch", "-c", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(12)
        assert daemon.poll() is None, daemon.communicate()
        daemon.send_signal(signal.SIGTERM)
        _out, err = daemon.communicate(timeout=30)
    finally:
        if daemon.poll() is None:
            daemon.kill()
    assert daemon.returncode == 0, err
    assert "stopped after" in err and "SIGTERM" in err
    assert "Traceback" not in err

    # Busy: polled about every second; idle: once (its interval is max_interval).
    assert hits["busy"] >= 4, hits
    assert hits["idle"] == 1, hits
    # Broken: backed off (1 s, 2 s, ...) and disabled after 3 failures, not polled after.
    assert hits["broken"] == 3, hits
    status, _ = status_json("-c", str(config))
    assert status["broken"]["disabled_reason"].startswith("disabled after 3 consecutive failures")
    assert status["idle"]["interval_seconds"] == 30 and status["busy"]["interval_seconds"] == 1
    # What it fetched was stored and published.
    records = (tmp_path / "articles.jsonl").read_text("utf-8").splitlines()
    assert len(records) == 12
