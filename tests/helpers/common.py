"""What many tests share: the CLI in-process, a test config, real Hexo, sample articles."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner, Result

from newsmill.cli import cli
from newsmill.model import Article

DATA = Path(__file__).parent.parent / "data"
REPO = Path(__file__).parent.parent.parent
SHARED = REPO.parent / "shared"


def run_cli(*args: str) -> Result:
    """Run `newsmill ARGS` in-process, as the console script would."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def status_json(*args: str) -> tuple[dict[str, dict], dict[str, dict]]:
    """`newsmill status --json ARGS`: its source records and its output records, by name."""
    import json

    records = [json.loads(line) for line in run_cli("status", "--json", *args).output.splitlines()]
    sources = {r["name"]: r for r in records if "name" in r}
    outputs = {r["output"]: r for r in records if "output" in r}
    return sources, outputs


def hexo_modules_dir() -> Path:
    """node_modules for the Hexo check site, installed from npm once per package.json."""
    package = (DATA / "hexo-site" / "package.json").read_bytes()
    key = hashlib.sha256(package).hexdigest()[:12]
    cache = Path(os.environ.get("NEWSMILL_CACHE", REPO / ".ci" / "cache")) / f"hexo-{key}"
    if not (cache / "node_modules" / "hexo").is_dir():
        cache.mkdir(parents=True, exist_ok=True)
        shutil.copy(DATA / "hexo-site" / "package.json", cache / "package.json")
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=cache,
            check=True,
            timeout=600,
        )
    return cache / "node_modules"


class HexoSite:
    """A real Hexo 8 site (time zone Asia/Shanghai) whose posts folder a test fills."""

    def __init__(self, root: Path, modules: Path) -> None:
        self.root = root
        shutil.copy(DATA / "hexo-site" / "package.json", root / "package.json")
        shutil.copy(DATA / "hexo-site" / "_config.yml", root / "_config.yml")
        (root / "node_modules").symlink_to(modules, target_is_directory=True)
        self.posts = root / "source" / "_posts"
        self.posts.mkdir(parents=True)

    def generate(self) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(self.root / "node_modules" / ".bin" / "hexo"), "generate"],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    @property
    def public(self) -> Path:
        return self.root / "public"


def write_config(folder: Path, sources: list[dict[str, object]], **sections: object) -> Path:
    """A newsmill.toml in `folder` with test-friendly fetch limits."""
    import tomli_w

    data: dict[str, object] = {
        "site": {"title": "test", "timezone": "Asia/Shanghai"},
        "store": {"url": "sqlite:///newsmill.db"},
        "fetch": {
            "allow_private_networks": True,
            "timeout": "2s",
            "total_timeout": "4s",
            "retries": 1,
            "backoff": "0.05s",
        },
        **({"sources": sources} if sources else {}),
        "publish": {"hexo": {"dir": "posts"}, "jsonl": {"path": "articles.jsonl"}},
    }
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            merged = dict(data[key])  # type: ignore[arg-type]
            merged.update(value)
            data[key] = merged
        else:
            data[key] = value
    path = folder / "newsmill.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


ARTICLE_TIME = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def sample_article(guid: str, title: str = "Title", **changes: object) -> Article:
    """A stored-article value of source `src` (or `source=`), for store-level tests."""
    source = str(changes.pop("source", "src"))
    base = Article(
        id=Article.make_id(source, guid),
        source=source,
        guid=guid,
        url=f"https://example.com/{guid}",
        canonical_url=f"https://example.com/{guid}",
        title=title,
        author="a",
        categories=["金融", "新浪财经", "国内"],
        tags=["t"],
        published=ARTICLE_TIME - timedelta(hours=1),
        updated=None,
        fetched=ARTICLE_TIME,
        date_is_fallback=False,
        lead_image=None,
        content_html="<p>body</p>",
        text="body",
        summary="body",
        language="en",
        publisher=None,
        editor=None,
        content_hash=f"hash-{guid}-{title}",
    )
    return replace(base, **changes)  # type: ignore[arg-type]
