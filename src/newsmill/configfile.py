"""What the command line must know of configuration before it reads a file: the
file's usual name and the error a bad one raises. Kept apart from `config`, whose
pydantic models cost a command that reads no config (`extract`, `--help`) ~90 ms."""

from __future__ import annotations

CONFIG_NAME = "newsmill.toml"


class ConfigError(Exception):
    """A configuration problem the user must fix; the CLI prints it and exits 2."""
