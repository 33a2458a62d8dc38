"""An action that fails in the picker says the line the command line prints, whole.

`w` into a read-only or locked credentials file, `o` against a sign-in endpoint that answers a
web page, `s` with a shell whose `#!` interpreter is missing, a login the service fails: the
toast (or the login screen) has the same words as stderr, all of them on screen at 80x24 and at
50x20, and the action works again once the cause is gone.
"""

from __future__ import annotations

import fcntl
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.app_support import (
    async_test,
    catalog_loaded,
    log_in,
    login_status,
    notes,
    open_action_menu,
    picker,
    screen_name,
    screen_text,
    usable_role,
    wait_until,
    with_roles,
)
from tests.cli_helpers import ssotui
from tests.conftest import Home, here
from tests.other_center import OtherCenter
from tests.other_center_support import reached
from tui.app.app import SsotuiApp
from tui.sim import Organisation, SimAccount, Simulator
from tui.store import files

# The retries after a 5xx are the point here, not how long each waits (conftest).
pytestmark = pytest.mark.usefixtures("quick_retries")

SIZES = [(80, 24), (50, 20)]
IDS = ["80x24", "50x20"]


def _said(stderr: str) -> str:
    """The command line's one line, without its `ssotui: `."""
    [line] = stderr.strip().splitlines()
    assert line.startswith("ssotui: ")
    return line.removeprefix("ssotui: ")


def _toast_on_screen(app: SsotuiApp) -> str:
    """The text of the toasts as drawn (the lines right of their edge `▌`), spaces left out:
    what is cut off, hidden under the footer or past the screen's edge, is missing."""
    drawn = []
    for line in screen_text(app).splitlines():
        if "▌" in line:
            drawn.append(line.split("▌", 1)[1].rstrip(" │─╮╯"))
    return "".join("".join(drawn).split())


def _whole(text: str) -> str:
    return "".join(text.split())


async def _toast_drawn(pilot: Any, app: SsotuiApp) -> None:
    """Wait until the first failure's toast is drawn, whole (a moment after it is noted)."""
    await wait_until(
        pilot, lambda: _toast_on_screen(app) == _whole(notes(app)[0]), "the toast, drawn whole"
    )


async def _act(
    pilot: Any, app: SsotuiApp, org: Organisation, account: SimAccount, key: str
) -> None:
    """Open the action menu on the account's usable role and press `key` (Enter on the
    profile name `w` asks for)."""
    await open_action_menu(pilot, app, org, account, usable_role(account))
    await pilot.press(key)
    if key == "w":
        await wait_until(pilot, lambda: screen_name(app) == "ProfileNameScreen", "the name")
        await pilot.press("enter")


async def _again(pilot: Any, app: SsotuiApp, key: str) -> None:
    """The same action once more, from the main screen where the failure left the user."""
    assert screen_name(app) == "MainScreen"
    await pilot.press("enter")
    await wait_until(pilot, lambda: screen_name(app) == "ActionMenu", "the action menu")
    await pilot.press(key)
    if key == "w":
        await wait_until(pilot, lambda: screen_name(app) == "ProfileNameScreen", "the name")
        await pilot.press("enter")


class _WebPage(http.server.BaseHTTPRequestHandler):
    """A sign-in endpoint that is a network's login page: HTTP 200 with HTML."""

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b"<html><body>Log in to the hotel network</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def web_page(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """AWS_ENDPOINT_URL_SIGNIN set to a local server that answers a web page."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _WebPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_SIGNIN", url)
    monkeypatch.setenv("BROWSER", "/bin/true")
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize("size", SIZES, ids=IDS)
@async_test
async def test_o_against_a_web_page_says_the_whole_line_the_command_line_prints(
    sim: object, sso_config: Path, org: Organisation, web_page: str, size: tuple[int, int]
) -> None:
    """At 50 columns the toast was half the width, 22 letters a line: the line ran under the
    footer and "(HTTPS_PROXY, NO_PROXY)", the end of the advice, was not on screen."""
    log_in()
    account = with_roles(org)
    run = ssotui("console", account.account_id, usable_role(account), "--print")
    assert run.status == 1
    said = _said(run.err)
    assert "a web page" in said and said.endswith("(HTTPS_PROXY, NO_PROXY)")
    app = picker()
    async with app.run_test(size=size, notifications=True) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await _act(pilot, app, org, account, "o")
        await wait_until(pilot, lambda: notes(app), "the failure")
        await _toast_drawn(pilot, app)
        assert notes(app) == [said]
        assert _toast_on_screen(app) == _whole(said)
        await _again(pilot, app, "o")  # the picker still answers: the same line again
        await wait_until(pilot, lambda: len(notes(app)) == 2, "the second failure")
        assert notes(app)[-1] == said


@pytest.mark.parametrize("size", SIZES, ids=IDS)
@async_test
async def test_w_into_a_read_only_file_says_the_command_lines_line_then_writes_once_writable(
    sim: object, sso_config: Path, org: Organisation, size: tuple[int, int]
) -> None:
    log_in()
    account = with_roles(org)
    credentials = here().aws_credentials_file
    credentials.write_text("[kept]\naws_access_key_id = AKIAKEPT\n")
    credentials.chmod(0o400)
    run = ssotui("write-profile", account.account_id, usable_role(account))
    assert run.status == 1
    said = _said(run.err)
    assert said.endswith("make it writable (chmod u+w) and run again")
    app = picker()
    async with app.run_test(size=size, notifications=True) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await _act(pilot, app, org, account, "w")
        await wait_until(pilot, lambda: notes(app), "the failure")
        await _toast_drawn(pilot, app)
        assert notes(app) == [said]
        assert _toast_on_screen(app) == _whole(said)
        # long enough to read a failure's advice to its end (it went after Textual's 5 s)
        assert [n.timeout for n in app._notifications] == [10]
        credentials.chmod(0o600)
        await _again(pilot, app, "w")
        await wait_until(pilot, lambda: len(notes(app)) == 2, "the profile")
        assert notes(app)[-1].startswith("Wrote profile [")
    assert "AKIAKEPT" in credentials.read_text()


