"""The session chooser, and the picker drawing on the terminal while stdout is captured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.app_support import SIZE, async_test, catalog_loaded, picker, screen_name, wait_until
from tui.sim import Organisation, Simulator


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
