"""A second process for big builds: the machine has two cores, and Hugo uses both.

After planning, the build forks one helper. The helper reads the full
articles itself, builds the search index and renders article pages, taking
them a chunk at a time from the newest end; the first process renders the
home list, then takes article-page chunks from the oldest end. The other
lists, the feeds and the sitemap go, a part at a time, to whichever process
is free first. The helper leaves the last
chunks to the other process while it finishes the search index, and takes
what is left after that: neither waits for the other at the end. Who renders
a page changes nothing in it: the output is byte for byte the same either way.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from newsmill.files import OutputError

CHUNK_PAGES = 64  # article pages taken at a time


class PageSplit:
    """Chunks of article pages shared by the two processes: the helper claims them in
    order from the front, the parent from the back; and one task for either."""

    def __init__(self, context: Any, chunks: int, tasks: int) -> None:
        self._lock = context.Lock()
        self._front = context.RawValue("q", 0)
        self._back = context.RawValue("q", chunks)
        self._tasks = context.RawArray("b", tasks)

    def claim_front(self, chunk: int, reserve: int = 0) -> bool:
        """In the helper, for chunks in ascending order: True if it is the helper's.
        False once no more than `reserve` chunks are left unclaimed."""
        with self._lock:
            if self._front.value == chunk and chunk < self._back.value - reserve:
                self._front.value = chunk + 1
                return True
            return False

    def claim_next(self) -> int | None:
        """In the helper, its own work done: the next chunk from the front, or None."""
        with self._lock:
            if self._front.value < self._back.value:
                self._front.value += 1
                return int(self._front.value - 1)
            return None

    def claim_task(self, task: int) -> bool:
        """True for the first process to ask for task number `task`: it is its to do."""
        with self._lock:
            if self._tasks[task]:
                return False
            self._tasks[task] = 1
            return True

    def claim_back(self) -> int | None:
        """In the parent: the next chunk from the back, or None once the two have met."""
        with self._lock:
            if self._back.value > self._front.value:
                self._back.value -= 1
                return int(self._back.value)
            return None


class Helper:
    """The forked process: runs `target(connection, split)`, which sends one result."""

    def __init__(
        self, target: Callable[[Connection, PageSplit], None], chunks: int, tasks: int
    ) -> None:
        context = multiprocessing.get_context("fork")
        self.split = PageSplit(context, chunks, tasks)
        self._conn, child = context.Pipe(duplex=False)
        self._process = context.Process(target=target, args=(child, self.split), daemon=True)
        self._process.start()
        child.close()

    def stop(self) -> None:
        """End the helper: the build it helps has failed."""
        self._process.terminate()
        self._process.join(30)
        self._conn.close()

    def result(self) -> Any:
        """What the helper sent; its error, if it failed, raised here."""
        try:
            result = self._conn.recv()
        except (EOFError, OSError) as exc:
            raise OutputError(f"the site build's helper process failed: {exc!r}") from None
        finally:
            self._conn.close()
            self._process.join(30)
        if isinstance(result, Exception):
            raise result
        return result


def run_helper(conn: Connection, work: Callable[[], Any]) -> None:
    """The helper's body: send what `work` returns, or its error, never hang the parent."""
    try:
        result = work()
    except Exception as exc:  # reported by the parent as one error
        result = exc if isinstance(exc, OutputError) else OutputError(repr(exc))
    try:
        conn.send(result)
    finally:
        conn.close()
