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
`RETRY_FIRST` up to `RETRY_CAP`, with jitter (a random half to all of it). A lost login
(NotLoggedIn) waits the same, but with `login_stamp` (what changes when a login is saved: the
token cache file's stat) it ends as soon as the stamp differs from the one seen at the failure,
so the first call after a login done elsewhere works; without it, it stays at `RETRY_LOGIN`.
Meanwhile callers get, at once, the cached credentials while they have more than `near_expiry`
left, else the last failure.

A fetch started while the cached credentials still have more than `near_expiry` left, with no
caller waiting for it however long it takes, is a background renewal: it calls `renew` (a fetch
that tries less hard, e.g. a shorter deadline) when given, else `fetch`. A fetch no answer can
be given without (no usable credentials, or `wait`) calls `fetch`. While one has not answered,
`pending` says what it is waiting for ("the role's credentials", "a renewed SSO token ...").
"""

from __future__ import annotations

import contextlib
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
# login from another terminal mends, when no `login_stamp` tells when one was saved.
RETRY_FIRST = timedelta(seconds=2)
RETRY_CAP = timedelta(seconds=30)
RETRY_LOGIN = timedelta(seconds=2)
# The retries' jitter, from a generator of ssotui's own (as the portal's backoffs): a fetch on a
# thread of its own leaves the process's `random` to whoever else uses it.
_jitter = random.Random()


def retry_wait(failures: int, exc: BaseException, *, stamped: bool = False) -> timedelta:
    """The longest wait after `failures` failed fetches in a row, the last raising `exc`;
    `stamped`: a login saved meanwhile ends the wait (`login_stamp`), so a lost login waits as
    long as any failure."""
    if isinstance(exc, NotLoggedIn) and not stamped:
        return RETRY_LOGIN
    return min(RETRY_CAP, RETRY_FIRST * (1 << min(max(failures - 1, 0), 16)))


class FetchPending(ServiceError):
    """A fetch has not answered yet and there are no credentials to hand out meanwhile."""


def _pending(what: str) -> FetchPending:
    return FetchPending(
        f"Identity Center has not given {what} yet (slow to answer): try again in a moment"
    )


class RenewingCredentials:
    """Cached role credentials, fetched with `fetch` when they come within `renew_margin` of
    expiring; safe to share between threads. `renew`, `login_stamp`, `pending`: see the module's
    docstring."""

    def __init__(
        self,
        fetch: Callable[[], RoleCredentials],
        *,
        renew: Callable[[], RoleCredentials] | None = None,
        login_stamp: Callable[[], object] | None = None,
        pending: Callable[[], str] | None = None,
        renew_margin: timedelta = RENEW_MARGIN,
        near_expiry: timedelta = NEAR_EXPIRY,
        answer_wait: float = ANSWER_WAIT,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._fetch = fetch
        self._renew = renew or fetch
        self._login_stamp = login_stamp
        self._pending = pending
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
        self._stamp_at_failure: object = None  # `login_stamp` when a login was lost
        self.fetches = 0  # how many fetches were started, `fetch` or `renew` (figures and tests)

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
            flight = self._in_flight or self._start_fetch(background=not wait and self._has(now))
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
        raise _pending(self._waiting_for())

    def _waiting_for(self) -> str:
        """What the fetch in flight waits for, in the user's words."""
        if self._pending is not None:
            with contextlib.suppress(Exception):
                return self._pending()
        return "the role's credentials"

    def _standing_failure(self, now: datetime) -> BaseException | None:
        """The last fetch's failure while it is too recent for another fetch (hold `_lock`);
        a clock set back ends the wait."""
        if self._in_flight is not None or self._retry_at is None or self._failed_at is None:
            return None
        if not self._failed_at <= now < self._retry_at:
            return None
        if isinstance(self._failure, NotLoggedIn) and self._login_saved():
            return None  # logged in elsewhere since: try at once
        return self._failure

    def _stamp(self) -> object:
        """The `login_stamp` of the moment (None without one, or when it cannot be had)."""
        if self._login_stamp is None:
            return None
        try:
            return self._login_stamp()
        except Exception:
            return None

    def _login_saved(self) -> bool:
        """Whether a login may have been saved since the login was lost (hold `_lock`)."""
        return self._login_stamp is not None and self._stamp() != self._stamp_at_failure

    def _has(self, now: datetime) -> bool:
        """Whether the cached credentials have more than `near_expiry` left (hold `_lock`)."""
        return self._cached is not None and self._cached.expiration - now > self.near_expiry

    def _usable(self) -> RoleCredentials | None:
        """The cached credentials while they have more than `near_expiry` left."""
        with self._lock:
            cached = self._cached
        if cached is not None and cached.expiration - self._clock() > self.near_expiry:
            return cached
        return None

    def _start_fetch(self, *, background: bool) -> Future[RoleCredentials]:
        """A fetch on its own thread, for every caller until it ends (hold `_lock`);
        `background`: a renewal while credentials are handed out meanwhile (`renew`)."""
        flight: Future[RoleCredentials] = Future()
        self._in_flight = flight
        self.fetches += 1
        fetch = self._renew if background else self._fetch
        threading.Thread(
            target=self._run, args=(flight, fetch), name="ssotui-credential-fetch", daemon=True
        ).start()
        return flight

    def _run(self, flight: Future[RoleCredentials], fetch: Callable[[], RoleCredentials]) -> None:
        """Fetch for every caller waiting on `flight`; never raises."""
        try:
            creds = fetch()
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
                self._stamp_at_failure = self._stamp()
                stamped = self._login_stamp is not None
                longest = retry_wait(self._failures, exc, stamped=stamped)
                self._retry_at = self._failed_at + longest * _jitter.uniform(0.5, 1.0)
            flight.set_exception(exc)
            return
        with self._lock:
            self._cached = creds
            self._in_flight = None
            self._failure = None
            self._failures = 0
            self._failed_at = self._retry_at = None
        flight.set_result(creds)
