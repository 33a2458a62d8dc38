"""A login whose token could not be saved says so before the user is asked for anything.

The token is written at the end of a login; a place it cannot go (a folder where the token file
goes, a cache "folder" that is a file, a folder another user owns on the way, a read-only one)
used to be found only then: after the user had opened the browser or typed the code and
approved. Now `ssotui login`, a command that logs in at a terminal and the picker's login screen
say it in one line first, and Identity Center is asked nothing (no RegisterClient, no
StartDeviceAuthorization, no browser page).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.app_support import (
    SIZE,
    async_test,
    catalog_loaded,
    dev_session,
    login_code,
    login_status,
    picker,
    screen_name,
    wait_until,
)
from tests.cli_helpers import ssotui
from tests.conftest import OTHER_UID, Home, here
from tests.fake_browser import use_fake_browser
from tests.test_commands_offer_login import _at_a_terminal
from tui.aws.flow_choice import Flow
from tui.aws.login_flows import LoginEvent, log_in
from tui.aws.token_cache import load_token, token_path
from tui.errors import FileWriteError
from tui.sim import Organisation, Simulator

LOGIN_CALLS = ("RegisterClient", "StartDeviceAuthorization", "Authorize", "CreateToken")


def asked_of_identity_center(sim: Simulator) -> dict[str, int]:
    """The login calls the simulator answered (none, when nothing was asked)."""
    return {op: n for op, n in sim.calls.items() if op in LOGIN_CALLS and n}


def folder_where_the_token_goes() -> Path:
    """A folder left where the session's token file goes (a tool, or a slip of `mkdir -p`)."""
    path = token_path(here(), dev_session())
    path.mkdir(parents=True)
    return path


@pytest.mark.parametrize("flow", ["browser", "device code"])
def test_login_says_the_token_cannot_be_saved_before_asking_anything(
    flow: str,
    sim: Simulator,
    sso_config: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    browser = use_fake_browser(monkeypatch, tmp_path)  # a browser that approves at once
    sim.set(interval=0)
    in_the_way = folder_where_the_token_goes()
    run = ssotui("login", *(["--use-device-code"] if flow == "device code" else []))
    assert run.status == 1
    lines = run.err.strip().splitlines()
    assert lines == [
        f"ssotui: no login to session dev was started, as its token could not be saved: "
        f"{in_the_way} is a folder; move it away"
    ], run.err
    assert "Traceback" not in run.err
    assert asked_of_identity_center(sim) == {}
    assert not browser.log.exists()  # no browser page opened either


def test_a_command_that_logs_in_at_a_terminal_says_it_before_the_code(
    sim: Simulator, sso_config: Path, home: Home
) -> None:
    home.sso_cache.parent.mkdir(parents=True)
    home.sso_cache.write_text("")  # a file where the SSO cache folder goes
    status, _out, err = _at_a_terminal("list")
    assert status == 1, err
    assert (
        f"ssotui: no login to session dev was started, as its token could not be saved: "
        f"{home.sso_cache} is a file, not a folder; move it away"
    ) in err, err
    assert "Log in in the browser" not in err and "Traceback" not in err
    assert asked_of_identity_center(sim) == {}


def test_a_cache_folder_another_user_owns_is_said_before_the_login(
    sim: Simulator, sso_config: Path, sso_cache_in_their_folder: Path
) -> None:
    theirs = sso_cache_in_their_folder
    events: list[LoginEvent] = []
    with pytest.raises(FileWriteError) as caught:
        log_in(here(), dev_session(), flow=Flow.DEVICE_CODE, announce=events.append, open_url=None)
    message = caught.value.message
    assert "\n" not in message
    assert f"{theirs} on its way belongs to another user (uid {OTHER_UID})" in message
    assert message.endswith("use a folder of your own"), message
    assert events == [] and asked_of_identity_center(sim) == {}


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in a read-only folder all the same")
def test_a_read_only_cache_folder_is_said_before_the_login(
    sim: Simulator, sso_config: Path, home: Home
) -> None:
    home.sso_cache.mkdir(parents=True)
    home.sso_cache.chmod(0o500)
    try:
        run = ssotui("login", "--use-device-code")
    finally:
        home.sso_cache.chmod(0o700)
    assert run.status == 1
    assert run.err.strip() == (
        f"ssotui: no login to session dev was started, as its token could not be saved: "
        f"cannot write in {home.sso_cache}: Permission denied; make it writable"
    )
    assert asked_of_identity_center(sim) == {}


def test_a_cache_folder_on_a_read_only_file_system_is_said_with_what_helps(
    sim: Simulator, sso_config: Path, home: Home, tmp_path: Path
) -> None:
    """Was: "Read-only file system; make it writable", and no chmod does that."""
    from tests.test_file_safety import mounted

    with mounted(tmp_path / "disk", "size=16k") as disk:
        (disk / "sso").mkdir()
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        run = ssotui("login", "--use-device-code", env={"SSOTUI_SSO_CACHE_DIR": str(disk / "sso")})
    assert run.status == 1
    assert run.err.strip() == (
        f"ssotui: no login to session dev was started, as its token could not be saved: "
        f"cannot write in {disk / 'sso'}: Read-only file system; remount that file system "
        "read-write"
    )
    assert asked_of_identity_center(sim) == {}


@async_test
async def test_the_picker_login_screen_shows_the_line_instead_of_a_code_and_r_retries(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    in_the_way = folder_where_the_token_goes()
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: "could not be saved" in login_status(app), "the line")
        assert screen_name(app) == "LoginScreen"
        assert f"{in_the_way} is a folder; move it away" in login_status(app)
        assert "press r to try again" in login_status(app)
        assert login_code(app) == ""
        assert asked_of_identity_center(sim) == {}
        shutil.rmtree(in_the_way)  # the user moves it away
        await pilot.press("r")
        await wait_until(pilot, catalog_loaded(app, org), "the catalog after the retry")
        assert load_token(here(), dev_session()) is not None


@pytest.mark.parametrize("command", [("list",), ("credential-process", "any", "role")])
def test_a_folder_where_the_token_goes_is_named_with_what_to_do_first(
    command: tuple[str, ...], sim: Simulator, sso_config: Path
) -> None:
    # not "run `ssotui login`" alone: that login would only refuse, naming the folder
    path = folder_where_the_token_goes()
    result = ssotui(*command)
    assert result.status == 1
    assert result.err.strip() == (
        f"ssotui: the token cache {path} of session dev is a folder, not a file: move it "
        "away, then run `ssotui login`"
    )
