"""The pacer, on a fake clock: what it learns from 429s, how it lines callers up, and a whole
catalog fetch played out against every limiter shape (`tests/pacing.py`)."""

from __future__ import annotations

import pytest

from tests.pacing import SHAPES_AT, Clock, Fetch, Shut, play
from tui.aws.throttle import (
    BACKOFF_AFTER,
    MIN_RATE,
    STORM,
    STORM_CAP,
    STORM_FIRST,
    Pacer,
    backoff,
)
from tui.sim.limiters import TokenBucket


class Sleeper:
    """A fake clock whose sleep moves time on."""

    def __init__(self) -> None:
        self.clock = Clock(100.0)
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.now += seconds

    def pacer(self) -> Pacer:
        return Pacer(clock=self.clock, sleep=self.sleep)


def test_nothing_is_paced_until_a_429_follows_a_success() -> None:
    fake = Sleeper()
    pacer = fake.pacer()
    for _ in range(50):
        pacer.succeeded(pacer.wait())
    assert pacer.rate is None and fake.slept == []


def test_429s_before_any_success_back_the_whole_pool_off_until_one_gets_through() -> None:
    """Before: a 429 with nothing through yet left every call unpaced, and 96 workers sent
    ~1,900 calls in 14 s into a storm. Now one call goes at a time, ever further apart (a
    jittered half to whole of 50 ms, doubled at each refusal, up to a second); the first
    success ends it, and the pace is then learnt from what gets through."""
    fake = Sleeper()
    pacer = fake.pacer()
    gaps = []
    for _ in range(10):
        pacer.throttled(pacer.wait())
        assert pacer.rate is not None
        gaps.append(1 / pacer.rate)
    assert STORM_FIRST / 2 <= gaps[0] <= STORM_FIRST
    assert all(later > earlier for earlier, later in zip(gaps[:4], gaps[1:5], strict=True))
    assert all(STORM_CAP / 2 <= gap <= STORM_CAP for gap in gaps[6:])
    generation = pacer.wait()
    pacer.throttled(generation - 1)  # sent before the last step: says nothing new
    assert 1 / pacer.rate == gaps[-1]
    pacer.succeeded(generation)
    assert pacer.rate is None  # unpaced until the next 429 measures what got through


def test_the_first_429_measures_over_the_time_elapsed_not_the_last_second() -> None:
    """10 calls through in the 0.25 s since the first success, then a 429: the burst is in
    it, so the pace starts at 40/s, not at the 10/s that got through 'in the last second'."""
    fake = Sleeper()
    pacer = fake.pacer()
    for _ in range(10):
        pacer.succeeded(pacer.wait())
        fake.clock.now += 0.025
    generation = pacer.wait()
    pacer.throttled(generation)
    assert pacer.rate == pytest.approx(40)
    pacer.throttled(generation)  # sent before the pace changed: says nothing new
    assert pacer.rate == pytest.approx(40)


def test_a_first_measure_made_on_few_calls_is_climbed_out_of_quickly() -> None:
    """Two calls through 0.09 s apart, then a 429: 22/s, while the limiter allows 50/s (a
    bucket of one, whose first answers say little). Until the pace is first refused it
    probes upward fast: past 45/s within half a second, where 2 % a success and 1.5x a
    second would take two seconds. Then, refused, it holds below the pace refused."""
    fake = Sleeper()
    pacer = fake.pacer()
    pacer.succeeded(pacer.wait())
    fake.clock.now += 0.09
    pacer.succeeded(pacer.wait())
    pacer.throttled(pacer.wait())
    assert pacer.rate == pytest.approx(2 / 0.09)
    generation = pacer.wait()
    line = [pacer.queue() for _ in range(50)]  # callers waiting: the pace may grow
    started = fake.clock.now
    while pacer.rate < 45 and fake.clock.now - started < 5:
        fake.clock.now += 1 / pacer.rate
        pacer.succeeded()
    assert fake.clock.now - started < 0.5
    refused_at = pacer.rate
    pacer.throttled(generation)
    for _ in range(20):
        fake.clock.now += 1 / pacer.rate
        pacer.succeeded()
    assert pacer.rate < refused_at
    assert line


def test_successes_long_before_the_first_429_are_no_burst() -> None:
    """A pacer that served calls an hour ago: only what went through lately is the burst."""
    fake = Sleeper()
    pacer = fake.pacer()
    for _ in range(300):
        pacer.succeeded(pacer.wait())
    fake.clock.now += 3600
    for _ in range(5):
        pacer.succeeded(pacer.wait())
        fake.clock.now += 0.05
    pacer.throttled(pacer.wait())
    assert pacer.rate == pytest.approx(5 / 0.25)


