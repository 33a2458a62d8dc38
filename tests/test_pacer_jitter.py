"""The pacer against a limiter that refuses any call arriving early (a token bucket of one),
on a fake clock: calls held up on the way are what it meets, not a pace too fast
(issue #17, the bucket of one at 50 calls/s)."""

from __future__ import annotations

import pytest

from tests.pacing import Fetch, HeldUp
from tests.test_pacer import Sleeper
from tui.aws.throttle import Pacer
from tui.sim.limiters import TokenBucket


def paced_at_ten(fake: Sleeper) -> Pacer:
    """A pacer that learnt about 10 calls/s: 10/s through, then a 429."""
    pacer = fake.pacer()
    for _ in range(10):
        pacer.succeeded(pacer.wait())
        fake.clock.now += 0.1
    pacer.throttled(pacer.wait())
    assert pacer.rate is not None
    return pacer


def test_callers_woken_late_go_one_by_one_not_together() -> None:
    """Two callers whose slots passed while their threads were held up (a loaded machine)
    were let through at the same moment, and a bucket of one refused the second. Now the
    second goes one interval of the pace after the first."""
    fake = Sleeper()
    pacer = paced_at_ten(fake)
    rate = pacer.rate
    assert rate is not None
    first, second = pacer.queue(), pacer.queue()
    fake.clock.now += 1.0  # both slots long passed: both threads wake only now
    assert pacer.due_in(first) == 0.0
    assert pacer.due_in(second) > 0.0  # not together with the first
    fake.clock.now += 1.0 / rate
    assert pacer.due_in(second) == 0.0


@pytest.mark.parametrize(("every", "allowed"), [(10, 1.4), (25, 1.18)])
def test_a_429_now_and_then_amid_successes_does_not_ratchet_the_pace_down(
    every: int, allowed: float
) -> None:
    """On a loaded machine two calls held up on the way now and then reach a bucket of one
    closer together than they were sent, whatever the pace. Each such 429 set the pace 2 %
    below the last one refused: with one call in 10 so refused, a fetch under 50 calls/s
    settled at 31 calls/s and took 1.49x its floor (one in 25: 42 calls/s, 1.21x). Now a
    429 among answers that nearly all went through moves the pace a step of 1 %, which the
    successes between two of them win back (40 and 47 calls/s, 1.33x and 1.15x)."""
    out = Fetch(HeldUp(TokenBucket(50, 1), every), jitter=0.0).run()
    assert out.lost == 0
    ratio = out.seconds * 50 / out.calls
    assert ratio <= allowed, f"{ratio:.2f}x the floor"


def test_a_pace_far_over_the_limit_still_drops_at_once() -> None:
    """What a 429 amid noise is not: a pace over a bucket of one has every other call
    refused, and the pace drops as it did."""
    fake = Sleeper()
    pacer = paced_at_ten(fake)
    line = [pacer.queue() for _ in range(5)]
    for _ in range(60):
        fake.clock.now += 0.1
        pacer.succeeded()
    settled = pacer.rate
    assert settled is not None
    for _ in range(6):
        pacer.throttled(pacer.wait())
        fake.clock.now += 0.1
        pacer.succeeded()
    assert pacer.rate is not None and pacer.rate < 0.9 * settled
    assert line


def test_refusals_while_calls_sent_before_the_first_429_are_out_leave_the_pace() -> None:
    """The calls sent together before the first 429 (unpaced) still meet the limiter along
    with the first paced ones, and take its tokens. A paced call refused then lowered the
    pace and ended its quick first climb (6 % a success): a fetch whose first measure was
    20 calls/s under a limit of 50 then took 2 s to reach it. Now such a refusal says
    nothing; once every early call is answered, refusals count again."""
    fake = Sleeper()
    pacer = fake.pacer()
    pacer.succeeded(pacer.wait())  # the first page
    fake.clock.now += 0.05
    burst = [pacer.wait() for _ in range(20)]  # its accounts' roles, all at once
    pacer.throttled(burst[0])  # the first 429: paced from now
    rate = pacer.rate
    assert rate is not None
    pacer.succeeded(pacer.wait())
    pacer.throttled(pacer.wait())  # an early call took the token
    assert pacer.rate is not None and pacer.rate >= rate
    for early in burst[1:]:
        pacer.throttled(early)
    fake.clock.now += 0.05
    pacer.succeeded(pacer.wait())
    before = pacer.rate
    pacer.throttled(pacer.wait())
    assert pacer.rate is not None and pacer.rate < before


def test_a_call_of_the_first_burst_let_through_after_the_first_429_counts_in_its_measure() -> None:
    """A bucket of one lets one call of the first burst through; when a 429 of that burst
    is answered before it, the first measure (what got through over the time elapsed) saw
    only the first page, and the pace started at half the rate allowed (about 20 calls/s
    under 50), to climb for half a second. Now that call, answered late, counts."""
    fake = Sleeper()
    pacer = fake.pacer()
    pacer.succeeded(pacer.wait())  # the first page
    burst = [pacer.wait() for _ in range(21)]  # its accounts' roles and the next page
    fake.clock.now += 0.045
    pacer.throttled(burst[0])  # refused, answered before the one let through
    assert pacer.rate is not None and pacer.rate < 25
    fake.clock.now += 0.001
    pacer.succeeded(burst[1])
    assert pacer.rate >= 40
