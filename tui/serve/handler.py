"""One request to the credential endpoint: the guards, then the credentials or an error JSON.

Checks in this order: Host (403), Authorization (401 missing, 403 wrong), the path (404), the
method (405, only GET). A request's line and headers must arrive within the deadline of
`tui.serve.connections`, and a kept-alive connection waits for the next one only as long as it
says (each read is bounded by the time left). Every answer is JSON without CORS headers; a
refused request closes its connection. Nothing is written to stderr: the request line, without
its path, goes to the `ssotui.serve` logger at debug level, and that is all that is logged.
"""

from __future__ import annotations

import io
import logging
import re
import socket
import socketserver
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any, cast

from tui.serve.answers import (
    Answer,
    credentials_answer,
    error_answer,
    failure_line,
    fetch_failed,
)
from tui.serve.connections import HEAD_DEADLINE, Connections
from tui.serve.guards import authorization_refusal, host_allowed
from tui.serve.refusals import LastRefusal
from tui.serve.renewing import RenewingCredentials

log = logging.getLogger("ssotui.serve")

_IDLE_CHECK = 1.0

_METHOD = re.compile(r"[A-Z]{1,16}")
_VERSION = re.compile(r"HTTP/\d\.\d")


class EndpointServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """What a request handler needs to know of its endpoint (the server sets these)."""

    port: int
    token: str
    path: str
    credentials: RenewingCredentials
    connections: Connections
    refusals: LastRefusal
    advice: Callable[[str], str] | None  # a failure's advice in the door's words


class _TimedReader(io.RawIOBase):
    """The bytes of a connection, each read bounded by the time its request has left."""

    def __init__(self, handler: CredentialRequestHandler) -> None:
        super().__init__()
        self._handler = handler

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        handler = self._handler
        while True:
            left = handler.time_left()
            if left <= 0:
                raise TimeoutError("the request took too long")
            # An idle connection looks again every second: the idle timeout shortens when the
            # endpoint gets crowded.
            handler.connection.settimeout(min(left, _IDLE_CHECK) if handler.idle else left)
            try:
                count = handler.connection.recv_into(buffer)
            except TimeoutError:
                continue
            if count and handler.idle:
                handler.request_started()
            return int(count)


class CredentialRequestHandler(BaseHTTPRequestHandler):
    """Answers one connection's requests (HTTP/1.1, kept alive while they succeed)."""

    protocol_version = "HTTP/1.1"
    # Each answer is buffered and sent in one write when the request is done, then at once.
    wbufsize = -1
    disable_nagle_algorithm = True
    connection: socket.socket
    # Whether the connection waits for a kept-alive connection's next request (since
    # `idle_since`), or for a request begun, whose line and headers must come by `deadline`.
    idle = False
    idle_since = 0.0
    deadline = 0.0
    _answered = 0

    def setup(self) -> None:
        """The connection's reader bounds every read by the request's deadline."""
        super().setup()
        self.deadline = time.monotonic() + HEAD_DEADLINE  # the first request: from the connect
        self.rfile = io.BufferedReader(_TimedReader(self))

    def handle_one_request(self) -> None:
        """One request; after the first, the wait for it is the idle timeout of the moment."""
        if self._answered:
            self.idle = True
            self.idle_since = time.monotonic()
            cast(EndpointServer, self.server).connections.waiting(self.connection)
        super().handle_one_request()

    def time_left(self) -> float:
        """How long the current read may still wait."""
        if self.idle:
            timeout = cast(EndpointServer, self.server).connections.idle_timeout()
            return self.idle_since + timeout - time.monotonic()
        return self.deadline - time.monotonic()

    def request_started(self) -> None:
        """The first bytes of a kept-alive connection's next request came: the rest must come
        within the deadline."""
        self.idle = False
        self.deadline = time.monotonic() + HEAD_DEADLINE
        cast(EndpointServer, self.server).connections.waiting(self.connection)

    def version_string(self) -> str:
        """The Server header."""
        return "ssotui"

    def __getattr__(self, name: str) -> Callable[[], None]:
        # http.server looks up `do_<METHOD>`: every method comes here, so that any method but
        # GET gets a 405 in JSON rather than the 501 HTML page of http.server.
        if name.startswith("do_"):
            return self._answer_request
        raise AttributeError(name)

    def _answer_request(self) -> None:
        if not cast(EndpointServer, self.server).connections.answering(self.connection):
            self.close_connection = True  # dropped to make room for another
            return
        self.connection.settimeout(HEAD_DEADLINE)  # for the answer, which is small
        self._answered += 1
        self._send(self._decide())

    def _decide(self) -> Answer:
        server = cast(EndpointServer, self.server)
        if not host_allowed(self.headers.get_all("Host") or [], server.port):
            return error_answer(
                HTTPStatus.FORBIDDEN, "ForbiddenHost", "only 127.0.0.1 and localhost are served"
            )
        refusal = authorization_refusal(self.headers.get_all("Authorization") or [], server.token)
        if refusal == HTTPStatus.UNAUTHORIZED:
            return error_answer(
                refusal,
                "Unauthorized",
                "no Authorization header: send AWS_CONTAINER_AUTHORIZATION_TOKEN",
            )
        if refusal is not None:
            return error_answer(refusal, "Forbidden", "wrong Authorization")
        if self._sent_path() != server.path:
            return error_answer(HTTPStatus.NOT_FOUND, "NotFound", "no such path")
        if self.command != "GET":
            return error_answer(HTTPStatus.METHOD_NOT_ALLOWED, "MethodNotAllowed", "only GET")
        try:
            creds = server.credentials.get()
        except Exception as exc:
            server.refusals.refused(failure_line(exc))
            return fetch_failed(exc, server.advice)
        server.refusals.answered()
        return credentials_answer(creds)

    def _sent_path(self) -> str | None:
        # As sent: http.server turns a leading "//" of `self.path` into "/".
        words = getattr(self, "requestline", "").split()
        return words[1] if len(words) == 3 else None

    def _send(self, answer: Answer) -> None:
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Cache-Control", "no-store")
        if answer.status == HTTPStatus.METHOD_NOT_ALLOWED:
            self.send_header("Allow", "GET")
        if not answer.is_success or self._has_body():
            # A refused client, or a body left unread, gets no further requests on this
            # connection.
            self.close_connection = True
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    def _has_body(self) -> bool:
        headers = getattr(self, "headers", None)
        if headers is None:
            return False
        length = headers.get("Content-Length")
        return bool(headers.get("Transfer-Encoding")) or length not in (None, "0")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A request http.server could not parse: a JSON error naming only the status (the
        message may quote what was sent)."""
        status = HTTPStatus(code)
        self.close_connection = True
        if self.request_version == "HTTP/0.9":
            # The request line was not understood: http.server would send no status line.
            self.request_version = "HTTP/1.0"
        self._send(error_answer(status, "BadRequest", status.phrase))

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log the request line with its path left out, at debug level."""
        server = cast(EndpointServer, self.server)
        method = self.command if _METHOD.fullmatch(self.command or "") else "?"
        path = "<credentials path>" if self._sent_path() == server.path else "<path>"
        version = self.request_version if _VERSION.fullmatch(self.request_version or "") else "?"
        log.debug("credential endpoint: %s %s %s -> %s", method, path, version, code)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's name)
        """Nothing else is logged (http.server would write it to stderr)."""
