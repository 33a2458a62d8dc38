"""A portal answer cut short on the way, through the real commands and either portal client:
never read as "no accounts" or "no roles", and never a `populate` that drops the profiles of
what it could not list.

botocore (the client behind a proxy, a `ca_bundle`, ...) read a connection that ended inside
the answer's headers, or before its body, as an empty answer; `populate` then removed the
profiles of every role it no longer saw.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home
from tests.forward_proxy import ForwardProxy
from tests.test_http1 import RawServer, raw_server
from tests.test_populate import _setup
from tui.sim import Simulator

CUTS = [
    pytest.param(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n", id="in-the-headers"),
    pytest.param(b"HTTP/1.1 200 OK\r\nContent-Length: 900\r\n\r\n", id="before-the-body"),
    pytest.param(b"HTTP/1.1 200 OK\r\n\r\n", id="no-length-no-body"),
    pytest.param(b'HTTP/1.1 200 OK\r\nContent-Length: 900\r\n\r\n{"roleList": [', id="in-the-body"),
]


def ok(answer: dict[str, Any]) -> tuple[bytes, bool]:
    body = json.dumps(answer).encode()
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
    return head.encode() + b"\r\n\r\n" + body, False


def portal_of(sim: Simulator, cut: Callable[[str, str], bool], reply: bytes) -> Any:
    """A raw-socket portal listing the simulator's organisation, whose answer to a request
    `cut(path, account id)` picks is `reply`, then the close."""
    server: list[RawServer] = []

    def script(number: int) -> tuple[bytes, bool]:
        request_line = server[0].requests[number - 1].split(b"\r\n", 1)[0].decode()
        target = urlsplit(request_line.split()[1])
        account = parse_qs(target.query).get("account_id", [""])[0]
        if cut(target.path, account):
            return reply, True
        if target.path == "/assignment/accounts":
            listed = [
                {"accountId": a.account_id, "accountName": a.name, "emailAddress": a.email}
                for a in sim.org.accounts
            ]
            return ok({"accountList": listed})
        roles = next(a.roles for a in sim.org.accounts if a.account_id == account)
        return ok({"roleList": [{"roleName": r.name, "accountId": account} for r in roles]})

    return script, server


@pytest.mark.usefixtures("quick_retries")
@pytest.mark.parametrize("mode", ["direct", "botocore"])
@pytest.mark.parametrize("reply", CUTS)
@pytest.mark.parametrize("where", ["accounts", "roles"])
def test_a_cut_answer_fails_list_and_populate_keeps_every_profile(
    where: str,
    reply: bytes,
    mode: str,
    sim: Simulator,
    home: Home,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = _setup(sim, home)
    assert ssotui("populate").status == 0
    written = path.read_bytes()
    victim = next(a for a in sim.org.accounts if a.roles).account_id

    def cut(target: str, account: str) -> bool:
        if where == "accounts":
            return target == "/assignment/accounts"
        return account == victim

    script, server = portal_of(sim, cut, reply)
    with raw_server(script) as portal:
        server.append(portal)
        monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", portal.url)
        monkeypatch.setenv("SSOTUI_PORTAL_CLIENT", mode)
        populated = ssotui("populate")
        listed = ssotui("list", "--refresh")
    assert populated.status != 0, populated.err
    assert path.read_bytes() == written  # not a profile removed
    assert len(populated.err.strip().splitlines()) == 1, populated.err
    assert "Traceback" not in populated.err + listed.err
    if where == "accounts":
        # no list of accounts to show: one line, not an empty list with exit 0
        assert listed.status != 0 and listed.out == "", listed
        assert listed.err.strip() == (
            f"ssotui: the connection to Identity Center at {portal.url} failed: try again later"
        )
    else:
        # the account whose roles could not be listed is not shown as one without roles
        assert listed.status != 0, listed
        assert listed.err.strip() == (
            f"ssotui: the roles of account {victim} could not be listed (the connection to "
            f"Identity Center at {portal.url} failed: try again later); run `ssotui list` "
            "again to retry"
        )


@pytest.mark.usefixtures("quick_retries")
def test_through_a_proxy_the_cut_answer_names_the_proxy(
    sim: Simulator, home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A proxy is what sends ssotui through botocore; the connection broke somewhere on the way
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.delenv("SSOTUI_PORTAL_CLIENT", raising=False)
    _setup(sim, home)
    script, server = portal_of(sim, lambda path, _account: True, CUTS[0].values[0])
    with raw_server(script) as portal, ForwardProxy() as proxy:
        server.append(portal)
        monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", portal.url)
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        listed = ssotui("list", "--refresh")
        through = [line for line in proxy.passed if "/assignment/accounts" in line]
    assert (listed.status, listed.out) == (1, "")
    assert listed.err.strip() == (
        f"ssotui: the connection to Identity Center at {portal.url} through the proxy "
        f"{proxy.url} failed: try again later; if it keeps failing, check HTTP_PROXY and "
        "NO_PROXY"
    )
    assert len(through) == 3  # tried, then twice more
