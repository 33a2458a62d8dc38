"""The AWS federation endpoint's `getSigninToken`: role credentials in, a sign-in token out.

One POST, form-encoded (a long session token would make an over-long URL), as the IAM guide
"Enable custom identity broker access to the AWS console" describes: `Action=getSigninToken`,
`Session` = the JSON of `sessionId`/`sessionKey`/`sessionToken`, and `SessionDuration` only
when the caller asks for one. TLS is verified against the CA file botocore would use
(`tui.aws.ca_files`: `AWS_CA_BUNDLE`, `ca_bundle` in the AWS config, `REQUESTS_CA_BUNDLE`, else
certifi's), and the proxy is the one botocore would take (`tui.aws.proxies`: `HTTPS_PROXY`,
`NO_PROXY`, else on macOS and Windows the system's settings).
There is one attempt, and the whole answer must have come within its time limit (the
`request_deadline` setting; `TIMEOUT` by default), however it arrives: an endpoint that says
nothing, drips a byte at a time or sends `100 Continue` for ever fails then, with one line.
Every refusal is one `ServiceError` line that names the endpoint and never
a secret; the environment is handed in, never read behind the caller's back.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import socket
import ssl
import sys
import threading
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from tui import __version__
from tui.aws.ca_files import CaFile, chosen_ca_file, tls_context, unusable_line
from tui.aws.proxies import Proxy, chosen_proxy
from tui.aws.transport import (
    NotTls,
    UntrustedCertificate,
    masked,
    proxy_failure,
    size_text,
    tls_failure,
    tls_line,
    tunnel_refused,
)
from tui.errors import ServiceError
from tui.logs import hide
from tui.models import RoleCredentials


class CredentialsRefused(ServiceError):
    """The sign-in endpoint refused the role's credentials (HTTP 400): expired or revoked."""


TIMEOUT = 15.0  # seconds the whole exchange may take (`request_deadline`'s default)
# A sign-in token is about 1 KB; anything far larger is not an answer, and is not read on (one
# byte past this says it was larger).
MAX_ANSWER = 64 * 1024

log = logging.getLogger(__name__)
# What to look at when something other than the sign-in endpoint answers.
_CHECK = "check AWS_ENDPOINT_URL_SIGNIN and your proxy settings (HTTPS_PROXY, NO_PROXY)"
_SIGNIN = "the AWS sign-in endpoint"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """getSigninToken answers in place; a redirect means something else is at the address."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class _Watch:
    """Ends an exchange that runs past its time: every socket opened for it is shut down then,
    so a read that keeps getting a byte at a time (which no socket timeout ends) ends too."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []  # duplicates: still open after a TLS wrap
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Watch:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()

    def opened(self, sock: socket.socket) -> None:
        """Watch `sock` (shut down at once if the time is already up)."""
        with self._lock:
            self._sockets.append(sock.dup())
            if self.fired:
                _shut(self._sockets[-1])

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the other side
        sock.shutdown(socket.SHUT_RDWR)


def _watched(base: type[http.client.HTTPConnection], watch: _Watch) -> Any:
    """`base` with every socket it opens (a proxy tunnel's too) handed to `watch`."""

    class Watched(base):  # type: ignore[valid-type,misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)

            def opened(*args: Any, **kwargs: Any) -> socket.socket:
                sock = socket.create_connection(*args, **kwargs)  # http.client's own way
                watch.opened(sock)
                return sock

            self._create_connection = opened

    return Watched


class _HttpHandler(urllib.request.HTTPHandler):
    def __init__(self, watch: _Watch) -> None:
        super().__init__()
        self._connection = _watched(http.client.HTTPConnection, watch)

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)


class _HttpsHandler(urllib.request.HTTPSHandler):
    def __init__(self, context: ssl.SSLContext, watch: _Watch) -> None:
        super().__init__(context=context)
        self._tls = context
        self._connection = _watched(http.client.HTTPSConnection, watch)

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req, context=self._tls)


