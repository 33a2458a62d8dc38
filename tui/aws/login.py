"""Device authorization login (RFC 8628), as botocore's `SSOTokenFetcher` does it.

RegisterClient (a public client with the session's scopes, reused from the AWS CLI's
registration cache until it expires: `tui.aws.registrations`), StartDeviceAuthorization, then
CreateToken polled every `interval` seconds (+5 s for good after SlowDown; 5 s when the
service says none, or more than a minute: milliseconds, a placeholder) until approved,
denied or `expiresIn` passes. An `expiresIn` no person could sign in within (under a minute: 0,
1, ...) or past a day (milliseconds sent for seconds) is no deadline: the countdown assumes
Identity Center's ten minutes and the polling goes on until the service says the code expired
(ExpiredTokenException), as botocore's does, or for an hour at most.
The token is written to the AWS CLI v2 cache, so `aws` and boto3 profiles of the same
sso-session work without another login. `tui.aws.login_flows.log_in` is the entry that picks
this flow or the browser one; `login` here is the device flow alone.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import IO, Any
from urllib.parse import urlsplit

from tui.aws import token_cache
from tui.aws.clients import oidc_client
from tui.aws.oidc_answers import (
    ASSUMED_DEVICE_CODE_LIFETIME,
    error_code,
    kms_refusal,
    lifetime,
    login_failure,
    token_from_response,
)
from tui.aws.registrations import client_refused, device_registration
from tui.aws.tokens import current_token
from tui.errors import LoginCancelled, LoginFailed, NotLoggedIn, ServiceError
from tui.logs import hide
from tui.models import SsoSession, Token, utcnow
from tui.paths import Paths
from tui.text import printable

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
SLOW_DOWN_DELAY = 5  # seconds added to the interval for good after SlowDown (RFC 8628 3.5)
# The shortest wait between two polls, whatever `interval` says: a service that answers
# `interval` 0 (the model allows any integer) is asked at once, then once a second, not in a
# loop as fast as its answers come back for the ten minutes a code lasts.
MIN_POLL_INTERVAL = 1
DEFAULT_INTERVAL = 5
# An `interval` past a minute is milliseconds sent for seconds (1000, 5000) or a placeholder:
# taken at its word, the user approved and ssotui slept past the code's end, then said it
# expired. Polled as with none (RFC 8628: 5 s); a service that wants it slower says SlowDown.
MAX_PLAUSIBLE_INTERVAL = 60
# The `expiresIn` ssotui stops at by itself; outside it the service's ExpiredTokenException
# decides. Under a minute nobody reads the code, signs in (with MFA) and approves, so such a
# value is a fault (a wrong unit, a placeholder), not a deadline; past a day it is milliseconds
# or a placeholder too (RFC 8628's example is 30 minutes, Identity Center's 10).
PLAUSIBLE_DEVICE_CODE_LIFETIME = (timedelta(minutes=1), timedelta(days=1))
# How long a login whose `expiresIn` is no deadline polls at most, should the service never
# say the code expired: long past any device code (botocore would poll for ever).
UNTRUSTED_LIFETIME_CAP = timedelta(hours=1)


@dataclass(frozen=True)
class DeviceAuthorization:
    """A pending device login: what the user must open and type, and how to poll for it."""

    user_code: str
    verification_uri: str
    verification_uri_complete: str
    expires_at: datetime
    interval: int
    device_code: str = field(repr=False)
    client_id: str = field(repr=False, default="")
    client_secret: str = field(repr=False, default="")
    registration_expires_at: datetime | None = None
    browser_opens: bool = True  # False: no browser is started on the page (--no-browser)
    # False: `expiresIn` was no plausible deadline (`expires_at` is then the assumed ten
    # minutes, for the countdown), so the service's ExpiredTokenException ends the polling
    deadline_trusted: bool = True

    def seconds_left(self, now: datetime | None = None) -> float:
        """Seconds until the code expires (never negative)."""
        return max(0.0, (self.expires_at - (now or utcnow())).total_seconds())


def _printable(text: object) -> bool:
    """True for a non-empty string holding no character a terminal would act on or hide."""
    return isinstance(text, str) and bool(text) and printable(text) == text


def _verification_address(url: object) -> bool:
    """True for a page ssotui may show and open: http or https, with no space and nothing a
    terminal would act on. A `javascript:`, `file:` or other scheme would make the browser, or
    whatever the system hands it to, run something. (Plain http is not refused: a test
    service or a proxy in front of one may serve its page so, and opening it runs nothing.)"""
    if not _printable(url) or any(c.isspace() for c in str(url)):
        return False
    try:
        parts = urlsplit(str(url))
        host = parts.hostname or ""
    except ValueError:  # a broken IPv6 host
        return False
    return bool(host) and parts.scheme in ("https", "http")


def _checked(auth: DeviceAuthorization, session: SsoSession) -> DeviceAuthorization:
    """`auth` when its addresses and code are safe to print and open; else ServiceError."""
    if (
        _verification_address(auth.verification_uri)
        and _verification_address(auth.verification_uri_complete)
        and (_printable(auth.user_code) or not auth.user_code)
    ):
        return auth
    raise ServiceError(
        f"Identity Center sent a device authorization for session {session.label} with an "
        "address or code ssotui will not show or open (only http and https pages are opened): "
        "check the session's region and AWS_ENDPOINT_URL_SSO_OIDC"
    )


def _device_code_lifetime(response: Any) -> timedelta | None:
    """`expiresIn` of a StartDeviceAuthorization answer, the assumed ten minutes when it has
    none, None when it is past what a date holds (10**15 s); ValueError or TypeError when it
    is no number."""
    try:
        return lifetime(response, "expiresIn", ASSUMED_DEVICE_CODE_LIFETIME)
    except OverflowError:
        return None


def _poll_interval(response: Any) -> int:
    """`interval` of a StartDeviceAuthorization answer: 5 s when it has none or one past a
    minute (ValueError or TypeError when it is no number)."""
    interval = int(response.get("interval", DEFAULT_INTERVAL))
    return DEFAULT_INTERVAL if interval > MAX_PLAUSIBLE_INTERVAL else interval


def _no_code(response: Any) -> str:
    """No code (empty) for a StartDeviceAuthorization answer without `userCode` whose
    `verificationUriComplete` fills it in; KeyError when it has neither."""
    if not response.get("verificationUriComplete"):
        raise KeyError("userCode")
    return ""


def start_login(paths: Paths, session: SsoSession) -> DeviceAuthorization:
    """Register (or reuse the registration cached in `paths`' token cache) and start a device
    authorization."""
    client = oidc_client(session)
    registration = device_registration(paths, session, client)
    for attempt in (1, 2):
        try:
            response = client.start_device_authorization(
                clientId=registration.client_id,
                clientSecret=registration.client_secret,
                startUrl=session.start_url,
            )
            hide(response.get("deviceCode"))
            break
        except Exception as exc:
            # A cached registration the service no longer knows: register again, once.
            if attempt == 1 and error_code(exc) in {
                "InvalidClientException",
                "UnauthorizedClientException",
            }:
                registration = device_registration(paths, session, client, fresh=True)
                continue
            raise login_failure(exc, client, session, "the device authorization") from None
    try:
        given = _device_code_lifetime(response)
        shortest, longest = PLAUSIBLE_DEVICE_CODE_LIFETIME
        trusted = given is not None and shortest <= given <= longest
        auth = DeviceAuthorization(
            # all three optional in botocore's model: a code and a page for it, or the page
            # that fills it in (then the one to show)
            user_code=response.get("userCode") or _no_code(response),
            verification_uri=(response.get("userCode") and response.get("verificationUri"))
            or response["verificationUriComplete"],
            verification_uri_complete=response.get("verificationUriComplete")
            or response["verificationUri"],
            expires_at=utcnow() + (given if given and trusted else ASSUMED_DEVICE_CODE_LIFETIME),
            deadline_trusted=trusted,
            interval=_poll_interval(response),
            device_code=response["deviceCode"],
            client_id=registration.client_id,
            client_secret=registration.client_secret,
            registration_expires_at=registration.expires_at,
        )
    except (KeyError, TypeError, ValueError, OverflowError):
        raise ServiceError(
            f"Identity Center sent an unreadable device authorization for session "
            f"{session.label}: try again later"
        ) from None
    return _checked(auth, session)


def wait_for_token(
    paths: Paths,
    session: SsoSession,
    auth: DeviceAuthorization,
    *,
    cancelled: Callable[[], bool] | None = None,
    sleep: Callable[[float], object] = time.sleep,
    polled: Callable[[int], object] | None = None,
) -> Token:
    """Poll CreateToken until the user approves; save and return the token.

    Raises LoginFailed when denied, expired or cancelled. `sleep` is injectable (tests; the UI
    passes an Event's wait so cancelling is immediate); `polled(n)` is told each time the
    service said "not yet" (n: how many times so far).
    """
    client = oidc_client(session)
    interval = max(0, auth.interval)
    waited = 0.0
    started = time.monotonic()
    lifetime = (
        (auth.expires_at - utcnow()).total_seconds()
        if auth.deadline_trusted
        else UNTRUSTED_LIFETIME_CAP.total_seconds()
    )
    polls = 0

    def expired() -> LoginFailed:
        return LoginFailed(
            f"the login code for session {session.label} expired before it was approved: "
            "run `ssotui login` again"
        )

    while True:
        if cancelled is not None and cancelled():
            raise LoginCancelled(f"login to session {session.label} was cancelled")
        # never past the code's end (an `interval` of 2**31 s would wait for 68 years)
        pause = min(interval, max(0.0, lifetime - waited) + 1)
        sleep(pause)
        waited += pause
        if cancelled is not None and cancelled():
            raise LoginCancelled(f"login to session {session.label} was cancelled")
        if max(waited, time.monotonic() - started) > lifetime:
            raise expired()
        try:
            response = client.create_token(
                grantType=DEVICE_GRANT,
                clientId=auth.client_id,
                clientSecret=auth.client_secret,
                deviceCode=auth.device_code,
            )
        except Exception as exc:
            code = error_code(exc)
            if code in ("AuthorizationPendingException", "SlowDownException"):
                interval = max(interval, MIN_POLL_INTERVAL)
                if code == "SlowDownException":
                    interval += SLOW_DOWN_DELAY
                polls += 1
                if polled is not None:
                    polled(polls)
                continue
            if (kms := kms_refusal(exc, session, "the login")) is not None:
                raise kms from None
            if code == "AccessDeniedException":
                raise LoginFailed(
                    f"the login to session {session.label} was denied in the browser: "
                    "run `ssotui login` again to retry"
                ) from None
            if code == "ExpiredTokenException":
                raise expired() from None
            if code == "InvalidClientException":
                raise client_refused(paths, session, auth.client_id) from None
            if code == "InvalidGrantException":  # the code unknown there, or redeemed already
                raise LoginFailed(
                    f"Identity Center no longer takes the login code of session "
                    f"{session.label} (InvalidGrantException): run `ssotui login` again"
                ) from None
            raise login_failure(exc, client, session, "the login") from None
        token = token_from_response(
            session,
            response,
            client_id=auth.client_id,
            client_secret=auth.client_secret,
            registration_expires_at=auth.registration_expires_at,
        )
        token_cache.save_login_token(paths, session, token)
        return token


def print_instructions(auth: DeviceAuthorization, file: IO[str] | None = None) -> None:
    """The AWS CLI's message: where to go and which code to enter (to stderr by default)."""
    out = file or sys.stderr
    where = (
        "If the browser does not open, or to log in on another device, open:"
        if auth.browser_opens
        else "Open this page in a browser, on this machine or on any other device:"
    )
    text = f"{where}\n\n  {auth.verification_uri}"
    if auth.user_code:  # else the page fills it in (and is the only one)
        text += f"\n\nand enter the code:\n\n  {auth.user_code}"
    if auth.verification_uri_complete != auth.verification_uri:  # the service may send none
        text += f"\n\n(or open {auth.verification_uri_complete} which fills in the code)"
    print(text, file=out, flush=True)


def login(
    paths: Paths,
    session: SsoSession,
    *,
    force: bool = False,
    open_browser: Callable[[str], object] | None = None,
    announce: Callable[[DeviceAuthorization], object] | None = None,
    cancelled: Callable[[], bool] | None = None,
    sleep: Callable[[float], object] = time.sleep,
) -> Token:
    """Log in with the device flow, unless a valid (or refreshable) token is cached already.
    `open_browser`: opens the verification page (`tui.browser.open_url` with the caller's
    environment); None leaves it to the user."""
    if not force:
        with contextlib.suppress(NotLoggedIn):
            return current_token(paths, session)
    auth = replace(start_login(paths, session), browser_opens=bool(open_browser))
    (announce or print_instructions)(auth)
    if open_browser:
        open_browser(auth.verification_uri_complete)
    return wait_for_token(paths, session, auth, cancelled=cancelled, sleep=sleep)
