"""The AWS federation endpoint's `getSigninToken`: role credentials in, a sign-in token out.

One POST, form-encoded (a long session token would make an over-long URL), as the IAM guide
"Enable custom identity broker access to the AWS console" describes: `Action=getSigninToken`,
`Session` = the JSON of `sessionId`/`sessionKey`/`sessionToken`, and `SessionDuration` only
when the caller asks for one. TLS is verified against the CA file botocore would use
(`tui.aws.ca_files`: `AWS_CA_BUNDLE`, `ca_bundle` in the AWS config, `REQUESTS_CA_BUNDLE`, else
certifi's), and the proxy is the one botocore would take (`tui.aws.proxies`: `HTTPS_PROXY`,
`NO_PROXY`, else on macOS and Windows the system's settings).
There is one attempt with a time limit per connect and per read, so a dead endpoint fails in
`TIMEOUT` seconds. Every refusal is one `ServiceError` line that names the endpoint and never
a secret; the environment is handed in, never read behind the caller's back.
"""

from __future__ import annotations

import http.client
import json
import logging
import socket
import ssl
import sys
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from tui import __version__
from tui.aws.ca_files import chosen_ca_file, tls_context, unusable_line
from tui.aws.proxies import Proxy, chosen_proxy
from tui.aws.transport import masked, proxy_failure, size_text, tunnel_refused
from tui.errors import ServiceError
from tui.logs import hide
from tui.models import RoleCredentials


class CredentialsRefused(ServiceError):
    """The sign-in endpoint refused the role's credentials (HTTP 400): expired or revoked."""


TIMEOUT = 10.0  # seconds per connect and per read: a dead endpoint fails well within 15 s
# A sign-in token is about 1 KB; anything far larger is not an answer, and is not read on (one
# byte past this says it was larger).
MAX_ANSWER = 64 * 1024

