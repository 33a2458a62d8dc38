"""Signals and `exec --renew`: ssotui stays as the command's parent, so what reaches the command
is ssotui's doing. Real processes: ssotui under `setsid` (no controlling terminal, as in CI,
systemd or cron), under the real `timeout`, killed (SIGKILL), and on a real terminal (tmux)."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.app_support import log_in, usable_role, with_roles
from tui.sim import Organisation, Simulator

# The command: counts the SIGTERMs and SIGINTs it gets; once one came, waits for a second copy,
# asks the credential endpoint (ssotui must still serve it), writes what it saw, and dies of
# the signal it got, as a command that does not handle it would. It ends by itself within 12 s,
# whatever happens, so no test has to kill it.
_COUNTS_SIGNALS = """
import json, os, signal, sys, time, urllib.request
# One byte per signal delivered, even when several come before the handler runs.
deliveries, wakeup = os.pipe()
os.set_blocking(deliveries, False)
os.set_blocking(wakeup, False)
signal.set_wakeup_fd(wakeup)
# A prompt on the terminal first, as Terraform asks before it applies.
answer = input("Press Enter: ") if len(sys.argv) > 3 else None
got = []
for signum in (signal.SIGTERM, signal.SIGINT):
    signal.signal(signum, lambda n, _: got.append(n))
open(sys.argv[1], "w").write(str(os.getpid()))
deadline = time.monotonic() + 10
while not got and time.monotonic() < deadline:
    time.sleep(0.01)
time.sleep(0.8)  # a second copy would come now
request = urllib.request.Request(
    os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
    headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]},
)
try:
    served = "AccessKeyId" in json.load(urllib.request.urlopen(request, timeout=10))
except Exception as exc:
    served = repr(exc)
try:
    delivered = list(os.read(deliveries, 100))
except BlockingIOError:
    delivered = []
seen = {
    "term": delivered.count(signal.SIGTERM),
    "int": delivered.count(signal.SIGINT),
    "served": served,
    "answer": answer,
}
open(sys.argv[2], "w").write(json.dumps(seen))
if got:
    signal.signal(got[0], signal.SIG_DFL)
    os.kill(os.getpid(), got[0])
"""


def _command(org: Organisation, tmp_path: Path, *, prompt: bool = False) -> list[str]:
    """`ssotui exec --renew` of the counting command, for a user who has logged in; `prompt`:
    it first reads a line from the terminal."""
    log_in()
    account = with_roles(org)
    return [
        sys.executable, "-m", "tui", "exec", "--renew", account.account_id,
        usable_role(account), "--", sys.executable, "-c", _COUNTS_SIGNALS,
        str(tmp_path / "pid"), str(tmp_path / "seen.json"), *(["prompt"] if prompt else []),
    ]  # fmt: skip


def _started(tmp_path: Path, timeout: float = 30) -> int:
    """The command's process id, once it listens for signals."""
    pid_file = tmp_path / "pid"
    deadline = time.monotonic() + timeout
    while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert pid_file.exists(), "the command did not start"
    return int(pid_file.read_text())


def _seen(tmp_path: Path) -> dict[str, Any]:
    seen: dict[str, Any] = json.loads((tmp_path / "seen.json").read_text())
    return seen


def _without_a_terminal(argv: list[str]) -> subprocess.Popen[str]:
    """`setsid ARGV`: a session, hence a process group, of its own and no controlling terminal."""
    return subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _finish(proc: subprocess.Popen[str]) -> str:
    """Wait for `proc`; what it said on stderr. Killed (its group and the command's) if stuck."""
    try:
        return proc.communicate(timeout=30)[1]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)


def test_a_sigterm_to_ssotuis_group_reaches_the_command_once(
    sim: Simulator, sso_config: Path, org: Organisation, tmp_path: Path
) -> None:
    """A CI runner or `kill -TERM -PGID` stops the group: the command used to get the SIGTERM
    from the kernel and again from ssotui (Terraform quits at once on a second one, its state
    left locked)."""
    proc = _without_a_terminal(_command(org, tmp_path))
    _started(tmp_path)
    os.killpg(proc.pid, signal.SIGTERM)
    err = _finish(proc)
    assert _seen(tmp_path) == {"term": 1, "int": 0, "served": True, "answer": None}, err
    assert proc.returncode == 128 + signal.SIGTERM  # the command's: it died of it


