"""The loopback listener of the browser login: where the browser brings the authorization code.

It listens on 127.0.0.1 only, on a free port (port 0), and is bound before anything else
happens, as botocore's `AuthCodeFetcher` is. `GET /oauth/callback` with the expected `state`
ends the wait with its `code` or its `error`, after the browser got a short page saying it can
be closed and the terminal says the rest; the same callback again (a browser's prefetch then
its navigation, a reload) gets the same page and changes nothing; a callback with any other
state is answered 400 and ignored (the wait goes on);
every other request gets 404, and so does one naming another host than 127.0.0.1 or localhost
(a web page whose name an attacker points at 127.0.0.1: DNS rebinding). A connection has
`REQUEST_TIMEOUT` seconds in all to send its request, however it drips it. `close()` stops it:
the login closes it as soon as it ends.
"""

from __future__ import annotations

import contextlib
import html
import re
import secrets
import socket
import socketserver
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tui.errors import BrowserLoginUnavailable

HOST = "127.0.0.1"
PORT = 0  # any free port; a test may point it at a taken one
CALLBACK_PATH = "/oauth/callback"
REQUEST_TIMEOUT = 10.0  # seconds a connection may take to send its request, in all
_OUR_HOSTS = (HOST, "localhost")
_OAUTH_ERROR = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


class ListenerUnavailable(BrowserLoginUnavailable):
    """The loopback listener cannot be bound; `reason` says why in a few words."""


@dataclass(frozen=True)
class Callback:
    """What the browser brought back: a code, or an OAuth error name."""

    code: str | None = field(repr=False, default=None)
    error: str | None = None


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ssotui login</title>
<style>body{{font-family:sans-serif;max-width:32em;margin:4em auto;text-align:center}}</style>
</head><body><h1>ssotui</h1><p>{message}</p></body></html>
"""


def page(message: str) -> bytes:
    """A short HTML page carrying one message."""
    return _PAGE.format(message=html.escape(message)).encode("utf-8")


def oauth_error_name(value: str) -> str:
    """An OAuth error name from the callback, safe to print (anything odd becomes "unknown")."""
    return value if _OAUTH_ERROR.fullmatch(value) else "unknown"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, listener: CallbackListener) -> None:
        self.listener = listener
        super().__init__((HOST, PORT), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Silent: a browser that hangs up must not print a traceback over the picker."""

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up (getfqdn), which can hang on a
        # machine with slow reverse DNS: bind only.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = HOST, int(self.server_address[1])


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection: no thread kept alive
    timeout = REQUEST_TIMEOUT
    server: _Server

    def setup(self) -> None:
        super().setup()
        self._was_cut = False
        # the socket timeout bounds each read only: one byte every few seconds would hold the
        # connection (and its thread) for ever, even after the listener is closed
        self._cutoff = threading.Timer(REQUEST_TIMEOUT, self._cut_off)
        self._cutoff.daemon = True
        self._cutoff.start()

    def _cut_off(self) -> None:
        self._was_cut = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def parse_request(self) -> bool:
        parsed = super().parse_request()  # reads the headers too
        self._cutoff.cancel()  # the request is in: the answer is written at once
        if self._was_cut:  # what came before the cut is not a request (nor a callback)
            self.close_connection = True
            return False
        return parsed

    def finish(self) -> None:
        self._cutoff.cancel()
        super().finish()

    def version_string(self) -> str:
        return "ssotui"

    def _for_us(self) -> bool:
        """Whether the request names this listener (127.0.0.1 or localhost, its port or none)."""
        host = self.headers.get("Host")
        if host is None:
            return True  # an HTTP/1.0 client without one: no web page sends that
        name, _, port = host.strip().lower().rpartition(":")
        if not name:  # no port given
            name, port = port, ""
        return name in _OUR_HOSTS and port in ("", str(self.server.server_port))

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        """Silent: the request line carries the authorization code."""

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (stdlib name)
        split = urlsplit(self.path)
        if split.path != CALLBACK_PATH or not self._for_us():
            self._not_found()
            return
        query = {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        status, message, result = self.server.listener.judge(query)
        try:
            self._answer(status, page(message))
        finally:
            if result is not None:
                self.server.listener.finish(result)

    def _not_found(self) -> None:
        self._answer(404, page("Not found."))

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _not_found  # noqa: N815


def _judged(query: dict[str, str]) -> tuple[int, str, Callback]:
    """The answer to the callback of this login (its state checked): status, message, result."""
    if "error" in query:
        name = oauth_error_name(query["error"])
        return (
            200,
            f"The login failed ({name}). You can close this window and go back to the terminal, "
            "where ssotui says what to do next.",
            Callback(error=name),
        )
    code = query.get("code", "")
    if not code:
        return (
            400,
            "The sign-in came back without a code. Go back to the terminal, where ssotui says "
            "what to do next.",
            Callback(error="no_code"),
        )
    return (
        200,
        # not "logged in" yet: the code is redeemed after this page, and may be refused
        "ssotui got the sign-in and finishes the login. You can close this window and go back "
        "to the terminal, where ssotui says whether it worked.",
        Callback(code=code),
    )


class CallbackListener:
    """A running loopback listener for one login, expecting one `state`."""

    def __init__(self, expected_state: str) -> None:
        self._state = expected_state
        self._result: Callback | None = None
        # the answer the callback that counts got, given again to a repeat of it
        self._first_answer: tuple[int, str] | None = None
        self._judging = threading.Lock()
        self._done = threading.Event()
        self._closed = False
        try:
            self._server = _Server(self)
        except OSError as exc:
            raise ListenerUnavailable(
                f"cannot listen on {HOST} for the browser's answer ({exc.strerror or exc})"
            ) from None
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="ssotui-login-callback",
            daemon=True,
        )
        self._thread.start()

    @property
    def port(self) -> int:
        """The port it listens on."""
        return int(self._server.server_address[1])

    @property
    def redirect_uri(self) -> str:
        """The redirect URI with this listener's port (the authorize and CreateToken one)."""
        return f"http://{HOST}:{self.port}{CALLBACK_PATH}"

    def judge(self, query: dict[str, str]) -> tuple[int, str, Callback | None]:
        """The answer to a callback: HTTP status, page message, and the result when it is the
        first one of this login (a repeat of it gets the same page and no result)."""
        state = query.get("state", "")
        if not secrets.compare_digest(
            state.encode("utf-8", "replace"), self._state.encode("utf-8")
        ):
            return (
                400,
                "This page does not belong to the login ssotui is waiting for. Close it and "
                "use the page ssotui opened.",
                None,
            )
        with self._judging:
            if self._first_answer is not None:
                return (*self._first_answer, None)
            status, message, result = _judged(query)
            self._first_answer = (status, message)
        return status, message, result

    def finish(self, result: Callback) -> None:
        """Record the login's result (the first one counts) and end the wait."""
        if not self._done.is_set():
            self._result = result
            self._done.set()

    def wait(self, seconds: float) -> Callback | None:
        """The result, waiting up to `seconds` for it; None while there is none."""
        if self._done.wait(max(0.0, seconds)):
            return self._result
        return None

    def close(self) -> None:
        """Stop listening (safe to call twice)."""
        if self._closed:
            return
        self._closed = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=2)

    def __enter__(self) -> CallbackListener:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