log = logging.getLogger(__name__)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """getSigninToken answers in place; a redirect means something else is at the address."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _opener(
    endpoint: str, proxy: Proxy | None, environ: Mapping[str, str]
) -> urllib.request.OpenerDirector:
    # the proxy given, or none at all (an empty mapping: urllib reads no variable itself)
    scheme = urlsplit(endpoint).scheme
    handlers: list[urllib.request.BaseHandler] = [
        urllib.request.ProxyHandler({scheme: proxy.url} if proxy else {}),
        _NoRedirect(),
    ]
    if endpoint.startswith("https:"):
        ca = chosen_ca_file(environ)
        context = tls_context(ca)
        if context is None:
            raise ServiceError(unusable_line(ca, "the AWS sign-in endpoint"))
        handlers.append(urllib.request.HTTPSHandler(context=context))
    return urllib.request.build_opener(*handlers)


def session_form(creds: RoleCredentials, duration: int | None) -> dict[str, str]:
    """The form fields of getSigninToken for `creds` (SessionDuration only when given)."""
    session = {
        "sessionId": creds.access_key_id,
        "sessionKey": creds.secret_access_key,
        "sessionToken": creds.session_token,
    }
    form = {"Action": "getSigninToken"}
    if duration is not None:
        form["SessionDuration"] = str(duration)
    form["Session"] = json.dumps(session, separators=(",", ":"))
    return form


def get_signin_token(
    endpoint: str,
    creds: RoleCredentials,
    *,
    duration: int | None,
    environ: Mapping[str, str],
    timeout: float = TIMEOUT,
) -> str:
    """A sign-in token for `creds` from the federation endpoint at `endpoint`.

    Raises `ServiceError` (one line, no secret) when the endpoint refuses (HTTP 400: the
    credentials are not, or no longer, valid, or the duration is not allowed; 5xx), answers
    something that is not a sign-in token, cannot be reached, does not answer within `timeout`
    seconds, or presents a certificate not trusted here.
    """
    hide(creds.secret_access_key, creds.session_token)
    role = f"role {_shown(creds.role_name)} in account {creds.account.account_id}"
    body = urlencode(session_form(creds, duration)).encode("ascii")
    hide(body.decode("ascii"))
    request = urllib.request.Request(
        endpoint,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
            "User-Agent": "ssotui/{} Python/{}.{}.{}".format(__version__, *sys.version_info[:3]),
        },
    )
    proxy = chosen_proxy(endpoint, environ)
    opener = _opener(endpoint, proxy, environ)
    log.debug(
        "getSigninToken at %s for %s (SessionDuration %s)", endpoint, role, duration or "not set"
    )
    status, answer = _exchange(opener, request, endpoint, timeout, proxy)
    log.debug("getSigninToken at %s: HTTP %s, %d bytes", endpoint, status, len(answer))
    if status == 400:
        asked = f" for {duration} s" if duration is not None else ""
        raise CredentialsRefused(
            f"the AWS sign-in endpoint {endpoint} refused the credentials of {role}{asked} "
            "(HTTP 400): they expired or are not valid there; run it again"
            + (", or without --duration" if duration is not None else "")
        )
    if status >= 500:
        raise ServiceError(
            f"the AWS sign-in endpoint {endpoint} failed with HTTP {status}: try again later"
        )
    if status != 200:
        raise ServiceError(
            f"{endpoint} answered HTTP {status} to getSigninToken, not like the AWS sign-in "
            "endpoint: check AWS_ENDPOINT_URL_SIGNIN and your proxy settings"
        )
    if len(answer) > MAX_ANSWER:  # read no further: not the endpoint's answer
        raise ServiceError(
            f"the answer from {endpoint} is larger than {size_text(MAX_ANSWER)}, far more than "
            "the AWS sign-in endpoint sends: check AWS_ENDPOINT_URL_SIGNIN and your proxy settings"
        )
    token = _token_of(answer)
    if token is None:
        raise ServiceError(
            f"the AWS sign-in endpoint {endpoint} sent an answer ssotui cannot read (no sign-in "
            "token): try again later"
        )
    hide(token)
    return token


def _shown(text: str) -> str:
    """A name from the service, safe on a terminal (control characters become spaces)."""
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)


def _token_of(answer: bytes) -> str | None:
    try:
        parsed = json.loads(answer)
    except ValueError:
        return None
    token = parsed.get("SigninToken") if isinstance(parsed, dict) else None
    return token if isinstance(token, str) and token else None


def _exchange(
    opener: urllib.request.OpenerDirector,
    request: urllib.request.Request,
    endpoint: str,
    timeout: float,
    chosen: Proxy | None,
) -> tuple[int, bytes]:
    """(status, body) of one exchange through `chosen` (None: direct); a network failure is
    one ServiceError line (a proxy's credentials masked)."""
    proxy = masked(chosen.url) if chosen else ""
    try:
        try:
            with opener.open(request, timeout=timeout) as response:
                return int(response.status), response.read(MAX_ANSWER + 1)
        except urllib.error.HTTPError as refusal:
            with refusal:
                return refusal.code, refusal.read(MAX_ANSWER + 1)
    except urllib.error.URLError as exc:
        reason = exc.reason
    except (OSError, http.client.HTTPException) as exc:
        reason = exc
    refused = tunnel_refused(reason)
    if proxy and (refused or isinstance(reason, ConnectionRefusedError | socket.gaierror)):
        setting = chosen.setting if chosen else ""
        raise proxy_failure(
            "the AWS sign-in endpoint", endpoint, proxy, refused, setting=setting
        ) from None
    if isinstance(reason, TimeoutError):
        raise ServiceError(
            f"the AWS sign-in endpoint {endpoint} did not answer within {timeout:g} s: "
            "try again later"
        ) from None
    if isinstance(reason, ssl.SSLCertVerificationError):
        raise ServiceError(
            f"the TLS certificate of {endpoint} is not trusted here: if your network inspects "
            "TLS, set AWS_CA_BUNDLE to your organisation's CA file"
        ) from None
    if isinstance(reason, http.client.HTTPException | ConnectionResetError | ssl.SSLError):
        through = f" through the proxy {proxy}" if proxy else ""
        raise ServiceError(
            f"the connection to the AWS sign-in endpoint {endpoint}{through} broke: try again"
        ) from None
    raise ServiceError(
        f"cannot reach the AWS sign-in endpoint {endpoint}: check your network and proxy "
        "settings (HTTPS_PROXY, NO_PROXY)"
    ) from None