@async_test
async def test_w_into_a_file_another_ssotui_holds_says_so_and_writes_once_it_lets_go(
    sim: object, sso_config: Path, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "AWS_FILE_LOCK_WAIT", 0.2)  # not 30 s
    log_in()
    account = with_roles(org)
    lock = files.lock_file(here(), here().aws_credentials_file)
    files.ensure_dir(lock.parent)
    holder = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)  # "another ssotui", by its lock
    fcntl.flock(holder, fcntl.LOCK_EX)
    app = picker()
    async with app.run_test(size=(50, 20), notifications=True) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await _act(pilot, app, org, account, "w")
        await wait_until(pilot, lambda: notes(app), "the failure")
        await _toast_drawn(pilot, app)
        [said] = notes(app)
        assert said.startswith(f"another ssotui is still changing {here().aws_credentials_file}")
        assert said.endswith("try again when it has finished (or end that one)")
        assert _toast_on_screen(app) == _whole(said)
        os.close(holder)  # it finished
        await _again(pilot, app, "w")
        await wait_until(pilot, lambda: len(notes(app)) == 2, "the profile")
        assert notes(app)[-1].startswith("Wrote profile [")


@pytest.mark.parametrize("size", SIZES, ids=IDS)
@async_test
async def test_s_with_a_missing_interpreter_says_the_command_lines_line(
    sim: object,
    sso_config: Path,
    org: Organisation,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
) -> None:
    shell = tmp_path / "my-shell"
    shell.write_text("#!/opt/gone/bin/zsh\necho never\n")
    shell.chmod(0o755)
    monkeypatch.setenv("SHELL", str(shell))
    log_in()
    account = with_roles(org)
    run = ssotui("exec", account.account_id, usable_role(account))
    assert run.status == 127
    said = _said(run.err)
    assert "bad interpreter /opt/gone/bin/zsh" in said
    app = picker()
    async with app.run_test(size=size, notifications=True) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await _act(pilot, app, org, account, "s")
        await wait_until(pilot, lambda: notes(app), "the failure")
        await _toast_drawn(pilot, app)
        assert notes(app) == [said]
        assert _toast_on_screen(app) == _whole(said)
        shell.write_text("#!/bin/sh\nexit 4\n")  # the interpreter fixed
        await _again(pilot, app, "s")
        await wait_until(pilot, lambda: len(notes(app)) == 2, "the return")
        assert "(exit status 4)" in notes(app)[-1]


@async_test
async def test_a_login_the_service_fails_says_try_again_in_a_minute_and_r_not_the_command(
    monkeypatch: pytest.MonkeyPatch, home: Home
) -> None:
    """It said "try again in a minute with `ssotui login` — press r to try again": a command
    to leave the picker for, on the screen whose `r` does it."""
    failing = {"register_client": (503, "ServiceUnavailable")}
    with reached(OtherCenter(), monkeypatch, home) as center:
        center.busy, center.busy_times = dict(failing), 20  # past botocore's retries
        run = ssotui("login", "--use-device-code", "--no-browser")
        assert run.status == 1
        said = _said(run.err)
        assert said.endswith(": try again in a minute with `ssotui login`")
        center.busy, center.busy_times = dict(failing), 20
        app = picker()
        async with app.run_test(size=(50, 20)) as pilot:
            await wait_until(
                pilot, lambda: "HTTP 503" in login_status(app), "the failure", timeout=20
            )
            assert login_status(app) == (
                said.removesuffix(" with `ssotui login`") + " — press r to try again"
            )
            await wait_until(
                pilot,
                lambda: _whole(login_status(app)) in _whole(screen_text(app).replace("│", "")),
                "the whole failure on the screen",
            )
            center.busy = {}
            await pilot.press("r")
            await wait_until(pilot, lambda: "Waiting for approval" in login_status(app), "the code")


@async_test
async def test_o_in_a_partition_ssotui_does_not_know_says_what_to_do_in_the_picker(
    sim: Simulator, home: Home, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line says "give --destination URL", an option the picker has none of: the
    picker says its ways out (ctrl+g offers only regions of that same partition)."""
    monkeypatch.setenv("BROWSER", "/bin/true")
    home.write_config(  # Identity Center in a partition ssotui knows no console of
        f"[sso-session dev]\nsso_start_url = {sim.start_url}\nsso_region = eusc-de-east-1\n"
    )
    log_in()
    account = with_roles(org)
    run = ssotui("console", account.account_id, usable_role(account), "--print")
    assert run.status == 1, run.err
    assert _said(run.err).endswith("partitions): give --destination URL")
    app = picker()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await _act(pilot, app, org, account, "o")
        await wait_until(pilot, lambda: notes(app), "the failure")
        assert notes(app) == [
            "ssotui knows no console address for region eusc-de-east-1 (outside the "
            "commercial, China and GovCloud partitions): open it from the access portal in the "
            "browser, or with `ssotui console --destination URL` in a shell"
        ]
