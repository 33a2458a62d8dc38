"""A small forwarding HTTP proxy on 127.0.0.1, for the tests of the ways through a proxy.

It does what a corporate proxy does for the AWS SDKs: CONNECT for https (a tunnel it cannot
read) and absolute-form requests (`GET http://host/path HTTP/1.1`) for http. It counts what
passed through (`passed`: "CONNECT host:port" or "METHOD URL"), can require
`Proxy-Authorization` (`credentials`: the user and password it accepts), can refuse everything
with one status (`refuse`: 403, 407, ...) or close each connection at once (`close = True`).
Every Proxy-Authorization it saw is kept in `authorizations`. With `tunnels` (host name -> port)
it plays the internet for a client that cannot be given another endpoint (the AWS CLI before
2.13 has no `AWS_ENDPOINT_URL_SSO`): a CONNECT to a name there is tunnelled to that port on
127.0.0.1, and any other CONNECT or request is refused with 403.
"""

from __future__ import annotations

import base64
import select
import socket
import socketserver
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

_LIMIT = 64 * 1024


@dataclass
class ForwardProxy:
    """The proxy's knobs and what it saw; `url` once started."""

    credentials: tuple[str, str] | None = None
    refuse: int | None = None
    close: bool = False
    tunnels: dict[str, int] | None = None
    passed: list[str] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)
    _server: socketserver.ThreadingTCPServer | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT` (no credentials in it)."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ForwardProxy:
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._handle(self.request)

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        # polled often: `stop` waits for the next poll (half a second by default)
        threading.Thread(target=lambda: server.serve_forever(0.01), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> ForwardProxy:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # --- one client connection ----------------------------------------------------------------

    def _handle(self, client: socket.socket) -> None:
        if self.close:
            client.close()
            return
        head, rest = _read_head(client)
        if not head:
            return
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        headers = [line.split(":", 1) for line in lines[1:] if ":" in line]
        named = {k.strip().lower(): v.strip() for k, v in headers}
        auth = named.get("proxy-authorization", "")
        if auth:
            self.authorizations.append(auth)
        if self.refuse is not None:
            _answer(client, self.refuse)
            return
        if self.credentials is not None and auth != _basic(*self.credentials):
            _answer(client, 407, 'Proxy-Authenticate: Basic realm="proxy"\r\n')
            return
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            host = host.strip("[]")
            if self.tunnels is not None:
                if host.lower() not in self.tunnels:
                    _answer(client, 403)
                    return
                host, port = "127.0.0.1", str(self.tunnels[host.lower()])
            try:
                upstream = socket.create_connection((host, int(port)), timeout=10)
            except OSError:
                _answer(client, 502)
                return
            self.passed.append(f"CONNECT {target}")
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if rest:
                upstream.sendall(rest)
            _relay(client, upstream)
            return
        if self.tunnels is not None:
            _answer(client, 403)
            return
        parts = urlsplit(target)
        if parts.scheme != "http" or not parts.hostname:
            _answer(client, 400)
            return
        self.passed.append(f"{method} {target}")
        length = int(named.get("content-length", "0"))
        while len(rest) < length:
            chunk = client.recv(_LIMIT)
            if not chunk:
                break
            rest += chunk
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        kept = [
            f"{k}:{v}"
            for k, v in headers
            if k.strip().lower() not in {"proxy-authorization", "proxy-connection", "connection"}
        ]
        request = "\r\n".join([f"{method} {path} HTTP/1.1", *kept, "Connection: close", "", ""])
        try:
            upstream = socket.create_connection((parts.hostname, parts.port or 80), timeout=10)
        except OSError:
            _answer(client, 502)
            return
        upstream.sendall(request.encode("latin-1") + rest)
        _relay(client, upstream)


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def _read_head(sock: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(_LIMIT)
        if not chunk:
            return b"", b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _answer(client: socket.socket, status: int, extra: str = "") -> None:
    body = b"<html><body>refused by the proxy</body></html>"
    client.sendall(
        (
            f"HTTP/1.1 {status} Proxy Says No\r\n{extra}Content-Type: text/html\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode("ascii")
        + body
    )
    client.close()


def _relay(a: socket.socket, b: socket.socket) -> None:
    """Copy bytes both ways until either side closes."""
    try:
        while True:
            ready, _, _ = select.select([a, b], [], [], 30)
            if not ready:
                return
            for sock in ready:
                data = sock.recv(_LIMIT)
                if not data:
                    return
                (b if sock is a else a).sendall(data)
    except OSError:
        return
    finally:
        b.close()
        a.close()
