"""`newsmill extract`: the extractor on files and URLs, one JSON object per article."""

from __future__ import annotations

import asyncio
import gzip
import json
import sys
from pathlib import Path
from typing import Any

import click

from newsmill.clean.rules import default_rules, load_rules
from newsmill.config import Config, FetchConfig
from newsmill.extract.page import ExtractedPage, ExtractError, extract_page
from newsmill.fetch import Fetcher

FIELDS = (
    "title", "author", "published", "updated", "lead_image", "publisher", "editor",
    "language", "tags", "content_html", "text",
)  # fmt: skip


def page_record(source: str, page: ExtractedPage) -> dict[str, Any]:
    record: dict[str, Any] = {"input": source, "url": page.url}
    for name in FIELDS:
        value = getattr(page, name)
        record[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return record


def _read_file(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" or data[:2] == b"\x1f\x8b" else data


async def _fetch_all(urls: list[str], config: FetchConfig) -> dict[str, Any]:
    async with Fetcher(config) as fetcher:
        results = await asyncio.gather(*(fetcher.fetch(u) for u in urls))
    return dict(zip(urls, results, strict=True))


def run_extract(
    inputs: list[str], base_url: str | None, config: Config | None, allow_private: bool
) -> int:
    """Print a record per input; returns how many inputs failed."""
    rules = load_rules(config.rules) if config else default_rules()
    fetch_config = config.fetch if config else FetchConfig()
    if allow_private:
        fetch_config = fetch_config.model_copy(update={"allow_private_networks": True})
    urls = [i for i in inputs if i.startswith(("http://", "https://"))]
    fetched = asyncio.run(_fetch_all(urls, fetch_config)) if urls else {}
    failed = 0
    for source in inputs:
        try:
            if source in fetched:
                result = fetched[source]
                if not result.ok:
                    raise ExtractError(result.error or "fetch failed")
                page = extract_page(
                    result.body, result.final_url, content_type=result.content_type, rules=rules
                )
            else:
                path = Path(source)
                url = base_url or path.resolve().as_uri()
                page = extract_page(_read_file(path), url, rules=rules)
        except (OSError, ExtractError, gzip.BadGzipFile, EOFError) as exc:
            failed += 1
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            click.echo(f"newsmill: {source}: {reason}", err=True)
            continue
        sys.stdout.write(json.dumps(page_record(source, page), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return failed
