"""OIDC client registrations for the two login flows, cached and reused as the AWS CLI does.

The service refuses a registration made for the other flow, so each flow registers its own:
the device code flow without grant types (botocore's `SSOTokenFetcher`), the browser flow with
`grantTypes ["authorization_code","refresh_token"]`, the loopback redirect URI and the start URL
as issuer (`SSOTokenFetcherAuth`). They are cached in separate files: the device code one under
botocore's key, where every AWS CLI's device login looks (so `aws sso login` and ssotui reuse
each other's); the browser one under ssotui's browser key (`token_cache.registration_key`),
because a CLI before 2.22 takes whatever is under botocore's key for its device code login and
is refused. A browser login also takes a browser registration the AWS CLI 2.22+ left under
botocore's key; a device login replaces one it finds there. A cached one is taken while it is
more than 15 minutes from expiry, made for the wanted flow and covers the scopes, and is
otherwise replaced by a new one. A browser login that never came back drops the one it used
(`forget_registration`): the service may no longer know it, and then never redirects. So does a
CreateToken (a login's or a refresh's) the service answers InvalidClientException
(`client_refused`, `forget_client`): its authorize page may still take the client id.

An ssotui before the browser key kept its browser registration under botocore's key, in the
very form the AWS CLI 2.22+ writes there (same members, order, time form, mode): which of the
two wrote it cannot be told. `keep_browser_registration_apart` moves a usable one from there to
ssotui's browser key at each login while ssotui has no usable one of its own: a CLI before 2.22
then registers its own device code client at once instead of being refused for up to 90 days;
when it was the AWS CLI 2.22+'s, nothing breaks (ssotui reuses it, tokens keep the client they
name), and that CLI registers one more client on its next browser login, once: with a
registration of ssotui's in place, nothing is moved again.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from tui.aws import token_cache
from tui.aws.oidc_answers import error_code, login_failure, secret_expiry
from tui.aws.token_cache import AUTHORIZATION_CODE_GRANT, Registration
from tui.errors import BrowserLoginUnavailable, FileWriteError, LoginFailed, ServiceError
from tui.logs import hide
from tui.models import DEFAULT_SCOPES, SsoSession
from tui.paths import Paths

CLIENT_NAME_PREFIX = "ssotui"
BROWSER_GRANT_TYPES = (AUTHORIZATION_CODE_GRANT, "refresh_token")
# botocore registers this redirect URI (no port): the service accepts any loopback port on it.
REDIRECT_URI = "http://127.0.0.1/oauth/callback"
# RegisterClient refusals of what only the browser login asks for (the authorization code
# grant, the loopback redirect, the issuer): a service that offers the device code alone.
_NO_BROWSER_LOGIN = frozenset(
    {
        "UnsupportedGrantTypeException",
        "InvalidRedirectUriException",
        "InvalidClientMetadataException",
    }
)


def browser_scopes(session: SsoSession) -> list[str]:
    """The scopes the browser flow registers and asks for (botocore: the session's, else the
    default `sso:account:access`)."""
    return list(session.scopes) or list(DEFAULT_SCOPES)


def _register(paths: Paths, session: SsoSession, client: Any, *, browser: bool) -> Registration:
    kwargs: dict[str, Any] = {
        "clientName": f"{CLIENT_NAME_PREFIX}-{session.name or int(time.time())}",
        "clientType": "public",
    }
    if browser:
        kwargs["grantTypes"] = list(BROWSER_GRANT_TYPES)
        kwargs["redirectUris"] = [REDIRECT_URI]
        kwargs["issuerUrl"] = session.start_url
        kwargs["scopes"] = browser_scopes(session)
    elif session.scopes:
        kwargs["scopes"] = list(session.scopes)
    try:
        response = client.register_client(**kwargs)
        hide(response.get("clientSecret"))
        registration = Registration(
            client_id=response["clientId"],
            client_secret=response["clientSecret"],
            expires_at=secret_expiry(response.get("clientSecretExpiresAt")),
            scopes=tuple(kwargs.get("scopes") or ()) or None,
            grant_types=BROWSER_GRANT_TYPES if browser else None,
        )
    except (KeyError, TypeError, ValueError, OverflowError):
        raise ServiceError(
            f"Identity Center sent an unreadable RegisterClient answer for session "
            f"{session.label}: try again later"
        ) from None
    except Exception as exc:
        code = error_code(exc)
        if browser and code in _NO_BROWSER_LOGIN:
            raise BrowserLoginUnavailable(
                f"Identity Center registers no client for the browser login of session "
                f"{session.label} ({code})"
            ) from None
        raise login_failure(exc, client, session, "the client registration") from None
    token_cache.save_registration(paths, session, registration)
    return registration


def _places(browser: bool) -> tuple[bool, ...]:
    """Where a flow's registration may be cached (True: under ssotui's browser key): the
    browser flow looks under its own key first, then under botocore's (the AWS CLI 2.22+)."""
    return (True, False) if browser else (False,)


