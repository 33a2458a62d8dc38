"""The current SSO token of a session: cached, refreshed near expiry, or "log in again".

A 401 from the portal gets the same treatment (`renewed_token`). Refresh tokens may be
single-use, so a refresh runs under a lock on the cache file and re-reads the cache after taking
it: when another ssotui process refreshed first, its token is used instead of spending the (now
dead) refresh token again. botocore (boto3, the AWS CLI, Terraform's SDK) takes no lock: when it
spent the refresh token first, the service refuses ours while botocore is saving its new token,
so a refused refresh waits a moment for that token before saying "log in again". A busy
answer (SlowDown, a throttle) refuses nothing: it is "try again later", and the token is kept.
A renewal notes, under the same lock, that the new token continues the old one's sign-in
(`tui.store.sign_ins`), so role credentials kept under it stay in use.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from tui.aws import token_cache
from tui.errors import NotLoggedIn, NoToken, ServiceError
from tui.models import SsoSession, Token
from tui.paths import Paths
from tui.store import sign_ins

REFRESH_WINDOW = timedelta(minutes=15)
# How long a refused refresh looks for the token of a process that spent the refresh token first
# (botocore saves it just after its CreateToken answer), and how often.
OTHER_REFRESH_WAIT = 2.0
OTHER_REFRESH_POLL = 0.05

# Answers that mean "not now" (a throttle, an overloaded service), not "this refresh token is
# dead": the token is kept for the next try, as botocore keeps it.
_BUSY = {"SlowDownException", "TooManyRequestsException", "ThrottlingException"}
# Answers that mean the refresh token or the registration is no longer any good.
_DEAD_REFRESH = {
    "InvalidGrantException",
    "ExpiredTokenException",
    "InvalidClientException",
    "UnauthorizedClientException",
    "AccessDeniedException",
    "InvalidRequestException",
}


def not_logged_in(session: SsoSession) -> NoToken:
    """The error for a session with no token at all."""
    return NoToken(f"not logged in to session {session.label}: run `ssotui login`")


def expired(session: SsoSession) -> NotLoggedIn:
    """The error for a session whose token expired and cannot be refreshed."""
    return NotLoggedIn(f"session {session.label} expired: run `ssotui login`")


def _refresh(paths: Paths, session: SsoSession, token: Token) -> Token | None:
    """A new token from the refresh token, saved; None when the service refused it. A refusal
    of the client itself drops its cached registration: the login that follows registers anew
    (the browser's authorize page may still take the client id, and CreateToken refuse it). A
    login another program saved while the refresh was on its way (`aws sso login`, which takes
    no lock) is kept and used instead: it is the sign-in the user just chose."""

    def client_refused() -> None:
        from tui.aws.registrations import forget_client

        forget_client(paths, session, token.client_id)

    fresh = renewed_unsaved(session, token, client_refused=client_refused)
    if fresh is None:
        return None
    if fresh.registration_expires_at is None:
        # a token file without it (another tool's): botocore renews no token without it, so
        # the renewed one takes its registration's, when cached, for the AWS CLI to renew it
        expiry = token_cache.registration_expiry(paths, session, fresh.client_id)
        fresh = replace(fresh, registration_expires_at=expiry)
    newer = _logged_in_meanwhile(paths, session, token)
    if newer is not None:
        return newer
    token_cache.save_token(paths, session, fresh)
    # A new refresh token would make role credentials kept under this sign-in unrecognised.
    sign_ins.record_renewal(paths, session, token, fresh)
    return fresh


def _logged_in_meanwhile(paths: Paths, session: SsoSession, refreshed: Token) -> Token | None:
    """The token in the cache when another program saved one there in place of `refreshed`
    (read under the lock every ssotui takes, so not an ssotui) and it is good for more than
    the refresh window; else None."""
    with contextlib.suppress(NotLoggedIn):
        now = token_cache.load_token(paths, session)
        if (
            now is not None
            and now.access_token != refreshed.access_token
            and not now.expires_within(REFRESH_WINDOW)
        ):
            return now
    return None


def renewed_unsaved(
    session: SsoSession,
    token: Token,
    *,
    read_timeout: float | None = None,
    client_refused: Callable[[], object] | None = None,
) -> Token | None:
    """A new token from `token`'s refresh token (one CreateToken), saved nowhere; None when the
    service refused the refresh token or the registration (the sign-in is over).

    For a logout, whose Logout call needs a live access token: it ends the sign-in, so the new
    token is never used again. Raises ServiceError when Identity Center cannot be reached, is
    busy or cannot use its KMS key. `token.can_refresh` must hold. `read_timeout`: for each
    attempt (None: the process's default). `client_refused` is called when the service
    refused the client itself (InvalidClientException), before None is returned.
    """
    # Loaded only for a refresh: reading a valid token (every start of the picker) needs none
    # of the client side.
    from tui.aws.clients import CONNECT_TIMEOUT, connection_error, oidc_client
    from tui.aws.oidc_answers import kms_refusal, token_from_response

    assert token.client_id and token.client_secret and token.refresh_token
    if read_timeout is None:
        client = oidc_client(session)
    else:
        client = oidc_client(
            session, connect_timeout=min(CONNECT_TIMEOUT, read_timeout), read_timeout=read_timeout
        )
    try:
        response = client.create_token(
            grantType="refresh_token",
            clientId=token.client_id,
            clientSecret=token.client_secret,
            refreshToken=token.refresh_token,
        )
    except Exception as exc:
        network = connection_error(exc, client, session)
        if network is not None:
            raise network from None
        # the instance's KMS key, not the refresh token: kept for when the key works again
        kms = kms_refusal(exc, session, "the token refresh")
        if kms is not None:
            raise kms from None
        response_dict = getattr(exc, "response", None)
        if isinstance(response_dict, dict):
            code = str(response_dict.get("Error", {}).get("Code", ""))
            status = int(response_dict.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
            busy = code in _BUSY or status == 429
            # (a code that is only the status again is none: botocore's stand-in for a missing
            # one; Identity Center names every refusal, a proxy or a gateway does not)
            named = bool(code) and code != str(status)
            if not busy and (code in _DEAD_REFRESH or (400 <= status < 500 and named)):
                if code == "InvalidClientException" and client_refused is not None:
                    client_refused()
                return None
            if not busy and 400 <= status < 500:
                raise ServiceError(
                    f"{getattr(client.meta, 'endpoint_url', '?')} answered HTTP {status} to a "
                    f"token refresh for session {session.label} without an error name, not "
                    "like Identity Center (a proxy or gateway in the way?): check any proxy "
                    "(HTTPS_PROXY, NO_PROXY) and endpoint override"
                ) from None
            raise ServiceError(
                f"Identity Center answered {code or status} to a token refresh for session "
                f"{session.label}: try again later"
            ) from None
        raise ServiceError(
            f"the token refresh for session {session.label} failed: {type(exc).__name__}"
        ) from None
    return token_from_response(
        session,
        response,
        client_id=token.client_id,
        client_secret=token.client_secret,
        registration_expires_at=token.registration_expires_at,
        refresh_token=token.refresh_token,
    )


def _saved_by_another(
    paths: Paths, session: SsoSession, spent: Token, *, wait: float
) -> Token | None:
    """A valid token another process saved in place of `spent` after the service refused
    `spent`'s refresh token, looked for during `wait` seconds; None when none came."""
    deadline = time.monotonic() + wait
    while True:
        with contextlib.suppress(NotLoggedIn):  # a file being replaced: look again
            latest = token_cache.load_token(paths, session)
            if (
                latest is not None
                and latest.access_token != spent.access_token
                and not latest.is_expired
            ):
                return latest
        if time.monotonic() >= deadline:
            return None
        time.sleep(OTHER_REFRESH_POLL)


def _forget(paths: Paths, session: SsoSession, dead: Token) -> None:
    """Delete the cached token if it is still `dead` (not one another process saved meanwhile);
    the token file only: delete_token would also drop the lock the caller holds."""
    with contextlib.suppress(OSError, NotLoggedIn):
        if token_cache.load_token(paths, session) == dead:
            token_cache.token_path(paths, session).unlink()


def current_token(paths: Paths, session: SsoSession, *, refresh: bool = True) -> Token:
    """A usable token for the session, refreshing it when it is within 15 minutes of expiry.

    Raises NotLoggedIn ("... run `ssotui login`") when there is none, it expired and cannot be
    refreshed, or the cache is unreadable; ServiceError when a needed refresh cannot reach
    Identity Center.
    """
    token = token_cache.load_token(paths, session)
    if token is None:
        raise not_logged_in(session)
    if not token.expires_within(REFRESH_WINDOW):
        return token
    if refresh and token.can_refresh:
        with token_cache.token_lock(paths, session):
            # Another process may have refreshed while we waited; its refresh token is the
            # live one now.
            latest = token_cache.load_token(paths, session)
            if latest is None:
                raise not_logged_in(session)
            if not latest.expires_within(REFRESH_WINDOW):
                return latest
            token = latest
            if token.can_refresh:
                try:
                    fresh = _refresh(paths, session, token)
                except ServiceError:
                    if token.is_expired:
                        raise
                    return token  # still valid for a few minutes; refresh again next time
                if fresh is not None:
                    return fresh
                # Refused: wait for the new token only when the one in hand is of no more use.
                wait = OTHER_REFRESH_WAIT if token.is_expired else 0.0
                other = _saved_by_another(paths, session, token, wait=wait)
                if other is not None:
                    return other
                if token.is_expired:  # of no use to anyone: who queued behind us fails at once
                    _forget(paths, session, token)
    if token.is_expired:
        raise expired(session)
    return token


def forget_refused(paths: Paths, session: SsoSession, refused: Token) -> None:
    """Delete the cached token if it is still `refused`, which the portal answered 401 to right
    after it was renewed: the login that follows logs in afresh instead of reusing it."""
    with token_cache.token_lock(paths, session):
        _forget(paths, session, refused)


def renewed_token(paths: Paths, session: SsoSession, rejected: Token) -> Token:
    """A new token after the portal answered 401 to `rejected` (a 401 is treated like expiry).

    A token another process saved meanwhile is used as it is; otherwise the refresh token is
    spent, under the cache lock. Raises NotLoggedIn when neither gives a token, after deleting
    the dead token so that `ssotui login` logs in afresh instead of reusing it.
    """
    with token_cache.token_lock(paths, session):
        latest = token_cache.load_token(paths, session)
        if latest is None:
            raise not_logged_in(session)
        if latest.access_token != rejected.access_token and not latest.is_expired:
            return latest
        if latest.can_refresh:
            fresh = _refresh(paths, session, latest)
            if fresh is not None:
                return fresh
            other = _saved_by_another(paths, session, latest, wait=OTHER_REFRESH_WAIT)
            if other is not None:
                return other
        _forget(paths, session, latest)
    raise NotLoggedIn(f"session {session.label} expired or was revoked: run `ssotui login`")
