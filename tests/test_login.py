"""Device login against the simulator over real HTTP: registration, polling, failures, cache."""

from __future__ import annotations

import io
import json
import socket
import time
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from tests.browser_support import open_here
from tests.cli_helpers import ssotui
from tests.conftest import Home, here
from tests.fake_browser import use_fake_browser
from tui.aws import login as device
from tui.aws.login import DeviceAuthorization, login, start_login, wait_for_token
from tui.aws.token_cache import load_registration, load_token, registration_path, token_path
from tui.errors import LoginFailed, ServiceError
from tui.models import SsoSession
from tui.sim import Simulator


def no_sleep(_seconds: float) -> None:
    """Polling without waiting (the simulator's interval is 0 in these tests)."""


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_login_writes_the_aws_cli_cache(session: SsoSession, sim: Simulator) -> None:
    seen: list[DeviceAuthorization] = []
    token = login(here(), session, open_browser=False, announce=seen.append, sleep=no_sleep)
    assert len(seen) == 1 and seen[0].user_code and seen[0].verification_uri.startswith(sim.url)
    assert "device_code" not in repr(seen[0]) and seen[0].device_code not in repr(seen[0])
    assert token.refresh_token and token.client_id and not token.is_expired
    data = json.loads(token_path(here(), session).read_text())
    assert data["startUrl"] == sim.start_url and data["region"] == sim.region
    assert data["accessToken"] == token.access_token
    assert load_token(here(), session) == token
    registration = load_registration(here(), session)
    assert registration is not None and registration.client_id == token.client_id
    assert registration.scopes == ("sso:account:access",)


def test_valid_token_is_reused_unless_forced(session: SsoSession, sim: Simulator) -> None:
    first = login(here(), session, open_browser=False, announce=lambda _a: None, sleep=no_sleep)
    sim.reset_calls()
    assert login(here(), session, open_browser=False, announce=lambda _a: None) == first
    assert sum(sim.calls.values()) == 0
    second = login(
        here(), session, force=True, open_browser=False, announce=lambda _a: None, sleep=no_sleep
    )
    assert second.access_token != first.access_token
    # The registration is reused until it expires: no second RegisterClient.
    assert sim.calls["RegisterClient"] == 0 and sim.calls["StartDeviceAuthorization"] == 1


