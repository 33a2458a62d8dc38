"""An `ssotui login` suspended with Ctrl+Z while it waits for the login lock keeps saying it
waits, but never takes the lock: the picker's login screen gives way to it once, then keeps
its code until the user approves it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.app_support import (
    SIZE,
    async_test,
    catalog_loaded,
    dev_session,
    login_code,
    login_status,
    picker,
)
from tests.app_support import wait_until as wait_in_picker
from tests.conftest import here
from tests.threads import in_a_thread
from tui.aws import login_waits
from tui.aws.login_lock import another_login_waits, one_login_at_a_time
from tui.aws.token_watch import LOOK_EVERY
from tui.sim import Organisation, Simulator


def _waits(app: Any) -> bool:
    return "Another ssotui is logging in" in login_status(app)


def _suspended_login(tmp_path: Path) -> subprocess.Popen[bytes]:
    """`ssotui login --use-device-code` started while another login holds the lock, then
    suspended (SIGSTOP, as Ctrl+Z's SIGTSTP does) while it waits for it with its mark held."""
    let_go, held = threading.Event(), threading.Event()

    def other_login() -> None:
        with one_login_at_a_time(here(), dev_session()):
            held.set()
            let_go.wait(60)

    holder, _ = in_a_thread(other_login)
    assert held.wait(30)
    with (tmp_path / "login.err").open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "tui", "login", "--use-device-code", "--no-browser"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            cwd=Path(__file__).resolve().parent.parent,
        )
    try:
        deadline = time.monotonic() + 60
        while not another_login_waits(here(), dev_session()):
            assert process.poll() is None, (tmp_path / "login.err").read_text()
            assert time.monotonic() < deadline, "the login never said it waits"
            time.sleep(0.05)
        process.send_signal(signal.SIGSTOP)
    except BaseException:
        process.kill()
        process.wait(30)
        raise
    finally:
        let_go.set()
        holder.join(60)
    return process


@async_test
async def test_a_suspended_login_does_not_keep_the_picker_starting_over(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim.set(approve="manual", interval=1)
    monkeypatch.setattr(login_waits, "GIVE_WAY_WAIT", 1.0)  # the picker's wait, shorter
    suspended = _suspended_login(tmp_path)
    try:
        app = picker()
        async with app.run_test(size=SIZE) as pilot:
            # it gives way once (its first code dropped), then shows a new one
            await wait_in_picker(
                pilot,
                lambda: (
                    sim.calls["StartDeviceAuthorization"] == 2
                    and login_code(app) == sim.pending()[-1]
                ),
                "the picker's second code, after giving way once",
                30,
            )
            code = login_code(app)
            await pilot.pause(4 * LOOK_EVERY)  # a few looks at who waits
            assert login_code(app) == code  # kept: not given way again
            assert not _waits(app)
            assert sim.calls["StartDeviceAuthorization"] == 2
            sim.approve(code)
            await wait_in_picker(pilot, catalog_loaded(app, org), "the catalog with that login")
        assert sim.calls["StartDeviceAuthorization"] == 2
        # Brought back with `fg`, the suspended login carries on with the picker's token.
        suspended.send_signal(signal.SIGCONT)
        assert suspended.wait(60) == 0, (tmp_path / "login.err").read_text()
        assert "Logged in to dev" in (tmp_path / "login.err").read_text()
        assert sim.calls["StartDeviceAuthorization"] == 2
    finally:
        if suspended.poll() is None:
            os.kill(suspended.pid, signal.SIGKILL)  # stopped or not
            suspended.wait(30)
