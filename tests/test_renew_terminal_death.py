"""`exec --renew` on a terminal, ssotui killed (SIGKILL): the child is hung up (Linux).

The child's credentials come from ssotui's endpoint, whose port is free once ssotui is gone:
another local user could bind it and answer with credentials of their own choosing, and the
child's SDK would take them (SECURITY.md). With no terminal the child already got SIGTERM when
ssotui died; on a terminal it lived on, and an interactive shell ignores SIGTERM anyway. It now
gets SIGHUP there, as when its terminal closes. A subshell with static keys is left alone: it
works without ssotui. Job control in the subshell is as it was.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.app_support import log_in, usable_role, with_roles
from tests.conftest import Home
from tests.test_parent_death import _SAYS_WHAT_IT_GOT, _gone, _what_it_got
from tui.export import subshell
from tui.sim import Organisation, Simulator

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="Linux's parent-death signal")
main_thread_only = pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(),
    reason="signal handlers need the main thread",
)


@linux_only
@main_thread_only
@pytest.mark.parametrize(
    ("terminal", "renewing", "expected"),
    [
        (True, True, signal.SIGHUP),  # lives on the endpoint: hung up as by a closed terminal
        (True, False, 0),  # static keys: left alone
        (False, True, signal.SIGTERM),  # a group of its own, as before
    ],
)
def test_the_signal_a_child_gets_when_ssotui_dies(
    terminal: bool,
    renewing: bool,
    expected: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(subshell, "has_terminal", lambda: terminal)
    argv = (sys.executable, "-c", _SAYS_WHAT_IT_GOT, str(tmp_path / "got"))
    env = {"PATH": "/usr/bin:/bin", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/x"}
    plan = subshell.SubshellPlan(argv=argv, env=env, label="x", renewing=renewing)
    assert subshell.run(plan).status == 7
    assert _what_it_got(tmp_path / "got")[2] == expected


def _tmux(socket: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["tmux", "-L", socket, *args], capture_output=True, text=True, timeout=10, check=False
    )


def _wait_for(path: Path, what: str, screen: Callable[[], str], timeout: float = 30) -> str:
    """The text written to `path`, once there (the terminal's screen in the failure)."""
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert path.exists(), f"no {what}:\n{screen()}"
    return path.read_text().strip()


def _stop_the_job(ctrl_z: Callable[[], object], screen: Callable[[], str]) -> None:
    """Ctrl+Z until the shell says the job stopped: one pressed as the job was still taking
    the terminal (CI, loaded) can reach no one, and the shell would wait for the job forever."""
    for _ in range(10):
        ctrl_z()
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            if any(word in screen().lower() for word in ("stopped", "suspended")):
                return
            time.sleep(0.05)


@linux_only
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_a_subshell_on_a_terminal_ends_when_ssotui_is_killed_and_job_control_works(
    shell: str,
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    home: Home,
    tmp_path: Path,
) -> None:
    path = shutil.which(shell)
    if path is None:
        pytest.skip(f"{shell} is not installed")
    (home.root / ".zshrc").write_text("")  # no first-run menu (zsh-newuser-install)
    log_in()
    account = with_roles(org)
    exec_renew = [
        sys.executable, "-m", "tui", "exec", "--renew", account.account_id, usable_role(account)
    ]  # fmt: skip
    script = tmp_path / "run-exec"
    # The terminal's own process stays after ssotui: when it ends, the kernel hangs up the
    # terminal's foreground (the subshell) itself, whatever ssotui did.
    script.write_text(f"SHELL={path} {shlex.join(exec_renew)}\necho $? > {tmp_path}/status\n")
    script.write_text(script.read_text() + "sleep 120\n")
    socket = f"ssotui-hangup-{shell}-{id(tmp_path)}"
    started = _tmux(socket, "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "35")
    assert started.returncode == 0, started.stderr
    subshell_pid = 0

    def screen() -> str:
        return _tmux(socket, "capture-pane", "-p", "-t", "exec").stdout

    def typed(line: str) -> None:
        _tmux(socket, "send-keys", "-t", "exec", "-l", line)
        _tmux(socket, "send-keys", "-t", "exec", "Enter")

    try:
        passed = (k for k in os.environ if k.startswith(("AWS_", "SSOTUI")))
        for key in ("PATH", "HOME", "BROWSER", *passed):
            _tmux(socket, "set-environment", "-g", key, os.environ[key])
        _tmux(socket, "new-window", "-d", "-n", "exec", f"sh {script}")
        typed(f"echo $$ $PPID ${{AWS_CONTAINER_CREDENTIALS_FULL_URI:+served}} > {tmp_path}/ids")
        ids = _wait_for(tmp_path / "ids", "subshell", screen).split()
        subshell_pid, ssotui_pid = int(ids[0]), int(ids[1])
        assert ids[2:] == ["served"], screen()
        # Job control: a job stopped with Ctrl+Z is listed as stopped and `fg` resumes it.
        job = (
            f"echo up > {tmp_path}/up; while [ ! -e {tmp_path}/go ]; do sleep 0.05; done; "
            f"echo resumed > {tmp_path}/resumed"
        )
        typed(f"sh -c {shlex.quote(job)}")
        _wait_for(tmp_path / "up", "job", screen)
        _stop_the_job(lambda: _tmux(socket, "send-keys", "-t", "exec", "C-z"), screen)
        typed(f"jobs > {tmp_path}/jobs")
        jobs = _wait_for(tmp_path / "jobs", "jobs", screen).lower()
        assert "suspended" in jobs or "stopped" in jobs, jobs
        (tmp_path / "go").touch()
        typed("fg")
        assert _wait_for(tmp_path / "resumed", "resumed job", screen) == "resumed"
        os.kill(ssotui_pid, signal.SIGKILL)
        assert _wait_for(tmp_path / "status", "ssotui's end", screen) == str(128 + 9)
        deadline = time.monotonic() + 30
        while not _gone(subshell_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _gone(subshell_pid), f"the {shell} subshell lived on:\n{screen()}"
    finally:
        _tmux(socket, "kill-server")
        if subshell_pid and not _gone(subshell_pid):
            os.kill(subshell_pid, signal.SIGKILL)
