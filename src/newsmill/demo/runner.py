"""`newsmill demo`: the whole pipeline, offline, on samples written for the project.

The server takes an ephemeral port the first time and the same port on later
runs into the same folder (it is read back from the config written there), so
article links stay the same and a second run changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tomli_w

from newsmill.config import CONFIG_NAME, Config, load_config
from newsmill.demo.server import DemoServer, load_manifest
from newsmill.files import write_if_changed

_PORT_IN_URL = re.compile(r"http://127\.0\.0\.1:(\d+)/")


def previous_port(config_path: Path) -> int:
    try:
        match = _PORT_IN_URL.search(config_path.read_text("utf-8"))
    except (FileNotFoundError, UnicodeDecodeError):
        return 0
    return int(match.group(1)) if match else 0


def demo_config(base_url: str) -> dict[str, Any]:
    manifest = load_manifest()
    sources = []
    for feed in manifest["feeds"]:
        source = dict(feed["source"])
        source["url"] = base_url + feed["path"]
        sources.append(source)
    return {
        "site": {"title": "newsmill 示例新闻", "timezone": "Asia/Shanghai"},
        "store": {"url": "sqlite:///newsmill.db"},
        "fetch": {
            "concurrency": 8,
            "per_host": 4,
            "timeout": "10s",
            "allow_private_networks": True,
        },
        "sources": sources,
        "publish": {
            "hexo": {"dir": "hexo/source/_posts", "placeholder_image": ""},
            "jsonl": {"path": "articles.jsonl"},
            "hugo": {"dir": "hugo/content/posts"},
            "jekyll": {"dir": "jekyll/_posts"},
            "site": {"dir": "site", "page_size": 10},
        },
    }


def _start_server(port: int) -> DemoServer:
    if port:
        try:
            return DemoServer(port)
        except OSError:
            pass  # taken by something else now: a new port, and links change once
    return DemoServer(0)


def run_demo(out_dir: Path, run: Callable[[Config], int]) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    config_path = out_dir / CONFIG_NAME
    server = _start_server(previous_port(config_path))
    with server:
        header = "# Written by `newsmill demo`: sample sources served on 127.0.0.1.\n"
        text = header + tomli_w.dumps(demo_config(server.base_url))
        write_if_changed(config_path, text.encode("utf-8"))
        config = load_config(config_path)
        code = run(config)
    posts = config.publish.hexo.dir if config.publish.hexo else None
    count = len(list(posts.glob("*.md"))) if posts and posts.is_dir() else 0
    print(f"\nDemo folder: {out_dir.resolve()}")
    print(f"  config:      {config_path}")
    print(f"  Hexo posts:  {posts} ({count} files)")
    if config.publish.jsonl:
        print(f"  JSON Lines:  {config.publish.jsonl.path}")
    if config.publish.hugo:
        print(f"  Hugo posts:  {config.publish.hugo.dir}")
    if config.publish.jekyll:
        print(f"  Jekyll posts: {config.publish.jekyll.dir}")
    if config.publish.site:
        print(f"  site:        {config.publish.site.dir}")
        print(f"  read it:     newsmill serve -c {config_path}")
        print("               then open http://127.0.0.1:8000/ in a browser")
    print(f"  status:      newsmill status -c {config_path}")
    return code
