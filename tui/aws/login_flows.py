"""Logging in to a session with either flow: the one entry the command line and picker call.

`log_in` takes the session's login lock (a second login waits and then uses the first one's
token), runs the chosen flow (`tui.aws.flow_choice`), and falls back from the browser to the
device code, saying so, when the loopback listener cannot be bound, Identity Center registers
no client for the browser login (a service that offers the device code alone), or no browser
could be started (the device code's page is then not sent to that browser either). What the
user must see or do comes to `announce` as events: the device code to enter, the browser page
to open, a fall-back and its reason, a wait for another login, a cached token passed over
because the session's scopes changed.

While a login waits for the user (the browser to come back, the device code to be approved) it
looks at the token cache: a valid token that another program saved meanwhile (another ssotui,
`aws sso login`, an SDK: they take no lock of ssotui's) ends the wait and is used, except in a
forced login (a refresh of the token it replaces cannot be told from a new one). A login that
`gives_way` (the picker's) also steps aside while it only waits for the user when a login is
started elsewhere (`ssotui login` in another terminal), then waits for that one and uses its
token: the login the user has just started is the one they are looking at. `ssotui login`
itself never gives way, so two started at once still open one browser tab. A login that gives
way does not ask others to give way either, so a second picker waits for the first one's login
instead of making it start over; unless it `goes_first` (the user asked to log in there).
A login it gave way to that does not take the lock (suspended with Ctrl+Z while it waited) is
given way to once: this login then starts again and keeps its new code while that one waits.

A login waiting for another (for its lock, or for the one it gave way to to take it) carries
on with the token another program saves as soon as it is saved, not when that login lets go
of its lock (unless forced).
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import IO

from tui.aws import token_cache
from tui.aws.browser_login import BROWSER_TIMEOUT, BrowserAuthorization, start_browser_login
from tui.aws.flow_choice import Flow
from tui.aws.login import DeviceAuthorization, print_instructions, start_login, wait_for_token
from tui.aws.login_lock import one_login_at_a_time
from tui.aws.login_waits import Interruptions, until_taken
from tui.aws.registrations import keep_browser_registration_apart
from tui.aws.scope_change import granted_for_other_scopes
from tui.aws.token_watch import SavedElsewhere
from tui.aws.tokens import REFRESH_WINDOW, current_token
from tui.errors import BrowserLoginUnavailable, LoginCancelled, NotLoggedIn, ServiceError
from tui.models import SsoSession, Token
from tui.paths import Paths

# The fall-back's reason when opening the browser failed (`BROWSER=false`, a broken opener)
NO_BROWSER_STARTED = "no browser could be started"


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


@dataclass(frozen=True)
class Polled:
    """The service said "not yet approved" `times` times so far (device code)."""

    times: int


LoginEvent = (
    DeviceAuthorization
    | BrowserAuthorization
    | FallingBack
    | WaitingForOtherLogin
    | ScopesChanged
    | Polled
)


def print_event(event: LoginEvent, file: IO[str] | None = None) -> None:
    """The default `announce`: plain lines on stderr."""
    out = file or sys.stderr
    if isinstance(event, DeviceAuthorization):
        print_instructions(event, out)
        return
    if isinstance(event, Polled):
        return  # the terminal shows the code until the end
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


def _cached_access_token(paths: Paths, session: SsoSession) -> str | None:
    with contextlib.suppress(NotLoggedIn):
        token = token_cache.load_token(paths, session)
        return token.access_token if token is not None else None
    return None


def _granted_for_other_scopes(paths: Paths, session: SsoSession) -> bool:
    with contextlib.suppress(NotLoggedIn):
        token = token_cache.load_token(paths, session)
        return token is not None and granted_for_other_scopes(paths, session, token)
    return False


def _token_from_other_login(paths: Paths, session: SsoSession, before: str | None) -> Token | None:
    """A valid token saved by another login while this one waited for the lock."""
    with contextlib.suppress(NotLoggedIn):
        latest = token_cache.load_token(paths, session)
        if latest is not None and latest.access_token != before and not latest.is_expired:
            return latest
    return None


def log_in(
    paths: Paths,
    session: SsoSession,
    *,
    flow: Flow = Flow.BROWSER,
    announce: Callable[[LoginEvent], object] | None = None,
    cancelled: Callable[[], bool] | None = None,
    open_url: Callable[[str], bool] | None,
    force: bool = False,
    browser_timeout: float = BROWSER_TIMEOUT,
    sleep: Callable[[float], object] = time.sleep,
    fallback: str | None = None,
    gives_way: bool = False,
    goes_first: bool = False,
) -> Token:
    """Log in to `session` with `flow`, one login per session at a time; the token is cached
    (and the login lock taken) where `paths` say.

    A login that waited for another one uses its token, and so does one that sees a valid token
    saved by another program while it waits for the user (unless forced). With `gives_way`, a
    login waiting for the user steps aside for one started elsewhere (announcing
    `WaitingForOtherLogin`), then uses its token, or logs in again when that one got none; it
    waits for a login in progress without asking it to step aside, unless it `goes_first`.
    Otherwise, without `force`, a cached token is returned when it has more than 15 minutes
    left, after a refresh if it needed one; one that does not (no refresh token, a refusal)
    means a new login, as in the AWS CLI, and so does one granted for other scopes than the
    session's now (`ScopesChanged` is announced). With `force`, a new login runs. Either way, a
    browser registration an earlier ssotui left under botocore's key is moved to ssotui's own
    (`keep_browser_registration_apart`).
    `open_url` opens the browser page (`tui.browser.open_url` with the caller's environment;
    None: only announce it); `cancelled` is looked at while waiting (an Event's `is_set`);
    `browser_timeout` is how long the browser flow waits for the browser. `fallback`: why
    ssotui chose the device code over the browser, announced (`FallingBack`)
    only when a login runs, not when a cached token is kept.

    Raises LoginCancelled, LoginFailed (denied, expired, refused, ...) or ServiceError; nothing
    is cached then. FileWriteError when the token could not be saved
    (`token_cache.check_token_can_be_saved`), before anything is asked of the service.
    """
    say = announce or print_event
    before = _cached_access_token(paths, session)
    # while it waits for another login: a token saved elsewhere ends the wait (not forced)
    saved = None if force else SavedElsewhere(paths, session)

    def waited_enough() -> bool:
        if cancelled is not None and cancelled():
            return True
        return saved is not None and saved.arrived()

    try:
        return _log_in(
            paths,
            session,
            flow=flow,
            say=say,
            cancelled=cancelled,
            waited_enough=waited_enough,
            before=before,
            open_url=open_url,
            force=force,
            browser_timeout=browser_timeout,
            sleep=sleep,
            fallback=fallback,
            gives_way=gives_way,
            asks=goes_first or not gives_way,
        )
    except LoginCancelled:
        if (cancelled is None or not cancelled()) and saved is not None and saved.token:
            return saved.token  # saved elsewhere while this login waited for another
        raise


def _log_in(
    paths: Paths,
    session: SsoSession,
    *,
    flow: Flow,
    say: Callable[[LoginEvent], object],
    cancelled: Callable[[], bool] | None,
    waited_enough: Callable[[], bool],
    before: str | None,
    open_url: Callable[[str], bool] | None,
    force: bool,
    browser_timeout: float,
    sleep: Callable[[float], object],
    fallback: str | None,
    gives_way: bool,
    asks: bool,
) -> Token:
    """`log_in` itself; `waited_enough` ends a wait for another login (LoginCancelled)."""
    gave_way = False
    deaf = False  # the login it gave way to never took the lock (suspended): not again
    while True:
        with one_login_at_a_time(
            paths,
            session,
            cancelled=waited_enough,
            waiting=lambda: say(WaitingForOtherLogin(session.label)),
            asks_to_go_first=asks and not gave_way,
        ) as waited:
            # an earlier ssotui's browser registration where a CLI before 2.22 takes it for its
            # device code: moved aside at any login, a token kept or not
            keep_browser_registration_apart(paths, session)
            if waited or gave_way:  # another login ended meanwhile: its token, however long
                other = _token_from_other_login(paths, session, before)
                if other is not None:
                    return other
            if not force and _granted_for_other_scopes(paths, session):
                say(ScopesChanged(session.label))
            elif not force:
                # a token that cannot be used or renewed (even for a network fault) means: log
                # in; so does one that ends within the refresh window and could not be renewed:
                # the AWS CLI's login counts it as expired, and it would end minutes after this
                with contextlib.suppress(NotLoggedIn, ServiceError):
                    cached = current_token(paths, session)
                    if not cached.expires_within(REFRESH_WINDOW):
                        return cached
            # a token the login could not save is said now, before the user is asked for
            # anything (a browser page, a code), not after they approved it
            token_cache.check_token_can_be_saved(paths, session)
            if fallback is not None:
                say(FallingBack(fallback))
            stop = Interruptions(
                paths, session, cancelled, gives_way=gives_way, force=force, deaf_to_waiting=deaf
            )
            try:
                opener = open_url
                if flow is Flow.BROWSER:
                    outcome = _browser(paths, session, say, stop, open_url, browser_timeout)
                    if isinstance(outcome, Token):
                        return outcome
                    if outcome == NO_BROWSER_STARTED:  # nor would it for the device code's page
                        opener = None
                return _device_code(paths, session, say, stop, opener, stop.sleep(sleep))
            except LoginCancelled:
                if cancelled is not None and cancelled():
                    raise
                if stop.saved.token is not None:  # another program logged in meanwhile
                    return stop.saved.token
                if not stop.gave_way:
                    raise
        # Stepped aside: the lock is free for the login that waits; it takes it within a poll.
        gave_way = True
        say(WaitingForOtherLogin(session.label))
        deaf = not until_taken(paths, session, waited_enough)


def _browser(
    paths: Paths,
    session: SsoSession,
    say: Callable[[LoginEvent], object],
    cancelled: Callable[[], bool] | None,
    open_url: Callable[[str], bool] | None,
    timeout: float,
) -> Token | str:
    """The browser flow's token, or why it cannot run (after saying so)."""
    try:
        pending = start_browser_login(paths, session, timeout=timeout)
    except BrowserLoginUnavailable as exc:  # no listener, or no registration for it
        say(FallingBack(exc.reason))
        return exc.reason
    with pending:
        say(pending.authorization)
        if open_url is None or open_url(pending.authorization.url):
            return pending.wait(cancelled=cancelled)
    say(FallingBack(NO_BROWSER_STARTED))
    return NO_BROWSER_STARTED


def _device_code(
    paths: Paths,
    session: SsoSession,
    say: Callable[[LoginEvent], object],
    cancelled: Callable[[], bool] | None,
    open_url: Callable[[str], bool] | None,
    sleep: Callable[[float], object],
) -> Token:
    auth = replace(start_login(paths, session), browser_opens=open_url is not None)
    say(auth)
    if open_url is not None:
        open_url(auth.verification_uri_complete)
    return wait_for_token(
        paths, session, auth, cancelled=cancelled, sleep=sleep, polled=lambda n: say(Polled(n))
    )
