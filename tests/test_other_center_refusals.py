"""Refusals a second Identity Center may give at a login or a refresh, each one line that says
what to do: a client whose secret it no longer takes (registered anew), a scope it does not
grant (`sso_registration_scopes` named), a KMS key it cannot use (an administrator's matter).

`tests/other_center.py` answers; the user's side is the real `ssotui` with
tests/fake_browser.py as BROWSER.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tests.fake_browser import use_fake_browser
from tests.other_center import OtherCenter
from tests.other_center_support import reached
from tui.aws.login import login
from tui.aws.session_choice import chosen_session
from tui.aws.token_cache import token_path


@pytest.fixture
def center(monkeypatch: pytest.MonkeyPatch, home: Home) -> Iterator[OtherCenter]:
    """The other server, an `other` session, no SSH (the browser flow is the default)."""
    for name in ("SSH_CONNECTION", "SSH_TTY"):
        monkeypatch.delenv(name, raising=False)
    with reached(OtherCenter(), monkeypatch, home) as server:
        yield server


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err
    return lines[-1]


def _rotate_secrets(center: OtherCenter) -> None:
    """The service takes no client secret it gave so far (expired early, rotated), while the
    client ids stay known to its authorize page."""
    for client_id in center.clients:
        center.clients[client_id] = "rotated"


def test_a_client_the_service_refuses_at_create_token_is_registered_anew(
    center: OtherCenter, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The authorize page takes the client id; CreateToken refuses its secret (401
    InvalidClientException). The login says so in one line, and the next login registers anew
    instead of sending the user to the browser for the same refusal every time."""
    use_fake_browser(monkeypatch, tmp_path)
    assert ssotui("login").status == 0
    _rotate_secrets(center)
    refused = ssotui("login", "--force")
    assert refused.status == 1
    line = _one_line(refused.err)
    assert "InvalidClientException" in line and "ssotui login" in line
    assert "sso_start_url" not in line  # nothing in the user's config is wrong
    again = ssotui("login", "--force")
    assert again.status == 0, again.err
    assert center.calls["register_client"] == 2


