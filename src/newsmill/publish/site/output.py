"""Writing the site's files: atomically, only when changed, in as few system calls as we can.

A full build creates some 17,000 files, so the cost of each write shows:
`publish.files.write_if_changed` goes through pathlib and the io stack and
asks for its folder on every call. This writes the same way (a temporary
beside the target, renamed over it; an unchanged file left alone, mtime
and all) with bare `os` calls, and remembers the folders it made.
"""

from __future__ import annotations

import contextlib
import itertools
import os

from newsmill.publish.files import TEMP_SUFFIX, OutputError

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
_counter = itertools.count()


class SiteOutput:
    """Files under one folder, by site-relative POSIX path."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.folders: set[str] = set()

    def write(self, path: str, data: bytes) -> bool:
        """Write `data` to `path` unless the file holds exactly it already; True if written."""
        target = f"{self.root}/{path}"
        if _holds(target, data):
            return False
        folder, _, name = target.rpartition("/")
        try:
            if folder not in self.folders:
                os.makedirs(folder, exist_ok=True)
                self.folders.add(folder)
            _replace(folder, name, target, data)
        except OSError as exc:
            raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
        return True


def _holds(target: str, data: bytes) -> bool:
    try:
        if os.stat(target).st_size != len(data):
            return False
        with open(target, "rb") as handle:
            return handle.read() == data
    except (FileNotFoundError, NotADirectoryError):
        return False


def _replace(folder: str, name: str, target: str, data: bytes) -> None:
    """Write through a temporary in the same folder, then rename it over the target, so a
    reader or a killed build never sees half a file."""
    temporary = f"{folder}/.{name[:60]}.{os.getpid()}-{next(_counter)}{TEMP_SUFFIX}"
    descriptor = os.open(temporary, _FLAGS, 0o666)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(descriptor, view) :]
        finally:
            os.close(descriptor)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
