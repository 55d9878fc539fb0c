"""The `newsmill` command: thin, so everything it does is callable from Python too.

`app` holds the group, its global flags and the exit codes; each command lives
in the module of its kind and registers itself on import; `show` prints for
people and for scripts. A command imports what it needs when it runs, so
that `newsmill --help` or `status` does not wait for the pipeline.
"""

from newsmill.cli import pages, running, sources, status
from newsmill.cli.app import cli, main

__all__ = ["cli", "main", "pages", "running", "sources", "status"]
