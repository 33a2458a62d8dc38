"""The cache behind the credential endpoint, with credentials from the simulator and a clock the
test moves: when it fetches, what it hands out when a fetch fails, and never anything expired."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from tests.conftest import here
from tests.endpoint_support import allowed_role, role_fetch
from tui.aws.portal import SERVER_ERROR_RETRIES
from tui.aws.token_cache import token_path
from tui.errors import NotLoggedIn, ServiceError
from tui.models import Account, RoleCredentials, SsoSession, Token, utcnow
from tui.serve import RENEW_MARGIN, FetchPending, RenewingCredentials
from tui.serve.renewing import RETRY_CAP, RETRY_FIRST, RETRY_LOGIN
from tui.sim import Simulator


class Clock:
    """A clock that stands still until the test moves it."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def renewing(
    session: SsoSession, token: Token, sim: Simulator, clock: Clock
) -> RenewingCredentials:
    account, role = allowed_role(sim)
    sim.reset_calls()
    return RenewingCredentials(role_fetch(session, account, role), clock=clock)


def test_the_margin_is_the_15_minutes_botocore_refreshes_at() -> None:
    assert timedelta(minutes=15) == RENEW_MARGIN


def test_handed_out_while_more_than_15_minutes_left(
    renewing: RenewingCredentials, sim: Simulator, clock: Clock
) -> None:
    first = renewing.get()
    clock.now = first.expiration - timedelta(minutes=15, seconds=1)
    assert all(renewing.get() is first for _ in range(100))
    assert sim.calls["GetRoleCredentials"] == 1


def test_fetched_again_at_15_minutes_left(
    renewing: RenewingCredentials, sim: Simulator, clock: Clock
) -> None:
    first = renewing.get()
    clock.now = first.expiration - timedelta(minutes=15)
    second = renewing.get()
    assert second.access_key_id != first.access_key_id
    clock.now = second.expiration - timedelta(minutes=15, seconds=1)
    assert renewing.get() is second
    assert sim.calls["GetRoleCredentials"] == 2 and renewing.fetches == 2


def test_a_failed_renewal_hands_out_what_has_not_expired_then_fails(
    renewing: RenewingCredentials, session: SsoSession, sim: Simulator, clock: Clock
) -> None:
    first = renewing.get()
    token_path(here(), session).unlink()  # logged out
    clock.now = first.expiration - timedelta(minutes=5)
    assert renewing.get() is first  # still good for 5 minutes, and the SDK knows when it ends
    assert sim.calls["GetRoleCredentials"] == 1
    clock.now = first.expiration
    with pytest.raises(NotLoggedIn, match="run `ssotui login`"):
        renewing.get()
    assert renewing.fetches == 3  # each call tried again


def test_credentials_expired_on_arrival_are_refused(
    renewing: RenewingCredentials, clock: Clock
) -> None:
    clock.now = utcnow() + timedelta(days=1)  # this computer's clock is a day ahead
    with pytest.raises(ServiceError, match="check this computer's clock"):
        renewing.get()


def test_a_failure_reaches_every_waiting_caller_and_one_after_the_login_wait_tries_again(
    clock: Clock,
) -> None:
    calls: list[int] = []
    release = threading.Event()

    def fetch() -> RoleCredentials:
        calls.append(1)
        release.wait(10)
        raise NotLoggedIn("not logged in to session dev: run `ssotui login`")

    renewing = RenewingCredentials(fetch, clock=clock)
    failures: list[str] = []

    def one() -> None:
        try:
            renewing.get()
        except NotLoggedIn as exc:
            failures.append(exc.message)

    waiting = [threading.Thread(target=one) for _ in range(6)]
    for t in waiting:
        t.start()
    while not calls:
        time.sleep(0.01)
    time.sleep(0.2)  # the others are waiting for that fetch by now
    release.set()
    for t in waiting:
        t.join()
    assert len(failures) == 6 and len(calls) == 1
    with pytest.raises(NotLoggedIn):
        renewing.get()  # at once: a login takes longer than that
    assert len(calls) == 1
    clock.now += RETRY_LOGIN
    with pytest.raises(NotLoggedIn):
        renewing.get()
    assert len(calls) == 2


def test_a_slow_renewal_does_not_hold_callers_that_have_good_credentials(
    session: SsoSession, token: Token, sim: Simulator, clock: Clock
) -> None:
    account, role = allowed_role(sim)
    portal = role_fetch(session, account, role)
    release = threading.Event()

    def fetch() -> RoleCredentials:
        if renewing.fetches > 1:  # the renewal: Identity Center slow, or throttling
            release.wait(30)
        return portal()

    renewing = RenewingCredentials(fetch, clock=clock)
    first = renewing.get()
    clock.now = first.expiration - timedelta(minutes=10)  # botocore asks at every call now
    got: list[RoleCredentials] = []
    asking = threading.Thread(target=lambda: got.append(renewing.get()))
    asking.start()
    asking.join(10)
    answered_while_fetching = bool(got) and not release.is_set()
    release.set()
    asking.join()
    assert answered_while_fetching and got == [first]
    deadline = time.monotonic() + 10
    while renewing.get() is first and time.monotonic() < deadline:
        time.sleep(0.05)
    assert renewing.get().access_key_id != first.access_key_id  # and then the new ones


