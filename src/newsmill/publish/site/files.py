"""The one door every file of a site build goes through.

It keeps the path guard (nothing from a source or a tampered manifest writes or
deletes outside the site folder), the manifest's keys (a page whose key did not
change and whose file is there is not rendered), skip-if-same writes, the counts
a build reports, the marker of a build in progress, and the removal of the files
the last build wrote and this one did not.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from newsmill.files import TEMP_SUFFIX, OutputError
from newsmill.publish.site.output import SiteOutput
from newsmill.publish.site.paths import inside_site

BUILDING = ".newsmill-building"


@dataclass
class FileCounts:
    written: int = 0
    unchanged: int = 0
    removed: int = 0


class SiteFiles:
    """The site folder as a build sees it: the last build's pages and keys (`old`), the
    pages of this build (`pages`), and what it wrote, kept and removed (`counts`)."""

    def __init__(self, folder: Path, old: dict[str, str]) -> None:
        self.dir = folder
        self.dir_str = str(folder)
        self.old = old
        self.pages: dict[str, str] = {}
        self.lists: dict[str, str] = {}  # list folder: the key its pages share, this build
        self.counts = FileCounts()
        self.output = SiteOutput(self.dir_str)
        self._listings: dict[str, set[str]] = {}  # file names of big folders, when read
        self._marked = False
        # A build was killed half-way: some pages may be newer than the manifest says.
        self.interrupted = (folder / BUILDING).exists()
        if self.interrupted:
            self._remove_temporaries()

    def _remove_temporaries(self) -> None:
        """Half-written files of a build that was killed; the pages they replace are intact."""
        for folder, _dirs, names in os.walk(self.dir):
            for name in names:
                if name.startswith(".") and name.endswith(TEMP_SUFFIX):
                    Path(folder, name).unlink(missing_ok=True)

    def exists(self, path: str) -> bool:
        """Whether the site holds `path`. Article pages, category pages and the home pages
        are looked up in a listing of their folder, read once: their folders hold many
        pages, and a stat of each of thousands of them costs more."""
        if not path.startswith(("a/", "c/")) and "/" in path:
            return os.path.isfile(f"{self.dir_str}/{path}")
        folder, _, name = path.rpartition("/")
        names = self._listings.get(folder)
        if names is None:
            try:
                names = set(os.listdir(f"{self.dir_str}/{folder}"))
            except OSError:
                names = set()
            self._listings[folder] = names
        return name in names

    def claim(self, path: str, key: str) -> bool:
        """Note `path` as this build's page with `key`; True (and counted as kept) if the
        last build wrote it with that key and it is still there: no need to render it."""
        if not inside_site(path):
            raise OutputError(f"{self.dir / path}: outside the site folder {self.dir}")
        if self.keep_if_same(path, key):
            return True
        self.pages[path] = key
        return False

    def keep_if_same(self, path: str, key: str) -> bool:
        """`claim` for a page whose render follows elsewhere when it changed: the path is
        noted only if it is kept."""
        if self.old.get(path) == key and self.exists(path):
            self.pages[path] = key
            self.counts.unchanged += 1
            return True
        return False

    def carry(self, paths: list[str]) -> bool:
        """Keep these pages of the last build as they are, if every one is still there."""
        if not all(path in self.old and self.exists(path) for path in paths):
            return False
        for path in paths:
            self.pages[path] = self.old[path]
        self.counts.unchanged += len(paths)
        return True

    def keep_recorded(self, path: str) -> bool:
        """Keep a file whose key is not among the pages' (an article page: its key is in
        its article's record), if it is still there."""
        if self.exists(path):
            self.counts.unchanged += 1
            return True
        return False

    def emit(self, path: str, key: str, render: Callable[[], str | bytes]) -> None:
        """Render and write `path` unless the manifest says it already shows `key`."""
        if not self.claim(path, key):
            self.write(path, render)

    def emit_data(self, path: str, data: bytes) -> None:
        """A file whose bytes are already made: its key is their hash."""
        self.emit(path, hashlib.blake2b(data, digest_size=12).hexdigest(), lambda: data)

    def write(self, path: str, render: Callable[[], str | bytes]) -> None:
        """Render `path` and write it unless the file holds those bytes already."""
        data = render()
        self.write_bytes(path, data.encode("utf-8") if isinstance(data, str) else data)

    def write_bytes(self, path: str, data: bytes) -> None:
        if not inside_site(path):
            raise OutputError(f"{self.dir / path}: outside the site folder {self.dir}")
        if not self._marked:  # only a build that writes leaves a marker
            (self.dir / BUILDING).touch()
            self._marked = True
        if self.output.write(path, data):
            self.counts.written += 1
        else:
            self.counts.unchanged += 1

    def forked(self) -> None:
        """In a forked helper: count and note only what this process does."""
        self.counts = FileCounts()
        self.pages = {}
        self.lists = {}

    def merge(
        self, written: int, unchanged: int, pages: dict[str, str], lists: dict[str, str]
    ) -> None:
        """What a helper process wrote and kept."""
        self.counts.written += written
        self.counts.unchanged += unchanged
        self.pages.update(pages)
        self.lists.update(lists)

    def remove_stale(self, old_extra: Iterable[str], current_extra: Iterable[str]) -> None:
        """Delete what the last build wrote and this one did not: its pages, and the
        files it recorded elsewhere (`old_extra`: article pages, listed in the article
        records) that this build does not have (`current_extra`)."""
        stale = set(self.old) - set(self.pages)
        stale.update(old_extra)
        stale.difference_update(current_extra)
        for path in sorted(stale):
            if not inside_site(path):
                continue  # a tampered manifest must not delete outside the folder
            target = self.dir / path
            try:
                target.unlink()
            except FileNotFoundError:
                continue
            self.counts.removed += 1
            parent = target.parent
            while parent != self.dir:
                try:
                    parent.rmdir()
                except OSError:
                    break
                parent = parent.parent

    def finish(self) -> None:
        """The build is complete: no marker of a build in progress is left."""
        (self.dir / BUILDING).unlink(missing_ok=True)
