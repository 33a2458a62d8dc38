"""An answer far larger than Identity Center's: one line, and the rest is not read.

A wrong or hostile endpoint (`AWS_ENDPOINT_URL_SSO`, `AWS_ENDPOINT_URL_SSO_OIDC` or
`AWS_ENDPOINT_URL_SIGNIN` pointed elsewhere, a proxy) may send hundreds of MB; held whole and
parsed, an answer took about three times its size in memory. Each command runs as a user runs
it, against a server that streams a JSON answer several times the limit, with a
`Content-Length`, chunked, or up to the close, and counts what it got to send before ssotui
hung up.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from tests.cli_helpers import ssotui
from tui.aws import answer_limit, clients, http1, portal_http
from tui.aws.console import ConsoleRequest, console_url
from tui.aws.federation import MAX_ANSWER as SIGNIN_MAX_ANSWER
from tui.aws.portal import Portal
from tui.aws.transport import MAX_ANSWER
from tui.errors import ServiceError
from tui.models import Account, RoleCredentials, SsoSession, Token, utcnow
from tui.sim import Simulator

# The retries after a 5xx are the point here, not how long each waits (conftest).
pytestmark = pytest.mark.usefixtures("quick_retries")

FRAMINGS = ["length", "chunked", "close"]
BLOCK = 1 << 20
HEAD, TAIL = b'{"accountList": [], "padding": "', b'"}'


@dataclass
class Server:
    """Answers every request with a JSON object of `size` bytes; counts what it sent."""

    url: str
    sent: int = 0  # bytes of bodies handed to the network before the client hung up
    connections: int = 0
    threads: list[threading.Thread] = field(default_factory=list)

    def wait(self) -> None:
        """Until every answer is sent, or its client hung up."""
        for thread in self.threads:
            thread.join(timeout=30)


def _body(size: int) -> Iterator[bytes]:
    """A JSON object of exactly `size` bytes, in pieces of at most BLOCK."""
    padding = size - len(HEAD) - len(TAIL)
    yield HEAD
    while padding > 0:
        piece = min(padding, BLOCK)
        yield b"x" * piece
        padding -= piece
    yield TAIL


@contextlib.contextmanager
def answering(framing: str, size: int, status: int = 200) -> Iterator[Server]:
    listener = socket.create_server(("127.0.0.1", 0))
    server = Server(url=f"http://127.0.0.1:{listener.getsockname()[1]}")

    def serve(conn: socket.socket) -> None:
        with conn:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 256 * 1024)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head = f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
            if framing == "length":
                head += f"Content-Length: {size}\r\n"
            elif framing == "chunked":
                head += "Transfer-Encoding: chunked\r\n"
            else:
                head += "Connection: close\r\n"
            try:
                conn.sendall(head.encode() + b"\r\n")
                for piece in _body(size):
                    if framing == "chunked":
                        piece = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
                    conn.sendall(piece)
                    server.sent += len(piece)
                if framing == "chunked":
                    conn.sendall(b"0\r\n\r\n")
            except OSError:
                return  # the client hung up

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            server.connections += 1
            thread = threading.Thread(target=serve, args=(conn,), daemon=True)
            server.threads.append(thread)
            thread.start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield server
    finally:
        listener.close()


# --- as a user meets it ------------------------------------------------------------------------

WHOLE = 4 * MAX_ANSWER  # what the server would send if it were let


@pytest.mark.parametrize("framing", FRAMINGS)
@pytest.mark.parametrize("client", ["direct", "botocore"])
def test_a_huge_portal_answer_is_one_line_and_not_read_on(
    framing: str, client: str, sim: Simulator, token: Token
) -> None:
    with answering(framing, WHOLE) as server:
        env = {"AWS_ENDPOINT_URL_SSO": server.url}
        if client == "botocore":
            env["SSOTUI_PORTAL_CLIENT"] = "botocore"
        result = ssotui("list", "--refresh", env=env)
        server.wait()
    assert result.status == 1
    assert result.err == (
        f"ssotui: the answer from {server.url} is larger than 16 MiB, far more than Identity "
        "Center sends: check AWS_ENDPOINT_URL_SSO\n"
    )  # was: exit 0 after ~3x the answer's size in memory (or "cannot read", after reading it)
    assert server.connections == 1  # not asked again
    assert server.sent <= 2 * MAX_ANSWER  # was: all of it


@pytest.mark.parametrize("framing", FRAMINGS)
def test_a_huge_oidc_answer_is_one_line_and_not_read_on(
    framing: str, session: SsoSession, sim: Simulator
) -> None:
    with answering(framing, WHOLE) as server:
        env = {"AWS_ENDPOINT_URL_SSO_OIDC": server.url}
        result = ssotui("login", "--use-device-code", "--no-browser", env=env)
        server.wait()
    assert result.status == 1
    assert result.err == (
        f"ssotui: the answer from {server.url} is larger than 16 MiB, far more than Identity "
        "Center sends: check AWS_ENDPOINT_URL_SSO_OIDC\n"
    )
    assert server.connections == 1  # botocore's retries do not ask again
    assert server.sent <= 2 * MAX_ANSWER


def test_a_huge_sign_in_answer_says_so(sim: Simulator) -> None:
    creds = RoleCredentials(
        account=Account("111122223333", "Prod"),
        role_name="Admin",
        access_key_id="ASIAEXAMPLE",
        secret_access_key="secret-key",
        session_token="session-token",
        expiration=utcnow() + timedelta(hours=1),
    )
    with answering("length", 32 * SIGNIN_MAX_ANSWER) as server:
        with pytest.raises(ServiceError) as err:
            console_url(
                creds,
                ConsoleRequest("eu-west-1"),
                start_url=sim.start_url,
                environ={"AWS_ENDPOINT_URL_SIGNIN": server.url},
            )
        server.wait()
    assert err.value.message == (
        f"the answer from {server.url}/federation is larger than 64 KiB, far more than the AWS "
        "sign-in endpoint sends: check AWS_ENDPOINT_URL_SIGNIN and your proxy settings "
        "(HTTPS_PROXY, NO_PROXY)"
    )  # was: "sent an answer ssotui cannot read (no sign-in token): try again later"


# --- where the line is ------------------------------------------------------------------------

SMALL = 4096  # the limit in these tests, so that the boundary is quick to reach


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portal_http, "MAX_ANSWER", SMALL)
    monkeypatch.setattr(answer_limit, "MAX_ANSWER", SMALL)
    clients.clear_cache()


def _portal(url: str, client: str, monkeypatch: pytest.MonkeyPatch) -> Portal:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", url)
    if client == "botocore":
        monkeypatch.setenv("SSOTUI_PORTAL_CLIENT", "botocore")
    else:
        monkeypatch.delenv("SSOTUI_PORTAL_CLIENT", raising=False)
    clients.clear_cache()
    session = SsoSession("dev", "https://example.awsapps.com/start", "us-east-1")
    token = Token(
        start_url=session.start_url,
        region=session.region,
        access_token="secret-token",
        expires_at=utcnow() + timedelta(hours=1),
    )
    return Portal(session, token, sleep=lambda _s: None, environ=os.environ)


@pytest.mark.usefixtures("small_limit")
@pytest.mark.parametrize("framing", ["length", "close"])
@pytest.mark.parametrize("client", ["direct", "botocore"])
def test_an_answer_of_the_limit_is_read_one_byte_more_is_not(
    framing: str, client: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with answering(framing, SMALL) as server:
        assert list(_portal(server.url, client, monkeypatch).list_accounts()) == [[]]
    with answering(framing, SMALL + 1) as server:
        with pytest.raises(ServiceError, match=r"larger than 4 KiB"):
            list(_portal(server.url, client, monkeypatch).list_accounts())
        assert server.connections == 1


@pytest.mark.usefixtures("small_limit")
@pytest.mark.parametrize("client", ["direct", "botocore"])
def test_a_chunked_answer_under_the_limit_is_read(
    client: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with answering("chunked", SMALL // 2) as server:
        assert list(_portal(server.url, client, monkeypatch).list_accounts()) == [[]]
    with (
        answering("chunked", SMALL + 1) as server,
        pytest.raises(ServiceError, match=r"larger than 4 KiB"),
    ):
        list(_portal(server.url, client, monkeypatch).list_accounts())


def test_tiny_chunks_with_long_extensions_count_too() -> None:
    # one byte of data per 60 KB chunk line: the limit holds on what is read, not only on data
    listener = socket.create_server(("127.0.0.1", 0))
    chunk = b"1;" + b"e" * 60_000 + b"\r\nx\r\n"

    def serve() -> None:
        conn, _ = listener.accept()
        with conn, contextlib.suppress(OSError):
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            for _ in range(1000):
                conn.sendall(chunk)

    threading.Thread(target=serve, daemon=True).start()
    with socket.create_connection(listener.getsockname()) as sock:
        conn = http1.Connection(sock, "127.0.0.1", max_body=1 << 20)
        with pytest.raises(http1.TooLarge):
            conn.exchange("GET", "/", {})
    listener.close()


def test_a_botocore_without_the_private_http_session_is_left_unlimited() -> None:
    """The limit reaches into botocore's private `client._endpoint.http_session`; a botocore
    that moved it must still log in (without the limit), not fail on every call."""
    from types import SimpleNamespace

    from tui.aws.answer_limit import limit_answers

    for client in (SimpleNamespace(), SimpleNamespace(_endpoint=SimpleNamespace())):
        limit_answers(client, "sso-oidc")  # no AttributeError
        assert not hasattr(getattr(client, "_endpoint", None), "http_session")


@pytest.mark.parametrize("status", [200, 400, 500])
@pytest.mark.parametrize("client", ["direct", "botocore"])
def test_an_answer_nested_past_the_parser_is_one_line(
    client: str, status: int, sim: Simulator, token: Token
) -> None:
    """100 KB of `[` (well under the size limit): Python's JSON parser gives up with a
    RecursionError, which was "ssotui: unexpected error (RecursionError)"."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    body = b"[" * 100_000

    class Deep(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Deep)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {"AWS_ENDPOINT_URL_SSO": f"http://127.0.0.1:{server.server_address[1]}"}
        if client == "botocore":
            env["SSOTUI_PORTAL_CLIENT"] = "botocore"
        result = ssotui("list", "--refresh", env=env)
    finally:
        server.shutdown()
        server.server_close()
    assert result.status == 1
    assert result.err.count("\n") == 1 and result.err.startswith("ssotui: "), result.err
    assert "unexpected error" not in result.err and "Recursion" not in result.err, result.err
