"""`newsmill status`: each source, each output and the celery fleet, for people and scripts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from newsmill.cli.app import (
    Ctx,
    cli,
    config_option,
    load_config,
    open_store,
    queue_option,
    user_errors,
)
from newsmill.cli.show import jsonable, out_console, print_rows, when

if TYPE_CHECKING:
    from newsmill.config import Config


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
        store = open_store(config)
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
            click.echo(json.dumps(jsonable(record), ensure_ascii=False))
        for o in outputs:
            record = {"output": o.name, **jsonable(o)}
            del record["name"]
            click.echo(json.dumps(record, ensure_ascii=False))
        if config.run.engine == "celery":
            record = {"engine": "celery", **jsonable(_engine_info(config, queue))}
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
                when(r.last_fetch),
                str(r.last_status or "-"),
                str(r.articles),
                str(r.consecutive_failures),
                "disabled" if r.disabled_reason else when(r.next_due) if r.next_due else "now",
                problem or (f"warning: {r.last_warning}" if r.last_warning else ""),
            )
        )
    print_rows("newsmill sources", columns, lines, [bool(r.disabled_reason) for r in rows])
    if outputs:
        print_rows(
            "newsmill outputs",
            ("output", "last run", "last success", "written", "failed", "last error"),
            [
                (
                    o.name,
                    when(o.last_run),
                    when(o.last_success),
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
    out_console().print(f"queue {info.queue!r}: {depth} messages waiting")
    if info.batch:
        b = info.batch
        published = when(b.published_at) if b.published_at else "not yet"
        out_console().print(
            f"last batch {b.id}: {b.done} done, {b.failed} failed, {b.pending} pending "
            f"of {b.total}; published {published}"
            + (f" ({b.publish_error})" if b.publish_error else "")
        )
    now = datetime.now(UTC)
    columns = ("worker", "pid", "started", "last heartbeat", "ago", "tasks")
    rows = [
        (w.name, str(w.pid), when(w.started), when(w.last_heartbeat),
         f"{(now - w.last_heartbeat).total_seconds():.0f}s", str(w.tasks_done))
        for w in info.workers
    ]  # fmt: skip
    print_rows("workers seen", columns, rows, [False] * len(rows))
