"""The browser side of the authorization code flow: `GET /authorize`, its page, its codes.

`/authorize` takes the query botocore's `SSOTokenFetcherAuth` sends (`response_type`,
`client_id`, `redirect_uri`, `state`, `code_challenge_method`, `scopes`, `code_challenge`).
An unknown client or a redirect URI the client did not register gets an error page (OAuth
never redirects to an unchecked address); other faults redirect with `error=`. The ``approve``
knob decides: "auto" (or a number) redirects with a code at once, "deny" with
`error=access_denied`, "manual" shows a page whose Approve/Deny buttons decide. Codes are
single use, live ``code_lifetime`` seconds, and are redeemed by CreateToken with the verifier
of their S256 challenge and the same redirect URI.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from tui.sim.errors import oidc_error
from tui.sim.grants import AUTH_CODE_GRANT, LOOPBACK_HOSTS
from tui.sim.knobs import Knobs

if TYPE_CHECKING:
    from tui.sim.identity import Client

_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


@dataclass
class Answer:
    """What `/authorize` answers: a page, or a redirect to `location`."""

    status: int
    page: str = ""
    location: str | None = None


@dataclass
class Pending:
    """An authorize request waiting for a click on its page."""

    client_id: str
    redirect_uri: str
    state: str | None
    challenge: str
    client_name: str
    scopes: list[str]


@dataclass
class Code:
    """An authorization code issued to a client."""

    client_id: str
    redirect_uri: str
    challenge: str
    expires_at: float
    scopes: list[str] = field(default_factory=list)


def s256(verifier: str) -> str:
    """The S256 code challenge of a verifier (RFC 7636: base64url of SHA-256, no padding)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def redirect_registered(registered: list[str], given: str) -> bool:
    """True when `given` is one of the client's redirect URIs; a loopback URI registered
    without a port matches any port (RFC 8252 7.3), as botocore's registration relies on."""
    g = urlsplit(given)
    if g.fragment:
        return False
    for uri in registered:
        r = urlsplit(uri)
        if (r.scheme, r.hostname, r.path) != (g.scheme, g.hostname, g.path):
            continue
        if r.port == g.port or (r.port is None and r.hostname in LOOPBACK_HOSTS):
            return True
    return False


def _with_query(uri: str, params: dict[str, str]) -> str:
    return uri + ("&" if "?" in uri else "?") + urlencode(params)


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ssotui simulator sign-in</title>
<style>body{{font-family:sans-serif;max-width:32em;margin:4em auto;text-align:center}}
button{{font-size:1.2em;margin:.5em;padding:.3em 1em}}</style></head><body>
<h1>ssotui simulator</h1>
{body}
</body></html>
"""

_FORM = """<p>Allow <b>{client}</b> to access your AWS accounts ({scopes})?</p>
<form method="post" action="/authorize">
<input type="hidden" name="request_id" value="{request_id}">
<button name="action" value="approve">Approve</button>
<button name="action" value="deny">Deny</button>
</form>"""


def error_page(message: str) -> str:
    """A page that ends the browser's side with an error (no redirect)."""
    return _PAGE.format(body=f"<p>{html.escape(message)}</p>")


class Authorizations:
    """Pending authorize requests and issued codes (the Identity holds one; not thread-safe)."""

    def __init__(self, knobs: Knobs) -> None:
        self.knobs = knobs
        self.pending: dict[str, Pending] = {}
        self.codes: dict[str, Code] = {}

    def authorize(self, client: Client | None, query: dict[str, str], now: float) -> Answer:
        """Answer `GET /authorize`."""
        redirect_uri = query.get("redirect_uri", "")
        if client is None or client.expires_at <= now:
            return Answer(400, error_page("Invalid client: unknown or expired client_id."))
        if not redirect_uri or not redirect_registered(client.redirect_uris, redirect_uri):
            return Answer(400, error_page("Invalid redirect_uri for this client."))
        state = query.get("state")

        def fail(error: str) -> Answer:
            params = {"error": error, **({"state": state} if state is not None else {})}
            return Answer(302, location=_with_query(redirect_uri, params))

        if query.get("response_type") != "code":
            return fail("unsupported_response_type")
        if AUTH_CODE_GRANT not in client.grant_types:
            return fail("unauthorized_client")
        challenge = query.get("code_challenge", "")
        if query.get("code_challenge_method") != "S256" or not challenge:
            return fail("invalid_request")
        scopes = query.get("scopes", "").split()
        if not scopes or not set(scopes) <= set(client.scopes):
            return fail("invalid_scope")
        pending = Pending(client.client_id, redirect_uri, state, challenge, client.name, scopes)
        mode = self.knobs.approve
        if mode == "manual":
            request_id = secrets.token_urlsafe(16)
            self.pending[request_id] = pending
            body = _FORM.format(
                client=html.escape(client.name),
                scopes=html.escape(" ".join(scopes)),
                request_id=request_id,
            )
            return Answer(200, _PAGE.format(body=body))
        return self._decided(pending, mode != "deny", now)

    def decide(self, request_id: str, approve: bool, now: float) -> Answer:
        """Answer the Approve/Deny click of the manual page."""
        pending = self.pending.pop(request_id, None)
        if pending is None:
            return Answer(400, error_page("This sign-in request is unknown or already decided."))
        return self._decided(pending, approve, now)

    def _decided(self, pending: Pending, approve: bool, now: float) -> Answer:
        params: dict[str, str] = {}
        if approve:
            code = secrets.token_urlsafe(32)
            self.codes[code] = Code(
                pending.client_id,
                pending.redirect_uri,
                pending.challenge,
                now + self.knobs.code_lifetime,
                pending.scopes,
            )
            params["code"] = code
        else:
            params["error"] = "access_denied"
        if pending.state is not None:
            params["state"] = pending.state
        return Answer(302, location=_with_query(pending.redirect_uri, params))

    def redeem(self, client: Client, body: dict[str, Any], now: float) -> None:
        """Check a CreateToken `authorization_code` request; the code is used up either way."""
        code, verifier = body.get("code"), body.get("codeVerifier")
        redirect_uri = body.get("redirectUri")
        if not isinstance(code, str) or not code:
            raise oidc_error("InvalidRequestException", "code is required")
        if not isinstance(redirect_uri, str) or not redirect_uri:
            raise oidc_error("InvalidRequestException", "redirectUri is required")
        if not isinstance(verifier, str) or not _VERIFIER.fullmatch(verifier):
            raise oidc_error("InvalidRequestException", "codeVerifier is missing or malformed")
        issued = self.codes.pop(code, None)
        if issued is None or issued.client_id != client.client_id:
            raise oidc_error("InvalidGrantException", "Invalid authorization code provided")
        if issued.expires_at <= now:
            raise oidc_error("ExpiredTokenException", "Authorization code has expired")
        if redirect_uri != issued.redirect_uri:
            raise oidc_error("InvalidGrantException", "redirectUri does not match the request")
        if not secrets.compare_digest(s256(verifier), issued.challenge):
            raise oidc_error("InvalidGrantException", "codeVerifier does not match the challenge")
