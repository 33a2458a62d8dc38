"""The credential endpoint over real HTTP, serving credentials from the simulator: the answer
botocore reads, the guards, errors a user meets, its lifetime and what it logs."""

from __future__ import annotations

import http.client
import logging
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from tests.conftest import here
from tests.endpoint_support import Reply, allowed_role, ask, role_fetch
from tui.aws.login import login
from tui.aws.portal import SERVER_ERROR_RETRIES
from tui.aws.token_cache import token_path
from tui.models import RoleCredentials, SsoSession, Token
from tui.serve import TOKEN_VAR, URI_VAR, CredentialEndpoint
from tui.serve.renewing import RETRY_CAP, RETRY_LOGIN
from tui.sim import Simulator


@pytest.fixture
def served() -> list[RoleCredentials]:
    return []


@pytest.fixture
def endpoint(
    session: SsoSession, token: Token, sim: Simulator, served: list[RoleCredentials]
) -> Iterator[CredentialEndpoint]:
    account, role = allowed_role(sim)
    with CredentialEndpoint(role_fetch(session, account, role, served)) as running:
        sim.reset_calls()
        yield running


def test_environment_names_a_loopback_url_and_a_long_random_token() -> None:
    first = CredentialEndpoint(lambda: pytest.fail("no request was made"))
    second = CredentialEndpoint(lambda: pytest.fail("no request was made"))
    with first, second:
        env, other = first.environment(), second.environment()
        assert set(env) == {URI_VAR, TOKEN_VAR}
        url = urlsplit(env[URI_VAR])
        assert url.scheme == "http" and url.hostname == "127.0.0.1" and url.port == first.port
        assert len(url.path) > 20  # a random path
        assert len(env[TOKEN_VAR]) >= 32 and env[TOKEN_VAR].isprintable()
        assert env[TOKEN_VAR] != other[TOKEN_VAR] and url.path != urlsplit(other[URI_VAR]).path
        assert env[TOKEN_VAR] not in repr(first) and url.path not in repr(first)


def test_answer_is_the_container_credentials_json(
    endpoint: CredentialEndpoint, served: list[RoleCredentials], sim: Simulator
) -> None:
    reply = ask(endpoint)
    assert reply.status == 200
    assert reply.headers["content-type"] == "application/json"
    assert reply.headers["cache-control"] == "no-store"
    assert not any(h.startswith("access-control-") for h in reply.headers)
    [creds] = served
    assert reply.body == {
        "AccessKeyId": creds.access_key_id,
        "SecretAccessKey": creds.secret_access_key,
        "Token": creds.session_token,
        "Expiration": creds.expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "AccountId": creds.account.account_id,
    }
    assert sim.calls["GetRoleCredentials"] == 1


def test_cached_credentials_cost_no_portal_call(
    endpoint: CredentialEndpoint, sim: Simulator
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", endpoint.port, timeout=10)
    keys = {ask(endpoint, connection=conn).body["AccessKeyId"] for _ in range(50)}
    conn.close()
    assert len(keys) == 1  # one kept-alive connection, 50 answers, one set of keys
    assert sim.calls["GetRoleCredentials"] == 1 and endpoint.fetches == 1


def test_authorization_missing_is_401_and_wrong_is_403(
    endpoint: CredentialEndpoint, sim: Simulator
) -> None:
    right = endpoint.environment()[TOKEN_VAR]
    missing = ask(endpoint, token=None)
    assert missing.status == 401 and "AWS_CONTAINER_AUTHORIZATION_TOKEN" in missing.body["Message"]
    for wrong in ("", "x" * len(right), right[:-1], right + "x", f"Bearer {right}", "é" * 40):
        reply = ask(endpoint, token=wrong)
        assert reply.status == 403, wrong
        assert "AccessKeyId" not in reply.body
    assert sim.calls["GetRoleCredentials"] == 0


def test_a_second_authorization_header_is_refused(endpoint: CredentialEndpoint) -> None:
    right = endpoint.environment()[TOKEN_VAR]
    conn = http.client.HTTPConnection("127.0.0.1", endpoint.port, timeout=10)
    conn.putrequest("GET", urlsplit(endpoint.environment()[URI_VAR]).path)
    conn.putheader("Authorization", right)
    conn.putheader("Authorization", "other")
    conn.endheaders()
    assert conn.getresponse().status == 403
    conn.close()


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:{port}",
        "127.0.0.1.nip.io:{port}",
        "localhost.evil.example:{port}",
        "127.0.0.1:1",
        "localhost:{port}0",
        "[::1]:{port}",
        "169.254.170.2",
        "",
    ],
)
def test_a_foreign_host_is_refused(endpoint: CredentialEndpoint, sim: Simulator, host: str) -> None:
    reply = ask(endpoint, headers={"Host": host.format(port=endpoint.port)})
    assert reply.status == 403 and "AccessKeyId" not in reply.body
    assert sim.calls["GetRoleCredentials"] == 0


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LocalHost", "127.0.0.1"])
def test_loopback_names_are_served(endpoint: CredentialEndpoint, host: str) -> None:
    assert ask(endpoint, headers={"Host": host.format(port=endpoint.port)}).status == 200


