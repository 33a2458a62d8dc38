"""Standard streams the shell closed (`>&-`, `2>&-`, `<&-`): one clear line, never a traceback,
and an error never lands on standard output, which `eval "$(ssotui export ...)"` runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.app_support import log_in
from tui.sim import Simulator


def shell(line: str) -> subprocess.CompletedProcess[str]:
    """`ssotui ARGS` with the redirections of `line` (`ssotui` stands for this checkout's)."""
    command = line.replace("ssotui", f'"{sys.executable}" -m tui', 1)
    return subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, env=dict(os.environ), timeout=60
    )


def one_line(stderr: str) -> str:
    assert "Traceback" not in stderr and 'File "' not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_list_into_a_closed_stdout_says_so_in_one_line(sim: Simulator, sso_config: Path) -> None:
    log_in()
    run = shell("ssotui list >&-")
    assert run.returncode == 1
    assert "standard output is closed" in one_line(run.stderr)


def test_config_into_a_closed_stdout_fails_in_one_line(sso_config: Path) -> None:
    run = shell("ssotui config >&-")
    assert run.returncode == 1
    assert "standard output is closed" in one_line(run.stderr)


def test_a_failure_with_stderr_closed_prints_nothing_on_stdout(
    sim: Simulator, sso_config: Path
) -> None:
    log_in()
    run = shell("ssotui export no-such-account Admin 2>&-")
    assert run.returncode == 1
    assert run.stdout == ""  # not "ssotui: no account matches …" for `eval` to run


def test_the_picker_with_stdin_closed_says_it_needs_a_terminal(sso_config: Path) -> None:
    run = shell("ssotui <&-")
    assert run.returncode == 1
    assert "needs a terminal" in one_line(run.stderr)
