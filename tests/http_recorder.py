"""A tiny HTTP/1.1 server on 127.0.0.1 that records each request and answers a canned one.

For the tests that hold ssotui's direct portal client against botocore: both clients are
pointed at a `Recorder`, and what it received (method, path, query, headers) or what they
made of its answer is compared. It can also misbehave the way networks do: close each kept
connection after one answer without saying so, close it instead of answering, accept and never
answer, or speak TLS with a certificate nobody trusts.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Answer:
    """What the server sends back: status, headers (in order), body."""

    status: int = 200
    body: bytes = b"{}"
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)
    chunked: bool = False  # Transfer-Encoding: chunked instead of Content-Length
    drop: bool = False  # close the connection instead of answering (this request only)


@dataclass(frozen=True)
class Recorded:
    """One request as it arrived: the raw target, its parts, lower-cased headers, the body."""

    method: str
    target: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    connection: int  # which accepted connection carried it (1, 2, ...)


Answers = Answer | Callable[[Recorded], Answer]  # one answer for all, or one per request


@dataclass
class _State:
    answer: Answers
    drop_after_answer: bool
    drop_instead: bool
    hang: bool
    tls: ssl.SSLContext | None
    requests: list[Recorded] = field(default_factory=list)
    accepted: int = 0  # TCP connections accepted, TLS handshake or not
    connections: int = 0  # connections that got as far as HTTP
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)
    open: set[socket.socket] = field(default_factory=set)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    state: _State

    def get_request(self) -> tuple[Any, Any]:
        conn, address = super().get_request()
        with self.state.lock:
            self.state.accepted += 1
        return conn, address

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.state.tls is not None:
            # the handshake runs here, in the connection's thread; a client that does not
            # trust the certificate ends it with an alert, and the connection with it
            try:
                request = self.state.tls.wrap_socket(request, server_side=True)
            except OSError:
                return
        super().finish_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away mid-answer is part of what the tests do


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes
    server: _Server
    timeout = 30

    def setup(self) -> None:
        super().setup()
        state = self.server.state
        with state.lock:
            state.connections += 1
            self._number = state.connections
            state.open.add(self.connection)

    def finish(self) -> None:
        with self.server.state.lock:
            self.server.state.open.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        pass

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        with state.lock:
            state.requests.append(
                Recorded(
                    method=self.command,
                    target=self.path,
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    connection=self._number,
                )
            )
            recorded = state.requests[-1]
            answer = state.answer if isinstance(state.answer, Answer) else None
        if answer is None:
            assert not isinstance(state.answer, Answer)
            answer = state.answer(recorded)
        if state.hang:
            state.stopping.wait()
        if state.hang or state.drop_instead or answer.drop:
            self.close_connection = True
            return
        self.send_response_only(answer.status)
        for name, value in answer.headers:
            self.send_header(name, value)
        if answer.chunked:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            half = len(answer.body) // 2
            for piece in (answer.body[:half], answer.body[half:]):
                if piece:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)
        self.wfile.flush()
        # Close without a `Connection: close` header: the client believes the connection is
        # kept alive, as with a load balancer's idle timeout.
        self.close_connection = state.drop_after_answer


class Recorder:
    """The server; use as a context manager. `url` is where it listens."""

    def __init__(
        self,
        answer: Answers | None = None,
        *,
        drop_after_answer: bool = False,
        drop_instead: bool = False,
        hang: bool = False,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self._state = _State(answer or Answer(), drop_after_answer, drop_instead, hang, tls)
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = self._state
        self._tls = tls is not None
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        """`http(s)://127.0.0.1:PORT`."""
        port = self._server.server_address[1]
        return f"{'https' if self._tls else 'http'}://127.0.0.1:{port}"

    @property
    def requests(self) -> list[Recorded]:
        """The requests received so far."""
        with self._state.lock:
            return list(self._state.requests)

    @property
    def accepted(self) -> int:
        """How many TCP connections were accepted so far (TLS handshake done or not)."""
        with self._state.lock:
            return self._state.accepted

    @property
    def connections(self) -> int:
        """How many connections carried HTTP so far."""
        with self._state.lock:
            return self._state.connections

    def answer(self, answer: Answers) -> None:
        """Answer every later request with `answer`."""
        with self._state.lock:
            self._state.answer = answer

    def forget(self) -> None:
        """Drop the recorded requests."""
        with self._state.lock:
            self._state.requests.clear()

    def __enter__(self) -> Recorder:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._state.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        with self._state.lock:
            conns = list(self._state.open)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=2)


@contextlib.contextmanager
def recording(answer: Answers | None = None, **options: Any) -> Iterator[Recorder]:
    """`with recording(Answer(...)) as server:` — a started Recorder, stopped afterwards."""
    with Recorder(answer, **options) as server:
        yield server