def test_browser_opens_the_complete_uri(
    session: SsoSession, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    browser = use_fake_browser(monkeypatch, tmp_path, "record")
    auths: list[DeviceAuthorization] = []
    login(here(), session, open_browser=open_here, announce=auths.append, sleep=no_sleep)
    assert [v["url"] for v in browser.visits()] == [auths[0].verification_uri_complete]
    login(here(), session, force=True, open_browser=None, announce=lambda _a: None, sleep=no_sleep)
    assert len(browser.visits()) == 1


def test_default_announcement_prints_url_and_code(session: SsoSession) -> None:
    auth = start_login(here(), session)
    out = io.StringIO()
    device.print_instructions(auth, out)
    assert auth.verification_uri in out.getvalue() and auth.user_code in out.getvalue()
    assert f"open {auth.verification_uri_complete} which fills in the code" in out.getvalue()


def test_without_a_browser_the_page_is_not_said_to_open(
    session: SsoSession, sim: Simulator
) -> None:
    """`ssotui login --no-browser` opens no browser: its lines said "If the browser does not
    open", as if one would."""
    result = ssotui("login", "--no-browser")
    assert result.status == 0, result.err
    assert "If the browser does not open" not in result.err
    assert "Open this page in a browser, on this machine or on any other device:" in result.err
    tried = ssotui("login", "--force", "--use-device-code")  # a browser is tried (BROWSER)
    assert tried.status == 0, tried.err
    assert "If the browser does not open, or to log in on another device, open:" in tried.err


def test_polls_until_approved_after_n_polls(session: SsoSession, sim: Simulator) -> None:
    sim.set(approve=3)  # and `interval` 0 (the `sim` fixture's), which the model allows
    sleeps: list[float] = []
    auth = start_login(here(), session)
    token = wait_for_token(here(), session, auth, sleep=sleeps.append)
    # polled at once, then once a second (was: [0, 0, 0], a loop as fast as the answers came
    # back: some 30 polls a second for the ten minutes a code lasts)
    assert token.access_token and sim.calls["CreateToken"] == 3 and sleeps == [0, 1, 1]


def test_slow_down_adds_five_seconds_for_good(session: SsoSession, sim: Simulator) -> None:
    sim.set(interval=1, approve="manual")
    sleeps: list[float] = []
    auth = start_login(here(), session)
    with pytest.raises(LoginFailed, match="cancelled"):
        wait_for_token(
            here(), session, auth, sleep=sleeps.append, cancelled=lambda: len(sleeps) >= 4
        )
    # Our fake sleep does not wait, so every poll after the first is too fast.
    assert sleeps == [1, 1, 6, 11]


def test_denied(session: SsoSession, sim: Simulator) -> None:
    sim.set(approve="deny")
    with pytest.raises(LoginFailed, match="denied in the browser: run `ssotui login` again"):
        login(here(), session, open_browser=False, announce=lambda _a: None, sleep=no_sleep)
    assert load_token(here(), session) is None


def test_device_code_expired_at_the_service(session: SsoSession, sim: Simulator) -> None:
    sim.set(approve="manual", device_code_lifetime=0)
    with pytest.raises(LoginFailed, match="expired before it was approved"):
        login(here(), session, open_browser=False, announce=lambda _a: None, sleep=no_sleep)


def test_gives_up_at_expires_in(session: SsoSession, sim: Simulator) -> None:
    sim.set(approve="manual", interval=50, device_code_lifetime=120)
    sleeps: list[float] = []
    auth = start_login(here(), session)
    with pytest.raises(LoginFailed, match="expired"):
        wait_for_token(here(), session, auth, sleep=sleeps.append)
    assert sum(sleeps) > 120 and len(sleeps) <= 3


def test_cancelled_before_any_poll(session: SsoSession, sim: Simulator) -> None:
    auth = start_login(here(), session)
    with pytest.raises(LoginFailed, match="cancelled"):
        wait_for_token(here(), session, auth, cancelled=lambda: True, sleep=no_sleep)
    assert sim.calls["CreateToken"] == 0


def test_approval_on_request(session: SsoSession, sim: Simulator) -> None:
    sim.set(approve="manual")
    auth = start_login(here(), session)
    polls: list[float] = []

    def sleep(seconds: float) -> None:
        polls.append(seconds)
        if len(polls) == 3:
            assert sim.approve(auth.user_code) == 1

    assert wait_for_token(here(), session, auth, sleep=sleep).access_token
    assert len(polls) == 3


def test_expired_registration_is_replaced(session: SsoSession, sim: Simulator) -> None:
    login(here(), session, open_browser=False, announce=lambda _a: None, sleep=no_sleep)
    old = load_registration(here(), session)
    sim.expire_clients()  # our cache still believes in it; the service does not
    login(here(), session, force=True, open_browser=False, announce=lambda _a: None, sleep=no_sleep)
    new = load_registration(here(), session)
    assert old is not None and new is not None and new.client_id != old.client_id
    assert sim.calls["RegisterClient"] == 2


def _cli_registration(sim: Simulator, grant_types: list[str] | None = None) -> dict[str, object]:
    """Register a client the way the AWS CLI does, with plain boto3."""
    client = boto3.client(
        "sso-oidc", region_name=sim.region, config=Config(signature_version=UNSIGNED)
    )
    answer = client.register_client(
        clientName="botocore-client-dev", clientType="public", scopes=["sso:account:access"]
    )
    data: dict[str, object] = {
        "clientId": answer["clientId"],
        "clientSecret": answer["clientSecret"],
        "expiresAt": datetime.fromtimestamp(answer["clientSecretExpiresAt"], UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        ),
        "scopes": ["sso:account:access"],
    }
    if grant_types:
        data["grantTypes"] = grant_types
    return data


def test_reuses_the_aws_cli_registration(session: SsoSession, sim: Simulator, home: Home) -> None:
    data = _cli_registration(sim)
    home.sso_cache.mkdir(parents=True, exist_ok=True)
    registration_path(here(), session).write_text(json.dumps(data))
    sim.reset_calls()
    token = login(here(), session, open_browser=False, announce=lambda _a: None, sleep=no_sleep)
    assert sim.calls["RegisterClient"] == 0 and token.client_id == data["clientId"]


def test_pkce_registration_of_the_aws_cli_is_not_used(
    session: SsoSession, sim: Simulator, home: Home
) -> None:
    data = _cli_registration(sim, ["authorization_code", "refresh_token"])
    home.sso_cache.mkdir(parents=True, exist_ok=True)
    registration_path(here(), session).write_text(json.dumps(data))
    sim.reset_calls()
    token = login(here(), session, open_browser=False, announce=lambda _a: None, sleep=no_sleep)
    assert sim.calls["RegisterClient"] == 1 and token.client_id != data["clientId"]


def test_unreadable_token_answer(session: SsoSession, sim: Simulator) -> None:
    sim.set(malformed={"CreateToken"})
    with pytest.raises(ServiceError) as err:
        login(here(), session, open_browser=False, announce=lambda _a: None, sleep=no_sleep)
    assert "cannot read" in err.value.message and "\n" not in err.value.message
    assert load_token(here(), session) is None


def test_wrong_start_url_is_a_clear_failure(sim: Simulator, home: Home) -> None:
    sim.set(interval=0)
    other = SsoSession("x", "https://not-the-sim.awsapps.com/start", sim.region)
    with pytest.raises(LoginFailed) as err:
        login(here(), other, open_browser=False, announce=lambda _a: None, sleep=no_sleep)
    assert "InvalidRequestException" in err.value.message and "sso_start_url" in err.value.message


def test_unreachable_endpoint_fails_fast_with_one_line(
    session: SsoSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = closed_port()
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", f"http://127.0.0.1:{port}")
    started = time.monotonic()
    with pytest.raises(ServiceError) as err:
        login(here(), session, open_browser=False, announce=lambda _a: None, sleep=no_sleep)
    assert time.monotonic() - started < 10
    assert f"cannot reach Identity Center at http://127.0.0.1:{port}" in err.value.message
    assert "\n" not in err.value.message


def test_a_registration_of_the_zero_time_is_replaced(session: SsoSession, sim: Simulator) -> None:
    """A cached registration expiring `0001-01-01T00:00:00Z` (a zero time) is expired, as the
    AWS CLI's `_is_expired` finds: a new one is registered, not 'unexpected error
    (OverflowError)'."""
    path = registration_path(here(), session)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"clientId": "c", "clientSecret": "s", "expiresAt": "0001-01-01T00:00:00Z"})
    )
    path.chmod(0o600)
    token = login(here(), session, open_browser=False, announce=lambda _a: None, sleep=no_sleep)
    assert sim.calls["RegisterClient"] == 1
    registration = load_registration(here(), session)
    assert registration is not None and registration.usable
    assert token.client_id == registration.client_id != "c"