def test_a_sigint_to_ssotui_alone_reaches_the_command(
    sim: Simulator, sso_config: Path, org: Organisation, tmp_path: Path
) -> None:
    """`kill -INT` of ssotui's process (no terminal to send it to the command) was ignored."""
    proc = _without_a_terminal(_command(org, tmp_path))
    _started(tmp_path)
    os.kill(proc.pid, signal.SIGINT)
    err = _finish(proc)
    assert _seen(tmp_path) == {"term": 0, "int": 1, "served": True, "answer": None}, err
    assert proc.returncode == 128 + signal.SIGINT


@pytest.mark.skipif(shutil.which("timeout") is None, reason="coreutils timeout is not installed")
def test_timeout_stopping_ssotui_stops_the_command_once(
    sim: Simulator, sso_config: Path, org: Organisation, tmp_path: Path
) -> None:
    """`timeout 600 ssotui exec --renew -- terraform apply`: at the end, `timeout` sends SIGTERM
    to ssotui and to its process group."""
    proc = _without_a_terminal(["timeout", "--preserve-status", "600", *_command(org, tmp_path)])
    _started(tmp_path)
    # SIGALRM is `timeout`'s own timer going off: its time is up now, not in 600 s.
    os.kill(proc.pid, signal.SIGALRM)
    err = _finish(proc)
    assert _seen(tmp_path) == {"term": 1, "int": 0, "served": True, "answer": None}, err
    assert proc.returncode == 128 + signal.SIGTERM


# Says when a SIGTERM ended it, else ends by itself after about 10 s (no test has to kill it).
_ENDS_ON_SIGTERM = (
    'trap \'echo TERM > "$1"; exit 143\' TERM; echo $$ > "$2"; '
    'i=0; while [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done; echo deadline > "$1"'
)


