"""The credential endpoint under a crowd of connections over real sockets: another local process
(any user can reach 127.0.0.1) holding many slow connections does not keep the child's SDK from
its credentials, nor make the endpoint hold a thread for each."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.credentials import ContainerProvider
from botocore.utils import ContainerMetadataFetcher

from tests.endpoint_support import allowed_role, ask, role_fetch
from tests.finishing import PATIENCE
from tui.models import SsoSession, Token
from tui.serve import TOKEN_VAR, URI_VAR, CredentialEndpoint, connections, handler
from tui.serve.connections import MAX_CONNECTIONS
from tui.sim import Simulator

# The endpoint's deadlines for a request's head (5 s) and for an idle connection while the
# endpoint is crowded (5 s), cut short: the tests below wait them out.
SHORT = 1.0

_HALF_A_REQUEST = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-"


@pytest.fixture
def endpoint(session: SsoSession, token: Token, sim: Simulator) -> Iterator[CredentialEndpoint]:
    account, role = allowed_role(sim)
    with CredentialEndpoint(role_fetch(session, account, role)) as running:
        running.credentials()
        yield running


def _slow_connection(port: int) -> socket.socket | None:
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=2)
        sock.sendall(_HALF_A_REQUEST)
    except OSError:
        return None
    return sock


def _is_closed(sock: socket.socket) -> bool:
    sock.settimeout(0)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def _answering(endpoint: CredentialEndpoint) -> int:
    """How many threads answer the endpoint's connections now (not the simulator's, nor a
    renewal's: those come and go with the fetches the test does not count)."""
    server = endpoint._server
    return sum(
        getattr(getattr(thread, "_target", None), "__self__", None) is server
        for thread in threading.enumerate()
    )


def test_many_slow_connections_keep_neither_botocore_from_credentials_nor_a_thread_each(
    endpoint: CredentialEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An attacker opens three times as many connections as the endpoint holds, sends half a
    # request on each and one more byte every half second, and opens a new one for each closed.
    slots: list[socket.socket | None] = [
        _slow_connection(endpoint.port) for _ in range(3 * MAX_CONNECTIONS)
    ]
    stop = threading.Event()
    most_threads = [0]

    def keep_them_slow() -> None:
        while not stop.wait(0.5):
            most_threads[0] = max(most_threads[0], _answering(endpoint))
            for i, sock in enumerate(slots):
                try:
                    if sock is None:
                        raise OSError
                    sock.sendall(b"a")
                except OSError:
                    if sock is not None:
                        sock.close()
                    slots[i] = _slow_connection(endpoint.port)

    # botocore's own count of its tries: a try it gives up on (no answer within its 2 s, or a
    # refusal) is followed by a 1 s wait and another
    tries: list[str] = []
    first_try = ContainerMetadataFetcher._get_response

    def counted(self: ContainerMetadataFetcher, *args: Any, **kwargs: Any) -> Any:
        tries.append("sent")
        return first_try(self, *args, **kwargs)

    monkeypatch.setattr(ContainerMetadataFetcher, "_get_response", counted)
    attacker = threading.Thread(target=keep_them_slow, daemon=True)
    attacker.start()
    try:
        time.sleep(1.5)
        env = endpoint.environment()
        for _ in range(3):  # the child's SDK, three times over
            creds = ContainerProvider(environ=env).load()
            assert creds is not None
            assert creds.get_frozen_credentials().access_key.startswith("ASIA")
            time.sleep(0.5)
    finally:
        stop.set()
        attacker.join()
        for sock in slots:
            if sock is not None:
                sock.close()
    # Answered at its first try each time, as botocore counts its tries.
    assert len(tries) == 3, tries
    # One thread per connection held, no more: at most MAX_CONNECTIONS answering.
    assert 0 < most_threads[0] <= MAX_CONNECTIONS, most_threads


def test_a_request_sent_a_byte_at_a_time_is_cut_off_after_the_deadline(
    endpoint: CredentialEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handler, "HEAD_DEADLINE", SHORT)
    env = endpoint.environment()
    request = (
        f"GET {urlsplit(env[URI_VAR]).path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: {env[TOKEN_VAR]}\r\n\r\n"
    ).encode()
    # A byte every quarter second: nothing but the head's deadline (no idle wait ends, a byte
    # keeps coming) cuts it off before the whole request (over a hundred bytes) went.
    sent = 0
    with socket.create_connection(("127.0.0.1", endpoint.port), timeout=10) as sock:
        for byte in request:
            if _is_closed(sock):
                break
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                break
            sent += 1
            time.sleep(0.25)
        else:
            pytest.fail(f"a request trickled in a byte at a time was still read ({sent} bytes)")
    assert 0 < sent < len(request)
    assert ask(endpoint).status == 200  # and the SDK itself is answered


def test_idle_kept_alive_connections_are_closed_sooner_when_many_are_open(
    endpoint: CredentialEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connections, "BUSY_IDLE_TIMEOUT", SHORT)
    env = endpoint.environment()
    request = (
        f"GET {urlsplit(env[URI_VAR]).path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: {env[TOKEN_VAR]}\r\n\r\n"
    ).encode()
    kept: list[socket.socket] = []
    crowded = MAX_CONNECTIONS // 2
    try:
        for _ in range(crowded + 4):  # many SDK clients, each kept alive
            sock = socket.create_connection(("127.0.0.1", endpoint.port), timeout=10)
            sock.sendall(request)
            assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
            kept.append(sock)
        # within PATIENCE (30 s), far less than the 60 s a quiet endpoint waits
        deadline = time.monotonic() + PATIENCE
        # Closed until the endpoint is no longer crowded; those left keep the longer wait.
        while sum(not _is_closed(sock) for sock in kept) >= crowded:
            assert time.monotonic() < deadline, "idle connections still held"
            time.sleep(0.25)
    finally:
        for sock in kept:
            sock.close()
    assert ask(endpoint).status == 200
