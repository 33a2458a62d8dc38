"""One HTTP/1.1 exchange at a time on a kept-alive connection: what the portal client needs of
`http.client`, without its cost.

`http.client` reads every answer's headers through the `email` package: about 10 ms of imports
before a command's first call and about 0.1 ms of CPU per call (`python -m tui.bench`). The
portal's exchanges are plain (a GET or POST with a few headers, a JSON answer), so they are
written and read here, as RFC 9112 says and as `http.client` does:

- a request line, `Host`, `Accept-Encoding: identity`, for a POST `Content-Length: 0`, then the
  caller's headers (what `http.client` sends for the same call, byte for byte);
- interim 1xx answers are skipped; HEAD, 204 and 304 have no body; otherwise the body is
  `Transfer-Encoding: chunked`, else `Content-Length` long (the same length given twice is
  that length), else everything up to the close;
- the connection is kept unless the answer says `Connection: close`, is HTTP/1.0 without
  keep-alive, or has no length; before it is used again, `stale` says whether the server sent
  anything meanwhile (bytes past the last answer, a 408 before it closed, its close or reset),
  as urllib3 asks before it reuses a connection;
- a body longer than the connection's `max_body` is not read on: a `Content-Length` over it
  fails before a byte of the body is read, a chunked or read-to-the-close body as soon as it
  passes it (chunk sizes and extensions counted, so tiny chunks cannot hold it up).

An answer must come whole within the time the caller gives `exchange` (`within`), however
it arrives: a server that drips a byte a second, or sends `100 Continue` forever, gets a
TimeoutError at that time, as a silent one does (each read also waits at most the socket's
own timeout).

Errors are `OSError`s, as a broken connection's are: `Closed` (the server closed the connection
before answering: a kept-alive connection it had dropped), `BadResponse`, `TooLarge` (after
which the connection is of no more use) and `BadTarget`.
"""

from __future__ import annotations

import io
import socket
import time
from typing import NamedTuple

MAX_LINE = 65536  # bytes in a status or header line (http.client's limit)
MAX_HEADERS = 100  # header lines in one answer (http.client's limit)
_NO_BODY = frozenset({204, 304})
_BAD_IN_TARGET = frozenset(range(0x21)) | {0x7F}


class Closed(ConnectionError):
    """The server closed the connection without answering."""


class BadResponse(OSError):
    """What came back is not an HTTP/1.1 answer."""


class TooLarge(BadResponse):
    """The answer's body is longer than `limit` bytes; the rest of it was not read."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the answer is longer than {limit} bytes")
        self.limit = limit


class BadTarget(OSError):
    """The request cannot be sent: its target holds a space or a control character (the
    path of an endpoint URL set by hand, say); nothing was sent."""


class Response(NamedTuple):
    """An answer: status, headers (names in lower case, repeated ones joined with ", "),
    body, and whether the server will close the connection after it."""

    status: int
    headers: dict[str, str]
    body: bytes
    will_close: bool


def host_header(host: str, port: int | None, default_port: int) -> str:
    """The `Host` value for `host` and `port`, as `http.client` writes it."""
    name = host.encode("idna").decode("ascii") if not host.isascii() else host
    if ":" in name:  # an IPv6 address
        name = f"[{name}]"
    return name if port in (None, default_port) else f"{name}:{port}"


class _TimedReader(io.RawIOBase):
    """The socket's bytes, each read waiting no longer than the socket's timeout nor past
    `until` (time.monotonic; None: no end)."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__()
        self.sock = sock
        self.until: float | None = None
        self.each: float | None = None  # the socket's own timeout for one read
        self.no_wait = False  # read nothing: what is buffered already is all there is

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int | None:  # type: ignore[override]
        if self.no_wait:
            return None  # "nothing available", as a non-blocking stream says it
        if self.until is not None:
            left = self.until - time.monotonic()
            if left <= 0:
                raise TimeoutError("the answer did not come whole in time")
            self.sock.settimeout(left if self.each is None else min(self.each, left))
        return self.sock.recv_into(buffer)


