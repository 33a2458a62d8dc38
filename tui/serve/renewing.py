"""Role credentials that renew themselves: the cache behind the credential endpoint.

The cached credentials are handed out while they have more than `renew_margin` left (15 minutes,
when botocore starts refreshing container credentials); after that the next caller fetches new
ones, and callers that arrive meanwhile wait for that same fetch instead of starting their own.
When a fetch fails, credentials that have not expired yet are still handed out (an SDK keeps
using what it has until it expires, too); otherwise the failure goes to every waiting caller, and
the next caller tries again, so a login done elsewhere makes it work again. Expired credentials
are never handed out.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime, timedelta

from tui.errors import ServiceError
from tui.models import RoleCredentials, utcnow

RENEW_MARGIN = timedelta(minutes=15)


class RenewingCredentials:
    """Cached role credentials, fetched with `fetch` when they come within `renew_margin` of
    expiring; safe to share between threads."""

    def __init__(
        self,
        fetch: Callable[[], RoleCredentials],
        *,
        renew_margin: timedelta = RENEW_MARGIN,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._fetch = fetch
        self.renew_margin = renew_margin
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: RoleCredentials | None = None
        self._in_flight: Future[RoleCredentials] | None = None
        self.fetches = 0  # how many times `fetch` was called (figures and tests)

    def get(self) -> RoleCredentials:
        """Credentials with more than `renew_margin` left when they can be had, else credentials
        that have not expired; raises what `fetch` raised when there are none."""
        with self._lock:
            cached = self._cached
            if cached is not None and cached.expiration - self._clock() > self.renew_margin:
                return cached
            flight = self._in_flight
            leading = flight is None
            if flight is None:
                flight = self._in_flight = Future()
                self.fetches += 1
        if leading:
            self._run(flight)
        try:
            return flight.result()
        except Exception:
            with self._lock:
                cached = self._cached
            if cached is not None and cached.expiration > self._clock():
                return cached
            raise

    def _run(self, flight: Future[RoleCredentials]) -> None:
        """Fetch for every caller waiting on `flight`; never raises."""
        try:
            creds = self._fetch()
            if creds.expiration <= self._clock():
                raise ServiceError(
                    f"Identity Center gave credentials for {creds.role_name} that expired at "
                    f"{creds.expiration:%Y-%m-%d %H:%M:%S} UTC: check this computer's clock"
                )
        except BaseException as exc:  # every waiter gets it; a KeyboardInterrupt too
            with self._lock:
                self._in_flight = None
            flight.set_exception(exc)
            return
        with self._lock:
            self._cached = creds
            self._in_flight = None
        flight.set_result(creds)
