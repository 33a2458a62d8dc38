"""The simulator's tunable behaviour (knobs); the rate limiter's shapes are in limiters.py."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

from tui.sim import shapes
from tui.sim.limiters import SHAPES

Approve = str | int | float
_APPROVE_WORDS = ("auto", "manual", "deny")
_OPERATION_SETS = (
    "malformed",
    "hang",
    "looping_pages",
    "endless_pages",
    "shapes",
    "later_page_faults",
)
# What botocore's `sso` model lets ListAccounts and ListAccountRoles answer, with its status.
LATER_PAGE_ERRORS = {
    "InvalidRequestException": 400,  # a page token the service no longer takes (expired)
    "UnauthorizedException": 401,  # the access token ended mid-listing
    "ResourceNotFoundException": 404,
    "TooManyRequestsException": 429,
}


@dataclass
class Knobs:
    """Everything a test or a demo may change, at construction or with ``Simulator.set``.

    approve: "auto" (approved at the first poll), "manual" (only by ``Simulator.approve()``),
    "deny", an int N (approved at the Nth poll) or a float (approved that many seconds after
    StartDeviceAuthorization). For the browser flow's ``/authorize``: "manual" shows a page
    with Approve and Deny, "deny" denies, anything else approves at once. code_lifetime:
    seconds an authorization code can be redeemed. clock_skew: seconds added to the server's
    Date header. secret_suffix: text appended to every secret handed out (client secrets,
    access and refresh tokens, secret keys, session tokens), e.g. quotes and backslashes for
    redaction tests.
    hang: operation names whose requests are accepted and never answered (until the knob is
    cleared or the simulator stops); ``CreateToken:GRANT`` holds only that grant's CreateToken
    (``CreateToken:refresh_token``: the refreshes, not the logins). looping_pages /
    endless_pages: List operations whose page tokens go round (the last page points back to
    an earlier one) / never end (the last page again, with a new token each time);
    ``ListAccountRoles:ACCOUNT_ID`` in looping_pages: only that account's roles go round.
    page_cap: the most items a page of a List call holds, whatever ``max_result`` asks (the
    model lets the service send fewer; None: as asked).
    later_page_faults: List operations (``ListAccountRoles:ACCOUNT_ID``: that account's only)
    whose requests for a later page (those that carry a page token) are answered
    ``later_page_error``, one of the errors botocore's model declares for them
    (`LATER_PAGE_ERRORS`; InvalidRequestException, as for an expired page token, by default;
    UnauthorizedException expires every access token issued so far, refresh tokens kept);
    ``later_page_fault_count``: how many such requests are, counted down (then they are
    answered as usual), None for every one.
    limiter: the shape of the ``rate_limit`` (see :mod:`tui.sim.limiters`); burst: the
    bucket's size (None: ``max(1, rate_limit)``).
    shapes: names of odd but valid answers (:data:`tui.sim.shapes.SHAPES`), e.g.
    ``{"credentials-expired", "accounts-nameless"}``.
    """

    latency: float = 0.0
    rate_limit: float | None = None
    limiter: str = "bucket"
    burst: float | None = None
    fail_every: int | None = None
    fail_status: int = 500
    token_lifetime: int = 3600
    refresh: bool = True
    interval: int = 1
    device_code_lifetime: int = 600
    approve: Approve = "auto"
    credential_lifetime: int = 3600
    client_lifetime: int = 90 * 86400
    page_size: int = 20
    page_cap: int | None = None
    malformed: frozenset[str] = field(default_factory=frozenset)
    clock_skew: float = 0.0
    signin_fail_status: int | None = None  # getSigninToken answers this 5xx status
    code_lifetime: int = 300
    secret_suffix: str = ""
    hang: frozenset[str] = field(default_factory=frozenset)
    looping_pages: frozenset[str] = field(default_factory=frozenset)
    endless_pages: frozenset[str] = field(default_factory=frozenset)
    shapes: frozenset[str] = field(default_factory=frozenset)
    later_page_faults: frozenset[str] = field(default_factory=frozenset)
    later_page_error: str = "InvalidRequestException"
    later_page_fault_count: int | None = None

    def __post_init__(self) -> None:
        self.validate()

    def update(self, **changes: Any) -> None:
        """Change some knobs; unknown names or bad values raise and change nothing."""
        names = {f.name for f in fields(self)}
        unknown = set(changes) - names
        if unknown:
            raise TypeError(f"unknown simulator knob(s): {', '.join(sorted(unknown))}")
        for name in _OPERATION_SETS:
            if name in changes:
                changes[name] = frozenset(changes[name] or ())
        old = {name: getattr(self, name) for name in changes}
        for name, value in changes.items():
            setattr(self, name, value)
        try:
            self.validate()
        except (TypeError, ValueError):
            for name, value in old.items():
                setattr(self, name, value)
            raise

    def validate(self) -> None:
        """Raise ValueError/TypeError for a knob value the simulator cannot honour."""
        for name in _OPERATION_SETS:
            setattr(self, name, frozenset(getattr(self, name)))
        if self.latency < 0:
            raise ValueError("latency must be >= 0")
        if self.rate_limit is not None and not self.rate_limit > 0:
            raise ValueError("rate_limit must be > 0 calls per second (or None)")
        if self.limiter not in SHAPES:
            raise ValueError(f"limiter must be one of {', '.join(SHAPES)}")
        if self.burst is not None and not self.burst >= 1:
            raise ValueError("burst must be >= 1 call (or None)")
        if self.fail_every is not None and self.fail_every < 1:
            raise ValueError("fail_every must be >= 1 (or None)")
        if not 500 <= self.fail_status <= 599:
            raise ValueError("fail_status must be a 5xx status")
        if self.signin_fail_status is not None and not 500 <= self.signin_fail_status <= 599:
            raise ValueError("signin_fail_status must be a 5xx status (or None)")
        if self.interval < 0 or self.device_code_lifetime < 0 or self.page_size < 1:
            raise ValueError("interval, device_code_lifetime >= 0 and page_size >= 1")
        if self.page_cap is not None and self.page_cap < 1:
            raise ValueError("page_cap must be >= 1 (or None)")
        if self.later_page_error not in LATER_PAGE_ERRORS:
            raise ValueError(f"later_page_error must be one of {', '.join(LATER_PAGE_ERRORS)}")
        if self.later_page_fault_count is not None and self.later_page_fault_count < 0:
            raise ValueError("later_page_fault_count must be >= 0 (or None)")
        if self.code_lifetime < 0:
            raise ValueError("code_lifetime must be >= 0")
        approve = self.approve
        if isinstance(approve, bool) or not isinstance(approve, str | int | float):
            raise TypeError('approve is "auto", "manual", "deny", an int or a float')
        if isinstance(approve, str) and approve not in _APPROVE_WORDS:
            raise ValueError(f"approve must be one of {_APPROVE_WORDS}, an int or a float")
        if isinstance(approve, int | float) and (approve < 0 or math.isnan(approve)):
            raise ValueError("approve after a negative number of polls/seconds")
        shapes.check(self.shapes)
        if not isinstance(self.secret_suffix, str):
            raise TypeError("secret_suffix is a string")
