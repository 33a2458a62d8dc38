"""The token cache ssotui writes after a login to a second Identity Center, read by the real
AWS CLI v2 (`tests/other_center.py` behind the real endpoint names, as `tests.aws_cli_support`
puts the simulator there).

The other server answers what botocore's `sso-oidc` model allows and our simulator never sends:
a registration without `clientSecretExpiresAt`, a clientId holding characters a URL or a file
name would escape, a token of another `tokenType` with an `idToken` beside it. The CLI must use
ssotui's token without a login, renew it from its refresh token when it is near its end, and
ssotui must then take the CLI's renewed token as it is.
"""

from __future__ import annotations

import json
import shutil
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.aws_cli_support import (
    add_sso_profile,
    aws,
    aws_cli,
    ok,
    process_credentials,
    real_endpoint_names,
)
from tests.cli_helpers import ssotui
from tests.conftest import Home, here
from tests.forward_proxy import ForwardProxy
from tests.other_center import (
    OIDC_PREFIX,
    PORTAL_PREFIX,
    REGION,
    OtherCenter,
    Reply,
    _Handler,
    _Server,
)
from tests.other_center_support import SESSION_CONFIG
from tui.aws.session_choice import chosen_session
from tui.aws.token_cache import token_path
from tui.sim import SimAccount
from tui.sim.certificate import self_signed, server_context

MACHINE_VARS = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "AWS_CA_BUNDLE",
    "REQUESTS_CA_BUNDLE",
    "SSOTUI_PORTAL_CLIENT",
    "AWS_ENDPOINT_URL_SSO",
    "AWS_ENDPOINT_URL_SSO_OIDC",
)
ODD_PREFIX = "a/b+c=d&e f%2F?#é-"  # a clientId the model calls a string: any string


class RealNamesCenter(OtherCenter):
    """The other server over TLS, routing by host name as the real endpoints do."""

    def __init__(self, tls: ssl.SSLContext) -> None:
        super().__init__()
        self._tls = tls

    def start(self) -> RealNamesCenter:
        center = self

        class Handler(_Handler):
            owner = center

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.socket = self._tls.wrap_socket(self._server.socket, server_side=True)
        server = self._server
        threading.Thread(target=lambda: server.serve_forever(0.01), daemon=True).start()
        return self

    def answer(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        host = headers.get("host", "")
        if host.startswith("portal.sso."):
            target = PORTAL_PREFIX + target
        elif host.startswith("oidc."):
            target = OIDC_PREFIX + target
        return super().answer(method, target, headers, body)

    def register_client(self, query: dict[str, str], headers: dict[str, str], data: Any) -> Reply:
        reply = super().register_client(query, headers, data)
        answer = json.loads(reply.body)
        odd = ODD_PREFIX + answer["clientId"]
        self.clients[odd] = self.clients.pop(answer["clientId"])
        self.grants[odd] = self.grants.pop(answer["clientId"])
        answer["clientId"] = odd
        del answer["clientSecretExpiresAt"]
        reply.body = json.dumps(answer).encode()
        return reply


@pytest.fixture
def cli() -> str:
    return aws_cli("2")


@pytest.fixture
def center(
    cli: str, tmp_path: Path, home: Home, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RealNamesCenter]:
    del cli  # skip before making a certificate
    if shutil.which("openssl") is None:
        pytest.skip("no openssl command to make a certificate with")
    for name in MACHINE_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    names = real_endpoint_names(REGION)
    certificate, key = self_signed(tmp_path / "tls", names)
    server = RealNamesCenter(server_context(certificate, key)).start()
    proxy = ForwardProxy(tunnels=dict.fromkeys(names, int(server.base.rsplit(":", 1)[1]))).start()
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("AWS_CA_BUNDLE", str(certificate))
    server.device_interval = 0
    server.refresh_tokens = True  # also for the device code, as Identity Center does
    server.rewrite["create_token"] = lambda answer: {
        **answer,
        "tokenType": "N_A",
        "idToken": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJvdGhlciJ9.",
    }
    home.write_config(SESSION_CONFIG)
    add_sso_profile(home, "sso", "other", SimAccount("111111111111", "Prod", ""), "Admin", REGION)
    try:
        yield server
    finally:
        proxy.stop()
        server.stop()


def _cache() -> Path:
    return token_path(here(), chosen_session(here())[0])


def _export(cli: str, home: Home) -> Any:
    return aws(cli, "configure", "export-credentials", "--profile", "sso", home=home)


def test_the_aws_cli_uses_and_renews_the_token_ssotui_wrote_for_the_other_center(
    cli: str, center: RealNamesCenter, home: Home
) -> None:
    ok(ssotui("login", "--use-device-code"))
    written = json.loads(_cache().read_text())
    assert written["clientId"].startswith(ODD_PREFIX)

    creds = process_credentials(_export(cli, home))
    assert creds["AccessKeyId"].startswith("ASIAOTHER")
    assert center.calls["start_device_authorization"] == 1 and center.calls["create_token"] == 1

    # the token at its end and no role credentials kept: the CLI renews the token, no login
    written["expiresAt"] = "2000-01-01T00:00:00Z"
    _cache().write_text(json.dumps(written))
    shutil.rmtree(home.root / ".aws" / "cli" / "cache")
    creds = process_credentials(_export(cli, home))
    assert creds["AccessKeyId"].startswith("ASIAOTHER")
    renewed = json.loads(_cache().read_text())
    assert renewed["accessToken"] != written["accessToken"]
    assert center.calls["create_token"] == 2 and center.calls["register_client"] == 1

    ok(ssotui("list"))  # and ssotui takes the CLI's renewed token as it is
    assert center.calls["create_token"] == 2
    assert center.calls["start_device_authorization"] == 1
