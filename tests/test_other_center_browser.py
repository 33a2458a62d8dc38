"""The browser login (authorization code with PKCE) against a second Identity Center.

`tests/other_center.py` plays the authorize page its own legal way (303, `state` first, extra
`iss`/`session_state`, a code holding `+/=`, `error_description` on a denial, a page with no
redirect for a client it does not know) and redeems codes once only. The user's side is the
real `ssotui login` with tests/fake_browser.py as BROWSER.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from tests.browser_support import open_here
from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tests.fake_browser import use_fake_browser
from tests.other_center import OIDC_PREFIX, START_URL, OtherCenter
from tests.other_center_support import reached
from tui.aws.login_flows import log_in
from tui.aws.session_choice import chosen_session
from tui.aws.token_cache import load_registration, registration_path, token_path
from tui.errors import LoginFailed
from tui.models import SsoSession


@pytest.fixture
def center(monkeypatch: pytest.MonkeyPatch, home: Home) -> Iterator[OtherCenter]:
    """The other server, an `other` session, no SSH (the browser flow is the default)."""
    for name in ("SSH_CONNECTION", "SSH_TTY"):
        monkeypatch.delenv(name, raising=False)
    with reached(OtherCenter(), monkeypatch, home) as server:
        yield server


@pytest.fixture
def other(center: OtherCenter) -> SsoSession:
    return chosen_session(here())[0]


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err
    return lines[-1]


def test_browser_login_end_to_end_and_botocore_refreshes_its_token(
    center: OtherCenter, home: Home, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    browser = use_fake_browser(monkeypatch, tmp_path, twice="1")
    result = ssotui("login")
    assert result.status == 0, result.err
    [visit] = browser.visits()
    url = urlsplit(str(visit["url"]))
    assert url.path == "/authorize"  # scheme and host of the OIDC endpoint, as botocore
    assert visit["status"] == 200 and "close this window" in str(visit["body"])
    # a reload: the same page while the login finishes, none after; no second login either way
    assert visit["again"] in (200, "refused")
    assert center.calls["create_token"] == 1 and not center.codes
    # the code with "+/=" arrived intact (it was redeemed), the token works at the portal
    listed = ssotui("list", "--json")
    assert listed.status == 0, listed.err
    cached = json.loads(token_path(here(), chosen_session(here())[0]).read_text())
    assert cached["refreshToken"].startswith("or-")

    # botocore's SSOTokenProvider refreshes the token ssotui cached, as the AWS CLI's
    cached["expiresAt"] = "2000-01-01T00:00:00Z"
    token_path(here(), chosen_session(here())[0]).write_text(json.dumps(cached))
    home.write_config(
        home.aws_config.read_text()
        + "\n[profile sso]\nsso_session = other\nsso_account_id = 111111111111\n"
        "sso_role_name = Admin\nregion = eu-west-3\n"
    )
    creds = boto3.Session(profile_name="sso").get_credentials()
    assert creds is not None
    assert creds.get_frozen_credentials().access_key.startswith("ASIAOTHER")
    refreshed = json.loads(token_path(here(), chosen_session(here())[0]).read_text())
    assert refreshed["accessToken"] != cached["accessToken"]
    assert refreshed["refreshToken"] != cached["refreshToken"]
    # and ssotui goes on with botocore's refreshed token, and refreshes it in turn
    refreshed["expiresAt"] = "2000-01-01T00:00:00Z"
    token_path(here(), chosen_session(here())[0]).write_text(json.dumps(refreshed))
    exported = ssotui("export", "Prod", "Admin")
    assert exported.status == 0, exported.err
    again = json.loads(token_path(here(), chosen_session(here())[0]).read_text())
    assert again["refreshToken"] not in (refreshed["refreshToken"], cached["refreshToken"])
    assert center.calls["register_client"] == 1


def test_the_authorize_request_is_the_one_botocore_sends(
    center: OtherCenter, other: SsoSession, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    browser = use_fake_browser(monkeypatch, tmp_path)
    log_in(here(), other, announce=lambda _e: None, open_url=open_here)
    query = parse_qs(urlsplit(str(browser.visits()[0]["url"])).query)
    registered = center.grants[query["client_id"][0]]
    assert registered["grantTypes"] == ["authorization_code", "refresh_token"]
    assert registered["redirectUris"] == ["http://127.0.0.1/oauth/callback"]
    assert registered["issuerUrl"] == START_URL
    assert query["scopes"] == ["sso:account:access"]
    assert center.base + OIDC_PREFIX not in str(browser.visits()[0]["url"])


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        ("deny", "was denied in the browser"),
        ("temporarily_unavailable", "failed (temporarily_unavailable)"),
        ("invalid_scope", "failed (invalid_scope)"),
    ],
)
def test_an_error_redirect_is_one_line(
    center: OtherCenter, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, answer: str, said: str
) -> None:
    center.authorize_answer = answer
    use_fake_browser(monkeypatch, tmp_path)
    result = ssotui("login")
    assert result.status == 1
    line = _one_line(result.err)
    assert said in line and "ssotui login" in line
    assert "ref #42" not in result.err  # the service's own words are not echoed
    assert center.calls["create_token"] == 0


@pytest.mark.parametrize(
    ("failure", "said"),
    [
        ((400, "InvalidGrantException"), "refused the code the browser brought"),
        ((400, "InvalidRequestException"), "refused the code the browser brought"),
        ((400, "ExpiredTokenException"), "expired before ssotui could use it"),
        ((500, "InternalServerException"), "wait a minute"),
    ],
)
def test_create_token_refusals_are_one_line(
    center: OtherCenter,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    failure: tuple[int, str],
    said: str,
) -> None:
    center.code_failure = failure
    use_fake_browser(monkeypatch, tmp_path)
    result = ssotui("login")
    assert result.status == 1
    assert said in _one_line(result.err)
    assert not token_path(here(), chosen_session(here())[0]).exists()


def test_an_expired_code_is_one_line(
    center: OtherCenter, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    center.code_lifetime = -1
    use_fake_browser(monkeypatch, tmp_path)
    result = ssotui("login")
    assert result.status == 1
    assert "expired before ssotui could use it" in _one_line(result.err)


def test_a_registration_the_authorize_page_does_not_know(
    center: OtherCenter, other: SsoSession, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The service forgot the cached registration: its page says so and never redirects."""
    browser = use_fake_browser(monkeypatch, tmp_path)
    log_in(here(), other, announce=lambda _e: None, open_url=open_here)
    first = load_registration(here(), other, browser=True)
    center.forget_clients()
    with pytest.raises(LoginFailed) as err:
        log_in(
            here(),
            other,
            announce=lambda _e: None,
            force=True,
            browser_timeout=1.5,
            open_url=open_here,
        )
    assert "did not come back" in err.value.message
    assert browser.visits()[-1]["status"] == 400
    # the next login must not open the same dead end again
    token = log_in(
        here(), other, announce=lambda _e: None, force=True, browser_timeout=5, open_url=open_here
    )
    second = load_registration(here(), other, browser=True)
    assert first is not None and second is not None and second.client_id != first.client_id
    assert token.client_id == second.client_id


def test_a_forgotten_registration_the_aws_cli_left_is_dropped_too(
    center: OtherCenter, other: SsoSession, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A browser registration the AWS CLI 2.22+ keeps under botocore's key, which the service
    forgot: dropped from there, and the next login registers one under ssotui's own key."""
    use_fake_browser(monkeypatch, tmp_path)
    first = log_in(here(), other, announce=lambda _e: None, open_url=open_here)
    registration_path(here(), other, browser=True).rename(
        registration_path(here(), other)
    )  # as the CLI keeps it
    center.forget_clients()
    with pytest.raises(LoginFailed):
        log_in(
            here(),
            other,
            announce=lambda _e: None,
            force=True,
            browser_timeout=1.5,
            open_url=open_here,
        )
    assert load_registration(here(), other) is None
    token = log_in(
        here(), other, announce=lambda _e: None, force=True, browser_timeout=5, open_url=open_here
    )
    second = load_registration(here(), other, browser=True)
    assert second is not None and token.client_id == second.client_id != first.client_id
    assert load_registration(here(), other) is None
