"""A real RSSHub (npm rsshub@1.0.0) on loopback, installed as ../shared/FACTS.md says.

`.ci/run` installs it once per run (`install` below is the same recipe); a
developer's first test run installs it into the same cache.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from helpers.common import REPO

VERSION = "1.0.0"
PACKAGE = {
    "private": True,
    "dependencies": {"rsshub": VERSION},
    # one dependency asks for difflib from a git URL, which needs the network
    "overrides": {"difflib": "npm:difflib@0.2.4"},
}


def install(folder: Path | None = None) -> Path:
    """node_modules holding rsshub, installed from npm unless already there."""
    cache = Path(os.environ.get("NEWSMILL_CACHE", REPO / ".ci" / "cache"))
    folder = folder or cache / f"rsshub-{VERSION}"
    entry = folder / "node_modules" / "rsshub" / "lib" / "index.js"
    if not entry.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "package.json").write_text(json.dumps(PACKAGE), encoding="utf-8")
        env = dict(os.environ, PUPPETEER_SKIP_DOWNLOAD="1", PUPPETEER_SKIP_CHROMIUM_DOWNLOAD="1")
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=folder,
            env=env,
            check=True,
            timeout=900,
        )
    return folder


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(access_key: str) -> Iterator[str]:
    """An RSSHub on a free loopback port that demands `access_key`; yields its base URL."""
    folder = install()
    port = free_port()
    env = dict(os.environ, PORT=str(port), CACHE_TYPE="memory", ACCESS_KEY=access_key)
    env.pop("NODE_OPTIONS", None)
    process = subprocess.Popen(
        ["node", str(folder / "node_modules" / "rsshub" / "lib" / "index.js")],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/test/1?key={access_key}", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("RSSHub did not start") from None
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
