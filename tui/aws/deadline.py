"""How long one portal call may take, all its attempts together: the per-call deadline.

A call's time is its attempts, its backoffs after 5xx and network failures, and its waits for
the shared pacer after a 429; together they get `seconds` (the `request_deadline` setting).
Each attempt is told the time left, so a portal that accepts connections and never answers
ends the call at its deadline, not after three full read timeouts.

One exception: waiting in the pacer's queue while other calls get through is not the call's
own slowness but the catalog's width (96 calls queued at 5 calls/s wait 19 s for their turn),
so time in the queue while calls are answered at the pacer's rate is not counted. While nothing gets
through (a 429 storm) the queue counts like any wait, and a slot after the deadline is not
waited for: the call gives up at once. So a storm that never lets up ends every call within
its deadline.

And once a call has given up while nothing was answered for half a deadline (a portal that
answers nothing, a storm), calls that start within the next deadline give up at once, until
something is answered: a catalog of 300 accounts on 96 workers ends after one deadline, not
after four waves of them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# Seconds since the last answered call within which calls still count as getting through (at
# least two pacer slots: at 0.5 calls/s, 4 s).
PROGRESS_GRACE = 2.0
_STEP = 1.0  # seconds: how often a wait in the queue looks again at whether calls get through


class CallDeadlines:
    """The deadline of each call of one Portal; each thread has its own call. Thread-safe."""

    def __init__(
        self,
        seconds: float,
        *,
        rate: Callable[[], float | None],
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        if not seconds > 0:
            raise ValueError("a deadline must be more than 0 seconds")
        self.seconds = seconds
        self._rate = rate
        self._clock = clock
        self._sleep = sleep
        self._last_through = float("-inf")
        self._silent_since: float | None = None  # a call gave up, nothing answered since
        self._mine = threading.local()

    def begin(self) -> bool:
        """This thread starts a call: its deadline is `seconds` from now.

        False within a deadline of a call that gave up while nothing was answered (a portal
        that answers nothing, a storm): this one would fare no better, so it gives up at once.
        Anything answered, or a deadline gone by, and calls are tried again.
        """
        now = self._clock()
        self._mine.end = now + self.seconds
        self._mine.started = now
        self._mine.held = 0.0
        self._mine.late = False
        silent = self._silent_since
        return silent is None or now - silent >= self.seconds

    def gave_up(self) -> None:
        """The current call ended without its answer (out of time or of retries)."""
        now = self._clock()
        if now - self._last_through >= self.seconds / 2:  # and no other call was answered lately
            self._silent_since = now

    def left(self) -> float:
        """Seconds the current call has left (negative once past its deadline)."""
        return float(self._mine.end) - self._clock()

    def ran_late(self) -> bool:
        """True when the pacer's slot for the current call came after its deadline."""
        return bool(getattr(self._mine, "late", False))

    def now(self) -> float:
        """The deadlines' clock."""
        return self._clock()

    def answered_since(self, moment: float) -> bool:
        """Whether a call was answered (`got_through`) at or after `moment` (`now`)."""
        return self._last_through >= moment

    def got_through(self) -> None:
        """A call was answered (by any thread)."""
        self._last_through = self._clock()
        self._silent_since = None

    def held(self, seconds: float) -> None:
        """The current call was held `seconds` by the work's owner (`tui.aws.call_switch`):
        not its own time, so its deadline moves on by as much."""
        if seconds > 0 and getattr(self._mine, "end", None) is not None:
            self._mine.end += seconds
            self._mine.held += seconds

    def spent(self) -> float:
        """Seconds the current call has taken so far, time held by the owner not counted."""
        started = getattr(self._mine, "started", None)
        if started is None:
            return 0.0
        return max(0.0, self._clock() - float(started) - float(self._mine.held))

    def pause(self, seconds: float) -> bool:
        """Back off for `seconds` if the current call has that long left; False if not."""
        if seconds >= self.left():
            return False
        self._sleep(seconds)
        return True

    def wait_in_queue(self, seconds: float) -> None:
        """The pacer's sleep: wait for the current call's slot, `seconds` from now.

        Time waited while other calls got through moves the call's deadline on by as much. A
        slot after the deadline is not waited for once nothing gets through: `ran_late`.
        """
        end = getattr(self._mine, "end", None)
        if end is None:  # not inside a call of ours
            self._sleep(seconds)
            return
        now = self._clock()
        wake = now + seconds
        while now < wake:
            end = self._mine.end
            if wake > end and (now >= end or not self._getting_through(now)):
                self._mine.late = True
                return
            step = min(_STEP, wake - now, end - now)  # end > now here
            self._sleep(step)
            later = self._clock()
            if later - now < step / 2:  # a sleep that lets no time pass (tests): go now
                return
            if self._moving(later):  # calls get through meanwhile: not this call's time
                self._mine.end += later - now
            now = later

    def _moving(self, now: float) -> bool:
        """Whether the line moves: a call was answered within about two of the pacer's gaps
        (at 2 calls/s, the last second; a check every 0.1 s sees an answer in one check of
        five), and never longer ago than a quarter of the deadline, so that a storm which
        follows an answer adds little to any call's time."""
        rate = self._rate()
        window = max(_STEP / 10, 2.0 / rate) if rate else _STEP
        return now - self._last_through <= min(window, self.seconds / 4)

    def _getting_through(self, now: float) -> bool:
        rate = self._rate()
        grace = max(PROGRESS_GRACE, 2.0 / rate) if rate else PROGRESS_GRACE
        return now - self._last_through < grace
