"""HTTP plumbing of the simulator: a threading server on 127.0.0.1 and its request handler.

The handler turns each request into a call of ``Simulator.dispatch`` and writes the answer;
it knows nothing of OIDC or the portal.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.sim.simulator import Response, Simulator


class SimServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that remembers its simulator and its open connections."""

    daemon_threads = True
    block_on_close = False
    # socketserver's default backlog of 5 drops connects when a client opens 32 at once,
    # and each dropped SYN costs a 1 s retry.
    request_queue_size = 128

    def __init__(
        self, address: tuple[str, int], sim: Simulator, tls: ssl.SSLContext | None = None
    ) -> None:
        super().__init__(address, SimHandler)
        self.sim = sim
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        if tls is not None:  # the handshake is done by each connection's thread, not here
            self.socket = tls.wrap_socket(
                self.socket, server_side=True, do_handshake_on_connect=False
            )

    def track(self, conn: socket.socket, alive: bool) -> None:
        """Remember (or forget) an open client connection."""
        with self._conns_lock:
            if alive:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client went away before its answer (it gave up waiting): no news
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        """Shut every kept-alive connection so its handler thread ends now."""
        with self._conns_lock:
            conns, self._conns = list(self._conns), set()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class SimHandler(BaseHTTPRequestHandler):
    """One connection: HTTP/1.1 keep-alive, JSON in and out."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes
    server_version = "ssotui-sim"
    timeout = 30
    server: SimServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        self.server.track(self.connection, False)
        with contextlib.suppress(OSError):
            super().finish()

    def handle(self) -> None:
        if isinstance(self.connection, ssl.SSLSocket):
            try:
                self.connection.do_handshake()
            except OSError:  # a client that does not trust the certificate, or went away
                return
            self.server.sim.count_handshake(bool(self.connection.session_reused))
        super().handle()

    def version_string(self) -> str:
        return self.server_version

    def date_time_string(self, timestamp: float | None = None) -> str:
        if timestamp is None:
            timestamp = time.time() + self.server.sim.knobs.clock_skew
        return super().date_time_string(timestamp)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        self.server.sim.log(format % args)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        response: Response = self.server.sim.dispatch(
            self.command, self.path, dict(self.headers.items()), body
        )
        self.send_response(response.status)
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve  # noqa: N815
