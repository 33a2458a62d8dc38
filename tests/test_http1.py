"""ssotui's own HTTP/1.1 exchange (`tui.aws.http1`), held against `http.client` and against
answers the recording server of test_portal_http.py cannot send: interim answers, HTTP/1.0,
no length, cut short, not HTTP at all.

Each answer is scripted byte for byte on a raw socket, and read through the Portal, as a
command reads it: what a user would see is the accounts listed, or one line.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from tui.aws import clients, http1, portal_http
from tui.aws.portal import Portal
from tui.aws.portal_botocore import BotocorePortalClient
from tui.aws.portal_http import PortalHttpClient
from tui.errors import ServiceError
from tui.models import SsoSession, Token, utcnow
from tui.sim import certificate

SESSION = SsoSession(name="dev", start_url="https://example.awsapps.com/start", region="us-east-1")
PAGE = json.dumps({"accountList": [{"accountId": "012345678901", "accountName": "Prod"}]}).encode()
LISTED = [("012345678901", "Prod")]

Script = Callable[[int], tuple[bytes, bool]]  # request number -> (bytes to send, then close)


@dataclass
class RawServer:
    """Answers each request with scripted bytes; counts connections and requests."""

    url: str
    accepted: int = 0
    requests: list[bytes] = field(default_factory=list)


@contextlib.contextmanager
def raw_server(script: Script) -> Iterator[RawServer]:
    listener = socket.create_server(("127.0.0.1", 0))
    server = RawServer(url=f"http://127.0.0.1:{listener.getsockname()[1]}")

    def serve(conn: socket.socket) -> None:
        with conn:
            data = b""
            while True:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                request, _, data = data.partition(b"\r\n\r\n")
                server.requests.append(request + b"\r\n\r\n")
                reply, close = script(len(server.requests))
                conn.sendall(reply)
                if close:
                    return

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            server.accepted += 1
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield server
    finally:
        listener.close()


def portal_at(url: str, monkeypatch: pytest.MonkeyPatch, mode: str = "direct") -> Portal:
    """A Portal at `url` through the direct client, or botocore's (`mode` "botocore": where a
    proxy, a `ca_bundle` or another setting sends ssotui through botocore)."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", url)
    monkeypatch.setenv("SSOTUI_PORTAL_CLIENT", mode)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    clients.clear_cache()
    token = Token(
        start_url=SESSION.start_url,
        region=SESSION.region,
        access_token="secret-token",
        expires_at=utcnow() + timedelta(hours=1),
    )
    portal = Portal(SESSION, token, sleep=lambda _s: None, environ=os.environ)
    kind = PortalHttpClient if mode == "direct" else BotocorePortalClient
    assert isinstance(portal.client, kind)
    return portal


def listed(portal: Portal) -> list[tuple[str, str]]:
    return [(a.account_id, a.name) for page in portal.list_accounts() for a in page]


def always(reply: bytes, close: bool = False) -> Script:
    return lambda _n: (reply, close)


def answer(head: str, body: bytes = PAGE) -> bytes:
    return head.replace("\n", "\r\n").encode() + b"\r\n" + body


