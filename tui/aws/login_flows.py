"""Logging in to a session with either flow: the one entry the command line and picker call.

`log_in` takes the session's login lock (a second login waits and then uses the first one's
token), runs the chosen flow (`tui.aws.flow_choice`), and falls back from the browser to the
device code, saying so, when the loopback listener cannot be bound or no browser could be
started. What the user must see or do comes to `announce` as events: the device code to enter,
the browser page to open, a fall-back and its reason, a wait for another login, a cached token
passed over because the session's scopes changed.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import IO

from tui import browser
from tui.aws import token_cache
from tui.aws.browser_login import BROWSER_TIMEOUT, BrowserAuthorization, start_browser_login
from tui.aws.flow_choice import Flow
from tui.aws.login import DeviceAuthorization, print_instructions, start_login, wait_for_token
from tui.aws.login_lock import one_login_at_a_time
from tui.aws.loopback import ListenerUnavailable
from tui.aws.registrations import keep_browser_registration_apart
from tui.aws.scope_change import granted_for_other_scopes
from tui.aws.tokens import REFRESH_WINDOW, current_token
from tui.errors import NotLoggedIn, ServiceError
from tui.models import SsoSession, Token


@dataclass(frozen=True)
class FallingBack:
    """The browser flow cannot run; the device code runs instead (`reason`: why, one line)."""

    reason: str


@dataclass(frozen=True)
class WaitingForOtherLogin:
    """Another ssotui is logging in to this session; this login waits for it and uses its
    token."""

    session_label: str


@dataclass(frozen=True)
class ScopesChanged:
    """The cached token was granted for other `sso_registration_scopes` than the session has
    now: a new login runs, as `aws sso login` does."""

    session_label: str


LoginEvent = (
    DeviceAuthorization | BrowserAuthorization | FallingBack | WaitingForOtherLogin | ScopesChanged
)


def print_event(event: LoginEvent, file: IO[str] | None = None) -> None:
    """The default `announce`: plain lines on stderr."""
    out = file or sys.stderr
    if isinstance(event, DeviceAuthorization):
        print_instructions(event, out)
        return
    if isinstance(event, BrowserAuthorization):
        text = (
            "Log in in the browser. If no browser opened, open this page in a browser on this "
            f"machine:\n\n  {event.url}\n"
        )
    elif isinstance(event, FallingBack):
        text = f"Falling back to the device code: {event.reason}."
    elif isinstance(event, ScopesChanged):
        text = f"The scopes of session {event.session_label} changed: logging in again."
    else:
        text = f"Another ssotui is logging in to session {event.session_label}: waiting for it..."
    print(text, file=out, flush=True)


def _cached_access_token(session: SsoSession) -> str | None:
    with contextlib.suppress(NotLoggedIn):
        token = token_cache.load_token(session)
        return token.access_token if token is not None else None
    return None


def _granted_for_other_scopes(session: SsoSession) -> bool:
    with contextlib.suppress(NotLoggedIn):
        token = token_cache.load_token(session)
        return token is not None and granted_for_other_scopes(session, token)
    return False


def _token_from_other_login(session: SsoSession, before: str | None) -> Token | None:
    """A valid token saved by another login while this one waited for the lock."""
    with contextlib.suppress(NotLoggedIn):
        latest = token_cache.load_token(session)
        if latest is not None and latest.access_token != before and not latest.is_expired:
            return latest
    return None


def log_in(
    session: SsoSession,
    *,
    flow: Flow = Flow.BROWSER,
    announce: Callable[[LoginEvent], object] | None = None,
    cancelled: Callable[[], bool] | None = None,
    open_url: Callable[[str], bool] | None = browser.open_url,
    force: bool = False,
    browser_timeout: float = BROWSER_TIMEOUT,
    sleep: Callable[[float], object] = time.sleep,
    fallback: str | None = None,
) -> Token:
    """Log in to `session` with `flow`, one login per session at a time; the token is cached.

    A login that waited for another one uses its token. Otherwise, without `force`, a cached
    token is returned when it has more than 15 minutes left, after a refresh if it needed one;
    one that does not (no refresh token, a refusal) means a new login, as in the AWS CLI, and so
    does one granted for other scopes than the session's now (`ScopesChanged` is announced).
    With `force`, a new login runs. Either way, a browser registration an earlier ssotui left
    under botocore's key is moved to ssotui's own (`keep_browser_registration_apart`).
    `open_url` opens the browser page (None: only announce it); `cancelled` is looked at while
    waiting (an Event's `is_set`); `browser_timeout` is how long the browser flow waits for the
    browser. `fallback`: why ssotui chose the device code over the browser, announced
    (`FallingBack`) only when a login runs, not when a cached token is kept.

    Raises LoginCancelled, LoginFailed (denied, expired, refused, ...) or ServiceError; nothing
    is cached then.
    """
    say = announce or print_event
    before = _cached_access_token(session)
    with one_login_at_a_time(
        session, cancelled=cancelled, waiting=lambda: say(WaitingForOtherLogin(session.label))
    ) as waited:
        # an earlier ssotui's browser registration where a CLI before 2.22 takes it for its
        # device code: moved aside at any login, a token kept or not
        keep_browser_registration_apart(session)
        if waited:  # another login ended meanwhile: its token, however long it lasts
            other = _token_from_other_login(session, before)
            if other is not None:
                return other
        if not force and _granted_for_other_scopes(session):
            say(ScopesChanged(session.label))
        elif not force:
            # a token that cannot be used or renewed (even for a network fault) means: log in;
            # so does one that ends within the refresh window and could not be renewed: the
            # AWS CLI's login counts it as expired, and it would end minutes after this
            with contextlib.suppress(NotLoggedIn, ServiceError):
                cached = current_token(session)
                if not cached.expires_within(REFRESH_WINDOW):
                    return cached
        if fallback is not None:
            say(FallingBack(fallback))
        if flow is Flow.BROWSER:
            token = _browser(session, say, cancelled, open_url, browser_timeout)
            if token is not None:
                return token
        return _device_code(session, say, cancelled, open_url, sleep)


def _browser(
    session: SsoSession,
    say: Callable[[LoginEvent], object],
    cancelled: Callable[[], bool] | None,
    open_url: Callable[[str], bool] | None,
    timeout: float,
) -> Token | None:
    """The browser flow's token, or None when it cannot run (after saying why)."""
    try:
        pending = start_browser_login(session, timeout=timeout)
    except ListenerUnavailable as exc:
        say(FallingBack(exc.reason))
        return None
    with pending:
        say(pending.authorization)
        if open_url is None or open_url(pending.authorization.url):
            return pending.wait(cancelled=cancelled)
    say(FallingBack("no browser could be started"))
    return None


def _device_code(
    session: SsoSession,
    say: Callable[[LoginEvent], object],
    cancelled: Callable[[], bool] | None,
    open_url: Callable[[str], bool] | None,
    sleep: Callable[[float], object],
) -> Token:
    auth = replace(start_login(session), browser_opens=open_url is not None)
    say(auth)
    if open_url is not None:
        open_url(auth.verification_uri_complete)
    return wait_for_token(session, auth, cancelled=cancelled, sleep=sleep)
