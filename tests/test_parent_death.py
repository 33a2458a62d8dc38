"""The command of `exec --renew` with no terminal gets SIGTERM when ssotui dies (Linux), and is
otherwise the same command: its argv, environment byte for byte, exit status. Killing ssotui
for real is in tests/test_subshell_signals.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tui.export import subshell

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="Linux's parent-death signal")
main_thread_only = pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(),
    reason="signal handlers need the main thread",
)

# Writes what the kernel started it with (argv, environment) and the signal it will get when its
# parent dies (PR_GET_PDEATHSIG), then exits 7.
_SAYS_WHAT_IT_GOT = """
import ctypes, shutil, sys
out = sys.argv[1]
shutil.copy("/proc/self/cmdline", out + ".argv")
shutil.copy("/proc/self/environ", out + ".env")
signum = ctypes.c_int(-1)
ctypes.CDLL(None, use_errno=True).prctl(2, ctypes.byref(signum), 0, 0, 0)
open(out + ".signal", "w").write(str(signum.value))
sys.exit(7)
"""

# Names and values a shell in between would drop or change (a shell keeps only names it can
# assign, and sets IFS, OPTIND, PPID and PWD); no LC_ALL, or one Python would coerce.
_AWKWARD_ENV = {
    "PATH": os.defpath,
    "spring.profiles.active": "ci",
    "FOO-BAR": "x",
    "IFS": "z",
    "OPTIND": "9",
    "PPID": "77",
    "PWD": "/nowhere",
    "EMPTY": "",
    "LINES": "l1\nl2",
    "BYTES": "\udcff",  # byte 0xff
    "LANG": "",
    "PYTHONINSPECT": "",  # for the command, not for the step ssotui puts before it
}


def _what_it_got(out: Path) -> tuple[bytes, bytes, int]:
    return (
        Path(f"{out}.argv").read_bytes(),
        Path(f"{out}.env").read_bytes(),
        int(Path(f"{out}.signal").read_text()),
    )


@linux_only
@main_thread_only
@pytest.mark.parametrize("lc_all", [None, "", "C", "C.UTF-8"])
@pytest.mark.parametrize("terminal", [False, True])
def test_the_command_gets_sigterm_at_ssotuis_death_and_is_otherwise_the_same_command(
    terminal: bool, lc_all: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no terminal it is asked for; on a terminal (the command in ssotui's process group,
    as a subshell is) nothing changes."""
    monkeypatch.setattr(subshell, "has_terminal", lambda: terminal)
    env = _AWKWARD_ENV if lc_all is None else {**_AWKWARD_ENV, "LC_ALL": lc_all}
    argv = (sys.executable, "-c", _SAYS_WHAT_IT_GOT, str(tmp_path / "got"), "a b", "\udcfe")
    plan = subshell.SubshellPlan(argv=argv, env=env, label="x")
    assert subshell.run(plan).status == 7
    argv_seen, env_seen, death_signal = _what_it_got(tmp_path / "got")
    assert subprocess.run(argv, env=env).returncode == 7  # started directly, as it was
    assert (argv_seen, env_seen) == _what_it_got(tmp_path / "got")[:2]
    assert argv_seen.split(b"\0")[0] == os.fsencode(sys.executable)
    assert death_signal == (0 if terminal else signal.SIGTERM)


@linux_only
@main_thread_only
@pytest.mark.parametrize("nohup", [False, True])
def test_on_a_terminal_a_renewing_command_gets_a_signal_it_does_not_ignore(
    nohup: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGHUP, as at a hang-up; under `nohup` the command ignores SIGHUP as ssotui does, and
    would run on against an endpoint that is gone: SIGTERM then."""
    monkeypatch.setattr(subshell, "has_terminal", lambda: True)
    argv = (sys.executable, "-c", _SAYS_WHAT_IT_GOT, str(tmp_path / "got"))
    plan = subshell.SubshellPlan(argv=argv, env=dict(os.environ), label="x", renewing=True)
    before = signal.signal(signal.SIGHUP, signal.SIG_IGN if nohup else signal.SIG_DFL)
    try:
        assert subshell.run(plan).status == 7
    finally:
        signal.signal(signal.SIGHUP, before)
    assert _what_it_got(tmp_path / "got")[2] == (signal.SIGTERM if nohup else signal.SIGHUP)


# ssotui starting the command, and killed (SIGKILL) at once, before the command's first step
# could ask for the parent-death signal: it would never come.
_KILLED_WHILE_STARTING = """
import os, signal, subprocess, sys
from tui.export import parent_death

class KilledAtOnce(subprocess.Popen):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        print(self.pid, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

subprocess.Popen = KilledAtOnce
parent_death.start_dying_with_us(sys.argv[1:], dict(os.environ), process_group=0)
"""

# Says it ran, and when a SIGTERM ended it; else ends by itself after about 10 s.
_RUNS_UNTIL_TERMINATED = (
    'echo ran > "$1"; trap \'echo TERM >> "$1"; exit 143\' TERM; '
    'i=0; while [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done; echo deadline >> "$1"'
)


def _gone(pid: int) -> bool:
    """Whether process `pid` has ended (a zombie not yet reaped by its new parent has)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0] in "ZX"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return True


@linux_only
def test_a_command_whose_ssotui_died_before_it_started_does_not_run_on(tmp_path: Path) -> None:
    """ssotui killed while its command was starting: the command would have run on, no signal
    ever coming (the kernel sends it only for a parent that dies after it was asked for)."""
    said = tmp_path / "said"
    ssotui = subprocess.run(
        [sys.executable, "-c", _KILLED_WHILE_STARTING, "/bin/sh", "-c", _RUNS_UNTIL_TERMINATED,
         "sh", str(said)],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert ssotui.returncode == -signal.SIGKILL, ssotui.stderr
    command = int(ssotui.stdout)
    deadline = time.monotonic() + 60
    while not _gone(command) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert _gone(command)
        # Not run at all; or, ssotui having lived just long enough, stopped by the signal.
        assert not said.exists() or said.read_text().split() == ["ran", "TERM"]
    finally:
        if not _gone(command):
            os.kill(command, signal.SIGKILL)
