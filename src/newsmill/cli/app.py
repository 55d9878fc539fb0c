"""The command group, its global flags, and how errors become one line and an exit code.

Exit codes: 0 all good, 1 some sources or outputs failed (the rest still
done), 2 bad configuration or usage, 3 another run holds the store, 128 + a
signal's number for a run a signal stopped. Bad input never shows a traceback
unless `--debug` asks for one.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from newsmill import __version__
from newsmill.configfile import CONFIG_NAME, ConfigError
from newsmill.files import OutputError
from newsmill.run.lock import RunLocked
from newsmill.store import StoreError

if TYPE_CHECKING:
    from newsmill.config import Config
    from newsmill.store import Store

F = TypeVar("F", bound=Callable[..., Any])

EXIT_LOCKED = 3  # another run holds the store
EXIT_SIGINT = 130  # 128 + SIGINT, as a shell reports a process Ctrl-C ended


def load_config(path: Path) -> Config:
    """The config file, read and checked; its models are imported by the commands
    that read one, not by every start of the command line."""
    from newsmill import config

    return config.load_config(path)


def empty_config() -> Config:
    """The settings of a config file that says nothing."""
    from newsmill import config

    return config.Config()


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

        from newsmill.cli.show import err_console

        handler = RichHandler(console=err_console(), show_path=False, rich_tracebacks=debug)
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
    except (ConfigError, StoreError) as exc:  # an OPML file's errors are ConfigErrors
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


def queue_option(func: F) -> F:
    return click.option(
        "--queue",
        default="newsmill",
        envvar="NEWSMILL_QUEUE",
        show_default=True,
        help="Celery engine: the broker queue (env NEWSMILL_QUEUE).",
    )(func)


class Ctx:
    """The global flags, wherever on the command line they were given."""

    def __init__(self) -> None:
        self.debug = False
        self.json_logs = False
        self.quiet = False
        self.started = False  # the group's callback ran: logging is set up

    @property
    def tables(self) -> bool:
        """Whether stdout gets tables and lines for people: not with -q (cron mails
        only what failed, on stderr) nor with --json-logs (a machine reads the logs)."""
        return not (self.quiet or self.json_logs)

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


def open_store(config: Config) -> Store:
    from newsmill.store import Store  # not at start-up: `extract` and `probe` need no SQL

    return Store(config.store.url)


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
