"""Pages in and out: `probe` and `extract` read an address and store nothing; `serve`
shows the built site."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from newsmill.cli.app import Ctx, cli, config_option, empty_config, fail, load_config, user_errors
from newsmill.cli.show import out_console

if TYPE_CHECKING:
    from newsmill.config import Config
    from newsmill.model import FetchResult


@cli.command()
@click.argument("address")
@click.option("--base-url", default=None, help="The URL a saved file was read from.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of a table.")
@click.option("-c", "--config", "config_path", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_obj
def probe(
    ctx: Ctx, address: str, base_url: str | None, as_json: bool, config_path: Path | None
) -> None:
    """What newsmill sees at ADDRESS (a URL or a saved file), storing nothing: a feed,
    a list (its items, the selectors that find them, the next page) or an article."""
    from newsmill.run.discovery import DiscoveryError
    from newsmill.run.discovery import probe as probe_address

    with user_errors(ctx.debug):
        config = load_config(config_path) if config_path else empty_config()
        try:
            seen = probe_address(address, config.fetch_settings(), config.site.tz, base_url)
        except DiscoveryError as exc:
            fail(str(exc), 1)
    if as_json:
        click.echo(json.dumps(seen.record(), ensure_ascii=False))
        return
    out_console().print(f"kind: {seen.kind}", markup=False)
    for feed in seen.feeds:
        out_console().print(f"feed: {feed}", markup=False)
    for key, value in seen.select.items():
        out_console().print(f"select.{key}: {value}", markup=False)
    if seen.next_page:
        out_console().print(f"next page: {seen.next_page}", markup=False)
    if seen.items:
        from rich.markup import escape
        from rich.table import Table

        table = Table(box=None)
        for column in ("published", "title", "url"):
            table.add_column(column, overflow="fold")
        for item in seen.items:
            when = item.published.strftime("%Y-%m-%d %H:%M") if item.published else ""
            table.add_row(when, escape(item.title), escape(item.url))
        out_console().print(table)


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "--url", "base_url", default=None, help="The page's address, for files (rules, links)."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per article (the default).")
@click.option(
    "--explain",
    is_flag=True,
    help="Print the candidate blocks, their scores and which won, instead of the fields.",
)
@click.option(
    "--allow-private-networks", is_flag=True, help="Allow URLs on loopback or private addresses."
)
@click.option("-c", "--config", "config_path", type=click.Path(path_type=Path, dir_okay=False))
@click.pass_obj
def extract(
    ctx: Ctx,
    inputs: tuple[str, ...],
    base_url: str | None,
    as_json: bool,
    explain: bool,
    allow_private_networks: bool,
    config_path: Path | None,
) -> None:
    """Extract articles from files (.html, .html.gz) or URLs and print their fields.

    For debugging a source and for benchmarks; a bad input is reported on
    stderr and the others are still done (exit 1 if any failed). With
    --explain, say why the article block was chosen: worth pasting in a report
    when the text is wrong.
    """
    with user_errors(ctx.debug):
        config = load_config(config_path) if config_path else None
        failed = run_extract(
            list(inputs), base_url, config, allow_private_networks, explain=explain
        )
    sys.exit(1 if failed else 0)


def _fetch_pages(
    urls: list[str], config: Config | None, allow_private: bool
) -> dict[str, FetchResult]:
    """Every URL fetched at once; the fetch stage is loaded only when there are URLs."""
    import asyncio

    from newsmill.config import FetchConfig
    from newsmill.fetch import Fetcher

    fetch_config = config.fetch if config else FetchConfig()
    if allow_private:
        fetch_config = fetch_config.model_copy(update={"allow_private_networks": True})

    async def fetch_all() -> dict[str, FetchResult]:
        async with Fetcher(fetch_config) as fetcher:
            results = await asyncio.gather(*(fetcher.fetch(u) for u in urls))
        return dict(zip(urls, results, strict=True))

    return asyncio.run(fetch_all())


def run_extract(
    inputs: list[str],
    base_url: str | None,
    config: Config | None,
    allow_private: bool,
    *,
    explain: bool = False,
) -> int:
    """Print a record per input (or, with `explain`, the scored candidate blocks);
    returns how many inputs failed."""
    import gzip

    from newsmill.clean import default_rules, load_rules
    from newsmill.extract import ExtractError, explain_page, extract_page

    rules = load_rules(config.rules) if config else default_rules()
    urls = [i for i in inputs if i.startswith(("http://", "https://"))]

    def read_file(path: Path) -> bytes:
        data = path.read_bytes()
        return gzip.decompress(data) if path.suffix == ".gz" or data[:2] == b"\x1f\x8b" else data

    fetched = _fetch_pages(urls, config, allow_private) if urls else {}
    failed = 0
    for source in inputs:
        try:
            if source in fetched:
                result = fetched[source]
                if not result.ok:
                    raise ExtractError(result.error or "fetch failed")
                document, url, content_type = result.body, result.final_url, result.content_type
            else:
                path = Path(source)
                document, url = read_file(path), base_url or path.resolve().as_uri()
                content_type = ""
            if explain:
                explanation = explain_page(document, url, content_type=content_type, rules=rules)
                sys.stdout.write(f"{source}\n{explanation.report()}\n")
                sys.stdout.flush()
                continue
            page = extract_page(document, url, content_type=content_type, rules=rules)
        except (OSError, ExtractError, gzip.BadGzipFile, EOFError) as exc:
            failed += 1
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            click.echo(f"newsmill: {source}: {reason}", err=True)
            continue
        record = {"input": source, **page.record()}
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return failed


@cli.command()
@config_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="0 picks a free port.")
@click.option(
    "--dir",
    "site_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Serve this folder instead of [publish.site] dir.",
)
@click.pass_obj
def serve(ctx: Ctx, config_path: Path, host: str, port: int, site_dir: Path | None) -> None:
    """Serve the built site over HTTP, to read it and use its search."""
    from newsmill.publish.site.serve import make_server

    with user_errors(ctx.debug):
        if site_dir is None:
            config = load_config(config_path)
            if config.publish.site is None:
                fail(f"{config_path}: publish.site: not configured", 2)
            site_dir = config.publish.site.dir
        if not (site_dir / "index.html").is_file():
            fail(f"{site_dir}: no site built there yet (run `newsmill build`)", 2)
        try:
            server = make_server(site_dir, host, port)
        except OSError as exc:
            fail(f"cannot listen on {host}:{port}: {exc.strerror}", 2)
    click.echo(f"Serving {site_dir} at http://{host}:{server.server_address[1]}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
