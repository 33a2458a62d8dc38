"""The session chooser (at start and on ctrl+s), and the picker drawing on the terminal while
stdout is captured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.app_support import (
    SIZE,
    async_test,
    catalog_loaded,
    dev_session,
    footer_keys,
    picker,
    screen_name,
    screen_text,
    status_text,
    use_palette,
    wait_until,
)
from tests.cli_helpers import ssotui
from tests.conftest import Home, here
from tui.aws import login
from tui.aws.sessions import load_sessions
from tui.sim import Organisation, Simulator
from tui.store.settings import load_settings


def _two_sessions(sso_config: Path, sim: Simulator) -> None:
    with sso_config.open("a") as config:
        config.write(
            f"\n[sso-session ops]\nsso_start_url = {sim.start_url}\nsso_region = {sim.region}\n"
        )


@async_test
async def test_several_sessions_and_no_default_ask_first(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    _two_sessions(sso_config, sim)
    app = picker(session=None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: screen_name(app) == "SessionScreen", "the chooser")
        await pilot.press("down", "enter")
        await wait_until(pilot, catalog_loaded(app, org), "the catalog of the chosen session")
        assert "ops" in str(app.screen.query_one("#status").render())


@async_test
async def test_the_chooser_names_a_legacy_profile_s_session_once_not_its_url_twice(
    sim: Simulator, sso_config: Path
) -> None:
    with sso_config.open("a") as config:
        config.write(
            "\n[profile old]\nsso_start_url = https://legacy.awsapps.com/start\n"
            "sso_region = eu-central-1\nsso_account_id = 111122223333\nsso_role_name = Admin\n"
        )
    app = picker(session=None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: screen_name(app) == "SessionScreen", "the chooser")
        row = next(s for s in screen_text(app).splitlines() if "legacy.awsapps" in s)
        assert row.count("https://legacy.awsapps.com/start") == 1, row
        assert "(legacy profile)" in row, row


@async_test
async def test_a_profile_not_there_is_said_on_the_chooser_as_the_commands_say_it(
    sim: Simulator, sso_config: Path, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`AWS_PROFILE=prod-admn` (a slip) with several sessions: the commands said why none was
    taken, the picker opened its chooser without a word; it says it there, and still asks."""
    _two_sessions(sso_config, sim)
    monkeypatch.setenv("AWS_PROFILE", "prod-admn")
    run = ssotui("list")
    assert run.status == 1
    why = (
        f"AWS_PROFILE names profile 'prod-admn', which is in neither {here().aws_config_file} "
        f"nor {here().aws_credentials_file} (the AWS CLI finds no such profile)"
    )
    assert f"(dev, ops), and {why}: pass --session NAME" in run.err
    app = picker(session=None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: screen_name(app) == "SessionScreen", "the chooser")
        note = str(app.screen.query_one("#sessions-note").render())
        assert note == f"{why}. Choose the session here."
        assert "Choose the session here." in screen_text(app)  # on screen, with the list
        assert "ops  https://" in screen_text(app)
        await pilot.press("down", "enter")
        await wait_until(pilot, catalog_loaded(app, org), "the catalog of the chosen session")


@async_test
async def test_a_default_session_not_there_is_said_on_the_chooser_as_the_commands_say_it(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    """`default_session = "dve"` with several sessions: the commands said it names none, the
    chooser asked without a word (and said to set default_session, which was set)."""
    _two_sessions(sso_config, sim)
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "config.toml").write_text('default_session = "dve"\n')
    run = ssotui("list")
    assert run.status == 1
    why = (
        f"default_session in ssotui's config.toml: no sso-session 'dve' in "
        f"{here().aws_config_file} (configured: dev, ops); change it there"
    )
    assert run.err.strip() == f"ssotui: {why}, or give --session NAME"
    app = picker(session=None, settings=load_settings(here().config_file))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: screen_name(app) == "SessionScreen", "the chooser")
        note = str(app.screen.query_one("#sessions-note").render())
        assert note == f"{why}. Choose the session here."
        await pilot.press("down", "enter")
        await wait_until(pilot, catalog_loaded(app, org), "the catalog of the chosen session")


