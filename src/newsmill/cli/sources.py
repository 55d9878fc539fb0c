"""`newsmill sources`: import and export OPML, add a source from an address, enable one."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import click

from newsmill.cli.app import (
    Ctx,
    cli,
    config_option,
    empty_config,
    fail,
    load_config,
    open_store,
    user_errors,
)  # fmt: skip
from newsmill.cli.running import publish_from_store
from newsmill.configfile import ConfigError
from newsmill.files import write_atomic

if TYPE_CHECKING:
    from newsmill.store import Store


@cli.group()
def sources() -> None:
    """Import and export the source list as OPML; add, remove or re-enable a source."""


@sources.command("import")
@click.argument("opml_file", type=click.Path(path_type=Path, dir_okay=False))
@config_option
@click.pass_obj
def sources_import(ctx: Ctx, opml_file: Path, config_path: Path) -> None:
    """Append the feeds of an OPML file to newsmill.toml as [[sources]]."""
    with user_errors(ctx.debug):
        existing = load_config(config_path) if config_path.exists() else None
        known = {s.url: s.name for s in existing.resolved_sources()} if existing else {}
        names = {s.name for s in existing.sources} if existing else set()
        from newsmill.opml import read_opml

        feeds = read_opml(opml_file, names)
        found = [s for s in feeds if s["url"] not in known]
        if found:
            from newsmill.config import append_sources

            append_sources(config_path, found)
            click.echo(f"added {len(found)} sources to {config_path}")
        else:
            click.echo("no new feeds in that file")
        skipped = list(dict.fromkeys(known[s["url"]] for s in feeds if s["url"] in known))
        if skipped:
            click.echo(f"skipped {len(skipped)} already configured: {', '.join(skipped)}")


@sources.command("add")
@click.argument("address")
@click.option("--name", default=None, help="The source's name (default: from its title).")
@click.option("--categories", default=None, help="Category path a/b/c (default: the feed's title).")
@config_option
@click.pass_obj
def sources_add(
    ctx: Ctx, address: str, name: str | None, categories: str | None, config_path: Path
) -> None:
    """Add ADDRESS to newsmill.toml: a feed, a page that offers one, or a list page
    (with the selectors found for it written out, to adjust if need be)."""
    from newsmill.names import source_name
    from newsmill.run.discovery import DiscoveryError, find_source

    with user_errors(ctx.debug):
        config = load_config(config_path) if config_path.exists() else empty_config()
        try:
            found = find_source(address, config.fetch_settings())
        except DiscoveryError as exc:
            fail(str(exc), 1)
        same = [s.name for s in config.resolved_sources() if s.url == found.url]
        if same:
            click.echo(f"{found.url} is already the source {same[0]}; nothing added")
            return
        taken = {s.name for s in config.sources}
        if name and name in taken:
            raise ConfigError(f"{config_path}: a source named {name!r} exists already")
        path = [c.strip() for c in categories.split("/")] if categories else []
        table: dict[str, object] = {
            "name": name or source_name(found.title, found.url, taken),
            "list" if found.kind == "list" else "url": found.url,
            "categories": path or [found.title or urlsplit(found.url).hostname or "news"][:1],
        }
        if found.select:
            table["select"] = found.select
        from newsmill.config import append_sources

        append_sources(config_path, [table])
        click.echo(f"added source {table['name']} ({found.via}): {found.url}")


@sources.command("enable")
@click.argument("name")
@config_option
@click.pass_obj
def sources_enable(ctx: Ctx, name: str, config_path: Path) -> None:
    """Turn a source disabled after repeated failures back on (due at once)."""
    with user_errors(ctx.debug):
        config = load_config(config_path)
        if name not in {s.name for s in config.sources}:
            raise ConfigError(f"{config_path}: no source named {name!r}")
        store = open_store(config)
        try:
            store.sync_sources(config.resolved_sources())
            store.enable_source(name)
        finally:
            store.close()
    click.echo(f"source {name} enabled")


@sources.command("export")
@config_option
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None)
@click.pass_obj
def sources_export(ctx: Ctx, config_path: Path, output: Path | None) -> None:
    """Write the configured sources as OPML 2.0 (to stdout unless -o is given)."""
    with user_errors(ctx.debug):
        config = load_config(config_path)
        from newsmill.opml import write_opml

        data = write_opml(config.resolved_sources(), config.site.title)
        if output is None:
            sys.stdout.buffer.write(data)
        else:
            write_atomic(output, data)


@sources.command("remove")
@click.argument("name")
@click.option(
    "--purge",
    is_flag=True,
    help="Also delete its articles from the store and from every output.",
)
@config_option
@click.pass_obj
def sources_remove(ctx: Ctx, name: str, purge: bool, config_path: Path) -> None:
    """Take the source NAME out of newsmill.toml; with --purge, its articles too.

    Without --purge its articles stay in the store (adding it back brings them
    back) and in the outputs until they are rebuilt."""
    from newsmill.config import remove_source_table

    with user_errors(ctx.debug):
        config = load_config(config_path)
        if name in {s.name for s in config.sources}:
            remove_source_table(config_path, name)
            click.echo(f"removed source {name} from {config_path}")
        elif not purge:
            raise ConfigError(f"{config_path}: no source named {name!r}")
        if not purge:
            return

        def purge_source(store: Store) -> None:
            gone = store.remove_source(name)
            click.echo(f"purged {gone} articles of {name} from the store")

        publish_from_store(ctx, load_config(config_path), purge_source)
