"""Atomic, change-aware file writes confined to an output folder."""

from __future__ import annotations

import contextlib
import itertools
import os
from pathlib import Path


class OutputError(Exception):
    """An output folder or file cannot be written; the message names it."""


def inside(folder: Path, candidate: Path) -> bool:
    """True if `candidate` resolves to a path within `folder`."""
    try:
        candidate.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


TEMP_SUFFIX = ".newsmill-tmp"
_counter = itertools.count()


def _temp_path(path: Path) -> Path:
    # Cheaper than mkstemp's random names, and unique per process and call.
    return path.with_name(f".{path.name[:60]}.{os.getpid()}-{next(_counter)}{TEMP_SUFFIX}")


def remove_stale_temporaries(folder: Path) -> int:
    """Temporary files a killed run left behind; the target files are intact."""
    removed = 0
    if folder.is_dir():
        for leftover in folder.glob(f".*{TEMP_SUFFIX}"):
            leftover.unlink(missing_ok=True)
            removed += 1
    return removed


def write_atomic(path: Path, data: bytes, durable: bool = False) -> None:
    """Write through a temporary file in the same folder, then rename over the target,
    so a reader or a killed process never sees half a file.

    `durable` adds an fsync, which only a power cut needs; it costs about as
    much as everything else in writing a post, so per-article files skip it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_path(path)
    try:
        with open(tmp, "xb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_if_changed(path: Path, data: bytes, durable: bool = False) -> bool:
    """Write `data` unless the file already holds exactly it; True if written.

    Leaving unchanged files alone keeps their mtime, so generators and rsync
    see only what really changed.
    """
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    try:
        write_atomic(path, data, durable)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    return True