def test_a_refresh_refused_for_the_client_leads_to_a_login_that_registers_anew(
    center: OtherCenter, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A refresh refused with InvalidClientException: "log in again", and that one login works
    (a new registration), not a browser trip that ends in the same refusal."""
    use_fake_browser(monkeypatch, tmp_path)
    assert ssotui("login").status == 0
    path = token_path(here(), chosen_session(here())[0])
    cached = json.loads(path.read_text())
    cached["expiresAt"] = "2000-01-01T00:00:00Z"
    path.write_text(json.dumps(cached))
    _rotate_secrets(center)
    listed = ssotui("list")
    assert listed.status == 1 and "ssotui login" in _one_line(listed.err)
    logged_in = ssotui("login")
    assert logged_in.status == 0, logged_in.err
    assert center.calls["register_client"] == 2


@pytest.mark.parametrize("where", ["register_client", "authorize", "device"])
def test_a_scope_the_service_refuses_points_at_sso_registration_scopes(
    center: OtherCenter, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, where: str
) -> None:
    """A scope Identity Center does not grant (a typo in `sso_registration_scopes`), refused at
    RegisterClient (InvalidScopeException) or by the authorize page (invalid_scope): the line
    names the setting and its value, not the start URL and region."""
    home_config = here().aws_config_file
    home_config.write_text(
        home_config.read_text().replace("sso:account:access", "sso:account:acess")
    )
    if where == "authorize":
        center.authorize_answer = "invalid_scope"
    else:
        center.busy["register_client"] = (400, "InvalidScopeException")
    use_fake_browser(monkeypatch, tmp_path)
    result = ssotui("login", *(["--use-device-code"] if where == "device" else []))
    assert result.status == 1
    line = _one_line(result.err)
    assert "sso_registration_scopes" in line and "sso:account:acess" in line, line
    assert "sso_region" not in line


@pytest.mark.parametrize(
    ("where", "flow", "failure", "reason"),
    [
        ("create_token", "--use-device-code", "AccessDeniedException", "KMS_AccessDeniedException"),
        ("create_token", None, "AccessDeniedException", "KMS_AccessDeniedException"),
        ("create_token", None, "InvalidRequestException", "KMS_DisabledException"),
        ("register_client", None, "InvalidRequestException", "KMS_NotFoundException"),
        (
            "start_device_authorization",
            "--use-device-code",
            "InvalidRequestException",
            "KMS_InvalidStateException",
        ),
    ],
)
def test_a_kms_key_identity_center_cannot_use_is_for_its_administrator(
    center: OtherCenter,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    where: str,
    flow: str | None,
    failure: str,
    reason: str,
) -> None:
    """The instance's customer managed KMS key is disabled, gone or closed to Identity Center
    (the model's `reason` on AccessDeniedException and InvalidRequestException): no login
    mends that, the browser denied nothing, and the config is right; the line says whom to
    ask."""
    center.device_interval = 0
    center.busy[where] = (400, failure)
    center.error_members = {"reason": reason}
    use_fake_browser(monkeypatch, tmp_path)
    result = ssotui("login", *([flow] if flow else []))
    assert result.status == 1
    line = _one_line(result.err)
    assert reason in line and "administrator" in line, line
    assert "denied in the browser" not in line and "sso_start_url" not in line


def test_a_refresh_refused_for_a_kms_key_keeps_the_token_and_says_whom_to_ask(
    center: OtherCenter, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A refresh refused for the instance's KMS key ends nothing of the user's: the line names
    the key's problem (not "log in again", which could not help) and the token stays cached
    for when the key works again."""
    use_fake_browser(monkeypatch, tmp_path)
    assert ssotui("login").status == 0
    path = token_path(here(), chosen_session(here())[0])
    cached = json.loads(path.read_text())
    cached["expiresAt"] = "2000-01-01T00:00:00Z"
    path.write_text(json.dumps(cached))
    center.busy["create_token"] = (400, "AccessDeniedException")
    center.error_members = {"reason": "KMS_AccessDeniedException"}
    listed = ssotui("list")
    assert listed.status == 1
    line = _one_line(listed.err)
    assert "KMS_AccessDeniedException" in line and "administrator" in line, line
    assert json.loads(path.read_text())["refreshToken"] == cached["refreshToken"]


def test_oidc_errors_named_only_in_oauths_error_member(
    center: OtherCenter, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A service that names its SSO OIDC errors as RFC 6749 and 8628 do, `{"error":
    "slow_down"}`, with neither x-amzn-ErrorType nor `__type`: a device login waits through
    slow_down and authorization_pending and ends approved; a refused browser code and a refused
    refresh are said as with the other encodings."""
    center.error_style = "oauth"
    center.slow_down_first_poll = True
    center.polls_before_approval = 2
    waits: list[float] = []
    login(here(), chosen_session(here())[0], announce=lambda _a: None, sleep=waits.append)
    assert waits == [5, 10, 10]  # 5 s more for good after slow_down (RFC 8628)

    use_fake_browser(monkeypatch, tmp_path)
    center.code_failure = (400, "InvalidGrantException")
    refused = ssotui("login", "--force")
    assert refused.status == 1
    assert "refused the code the browser brought" in _one_line(refused.err)
    center.code_failure = None
    assert ssotui("login", "--force").status == 0

    path = token_path(here(), chosen_session(here())[0])
    cached = json.loads(path.read_text())
    cached["expiresAt"] = "2000-01-01T00:00:00Z"
    path.write_text(json.dumps(cached))
    center.refresh.clear()  # every refresh token revoked: invalid_grant
    listed = ssotui("list")
    assert listed.status == 1
    assert "expired: run `ssotui login`" in _one_line(listed.err)


@pytest.mark.parametrize(
    "refusal",
    [
        "UnsupportedGrantTypeException",
        "InvalidRedirectUriException",
        "InvalidClientMetadataException",
    ],
)
def test_a_service_without_the_browser_login_falls_back_to_the_device_code(
    center: OtherCenter, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, refusal: str
) -> None:
    """An Identity Center that offers only the device code (as AWS's did before 2024) refuses
    to register a client for the authorization code grant or its loopback redirect: the login
    says so and carries on with a device code, as when no browser can start."""
    center.no_browser_flow = refusal
    center.device_interval = 0
    use_fake_browser(monkeypatch, tmp_path)
    result = ssotui("login")
    assert result.status == 0, result.err
    assert "Falling back to the device code: " in result.err and refusal in result.err
    assert "OTHR-" in result.err  # the device code, shown
    assert token_path(here(), chosen_session(here())[0]).exists()


@pytest.mark.parametrize("style", ["header", "oauth"])
@pytest.mark.parametrize("member", ["error_description", "message"])
def test_a_refused_registration_says_what_the_service_said(
    center: OtherCenter, style: str, member: str
) -> None:
    """Each error of botocore's sso-oidc model says why in `error_description` (no `message`):
    the line named the error and told the user to check the start URL, never why."""
    center.error_style, center.oidc_message = style, member == "message"
    if member == "message":
        center.error_members = {"error_description": None}
    center.busy = {"register_client": (400, "AccessDeniedException")}
    center.busy_message = "Applications\x1b[2J from outside are blocked here (ref 7)"
    run = ssotui("login", "--use-device-code", "--no-browser")
    assert run.status == 1 and run.err.count("\n") == 1, run.err
    line = _one_line(run.err)
    assert (
        "(AccessDeniedException: Applications␛[2J from outside are blocked here (ref 7))" in line
    ), line


def test_a_code_issued_in_another_region_names_the_region_to_set(
    center: OtherCenter, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """InvalidRequestRegionException (botocore's sso-oidc model) names the region the code or
    token belongs to; the line said only "check the session's sso_start_url and sso_region"."""
    center.code_failure = (400, "InvalidRequestRegionException")
    center.error_members = {
        "region": "us-west-2",
        "endpoint": "https://oidc.us-west-2.amazonaws.com",
    }
    use_fake_browser(monkeypatch, tmp_path)
    run = ssotui("login")
    assert run.status == 1
    line = _one_line(run.err)
    assert line.endswith(
        "Identity Center says the login belongs to region us-west-2: make that the sso_region "
        "of session other (now eu-west-3), then run `ssotui login` again"
    ), line


@pytest.mark.parametrize("status", [401, 407, 400])
def test_a_refresh_refused_without_an_error_name_keeps_the_token(
    center: OtherCenter, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, status: int
) -> None:
    """A refresh answered with a 4xx that names no error (a proxy asking for its login, a
    gateway's page): not Identity Center refusing the refresh token. botocore keeps the token
    on any refresh failure. Was: "session other expired: run `ssotui login`", the token file
    (the AWS CLI's too) deleted."""
    use_fake_browser(monkeypatch, tmp_path)
    assert ssotui("login").status == 0
    path = token_path(here(), chosen_session(here())[0])
    cached = json.loads(path.read_text())
    cached["expiresAt"] = "2000-01-01T00:00:00Z"
    path.write_text(json.dumps(cached))
    center.busy["create_token"] = (status, "")
    listed = ssotui("list")
    assert listed.status == 1
    line = _one_line(listed.err)
    assert str(status) in line and "ssotui login" not in line, line
    assert json.loads(path.read_text())["refreshToken"] == cached["refreshToken"]


@pytest.mark.parametrize("flow", ["--use-device-code", None])
@pytest.mark.parametrize("where", ["register_client", "create_token"])
@pytest.mark.parametrize("status", [407, 401, 400])
def test_a_login_answered_without_an_error_name_names_the_proxy_not_the_start_url(
    center: OtherCenter,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    flow: str | None,
    where: str,
    status: int,
) -> None:
    # Was: "Identity Center refused the client registration for session other (407): check the
    # session's sso_start_url and sso_region", which nothing in the config could mend.
    use_fake_browser(monkeypatch, tmp_path)
    center.busy[where] = (status, "")
    center.busy_times = 100
    result = ssotui("login", *([flow] if flow else []))
    assert result.status == 1
    line = _one_line(result.err)
    assert f"answered HTTP {status} to" in line and "HTTPS_PROXY" in line, line
    assert "sso_start_url" not in line
