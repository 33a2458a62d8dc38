"""What the limiter lets through, measured over the time actually elapsed.

The pacer's measurements start when the limiter lets calls through again after the first 429
(the burst before it is no rate). The rate is the successes over the last second, or over the
last few successes when a second holds fewer (a slow limiter); never over a shorter time than
MIN_SPAN, which would be too coarse. Not thread-safe: the Pacer holds its lock.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

WINDOW = 1.0  # seconds measured over (a window limiter's period)
MIN_COUNT = 5  # successes at least, over a longer time if need be
MIN_SPAN = 0.2  # seconds: a shorter measurement is too coarse to trust
LONGEST = 10.0  # seconds: older answers are forgotten


@dataclass(frozen=True)
class Measure:
    """Calls let through per second, and their share of the calls answered meanwhile."""

    rate: float
    share: float


class Meter:
    """Times of the answers since the limiter reopened after the first 429."""

    def __init__(self) -> None:
        self.reopened: float | None = None
        self._successes: deque[float] = deque()
        self._refusals: deque[float] = deque()

    def success(self, now: float) -> None:
        """A call went through (the first one after the first 429 reopens the meter)."""
        if self.reopened is None:
            self.reopened = now
            return
        self._successes.append(now)
        self._forget(now)

    def refusal(self, now: float) -> None:
        """A call was refused (429)."""
        if self.reopened is not None:
            self._refusals.append(now)
            self._forget(now)

    def measure(self, now: float) -> Measure | None:
        """The rate let through lately (None: too few successes, or too short a time)."""
        if self.reopened is None:
            return None
        since = max(self.reopened, now - WINDOW)
        got = sum(1 for t in self._successes if t > since)
        if got < MIN_COUNT:
            if len(self._successes) < MIN_COUNT:
                return None
            since = self._successes[-MIN_COUNT]  # the last few successes, from the first
            got = MIN_COUNT - 1
        if now - since < MIN_SPAN:
            return None
        refused = sum(1 for t in self._refusals if t > since)
        return Measure(got / (now - since), got / (got + refused) if got + refused else 1.0)

    def _forget(self, now: float) -> None:
        for times in (self._successes, self._refusals):
            while times and times[0] < now - LONGEST:
                times.popleft()
