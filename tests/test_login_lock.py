"""One login at a time per session, across processes: the second waits and uses the first's
token instead of opening another browser tab."""

from __future__ import annotations

import selectors
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.browser_support import open_here
from tests.conftest import here
from tests.fake_browser import use_fake_browser
from tui.aws.login_flows import LoginEvent, WaitingForOtherLogin, log_in
from tui.aws.login_lock import one_login_at_a_time
from tui.aws.token_cache import load_token
from tui.errors import LoginCancelled
from tui.models import SsoSession
from tui.sim import Simulator

# A `ssotui login --force` in another process: each event's name, then the token's tail.
_LOGIN = """
from tests.browser_support import open_here
from tui.aws.login_flows import log_in
from tui.aws.session_choice import chosen_session
from tests.conftest import here
def say(event):
    print(type(event).__name__, flush=True)
token = log_in(here(), chosen_session(here())[0], force=True, announce=say, open_url=open_here)
print("TOKEN", token.access_token[-12:], flush=True)
"""


def _start_login() -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _LOGIN],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )


def _read_until(process: subprocess.Popen[str], wanted: str, timeout: float = 30) -> list[str]:
    """Lines of the process's stdout up to the first that starts with `wanted`."""
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=0.2):
                continue
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line.strip())
            if line.startswith(wanted):
                return lines
    _out, err = process.communicate(timeout=5)
    pytest.fail(f"no {wanted!r} from the login process; it said {lines} and {err[-2000:]}")


def test_two_logins_at_once_open_one_browser(
    session: SsoSession, sim: Simulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    go = tmp_path / "go"
    browser = use_fake_browser(monkeypatch, tmp_path, wait_for=str(go))
    first = _start_login()
    second: subprocess.Popen[str] | None = None
    try:
        _read_until(first, "BrowserAuthorization")  # its browser is open, held until `go`
        second = _start_login()
        _read_until(second, "WaitingForOtherLogin")
        go.touch()
        first_lines = _read_until(first, "TOKEN")
        second_lines = _read_until(second, "TOKEN")
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
            if process is not None:
                process.communicate(timeout=10)
    assert len(browser.visits()) == 1
    assert first_lines[-1] == second_lines[-1]  # the same token
    assert "BrowserAuthorization" not in second_lines
    assert sim.calls["CreateToken"] == 1
    token = load_token(here(), session)
    assert token is not None and token.access_token.endswith(first_lines[-1].split()[-1])


def test_cancelled_while_another_login_holds_the_lock(session: SsoSession, sim: Simulator) -> None:
    events: list[LoginEvent] = []
    with one_login_at_a_time(here(), session), pytest.raises(LoginCancelled):
        log_in(
            here(),
            session,
            announce=events.append,
            cancelled=lambda: bool(events),
            open_url=open_here,
        )
    assert events == [WaitingForOtherLogin("dev")]
    assert "RegisterClient" not in sim.calls
