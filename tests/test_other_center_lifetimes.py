"""Lifetimes botocore's `sso-oidc` model leaves optional, against the second Identity Center
(`tests/other_center.py`), and other answers the models allow that our simulator never gives.

RegisterClient without `clientSecretExpiresAt`, with 0 (RFC 7591: a secret that does not
expire) or with milliseconds where seconds belong; CreateToken without `expiresIn`;
StartDeviceAuthorization without `expiresIn`, or with `verificationUriComplete` and no
`verificationUri` or no `userCode`. Each was "an unreadable answer" (no login at all) or a
registration taken as expired in 1970 (a new one at every login, no refresh, so `ssotui
login` again each hour). And a 5xx answered with a web page, at each client.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest

from tests.app_support import (
    SIZE,
    async_test,
    login_code,
    picker,
    screen_name,
    screen_text,
    wait_until,
)
from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tests.other_center import OtherCenter
from tests.other_center_support import reached
from tui.aws import portal
from tui.aws.endpoints import CHOICE_VAR
from tui.aws.login import start_login, wait_for_token
from tui.aws.session_choice import chosen_session
from tui.aws.token_cache import parse_time, token_path
from tui.cli import main
from tui.models import utcnow

Edit = Callable[[dict[str, Any]], dict[str, Any]]


@pytest.fixture
def center(monkeypatch: pytest.MonkeyPatch, home: Home) -> Iterator[OtherCenter]:
    """The other server, its device logins quick (`interval` 0), not logged in."""
    with reached(OtherCenter(), monkeypatch, home) as server:
        server.device_interval = 0
        yield server


def _without(member: str) -> Edit:
    return lambda answer: {k: v for k, v in answer.items() if k != member}


def _log_in() -> None:
    run = ssotui("login", "--use-device-code", "--no-browser")
    assert run.status == 0, run.err


def _cached() -> dict[str, Any]:
    return json.loads(token_path(here(), chosen_session(here())[0]).read_text())


def _expire_the_token() -> None:
    cached = _cached()
    cached["expiresAt"] = "2000-01-01T00:00:00Z"
    token_path(here(), chosen_session(here())[0]).write_text(json.dumps(cached))


@pytest.mark.parametrize(
    "edit",
    [
        _without("clientSecretExpiresAt"),
        lambda answer: {**answer, "clientSecretExpiresAt": 0},
        lambda answer: {**answer, "clientSecretExpiresAt": answer["clientIdIssuedAt"] * 1000},
    ],
    ids=["left-out", "zero", "milliseconds"],
)
def test_a_registration_without_a_usable_expiry_logs_in_and_refreshes(
    center: OtherCenter, home: Home, edit: Edit
) -> None:
    center.rewrite["register_client"] = edit
    center.refresh_tokens = True
    _log_in()  # was: "Identity Center sent an unreadable RegisterClient answer"
    _expire_the_token()
    listed = ssotui("list")  # was (0): "session other expired: run `ssotui login`"
    assert listed.status == 0, listed.err
    assert center.calls["create_token"] == 2  # the login, then the refresh
    # the AWS CLI's cache says the registration is good, so botocore refreshes it too
    _expire_the_token()
    home.write_config(
        home.aws_config.read_text()
        + "\n[profile sso]\nsso_session = other\nsso_account_id = 111111111111\n"
        "sso_role_name = Admin\nregion = eu-west-3\n"
    )
    creds = boto3.Session(profile_name="sso").get_credentials()
    assert creds is not None
    assert creds.get_frozen_credentials().access_key == center.issued[-1]["accessKeyId"]
    assert center.calls["create_token"] == 3 and center.calls["register_client"] == 1


def test_a_token_without_expires_in_is_taken_to_last_an_hour(center: OtherCenter) -> None:
    center.rewrite["create_token"] = _without("expiresIn")
    _log_in()  # was: "Identity Center sent an unreadable CreateToken answer"
    expires = parse_time(_cached()["expiresAt"])
    assert abs(expires - (utcnow() + timedelta(hours=1))) < timedelta(minutes=1)
    exported = ssotui("export", "Prod", "Admin")
    assert exported.status == 0, exported.err


def test_a_device_authorization_without_expires_in_is_waited_for(center: OtherCenter) -> None:
    center.rewrite["start_device_authorization"] = _without("expiresIn")
    center.polls_before_approval = 3
    _log_in()  # was: "Identity Center sent an unreadable device authorization"
    assert center.calls["create_token"] == 3


def _only_the_complete_page(answer: dict[str, Any]) -> dict[str, Any]:
    page = f"{answer.pop('verificationUri')}?user_code={answer['userCode']}"
    return {**answer, "verificationUriComplete": page}


def test_a_device_authorization_with_only_the_page_that_fills_in_the_code_shows_that_page(
    center: OtherCenter,
) -> None:
    # both pages are optional in botocore's model: the one that fills in the code will do
    center.rewrite["start_device_authorization"] = _only_the_complete_page
    run = ssotui("login", "--use-device-code", "--no-browser")
    assert run.status == 0, run.err  # was: "Identity Center sent an unreadable device ..."
    assert f"{center.base}/device?user_code=OTHR-" in run.err
    assert "enter the code:\n\n  OTHR-" in run.err


@async_test
async def test_the_pickers_login_shows_the_only_page_there_is(center: OtherCenter) -> None:
    center.rewrite["start_device_authorization"] = _only_the_complete_page
    center.polls_before_approval = 2
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: login_code(app), "the code")  # was: "unreadable"
        url = str(app.screen.query_one("#login-url").render())
        assert url == f"{center.base}/device?user_code={login_code(app)}"
        await wait_until(pilot, lambda: screen_name(app) == "MainScreen", "the approval")


def _no_code_but_its_page(answer: dict[str, Any]) -> dict[str, Any]:
    page = f"{answer['verificationUri']}?user_code={answer.pop('userCode')}"
    return {**answer, "verificationUriComplete": page}


def test_a_device_authorization_without_a_code_but_with_its_page_shows_that_page(
    center: OtherCenter,
) -> None:
    # `userCode` is optional in botocore's model too: the page that fills it in will do
    center.rewrite["start_device_authorization"] = _no_code_but_its_page
    run = ssotui("login", "--use-device-code", "--no-browser")
    assert run.status == 0, run.err  # was: "Identity Center sent an unreadable device ..."
    assert f"\n\n  {center.base}/device?user_code=OTHR-" in run.err
    assert "enter the code" not in run.err


@async_test
async def test_the_pickers_login_without_a_code_shows_the_page_that_has_it(
    center: OtherCenter,
) -> None:
    center.rewrite["start_device_authorization"] = _no_code_but_its_page
    center.polls_before_approval = 2
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "?user_code=" in _login_url(app), "the page")
        assert "confirm the code" not in screen_text(app)
        assert "Copy code" not in screen_text(app)
        await wait_until(pilot, lambda: screen_name(app) == "MainScreen", "the approval")


def _login_url(app: Any) -> str:
    if screen_name(app) != "LoginScreen":
        return ""
    return str(app.screen.query_one("#login-url").render())


@pytest.mark.parametrize("expires_in", [0, 1])
def test_a_device_code_said_to_last_no_time_is_polled_until_approved(
    center: OtherCenter, expires_in: int
) -> None:
    # The service's ExpiredTokenException ends such a login, as it ends botocore's; ssotui
    # gave up at once ("expired before it was approved") where `aws sso login` went on.
    center.rewrite["start_device_authorization"] = lambda a: {**a, "expiresIn": expires_in}
    center.polls_before_approval = 3
    _log_in()
    assert center.calls["create_token"] == 3


def test_a_device_code_said_to_last_no_time_ends_when_the_service_says_so(
    center: OtherCenter,
) -> None:
    center.rewrite["start_device_authorization"] = lambda a: {**a, "expiresIn": 0}
    center.polls_before_approval, center.device_polls_before_expiry = 10, 2
    run = ssotui("login", "--use-device-code", "--no-browser")
    assert run.status == 1, run.err
    assert run.err.endswith("expired before it was approved: run `ssotui login` again\n")
    assert center.calls["create_token"] == 3  # two "not yet", then "expired"


@pytest.mark.parametrize("interval", [1000, 5000])
def test_a_device_poll_interval_in_milliseconds_is_polled_every_five_seconds(
    center: OtherCenter, interval: int
) -> None:
    # was: a wait of 601 s (past the code's 600), then "expired before it was approved"
    center.device_interval, center.polls_before_approval = interval, 3
    sleeps: list[float] = []
    session = chosen_session(here())[0]
    auth = start_login(here(), session)
    assert wait_for_token(here(), session, auth, sleep=sleeps.append).access_token
    assert sleeps == [5, 5, 5]


@pytest.mark.parametrize("expires_in", [600_000, 10**15], ids=["milliseconds", "for-ever"])
def test_a_device_code_lifetime_past_a_day_counts_down_ten_minutes(
    center: OtherCenter, expires_in: int
) -> None:
    center.rewrite["start_device_authorization"] = lambda a: {**a, "expiresIn": expires_in}
    auth = start_login(here(), chosen_session(here())[0])
    # was: "The code expires in 10000:00" (a week), or "an unreadable device authorization"
    left = auth.seconds_left()
    assert 590 < left <= 600, left


PAGE = (
    b"<!DOCTYPE html>\n<html lang=en>\n<head><title>502 Bad Gateway</title></head>\n"
    b"<body><h1>Bad Gateway</h1>\n<p>upstream \x1b[31mdown</p></body></html>\n"
)


def test_a_5xx_web_page_at_login_is_one_line(center: OtherCenter) -> None:
    center.error_page = PAGE
    center.busy, center.busy_times = {"register_client": (502, "")}, 20  # past every retry
    run = ssotui("login", "--use-device-code", "--no-browser")
    assert run.status == 1 and run.err.count("\n") == 1, run.err
    assert "HTTP 502" in run.err and "try again" in run.err
    assert "<" not in run.err and "\x1b" not in run.err


@pytest.mark.parametrize("client", ["direct", "botocore"])
def test_a_5xx_web_page_at_the_portal_is_one_line(
    center: OtherCenter,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    client: str,
) -> None:
    if client == "botocore":
        monkeypatch.setenv(CHOICE_VAR, "botocore")
    _log_in()
    monkeypatch.setattr(portal, "BACKOFF_BASE", 0.0)  # in this process: the retries at once
    center.error_page = PAGE
    center.busy, center.busy_times = {"list_accounts": (502, "")}, 20  # past every retry
    assert main(["list", "--refresh"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1, err
    assert "HTTP 502" in err and "try again" in err
    assert "<" not in err and "\x1b" not in err


@pytest.mark.parametrize("client", ["direct", "botocore"])
def test_role_credentials_expiring_in_seconds_not_milliseconds_are_taken_as_seconds(
    center: OtherCenter, monkeypatch: pytest.MonkeyPatch, client: str
) -> None:
    """botocore's model has epoch milliseconds; an `expiration` in seconds read so is a date in
    January 1970, and ssotui said "check this computer's clock" of a clock that was right."""
    if client == "botocore":
        monkeypatch.setenv(CHOICE_VAR, "botocore")
    _log_in()
    center.expiration_ms = int((utcnow() + timedelta(hours=1)).timestamp())  # seconds
    run = ssotui("export", "Prod", "Admin", "--format", "json")
    assert run.status == 0, run.err
    expires = datetime.fromisoformat(json.loads(run.out)["Expiration"])
    assert abs(expires - (utcnow() + timedelta(hours=1))) < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("operation", "member"),
    [
        ("create_token", "expiresIn"),
        ("start_device_authorization", "expiresIn"),
        ("start_device_authorization", "interval"),
        ("register_client", "clientSecretExpiresAt"),
    ],
)
def test_a_lifetime_that_is_no_number_is_an_unreadable_answer(
    center: OtherCenter, operation: str, member: str
) -> None:
    """botocore's parser fails on "1h" with a ValueError of its own: the line said "the login
    failed for session other: ValueError"."""
    center.rewrite[operation] = lambda answer: {**answer, member: "1h"}
    run = ssotui("login", "--use-device-code", "--no-browser")
    assert run.status == 1, run.err
    line = run.err.splitlines()[-1]
    assert line.endswith(": try again later") and "Error" not in line, line
    assert "unreadable" in line or "cannot read" in line, line


@pytest.mark.parametrize("expires_in", [0, -60])
def test_a_token_said_to_last_no_time_is_taken_to_last_an_hour(
    center: OtherCenter, expires_in: int
) -> None:
    """It was cached as expired when it came: "Logged in", then "session other expired: run
    `ssotui login`", and so on for ever (no refresh token here). The portal's 401 still ends
    a token that does not last the hour."""
    center.rewrite["create_token"] = lambda answer: {**answer, "expiresIn": expires_in}
    _log_in()
    expires = parse_time(_cached()["expiresAt"])
    assert abs(expires - (utcnow() + timedelta(hours=1))) < timedelta(minutes=1)
    listed = ssotui("list")
    assert listed.status == 0, listed.err
