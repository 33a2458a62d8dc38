"""The simulator over HTTPS with a self-signed certificate, trusted through AWS_CA_BUNDLE: login
and the catalog work with both portal clients, and an untrusted client gets nothing."""

from __future__ import annotations

import json
import os
import shutil
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Home, here
from tests.test_portal_http import loaded_by
from tui.aws import clients
from tui.aws.catalog import fetch_catalog
from tui.aws.login import login
from tui.aws.session_choice import chosen_session
from tui.models import SsoSession, Token
from tui.sim import Organisation, Simulator
from tui.sim.__main__ import _banner
from tui.sim.certificate import server_context

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl command")


@pytest.fixture
def tls_sim(
    tls_certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Simulator, Path]]:
    cert, key = tls_certificate
    sim = Simulator(Organisation.generate(accounts=8, seed=3), tls=server_context(cert, key))
    sim.start()
    for name, value in sim.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CA_BUNDLE", str(cert))
    try:
        yield sim, cert
    finally:
        sim.stop()


@pytest.mark.usefixtures("portal_client_kind")
def test_login_and_catalog_over_tls(tls_sim: tuple[Simulator, Path], home: Home) -> None:
    sim, cert = tls_sim
    assert sim.url.startswith("https://127.0.0.1:")
    assert (cert.parent / "key.pem").stat().st_mode & 0o077 == 0
    home.write_config(
        "[sso-session dev]\n"
        f"sso_start_url = {sim.start_url}\n"
        f"sso_region = {sim.region}\n"
        "sso_registration_scopes = sso:account:access\n"
    )
    sim.set(interval=0)
    session = chosen_session(here())[0]
    token = login(
        here(), session, open_browser=False, announce=lambda _a: None, sleep=lambda _s: None
    )
    catalog = fetch_catalog(session, token, environ=os.environ)
    assert catalog.complete
    assert {a.account_id for a in catalog.accounts} == {a.account_id for a in sim.org.accounts}


def test_a_client_that_does_not_trust_the_certificate_gets_nothing(
    tls_sim: tuple[Simulator, Path],
) -> None:
    sim, cert = tls_sim
    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
        urllib.request.urlopen(
            f"{sim.url}/assignment/accounts", context=ssl.create_default_context()
        )
    trusted = ssl.create_default_context(cafile=str(cert))
    with pytest.raises(urllib.request.HTTPError) as err:  # trusted: a 401 from the portal
        urllib.request.urlopen(f"{sim.url}/assignment/accounts", context=trusted)
    assert err.value.code == 401
    assert sim.calls["ListAccounts"] == 1  # the refused handshake never reached it


def test_the_banner_says_how_to_trust_the_certificate(tls_sim: tuple[Simulator, Path]) -> None:
    sim, cert = tls_sim
    banner = _banner(sim, cert)
    assert f"export AWS_ENDPOINT_URL_SSO={sim.url}\n" in banner
    assert f"export AWS_CA_BUNDLE={cert}\n" in banner


def _logged_in(sim: Simulator, home: Home) -> tuple[SsoSession, Token]:
    home.write_config(
        "[sso-session dev]\n"
        f"sso_start_url = {sim.start_url}\n"
        f"sso_region = {sim.region}\n"
        "sso_registration_scopes = sso:account:access\n"
    )
    sim.set(interval=0)
    session = chosen_session(here())[0]
    token = login(
        here(), session, open_browser=False, announce=lambda _a: None, sleep=lambda _s: None
    )
    return session, token


def test_a_refresh_over_tls_loads_no_idna_codec(
    tls_sim: tuple[Simulator, Path], home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Python's ssl encodes a server name given as text with the IDNA codec, whose import (and
    # unicodedata, stringprep) landed on the first connection's way: a few ms of every command
    # that calls the portal. The portal's name is ASCII, and given as bytes it needs none.
    sim, _cert = tls_sim
    _logged_in(sim, home)
    monkeypatch.delenv("SSOTUI_PORTAL_CLIENT", raising=False)
    modules, status, out, err = loaded_by("list", "--json", "--refresh")
    assert (status, err) == (0, "")
    assert len(json.loads(out)) == sum(len(a.roles) for a in sim.org.accounts)
    assert "ssl" in modules  # it did speak TLS
    assert "encodings.idna" not in modules


def test_a_catalog_over_tls_has_the_certificate_sent_and_checked_once(
    tls_sim: tuple[Simulator, Path], home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The accounts' roles go out on a burst of new connections: each resumes the TLS session
    # of the first (a session ticket) rather than having the whole certificate chain sent and
    # checked again, the costliest part of a handshake on both sides.
    sim, _cert = tls_sim
    session, token = _logged_in(sim, home)
    monkeypatch.delenv("SSOTUI_PORTAL_CLIENT", raising=False)
    clients.clear_cache()
    sim.reset_calls()
    catalog = fetch_catalog(session, token, environ=os.environ, concurrency=8)
    assert catalog.complete
    assert sim.calls["ListAccountRoles"] == len(sim.org.accounts)
    handshakes = sim.handshakes
    assert handshakes["full"] == 1, handshakes
    assert handshakes["resumed"] >= 1, handshakes


def test_botocores_route_reads_the_ca_file_once_not_for_every_connection(
    tls_sim: tuple[Simulator, Path], home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Behind a proxy, or with ca_bundle in a profile, the portal is reached through botocore,
    # whose urllib3 loads the CA file into the shared context again for every new connection
    # (urllib3 issue 3623): the default bundle is 126 CAs, ~20 ms of CPU each time (OpenSSL
    # 3), and a catalog opens up to 96 connections.
    sim, _cert = tls_sim
    session, token = _logged_in(sim, home)
    monkeypatch.setenv("SSOTUI_PORTAL_CLIENT", "botocore")
    clients.clear_cache()
    loads: list[object] = []
    real = ssl.SSLContext.load_verify_locations

    def counted(self: ssl.SSLContext, *args: Any, **kwargs: Any) -> None:
        loads.append(args or kwargs)
        real(self, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counted)
    sim.reset_calls()
    catalog = fetch_catalog(session, token, environ=os.environ, concurrency=8)
    assert catalog.complete
    assert sim.handshakes["full"] > 1, sim.handshakes  # several connections were opened
    assert len(loads) == 1, loads
