"""Servers that answer, but too slowly to ever finish: a byte at a time, or `100 Continue`
for ever. Each read gets something well within the read timeout, so only a bound on the
whole answer ends the call; a call must end within the time it was given, as for a server
that says nothing at all."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.app_support import log_in, usable_role, with_roles
from tests.cli_helpers import ssotui
from tests.conftest import Home
from tests.finishing import NEVER, PATIENCE, finished
from tests.made_up import made_up_credentials
from tui.aws import clients
from tui.aws.console import ConsoleRequest, console_url
from tui.aws.portal_botocore import BotocorePortalClient
from tui.aws.portal_http import PortalHttpClient
from tui.aws.transport import ReadTimeout
from tui.errors import ServiceError
from tui.models import SsoSession
from tui.sim import Organisation, Simulator

SESSION = SsoSession(name="dev", start_url="https://example.awsapps.com/start", region="us-east-1")
SECRET = "aoaAAAAAGh0dHBzOi8vZXhhbXBsZS5jb20-SECRET+token/value=="
STEP = 0.05  # seconds between the drops of a drip

# What each kind of server sends first, then what it sends again every STEP, for ever.
DRIPS = {
    "body": (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 99999\r\n\r\n{",
        b" ",
    ),
    "headers": (b"HTTP/1.1 200 OK\r\n", b"X-Slow: yes\r\n"),
    "chunks": (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", b"1\r\n \r\n"),
    "to-the-close": (b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{", b" "),
    "continue": (b"", b"HTTP/1.1 100 Continue\r\n\r\n"),
}


@contextmanager
def dripping(kind: str) -> Iterator[str]:
    """A server on 127.0.0.1 that answers every request with the drip of `kind`; its URL."""
    first, again = DRIPS[kind]
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(first)
                while not stop.wait(STEP):
                    conn.sendall(again)
            except OSError:
                pass

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        listener.close()


@pytest.mark.parametrize("kind", sorted(DRIPS))
def test_a_dripping_answer_ends_the_attempt_in_the_time_it_was_given(kind: str) -> None:
    with dripping(kind) as url:
        client = PortalHttpClient(url, max_pool=1, connect_timeout=2, read_timeout=NEVER)
        with pytest.raises(ReadTimeout):
            # not the read timeout, and not for as long as the drip goes on (for ever)
            finished(
                lambda: client.call("ListAccounts", timeout=0.6, accessToken=SECRET),
                what="an attempt given 0.6 s",
            )


# botocore reads the status line and headers itself (http.client): only a body is read here
@pytest.mark.parametrize("kind", ["body", "chunks", "to-the-close"])
def test_a_dripping_body_ends_botocores_attempt_in_the_time_it_was_given(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with dripping(kind) as url:
        monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", url)
        monkeypatch.setenv("SSOTUI_PORTAL_CLIENT", "botocore")
        monkeypatch.setenv("SSOTUI_READ_TIMEOUT", str(NEVER))
        clients.clear_cache()
        client = clients.portal_client(SESSION, environ=os.environ)
        assert isinstance(client, BotocorePortalClient)
        with pytest.raises(ReadTimeout):
            finished(
                lambda: client.call("ListAccounts", timeout=0.6, accessToken=SECRET),
                what="an attempt given 0.6 s",
            )
    clients.clear_cache()


def test_login_against_a_dripping_oidc_endpoint_ends_with_one_line(
    home: Home, sim: Simulator
) -> None:
    # SSO OIDC is botocore's: three attempts of the read timeout each, then one line
    home.write_config(
        f"[sso-session dev]\nsso_start_url = {sim.start_url}\nsso_region = {sim.region}\n"
    )
    with dripping("body") as url:
        # the drip goes on for ever: the run ending before `timeout` is what the test proves
        run = ssotui(
            "login",
            "--use-device-code",
            "--no-browser",
            env={"AWS_ENDPOINT_URL_SSO_OIDC": url, "SSOTUI_READ_TIMEOUT": "0.5"},
            timeout=PATIENCE,
        )
    assert run.status == 1
    assert run.err == (
        f"ssotui: Identity Center at {url} did not answer in time (session dev): try again later\n"
    )


def test_list_against_a_dripping_portal_ends_at_request_deadline_with_one_line(
    home: Home, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    home.write_config(
        f"[sso-session dev]\nsso_start_url = {sim.start_url}\nsso_region = {sim.region}\n"
    )
    sim.set(interval=0)
    assert ssotui("login", "--use-device-code", "--no-browser").status == 0
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "config.toml").write_text("request_deadline = 2\n", encoding="utf-8")
    clients.clear_cache()
    with dripping("body") as url:
        # the drip goes on for ever: the run ending before `timeout` is what the test proves
        run = ssotui("list", "--refresh", env={"AWS_ENDPOINT_URL_SSO": url}, timeout=PATIENCE)
    assert run.status == 1
    assert run.err == (
        f"ssotui: Identity Center at {url} did not answer ListAccounts within 2 s (session dev): "
        "try again later, or allow longer with `request_deadline` in config.toml\n"
    )


@pytest.mark.parametrize("kind", sorted(DRIPS))
def test_a_dripping_sign_in_endpoint_ends_in_the_time_it_was_given(kind: str) -> None:
    # urllib's socket timeout is per read: each drop restarted it, and `console` waited for ever
    with dripping(kind) as url, pytest.raises(ServiceError) as err:
        finished(
            lambda: console_url(
                made_up_credentials(),
                ConsoleRequest("eu-west-1"),
                start_url=SESSION.start_url,
                environ={"AWS_ENDPOINT_URL_SIGNIN": url},
                timeout=0.6,
            ),
            what="a sign-in given 0.6 s",
        )
    assert err.value.message == (
        f"the AWS sign-in endpoint {url}/federation did not answer within 0.6 s: try again "
        "later, or allow longer with `request_deadline` in config.toml"
    )


@pytest.mark.parametrize("kind", ["body", "continue"])
def test_console_against_a_dripping_sign_in_endpoint_ends_at_request_deadline(
    kind: str, home: Home, sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    account = with_roles(org)
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "config.toml").write_text("request_deadline = 2\n", encoding="utf-8")
    with dripping(kind) as url:
        # the drip goes on for ever: the run ending before `timeout` is what the test proves
        run = ssotui(
            "console",
            account.account_id,
            usable_role(account),
            "--print",
            env={"AWS_ENDPOINT_URL_SIGNIN": url},
            timeout=PATIENCE,
        )
    assert run.status == 1
    assert run.err == (
        f"ssotui: the AWS sign-in endpoint {url}/federation did not answer within 2 s: try "
        "again later, or allow longer with `request_deadline` in config.toml\n"
    )
    assert run.out == ""
