"""Role credentials that renew themselves: the cache behind the credential endpoint.

The cached credentials are handed out while they have more than `renew_margin` left (15 minutes,
when botocore starts refreshing container credentials); after that a caller starts a fetch of
new ones, on a thread of its own, and callers that arrive meanwhile wait for that same fetch
instead of starting their own.

No caller waits longer than `answer_wait` for a fetch while the cached credentials still have
more than `near_expiry` left, and once one has, the others do not wait for that fetch at all:
they get those credentials (an SDK gives up on an answer after 1 s, the JavaScript SDK, or 2 s,
botocore, and Identity Center can be slow or throttling for longer). When a fetch
fails, such credentials are still handed out (an SDK keeps using what it has until it expires,
too). Credentials within `near_expiry` of their end are never handed out after a failure: a
request signed with them could reach AWS after they expired, and the SDK would show
ExpiredToken rather than the reason. Then callers get the failure, or, while a fetch has not
answered within `answer_wait`, the previous failure or `FetchPending`. Expired credentials are
never handed out.

After a failed fetch the next one waits: an SDK asks at every AWS call once its credentials are
within its own refresh window, and each of those calls would otherwise start another fetch
(with its own retries) against an Identity Center that is failing or throttling, for the 14
minutes the old credentials last. The wait doubles with each failure in a row, from
`RETRY_FIRST` up to `RETRY_CAP`, with jitter (a random half to all of it); after a lost login
it stays at `RETRY_LOGIN`, shorter than a login done elsewhere takes, so the first call after
one works. Meanwhile callers get, at once, the cached credentials while they have more than
`near_expiry` left, else the last failure.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime, timedelta

from tui.errors import NotLoggedIn, ServiceError
from tui.models import RoleCredentials, utcnow

RENEW_MARGIN = timedelta(minutes=15)
# After a failed renewal, credentials with less than this left are no longer handed out.
NEAR_EXPIRY = timedelta(minutes=1)
# Seconds a caller with credentials still to hand out waits for a fetch: within the 1 s the
# JavaScript SDK waits for an answer (botocore: 2 s).
ANSWER_WAIT = 0.8
# The wait before another fetch after one failed: doubling from RETRY_FIRST up to RETRY_CAP
# while Identity Center keeps failing (within the 14 minutes the old credentials still last,
# about 30 fetches rather than one after another); RETRY_LOGIN after a lost login, which a
# login from another terminal mends.
RETRY_FIRST = timedelta(seconds=2)
RETRY_CAP = timedelta(seconds=30)
RETRY_LOGIN = timedelta(seconds=2)


def retry_wait(failures: int, exc: BaseException) -> timedelta:
    """The longest wait after `failures` failed fetches in a row, the last raising `exc`."""
    if isinstance(exc, NotLoggedIn):
        return RETRY_LOGIN
    return min(RETRY_CAP, RETRY_FIRST * (1 << min(max(failures - 1, 0), 16)))


class FetchPending(ServiceError):
    """A fetch has not answered yet and there are no credentials to hand out meanwhile."""


class RenewingCredentials:
    """Cached role credentials, fetched with `fetch` when they come within `renew_margin` of
    expiring; safe to share between threads."""

    def __init__(
        self,
        fetch: Callable[[], RoleCredentials],
        *,
        renew_margin: timedelta = RENEW_MARGIN,
        near_expiry: timedelta = NEAR_EXPIRY,
        answer_wait: float = ANSWER_WAIT,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._fetch = fetch
        self.renew_margin = renew_margin
        self.near_expiry = near_expiry
        self.answer_wait = answer_wait
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: RoleCredentials | None = None
        self._in_flight: Future[RoleCredentials] | None = None
        self._failure: BaseException | None = None  # the last fetch's, until one succeeds
        self._overdue: Future[RoleCredentials] | None = None  # a fetch slower than answer_wait
        self._failures = 0  # failed fetches in a row
        self._failed_at: datetime | None = None  # when the last one failed
        self._retry_at: datetime | None = None  # no fetch before this after a failure
        self.fetches = 0  # how many times `fetch` was called (figures and tests)

    def get(self, *, wait: bool = False) -> RoleCredentials:
        """Credentials with more than `renew_margin` left when they can be had within
        `answer_wait` (however long it takes, with `wait`), else cached credentials with more
        than `near_expiry` left; raises what `fetch` raised, or `FetchPending`, when there are
        none."""
        with self._lock:
            cached = self._cached
            now = self._clock()
            if cached is not None and cached.expiration - now > self.renew_margin:
                return cached
            standing = None if wait else self._standing_failure(now)
            if standing is not None:  # a fetch failed a moment ago: no other yet
                if cached is not None and cached.expiration - now > self.near_expiry:
                    return cached
                # Raised afresh, or its traceback would grow (and hold frames) each time.
                raise standing.with_traceback(None)
            flight = self._in_flight or self._start_fetch()
            overdue = flight is self._overdue
        timeout = None if wait else self.answer_wait
        if overdue and not wait and self._usable() is not None:
            timeout = 0  # that fetch kept a caller waiting already: no other waits for it
        try:
            return flight.result(timeout=timeout)
        except Exception as exc:
            failure = exc if flight.done() else None
        if failure is None:  # not answered within the wait
            with self._lock:
                self._overdue = flight
        usable = self._usable()
        if usable is not None:
            return usable
        if failure is not None:
            raise failure
        with self._lock:
            previous = self._failure
        if previous is not None:
            raise previous.with_traceback(None)
        raise FetchPending(
            "Identity Center has not given the role's credentials yet (slow to answer): "
            "try again in a moment"
        )

    def _standing_failure(self, now: datetime) -> BaseException | None:
        """The last fetch's failure while it is too recent for another fetch (hold `_lock`);
        a clock set back ends the wait."""
        if self._in_flight is not None or self._retry_at is None or self._failed_at is None:
            return None
        return self._failure if self._failed_at <= now < self._retry_at else None

    def _usable(self) -> RoleCredentials | None:
        """The cached credentials while they have more than `near_expiry` left."""
        with self._lock:
            cached = self._cached
        if cached is not None and cached.expiration - self._clock() > self.near_expiry:
            return cached
        return None

    def _start_fetch(self) -> Future[RoleCredentials]:
        """A fetch on its own thread, for every caller until it ends (hold `_lock`)."""
        flight: Future[RoleCredentials] = Future()
        self._in_flight = flight
        self.fetches += 1
        threading.Thread(
            target=self._run, args=(flight,), name="ssotui-credential-fetch", daemon=True
        ).start()
        return flight

    def _run(self, flight: Future[RoleCredentials]) -> None:
        """Fetch for every caller waiting on `flight`; never raises."""
        try:
            creds = self._fetch()
            if creds.expiration <= self._clock():
                raise ServiceError(
                    f"Identity Center gave credentials for {creds.role_name} that expired at "
                    f"{creds.expiration:%Y-%m-%d %H:%M:%S} UTC: check this computer's clock"
                )
        except BaseException as exc:  # every waiter gets it
            with self._lock:
                self._in_flight = None
                self._failure = exc
                self._failures += 1
                self._failed_at = self._clock()
                longest = retry_wait(self._failures, exc)
                self._retry_at = self._failed_at + longest * random.uniform(0.5, 1.0)
            flight.set_exception(exc)
            return
        with self._lock:
            self._cached = creds
            self._in_flight = None
            self._failure = None
            self._failures = 0
            self._failed_at = self._retry_at = None
        flight.set_result(creds)
