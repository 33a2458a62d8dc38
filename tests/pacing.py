"""A catalog fetch played out in simulated time against a limiter: the pacer's test bench.

The real `Pacer` and the simulator's real limiters (`tui.sim.limiters`), driven by a fake clock
and an event queue instead of threads and sockets: the ListAccounts pages one after another,
each account's ListAccountRoles on a pool of workers, every call paced, a throttled call
retried as the Portal retries it. Deterministic for a seed, and a 30-second fetch plays out in
milliseconds, so every limiter shape and rate can be checked in a unit test.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from tui.aws.pace_line import Turn
from tui.aws.portal import THROTTLE_RETRIES
from tui.aws.throttle import BACKOFF_LINE, Pacer, backoff
from tui.sim.limiters import Limiter, make_limiter


@dataclass
class Outcome:
    """What a simulated fetch took and lost."""

    seconds: float
    calls: int  # successful calls needed: pages + accounts
    sent: int  # calls sent, 429s included
    lost: int  # calls that met more 429s than the Portal retries
    most_429s: int  # the most 429s one call met
    rates: list[tuple[float, float | None]] = field(default_factory=list)  # (time, pace)

    @property
    def throttled(self) -> int:
        """429 answers received."""
        return self.sent - self.calls + self.lost


class Shut:
    """A limiter that refuses every call for its first `seconds` (a storm), then is `then`."""

    def __init__(self, seconds: float, then: Limiter) -> None:
        self.seconds = seconds
        self.then = then
        self._began: float | None = None

    def take(self, now: float) -> bool:
        if self._began is None:
            self._began = now
        return now - self._began >= self.seconds and self.then.take(now)


class HeldUp:
    """A limiter that also refuses every `every`-th call, before it takes anything: a call
    held up on the way that reached the limiter just behind another (a loaded machine),
    which a bucket of one refuses whatever the pace."""

    def __init__(self, then: Limiter, every: int) -> None:
        self.then = then
        self.every = every
        self._calls = 0

    def take(self, now: float) -> bool:
        self._calls += 1
        return self._calls % self.every != 0 and self.then.take(now)


class Clock:
    """The simulated time."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Fetch:
    """One catalog fetch against `limiter`, played out on an event queue."""

    def __init__(
        self,
        limiter: Limiter,
        *,
        accounts: int = 150,
        page_size: int = 20,
        workers: int = 96,
        latency: float = 0.04,
        jitter: float = 0.0005,
        stalls: float = 0.0,
        start: float = 1000.0,
        seed: int = 0,
        pacer: Callable[[Clock], Pacer] | None = None,
        ahead: bool = False,
    ) -> None:
        self.clock = Clock(start)
        self.start = start
        self.limiter = limiter
        self.pacer = (
            pacer or (lambda c: Pacer(clock=c, sleep=lambda _s: None, jitter=random.Random(seed)))
        )(self.clock)
        self.ahead = ahead  # a refresh: every account's roles asked for beside the first page
        self.accounts = accounts
        self.page_size = page_size
        self.pages = max(1, math.ceil(accounts / page_size))
        self.latency = latency
        self.jitter = jitter
        self.stalls = stalls  # share of calls held up 5-30 ms on the way (a loaded machine)
        self.random = random.Random(seed)
        self.free_workers = workers
        self.backlog: deque[int] = deque()
        self.events: list[tuple[float, int, Callable[[], None]]] = []
        self.order = itertools.count()
        self.done = 0
        self.sent = 0
        self.sent_at: list[float] = []  # when each call was sent
        self.lost = 0
        self.most_429s = 0
        self.finished_at = start
        self.rates: list[tuple[float, float | None]] = []

    def at(self, when: float, action: Callable[[], None]) -> None:
        heapq.heappush(self.events, (when, next(self.order), action))

    def lateness(self) -> float:
        late = self.random.expovariate(1.0 / self.jitter) if self.jitter else 0.0
        if self.stalls and self.random.random() < self.stalls:
            late += self.random.uniform(0.005, 0.03)
        return late

    def run(self, limit: float = 600.0) -> Outcome:
        self.call(lambda: self.page_done(0))
        if self.ahead:
            self.backlog.extend(range(self.accounts))
            self.start_workers()
        while self.events:
            when, _, action = heapq.heappop(self.events)
            if when - self.start > limit:
                raise AssertionError(f"fetch still running after {limit} s simulated")
            self.clock.now = when
            action()
        return Outcome(
            seconds=self.finished_at - self.start,
            calls=self.pages + self.accounts,
            sent=self.sent,
            lost=self.lost,
            most_429s=self.most_429s,
            rates=self.rates,
        )

    # -- one call, paced and retried as Portal._call does --------------------------------

    def call(self, finished: Callable[[], None], refused: int = 0) -> None:
        alone = self.pacer.waiting < BACKOFF_LINE
        pause = backoff(refused) if refused and alone else 0.0
        if pause:
            self.at(self.clock.now + pause, lambda: self.line_up(finished, refused))
        else:
            self.line_up(finished, refused)

    def line_up(self, finished: Callable[[], None], refused: int) -> None:
        turn = self.pacer.queue()
        self.check(turn, finished, refused)

    def check(self, turn: Turn, finished: Callable[[], None], refused: int) -> None:
        delay = self.pacer.due_in(turn)
        if delay > 0:
            wake = self.clock.now + delay + self.lateness()
            self.at(wake, lambda: self.check(turn, finished, refused))
            return
        self.sent += 1
        self.sent_at.append(self.clock.now)
        arrives = self.clock.now + self.latency + self.lateness()
        self.at(arrives, lambda: self.gate(turn, finished, refused))

    def gate(self, turn: Turn, finished: Callable[[], None], refused: int) -> None:
        ok = self.limiter.take(self.clock.now)
        self.at(self.clock.now + 0.0002, lambda: self.answer(ok, turn, finished, refused))

    def answer(self, ok: bool, turn: Turn, finished: Callable[[], None], refused: int) -> None:
        if ok:
            self.pacer.succeeded(turn.generation)
            self.finish(finished)
            return
        self.pacer.throttled(turn.generation)
        self.rates.append((self.clock.now - self.start, self.pacer.rate))
        refused += 1
        self.most_429s = max(self.most_429s, refused)
        if refused > THROTTLE_RETRIES:  # the Portal gives up: the account is marked failed
            self.lost += 1
            self.finish(finished)
            return
        self.call(finished, refused)

    def finish(self, then: Callable[[], None]) -> None:
        self.done += 1
        self.finished_at = self.clock.now
        then()

    # -- the pipeline ----------------------------------------------------------------------

    def page_done(self, page: int) -> None:
        first = page * self.page_size
        if not self.ahead:
            self.backlog.extend(range(first, min(first + self.page_size, self.accounts)))
        if page + 1 < self.pages:
            self.call(lambda: self.page_done(page + 1))
        self.start_workers()

    def start_workers(self) -> None:
        while self.free_workers and self.backlog:
            self.free_workers -= 1
            self.backlog.popleft()
            self.call(self.role_done)

    def role_done(self) -> None:
        self.free_workers += 1
        self.start_workers()