def test_other_paths_and_methods_are_refused(endpoint: CredentialEndpoint, sim: Simulator) -> None:
    path = urlsplit(endpoint.environment()[URI_VAR]).path
    for other in ("/", path + "/", path + "x", path[:-1], path + "?x=1", "//" + path):
        assert ask(endpoint, path=other).status == 404, other
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "FOO"):
        reply = ask(endpoint, method=method)
        assert reply.status == 405, method
        assert reply.headers["allow"] == "GET"
        assert not any(h.startswith("access-control-") for h in reply.headers)
    assert ask(endpoint, method="HEAD").status == 405
    assert sim.calls["GetRoleCredentials"] == 0


def test_garbage_gets_a_json_error_and_nothing_on_stderr(
    endpoint: CredentialEndpoint, capfd: pytest.CaptureFixture[str]
) -> None:
    for raw in (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", endpoint.port), timeout=10) as sock:
            sock.sendall(raw)
            answer = sock.recv(65536)
        assert answer.split(b" ", 2)[1][:1] in (b"4", b"5")
        assert b"application/json" in answer and b"<html" not in answer.lower()
    with socket.create_connection(("127.0.0.1", endpoint.port), timeout=10) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and hang up half-way
    assert ask(endpoint).status == 200
    assert capfd.readouterr().err == ""


def test_the_port_and_open_connections_are_closed_on_exit(
    session: SsoSession, token: Token, sim: Simulator
) -> None:
    account, role = allowed_role(sim)
    with CredentialEndpoint(role_fetch(session, account, role)) as endpoint:
        port = endpoint.port
        kept = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        assert ask(endpoint, connection=kept).status == 200
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    with pytest.raises((ConnectionError, http.client.HTTPException)):
        ask(endpoint, connection=kept)
    kept.close()


def test_lost_login_is_an_error_json_saying_login_then_works_again(
    endpoint: CredentialEndpoint, session: SsoSession, sim: Simulator
) -> None:
    token_path(here(), session).unlink()  # logged out (elsewhere)
    reply = ask(endpoint)
    assert reply.status == 424
    assert reply.body["Code"] == "NotLoggedIn"
    assert "run `ssotui login`" in reply.body["Message"]
    assert reply.headers["content-type"] == "application/json"
    assert ask(endpoint).status == 424  # still logged out
    login(here(), session, open_browser=False, announce=lambda _a: None, sleep=lambda _s: None)
    # Tried again within RETRY_LOGIN of the last failure (a login takes longer than that).
    deadline = time.monotonic() + RETRY_LOGIN.total_seconds() + 1
    while (after := ask(endpoint)).status != 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert after.status == 200 and after.body["AccessKeyId"].startswith("ASIA")


def test_the_childs_last_refusal_is_kept_for_the_door_until_credentials_are_answered(
    endpoint: CredentialEndpoint, session: SsoSession
) -> None:
    """What `exec --renew` says once the child has ended (the JavaScript SDK shows only a
    status): the refusal of the child's last request, not of another process's."""
    assert endpoint.last_refusal() is None
    token_path(here(), session).unlink()  # logged out (elsewhere)
    before = datetime.now(UTC)
    assert ask(endpoint).status == 424
    refusal = endpoint.last_refusal()
    assert refusal is not None and refusal.at >= before
    assert refusal.message == "not logged in to session dev: run `ssotui login`"
    assert ask(endpoint, token=None).status == 401  # not the child's: kept as it was
    assert ask(endpoint, token="wrong").status == 403
    assert endpoint.last_refusal() == refusal
    login(here(), session, open_browser=False, announce=lambda _a: None, sleep=lambda _s: None)
    deadline = time.monotonic() + RETRY_LOGIN.total_seconds() + 1
    while ask(endpoint).status != 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert endpoint.last_refusal() is None


def test_revoked_login_is_an_error_json_saying_login(
    endpoint: CredentialEndpoint, sim: Simulator
) -> None:
    sim.revoke_tokens()
    reply = ask(endpoint)
    assert reply.status == 424 and reply.body["Code"] == "NotLoggedIn"
    assert reply.body["Message"].endswith("run `ssotui login`")


def test_an_unexpected_failure_is_an_error_json_without_its_text(
    capfd: pytest.CaptureFixture[str],
) -> None:
    def broken() -> RoleCredentials:
        raise KeyError("do-not-show-this")

    with CredentialEndpoint(broken) as endpoint:
        reply = ask(endpoint)
    assert reply.status == 500 and reply.body["Code"] == "InternalError"
    assert "KeyError" in reply.body["Message"] and "do-not-show" not in reply.body["Message"]
    assert capfd.readouterr().err == ""


def test_concurrent_requests_share_one_fetch(endpoint: CredentialEndpoint, sim: Simulator) -> None:
    sim.set(latency=0.3)
    start = threading.Barrier(8)
    keys: list[str] = []

    def one() -> None:
        start.wait()
        keys.append(ask(endpoint).body["AccessKeyId"])

    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(keys) == 8 and len(set(keys)) == 1
    assert sim.calls["GetRoleCredentials"] == 1


def test_renewed_before_the_margin_and_never_served_expired(
    session: SsoSession, token: Token, sim: Simulator
) -> None:
    sim.set(credential_lifetime=3)
    account, role = allowed_role(sim)
    margin = timedelta(seconds=2)
    with CredentialEndpoint(role_fetch(session, account, role), renew_margin=margin) as endpoint:
        first = ask(endpoint).body
        assert ask(endpoint).body == first  # > 2 s left: the same
        threading.Event().wait(1.2)  # now < 2 s left
        second = ask(endpoint).body
    assert second["AccessKeyId"] != first["AccessKeyId"]
    expires = datetime.strptime(second["Expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert expires > datetime.now(UTC)
    assert sim.calls["GetRoleCredentials"] == 2


def test_debug_log_holds_the_request_line_and_no_secret(
    endpoint: CredentialEndpoint,
    served: list[RoleCredentials],
    session: SsoSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="ssotui")
    env = endpoint.environment()
    path = urlsplit(env[URI_VAR]).path
    ask(endpoint)
    ask(endpoint, token=None)
    ask(endpoint, path=path + "?token=" + env[TOKEN_VAR])
    ask(endpoint, method="POST")
    token_path(here(), session).unlink()
    ask(endpoint)
    ours = [r for r in caplog.records if r.name.startswith("ssotui.serve")]
    assert len(ours) == 5
    lines = [r.getMessage() for r in ours]
    assert lines[0] == "credential endpoint: GET <credentials path> HTTP/1.1 -> 200"
    assert lines[1].endswith("-> 401") and lines[3].startswith("credential endpoint: POST")
    secrets = [env[TOKEN_VAR], path.lstrip("/"), served[0].secret_access_key]
    secrets.append(served[0].session_token)
    for secret in secrets:
        assert secret not in caplog.text


def test_a_burst_of_clients_all_connect_while_the_endpoint_is_busy(
    session: SsoSession, token: Token, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 40 SDK clients (threads, parallel commands) connecting at once, faster than the endpoint
    # takes them: each must connect at once and wait its turn, not have its connection dropped
    # and tried again a second or more later (botocore gives up after 2 s, JavaScript after 1).
    from tui.serve.endpoint import _Server

    busy = threading.Event()
    taken = _Server.get_request

    def get_request(server: _Server) -> tuple[socket.socket, tuple[str, int]]:
        busy.wait(30)
        return taken(server)

    monkeypatch.setattr(_Server, "get_request", get_request)
    account, role = allowed_role(sim)
    with CredentialEndpoint(role_fetch(session, account, role)) as endpoint:
        endpoint.credentials()
        env = endpoint.environment()
        request = (
            f"GET {urlsplit(env[URI_VAR]).path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: {env[TOKEN_VAR]}\r\nConnection: close\r\n\r\n"
        ).encode()
        clients: list[socket.socket] = []
        try:
            for _ in range(40):
                client = socket.create_connection(("127.0.0.1", endpoint.port), timeout=0.5)
                client.sendall(request)
                clients.append(client)
            busy.set()
            for client in clients:
                client.settimeout(10)
                assert client.recv(100).startswith(b"HTTP/1.1 200 ")
        finally:
            busy.set()
            for client in clients:
                client.close()


def test_after_the_computer_slept_past_their_end_old_credentials_are_never_served(
    session: SsoSession, token: Token, sim: Simulator
) -> None:
    slept = timedelta(0)

    def clock() -> datetime:
        return datetime.now(UTC) + slept

    account, role = allowed_role(sim)
    with CredentialEndpoint(role_fetch(session, account, role), clock=clock) as endpoint:
        before = ask(endpoint).body
        slept = timedelta(hours=2)  # the lid was closed; the network is not back yet
        sim.set(hang={"GetRoleCredentials"}, credential_lifetime=4 * 3600)
        for _ in range(3):
            reply = ask(endpoint)
            assert reply.status == 503 and "AccessKeyId" not in reply.body
            assert "try again in a moment" in reply.body["Message"]
        sim.set(hang=())  # back: the renewal gets its answer
        deadline = time.monotonic() + 10
        while (after := ask(endpoint)).status != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
    assert after.status == 200 and after.body["AccessKeyId"] != before["AccessKeyId"]


class StillClock:
    """A clock that stands still until the test moves it."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def _ask_from_threads(endpoint: CredentialEndpoint, threads: int, each: int) -> list[Reply]:
    """`threads` SDK clients asking `each` times; every answer must come within the 1 s the
    JavaScript SDK waits (botocore: 2 s)."""
    replies: list[Reply] = []

    def one() -> None:
        for _ in range(each):
            started = time.monotonic()
            reply = ask(endpoint)
            assert time.monotonic() - started < 1.0
            replies.append(reply)

    running = [threading.Thread(target=one) for _ in range(threads)]
    for t in running:
        t.start()
    for t in running:
        t.join()
    assert len(replies) == threads * each  # no thread failed
    return replies


def test_while_identity_center_fails_sdk_calls_cost_no_fetch_each(
    session: SsoSession, token: Token, sim: Simulator
) -> None:
    # The child's SDK asks at every AWS call within its refresh window (botocore: 15 minutes
    # before the end, the Go and JavaScript SDKs: 5): Identity Center, failing, must not get a
    # fetch (and its retries) for each, and the child must get its answers all the same.
    clock = StillClock()
    account, role = allowed_role(sim)
    fetch = role_fetch(session, account, role, deadline=0.3)
    with CredentialEndpoint(fetch, clock=clock) as endpoint:
        first = endpoint.credentials()
        clock.now = first.expiration - timedelta(minutes=10)
        sim.set(fail_every=1, fail_status=500)
        sim.reset_calls()
        replies = _ask_from_threads(endpoint, 4, 25)
        assert {r.status for r in replies} == {200}
        assert {r.body["AccessKeyId"] for r in replies} == {first.access_key_id}
        one_fetch = 1 + SERVER_ERROR_RETRIES  # the most a fetch calls, with its own retries
        assert endpoint.fetches == 2 and 1 <= sim.calls["GetRoleCredentials"] <= one_fetch
        clock.now = first.expiration + timedelta(seconds=1)  # now they have expired
        sim.reset_calls()
        replies = _ask_from_threads(endpoint, 4, 10)
        assert {r.status for r in replies} == {424}
        assert {r.body["Code"] for r in replies} == {"CredentialsUnavailable"}
        assert all("HTTP 500" in r.body["Message"] for r in replies)
        assert all(r.body["Message"].endswith("try again later") for r in replies)
        assert endpoint.fetches == 3 and sim.calls["GetRoleCredentials"] <= one_fetch
        # Back: the first call after the wait gets new credentials (valid by the test's clock).
        sim.set(fail_every=None, credential_lifetime=4 * 3600)
        clock.now += RETRY_CAP
        after = ask(endpoint)
    assert after.status == 200 and after.body["AccessKeyId"] != first.access_key_id
