"""Atomic, change-aware file writes confined to an output folder."""

from __future__ import annotations

import contextlib
import itertools
import os
from pathlib import Path


class OutputError(Exception):
    """An output folder or file cannot be written; the message names it."""


TEMP_SUFFIX = ".newsmill-tmp"
_counter = itertools.count()
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def remove_stale_temporaries(folder: Path) -> int:
    """Temporary files a killed run left behind; the target files are intact."""
    removed = 0
    if folder.is_dir():
        for leftover in folder.glob(f".*{TEMP_SUFFIX}"):
            leftover.unlink(missing_ok=True)
            removed += 1
    return removed


def holds(path: str, data: bytes) -> bool:
    """True if the file at `path` holds exactly `data` (a size check first)."""
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read() == data
    except (FileNotFoundError, NotADirectoryError):
        return False


def replace_atomically(folder: str, name: str, data: bytes, durable: bool = False) -> None:
    """Write through a temporary file in the same (existing) folder, then rename it
    over the target, so a reader or a killed process never sees half a file.

    Bare `os` calls and a counter for the temporary's name (unique per process
    and call, cheaper than mkstemp's random names): the site writes thousands.
    `durable` adds an fsync, which only a power cut needs; it costs about as
    much as everything else in writing a post, so per-article files skip it.
    """
    temporary = f"{folder}/.{name[:60]}.{os.getpid()}-{next(_counter)}{TEMP_SUFFIX}"
    descriptor = os.open(temporary, _CREATE, 0o666)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
            if durable:
                os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, f"{folder}/{name}")
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def write_atomic(path: Path, data: bytes, durable: bool = False) -> None:
    """`replace_atomically`, creating the folder first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(str(path.parent), path.name, data, durable)


def write_if_changed(path: Path, data: bytes, durable: bool = False) -> bool:
    """Write `data` unless the file already holds exactly it; True if written.

    Leaving unchanged files alone keeps their mtime, so generators and rsync
    see only what really changed.
    """
    if holds(str(path), data):
        return False
    try:
        write_atomic(path, data, durable)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    return True