# --- what is sent -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "port", "default"),
    [
        ("127.0.0.1", None, 80),
        ("127.0.0.1", 8080, 80),
        ("portal.example", 443, 443),
        ("::1", 9, 443),
    ],
)
def test_the_host_header_is_the_one_http_client_writes(
    host: str, port: int | None, default: int
) -> None:
    conn = (http.client.HTTPConnection if default == 80 else http.client.HTTPSConnection)(
        host, port
    )
    sent: list[bytes] = []
    conn.send = sent.append  # type: ignore[method-assign]
    conn.putrequest("GET", "/")
    conn.endheaders()
    host_line = next(line for line in sent[0].split(b"\r\n") if line.startswith(b"Host: "))
    assert host_line.decode() == f"Host: {http1.host_header(host, port, default)}"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_request_is_byte_for_byte_what_http_client_sends(
    method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = {"x-amz-sso_bearer_token": "t0ken+/=", "User-Agent": "ssotui/1 Python/3"}
    target = "/assignment/roles?account_id=012345678901&max_result=100"
    with raw_server(always(answer("HTTP/1.1 200 OK\nContent-Length: 2\n", b"{}"))) as server:
        port = int(server.url.rsplit(":", 1)[1])
        ours = http1.Connection(
            socket.create_connection(("127.0.0.1", port)), f"127.0.0.1:{port}", max_body=1 << 20
        )
        ours.exchange(method, target, headers)
        ours.close()
        theirs = http.client.HTTPConnection("127.0.0.1", port)
        theirs.request(method, target, headers=headers)
        theirs.getresponse().read()
        theirs.close()
        assert server.requests[0] == server.requests[1]


def test_a_line_break_in_a_header_is_refused_before_anything_is_sent() -> None:
    with raw_server(always(b"")) as server:
        port = int(server.url.rsplit(":", 1)[1])
        conn = http1.Connection(
            socket.create_connection(("127.0.0.1", port)), "127.0.0.1", max_body=1 << 20
        )
        with pytest.raises(ValueError, match="line break"):
            conn.exchange("GET", "/", {"x-amz-sso_bearer_token": "a\r\nX-Injected: 1"})
        conn.close()
        assert server.requests == []


# --- what is read -----------------------------------------------------------------------------


def test_interim_answers_before_the_answer_are_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    reply = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 103 Early Hints\r\nLink: </x>; rel=preload\r\n\r\n"
        + answer(f"HTTP/1.1 200 OK\nContent-Length: {len(PAGE)}\n")
    )
    with raw_server(always(reply)) as server:
        assert listed(portal_at(server.url, monkeypatch)) == LISTED


def test_chunks_with_extensions_and_trailers_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    half = len(PAGE) // 2
    body = (
        f"{half:x};name=value\r\n".encode()
        + PAGE[:half]
        + f"\r\n{len(PAGE) - half:X}\r\n".encode()
        + PAGE[half:]
        + b"\r\n0\r\nx-checksum: abc\r\n\r\n"
    )
    reply = answer("HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n", body)
    with raw_server(always(reply)) as server:
        portal = portal_at(server.url, monkeypatch)
        assert listed(portal) == LISTED
        assert listed(portal) == LISTED
        assert server.accepted == 1  # the whole answer was read: the connection was kept


