"""The SSO portal spoken directly over HTTP: the four operations of botocore's `sso` model.

botocore costs about 1–1.5 ms of CPU per call and 0.3 s of imports and set-up before the
first; a catalog of 300 accounts is 300 calls, so in a fresh process botocore alone takes
longer than the whole fetch should. The portal API is small and plain — GET or POST, a query
string and one header in, JSON out, no signing — so where `tui.aws.endpoints` finds a plain
endpoint, ssotui sends the requests itself:

- the requests are botocore's (tests/test_portal_http.py holds them against the model and
  against what botocore sends);
- answers are read as botocore's rest-json parser reads them (a member sent as null is one
  left out); a refusal is raised as the transport's own `Refused` (`tui.aws.transport`), as
  the botocore client's refusals are, so the Portal handles both clients alike;
- connections are kept alive in a pool shared by the threads; one the server has closed or
  spoken on meanwhile is dropped before it is used, and one it closes as it is used is replaced
  once, silently. Retries and pacing are the Portal's;
- over TLS, the CA file is loaded once, on a thread of its own while the first connection is
  being made, and a new connection resumes the TLS session of an earlier one when that one's
  ticket is at hand (none waits for one);
- each exchange is written and read by `tui.aws.http1` rather than `http.client`, whose
  `email` imports and header parsing cost more than the rest of a call; an answer longer than
  `MAX_ANSWER` is not read on (`AnswerTooLarge`, one line, no retry).
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote, urlsplit

from tui import __version__
from tui.aws import http1
from tui.aws.ca_files import CaFile, default_ca_file, tls_context
from tui.aws.transport import (
    MAX_ANSWER,
    AnswerTooLarge,
    ConnectTimeout,
    Dropped,
    MalformedResponse,
    NotTls,
    PortalClient,
    ReadTimeout,
    Refused,
    Unreachable,
    UnreadableCaFile,
    UntrustedCertificate,
    WebPage,
    empty_answer,
    not_json,
    retry_after,
    tls_failure,
)

TOKEN_HEADER = "x-amz-sso_bearer_token"
ADDRESSES_KEPT = 60.0  # seconds the endpoint's looked-up addresses are used for new connections
# Seconds a kept connection may stay idle and still be used (the AWS SDK for Java's default).
# A connection a NAT or firewall forgot, or one from before the laptop slept or changed
# networks, is dead with no close to say so: sent on, a call waited its whole read timeout,
# and the retry took the next dead one. Measured on the wall clock, which goes on while the
# machine sleeps (the monotonic clock stops on Linux and macOS).
IDLE_KEPT = 60.0
_wall = time.time  # the clock idle time is measured on (tests move it)


@dataclass(frozen=True)
class Operation:
    """One portal operation: HTTP method, path, and its parameters' query-string names."""

    method: str
    path: str
    query: dict[str, str]


# Operations whose answer botocore's model gives no output shape: their body is not read.
NO_OUTPUT = frozenset({"Logout"})
OPERATIONS = {
    "GetRoleCredentials": Operation(
        "GET", "/federation/credentials", {"roleName": "role_name", "accountId": "account_id"}
    ),
    "ListAccountRoles": Operation(
        "GET",
        "/assignment/roles",
        {"nextToken": "next_token", "maxResults": "max_result", "accountId": "account_id"},
    ),
    "ListAccounts": Operation(
        "GET", "/assignment/accounts", {"nextToken": "next_token", "maxResults": "max_result"}
    ),
    "Logout": Operation("POST", "/logout", {}),
}


def error_code(status: int, headers: Mapping[str, str], body: bytes) -> tuple[str, str]:
    """(code, message) of a refusal, read as botocore's rest-json parser reads them.

    `headers`: the answer's, with names in lower case."""
    if status >= 500 and (not body.strip() or body.strip().startswith(b"<html>")):
        import http.client  # only here: a generic error page names its status

        return str(status), http.client.responses.get(status, "")
    try:
        parsed = json.loads(body) if body else {}
    except (ValueError, RecursionError):
        parsed = {"message": body.decode("utf-8", "replace")}
    if not isinstance(parsed, dict):
        parsed = {}
    code = parsed.get("__type", str(status))
    if headers.get("x-amzn-errortype") is not None:
        code = headers["x-amzn-errortype"]
    elif "code" in parsed or "Code" in parsed:
        code = parsed.get("code", parsed.get("Code", ""))
    code = str(code).split(":", 1)[0].rsplit("#", 1)[-1]
    return code, str(parsed.get("message", parsed.get("Message", "")))