def test_after_a_failed_renewal_credentials_near_their_end_are_not_handed_out(
    renewing: RenewingCredentials, session: SsoSession, clock: Clock
) -> None:
    first = renewing.get()
    token_path(here(), session).unlink()  # logged out
    clock.now = first.expiration - timedelta(seconds=61)
    assert renewing.get() is first
    clock.now = first.expiration - timedelta(seconds=59)  # signed now, it could arrive expired
    with pytest.raises(NotLoggedIn, match="run `ssotui login`"):
        renewing.get()


def test_with_nothing_to_hand_out_a_slow_fetch_is_said_then_the_last_failure(
    clock: Clock,
) -> None:
    release = threading.Event()
    failing = [True]

    def fetch() -> RoleCredentials:
        release.wait(30)
        if failing[0]:
            raise ServiceError("Identity Center failed … with HTTP 503 after retries")
        raise AssertionError("not reached")

    renewing = RenewingCredentials(fetch, answer_wait=0.1, clock=clock)
    with pytest.raises(FetchPending, match="try again in a moment"):
        renewing.get()  # no credentials yet, and no answer within 0.1 s
    release.set()
    with pytest.raises(ServiceError, match="HTTP 503"):
        renewing.get(wait=True)
    release.clear()
    with pytest.raises(ServiceError, match="HTTP 503") as raised:
        renewing.get()  # a new fetch, not answered yet: what the last one said
    assert not isinstance(raised.value, FetchPending)
    release.set()


def test_a_renewal_that_kept_one_caller_waiting_keeps_no_other(
    session: SsoSession, token: Token, sim: Simulator, clock: Clock
) -> None:
    account, role = allowed_role(sim)
    portal = role_fetch(session, account, role)
    release = threading.Event()

    def fetch() -> RoleCredentials:
        if renewing.fetches > 1:
            release.wait(60)  # a renewal that does not answer
        return portal()

    renewing = RenewingCredentials(fetch, answer_wait=2, clock=clock)
    first = renewing.get()
    clock.now = first.expiration - timedelta(minutes=10)
    try:
        assert renewing.get() is first  # after waiting 2 s for the renewal
        # Every further AWS call of the child must not pay those 2 s again (a call that did
        # would not be back in time).
        got: list[RoleCredentials] = []
        asking = threading.Thread(target=lambda: got.extend(renewing.get() for _ in range(3)))
        asking.start()
        asking.join(1.5)
        assert got == [first] * 3
        assert renewing.fetches == 2
    finally:
        release.set()


def fetched_after(renewing: RenewingCredentials, clock: Clock, step: timedelta) -> bool:
    """Whether a caller `step` later starts a fetch (while the old credentials still serve)."""
    clock.now += step
    before = renewing.fetches
    renewing.get()
    return renewing.fetches > before


def test_a_failing_identity_center_is_asked_again_only_after_a_growing_wait(
    session: SsoSession, token: Token, sim: Simulator, clock: Clock
) -> None:
    # botocore asks the endpoint at every AWS call once its credentials are within 15 minutes
    # of their end: each ask must not become a fetch (with its retries) while the portal fails.
    account, role = allowed_role(sim)
    renewing = RenewingCredentials(role_fetch(session, account, role, deadline=0.3), clock=clock)
    first = renewing.get()
    clock.now = first.expiration - timedelta(minutes=10)
    sim.set(fail_every=1, fail_status=500)
    sim.reset_calls()
    assert all(renewing.get() is first for _ in range(20))  # the old ones, still good
    one_fetch = 1 + SERVER_ERROR_RETRIES  # the most a fetch calls, with its own retries
    assert renewing.fetches == 2 and 1 <= sim.calls["GetRoleCredentials"] <= one_fetch
    # The wait after the nth failure in a row: between half and all of 2, 4, 8, 16, 30 s.
    assert timedelta(seconds=30) == RETRY_CAP
    for longest in (2, 4, 8, 16, 30, 30):
        wait = timedelta(seconds=longest)
        assert not fetched_after(renewing, clock, wait / 2 - timedelta(milliseconds=1))
        assert fetched_after(renewing, clock, wait / 2)
        assert sim.calls["GetRoleCredentials"] <= one_fetch * (renewing.fetches - 1)
        assert renewing.get() is first
    sim.set(fail_every=None)  # Identity Center is back: renewed at the next try
    clock.now += RETRY_CAP
    renewed = renewing.get()
    assert renewed.access_key_id != first.access_key_id
    # A failure after a success waits the first wait again, not the longest.
    clock.now = renewed.expiration - timedelta(minutes=10)
    sim.set(fail_every=1)
    assert renewing.get() is renewed
    assert not fetched_after(renewing, clock, RETRY_FIRST / 2 - timedelta(milliseconds=1))
    assert fetched_after(renewing, clock, RETRY_FIRST / 2)