@pytest.mark.skipif(sys.platform != "linux", reason="Linux's parent-death signal")
def test_a_sigkill_to_ssotui_stops_the_command_with_sigterm(
    sim: Simulator, sso_config: Path, org: Organisation, tmp_path: Path
) -> None:
    """`kill -9` of ssotui (the OOM killer, a CI runner's hard stop): the command, in a process
    group of its own, ran on against a credential endpoint that was gone."""
    log_in()
    account = with_roles(org)
    ended = tmp_path / "ended"
    proc = _without_a_terminal(
        [sys.executable, "-m", "tui", "exec", "--renew", account.account_id,
         usable_role(account), "--", "sh", "-c", _ENDS_ON_SIGTERM, "sh", str(ended),
         str(tmp_path / "pid")]
    )  # fmt: skip
    command = _started(tmp_path)
    os.kill(proc.pid, signal.SIGKILL)
    err = _finish(proc)
    deadline = time.monotonic() + 60
    while not (ended.exists() and ended.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    if not ended.exists():
        os.kill(command, signal.SIGKILL)
    assert proc.returncode == -signal.SIGKILL, err
    assert ended.read_text().strip() == "TERM", err


# -- on a terminal --------------------------------------------------------------------------------


def _tmux(socket: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["tmux", "-L", socket, *args], capture_output=True, text=True, timeout=10, check=False
    )


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_ctrl_c_on_a_terminal_reaches_the_command_once_and_ssotui_keeps_serving(
    sim: Simulator, sso_config: Path, org: Organisation, tmp_path: Path
) -> None:
    """On a terminal nothing changes: the command shares ssotui's process group, so job
    control and the terminal's Ctrl-C reach it directly; ssotui ignores Ctrl-C, passes nothing
    on, and serves credentials until the command exits."""
    status_file = tmp_path / "status"
    script = tmp_path / "run-exec"
    # `trap : INT`: the shell outlives the Ctrl-C to say the status (a handler, which its
    # children do not inherit, unlike an ignored SIGINT).
    script.write_text(
        f"trap : INT\n{shlex.join(_command(org, tmp_path, prompt=True))}\necho $? > {status_file}\n"
    )
    socket = f"ssotui-signals-{os.getpid()}"
    started = _tmux(socket, "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "35")
    assert started.returncode == 0, started.stderr
    screen = ""
    try:
        env = os.environ
        _tmux(socket, "set-environment", "-g", "PATH", env["PATH"])
        for key in ("HOME", "BROWSER", *(k for k in env if k.startswith(("AWS_", "SSOTUI")))):
            _tmux(socket, "set-environment", "-g", key, env[key])
        _tmux(socket, "new-window", "-d", "-n", "exec", f"sh {script}")
        deadline = time.monotonic() + 30
        while "Press" not in screen and time.monotonic() < deadline:
            time.sleep(0.1)
            screen = _tmux(socket, "capture-pane", "-p", "-t", "exec").stdout
        _tmux(socket, "send-keys", "-t", "exec", "-l", "yes")
        _tmux(socket, "send-keys", "-t", "exec", "Enter")
        _started(tmp_path)  # it could read the terminal: it is in the terminal's foreground
        _tmux(socket, "send-keys", "-t", "exec", "C-c")
        deadline = time.monotonic() + 30
        while not status_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        screen = _tmux(socket, "capture-pane", "-p", "-t", "exec").stdout
    finally:
        _tmux(socket, "kill-server")
    assert status_file.exists(), screen
    assert _seen(tmp_path) == {"term": 0, "int": 1, "served": True, "answer": "yes"}, screen
    assert status_file.read_text().strip() == str(128 + signal.SIGINT)


# A job-control shell on a terminal: takes the terminal's foreground for its own group (as bash
# and zsh do), then dies of SIGKILL, so it never hands the terminal back as it would on exit.
_TAKES_THE_TERMINAL_AND_DIES = """
import os, signal
os.setpgid(0, 0)
signal.signal(signal.SIGTTOU, signal.SIG_IGN)
os.tcsetpgrp(0, os.getpgrp())
os.kill(os.getpid(), signal.SIGKILL)
"""

# ssotui's side, on a terminal of its own: run the shell above, then use the terminal as the
# picker does once it is back (it sets the terminal's modes): stopped (SIGTTOU) if it is not
# its own, or refused (EIO) here, where its group has no parent in the session to resume it.
_RUNS_IT_ON_A_TERMINAL = """
import fcntl, os, sys, termios
fcntl.ioctl(0, termios.TIOCSCTTY, 0)
from tui.export import subshell
argv = (sys.executable, "-c", sys.argv[1])
plan = subshell.SubshellPlan(argv=argv, env=dict(os.environ), label="x")
finished = subshell.run(plan)
termios.tcsetattr(0, termios.TCSANOW, termios.tcgetattr(0))
print(finished.status, finished.ended_by_signal, os.tcgetpgrp(0) == os.getpgrp(), file=sys.stderr)
"""


def test_a_subshell_killed_on_a_terminal_leaves_it_to_ssotui_which_is_not_stopped() -> None:
    """The picker's `s`, the shell killed (`kill -KILL $$`): the picker was stopped ("[1]+
    Stopped ssotui") when it took the terminal back, until the user typed `fg`."""
    controller, terminal = os.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", _RUNS_IT_ON_A_TERMINAL, _TAKES_THE_TERMINAL_AND_DIES],
            stdin=terminal,
            stdout=terminal,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            err = proc.communicate(timeout=20)[1]
        except subprocess.TimeoutExpired:
            stopped = Path(f"/proc/{proc.pid}/stat").read_text().split(") ")[1][0] == "T"
            raise AssertionError(f"ssotui did not come back (stopped: {stopped})") from None
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    finally:
        os.close(controller)
        os.close(terminal)
    assert proc.returncode == 0, err
    assert err.split() == [str(128 + signal.SIGKILL), str(int(signal.SIGKILL)), "True"], err