def _without_nulls(members: dict[str, Any]) -> dict[str, Any]:
    """A JSON object without its null members, as botocore's parser leaves them out."""
    return {key: value for key, value in members.items() if value is not None}


class PortalHttpClient(PortalClient):
    """What the Portal needs of a botocore `sso` client, without botocore. Thread-safe."""

    def __init__(
        self,
        endpoint_url: str,
        *,
        max_pool: int,
        connect_timeout: float,
        read_timeout: float,
        ca_file: CaFile | None = None,
    ) -> None:
        parts = urlsplit(endpoint_url)
        self.meta = SimpleNamespace(endpoint_url=endpoint_url)  # as botocore's client.meta
        self._https = parts.scheme == "https"
        self._host = parts.hostname or ""
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self._max_pool = max_pool
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._idle: list[tuple[http1.Connection, float]] = []  # and when each became idle
        self._lock = threading.Lock()
        self._tls: Any = None  # the TLS context, once loaded (None: not yet, or unreadable)
        self._tls_loading = False  # a thread is loading it
        self._tls_loaded = threading.Event()
        self._tls_failure: BaseException | None = None  # what the loading raised, unforeseen
        self._session: Any = None  # a TLS session of this pool's, resumed by new connections
        self._ca_file = ca_file  # None: botocore's default bundle, no setting naming another
        self._resolved: list[tuple[Any, ...]] | None = None  # the endpoint's addresses
        self._resolved_at = 0.0  # when they were looked up (time.monotonic)
        self._user_agent = "ssotui/{} Python/{}.{}.{}".format(__version__, *sys.version_info[:3])
        self._host_header = http1.host_header(self._host, self._port, 443 if self._https else 80)
        # `ssl` passes a name given as text through the IDNA codec (its import, and an encode
        # for every connection); an ASCII name as bytes is the same name without either
        host = self._host
        self._server_name: str | bytes = host.encode("ascii") if host.isascii() else host

    # -- the exchange ------------------------------------------------------------------------

    def call(
        self, operation: str, *, timeout: float | None = None, **params: Any
    ) -> dict[str, Any]:
        """One request with botocore's parameter names; `timeout` caps connect and read."""
        spec = OPERATIONS[operation]
        token = str(params.pop("accessToken"))
        query = "&".join(
            f"{spec.query[key]}={quote(str(value), safe='-_.~')}"
            for key, value in params.items()
            if value is not None
        )
        target = self._prefix + spec.path + (f"?{query}" if query else "")
        headers = {TOKEN_HEADER: token, "User-Agent": self._user_agent}
        limit = self.read_timeout if timeout is None else min(self.read_timeout, timeout)
        status, answer_headers, body = self._exchange(spec.method, target, headers, limit)
        if status >= 301:  # botocore's line between an answer and a refusal
            code, message = error_code(status, answer_headers, body)
            raise Refused(
                operation,
                status,
                code,
                message,
                endpoint=self.meta.endpoint_url,
                retry_after=retry_after(answer_headers, time.time()),
            )
        # the status as botocore's answers carry it (`--debug` shows it, tui.aws.call_log)
        answered = {"ResponseMetadata": {"HTTPStatusCode": status}}
        if operation in NO_OUTPUT and body.strip():
            # botocore reads no body of an answer its model gives no output (Logout's), but a
            # web page is not Identity Center's answer (a network login page in the way)
            if isinstance(page := not_json(body, self.meta.endpoint_url), WebPage):
                raise page
            return answered
        if not body.strip():
            empty = empty_answer(
                operation, status, answer_headers, body, endpoint=self.meta.endpoint_url
            )
            if empty is not None:
                raise empty
            return answered
        try:
            # botocore reads a member sent as null as one left out ("roleList": null is no
            # roles); the scan keeps the hook off the usual answer, which has no null
            hook = _without_nulls if b"null" in body else None
            parsed = json.loads(body, object_hook=hook)
        except (ValueError, RecursionError):  # nested past the parser's depth
            raise not_json(body, self.meta.endpoint_url) from None
        if not isinstance(parsed, dict):
            raise self._malformed("the response body is not a JSON object")
        parsed.update(answered)
        return parsed

    def _malformed(self, detail: str) -> MalformedResponse:
        return MalformedResponse(detail, endpoint=self.meta.endpoint_url)

    def _exchange(
        self, method: str, target: str, headers: dict[str, str], limit: float
    ) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body); `limit` seconds at most for connecting, for each read and
        for the whole answer, however slowly it comes."""
        conn, reused = self._take(limit)
        try:
            try:
                answer = conn.exchange(method, target, headers, within=limit)
            except (
                http1.Closed,
                ConnectionResetError,
                ConnectionAbortedError,  # what Windows may say instead
                BrokenPipeError,
            ):
                if not reused:
                    raise
                # a kept-alive connection the server had closed: once more on a new one
                conn.close()
                conn, reused = self._connect(limit), False
                answer = conn.exchange(method, target, headers, within=limit)
        except http1.TooLarge as exc:
            conn.close()  # the rest of the answer is still on its way: of no use any more
            raise AnswerTooLarge(
                endpoint=self.meta.endpoint_url, variable="AWS_ENDPOINT_URL_SSO", limit=exc.limit
            ) from None
        except TimeoutError:
            conn.close()
            if reused:
                self._forget_idle()  # the Portal's retry goes on a new connection
            raise ReadTimeout(
                f"no answer from {self.meta.endpoint_url}", endpoint=self.meta.endpoint_url
            ) from None
        except OSError as exc:
            conn.close()
            raise Dropped(
                f"connection to {self.meta.endpoint_url} broke: {exc}",
                endpoint=self.meta.endpoint_url,
            ) from None
        if self._https and not reused:
            self._keep_session(conn)
        if answer.will_close:
            conn.close()
        else:
            self._give_back(conn)
        return answer.status, answer.headers, answer.body

    def _keep_session(self, conn: http1.Connection) -> None:
        """Keep the TLS session of a new connection, once it has been answered on (TLS 1.3
        sends its ticket after the handshake), for the next new connections to resume: the
        server then sends no certificate chain and neither side checks one, the costliest part
        of a handshake (a catalog opens up to `max_pool` connections at once). A server that
        will not resume gives a full handshake, whose session is then the one kept."""
        sock: Any = conn.sock
        if sock.session_reused:
            return  # the kept session worked: keep it
        session = sock.session
        if session is not None and session.has_ticket:
            self._session = session

    def _take(self, limit: float) -> tuple[http1.Connection, bool]:
        """An idle connection of the pool (True) or a new one (False). One the server sent
        something on while it was idle (a 408 before closing, its close) is dropped first:
        its next bytes would have been read as the answer to the next request; so is one
        idle for longer than IDLE_KEPT (or since a time the clock has gone back past)."""
        while True:
            with self._lock:
                conn, since = self._idle.pop() if self._idle else (None, 0.0)
            if conn is None:
                return self._connect(limit), False
            if 0 <= _wall() - since <= IDLE_KEPT and not conn.stale():
                conn.sock.settimeout(limit)
                return conn, True
            conn.close()

    def _forget_idle(self) -> None:
        """Close every idle connection: one kept connection went silent, and the others,
        opened on the same network, are likely no better."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn, _since in idle:
            conn.close()

    def _give_back(self, conn: http1.Connection) -> None:
        with self._lock:
            if len(self._idle) < self._max_pool:
                self._idle.append((conn, _wall()))
                return
        conn.close()

    def _connect(self, limit: float) -> http1.Connection:
        wait = min(self.connect_timeout, limit)
        where = self.meta.endpoint_url
        if self._https:
            self._load_context()  # the CA file is read while the address and TCP are sought
        try:
            sock = self._socket(wait)
            if self._https:
                try:
                    context = self._context()  # an unreadable CA file: nothing sent
                except BaseException:
                    sock.close()
                    raise
                sock = context.wrap_socket(
                    sock, server_hostname=self._server_name, session=self._session
                )
        except TimeoutError:
            raise ConnectTimeout(f"no connection to {where} in time", endpoint=where) from None
        except OSError as exc:
            import ssl

            kind = tls_failure(str(exc)) if isinstance(exc, ssl.SSLError) else ""
            if kind == "not tls":
                raise NotTls(f"TLS with {where} failed: {exc}", endpoint=where) from None
            if isinstance(exc, ssl.SSLError) and kind != "eof":
                ca = self._ca_file
                raise UntrustedCertificate(
                    f"TLS with {where} failed: {exc}",
                    endpoint=where,
                    ca_path=ca.path if ca is not None and ca.setting else "",
                    ca_setting=(ca.setting or "") if ca is not None else "",
                ) from None
            raise Unreachable(f"cannot reach {where}: {exc}", endpoint=where) from None
        sock.settimeout(limit)
        return http1.Connection(sock, self._host_header, max_body=MAX_ANSWER)

    def _socket(self, wait: float) -> socket.socket:
        """A TCP connection to the endpoint, trying its addresses in turn (as
        `socket.create_connection` does, without looking the name up again). When none
        answers, the addresses are forgotten: the next connection looks the name up anew."""
        failure: OSError | None = None
        for family, kind, proto, _name, address in self._addresses():
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(wait)
                sock.connect(address)
            except OSError as exc:
                sock.close()
                failure = exc
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        with self._lock:
            self._resolved = None
        raise failure or OSError(f"no address for {self._host}")

    def _addresses(self) -> list[tuple[Any, ...]]:
        """The endpoint's addresses, looked up once for the pool rather than once for each
        new connection (a lookup can be a round trip to the resolver, on that connection's
        path), and again once they are a minute old (the picker lives for hours; the portal's
        addresses change). An ASCII name is passed as bytes: no IDNA codec to load for it."""
        with self._lock:
            now = time.monotonic()
            if self._resolved is None or now - self._resolved_at > ADDRESSES_KEPT:
                name = self._host
                host = name.encode("ascii") if name.isascii() else name.encode("idna")
                port = self._port or (443 if self._https else 80)
                self._resolved = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
                self._resolved_at = now
            return self._resolved

    def _load_context(self) -> None:
        """Start loading the TLS context on a thread of its own, unless it is loaded or being
        loaded. The default bundle is 126 CAs, tens of ms (the GIL let go meanwhile): the first
        connection's address lookup and TCP connection go on beside it."""
        with self._lock:
            if self._tls is not None or self._tls_loading:
                return
            self._tls_loading = True
            self._tls_loaded.clear()
        threading.Thread(target=self._loading, name="ssotui-ca-file", daemon=True).start()

    def _loading(self) -> None:
        failure: BaseException | None = None
        context: Any = None
        try:
            context = tls_context(self._ca())
        except BaseException as exc:  # handed over, raised on the connecting thread
            failure = exc
        with self._lock:
            self._tls, self._tls_failure = context, failure
            self._tls_loading = False
            self._tls_loaded.set()

    def _ca(self) -> CaFile:
        return self._ca_file or CaFile(default_ca_file())

    def _context(self) -> Any:
        """The TLS context, waiting for its loading; UnreadableCaFile when the CA file cannot
        be used (the next connection reads it again)."""
        if not self._tls_loaded.is_set():
            self._load_context()  # unless it is being loaded already
        self._tls_loaded.wait()
        with self._lock:
            context, failure = self._tls, self._tls_failure
        if failure is not None:
            raise failure
        if context is None:
            ca = self._ca()
            raise UnreadableCaFile(
                ca.path, ca.setting or "AWS_CA_BUNDLE", endpoint=self.meta.endpoint_url
            )
        return context
