"""`ssotui login` in the browser, run with no terminal (a script, cron, CI): it waits for the
browser as the AWS CLI does, and says once on stderr until when and how to stop it."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_helpers import COMMAND, ssotui
from tests.conftest import here
from tests.fake_browser import use_fake_browser
from tui.aws.token_cache import load_registration
from tui.models import SsoSession
from tui.sim import Simulator


def test_a_browser_login_without_a_terminal_says_how_long_it_waits_and_how_to_stop(
    sim: Simulator, sso_config: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_fake_browser(monkeypatch, tmp_path)
    run = ssotui("login")  # stdin from /dev/null, stderr a pipe: no terminal
    assert run.status == 0, run.err
    # was: only the page to open, then up to 10 minutes of silence when no browser answers
    [line] = [line for line in run.err.splitlines() if line.startswith("No terminal here")]
    assert re.fullmatch(
        r"No terminal here: waiting for the browser until .+ \((10m|9m)\), then giving up; "
        r"stop sooner with Ctrl-C or `kill \d+`\. Unattended, `ssotui login "
        r"--use-device-code` prints a code to approve from any device instead\.",
        line,
    ), line
    assert run.err.splitlines()[-1].startswith("Logged in to dev until ")


def test_kill_as_the_line_says_drops_the_browser_registration_as_ctrl_c_does(
    session: SsoSession, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # a browser that never comes back (the service no longer knows the client, and shows an
    # error page): the next login must register afresh, not lead to the same page again
    use_fake_browser(monkeypatch, tmp_path, "record")
    login = subprocess.Popen(
        [sys.executable, *COMMAND, "login"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert login.stderr is not None
        line = ""
        while not line.startswith("No terminal here"):
            line = login.stderr.readline()
            assert line, "the login ended before it waited for the browser"
        assert load_registration(here(), session, browser=True) is not None
        login.send_signal(signal.SIGTERM)  # `kill PID`, as the line says; `timeout`, a CI stop
        # ended by the signal, as a shell sees it ($? 143) either way
        assert login.wait(timeout=30) in (-signal.SIGTERM, 128 + signal.SIGTERM)
    finally:
        if login.poll() is None:
            login.kill()
            login.wait()
    assert load_registration(here(), session, browser=True) is None
