"""A switch over the portal calls of one piece of background work: go, hold, or stop.

The picker fetches the catalog on threads while the user does other things. While it hands
the terminal to a subshell, the fetch must not go on calling the portal behind the user's
back (its calls count against the same rate limit as the user's own AWS calls in the
subshell, and both get throttled): it is held, and carries on where it was once the picker is
back. Once the picker is closed, the fetch is stopped: `ssotui exec` with no role runs its
command after the picker, in the same process.

The Portal asks `wait_for_go` before each attempt of each call, so what is already on the wire
is answered and nothing more is sent.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator


class CallsStopped(Exception):
    """The work's owner stopped it: no more calls (not a failure to show anyone)."""


class CallSwitch:
    """Go (the start), held (`paused`, as often nested as wanted) or stopped (for good)."""

    def __init__(self) -> None:
        self._go = threading.Event()
        self._go.set()
        self._holds = 0
        self._stopped = False
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Hold every call not yet sent while the block runs."""
        with self._lock:
            self._holds += 1
            self._go.clear()
        try:
            yield
        finally:
            with self._lock:
                self._holds -= 1
                if self._holds == 0:
                    self._go.set()

    def stop(self) -> None:
        """No more calls, ever: held ones and later ones raise `CallsStopped`."""
        with self._lock:
            self._stopped = True
            self._go.set()

    @property
    def stopped(self) -> bool:
        """True once `stop` was called."""
        return self._stopped

    def wait_for_go(self) -> float:
        """Return once calls may go (the seconds held, 0 when there was no hold); raise
        `CallsStopped` once stopped."""
        if self._stopped:
            raise CallsStopped
        if self._go.is_set():
            return 0.0
        started = time.monotonic()
        self._go.wait()
        if self._stopped:
            raise CallsStopped
        return time.monotonic() - started
