"""SIGTERM and SIGINT end a run cleanly: writes in progress finish, nothing new starts.

A killed process loses nothing either (every write is a transaction or an
atomic rename), but a signal is the polite way, and the daemon's way out.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class StopFlag:
    def __init__(self) -> None:
        self._event = threading.Event()
        self.signal_name: str | None = None

    def set(self, name: str = "stop") -> None:
        self.signal_name = name
        self._event.set()

    def __bool__(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True if asked to stop meanwhile."""
        return self._event.wait(max(seconds, 0.0))


@contextmanager
def stop_on_signals() -> Iterator[StopFlag]:
    """A StopFlag set by SIGTERM or SIGINT while the block runs (main thread only)."""
    flag = StopFlag()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def handler(signum: int, _frame: FrameType | None) -> None:
        flag.set(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield flag
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
