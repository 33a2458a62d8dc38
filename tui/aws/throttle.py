"""One request pacer shared by every worker of a portal client: learns the rate the service
allows, whatever the shape of its limiter.

Identity Center's limiter is not documented; the pacer was tuned against token buckets of any
burst, fixed one-second windows and a sliding window (`tests/pacing.py`, `python -m tui.bench
--throttle`). What it does:

- Nothing is paced until the first 429 that follows a success.
- A 429 before anything got through (a limiter that starts empty, an account-wide storm
  another tool caused) has nothing to measure: the whole pool backs off together, as
  botocore's standard retry mode does for one call. One call goes at a time, the gap between
  them doubling (with jitter) at each refusal, from 50 ms to 1 s; the first success ends that,
  and the pace is learnt from what gets through, as after any first 429.
- That 429 says the limiter's allowance is spent: what got through in the seconds before it
  is the burst, not a rate. The pace starts at what got through over the time actually
  elapsed, which has the burst in it, so it starts too fast rather than too slow; while the
  limiter stays empty it decays, but not below the burst spread over a second (a window
  limiter's allowance) unless nothing at all gets through for two seconds (a storm).
- At each 429 that follows a success (the limiter ran dry again), the pace drops according
  to how much got through lately: to that rate if under a third of the calls went through,
  by a fifth if under four in five did, else a step (1 %) below the slowest pace refused
  lately, longer (2, 4, 8 %) when refused again straight away.
- Until the pace is first refused, the first 429's measure is only a start: made on the few
  calls a small limiter let through, it can be half the rate allowed. The pace probes upward
  6 % a success, up to 4x a second, until a 429 says where the limit is.
- Between 429s the pace climbs back to where it was within five successes, then probes
  upward multiplicatively, faster the longer no 429 comes (at most 2 % a success and 50 % a
  second), but stays 2 % below the slowest pace refused lately, a mark that itself rises
  about 1 % every fifty successes. So a limiter that punishes every early call (a bucket of
  one) sees few 429s, and one that allows more later is found again.
- A 429 among answers that nearly all went through (at most 4 of the last 40 refused) is
  noise, not a pace too fast: two calls met the limiter closer together than they were sent
  (held up on the way; a bucket of one refuses any call that comes early). It sets the pace
  and the mark a step (1 %) below the pace refused, not 2 % and more, so such 429s, spread
  out, do not ratchet the pace ever lower. Over the limit far more are refused.
- A call sent before the first 429 that goes through after it counts in the first measure
  (a bucket of one lets one call of the first burst through; answered after a 429 of that
  burst, the measure saw only the first page, half the rate allowed).
- Until every call sent before the first 429 (unpaced, all at once) is answered, a paced
  call refused may have met the limiter behind them: it says nothing about the pace.
- A caller never goes sooner than one interval of the pace after the one before it: callers
  whose threads woke late go one by one, not together.
- A throttled call is never failed here: the Portal retries it through `wait()`, paced. A
  call refused again and again that is nearly alone in line steps out of it for a while
  (`backoff`), so it does not spend its retries while the limiter stays shut.

Callers wait in a line served in turn, one slot every 1/rate seconds (`tui.aws.pace_line`).
A caller may be sent to the front of it (`wait(first=...)`: a page of accounts, the roles of
the account the user looks at): it takes the next slot, and those it passes each wait one slot
longer.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable

from tui.aws.pace_line import Line, Turn
from tui.aws.rate_meter import Meter

MIN_RATE = 0.5  # calls/s: never slower than this
BURST_SPAN = 2.0  # seconds before the first 429 whose successes count as its burst
STORM = 2.0  # seconds without a success: the limiter is not about to reopen
EMPTY_DECAY = 0.7  # a 429 while the limiter stays empty: this much slower
GEN_ANSWERS = 4  # answers at a pace before their share is trusted
LOW_SHARE = 0.35  # fewer let through: far too fast, back to what got through
GOOD_SHARE = 0.8  # fewer let through: too fast
TOO_FAST_STEP = 0.8
EARLY_STEP = 0.9  # a 429 before anything could be measured
STEP = 0.99  # just over
MAX_STREAK = 3  # the step is squared each time a pace is refused straight away, this often
BELOW_REFUSED = 0.98  # the pace stays this much below the slowest pace refused lately
AGING = 0.0002  # ... a mark that rises this much a success
REGAIN = 5  # successes to climb back to the former pace
PROBE = 8  # then successes until the probe is PROBE_GAIN higher (cubic: faster and faster)
PROBE_GAIN = 0.05
MAX_STEP = 0.02  # growth per success at most
MAX_GROWTH = 1.5  # growth per second at most (successes come in bursts from some limiters)
FIRST_STEP = 0.06  # until the pace first runs dry: growth per success ...
FIRST_GROWTH = 4.0  # ... and per second at most
BACKOFF_AFTER = 4  # refusals in a row before a call steps out of line
BACKOFF_LINE = 4  # ... when fewer callers than this are waiting
BACKOFF_BASE = 0.05
BACKOFF_CAP = 1.0
RECHECK = 0.1  # seconds: a waiting caller looks again at its slot this often
STORM_FIRST = 0.05  # seconds between calls once a 429 came before any success ...
STORM_CAP = 1.0  # ... doubling at each refusal, up to this
UNPACED_FOR = 1.0  # seconds after the first 429 that calls sent before it may still be out
NOISE_SPAN = 40  # answers: a 429 among this many, few of them refused, is noise ...
NOISE_REFUSED = 4  # ... this many refused at most, itself included
NOISE_BELOW = 0.99  # after a 429 amid noise, the pace stays this much below the pace refused


def backoff(refused: int) -> float:
    """Seconds a call refused `refused` times in a row stays out of line before rejoining:
    none for the first few, then doubling up to a second."""
    if refused < BACKOFF_AFTER:
        return 0.0
    return min(BACKOFF_CAP, BACKOFF_BASE * 2.0 ** (refused - BACKOFF_AFTER))


class Pacer:
    """Thread-safe pacing of calls: `wait()` before a call, then `succeeded()`/`throttled()`
    with what `wait()` returned."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
        jitter: random.Random | None = None,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._jitter = jitter or random.Random()
        self._storm_gap = 0.0  # > 0: nothing got through before the 429s; the pool backs off
        self._lock = threading.Lock()
        self._line = Line()
        self._meter = Meter()
        self._rate: float | None = None
        self._generation = 0  # bumped at every change of pace after a 429
        self._gen_ok = self._gen_refused = 0  # answers to the calls sent at this pace
        self._ok = 0  # successes so far
        self._before: deque[float] = deque()  # successes before the first 429, lately
        self._last_ok = 0.0
        self._fresh_success = False  # a success since the last 429
        self._burst = MIN_RATE  # what got through before the first 429, per second
        # the climb since the last decrease
        self._set_at = 0.0
        self._set_rate = MIN_RATE
        self._ceiling = MIN_RATE
        self._drop = 0.0
        self._climbed = 0  # successes since
        self._streak = 0  # "just over" refusals in a row, each soon after the last
        self._refused_low = float("inf")  # the slowest pace refused lately, and _ok then
        self._refused_low_ok = 0
        self._first_climb = False  # from the first 429 until the pace first runs dry
        self._unpaced: dict[int, int] = {}  # generation -> calls sent unpaced, unanswered
        self._paced_at = 0.0  # when the pace was first set after an unpaced stretch
        self._first_ok = 0.0  # the first success counted in the first measure, and how many
        self._first_got = 0
        self._answers: deque[bool] = deque(maxlen=NOISE_SPAN)  # paced answers, True: through

    @property
    def rate(self) -> float | None:
        """Calls per second currently allowed (None: not throttled yet, unpaced)."""
        return self._rate

    @property
    def backing_off(self) -> bool:
        """Whether every call has been refused so far (a storm): one goes at a time, ever
        further apart, and `rate` is that back-off, not a pace the service allows."""
        return self._storm_gap > 0

    @property
    def waiting(self) -> int:
        """Callers in line, not yet let through."""
        with self._lock:
            return self._line.waiting

    # -- the line -------------------------------------------------------------------------

    def wait(self, refused: int = 0, first: Callable[[], bool] | None = None) -> int:
        """Block until this caller's slot comes; returns the pace's generation (for
        `succeeded`/`throttled`). `refused`: how many times this call was already refused (429):
        past a few, a call nearly alone in line first stays out of it a while. `first`: asked
        while the caller waits; once it says True, the caller goes to the front of the line."""
        if refused:
            with self._lock:
                alone = self._line.waiting < BACKOFF_LINE
            # In a long line a call waits its turn anyway; one sent to the front waits for no
            # one, so, refused again and again (a window the burst filled), it steps out as a
            # lone call does, rather than spend its retries on the next slots.
            if alone or (first is not None and first()):
                self._sleep(backoff(refused))
        turn = self.queue()
        slept = 0.0
        while (delay := self.due_in(turn, slept)) > 0:
            if first is not None and first():
                first = None
                self.to_front(turn)
                continue
            self._sleep(delay)
            slept += delay
        return turn.generation

    def queue(self) -> Turn:
        """Take a place in line (`wait` is `queue`, then `due_in` until it says 0)."""
        with self._lock:
            return self._line.join(self._clock(), self._rate)

    def to_front(self, turn: Turn) -> None:
        """Move `turn`, still waiting, to the front of the line (it goes at the next slot)."""
        with self._lock:
            self._line.to_front(turn)

    def due_in(self, turn: Turn, slept: float = 0.0) -> float:
        """Seconds `turn` should wait before asking again; 0: go now (it is let through).

        `slept`: what the caller waited since queueing; a sleep that returned early (a test's
        no-op sleep) counts as slept.
        """
        with self._lock:
            now = max(self._clock(), turn.since + slept)
            if self._rate is not None:
                # never closer to the last caller than the pace: callers woken late go
                # one by one, not together (a bucket of one would refuse the second)
                slot = max(self._line.slot(turn.ticket, self._rate), self._line.spaced(self._rate))
                if slot > now:
                    return min(slot - now, RECHECK)
            self._line.let_through(turn, now)
            turn.generation = self._generation
            if self._rate is None:
                self._unpaced[turn.generation] = self._unpaced.get(turn.generation, 0) + 1
            return 0.0

    # -- what the service said -------------------------------------------------------------

    def succeeded(self, generation: int | None = None) -> None:
        """A call went through (`generation`: what its `wait()` returned, if known)."""
        with self._lock:
            now = self._clock()
            unpaced = self._answered_unpaced(generation)
            self._ok += 1
            if generation == self._generation:
                self._gen_ok += 1
            self._fresh_success = True
            self._last_ok = now
            if self._storm_gap:  # through at last: unpaced again, to learn from what follows
                self._storm_gap = 0.0
                self._rate = None
                self._generation += 1
            if self._rate is None:
                self._before.append(now)
                while self._before[0] < now - BURST_SPAN:
                    self._before.popleft()
                return
            self._meter.success(now)
            self._answers.append(True)
            if unpaced and self._first_climb:
                self._got_through_late(now)
            if self._line.waiting:  # only a pace that holds callers back grows
                self._climb(now)

    def throttled(self, generation: int) -> None:
        """A call sent at pace `generation` was refused with 429: slow down.

        Only a call sent at the current pace says something about it; an older one only
        counts in what was measured.
        """
        with self._lock:
            now = self._clock()
            self._meter.refusal(now)
            unpaced = self._answered_unpaced(generation)
            if generation != self._generation:
                return
            if not unpaced and self._early(now):
                return
            if self._rate is not None and not self._storm_gap:
                self._answers.append(False)
            self._gen_refused += 1
            after_success, self._fresh_success = self._fresh_success, False
            if self._storm_gap:
                self._storm(now)
            elif self._rate is None:
                self._first_429(now)
            elif not after_success:
                self._still_empty(now)
            else:
                self._ran_dry(now)

    def _answered_unpaced(self, generation: int | None) -> bool:
        """Count the answer to a call of `generation` if it was sent unpaced; whether it was."""
        if generation is None or generation not in self._unpaced:
            return False
        self._unpaced[generation] -= 1
        if not self._unpaced[generation]:
            del self._unpaced[generation]
        return True

    def _early(self, now: float) -> bool:
        """Whether calls sent unpaced, before the pace was set, are still unanswered (for a
        while after): they meet the limiter along with the first paced ones, so a paced call
        refused then says nothing about the pace."""
        return bool(self._unpaced) and now - self._paced_at < UNPACED_FOR

    # -- the decisions ---------------------------------------------------------------------

    def _first_429(self, now: float) -> None:
        while self._before and self._before[0] < now - BURST_SPAN:
            self._before.popleft()
        if not self._before:  # nothing went through lately: nothing to measure
            self._storm(now)
            return
        self._paced_at = now
        got = self._first_got = len(self._before)
        self._first_ok = self._before[0]
        self._burst = max(MIN_RATE, float(got))
        elapsed = max(now - self._before[0], 1e-3)
        self._set_pace(now, max(self._burst, got / elapsed))
        self._first_climb = True

    def _got_through_late(self, now: float) -> None:
        """A call sent before the first 429 went through after it: part of the first
        measure, which was made too soon to count it (a first 429 answered before the one
        call a bucket of one let through with it measured half the rate)."""
        assert self._rate is not None
        self._first_got += 1
        rate = self._first_got / max(now - self._first_ok, 1e-3)
        if rate > self._rate:
            self._rate = rate
            self._line.restart(now, rate)

    def _storm(self, now: float) -> None:
        """A 429 and nothing through yet: one call at a time, the gap between them doubled
        (a jittered half to whole of it), until a success (`succeeded`)."""
        gap = min(STORM_CAP, 2.0 * self._storm_gap) if self._storm_gap else STORM_FIRST
        self._storm_gap = gap
        self._rate = 1.0 / (gap * self._jitter.uniform(0.5, 1.0))
        self._generation += 1
        self._gen_ok = self._gen_refused = 0
        self._line.restart(now, self._rate)

    def _still_empty(self, now: float) -> None:
        """No success since the last 429: slower, to no less than what got through lately
        (or the burst), unless nothing has for a while (a storm)."""
        assert self._rate is not None
        measure = self._meter.measure(now)
        floor = self._burst if measure is None else measure.rate
        if now - self._last_ok > STORM:
            floor = MIN_RATE
        if self._rate > floor:
            self._set_pace(now, max(floor, self._rate * EMPTY_DECAY))

    def _ran_dry(self, now: float) -> None:
        """A 429 after successes: the pace met the limit."""
        assert self._rate is not None
        self._first_climb = False
        refused_at = self._rate
        measure = self._meter.measure(now)
        if measure is None:  # too early to tell: a step down, soon back
            self._set_pace(now, refused_at * EARLY_STEP, refused_at)
            return
        if self._noise():  # the pace holds; the call met the limiter a little early
            self._streak = 0
            mark = refused_at * NOISE_BELOW / BELOW_REFUSED
            self._refused_low = min(self._lowest_refused(), mark)
            self._refused_low_ok = self._ok
            self._set_pace(now, refused_at * STEP, refused_at * NOISE_BELOW)
            return
        cap = self._lowest_refused(refused_at) * BELOW_REFUSED
        share = self._share(measure.share)
        if share < LOW_SHARE:  # far too fast: what got through
            self._set_pace(now, measure.rate, (measure.rate * refused_at) ** 0.5)
        elif share < GOOD_SHARE:  # too fast
            self._set_pace(now, max(measure.rate, refused_at * TOO_FAST_STEP), cap)
        else:  # just over: a step below; a longer one if refused again straight away
            again = self._climbed < REGAIN + PROBE
            self._streak = min(self._streak + 1, MAX_STREAK) if again else 0
            self._set_pace(now, min(refused_at, cap) * STEP ** (2**self._streak), cap)

    def _noise(self) -> bool:
        """Whether nearly all of the last NOISE_SPAN answers went through: a 429 then says
        the pace is about right, not over (two calls met the limiter a little closer than
        they were sent, held up on the way by the network or a loaded machine). Over the
        limit, far more are refused: a bucket of one refuses about every other call, a window
        everything past its allowance. A 429 amid noise moves the pace and the mark only a
        step (NOISE_BELOW), so a run of them, spread out, does not ratchet it ever lower."""
        if len(self._answers) < NOISE_SPAN:
            return False
        return sum(1 for through in self._answers if not through) <= NOISE_REFUSED

    def _share(self, lately: float) -> float:
        """The share let through: of the calls sent at this pace if enough were answered;
        else of those answered lately, which lags (so only a low share counts)."""
        answered = self._gen_ok + self._gen_refused
        if answered >= GEN_ANSWERS:
            return self._gen_ok / answered
        return lately if lately < LOW_SHARE else max(lately, GOOD_SHARE)

    def _set_pace(self, now: float, rate: float, ceiling: float | None = None) -> None:
        """A new pace after a 429: `rate` now, back up to `ceiling` within REGAIN successes."""
        self._rate = self._set_rate = max(MIN_RATE, rate)
        self._set_at = now
        self._ceiling = max(self._rate, ceiling or 0.0)
        self._drop = self._ceiling - self._rate
        self._climbed = 0 if self._drop else REGAIN
        self._generation += 1
        self._gen_ok = self._gen_refused = 0
        self._line.restart(now, self._rate)

    def _climb(self, now: float) -> None:
        """One success further since the last decrease: back up to the ceiling (concave),
        then probing past it (convex), within the bounds."""
        assert self._rate is not None
        self._climbed += 1
        k, c = self._climbed, self._ceiling
        step, growth = (FIRST_STEP, FIRST_GROWTH) if self._first_climb else (MAX_STEP, MAX_GROWTH)
        if self._first_climb:  # the first measure was made on few calls: probe upward
            rate = self._rate * (1.0 + step)
        elif k < REGAIN:
            rate = c - self._drop * (1.0 - k / REGAIN) ** 3
        else:
            rate = c * (1.0 + PROBE_GAIN * ((k - REGAIN) / PROBE) ** 3)
        rate = min(
            rate,
            self._rate * (1.0 + step),
            self._set_rate * growth ** (now - self._set_at),
            self._lowest_refused() * BELOW_REFUSED,
        )
        if rate > self._rate:
            self._rate = rate
            self._line.restart(now, rate)

    def _lowest_refused(self, refused_at: float | None = None) -> float:
        """The slowest pace refused lately, `refused_at` included. It rises by AGING with
        every success since (a limiter may allow more later, a 429 may be bad luck)."""
        aged = self._refused_low * (1.0 + AGING) ** (self._ok - self._refused_low_ok)
        if refused_at is not None and refused_at < aged:
            self._refused_low, self._refused_low_ok = refused_at, self._ok
            return refused_at
        return aged