@async_test
async def test_escape_in_the_chooser_quits(sim: Simulator, sso_config: Path) -> None:
    _two_sessions(sso_config, sim)
    app = picker(session=None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: screen_name(app) == "SessionScreen", "the chooser")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not app.is_running, "the exit")
    assert app.return_value is None


def test_stdout_is_the_terminal_while_the_ui_runs_then_the_capture_again() -> None:
    code = (
        "import os\n"
        "from tui.app.terminal import drawing_on_the_terminal\n"
        "with drawing_on_the_terminal():\n"
        "    print('inside', os.isatty(1), flush=True)\n"
        "print('after', os.isatty(1), flush=True)\n"
    )
    master, slave = os.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            stdin=slave,
            stderr=slave,
            stdout=subprocess.PIPE,
            text=True,
            check=True,
            timeout=30,
        )
        on_terminal = os.read(master, 4096).decode()
    finally:
        os.close(master)
        os.close(slave)
    assert done.stdout == "after False\n"
    assert "inside True" in on_terminal


@pytest.mark.parametrize("size", [(80, 24), (120, 35), (200, 50)])
@async_test
async def test_the_chooser_draws_every_session_at_any_size(
    size: tuple[int, int], sim: Simulator, sso_config: Path
) -> None:
    _two_sessions(sso_config, sim)
    app = picker(session=None)
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: screen_name(app) == "SessionScreen", "the chooser")
        await pilot.pause()
        lines = screen_text(app).splitlines()
        listed = [line for line in lines if sim.start_url in line]
        assert len(listed) == 2
        assert " dev " in listed[0] and " ops " in listed[1]
        assert footer_keys(app) == {"enter": "Open", "escape": "Quit", "question_mark": "Keys"}


@async_test
async def test_the_chooser_lines_up_the_start_urls(sim: Simulator, sso_config: Path) -> None:
    """Before, each start URL began two spaces after its session's name: "dev  https://…" over
    "operations  https://…", a ragged column."""
    with sso_config.open("a") as config:
        config.write(
            f"\n[sso-session operations]\nsso_start_url = {sim.start_url}\n"
            f"sso_region = {sim.region}\n"
        )
    app = picker(session=None)
    async with app.run_test(size=(120, 35)) as pilot:
        await wait_until(pilot, lambda: screen_name(app) == "SessionScreen", "the chooser")
        await pilot.pause()
        listed = [line for line in screen_text(app).splitlines() if sim.start_url in line]
        assert [" dev " in listed[0], " operations " in listed[1]] == [True, True], listed
        assert listed[0].index(sim.start_url) == listed[1].index(sim.start_url), listed


def _log_in_to(name: str) -> None:
    session = next(s for s in load_sessions(here()) if s.name == name)
    login.login(
        here(), session, open_browser=False, announce=lambda _a: None, sleep=lambda _s: None
    )


@async_test
async def test_ctrl_s_switches_the_session_without_restarting(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    _two_sessions(sso_config, sim)
    _log_in_to("dev")
    _log_in_to("ops")
    app = picker(session=dev_session())
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog of dev")
        first = app.screen
        assert footer_keys(app)["ctrl+s"] == "Session"

        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: screen_name(app) == "SessionScreen", "the chooser")
        assert "dev " in screen_text(app) and "(in use)" in screen_text(app)
        assert footer_keys(app)["escape"] == "Back"
        await pilot.press("escape")  # back where it was, not out of the picker
        await wait_until(pilot, lambda: app.screen is first, "the same main screen")

        await use_palette(pilot, app, "switch session")
        await wait_until(pilot, lambda: screen_name(app) == "SessionScreen", "the chooser")
        await pilot.press("down", "enter")
        await wait_until(
            pilot,
            lambda: app.screen is not first and catalog_loaded(app, org)(),
            "the catalog of ops",
        )
        assert "ops" in status_text(app)
        assert app.session is not None and app.session.name == "ops"
        assert app.screen_stack == [app.screen]  # the first session's screen is gone
