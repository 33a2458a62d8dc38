"""The SSO portal over real HTTP: pages, roles, credentials, error mapping, interop, isolation."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from tests.conftest import Home, here
from tests.finishing import finished
from tui.aws import clients
from tui.aws.login import login
from tui.aws.portal import BACKOFF_BASE, BACKOFF_CAP, NETWORK_RETRIES, Portal
from tui.aws.session_choice import chosen_session
from tui.aws.token_cache import registration_path, token_path
from tui.aws.tokens import current_token
from tui.errors import NoAccess, NotLoggedIn, ServiceError
from tui.models import Account, SsoSession, Token, utcnow
from tui.sim import Organisation, Simulator

both_clients = pytest.mark.usefixtures("portal_client_kind")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _forbidden(org: Organisation) -> tuple[Account, str]:
    for a in org.accounts:
        for r in a.roles:
            if r.forbidden:
                return Account(a.account_id, a.name, a.email), r.name
    raise AssertionError("the organisation has no forbidden role")


@both_clients
def test_accounts_in_tiny_pages(session: SsoSession, token: Token, sim: Simulator) -> None:
    sim.reset_calls()
    pages = list(Portal(session, token, page_size=5, environ=os.environ).list_accounts())
    assert [len(p) for p in pages] == [5, 5, 2]
    assert sim.calls["ListAccounts"] == 3
    got = {(a.account_id, a.name, a.email) for page in pages for a in page}
    assert got == {(a.account_id, a.name, a.email) for a in sim.org.accounts}
    assert any(not a.name.isascii() for page in pages for a in page)


@both_clients
def test_roles_in_pages_of_one(session: SsoSession, token: Token, sim: Simulator) -> None:
    portal = Portal(session, token, page_size=1, environ=os.environ)
    for account in sim.org.accounts:
        assert set(portal.list_roles(account.account_id)) == {r.name for r in account.roles}
    assert portal.list_roles(next(a for a in sim.org.accounts if not a.roles).account_id) == ()


@both_clients
def test_role_credentials(sso_config: Path, sim: Simulator, home: Home) -> None:
    sim.set(interval=0)
    # the region of a profile is not the session's: `default_region` (config.toml) is
    home.write_config(
        sso_config.read_text() + "[profile p]\nsso_session = dev\nregion = eu-west-3\n"
    )
    session = replace(chosen_session(here())[0], default_region="eu-north-1")
    token = login(here(), session, announce=lambda _a: None, sleep=lambda _s: None)
    source = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    account = Account(source.account_id, source.name, source.email)
    role = next(r.name for r in source.roles if not r.forbidden)
    creds = Portal(session, token, environ=os.environ).role_credentials(account, role)
    assert creds.access_key_id.startswith("ASIA") and creds.secret_access_key
    assert creds.expiration.tzinfo is not None
    assert timedelta(minutes=59) < creds.expiration - datetime.now(UTC) <= timedelta(hours=1)
    assert creds.region == "eu-north-1" and creds.session_label == "dev"
    assert creds.secret_access_key not in repr(creds) and creds.session_token not in repr(creds)


@both_clients
def test_forbidden_role_is_no_access(session: SsoSession, token: Token, sim: Simulator) -> None:
    account, role = _forbidden(sim.org)
    with pytest.raises(NoAccess) as err:
        Portal(session, token, environ=os.environ).role_credentials(account, role)
    message = err.value.message
    assert f"no access to role {role} in account {account.name} ({account.account_id})" in message
    assert "administrator" in message and token.access_token not in message
    with pytest.raises(NoAccess, match="no access to role Nope"):
        Portal(session, token, environ=os.environ).role_credentials(account, "Nope")


@both_clients
def test_expired_and_revoked_tokens(session: SsoSession, token: Token, sim: Simulator) -> None:
    portal = Portal(session, token, environ=os.environ)
    sim.expire_tokens()
    with pytest.raises(
        NotLoggedIn, match=r"^session dev expired or was revoked: run `ssotui login`$"
    ):
        list(portal.list_accounts())
    fresh = login(here(), session, force=True, announce=lambda _a: None)
    sim.revoke_tokens()
    with pytest.raises(NotLoggedIn, match="expired or was revoked"):
        Portal(session, fresh, environ=os.environ).list_roles(sim.org.accounts[0].account_id)


@both_clients
def test_logout_ends_the_token(session: SsoSession, token: Token, sim: Simulator) -> None:
    portal = Portal(session, token, environ=os.environ)
    assert portal.logout()
    assert sim.calls["Logout"] == 1
    with pytest.raises(NotLoggedIn):
        list(portal.list_accounts())
    assert not portal.logout()  # a second logout is no error: the token was already dead


@both_clients
def test_malformed_answer_is_one_line(session: SsoSession, token: Token, sim: Simulator) -> None:
    sim.set(malformed={"ListAccounts"})
    with pytest.raises(ServiceError) as err:
        list(Portal(session, token, environ=os.environ).list_accounts())
    assert "could not read" in err.value.message or "cannot read" in err.value.message
    assert "\n" not in err.value.message and token.access_token not in err.value.message


@both_clients
def test_server_errors_are_retried(session: SsoSession, token: Token, sim: Simulator) -> None:
    sim.set(fail_every=2)
    portal = Portal(session, token, page_size=2, sleep=lambda _s: None, environ=os.environ)
    assert sum(len(p) for p in portal.list_accounts()) == len(sim.org.accounts)


@both_clients
def test_unreachable_portal_fails_fast(
    session: SsoSession, token: Token, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = _closed_port()
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", f"http://127.0.0.1:{port}")
    started = time.monotonic()
    with pytest.raises(ServiceError) as err:
        list(Portal(session, token, environ=os.environ).list_accounts())
    assert time.monotonic() - started < 10
    assert err.value.message.startswith(f"cannot reach Identity Center at http://127.0.0.1:{port}")
    assert "\n" not in err.value.message


@both_clients
def test_silent_endpoint_fails_after_its_connect_attempts(
    session: SsoSession, token: Token, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each attempt's connect timeout is cut short here; with the real one, the attempts and
    # their longest backoffs still end within ten seconds.
    backoffs = [min(BACKOFF_CAP, BACKOFF_BASE * 2**k) for k in range(1, NETWORK_RETRIES + 1)]
    assert (NETWORK_RETRIES + 1) * clients.CONNECT_TIMEOUT + sum(backoffs) < 10
    monkeypatch.setattr(clients, "CONNECT_TIMEOUT", 0.2)
    clients.clear_cache()
    slept: list[float] = []
    # A listener whose accept queue is full: the kernel drops further SYNs, so connecting
    # hangs as it does for a firewalled or unrouted address.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = server.getsockname()[1]
        fillers = []
        for _ in range(3):
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
            fillers.append(filler)
        try:
            with socket.socket() as probe:
                probe.settimeout(0.3)
                try:
                    probe.connect(("127.0.0.1", port))
                except TimeoutError:
                    pass
                else:
                    pytest.skip("this kernel accepts beyond the backlog; no silent endpoint")
            monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", f"http://127.0.0.1:{port}")
            portal = Portal(session, token, environ=os.environ, sleep=slept.append)
            with pytest.raises(ServiceError, match="^cannot reach Identity Center"):
                finished(lambda: list(portal.list_accounts()), what="a call to a silent endpoint")
        finally:
            for filler in fillers:
                filler.close()
    assert len(slept) == NETWORK_RETRIES  # a backoff before each attempt after the first
    assert all(0 <= pause <= most for pause, most in zip(slept, backoffs, strict=True))


@both_clients
def test_something_else_at_the_endpoint(
    session: SsoSession, token: Token, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", f"{sim.url}/elsewhere")
    # the error it named is said too, with its message
    with pytest.raises(
        ServiceError,
        match=r"answered HTTP 404 \(UnknownOperationException: Unknown operation\) to "
        "ListAccounts, not like Identity",
    ):
        list(Portal(session, token, environ=os.environ).list_accounts())


@both_clients
def test_user_profile_keys_and_region_do_not_matter(
    session: SsoSession,
    token: Token,
    sim: Simulator,
    home: Home,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE00")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-a-real-secret")
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    sessions_only = home.aws_config.read_text()
    with_default = (
        sessions_only
        + "[default]\nregion = ap-southeast-2\ncredential_process = false\n"
        + "[profile broken]\nsso_session = does-not-exist\n"
    )
    for config, profile in (
        (sessions_only, "nonexistent"),
        (with_default, "nonexistent"),
        (with_default, "broken"),
    ):
        home.write_config(config)
        monkeypatch.setenv("AWS_PROFILE", profile)
        monkeypatch.setenv("AWS_DEFAULT_PROFILE", profile)
        sim.reset_calls()
        assert sum(len(p) for p in Portal(session, token, environ=os.environ).list_accounts()) == 12
        assert sim.calls["ListAccounts"] == 1
        assert current_token(here(), session) == token
        token = login(here(), session, force=True, announce=lambda _a: None)


def test_services_section_endpoint_is_honoured(
    session: SsoSession, token: Token, sim: Simulator, home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL_SSO")
    home.write_config(
        home.aws_config.read_text()
        + f"[default]\nservices = local\n[services local]\nsso =\n  endpoint_url = {sim.url}\n"
    )
    sim.reset_calls()
    assert sum(len(p) for p in Portal(session, token, environ=os.environ).list_accounts()) == 12
    assert sim.calls["ListAccounts"] == 1


def test_botocore_sso_credential_provider_uses_our_cache(
    sso_config: Path, sim: Simulator, home: Home, token: Token
) -> None:
    source = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r.name for r in source.roles if not r.forbidden)
    home.write_config(
        sso_config.read_text()
        + f"[profile x]\nsso_session = dev\nsso_account_id = {source.account_id}\n"
        + f"sso_role_name = {role}\nregion = us-east-1\n"
    )
    sim.reset_calls()
    code = (
        "import boto3, json\n"
        "c = boto3.Session(profile_name='x').get_credentials().get_frozen_credentials()\n"
        "print(json.dumps([c.access_key, bool(c.secret_key), bool(c.token)]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    key, has_secret, has_token = json.loads(proc.stdout)
    assert key.startswith("ASIA") and has_secret and has_token
    assert sim.calls["GetRoleCredentials"] == 1 and sim.calls["CreateToken"] == 0


@both_clients
def test_works_from_a_cache_the_aws_cli_wrote(session: SsoSession, sim: Simulator) -> None:
    # The device flow done by plain boto3, the files written the way the AWS CLI writes them.
    oidc = boto3.client(
        "sso-oidc", region_name=sim.region, config=Config(signature_version=UNSIGNED)
    )
    reg = oidc.register_client(
        clientName="botocore-client-dev", clientType="public", scopes=["sso:account:access"]
    )
    auth = oidc.start_device_authorization(
        clientId=reg["clientId"], clientSecret=reg["clientSecret"], startUrl=sim.start_url
    )
    answer = oidc.create_token(
        grantType="urn:ietf:params:oauth:grant-type:device_code",
        clientId=reg["clientId"],
        clientSecret=reg["clientSecret"],
        deviceCode=auth["deviceCode"],
    )
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    reg_expiry = datetime.fromtimestamp(reg["clientSecretExpiresAt"], UTC).strftime(fmt)
    token_path(here(), session).parent.mkdir(parents=True, exist_ok=True)
    token_path(here(), session).write_text(
        json.dumps(
            {
                "startUrl": sim.start_url,
                "region": sim.region,
                "accessToken": answer["accessToken"],
                "expiresAt": (utcnow() + timedelta(seconds=answer["expiresIn"])).strftime(fmt),
                "clientId": reg["clientId"],
                "clientSecret": reg["clientSecret"],
                "registrationExpiresAt": reg_expiry,
                "refreshToken": answer["refreshToken"],
            }
        )
    )
    registration_path(here(), session).write_text(
        json.dumps(
            {
                "clientId": reg["clientId"],
                "clientSecret": reg["clientSecret"],
                "expiresAt": reg_expiry,
                "scopes": ["sso:account:access"],
            }
        )
    )
    sim.reset_calls()
    token = current_token(here(), session)
    assert token.access_token == answer["accessToken"]
    assert sum(len(p) for p in Portal(session, token, environ=os.environ).list_accounts()) == 12
    assert sim.calls["CreateToken"] == 0 and sim.calls["RegisterClient"] == 0
    login(here(), session, force=True, announce=lambda _a: None)
    assert sim.calls["RegisterClient"] == 0  # the AWS CLI's registration was reused


def test_a_call_not_sent_after_another_gave_up_says_what_that_one_was_told(
    session: SsoSession, token: Token, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A call another's giving up kept from being sent (every listing unreadable, the deadlines
    running out on a loaded machine) said "did not answer the roles of account X within 15
    s", a deadline it never met, beside eleven that said what Identity Center sent (CI)."""
    from tui.aws.transport import MalformedResponse

    portal = Portal(session, token, environ=os.environ)
    portal._last_failure = MalformedResponse("not JSON", endpoint=sim.url)
    monkeypatch.setattr(portal.deadlines, "begin", lambda: False)  # another call just gave up
    with pytest.raises(ServiceError) as raised:
        portal.list_roles(sim.org.accounts[0].account_id)
    assert "cannot read" in raised.value.message, raised.value.message
    assert "did not answer" not in raised.value.message