def test_while_the_limiter_stays_empty_the_pace_decays_to_the_burst_then_further() -> None:
    fake = Sleeper()
    pacer = fake.pacer()
    for _ in range(20):
        pacer.succeeded(pacer.wait())
    fake.clock.now += 0.1
    pacer.throttled(pacer.wait())
    assert pacer.rate == pytest.approx(200)
    for _ in range(30):  # a fixed window's dead time: 429s, no success
        pacer.throttled(pacer.wait())
        fake.clock.now += 0.02
    assert pacer.rate == pytest.approx(20)  # 20 got through in the burst: a second's worth
    fake.clock.now += STORM  # nothing for a long while: a storm, slow right down
    for _ in range(30):
        pacer.throttled(pacer.wait())
    assert pacer.rate == MIN_RATE


def test_callers_are_served_in_turn_one_slot_per_interval() -> None:
    fake = Sleeper()
    pacer = fake.pacer()
    pacer.succeeded(pacer.wait())
    for _ in range(4):
        pacer.succeeded(pacer.wait())
        fake.clock.now += 0.1
    pacer.throttled(pacer.wait())
    assert pacer.rate == pytest.approx(5 / 0.4)
    turns = [pacer.queue() for _ in range(3)]
    assert pacer.due_in(turns[0]) == pytest.approx(0.08)
    assert pacer.due_in(turns[1]) == pytest.approx(0.1)  # looks again later
    fake.clock.now += 0.08
    assert pacer.due_in(turns[0]) == 0  # let through
    assert pacer.due_in(turns[1]) == pytest.approx(0.08)
    assert pacer.due_in(turns[2]) == pytest.approx(0.1)


def test_a_caller_sent_to_the_front_takes_the_next_slot_and_those_it_passes_one_later() -> None:
    """The roles of the account the user looks at jump the line; the pace is the same."""
    fake = Sleeper()
    pacer = fake.pacer()
    pacer.succeeded(pacer.wait())
    for _ in range(4):
        pacer.succeeded(pacer.wait())
        fake.clock.now += 0.1
    pacer.throttled(pacer.wait())  # 12.5/s: a slot every 0.08 s
    line = [pacer.queue() for _ in range(4)]  # four callers waiting before it
    started = fake.clock.now
    pacer.wait(first=lambda: True)
    assert fake.clock.now - started == pytest.approx(0.08)  # the slot the first had
    gone: list[tuple[int, float]] = []
    while len(gone) < len(line):
        gone += [
            (n, fake.clock.now - started)
            for n, turn in enumerate(line)
            if n not in [g for g, _ in gone] and pacer.due_in(turn) == 0
        ]
        fake.clock.now += 0.001
    assert [n for n, _ in gone] == [0, 1, 2, 3]  # in turn, each one slot later
    assert [at for _, at in gone] == pytest.approx([0.16, 0.24, 0.32, 0.40], abs=0.002)


def test_waiting_callers_move_with_the_pace() -> None:
    """A caller in line does not keep the slot it was given at a slower pace."""
    fake = Sleeper()
    pacer = fake.pacer()
    for _ in range(3):
        pacer.succeeded(pacer.wait())
        fake.clock.now += 0.5
    pacer.throttled(pacer.wait())  # 3 in 1 s: 3/s
    assert pacer.rate == pytest.approx(3.0)
    queued, line, gone = fake.clock.now, [pacer.queue() for _ in range(10)], []
    for tick in range(400):
        if tick % 10 == 5:  # answers to calls sent earlier come in: the pace climbs
            pacer.succeeded()
        gone += [turn for turn in line if turn not in gone and pacer.due_in(turn) == 0]
        if len(gone) == len(line):
            break
        fake.clock.now += 0.01
    assert pacer.rate is not None and pacer.rate > 3.5
    assert fake.clock.now - queued < 0.9 * 10 / 3.0  # sooner than the slots given at 3/s
    assert [turn.ticket for turn in gone] == [turn.ticket for turn in line]  # in turn


def test_a_pace_refused_is_not_tried_again_straight_away() -> None:
    fake = Sleeper()
    pacer = fake.pacer()
    for _ in range(10):  # 10/s through, then a 429: pacing starts
        pacer.succeeded(pacer.wait())
        fake.clock.now += 0.1
    pacer.throttled(pacer.wait())
    for _ in range(40):  # a steady 10/s gets through
        fake.clock.now += 0.1
        pacer.succeeded(pacer.wait())
    pace = pacer.wait()
    refused_at = pacer.rate
    assert refused_at is not None
    pacer.throttled(pace)  # refused just over: a step below
    assert pacer.rate is not None and pacer.rate < refused_at
    line = [pacer.queue() for _ in range(5)]  # callers waiting: a pace that may climb
    for _ in range(30):
        fake.clock.now += 0.1
        pacer.succeeded()
    assert pacer.rate < refused_at  # climbs back, but not to the pace just refused
    assert line


def test_a_lone_call_refused_again_and_again_steps_out_of_line() -> None:
    fake = Sleeper()
    pacer = fake.pacer()
    assert backoff(BACKOFF_AFTER - 1) == 0
    assert 0 < backoff(BACKOFF_AFTER) < backoff(BACKOFF_AFTER + 1) <= backoff(99) <= 1.0
    pacer.wait(refused=BACKOFF_AFTER)
    assert fake.slept == [backoff(BACKOFF_AFTER)]
    fake.slept.clear()
    [pacer.queue() for _ in range(10)]  # in a long line it just waits its turn
    pacer.wait(refused=BACKOFF_AFTER)
    assert fake.slept == []


