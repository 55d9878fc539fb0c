"""What commands print: tables for people on a terminal, whole lines or JSON for scripts.

Rich is imported only when a table is drawn: a command whose output goes to a
pipe, or that prints nothing, does not wait for it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console

    from newsmill.run.report import RunReport


@cache
def out_console() -> Console:
    from rich.console import Console

    return Console()


@cache
def err_console() -> Console:
    from rich.console import Console

    return Console(stderr=True)


def when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value else "never"


def jsonable(value: Any) -> Any:
    """Datetimes as ISO 8601, dataclasses as objects, recursively."""
    from dataclasses import asdict, is_dataclass

    if is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value.isoformat() if isinstance(value, datetime) else value


def print_rows(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[str]], alarming: Sequence[bool]
) -> None:
    """A table for people on a terminal; elsewhere (a pipe, a file, cron) a header and
    one tab-separated line per row with nothing cut or wrapped, for grep and cut."""
    if not sys.stdout.isatty():
        click.echo("\t".join(columns))
        for row in rows:
            click.echo("\t".join(" ".join(value.split()) for value in row))
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row, alarm in zip(rows, alarming, strict=True):
        cells = [escape(value) for value in row]
        if alarm:
            cells = [f"[red]{cells[0]}[/red]", *cells[1:]]
        table.add_row(*cells)
    out_console().print(table)


def print_outputs(reports: Any) -> None:
    """One line per output or stage, a failed one in red on a terminal."""
    if not sys.stdout.isatty():  # cron, a pipe: plain lines, and no rich to load
        for output in reports:
            click.echo(str(output))
        return
    from rich.markup import escape

    for output in reports:  # whole lines, never wrapped: scripts grep them
        if output.ok:
            out_console().print(escape(str(output)), soft_wrap=True)
        else:
            out_console().print(f"[red]{escape(str(output))}[/red]", soft_wrap=True)


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
    print_rows("Sources", columns, rows, [not s.ok for s in report.sources])


def report_run(
    report: RunReport,
    elapsed: float,
    quiet: bool,
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
    if quiet:
        return
    _print_sources(report)
    print_outputs(report.outputs)
    new = sum(s.inserted for s in report.sources)
    failing = report.failed_outputs
    failed_outputs = f", {len(failing)} outputs failed" if failing else ""
    out_console().print(
        f"{len(report.sources)} sources, {len(report.failed)} failed, {new} new articles "
        f"in {elapsed:.1f}s{how}{failed_outputs}"
    )
    out_console().print(
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
        "sources": [jsonable(s) for s in report.sources],
        "outputs": [{**jsonable(o), "ok": o.ok} for o in report.outputs],
    }