class Connection:
    """A connected socket (plain or TLS) and the answers read from it, one at a time; a body
    longer than `max_body` bytes raises TooLarge."""

    def __init__(self, sock: socket.socket, host: str, *, max_body: int) -> None:
        self.sock = sock
        self._host = host
        self._raw = _TimedReader(sock)
        self._in = io.BufferedReader(self._raw)
        self.max_body = max_body

    def close(self) -> None:
        """Close the connection (harmless when already closed)."""
        self._in.close()
        self.sock.close()

    def stale(self) -> bool:
        """Whether this idle connection is of no more use: since its last answer the server
        sent more (bytes past that answer's end, or a 408 before closing: either would be
        read as the next request's answer), closed it or reset it. Waits for nothing."""
        if self._in.closed:
            return True
        self._raw.no_wait = True
        try:
            if self._in.peek(1):  # bytes read past the last answer
                return True
        finally:
            self._raw.no_wait = False
        pending = getattr(self.sock, "pending", None)  # TLS: decrypted, not yet read
        if pending is not None and pending():
            return True
        return _readable(self.sock)

    def exchange(
        self,
        method: str,
        target: str,
        headers: dict[str, str],
        *,
        within: float | None = None,
    ) -> Response:
        """Send one request and read its answer: each read waits at most the socket's timeout,
        and the whole answer must have come `within` seconds from now (None: no such end)."""
        if any(ord(c) in _BAD_IN_TARGET for c in target):
            raise BadTarget(f"the request target {target!r} holds a space or control character")
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self._host}", "Accept-Encoding: identity"]
        if method in ("POST", "PUT", "PATCH"):
            lines.append("Content-Length: 0")
        for name, value in headers.items():
            if "\r" in value or "\n" in value:
                raise ValueError(f"the {name} header holds a line break")
            lines.append(f"{name}: {value}")
        each = self.sock.gettimeout()
        self._raw.each = each
        self._raw.until = None if within is None else time.monotonic() + within
        try:
            self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            return self._answer(method)
        finally:
            self._raw.until = None
            self.sock.settimeout(each)

    # -- reading -------------------------------------------------------------------------------

    def _line(self) -> bytes:
        line = self._in.readline(MAX_LINE + 1)
        if len(line) > MAX_LINE:
            raise BadResponse("a line of the answer is too long")
        return line

    def _answer(self, method: str) -> Response:
        while True:
            line = self._line()
            if not line:
                raise Closed("the server closed the connection without answering")
            version, status = _status_line(line)
            headers = self._headers()
            if not 100 <= status < 200 or status == 101:
                break
        if status in _NO_BODY or 100 <= status < 200 or method == "HEAD":
            return Response(status, headers, b"", _closes(version, headers, known_length=True))
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return Response(status, headers, self._chunked(), _closes(version, headers, True))
        length = _length(headers.get("content-length"))
        if length is None:  # up to the close
            body = self._in.read(self.max_body + 1)
            if len(body) > self.max_body:
                raise TooLarge(self.max_body)
            return Response(status, headers, body, True)
        if length > self.max_body:
            raise TooLarge(self.max_body)
        body = self._in.read(length)
        if len(body) < length:
            raise BadResponse(f"the answer ended after {len(body)} of {length} bytes")
        return Response(status, headers, body, _closes(version, headers, known_length=True))

    def _headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        for _ in range(MAX_HEADERS + 1):
            line = self._line()
            if line in (b"\r\n", b"\n"):
                return headers
            if not line:  # http.client takes this for the end of the headers, and an answer
                # with no length then for an empty one: "no accounts", where it was cut short
                raise BadResponse("the answer ended inside its headers")
            name, colon, value = line.decode("iso-8859-1").partition(":")
            if not colon:
                continue  # not a field (http.client skips these too)
            key, text = name.strip().lower(), value.strip()
            headers[key] = f"{headers[key]}, {text}" if key in headers else text
        raise BadResponse(f"the answer has more than {MAX_HEADERS} headers")

    def _chunked(self) -> bytes:
        body = bytearray()
        read = 0  # bytes of the body read, its chunks' size lines and line ends included
        while True:
            size_line = self._line()
            read += len(size_line)
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise BadResponse("a chunk of the answer has no readable size") from None
            if size == 0:
                break
            if read + size > self.max_body:
                raise TooLarge(self.max_body)
            data = self._in.read(size)
            read += len(data) + len(self._line())  # the CRLF after the chunk
            if len(data) < size:
                raise BadResponse("the answer ended inside a chunk")
            body += data
        for _ in range(MAX_HEADERS + 1):  # trailer fields: not used
            if self._line() in (b"\r\n", b"\n", b""):
                return bytes(body)
        raise BadResponse(f"the answer has more than {MAX_HEADERS} trailer fields")


def _readable(sock: socket.socket) -> bool:
    """Whether `sock` has something to read (bytes, the end, an error) right now."""
    import select

    if hasattr(select, "poll"):  # no limit on the descriptor's number, unlike select
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    return bool(select.select([sock], [], [], 0)[0])


def _status_line(line: bytes) -> tuple[str, int]:
    """(version, status) of a status line, as `http.client` reads it."""
    parts = line.decode("iso-8859-1").split(None, 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not _digits(parts[1]):
        raise BadResponse(f"not an HTTP status line: {line[:40]!r}")
    status = int(parts[1])
    if not 100 <= status <= 999:
        raise BadResponse(f"not an HTTP status: {status}")
    return parts[0], status


def _length(value: str | None) -> int | None:
    """The body's length a `Content-Length` value says, None when it says none. The same
    length repeated (two `Content-Length` lines, or `5, 5`: some servers and proxies send
    that) is that length, as RFC 9110 (8.6) allows and urllib3 reads it; different lengths
    are no answer to trust."""
    if value is None:
        return None
    lengths = {part.strip() for part in value.split(",")}
    if not all(_digits(length) for length in lengths):
        return None  # unknown: read up to the close (as http.client does)
    if len({int(length) for length in lengths}) > 1:
        raise BadResponse(f"the answer gives different lengths: Content-Length {value[:40]}")
    return int(lengths.pop())


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _closes(version: str, headers: dict[str, str], known_length: bool) -> bool:
    """Whether the server closes the connection after this answer."""
    connection = headers.get("connection", "").lower()
    if "close" in connection or not known_length:
        return True
    if version == "HTTP/1.0":
        return "keep-alive" not in connection and "keep-alive" not in headers
    return False
