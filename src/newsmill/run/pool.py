"""Feed items processed in worker processes, so a local run uses every core.

Cleaning, keywords and keys cost about a millisecond of Python an item, all
under one interpreter lock: a run of thousands of items kept one core busy
and left the others idle. Fetching, parsing and the store's writes stay in
the run's process; `build_articles` goes to a pool of processes.

The workers start from a fork server (the run's process has threads, and
forking it could copy a lock some thread holds), with the item stages
(`run.items`) already imported there. Each gets the run's policy once, and ignores SIGINT and
SIGTERM: the run decides when to stop and shuts the pool down, and a run
killed outright takes its workers with it. A worker that dies (a crash in a
parser, the kernel's OOM killer) breaks the pool; the run then processes the
remaining sources in its own process, so one bad item costs its source,
never the run.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import select
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from newsmill.model import Source
from newsmill.run.items import Built, FeedItems, RunPolicy, build_articles

log = logging.getLogger("newsmill.run")

# Below this many sources a run processes its items itself: starting workers (an
# interpreter each, and jieba's dictionary) costs a couple of seconds.
POOL_MIN_SOURCES = 100
# "auto" starts one worker per core up to this many: a worker holds about 250 MB
# (215 of its own, most of it jieba's dictionary), measured after 300 items.
AUTO_MAX_WORKERS = 4


def worker_count(setting: int | str, sources: int) -> int:
    """How many worker processes a run of `sources` sources starts (0: none)."""
    if setting == "auto":
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        cores = cores or 1
        return min(cores, AUTO_MAX_WORKERS) if sources >= POOL_MIN_SOURCES and cores > 1 else 0
    return int(setting)


class ItemProcessors:
    """A pool of worker processes running `build_articles`."""

    def __init__(self, policy: RunPolicy, workers: int) -> None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([build_articles.__module__])  # the item stages
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            workers, mp_context=context, initializer=_start_worker, initargs=(policy, os.getpid())
        )

    async def build(self, source: Source, items: FeedItems) -> Built | None:
        """The source's articles and filtered items, or None if the pool is gone
        (the caller then processes them itself). An error of the processing itself
        is raised here, as it would be in the run's process."""
        pool = self._pool
        if pool is None:
            return None
        try:
            future = pool.submit(_build, source, items)
        except (BrokenProcessPool, OSError, RuntimeError):
            # a worker died earlier, or the fork server did (a signal to the whole
            # process group) before every worker started
            self._gone(pool)
            return None
        try:
            return await asyncio.wrap_future(future)
        except BrokenProcessPool:
            self._gone(pool)
            return None

    def _gone(self, pool: ProcessPoolExecutor) -> None:
        if self._pool is pool:
            log.warning("a worker process died: the run processes the rest itself")
            self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


_policy: RunPolicy | None = None


def _start_worker(policy: RunPolicy, run: int) -> None:
    global _policy
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _policy = policy
    threading.Thread(target=_exit_with_run, args=(run,), daemon=True).start()


def _exit_with_run(run: int) -> None:
    """A worker waits for its next item for ever, and keeps its fork server alive:
    if the run is killed outright (SIGKILL, the OOM killer), nobody would stop
    them. So each worker watches the run's process and ends with it."""
    try:
        watched = os.pidfd_open(run)
    except (AttributeError, OSError):  # before Linux 5.3, or not Linux
        while _running(run):
            time.sleep(0.5)
    else:
        select.select([watched], [], [])  # readable once the process has ended
    os._exit(0)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, and someone else's: a pid used again
    return True


def _build(source: Source, items: FeedItems) -> Built:
    return build_articles(source, items, _policy)