def play(
    shape: str,
    rate: float,
    burst: float | None = None,
    *,
    seed: int = 0,
    **options: object,
) -> Outcome:
    """One fetch against a fresh limiter, started at a phase of the second set by `seed`."""
    phase = random.Random(seed).random()
    limiter = make_limiter(shape, rate, burst)
    fetch = Fetch(limiter, start=1000.0 + phase, seed=seed, **options)  # type: ignore[arg-type]
    return fetch.run()


SHAPES_AT = {  # the benchmark's matrix: (label, shape, burst as a function of the rate)
    "burst 1": ("bucket", lambda r: 1.0),
    "burst R/2": ("bucket", lambda r: max(1.0, r / 2)),
    "burst R": ("bucket", lambda r: max(1.0, r)),
    "burst 2R": ("bucket", lambda r: 2 * r),
    "burst 5R": ("bucket", lambda r: 5 * r),
    "empty, burst R": ("empty-bucket", lambda r: max(1.0, r)),
    "fixed window": ("fixed-window", lambda r: None),
    "sliding window": ("sliding-window", lambda r: None),
}


def matrix(rates: tuple[float, ...] = (5, 20, 50), seeds: range = range(3)) -> None:
    """Print the simulated matrix (a development aid: `python -m tests.pacing`)."""
    for rate in rates:
        for label, (shape, burst) in SHAPES_AT.items():
            outs = [play(shape, rate, burst(rate), seed=s) for s in seeds]
            floor = outs[0].calls / rate
            ratios = " ".join(f"{o.seconds / floor:.2f}" for o in outs)
            worst = max(o.most_429s for o in outs)
            print(
                f"R={rate:>4g} {label:<15} ×floor {ratios}  429s "
                f"{sum(o.throttled for o in outs) / len(outs):.0f}/run  most/call {worst}  "
                f"lost {sum(o.lost for o in outs)}"
            )


if __name__ == "__main__":
    matrix()
