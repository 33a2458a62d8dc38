"""The AWS federation endpoint (`/federation`) of the simulator: getSigninToken and login.

As the IAM guide "Enable custom identity broker access to the AWS console" describes it:
`Action=getSigninToken` (GET query or POST form) takes `Session`, the JSON of
`sessionId`/`sessionKey`/`sessionToken`, and an optional `SessionDuration` of 900–43200
seconds, and answers `{"SigninToken": ...}`; the credentials must be ones the simulator's
GetRoleCredentials issued and still valid, else HTTP 400. `Action=login` with a sign-in token
less than 15 minutes old redirects (302) to `Destination`; otherwise it answers an error page.
Not thread-safe by itself: the server holds its lock.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from tui.sim.portal import Portal
from tui.sim.protocol import Response

SIGNIN_TOKEN_LIFETIME = 15 * 60
MIN_DURATION, MAX_DURATION = 900, 43200
ACTIONS = frozenset({"getSigninToken", "login"})
_HTML = {"Content-Type": "text/html; charset=utf-8"}


def parameters(
    method: str, query: dict[str, str], headers: dict[str, str], body: bytes
) -> dict[str, str]:
    """A request's parameters: the query, and the form of a form-encoded POST over it."""
    params = dict(query)
    content_type = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
    if method == "POST" and content_type.startswith("application/x-www-form-urlencoded"):
        form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        params.update({k: v[-1] for k, v in form.items()})
    return params


@dataclass(frozen=True)
class SigninToken:
    """A sign-in token handed out, and the console session it would open."""

    expires_at: float
    session_duration: int | None


def error_page(status: int, message: str) -> Response:
    """The sign-in service's answer to a request it refuses: a short HTML page."""
    page = f"<html><head><title>Error</title></head><body><p>{message}</p></body></html>"
    return Response(status, page.encode(), dict(_HTML))


class Federation:
    """getSigninToken over the credentials the portal issued; login with the tokens it made."""

    def __init__(self, portal: Portal) -> None:
        self.portal = portal
        self.tokens: dict[str, SigninToken] = {}

    def get_signin_token(self, params: dict[str, str], now: float) -> Response:
        """A fresh sign-in token for valid credentials, else 400."""
        try:
            session = json.loads(params.get("Session", ""))
        except ValueError:
            session = None
        fields = ("sessionId", "sessionKey", "sessionToken")
        if not isinstance(session, dict) or not all(
            isinstance(session.get(f), str) for f in fields
        ):
            return error_page(
                400, "Session must be the JSON of sessionId, sessionKey and sessionToken."
            )
        duration: int | None = None
        if "SessionDuration" in params:
            raw = params["SessionDuration"]
            duration = int(raw) if raw.isascii() and raw.isdigit() else -1
            if not MIN_DURATION <= duration <= MAX_DURATION:
                return error_page(400, "SessionDuration must be between 900 and 43200 seconds.")
        if not self.portal.credentials_valid(
            session["sessionId"], session["sessionKey"], session["sessionToken"], now
        ):
            return error_page(400, "The credentials are not valid or have expired.")
        token = secrets.token_urlsafe(512)
        self.tokens[token] = SigninToken(now + SIGNIN_TOKEN_LIFETIME, duration)
        body = json.dumps({"SigninToken": token}).encode()
        return Response(200, body, {"Content-Type": "application/json"})

    def login(self, params: dict[str, str], now: float) -> Response:
        """302 to Destination for a valid sign-in token, else an error page."""
        found = self.tokens.get(params.get("SigninToken", ""))
        if found is None or found.expires_at <= now:
            return error_page(400, "The sign-in token is not valid or has expired.")
        destination = params.get("Destination", "")
        parts = urlsplit(destination)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            return error_page(400, "Destination must be an absolute URL.")
        return Response(302, b"", {"Location": destination})

    def expire_tokens(self, now: float) -> None:
        """Make every sign-in token handed out so far expired."""
        self.tokens = {
            token: SigninToken(min(t.expires_at, now), t.session_duration)
            for token, t in self.tokens.items()
        }