@pytest.mark.parametrize(
    ("head", "kept"),
    [
        ("HTTP/1.1 200 OK\nContent-Length: {n}\n", True),
        ("HTTP/1.1 200 OK\nContent-Length: {n}\nConnection: close\n", False),
        ("HTTP/1.0 200 OK\nContent-Length: {n}\n", False),
        ("HTTP/1.0 200 OK\nContent-Length: {n}\nConnection: keep-alive\n", True),
    ],
    ids=["1.1", "1.1-close", "1.0", "1.0-keep-alive"],
)
def test_a_connection_is_reused_only_when_the_server_keeps_it(
    head: str, kept: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    reply = answer(head.format(n=len(PAGE)))
    with raw_server(always(reply, close=not kept)) as server:
        portal = portal_at(server.url, monkeypatch)
        for _ in range(3):
            assert listed(portal) == LISTED
        assert server.accepted == (1 if kept else 3)


def test_an_answer_without_a_length_ends_at_the_close(monkeypatch: pytest.MonkeyPatch) -> None:
    with raw_server(always(answer("HTTP/1.1 200 OK\n"), close=True)) as server:
        portal = portal_at(server.url, monkeypatch)
        assert listed(portal) == LISTED
        assert listed(portal) == LISTED
        assert server.accepted == 2  # read to the close: never reused


@pytest.mark.parametrize("mode", ["direct", "botocore"])
@pytest.mark.parametrize(
    ("reply", "close"),
    [
        (answer("HTTP/1.1 200 OK\nContent-Length: 500\n"), True),  # cut short
        (answer("HTTP/1.1 200 OK\nContent-Length: 57\n", b""), True),  # cut before the body
        (answer("HTTP/1.1 200 OK\n", b""), True),  # no length, cut before the body
        (b"HTTP/1.1 200 OK\r\n", True),  # cut after the status line
        (b"HTTP/1.1 200 OK\r\nContent-Length: 57\r\n", True),  # cut in the headers
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", True),
        (b"SSH-2.0-OpenSSH_9.6\r\n", True),  # not HTTP at all
        (b"HTTP/1.1 2OO OK\r\n\r\n", True),
        (b"HTTP/1.1 200 OK\r\n" + b"x-a: b\r\n" * 101 + b"\r\n", True),
        (b"HTTP/1.1 200 OK\r\nx-long: " + b"a" * 70000 + b"\r\n\r\n", True),
        (b"", True),  # closed without a word
        (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n", True),  # cut in the headers
        (answer("HTTP/1.1 200 OK\nContent-Length: 5\nContent-Length: 90\n"), True),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
            + b"x-trailer: a\r\n" * 101
            + b"\r\n",
            True,
        ),
    ],
    ids=[
        "cut-short",
        "cut-before-body",
        "cut-before-body-no-length",
        "cut-after-status",
        "cut-in-headers-with-length",
        "bad-chunk",
        "not-http",
        "bad-status",
        "101-headers",
        "long-line",
        "closed",
        "cut-in-headers",
        "two-lengths",
        "101-trailers",
    ],
)
def test_an_answer_that_cannot_be_read_is_one_line(
    mode: str, reply: bytes, close: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A connection cut inside the headers, or before the body, was read by botocore (whose
    # http.client takes the end of the connection for the end of the headers, and which reads
    # a body shorter than its Content-Length as it came) as an empty answer: "no accounts",
    # exit 0. Either client now calls it a broken connection, tried three times.
    with raw_server(always(reply, close)) as server, pytest.raises(ServiceError) as err:
        listed(portal_at(server.url, monkeypatch, mode))
    if mode == "botocore" and b"x-trailer" in reply:
        # urllib3 reads any number of trailers: an empty chunked body, which no Identity
        # Center sends either (one line all the same, not tried again)
        assert err.value.message == (
            f"Identity Center at {server.url} sent a response ssotui cannot read: try again later"
        )
        return
    assert err.value.message == (
        f"the connection to Identity Center at {server.url} failed: try again later"
    )
    assert len(server.requests) == 3


@pytest.mark.parametrize(
    "lengths",
    [
        "Content-Length: {n}\nContent-Length: {n}\n",
        "Content-Length: {n}, {n}\n",
        "content-length: {n}\nCONTENT-LENGTH: {n}\n",
    ],
    ids=["two-lines", "list", "any-case"],
)
def test_the_same_length_given_twice_is_that_length(
    lengths: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # some servers and proxies repeat Content-Length; urllib3 (botocore) reads it as the one
    # length, as RFC 9110 allows. Read as no length, the answer waited for a close that a
    # kept-alive connection never brings, until the deadline.
    monkeypatch.setenv("SSOTUI_READ_TIMEOUT", "1")
    reply = answer("HTTP/1.1 200 OK\n" + lengths.format(n=len(PAGE)))
    with raw_server(always(reply)) as server:
        portal = portal_at(server.url, monkeypatch)
        assert listed(portal) == LISTED
        assert listed(portal) == LISTED
        assert (server.accepted, len(server.requests)) == (1, 2)


# --- an idle kept connection --------------------------------------------------------------------


def test_bytes_past_an_answer_are_never_read_as_the_next_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a body longer than its Content-Length (here a stray CRLF after it): the next request on
    # that connection read them as its answer, failed, and was sent again after a backoff
    reply = answer(f"HTTP/1.1 200 OK\nContent-Length: {len(PAGE)}\n", PAGE + b"\r\n")
    with raw_server(always(reply)) as server:
        portal = portal_at(server.url, monkeypatch)
        for _ in range(3):
            assert listed(portal) == LISTED
        assert len(server.requests) == 3  # each call sent once: no attempt failed


@dataclass
class IdleTimeout:
    """`close()` makes the server end each connection's idle time with a 408 and its close;
    `closed` is set once it has; `requests` counts the requests it received."""

    url: str
    close: Callable[[], None]
    closed: threading.Event
    requests: list[bytes]


@contextlib.contextmanager
def closing_with_408(tls: ssl.SSLContext | None) -> Iterator[IdleTimeout]:
    """A server that answers the first request of each connection, then, once told to, says
    `408 Request Timeout` and closes it, as a server whose idle timeout ended may."""
    listener = socket.create_server(("127.0.0.1", 0))
    scheme = "https" if tls else "http"
    time_out = threading.Event()
    server = IdleTimeout(
        f"{scheme}://127.0.0.1:{listener.getsockname()[1]}", time_out.set, threading.Event(), []
    )

    def serve(conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            with conn:
                if tls is not None:
                    conn = tls.wrap_socket(conn, server_side=True)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                server.requests.append(data)
                conn.sendall(answer(f"HTTP/1.1 200 OK\nContent-Length: {len(PAGE)}\n"))
                time_out.wait(10)
                conn.sendall(b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n")
            server.closed.set()

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield server
    finally:
        time_out.set()
        listener.close()


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_kept_connection_the_server_timed_out_with_408_is_not_reused(
    scheme: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Some servers answer the end of a kept connection's idle time with a 408 before closing
    # it. Reused, the connection gave that 408 as the next call's answer: "Identity Center
    # refused ListAccounts (408)". urllib3 (botocore) checks a kept connection before reuse.
    tls = None
    if scheme == "https":
        cert, key = request.getfixturevalue("tls_certificate")
        monkeypatch.setenv("AWS_CA_BUNDLE", str(cert))
        tls = certificate.server_context(Path(cert), Path(key))
    with closing_with_408(tls) as server:
        portal = portal_at(server.url, monkeypatch)
        assert listed(portal) == LISTED
        server.close()
        assert server.closed.wait(10)
        assert listed(portal) == LISTED
        assert len(server.requests) == 2  # one each: none was sent twice


@dataclass
class Forgetful:
    """A server behind a NAT that forgets connections: once `forget` is set, the connections
    open so far get no answer, and no close either (`lost` counts the requests sent on them);
    new ones are answered. The first `together` requests are answered only once that many
    have come, each on its own connection."""

    url: str
    forget: threading.Event
    lost: list[bytes]
    answered: list[bytes]


@contextlib.contextmanager
def forgetful(together: int = 1) -> Iterator[Forgetful]:
    listener = socket.create_server(("127.0.0.1", 0))
    server = Forgetful(f"http://127.0.0.1:{listener.getsockname()[1]}", threading.Event(), [], [])
    first = threading.Barrier(together)
    reply = answer(f"HTTP/1.1 200 OK\nContent-Length: {len(PAGE)}\n")

    def serve(conn: socket.socket, forgotten: bool) -> None:
        with contextlib.suppress(OSError, threading.BrokenBarrierError), conn:
            data = b""
            while True:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                request, _, data = data.partition(b"\r\n\r\n")
                if server.forget.is_set() and not forgotten:
                    server.lost.append(request)
                    continue
                if len(server.answered) < together:
                    first.wait(10)
                server.answered.append(request)
                conn.sendall(reply)

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            args = (conn, server.forget.is_set())
            threading.Thread(target=serve, args=args, daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield server
    finally:
        listener.close()


def test_a_connection_idle_for_long_is_not_reused(monkeypatch: pytest.MonkeyPatch) -> None:
    # After a laptop's sleep or a NAT's idle timeout, kept connections are dead with no close
    # to say so: a call sent on one waited its whole read timeout before its retry.
    monkeypatch.setenv("SSOTUI_READ_TIMEOUT", "1")
    with forgetful() as server:
        portal = portal_at(server.url, monkeypatch)
        assert listed(portal) == LISTED
        server.forget.set()
        later = portal_http._wall() + portal_http.IDLE_KEPT + 1
        monkeypatch.setattr(portal_http, "_wall", lambda: later)
        assert listed(portal) == LISTED
        assert server.lost == []  # nothing was sent on the forgotten connection


def test_after_one_kept_connection_goes_silent_the_others_are_not_tried(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The network changed (a VPN came up, the Wi-Fi roamed) under several kept connections:
    # each attempt of the call took the next dead one, and the call failed after three
    # read timeouts where one, then a new connection, would do.
    monkeypatch.setenv("SSOTUI_READ_TIMEOUT", "0.5")
    with forgetful(together=4) as server:
        portal = portal_at(server.url, monkeypatch)
        client = portal.client
        with ThreadPoolExecutor(4) as pool:  # four calls at once: four kept connections
            list(pool.map(lambda _: client.list_accounts(accessToken="t"), range(4)))
        server.forget.set()
        assert listed(portal) == LISTED
        assert len(server.lost) == 1
