"""Writing the site's files: atomically, only when changed, folders made once.

A full build creates some 17,000 files, so the cost of each write shows:
this goes through `newsmill.files` with plain string paths (no pathlib) and
remembers the folders it made instead of asking for each file's folder.
"""

from __future__ import annotations

import os

from newsmill.files import OutputError, holds, replace_atomically


class SiteOutput:
    """Files under one folder, by site-relative POSIX path."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.folders: set[str] = set()

    def write(self, path: str, data: bytes) -> bool:
        """Write `data` to `path` unless the file holds exactly it already; True if written."""
        target = f"{self.root}/{path}"
        if holds(target, data):
            return False
        folder, _, name = target.rpartition("/")
        try:
            if folder not in self.folders:
                os.makedirs(folder, exist_ok=True)
                self.folders.add(folder)
            replace_atomically(folder, name, data)
        except OSError as exc:
            raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
        return True