def test_a_call_sent_to_the_front_refused_again_and_again_steps_out_as_a_lone_one() -> None:
    """A page of accounts goes to the front of the line: refused at every next slot while a
    burst fills the limiter's window, it spent its 20 retries in 0.4 s at 50 calls/s and the
    whole `list` failed ("kept throttling ListAccounts", 4 runs in 50 of the sliding window
    at 50/s). Waiting its turn no more, it backs off as a call alone in line does."""
    fake = Sleeper()
    pacer = fake.pacer()
    [pacer.queue() for _ in range(10)]  # a long line it does not wait in
    pacer.wait(refused=BACKOFF_AFTER, first=lambda: True)
    assert fake.slept[0] == backoff(BACKOFF_AFTER)


def test_retries_of_a_refused_call_take_no_real_time_with_a_fake_sleep() -> None:
    """The Portal's tests pass a no-op sleep: a paced retry must not wait for real."""
    pacer = Pacer(sleep=lambda _s: None)
    pacer.succeeded(pacer.wait())
    pacer.throttled(pacer.wait())
    for refused in range(1, 21):
        pacer.throttled(pacer.wait(refused))
    assert pacer.rate is not None


# -- a whole fetch, simulated: 150 accounts, pages of 20, 96 workers, 40 ms a call ---------

MATRIX = [
    pytest.param(label, rate, id=f"{label}@{rate:g}")
    for rate in (5.0, 20.0, 50.0)
    for label in SHAPES_AT
]


@pytest.mark.parametrize(("label", "rate"), MATRIX)
def test_a_throttled_fetch_holds_near_its_floor_whatever_the_limiter(
    label: str, rate: float
) -> None:
    shape, burst = SHAPES_AT[label]
    # A bucket of one refuses any call that comes early, so scheduling jitter costs it most.
    allowed = 1.25 if label == "burst 1" else 1.15
    for seed in range(3):
        out = play(shape, rate, burst(rate), seed=seed)
        assert out.lost == 0
        assert out.seconds <= allowed * out.calls / rate, f"seed {seed}: {out.seconds:.2f} s"
        assert out.most_429s <= 10  # no call comes near the Portal's 20 retries


def test_the_issues_case_a_burst_of_10_at_20_per_second() -> None:
    """150 accounts took 15.2 s against a floor of 7.9 s (1.9×) with the former pacer."""
    out = play("bucket", 20, 10)
    assert out.seconds <= 1.0 * out.calls / 20 and out.lost == 0


@pytest.mark.parametrize(("label", "rate"), MATRIX)
def test_a_loaded_machine_costs_only_the_bucket_of_one(label: str, rate: float) -> None:
    """2 % of the calls held up 5-30 ms on the way: two calls arrive together, one is
    refused. Only a bucket of one, which refuses any early call, pays for it in time."""
    shape, burst = SHAPES_AT[label]
    for seed in range(2):
        out = play(shape, rate, burst(rate), seed=seed, stalls=0.02)
        assert out.lost == 0 and out.most_429s <= 10
        if label != "burst 1":
            assert out.seconds <= 1.15 * out.calls / rate, f"seed {seed}: {out.seconds:.2f} s"


@pytest.mark.parametrize("rate", [5.0, 20.0, 50.0])
def test_a_refresh_against_a_limiter_that_starts_empty_holds_near_its_floor(rate: float) -> None:
    """A refresh asks for every known account's roles beside the first page: 97 calls at
    once into a bucket that starts empty. The pool backs off together, then learns the pace
    from what gets through, close to the floor."""
    for seed in range(3):
        out = play("empty-bucket", rate, rate, seed=seed, ahead=True)
        assert out.lost == 0 and out.most_429s <= 10
        assert out.seconds <= 1.15 * out.calls / rate, f"seed {seed}: {out.seconds:.2f} s"


def test_a_storm_from_the_first_call_gets_a_few_calls_a_second() -> None:
    """Identity Center refuses every call for 14 s (a storm another tool caused), then allows
    20 calls/s, during a refresh of 300 accounts. Before: 1,940 calls in those 14 s (96
    workers, each retried at once, then after at most a second) and 77 accounts lost to
    their 20 retries. Now: the first wave of 97, then about one call a second."""
    storm, accounts = 14.0, 300
    fetch = Fetch(Shut(storm, TokenBucket(20, 20)), accounts=accounts, ahead=True)
    out = fetch.run()
    in_storm = [when for when in fetch.sent_at if when - fetch.start < storm]
    assert len(in_storm) <= 97 + 2 * storm
    assert out.lost == 0 and out.most_429s <= 10
    assert out.seconds <= storm + 1.15 * out.calls / 20
