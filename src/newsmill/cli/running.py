"""The commands that fetch and publish: run (once, as a daemon, on the celery fleet),
worker, build, demo, and init, which writes the config they read."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from newsmill.cli.app import (
    Ctx,
    cli,
    config_option,
    fail,
    load_config,
    open_store,
    queue_option,
    user_errors,
)  # fmt: skip
from newsmill.cli.show import err_console, out_console, print_outputs, report_run
from newsmill.files import write_atomic

if TYPE_CHECKING:
    from newsmill.config import Config
    from newsmill.store import Store


def do_run(
    config: Config, ctx: Ctx, due_only: bool = True, wait_lock: float = 0.0, as_json: bool = False
) -> int:
    """Run the pipeline once with a progress bar on terminals; return the exit code:
    the run's, or 128 + the signal's number when a signal stopped it."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from newsmill.run import run_once
    from newsmill.run.lock import run_lock
    from newsmill.run.stopping import stop_on_signals

    if not config.resolved_sources():
        click.echo(f"newsmill: {config.path}: no sources configured: nothing to fetch", err=True)
    store = open_store(config)
    try:
        started = time.monotonic()
        with run_lock(store, wait_lock), stop_on_signals() as stop:
            if sys.stderr.isatty() and ctx.tables:
                with Progress(
                    TextColumn("fetching"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TextColumn("{task.description}"),
                    console=err_console(),
                    transient=True,
                ) as progress:
                    task = progress.add_task("", total=None)
                    report = run_once(
                        config,
                        store,
                        lambda o: progress.update(task, advance=1, description=o.name),
                        due_only=due_only,
                        stop=stop,
                    )
            else:
                report = run_once(config, store, due_only=due_only, stop=stop)
        elapsed = time.monotonic() - started
    finally:
        store.close()
    if stop:
        click.echo(
            f"newsmill: stopped by {stop.signal_name}: the writes in progress finished; "
            "the rest waits for the next run",
            err=True,
        )
    code = stop.exit_code or report.exit_code
    report_run(report, elapsed, not ctx.tables, as_json, code, stop.signal_name)
    return code


def do_run_celery(
    config: Config, ctx: Ctx, queue: str, wait: bool, due_only: bool = True, as_json: bool = False
) -> int:
    """Enqueue every due source on the workers; with `wait`, follow the batch to the end."""
    from newsmill.run.celery import EngineError, enqueue
    from newsmill.run.celery import wait as wait_for

    say = out_console().print if ctx.tables and not as_json else (lambda text: None)
    try:
        queued = enqueue(config, queue, due_only)
        say(f"batch {queued.batch}: {queued.sent} sources queued on {queue!r}")
        if queued.skipped:
            say(f"{len(queued.skipped)} sources still in flight were not queued")
        if not wait:
            if as_json:
                record = {"batch": queued.batch, "queued": queued.sent, "in_flight": queued.skipped}
                click.echo(json.dumps(record, ensure_ascii=False))
            return 0
        started = time.monotonic()
        report = wait_for(config, queued.batch, queue)
    except EngineError as exc:
        fail(str(exc), 2)
    elapsed = time.monotonic() - started
    how = " (published once by a worker)"
    report_run(report, elapsed, not ctx.tables, as_json, report.exit_code, how=how)
    return report.exit_code


@cli.command()
@config_option
@click.option("--all", "all_sources", is_flag=True, help="Fetch every source, due or not.")
@click.option("--watch", is_flag=True, help="Keep running: poll each source when it is due.")
@click.option(
    "--wait-lock",
    type=float,
    default=0.0,
    help="Seconds to wait for another run on the same store (default: refuse at once).",
)
@click.option("--no-wait", is_flag=True, help="Celery engine: enqueue and return at once.")
@click.option("--json", "as_json", is_flag=True, help="Print the run's summary as one JSON object.")
@queue_option
@click.pass_obj
def run(
    ctx: Ctx,
    config_path: Path,
    all_sources: bool,
    watch: bool,
    wait_lock: float,
    no_wait: bool,
    as_json: bool,
    queue: str,
) -> None:
    """Fetch every due source, store new articles, publish every output.

    A source is due when its adaptive interval has passed (or it was never
    fetched); --all fetches them all. --watch runs as a daemon until SIGTERM.
    """
    with user_errors(ctx.debug):
        config = load_config(config_path)
        if config.run.engine == "celery":
            _check_celery_store(config, config_path)
        if config.run.engine == "celery" and watch:
            code = do_watch_celery(config, queue)
        elif config.run.engine == "celery":
            code = do_run_celery(
                config, ctx, queue, wait=not no_wait, due_only=not all_sources, as_json=as_json
            )
        elif no_wait:
            fail('--no-wait needs [run] engine = "celery"', 2)
        elif watch:
            code = do_watch(config, wait_lock)
        else:
            code = do_run(
                config, ctx, due_only=not all_sources, wait_lock=wait_lock, as_json=as_json
            )
    sys.exit(code)


def _check_celery_store(config: Config, config_path: Path) -> None:
    """Workers on many machines share one database: SQLite cannot be it."""
    if not config.store.url.startswith("postgresql"):
        fail(f"{config_path}: store.url: the celery engine needs a PostgreSQL store", 2)


def do_watch_celery(config: Config, queue: str) -> int:
    """The celery fleet's scheduler: enqueue sources as they fall due, until SIGTERM."""
    from newsmill.run.celery import watch
    from newsmill.run.stopping import stop_on_signals

    with stop_on_signals() as stop:
        batches = watch(config, queue, stop)
    out_console().print(f"stopped after sending {batches} batches")
    return 0


def do_watch(config: Config, wait_lock: float = 0.0) -> int:
    from newsmill.run.daemon import watch
    from newsmill.run.lock import run_lock
    from newsmill.run.stopping import stop_on_signals

    store = open_store(config)
    try:
        store.sync_sources(config.resolved_sources())
        with run_lock(store, wait_lock), stop_on_signals() as stop:
            passes = watch(config, store, stop)
    finally:
        store.close()
    click.echo(f"newsmill: stopped after {passes} passes ({stop.signal_name or 'done'})", err=True)
    return 0


@cli.command()
@config_option
@click.option("-n", "--concurrency", default=8, show_default=True, help="Tasks at once.")
@queue_option
@click.pass_obj
def worker(ctx: Ctx, config_path: Path, concurrency: int, queue: str) -> None:
    """Run one worker of the celery engine until stopped (run one per core)."""
    with user_errors(ctx.debug):
        config = load_config(config_path)
        if config.run.engine != "celery":
            fail(f'{config_path}: run.engine: a worker needs engine = "celery"', 2)
        _check_celery_store(config, config_path)
        from newsmill.run.celery import run_worker

        code = run_worker(config, queue, concurrency)
    sys.exit(code)


@cli.command()
@config_option
@click.option("--force", is_flag=True, help="Overwrite the file if it exists.")
@click.pass_obj
def init(ctx: Ctx, config_path: Path, force: bool) -> None:
    """Write a commented starter newsmill.toml: a site, a store, where sources go."""
    from importlib.resources import files

    if config_path.exists() and not force:
        fail(f"{config_path}: exists already; nothing written (--force overwrites it)", 2)
    try:
        write_atomic(config_path, (files("newsmill") / "starter.toml").read_bytes())
    except OSError as exc:
        fail(f"{config_path}: cannot write: {exc.strerror}", 2)
    click.echo(
        f"wrote {config_path}: add sources with `newsmill sources add URL`, "
        "then `newsmill run` and `newsmill serve`"
    )


@cli.command()
@config_option
@click.pass_obj
def build(ctx: Ctx, config_path: Path) -> None:
    """Publish every configured output from the store, without fetching."""
    with user_errors(ctx.debug):
        config = load_config(config_path)
        if not config.publish.configured():
            fail(f"{config_path}: publish: no outputs configured: nothing to build", 2)
        publish_from_store(ctx, config)


def publish_from_store(
    ctx: Ctx, config: Config, first: Callable[[Store], None] | None = None
) -> None:
    """Every output from the store, under the run lock (with `first` done under the
    same lock before); one line per output; exit 1 if one failed."""
    from newsmill.run import publish_all
    from newsmill.run.lock import run_lock

    store = open_store(config)
    try:
        with run_lock(store):
            if first is not None:
                first(store)
            reports = publish_all(config, store)
    finally:
        store.close()
    if ctx.tables:
        print_outputs(reports)
    if any(not report.ok for report in reports):
        sys.exit(1)


@cli.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default="newsmill-demo",
    show_default=True,
    help="Folder for the demo's config, database and outputs.",
)
@click.pass_obj
def demo(ctx: Ctx, out_dir: Path) -> None:
    """Run the whole pipeline on bundled sample sources served on 127.0.0.1."""
    from newsmill.demo.runner import run_demo

    with user_errors(ctx.debug):
        code = run_demo(out_dir, lambda config: do_run(config, ctx, due_only=False))
    sys.exit(code)