def _cached(paths: Paths, session: SsoSession, *, browser: bool) -> Registration | None:
    for at_browser_key in _places(browser):
        cached = token_cache.load_registration(paths, session, browser=at_browser_key)
        if cached is None or not cached.usable or cached.for_browser != browser:
            continue
        if set(session.scopes) <= set(cached.scopes or ()):
            return cached
    return None


def keep_browser_registration_apart(paths: Paths, session: SsoSession) -> None:
    """Move a usable browser registration from botocore's key to ssotui's browser key when
    ssotui has no usable one there (see the module's docstring); nothing else is changed, and a
    file that cannot be read, written or removed is left as it is."""
    at_botocore = token_cache.load_registration(paths, session)
    if at_botocore is None or not at_botocore.for_browser or not at_botocore.usable:
        return
    own = token_cache.load_registration(paths, session, browser=True)
    if own is not None and own.for_browser and own.usable:
        return
    with contextlib.suppress(OSError, FileWriteError):
        token_cache.save_registration(paths, session, at_botocore)  # a browser one: ssotui's key
        still = token_cache.load_registration(paths, session)
        if still is not None and still.client_id == at_botocore.client_id:  # not rewritten since
            token_cache.registration_path(paths, session).unlink()


def device_registration(
    paths: Paths, session: SsoSession, client: Any, *, fresh: bool = False
) -> Registration:
    """A registration for the device code flow: the cached one, or a new one (cached)."""
    cached = None if fresh else _cached(paths, session, browser=False)
    return cached or _register(paths, session, client, browser=False)


def browser_registration(
    paths: Paths, session: SsoSession, client: Any, *, fresh: bool = False
) -> Registration:
    """A registration for the browser (authorization code) flow: cached, or a new one."""
    cached = None if fresh else _cached(paths, session, browser=True)
    return cached or _register(paths, session, client, browser=True)


def forget_registration(paths: Paths, session: SsoSession, registration: Registration) -> None:
    """Drop `registration` from the cache wherever it is still the cached one, so the next login
    registers afresh. For a browser login that never came back: a service that no longer knows
    the client shows an error page instead of redirecting (RFC 6749 4.1.2.1), and reusing the
    registration would lead every later login to the same page."""
    forget_client(paths, session, registration.client_id)


def forget_client(paths: Paths, session: SsoSession, client_id: str | None) -> None:
    """Drop the session's cached registration of `client_id`, under either key, where it is
    still the cached one (a file that cannot be removed is left as it is)."""
    if not client_id:
        return
    for at_browser_key in (True, False):
        cached = token_cache.load_registration(paths, session, browser=at_browser_key)
        if cached is not None and cached.client_id == client_id:
            with contextlib.suppress(OSError):
                token_cache.registration_path(paths, session, browser=at_browser_key).unlink()


def client_refused(paths: Paths, session: SsoSession, client_id: str | None) -> LoginFailed:
    """CreateToken answered InvalidClientException: the service no longer takes the client
    (its secret expired or was revoked before the expiry it was sent with, the service forgot
    it). The registration is dropped, so the next login registers anew instead of meeting the
    same refusal after every trip to the browser; the line says to log in again."""
    forget_client(paths, session, client_id)
    return LoginFailed(
        f"Identity Center no longer takes ssotui's client registration for session "
        f"{session.label} (InvalidClientException): run `ssotui login` again, which registers "
        "anew"
    )
