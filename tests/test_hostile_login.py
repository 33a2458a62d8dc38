"""A hostile Identity Center during a login: what it sends is neither run nor obeyed.

The device authorization's addresses are opened in a browser and printed on the terminal, and
its user code is printed and drawn by the picker: a `javascript:` or `file:` address is never
handed to a browser, an escape sequence never reaches the terminal, and Textual markup in an
address, a code or an error name is shown as it is, never run (`[@click=...]`) and never stops
the picker (a closing tag that opens nothing raised MarkupError).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.app_support import (
    SIZE,
    async_test,
    log_in,
    login_status,
    picker,
    screen_name,
    wait_until,
)
from tests.cli_helpers import ssotui
from tests.conftest import Home, here
from tests.fake_browser import use_fake_browser
from tests.other_center import Failure, OtherCenter, Reply
from tests.other_center_support import reached
from tui import browser
from tui.aws.login import start_login
from tui.aws.session_choice import chosen_session
from tui.errors import ServiceError

ESCAPES = "\x1b]0;owned\x07\x1b[2J\x1b]52;c;ZXZpbA==\x07"


class HostileCenter(OtherCenter):
    """The other server, with members of its device authorization or an error name replaced."""

    def __init__(self) -> None:
        super().__init__()
        self.device_members: dict[str, Any] = {}
        self.device_error: str | None = None

    def start_device_authorization(
        self, query: dict[str, str], headers: dict[str, str], data: Any
    ) -> Reply:
        if self.device_error is not None:
            raise Failure(400, self.device_error, "refused")
        reply = super().start_device_authorization(query, headers, data)
        body = {**json.loads(reply.body), **self.device_members}
        return Reply(reply.status, json.dumps(body).encode(), reply.headers)


@pytest.fixture
def hostile(monkeypatch: pytest.MonkeyPatch, home: Home) -> Iterator[HostileCenter]:
    with reached(HostileCenter(), monkeypatch, home) as server:
        yield server


@pytest.mark.parametrize(
    "members",
    [
        {"verificationUri": "javascript:alert(document.cookie)//"},
        {"verificationUriComplete": "file:///etc/passwd"},
        {"verificationUriComplete": "ms-msdt:/id PCWDiagnostic"},
        {"verificationUriComplete": "--remote-debugging-port=9222"},
        {"verificationUri": "https://device.example.com/" + ESCAPES},
        {"verificationUri": "https://device.example.com/ x"},
        {"verificationUri": "https://[::1/"},
        {"userCode": "ABCD" + ESCAPES},
        {"userCode": 1234},
    ],
    ids=lambda m: next(iter(m)) + ":" + repr(next(iter(m.values())))[:24],
)
def test_an_unsafe_device_authorization_is_refused(
    hostile: HostileCenter, members: dict[str, Any]
) -> None:
    hostile.device_members = members
    with pytest.raises(ServiceError, match="will not show or open"):
        start_login(here(), chosen_session(here())[0])


def test_http_and_https_addresses_are_accepted(hostile: HostileCenter) -> None:
    hostile.device_members = {
        "verificationUri": "https://device.sso.eu-west-3.amazonaws.com/",
        "verificationUriComplete": "https://device.sso.eu-west-3.amazonaws.com/?user_code=AB-CD",
        "userCode": "AB-CD",
    }
    auth = start_login(here(), chosen_session(here())[0])
    assert auth.verification_uri_complete.endswith("?user_code=AB-CD")
    hostile.device_members = {"verificationUri": "http://localhost:8080/device"}
    assert (
        start_login(here(), chosen_session(here())[0]).verification_uri
        == "http://localhost:8080/device"
    )
    hostile.device_members = {"verificationUri": "http://sso-test:8080/device"}  # a test rig
    assert (
        start_login(here(), chosen_session(here())[0]).verification_uri
        == "http://sso-test:8080/device"
    )


def test_login_runs_nothing_and_prints_no_escape_sequence(
    hostile: HostileCenter, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    hostile.device_members = {
        "verificationUri": "javascript:alert(1)//" + ESCAPES,
        "verificationUriComplete": "file:///etc/passwd",
        "userCode": "AB" + ESCAPES,
    }
    fake = use_fake_browser(monkeypatch, tmp_path, "record")
    monkeypatch.setenv("DISPLAY", ":0")  # a browser could start
    result = ssotui("login", "--use-device-code", timeout=30)
    assert result.status == 1
    assert "\x1b" not in result.err and "\x07" not in result.err
    assert result.err.count("\n") == 1 and "will not show or open" in result.err
    assert fake.visits() == []


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JavaScript:alert(1)", "file:///etc/passwd", "-new-window", ""],
)
def test_open_url_opens_only_web_pages(
    url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = use_fake_browser(monkeypatch, tmp_path, "record")
    assert browser.open_url(url, os.environ) is False
    assert fake.visits() == []
    assert browser.open_url("https://example.com/?a=1", os.environ) is True
    assert [v["url"] for v in fake.visits()] == ["https://example.com/?a=1"]


@async_test
async def test_the_picker_shows_markup_in_an_address_and_a_code_as_text(
    hostile: HostileCenter,
) -> None:
    hostile.polls_before_approval = 10**6
    url = "https://device.example.com/[/x][@click=app.quit]here[/]"
    hostile.device_members = {"verificationUri": url, "userCode": "[b]AB[/b][/x]"}
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: hostile.devices, "a device authorization")
        await wait_until(
            pilot,
            lambda: str(app.screen.query_one("#login-url").render()) == url,
            "the address as sent",
        )
        assert str(app.screen.query_one("#login-code-text").render()) == "code [b]AB[/b][/x]"
        assert screen_name(app) == "LoginScreen"
    assert app.return_code in (None, 0)


@async_test
async def test_the_picker_shows_markup_in_an_error_name_as_text(hostile: HostileCenter) -> None:
    hostile.device_error = "[/x][@click=app.quit]Q[/]"
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "press r to try again" in login_status(app), "the failure")
        assert "([/x][@click=app.quit]Q[/]: refused)" in login_status(app)  # and its words
        assert screen_name(app) == "LoginScreen"
    assert app.return_code in (None, 0)


def test_a_device_authorization_lasting_for_ever_is_no_deadline(hostile: HostileCenter) -> None:
    hostile.device_members = {"expiresIn": 10**15}  # past what a date can hold
    auth = start_login(here(), chosen_session(here())[0])
    assert not auth.deadline_trusted  # the service's ExpiredTokenException ends its polling


def test_a_token_lasting_for_ever_is_one_line(hostile: HostileCenter) -> None:
    # It was "unexpected error (OverflowError)", and nothing said the service was at fault.
    hostile.token_lifetime = 10**15
    with pytest.raises(ServiceError, match="unreadable CreateToken answer"):
        log_in(chosen_session(here())[0])