def _opener(
    endpoint: str, proxy: Proxy | None, ca: CaFile | None, watch: _Watch
) -> urllib.request.OpenerDirector:
    """An opener through `proxy` (None: direct), verifying TLS with `ca` (None: plain HTTP)."""
    # the proxy given, or none at all (an empty mapping: urllib reads no variable itself)
    scheme = urlsplit(endpoint).scheme
    handlers: list[urllib.request.BaseHandler] = [
        urllib.request.ProxyHandler({scheme: proxy.url} if proxy else {}),
        _NoRedirect(),
        _HttpHandler(watch),
    ]
    if ca is not None:
        context = tls_context(ca)
        if context is None:
            raise ServiceError(unusable_line(ca, _SIGNIN))
        handlers.append(_HttpsHandler(context, watch))
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
    seconds (all of its answer), or presents a certificate not trusted here.
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
    log.debug(
        "getSigninToken at %s for %s (SessionDuration %s)", endpoint, role, duration or "not set"
    )
    ca = chosen_ca_file(environ) if endpoint.startswith("https:") else None
    with _Watch(timeout) as watch:
        opener = _opener(endpoint, proxy, ca, watch)
        try:
            status, answer = _exchange(opener, request, endpoint, timeout, proxy, ca)
        except ServiceError:
            if not watch.fired:
                raise
            status, answer = 0, b""
    if watch.fired:  # whatever the cut-off answer made of it, the time was up
        raise _too_slow(endpoint, timeout)
    log.debug("getSigninToken at %s: HTTP %s, %d bytes", endpoint, status, len(answer))
    if status == 400:
        asked = f" for {duration} s" if duration is not None else ""
        raise CredentialsRefused(
            f"the AWS sign-in endpoint {endpoint} refused the credentials of {role}{asked} "
            "(HTTP 400): they expired or are not valid there; run it again"
            + (", or without --duration" if duration is not None else "")
        )
    if status == 429:  # the endpoint, or a gateway or proxy before it, asks to slow down
        raise ServiceError(
            f"the AWS sign-in endpoint {endpoint} is throttling (HTTP 429): wait a minute and "
            "try again"
        )
    if status >= 500:
        raise ServiceError(
            f"the AWS sign-in endpoint {endpoint} failed with HTTP {status}: try again later"
        )
    if status != 200:
        raise ServiceError(
            f"{endpoint} answered HTTP {status} to getSigninToken, not like the AWS sign-in "
            f"endpoint: {_CHECK}"
        )
    if len(answer) > MAX_ANSWER:  # read no further: not the endpoint's answer
        raise ServiceError(
            f"the answer from {endpoint} is larger than {size_text(MAX_ANSWER)}, far more than "
            f"the AWS sign-in endpoint sends: {_CHECK}"
        )
    parsed = _json_of(answer)
    if parsed is _NOT_JSON:  # a captive portal, a proxy's login page, another server
        page = "a web page" if answer.lstrip()[:1] == b"<" else "an answer that is not JSON"
        raise ServiceError(
            f"{endpoint} answered getSigninToken with {page}, not like the AWS sign-in endpoint "
            f"(a network login page in the way?): {_CHECK}"
        )
    token = parsed.get("SigninToken") if isinstance(parsed, dict) else None
    # a token is one word of printable characters; blank or broken, the login URL would fail in
    # the browser instead of here
    if not isinstance(token, str) or not token or not token.isprintable() or " " in token:
        raise ServiceError(
            f"the AWS sign-in endpoint {endpoint} sent an answer ssotui cannot read (no sign-in "
            "token): try again later"
        )
    hide(token)
    return token


def _too_slow(endpoint: str, timeout: float) -> ServiceError:
    return ServiceError(
        f"the AWS sign-in endpoint {endpoint} did not answer within {timeout:g} s: try again "
        "later, or allow longer with `request_deadline` in config.toml"
    )


def _shown(text: str) -> str:
    """A name from the service, safe on a terminal (control characters become spaces)."""
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)


_NOT_JSON = object()


def _json_of(answer: bytes) -> Any:
    """`answer` parsed as JSON, or `_NOT_JSON` (nested too deep to parse is not JSON either)."""
    try:
        return json.loads(answer)
    except (ValueError, RecursionError):
        return _NOT_JSON


def _exchange(
    opener: urllib.request.OpenerDirector,
    request: urllib.request.Request,
    endpoint: str,
    timeout: float,
    chosen: Proxy | None,
    ca: CaFile | None,
) -> tuple[int, bytes]:
    """(status, body) of one exchange through `chosen` (None: direct), TLS verified with `ca`;
    a network failure is one ServiceError line (a proxy's credentials masked), a failed TLS
    handshake in the portal's words (`tls_line`)."""
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
        raise proxy_failure(_SIGNIN, endpoint, proxy, refused, setting=setting) from None
    if isinstance(reason, TimeoutError):
        raise _too_slow(endpoint, timeout) from None
    if isinstance(reason, ssl.SSLError) and tls_failure(str(reason)) == "not tls":
        not_tls = NotTls(str(reason), endpoint=endpoint)  # plain HTTP, a captive portal
        raise ServiceError(tls_line(not_tls, _SIGNIN, "AWS_ENDPOINT_URL_SIGNIN")) from None
    if isinstance(reason, ssl.SSLCertVerificationError):
        untrusted = UntrustedCertificate(
            str(reason),
            endpoint=endpoint,
            ca_path=ca.path if ca is not None and ca.setting else "",
            ca_setting=ca.setting or "" if ca is not None else "",
        )
        raise ServiceError(tls_line(untrusted, _SIGNIN, "AWS_ENDPOINT_URL_SIGNIN")) from None
    if isinstance(reason, http.client.HTTPException | ConnectionResetError | ssl.SSLError):
        through = f" through the proxy {proxy}" if proxy else ""
        raise ServiceError(
            f"the connection to the AWS sign-in endpoint {endpoint}{through} broke: try again"
        ) from None
    raise ServiceError(
        f"cannot reach the AWS sign-in endpoint {endpoint}: check your network and proxy "
        "settings (HTTPS_PROXY, NO_PROXY)"
    ) from None
