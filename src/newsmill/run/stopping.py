"""SIGTERM and SIGINT end a run cleanly: writes in progress finish, nothing new starts.

A killed process loses nothing either (every write is a transaction or an
atomic rename), but a signal is the polite way, and the daemon's way out. A
second signal does not wait for the first to be honoured: it raises
`Interrupted` at once, which is still safe for the same reason.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class Interrupted(KeyboardInterrupt):
    """A second stop signal: leave now, with the exit code of a process it killed."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.exit_code = 128 + signum


class StopFlag:
    def __init__(self) -> None:
        self._event = threading.Event()
        self.signal_name: str | None = None
        self.signum = 0  # the signal that asked to stop, 0 if none did

    def set(self, name: str = "stop", signum: int = 0) -> None:
        self.signal_name = name
        self.signum = signum
        self._event.set()

    @property
    def exit_code(self) -> int:
        """128 + the signal's number (130 for SIGINT, 143 for SIGTERM), as a shell
        reports a process the signal ended; 0 if no signal asked."""
        return 128 + self.signum if self.signum else 0

    def __bool__(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True if asked to stop meanwhile."""
        return self._event.wait(max(seconds, 0.0))


@contextmanager
def stop_on_signals() -> Iterator[StopFlag]:
    """A StopFlag set by SIGTERM or SIGINT while the block runs (main thread only);
    a second signal raises `Interrupted`."""
    flag = StopFlag()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def handler(signum: int, _frame: FrameType | None) -> None:
        if flag:
            raise Interrupted(signum)
        flag.set(signal.Signals(signum).name, signum)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield flag
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
