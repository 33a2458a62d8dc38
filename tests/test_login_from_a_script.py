"""`ssotui login` in the browser, run with no terminal (a script, cron, CI): it waits for the
browser as the AWS CLI does, and says once on stderr until when and how to stop it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli_helpers import ssotui
from tests.fake_browser import use_fake_browser
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
