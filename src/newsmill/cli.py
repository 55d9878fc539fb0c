"""The `newsmill` command: thin, so everything it does is callable from Python too.

Exit codes: 0 all good, 1 some sources or outputs failed (the rest still
done), 2 bad configuration or usage. Bad input never shows a traceback unless
`--debug` asks for one.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar
from urllib.parse import urlsplit

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from newsmill import __version__
from newsmill.configfile import CONFIG_NAME, ConfigError
from newsmill.files import OutputError, write_atomic
from newsmill.opml import OpmlError, read_opml, write_opml
from newsmill.run.lock import RunLocked
from newsmill.store import StoreError

if TYPE_CHECKING:
    from newsmill.config import Config
    from newsmill.model import FetchResult
    from newsmill.run.report import RunReport
    from newsmill.store import Store

F = TypeVar("F", bound=Callable[..., Any])


def load_config(path: Path) -> Config:
    """The config file, read and checked; its models are imported by the commands
    that read one, not by every start of the command line."""
    from newsmill import config

    return config.load_config(path)


def empty_config() -> Config:
    """The settings of a config file that says nothing."""
    from newsmill import config

    return config.Config()


EXIT_LOCKED = 3  # another run holds the store
EXIT_SIGINT = 130  # 128 + SIGINT, as a shell reports a process Ctrl-C ended

err_console = Console(stderr=True)
out_console = Console()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def setup_logging(debug: bool, json_logs: bool, quiet: bool) -> None:
    level = logging.DEBUG if debug else logging.WARNING if quiet else logging.INFO
    handler: logging.Handler
    if json_logs:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
    elif sys.stderr.isatty():
        from rich.logging import RichHandler

        handler = RichHandler(console=err_console, show_path=False, rich_tracebacks=debug)
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    # Other libraries speak only when something is wrong, unless --debug.
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    logging.getLogger("newsmill").setLevel(level)
    for noisy in ("httpx", "httpcore", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"newsmill: {message}", err=True)
    sys.exit(code)


@contextmanager
def user_errors(debug: bool) -> Iterator[None]:
    """Turn the errors a user can fix into one line and an exit code."""
    try:
        yield
    except (ConfigError, StoreError, OpmlError) as exc:
        if debug:
            raise
        fail(str(exc), 2)
    except OutputError as exc:
        if debug:
            raise
        fail(str(exc), 1)
    except RunLocked as exc:
        fail(str(exc), EXIT_LOCKED)
    except ModuleNotFoundError as exc:
        from newsmill.extras import missing_extra

        message = missing_extra(exc)
        if message is None or debug:
            raise
        fail(message, 2)
    except KeyboardInterrupt as exc:  # Ctrl-C, or a second stop signal during a run
        fail("interrupted", getattr(exc, "exit_code", EXIT_SIGINT))


def config_option(func: F) -> F:
    return click.option(
        "-c",
        "--config",
        "config_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=CONFIG_NAME,
        show_default=True,
        help="The newsmill.toml to use.",
    )(func)


class Ctx:
    """The global flags, wherever on the command line they were given."""

    def __init__(self) -> None:
        self.debug = False
        self.json_logs = False
        self.quiet = False
        self.started = False  # the group's callback ran: logging is set up

    def set_flag(self, name: str) -> None:
        setattr(self, name, True)
        if self.started:  # given after the command: set up again with it
            setup_logging(self.debug, self.json_logs, self.quiet)


GLOBAL_FLAGS = (
    (("--debug",), "Verbose logs and full tracebacks."),
    (("--json-logs",), "One JSON object per log line, for machines."),
    (("-q", "--quiet"), "Only warnings and errors: no progress, no tables."),
)


def _flag_given(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and param.name:
        ctx.ensure_object(Ctx).set_flag(param.name)


def _global_flags() -> list[click.Parameter]:
    """The global flags as options of a command: `newsmill run --debug` means what
    `newsmill --debug run` does (the crash message says "run with --debug")."""
    return [
        click.Option(list(names), is_flag=True, expose_value=False, callback=_flag_given, help=text)
        for names, text in GLOBAL_FLAGS
    ]


class Command(click.Command):
    """A command that also takes the global flags after its name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.extend(_global_flags())


