"""Browser login: the authorization code grant with PKCE, as botocore's `SSOTokenFetcherAuth`.

1. The loopback listener is bound first (127.0.0.1, any free port: `tui.aws.loopback`).
2. A client registration for this flow (`tui.aws.registrations.browser_registration`).
3. The authorize URL on the OIDC endpoint the botocore client calls (so
   `AWS_ENDPOINT_URL_SSO_OIDC` and `[services]` are honoured): `response_type=code`,
   `client_id`, `redirect_uri` with the listener's port, a random `state`,
   `code_challenge_method=S256`, the space-separated `scopes`, then `code_challenge`
   (base64url of SHA-256 of a 64-character verifier, without its `=`), in botocore's order.
4. The browser comes back with `code` and `state` (10 minutes at most), then CreateToken
   `grantType authorization_code` with `codeVerifier` and the same redirect URI. The token,
   with its refresh token, goes to the AWS CLI v2 cache.
"""

from __future__ import annotations

import base64
import secrets
import string
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from tui import digests
from tui.aws import token_cache
from tui.aws.clients import oidc_client
from tui.aws.loopback import Callback, CallbackListener
from tui.aws.oidc_answers import (
    error_code,
    kms_refusal,
    login_failure,
    scopes_advice,
    token_from_response,
)
from tui.aws.registrations import (
    browser_registration,
    browser_scopes,
    client_refused,
    forget_registration,
)
from tui.aws.token_cache import Registration
from tui.errors import LoginCancelled, LoginFailed
from tui.logs import hide
from tui.models import SsoSession, Token, utcnow
from tui.paths import Paths

BROWSER_TIMEOUT = 600.0  # seconds to wait for the browser, as the AWS CLI does
AUTHORIZATION_CODE_GRANT = "authorization_code"
_VERIFIER_ALPHABET = string.ascii_letters + string.digits + "-._~"
_POLL = 0.1  # seconds between looks at `cancelled`
_REGISTER_EVENT = "before-call.sso-oidc.RegisterClient"


@dataclass(frozen=True)
class BrowserAuthorization:
    """A pending browser login: the page to open (in a browser on this machine) and until when
    ssotui waits for it."""

    url: str = field(repr=False)
    expires_at: datetime

    def seconds_left(self, now: datetime | None = None) -> float:
        """Seconds until ssotui stops waiting (never negative)."""
        return max(0.0, (self.expires_at - (now or utcnow())).total_seconds())


def code_verifier() -> str:
    """A PKCE code verifier: 64 random characters of RFC 7636's unreserved set."""
    return "".join(secrets.choice(_VERIFIER_ALPHABET) for _ in range(64))


def code_challenge(verifier: str) -> str:
    """The S256 challenge of a verifier: base64url(SHA-256), without padding."""
    digest = digests.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def authorization_endpoint(client: Any) -> str:
    """`scheme://host[:port]` the OIDC client sends its calls to (botocore's way: a RegisterClient
    that is stopped before it leaves, so the endpoint rules and overrides all apply)."""
    import botocore.awsrequest

    marker = f"ssotui-endpoint-{uuid.uuid4()}"
    seen: list[str] = []

    def capture(params: dict[str, Any], **_: Any) -> Any:
        body = params.get("body") or b""
        if marker.encode() not in (body if isinstance(body, bytes) else str(body).encode()):
            return None  # another thread's real call on the shared client
        seen.append(str(params["url"]))
        return botocore.awsrequest.AWSResponse(None, 200, {}, None), {}  # type: ignore[arg-type]

    client.meta.events.register_first(_REGISTER_EVENT, capture, unique_id=marker)
    try:
        client.register_client(clientName=marker, clientType="public")
    finally:
        client.meta.events.unregister(_REGISTER_EVENT, unique_id=marker)
    parsed = urlsplit(seen[0] if seen else str(client.meta.endpoint_url))
    return f"{parsed.scheme}://{parsed.netloc}"


def authorize_url(
    endpoint: str,
    *,
    client_id: str,
    redirect_uri: str,
    state: str,
    scopes: list[str],
    challenge: str,
) -> str:
    """The authorize page address, built as botocore builds it."""
    from botocore.utils import percent_encode_sequence

    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "state": state,
        "code_challenge_method": "S256",
        "scopes": " ".join(scopes),
    }
    return f"{endpoint}/authorize?{percent_encode_sequence(query)}&code_challenge={challenge}"