def test_with_expired_credentials_a_failing_renewal_is_answered_at_once_without_a_fetch(
    session: SsoSession, token: Token, sim: Simulator, clock: Clock
) -> None:
    account, role = allowed_role(sim)
    renewing = RenewingCredentials(role_fetch(session, account, role, deadline=0.3), clock=clock)
    first = renewing.get()
    clock.now = first.expiration + timedelta(seconds=1)
    sim.set(fail_every=1, fail_status=503)
    with pytest.raises(ServiceError, match="HTTP 503"):
        renewing.get()
    sim.reset_calls()
    raised: list[ServiceError] = []
    for _ in range(200):
        with pytest.raises(ServiceError, match="HTTP 503") as failed:
            renewing.get()
        raised.append(failed.value)
    assert sim.calls["GetRoleCredentials"] == 0 and renewing.fetches == 2
    # The one failure, raised afresh each time: its traceback (and the frames it holds) does
    # not grow with every answer.
    assert len({id(exc) for exc in raised}) == 1
    assert len(traceback.extract_tb(raised[0].__traceback__)) < 5


def _fake_credentials(clock: Clock, lifetime: timedelta, key: str) -> RoleCredentials:
    return RoleCredentials(
        account=Account("111111111111", "dev", "dev@example.com"),
        role_name="Admin",
        access_key_id=key,
        secret_access_key="secret",
        session_token="session",
        expiration=clock.now + lifetime,
    )


def test_a_renewal_no_caller_waits_for_tries_less_hard_one_a_caller_needs_does_not(
    clock: Clock,
) -> None:
    used: list[str] = []

    def fetch() -> RoleCredentials:  # a command's effort
        used.append("fetch")
        return _fake_credentials(clock, timedelta(hours=1), f"ASIA{len(used)}")

    def renew() -> RoleCredentials:  # a shorter deadline, fewer retries
        used.append("renew")
        raise ServiceError("Identity Center kept throttling (HTTP 429): wait a minute")

    renewing = RenewingCredentials(fetch, renew=renew, clock=clock)
    first = renewing.get(wait=True)
    clock.now = first.expiration - timedelta(minutes=10)  # renewed while still handed out
    assert renewing.get() is first
    _wait_for(lambda: len(used) == 2)
    clock.now = first.expiration - timedelta(seconds=30)  # nothing to hand out: callers wait
    assert renewing.get() is not first
    assert used == ["fetch", "renew", "fetch"]


def _wait_for(done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 5
    while not done():
        assert time.monotonic() < deadline
        time.sleep(0.01)


class Stamp:
    """A token cache file's stat, as the test changes it."""

    def __init__(self) -> None:
        self.value: object = (1, 100, 7)

    def __call__(self) -> object:
        return self.value


def test_a_lost_login_is_fetched_again_when_the_login_stamp_changes_else_after_backing_off(
    clock: Clock,
) -> None:
    stamp = Stamp()
    calls: list[int] = []

    def fetch() -> RoleCredentials:
        calls.append(1)
        raise NotLoggedIn("session dev expired: run `ssotui login`")

    renewing = RenewingCredentials(fetch, login_stamp=stamp, clock=clock)
    waits = []
    for _ in range(6):
        with pytest.raises(NotLoggedIn):
            renewing.get()
        fetched = len(calls)
        waited = timedelta(0)
        while len(calls) == fetched:  # how long until the next fetch
            waited += timedelta(milliseconds=500)
            clock.now += timedelta(milliseconds=500)
            with pytest.raises(NotLoggedIn):
                renewing.get()
        waits.append(waited)
    # Not every 2 s (RETRY_LOGIN): doubling, as after any failure, up to RETRY_CAP.
    assert waits[-1] > 4 * RETRY_LOGIN and max(waits) <= RETRY_CAP + timedelta(seconds=1)
    fetched = len(calls)
    with pytest.raises(NotLoggedIn):
        renewing.get()
    assert len(calls) == fetched  # within the wait, nothing changed: no fetch
    stamp.value = (2, 120, 8)  # `ssotui login` / `aws sso login` saved a token
    with pytest.raises(NotLoggedIn):
        renewing.get()
    assert len(calls) == fetched + 1  # at once