class Group(click.Group):
    """A group whose commands (and subgroups) take the global flags too."""

    command_class = Command
    group_class = type

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.extend(_global_flags())

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _quiet_exit_on_closed_pipe()


def _quiet_exit_on_closed_pipe() -> NoReturn:
    """`newsmill status --json | head -1`: the reader has what it wanted, which is no
    error. Standard output goes to /dev/null so that Python's last flush of it at exit
    does not fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(0)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsmill")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """newsmill: news sources in, clean deduplicated articles out."""
    obj = ctx.ensure_object(Ctx)
    setup_logging(obj.debug, obj.json_logs, obj.quiet)
    obj.started = True


def _open(config: Config) -> Store:
    from newsmill.store import Store  # not at start-up: `extract` and `probe` need no SQL

    return Store(config.store.url)


def _print_sources(report: RunReport) -> None:
    """What each source of a run did."""
    rows = []
    for s in report.sources:
        if not s.ok:
            result = s.error or "failed"
        elif s.warning:
            result = f"ok, but {s.warning}"
        else:
            result = "not modified" if s.not_modified else "ok"
        rows.append(
            (s.name, result, str(s.items), str(s.inserted), str(s.updated), str(s.filtered))
        )
    columns = ("source", "result", "items", "new", "updated", "filtered")
    _print_rows("Sources", columns, rows, [not s.ok for s in report.sources])


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
    store = _open(config)
    try:
        started = time.monotonic()
        with run_lock(store, wait_lock), stop_on_signals() as stop:
            if sys.stderr.isatty() and not (ctx.json_logs or ctx.quiet):
                with Progress(
                    TextColumn("fetching"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TextColumn("{task.description}"),
                    console=err_console,
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
    _report_run(report, elapsed, ctx, as_json, code, stop.signal_name)
    return code


def _report_run(
    report: RunReport,
    elapsed: float,
    ctx: Ctx,
    as_json: bool,
    code: int,
    stopped_by: str | None = None,
    how: str = "",
) -> None:
    """The run's summary on stdout: one JSON object, or tables for people (none with
    -q or --json-logs: what failed is logged on stderr, and cron mails only that)."""
    if as_json:
        click.echo(json.dumps(_run_record(report, elapsed, code, stopped_by), ensure_ascii=False))
        return
    if ctx.quiet or ctx.json_logs:
        return
    _print_sources(report)
    _print_outputs(report.outputs)
    new = sum(s.inserted for s in report.sources)
    failing = report.failed_outputs
    failed_outputs = f", {len(failing)} outputs failed" if failing else ""
    out_console.print(
        f"{len(report.sources)} sources, {len(report.failed)} failed, {new} new articles "
        f"in {elapsed:.1f}s{how}{failed_outputs}"
    )
    out_console.print(
        f"lost: {len(report.failed)} sources, {report.pages_lost} article pages "
        "(their feed text was kept)"
    )


def _run_record(
    report: RunReport, elapsed: float, code: int, stopped_by: str | None
) -> dict[str, Any]:
    """`run --json`: the whole run in one object, for scripts."""
    return {
        "exit_code": code,
        "seconds": round(elapsed, 3),
        "stopped_by": stopped_by,
        "totals": {
            "sources": len(report.sources),
            "failed": len(report.failed),
            "new": sum(s.inserted for s in report.sources),
            "updated": sum(s.updated for s in report.sources),
            "pages_lost": report.pages_lost,
            "outputs_failed": len(report.failed_outputs),
        },
        "sources": [_jsonable(s) for s in report.sources],
        "outputs": [{**_jsonable(o), "ok": o.ok} for o in report.outputs],
    }


def _print_outputs(reports: Any) -> None:
    """One line per output or stage, a failed one in red."""
    for output in reports:  # whole lines, never wrapped: scripts grep them
        if output.ok:
            out_console.print(escape(str(output)), soft_wrap=True)
        else:
            out_console.print(f"[red]{escape(str(output))}[/red]", soft_wrap=True)


def queue_option(func: F) -> F:
    return click.option(
        "--queue",
        default="newsmill",
        envvar="NEWSMILL_QUEUE",
        show_default=True,
        help="Celery engine: the broker queue (env NEWSMILL_QUEUE).",
    )(func)


def do_run_celery(
    config: Config, ctx: Ctx, queue: str, wait: bool, due_only: bool = True, as_json: bool = False
) -> int:
    """Enqueue every due source on the workers; with `wait`, follow the batch to the end."""
    from newsmill.run.celery import EngineError, enqueue
    from newsmill.run.celery import wait as wait_for

    say = (lambda text: None) if ctx.quiet or ctx.json_logs or as_json else out_console.print
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
    _report_run(report, elapsed, ctx, as_json, report.exit_code, how=how)
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
    out_console.print(f"stopped after sending {batches} batches")
    return 0


def do_watch(config: Config, wait_lock: float = 0.0) -> int:
    from newsmill.run.daemon import watch
    from newsmill.run.lock import run_lock
    from newsmill.run.stopping import stop_on_signals

    store = _open(config)
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
    from newsmill.run import publish_all
    from newsmill.run.lock import run_lock

    with user_errors(ctx.debug):
        config = load_config(config_path)
        if not config.publish.configured():
            fail(f"{config_path}: publish: no outputs configured: nothing to build", 2)
        store = _open(config)
        try:
            with run_lock(store):
                reports = publish_all(config, store)
        finally:
            store.close()
        if not (ctx.quiet or ctx.json_logs):
            _print_outputs(reports)
    if any(not report.ok for report in reports):
        sys.exit(1)


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "never"


@cli.command()
@config_option
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help='One JSON object per source; with the celery engine, then one {"engine": ...} '
    "object: queue depth, workers seen, the newest batch.",
)
@queue_option
@click.pass_obj
def status(ctx: Ctx, config_path: Path, as_json: bool, queue: str) -> None:
    """Show every source: last fetch, HTTP status, articles, failures, last error."""
    with user_errors(ctx.debug):
        config = load_config(config_path)
        store = _open(config)
        try:
            store.sync_sources(config.resolved_sources())
            rows = store.source_statuses()
            outputs = store.output_statuses()
        finally:
            store.close()
    configured = {s.name for s in config.sources}
    if as_json:
        for r in rows:
            record = dict(r.__dict__)
            record["configured"] = r.name in configured
            click.echo(json.dumps(_jsonable(record), ensure_ascii=False))
        for o in outputs:
            record = {"output": o.name, **_jsonable(o)}
            del record["name"]
            click.echo(json.dumps(record, ensure_ascii=False))
        if config.run.engine == "celery":
            record = {"engine": "celery", **_jsonable(_engine_info(config, queue))}
            click.echo(json.dumps(record, ensure_ascii=False))
        return
    columns = ("source", "last fetch", "status", "articles", "failures", "next", "last error")
    lines = []
    for r in rows:
        name = r.name if r.name in configured else f"{r.name} (not configured)"
        if r.disabled_reason:
            name = f"{name} (disabled)"
        problem = r.disabled_reason or r.last_error
        lines.append(
            (
                name,
                _when(r.last_fetch),
                str(r.last_status or "-"),
                str(r.articles),
                str(r.consecutive_failures),
                "disabled" if r.disabled_reason else _when(r.next_due) if r.next_due else "now",
                problem or (f"warning: {r.last_warning}" if r.last_warning else ""),
            )
        )
    _print_rows("newsmill sources", columns, lines, [bool(r.disabled_reason) for r in rows])
    if outputs:
        _print_rows(
            "newsmill outputs",
            ("output", "last run", "last success", "written", "failed", "last error"),
            [
                (
                    o.name,
                    _when(o.last_run),
                    _when(o.last_success),
                    str(o.written),
                    str(o.failed),
                    o.last_error or "",
                )
                for o in outputs
            ],
            [bool(o.last_error or o.failed) for o in outputs],
        )
    if config.run.engine == "celery":
        _print_engine_status(config, queue)


def _print_rows(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[str]], alarming: Sequence[bool]
) -> None:
    """A table for people on a terminal; elsewhere (a pipe, a file, cron) a header and
    one tab-separated line per row with nothing cut or wrapped, for grep and cut."""
    if not out_console.is_terminal:
        click.echo("\t".join(columns))
        for row in rows:
            click.echo("\t".join(" ".join(value.split()) for value in row))
        return
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row, alarm in zip(rows, alarming, strict=True):
        cells = [escape(value) for value in row]
        if alarm:
            cells = [f"[red]{cells[0]}[/red]", *cells[1:]]
        table.add_row(*cells)
    out_console.print(table)


def _jsonable(value: Any) -> Any:
    """Datetimes as ISO 8601, dataclasses as objects, recursively."""
    from dataclasses import asdict, is_dataclass

    if is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value.isoformat() if isinstance(value, datetime) else value


def _engine_info(config: Config, queue: str) -> Any:
    """The celery engine's EngineStatus: queue depth (None if the broker cannot be
    reached), workers seen, the newest batch."""
    from newsmill.run.celery import engine_status

    with user_errors(False):
        return engine_status(config, queue)


def _print_engine_status(config: Config, queue: str) -> None:
    """Queue depth, workers seen with their last heartbeat, and the newest batch."""
    from datetime import UTC, datetime

    info = _engine_info(config, queue)
    depth = "broker unreachable" if info.depth is None else str(info.depth)
    out_console.print(f"queue {info.queue!r}: {depth} messages waiting")
    if info.batch:
        b = info.batch
        published = _when(b.published_at) if b.published_at else "not yet"
        out_console.print(
            f"last batch {b.id}: {b.done} done, {b.failed} failed, {b.pending} pending "
            f"of {b.total}; published {published}"
            + (f" ({b.publish_error})" if b.publish_error else "")
        )
    now = datetime.now(UTC)
    columns = ("worker", "pid", "started", "last heartbeat", "ago", "tasks")
    rows = [
        (w.name, str(w.pid), _when(w.started), _when(w.last_heartbeat),
         f"{(now - w.last_heartbeat).total_seconds():.0f}s", str(w.tasks_done))
        for w in info.workers
    ]  # fmt: skip
    _print_rows("workers seen", columns, rows, [False] * len(rows))


@cli.group()
def sources() -> None:
    """Import and export the source list as OPML; re-enable a disabled source."""


@sources.command("import")
@click.argument("opml_file", type=click.Path(path_type=Path, dir_okay=False))
@config_option
@click.pass_obj
def sources_import(ctx: Ctx, opml_file: Path, config_path: Path) -> None:
    """Append the feeds of an OPML file to newsmill.toml as [[sources]]."""
    with user_errors(ctx.debug):
        existing = load_config(config_path) if config_path.exists() else None
        known_urls = {s.url for s in existing.resolved_sources()} if existing else set()
        names = {s.name for s in existing.sources} if existing else set()
        found = [s for s in read_opml(opml_file, names) if s["url"] not in known_urls]
        if not found:
            click.echo("no new feeds in that file")
            return
        from newsmill.config import append_sources

        append_sources(config_path, found)
        click.echo(f"added {len(found)} sources to {config_path}")


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
    from newsmill.run.discovery import DiscoveryError, find_source, source_name

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
    out_console.print(f"kind: {seen.kind}", markup=False)
    for feed in seen.feeds:
        out_console.print(f"feed: {feed}", markup=False)
    for key, value in seen.select.items():
        out_console.print(f"select.{key}: {value}", markup=False)
    if seen.next_page:
        out_console.print(f"next page: {seen.next_page}", markup=False)
    if seen.items:
        table = Table(box=None)
        for column in ("published", "title", "url"):
            table.add_column(column, overflow="fold")
        for item in seen.items:
            when = item.published.strftime("%Y-%m-%d %H:%M") if item.published else ""
            table.add_row(when, escape(item.title), escape(item.url))
        out_console.print(table)


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
        store = _open(config)
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
        data = write_opml(config.resolved_sources(), config.site.title)
        if output is None:
            sys.stdout.buffer.write(data)
        else:
            write_atomic(output, data)


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


def main() -> None:
    debug = "--debug" in sys.argv[1:]
    try:
        cli.main(standalone_mode=True)
    except SystemExit:
        raise
    except Exception as exc:
        if debug:
            raise
        fail(f"internal error: {exc!r} (run with --debug for the traceback)", 1)