def _waited(seconds: float) -> str:
    if seconds >= 60:
        minutes = round(seconds / 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{seconds:g} seconds"


class BrowserLogin:
    """One browser login in progress. `wait()` ends it; the listener is closed when it ends
    (or on `close()`, or leaving a `with` block). A login that ends before the browser came back
    (timed out, cancelled, interrupted) drops the registration it used (`forget_registration`)."""

    def __init__(
        self,
        paths: Paths,
        session: SsoSession,
        *,
        listener: CallbackListener,
        registration: Registration,
        authorization: BrowserAuthorization,
        verifier: str,
        timeout: float,
    ) -> None:
        self.paths = paths
        self.session = session
        self.authorization = authorization
        self._listener = listener
        self._registration = registration
        self._verifier = verifier
        self._timeout = timeout
        self._redirect_uri = listener.redirect_uri
        self._came_back = False  # the browser brought a callback: the service knows the client

    def __enter__(self) -> BrowserLogin:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_exc: object) -> None:
        self.close()
        if exc_type is not None and not self._came_back:
            # interrupted before the browser came back, even before `wait` (Ctrl-C or SIGTERM
            # while the page was shown or the browser started): as a wait that ended so
            forget_registration(self.paths, self.session, self._registration)

    def close(self) -> None:
        """Stop listening (the login can no longer end)."""
        self._listener.close()

    def wait(
        self,
        *,
        cancelled: Callable[[], bool] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> Token:
        """Wait for the browser, then CreateToken; save and return the token.

        Raises LoginCancelled when `cancelled()` turns true, LoginFailed when the browser brings
        an error (denied, ...), nothing comes back in time, or the code is refused.
        """
        label = self.session.label
        deadline = clock() + self._timeout
        callback: Callback | None = None
        try:
            while True:
                if cancelled is not None and cancelled():
                    raise LoginCancelled(f"login to session {label} was cancelled")
                left = deadline - clock()
                if left <= 0:
                    raise LoginFailed(
                        f"the browser did not come back within {_waited(self._timeout)} for "
                        f"session {label}: run `ssotui login` again (or `ssotui login "
                        "--use-device-code` to log in on another device)"
                    )
                callback = self._listener.wait(min(_POLL, left))
                if callback is not None:
                    self._came_back = True
                    break
        finally:
            if callback is None:  # timed out, cancelled, interrupted: maybe a client unknown there
                self.close()
                forget_registration(self.paths, self.session, self._registration)
        try:
            return self._token(callback)
        finally:
            # open until the code is redeemed: a browser asking again (its prefetch, then the
            # page it shows) gets the page the first visit got, not a refused connection
            self.close()

    def _token(self, callback: Callback) -> Token:
        label = self.session.label
        if callback.error == "access_denied":
            raise LoginFailed(
                f"the login to session {label} was denied in the browser: run `ssotui login` "
                "again to retry"
            )
        if callback.error == "invalid_scope":
            raise LoginFailed(
                f"the browser login to session {label} failed (invalid_scope): "
                f"{scopes_advice(self.session)}, then run `ssotui login` again"
            )
        if callback.error is not None or not callback.code:
            raise LoginFailed(
                f"the browser login to session {label} failed ({callback.error}): run "
                "`ssotui login` again"
            )
        hide(callback.code)
        client = oidc_client(self.session)
        registration = self._registration
        try:
            response = client.create_token(
                grantType=AUTHORIZATION_CODE_GRANT,
                clientId=registration.client_id,
                clientSecret=registration.client_secret,
                redirectUri=self._redirect_uri,
                codeVerifier=self._verifier,
                code=callback.code,
            )
        except Exception as exc:
            code = error_code(exc)
            if (kms := kms_refusal(exc, self.session, "the login")) is not None:
                raise kms from None
            if code == "ExpiredTokenException":
                raise LoginFailed(
                    f"the sign-in to session {label} expired before ssotui could use it: run "
                    "`ssotui login` again"
                ) from None
            if code == "InvalidClientException":
                raise client_refused(self.paths, self.session, registration.client_id) from None
            if code in ("InvalidGrantException", "InvalidRequestException"):
                raise LoginFailed(
                    f"Identity Center refused the code the browser brought for session {label} "
                    f"({code}): run `ssotui login` again"
                ) from None
            raise login_failure(exc, client, self.session, "the login") from None
        token = token_from_response(
            self.session,
            response,
            client_id=registration.client_id,
            client_secret=registration.client_secret,
            registration_expires_at=registration.expires_at,
        )
        token_cache.save_login_token(self.paths, self.session, token)
        return token


def start_browser_login(
    paths: Paths, session: SsoSession, *, timeout: float = BROWSER_TIMEOUT
) -> BrowserLogin:
    """Bind the listener, register (or reuse the registration) and build the authorize URL.

    Raises BrowserLoginUnavailable (a LoginFailed) when 127.0.0.1 cannot be listened on
    (ListenerUnavailable) or Identity Center registers no client for this flow: the caller
    falls back to the device code. Other failures close the listener and raise LoginFailed or
    ServiceError.
    """
    state = str(uuid.uuid4())
    verifier = code_verifier()
    hide(state, verifier)
    listener = CallbackListener(state)
    try:
        client = oidc_client(session)
        registration = browser_registration(paths, session, client)
        url = authorize_url(
            authorization_endpoint(client),
            client_id=registration.client_id,
            redirect_uri=listener.redirect_uri,
            state=state,
            scopes=browser_scopes(session),
            challenge=code_challenge(verifier),
        )
    except BaseException:
        listener.close()
        raise
    return BrowserLogin(
        paths,
        session,
        listener=listener,
        registration=registration,
        authorization=BrowserAuthorization(url, utcnow() + timedelta(seconds=timeout)),
        verifier=verifier,
        timeout=timeout,
    )
