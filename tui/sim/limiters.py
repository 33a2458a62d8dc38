"""The shapes of request-rate limiter the simulator can put in front of the portal.

Identity Center's own limiter is not documented, so ssotui's pacer is tried against several:

- ``bucket``: a token bucket, ``rate`` tokens a second up to ``burst`` (default ``max(1,
  rate)``, the simulator's behaviour before shapes existed);
- ``empty-bucket``: the same bucket, empty at the first call (a limiter another client has
  just drained, or one that grants nothing up front);
- ``fixed-window``: ``max(1, round(rate))`` calls in each calendar second, counted afresh at
  every whole second;
- ``sliding-window``: at most that many calls in any one second (a log of accepted calls).

A refused call costs nothing: only calls let through count. Each limiter is given the time
(seconds, any origin) of every call, so tests drive it with a fake clock.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Protocol

SHAPES = ("bucket", "empty-bucket", "fixed-window", "sliding-window")


class Limiter(Protocol):
    """Lets a call through (True) or refuses it (False, the caller answers 429)."""

    def take(self, now: float) -> bool:
        """Decide on one call arriving at `now`."""
        ...


class TokenBucket:
    """`rate` tokens a second, up to `burst`; full at the first call (`empty`: empty then)."""

    def __init__(self, rate: float, burst: float | None = None, *, empty: bool = False) -> None:
        self.rate = rate
        self.burst = max(1.0, rate) if burst is None else burst
        self._tokens = 0.0 if empty else self.burst
        self._stamp: float | None = None

    def take(self, now: float) -> bool:
        """Spend one token; False when fewer than one is left."""
        if self._stamp is not None:
            self._tokens = min(self.burst, self._tokens + max(0.0, now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False


def calls_per_second(rate: float) -> int:
    """What a one-second window allows at `rate` calls a second (at least one call)."""
    return max(1, round(rate))


class FixedWindow:
    """At most `calls_per_second(rate)` calls in each whole second of the clock."""

    def __init__(self, rate: float) -> None:
        self.allowed = calls_per_second(rate)
        self._window: float | None = None
        self._count = 0

    def take(self, now: float) -> bool:
        """Count the call in its second; False once that second's calls are spent."""
        window = math.floor(now)
        if window != self._window:
            self._window, self._count = window, 0
        if self._count < self.allowed:
            self._count += 1
            return True
        return False


class SlidingWindow:
    """At most `calls_per_second(rate)` calls in any one second."""

    def __init__(self, rate: float) -> None:
        self.allowed = calls_per_second(rate)
        self._accepted: deque[float] = deque()

    def take(self, now: float) -> bool:
        """Let the call through while fewer than the allowed calls came in the last second."""
        while self._accepted and self._accepted[0] <= now - 1.0:
            self._accepted.popleft()
        if len(self._accepted) < self.allowed:
            self._accepted.append(now)
            return True
        return False


def make_limiter(shape: str, rate: float, burst: float | None = None) -> Limiter:
    """A fresh limiter of `shape` (one of SHAPES); `burst` is the bucket's only."""
    if shape == "bucket":
        return TokenBucket(rate, burst)
    if shape == "empty-bucket":
        return TokenBucket(rate, burst, empty=True)
    if shape == "fixed-window":
        return FixedWindow(rate)
    if shape == "sliding-window":
        return SlidingWindow(rate)
    raise ValueError(f"limiter must be one of {', '.join(SHAPES)}")
