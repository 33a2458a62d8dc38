"""The simulator's limiter shapes: what each lets through, their knobs, the command line, and
a 429 over real HTTP from each."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from tui.aws.clients import sso_client
from tui.models import SsoSession, Token
from tui.sim import Knobs, Simulator
from tui.sim.__main__ import _parser
from tui.sim.limiters import FixedWindow, SlidingWindow, TokenBucket, make_limiter


def passed(limiter: FixedWindow | SlidingWindow | TokenBucket, times: list[float]) -> list[bool]:
    return [limiter.take(t) for t in times]


def test_a_bucket_lets_its_burst_through_then_its_rate() -> None:
    bucket = TokenBucket(rate=10, burst=3)
    assert passed(bucket, [0.0, 0.0, 0.0, 0.0]) == [True, True, True, False]
    assert passed(bucket, [0.05, 0.1, 0.1]) == [False, True, False]  # one token per 0.1 s
    assert passed(bucket, [10.0, 10.0, 10.0, 10.0]) == [True, True, True, False]  # full again


def test_a_bucket_of_one_refuses_any_call_early() -> None:
    bucket = TokenBucket(rate=10, burst=1)
    assert passed(bucket, [0.0, 0.099, 0.2, 0.29, 0.4]) == [True, False, True, False, True]


def test_the_default_bucket_is_one_second_of_calls() -> None:
    """What the simulator always did: a burst of the rate (at least one)."""
    assert TokenBucket(rate=20).burst == 20
    assert TokenBucket(rate=0.5).burst == 1
    assert isinstance(make_limiter("bucket", 20), TokenBucket)


def test_fixed_windows_count_afresh_every_whole_second() -> None:
    window = FixedWindow(rate=3)
    assert passed(window, [0.1, 0.2, 0.3, 0.9]) == [True, True, True, False]
    # a new second: three more at once, even right after the last three
    assert passed(window, [1.0, 1.0, 1.01, 1.5]) == [True, True, True, False]


def test_a_sliding_window_counts_the_last_second() -> None:
    window = SlidingWindow(rate=3)
    assert passed(window, [0.5, 0.6, 0.7, 1.2]) == [True, True, True, False]
    assert passed(window, [1.49, 1.51, 1.55, 1.65, 1.71]) == [False, True, False, True, True]


@pytest.mark.parametrize(
    ("limiter", "again"),
    [(TokenBucket(10, 1), 0.1), (FixedWindow(1), 1.0), (SlidingWindow(1), 1.0)],
)
def test_refused_calls_cost_nothing(
    limiter: FixedWindow | SlidingWindow | TokenBucket, again: float
) -> None:
    assert limiter.take(0.0)
    assert not any(limiter.take(again / 2) for _ in range(10))
    assert limiter.take(again)  # as soon as without the refused calls


def test_limiter_knobs_are_checked() -> None:
    with pytest.raises(ValueError, match="limiter must be one of"):
        Knobs(rate_limit=5, limiter="leaky")
    with pytest.raises(ValueError, match="burst must be >= 1"):
        Knobs(rate_limit=5, burst=0.5)
    knobs = Knobs(rate_limit=5)
    with pytest.raises(ValueError):
        knobs.update(limiter="nope")
    assert knobs.limiter == "bucket" and knobs.burst is None


def test_the_command_line_takes_a_shape_and_a_burst() -> None:
    args = _parser().parse_args(["--rate-limit", "20", "--limiter", "sliding-window"])
    assert (args.rate_limit, args.limiter, args.burst) == (20.0, "sliding-window", None)
    args = _parser().parse_args(["--rate-limit", "20", "--burst", "1"])
    assert (args.limiter, args.burst) == ("bucket", 1.0)
    with pytest.raises(SystemExit):
        _parser().parse_args(["--limiter", "leaky"])


@pytest.mark.parametrize("shape", ["bucket", "fixed-window", "sliding-window"])
def test_each_shape_answers_429_over_http(
    shape: str, sim: Simulator, session: SsoSession, token: Token
) -> None:
    sim.set(rate_limit=2, limiter=shape, burst=2 if shape == "bucket" else None)
    sso = sso_client(session, attempts=1)
    answers = []
    for _ in range(6):
        try:
            sso.list_accounts(accessToken=token.access_token)
            answers.append(200)
        except ClientError as err:
            answers.append(err.response["ResponseMetadata"]["HTTPStatusCode"])
    assert answers.count(200) in (2, 3, 4) and 429 in answers  # 4: two window seconds
    sim.set(rate_limit=None)
    sso.list_accounts(accessToken=token.access_token)
