"""The real picker on a terminal, ended by a signal rather than a key: the terminal is given
back as it was (main screen, cursor shown, no mouse reporting), as after ctrl+q."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.app_support import log_in, usable_role, with_roles
from tui.sim import Organisation, Simulator

# What the picker turns on (Textual's driver), each with what turns it off again.
MODES = {
    "alternate screen": (b"\x1b[?1049h", b"\x1b[?1049l"),
    "mouse reporting": (b"\x1b[?1003h", b"\x1b[?1003l"),
    "hidden cursor": (b"\x1b[?25l", b"\x1b[?25h"),
}


def _read_until(leader: int, wanted: bytes, seen: bytearray, seconds: float) -> bool:
    """Read the terminal into `seen` until it holds `wanted` (True) or `seconds` pass."""
    end = time.monotonic() + seconds
    while wanted not in seen and time.monotonic() < end:
        ready, _, _ = select.select([leader], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed with the process
                return wanted in seen
            if not chunk:
                break
            seen += chunk
    return wanted in seen


def _left_on(seen: bytes) -> list[str]:
    """The modes turned on and not off again by the end of `seen`."""
    return [name for name, (on, off) in MODES.items() if seen.rfind(on) > seen.rfind(off)]


def _ended_by_a_signal(
    org: Organisation, ending: signal.Signals, command: list[str]
) -> tuple[int, bytes]:
    """`ssotui COMMAND` on a terminal of its own, sent `ending` once the picker shows the
    accounts: its exit status and all it wrote to the terminal."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color"}
    env.pop("SSOTUI_SUBSHELL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", *command],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        start_new_session=True,
    )
    os.close(follower)
    seen = bytearray()
    try:
        shown = org.accounts[0].account_id.encode()
        assert _read_until(leader, shown, seen, 30), bytes(seen[-400:])
        assert _left_on(bytes(seen)) == list(MODES)  # the picker is up
        proc.send_signal(ending)
        status = proc.wait(timeout=20)
        _read_until(leader, b"\x00never", seen, 1)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
    return status, bytes(seen)


@pytest.mark.parametrize("ending", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_sigterm_gives_the_terminal_back_and_says_so_in_the_exit_status(
    sim: Simulator, sso_config: Path, org: Organisation, ending: signal.Signals
) -> None:
    """`kill PID` (or `timeout`, a session manager) left the shell in the picker's alternate
    screen, the cursor hidden, every mouse move typed into the prompt as escape sequences."""
    log_in()
    status, seen = _ended_by_a_signal(org, ending, [])
    assert _left_on(seen) == []
    assert status == 128 + ending
    assert b"Traceback" not in seen


@pytest.mark.parametrize(
    ("command", "ending"),
    [
        (["exec"], signal.SIGTERM),
        (["export"], signal.SIGTERM),
        (["console"], signal.SIGTERM),
        (["exec", "--", "true"], signal.SIGHUP),
        (["export"], signal.SIGINT),
    ],
)
def test_a_signal_while_picking_for_a_command_is_not_taken_for_a_quit(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    command: list[str],
    ending: signal.Signals,
) -> None:
    """`timeout 60 ssotui exec` ended by its SIGTERM exited 130 ("nothing picked"), as when
    the user quits: a script could not tell that it was killed."""
    log_in()
    status, seen = _ended_by_a_signal(org, ending, command)
    assert _left_on(seen) == []
    assert status == 128 + ending
    said = seen.rsplit(b"\x1b", 1)[-1].decode().splitlines()[-1]
    assert f"ended by {ending.name}; nothing picked" in said
    assert b"Traceback" not in seen


# A session leader that takes the terminal as its controlling one, then becomes `argv`: a shell
# with job control, or the picker alone (as the command of a tmux pane or popup).
_TAKES_THE_TERMINAL = (
    "import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
    "os.execvp(sys.argv[1], sys.argv[1:])"
)


def _on_its_own_terminal(argv: list[str]) -> tuple[subprocess.Popen[bytes], int]:
    """`argv` leading a session on a terminal of its own (24x100): the process and the leader
    side of the terminal, to type into and read."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "PS1": "READY> "}
    for name in ("SSOTUI_SUBSHELL", "ENV"):
        env.pop(name, None)
    proc = subprocess.Popen(
        [sys.executable, "-c", _TAKES_THE_TERMINAL, *argv],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        start_new_session=True,
    )
    os.close(follower)
    return proc, leader


def _after(leader: int, seen: bytearray, start: int, wanted: bytes, seconds: float = 30) -> int:
    """Read until `wanted` shows after `start` in `seen`; where it ends."""
    end = time.monotonic() + seconds
    while wanted not in seen[start:] and time.monotonic() < end:
        ready, _, _ = select.select([leader], [], [], 0.1)
        if ready:
            try:
                seen += os.read(leader, 65536)
            except OSError:  # the terminal closed with the process
                break
    assert wanted in seen[start:], bytes(seen[-600:])
    return seen.index(wanted, start) + len(wanted)


# A control sequence (colours, cursor moves), blanks and a toast's left edge: what a toast's
# text is cut by, where it wraps and where the picker redraws only the cells that change.
_NOT_TEXT = re.compile(rb"\x1b\[[0-9;?<>]*[A-Za-z]|\s|\xe2\x96\x8c")


def _shows(leader: int, seen: bytearray, start: int, text: str, seconds: float = 30) -> None:
    """Read until `text` is on the terminal after `start` in `seen`, its words however the
    drawing cuts them (colours, cursor moves, blanks between its letters)."""
    wanted = _NOT_TEXT.sub(b"", text.encode())
    end = time.monotonic() + seconds
    while wanted not in _NOT_TEXT.sub(b"", seen[start:]) and time.monotonic() < end:
        ready, _, _ = select.select([leader], [], [], 0.1)
        if ready:
            try:
                seen += os.read(leader, 65536)
            except OSError:  # the terminal closed with the process
                break
    assert wanted in _NOT_TEXT.sub(b"", seen[start:]), bytes(seen[-600:])


def _state(pid: int) -> str:
    """The process's state as /proc says it (T: stopped)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def _picker(*args: str) -> str:
    return " ".join([sys.executable, "-m", "tui", *args])


@pytest.mark.parametrize(
    "command",
    [_picker(), f"sh -c '{_picker()}; echo after=$?'"],
    ids=["the picker", "the picker under sh -c"],
)
def test_ctrl_z_stops_the_picker_as_a_job_and_fg_brings_it_back_redrawn(
    sim: Simulator, sso_config: Path, org: Organisation, command: str
) -> None:
    """ctrl+z did nothing. It now gives the shell the terminal as it was (main screen, cursor
    shown, no mouse reporting, line editing and echo on) with the job stopped; `fg` draws the
    whole picker again. Under `sh -c` (or make), the shell sees the job stop too: Textual's own
    stop stopped the picker alone, and the terminal stayed frozen under the waiting `sh`."""
    dash = shutil.which("dash")
    if dash is None:
        pytest.skip("needs dash, a job-control shell that leaves the terminal's modes as found")
    log_in()
    proc, leader = _on_its_own_terminal([dash, "-i"])
    seen = bytearray()
    shown = org.accounts[0].account_id.encode()
    try:
        at = _after(leader, seen, 0, b"READY> ")
        os.write(leader, command.encode() + b"\r")
        at = _after(leader, seen, at, shown)
        assert _left_on(bytes(seen)) == list(MODES)  # the picker is up
        os.write(leader, b"\x1a")  # ctrl+z
        at = _after(leader, seen, at, b"Stopped")
        at = _after(leader, seen, at, b"READY> ")
        assert _left_on(bytes(seen)) == []
        os.write(leader, b"stty -a\r")
        at = _after(leader, seen, at, b"READY> ")
        modes = bytes(seen[at - 800 : at]).split()
        assert {b"icanon", b"echo", b"isig"} <= set(modes), modes
        os.write(leader, b"fg\r")
        at = _after(leader, seen, at, shown)  # drawn again, not only what changes next
        assert _left_on(bytes(seen)) == list(MODES)
        os.write(leader, b"\x11")  # ctrl+q
        at = _after(leader, seen, at, b"READY> ")
        os.write(leader, b"exit\r")
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
    assert _left_on(bytes(seen)) == []
    if "after=" in command:
        assert b"after=0" in seen
    assert b"Traceback" not in seen


def test_ctrl_z_where_no_shell_could_bring_the_picker_back_leaves_it_running(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """The picker as the command of a tmux pane or popup (or `eval "$(ssotui export)"`, in the
    shell's own process group) has no shell to `fg` it: stopped, its terminal stays frozen for
    good. It stays, and says why."""
    log_in()
    proc, leader = _on_its_own_terminal([sys.executable, "-m", "tui"])
    seen = bytearray()
    try:
        at = _after(leader, seen, 0, org.accounts[0].account_id.encode())
        os.write(leader, b"\x1a")  # ctrl+z
        _shows(leader, seen, at, "ctrl+z: no shell could bring ssotui back")
        assert proc.poll() is None
        assert _state(proc.pid) != "T"
        os.write(leader, b"\x11")  # ctrl+q: it still takes keys
        status = proc.wait(timeout=20)
        _read_until(leader, b"\x00never", seen, 1)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
    assert status == 0
    assert _left_on(bytes(seen)) == []


def _child_of(parent: int, seconds: float = 20) -> int:
    """The id of a child of process `parent` (waited for until one is there)."""
    end = time.monotonic() + seconds
    while True:
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == parent:
                return int(stat.parent.name)
        assert time.monotonic() < end, f"process {parent} has no child"
        time.sleep(0.05)


def test_sigtstp_from_outside_stops_the_picker_as_a_job_as_ctrl_z_does(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """`kill -TSTP` from another terminal stopped the picker alone (Textual's own handler):
    under `sh -c` (or make) the shell never saw its job stop, and the terminal stayed frozen
    under the waiting `sh` until a `kill -CONT`. It now stops as ctrl+z does: the shell gets
    the terminal as it was, and `fg` draws the whole picker again."""
    dash = shutil.which("dash")
    if dash is None:
        pytest.skip("needs dash, a job-control shell that leaves the terminal's modes as found")
    log_in()
    proc, leader = _on_its_own_terminal([dash, "-i"])
    seen = bytearray()
    shown = org.accounts[0].account_id.encode()
    try:
        at = _after(leader, seen, 0, b"READY> ")
        os.write(leader, f"sh -c 'echo sh=$$; {_picker()}; echo after=$?'\r".encode())
        at = _after(leader, seen, at, shown)
        found = re.search(rb"sh=(\d+)", seen)  # (not the command's echo: sh=$$)
        assert found, bytes(seen)
        picker = _child_of(int(found[1]))
        os.kill(picker, signal.SIGTSTP)
        at = _after(leader, seen, at, b"Stopped")
        at = _after(leader, seen, at, b"READY> ")
        assert _left_on(bytes(seen)) == []
        os.write(leader, b"fg\r")
        at = _after(leader, seen, at, shown)  # drawn again, not only what changes next
        assert _left_on(bytes(seen)) == list(MODES)
        os.write(leader, b"\x11")  # ctrl+q
        at = _after(leader, seen, at, b"after=0")
        os.write(leader, b"exit\r")
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
    assert _left_on(bytes(seen)) == []
    assert b"Traceback" not in seen


def test_sigtstp_from_outside_where_no_shell_could_bring_the_picker_back_leaves_it_running(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """The picker as the command of a tmux pane or popup, sent `kill -TSTP` from another
    terminal: Textual's handler stopped it for good, its terminal frozen (the kernel itself
    ignores a SIGTSTP there). It stays, and says why, as for ctrl+z."""
    log_in()
    proc, leader = _on_its_own_terminal([sys.executable, "-m", "tui"])
    seen = bytearray()
    try:
        at = _after(leader, seen, 0, org.accounts[0].account_id.encode())
        proc.send_signal(signal.SIGTSTP)
        _shows(leader, seen, at, "SIGTSTP (kill -TSTP): no shell could bring ssotui back")
        assert proc.poll() is None
        assert _state(proc.pid) != "T"
        os.write(leader, b"\x11")  # ctrl+q: it still takes keys
        status = proc.wait(timeout=20)
        _read_until(leader, b"\x00never", seen, 1)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
    assert status == 0
    assert _left_on(bytes(seen)) == []


def test_a_command_run_after_the_picker_is_stopped_and_resumed_as_any_job(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """`ssotui exec --renew` picks first, then runs the command and serves it: ctrl+z and `fg`
    on that command stop and resume the job as any other, the picker's own SIGTSTP and
    SIGCONT handlers gone with it (a SIGTSTP taken for the closed picker's would leave ssotui
    running while the shell waits for the job to stop)."""
    dash = shutil.which("dash")
    if dash is None:
        pytest.skip("needs dash, a job-control shell that leaves the terminal's modes as found")
    log_in()
    account = with_roles(org)
    proc, leader = _on_its_own_terminal([dash, "-i"])
    seen = bytearray()
    child = "echo child-up; read line; echo got=$line"
    try:
        at = _after(leader, seen, 0, b"READY> ")
        os.write(leader, f"{_picker('exec', '--renew')} -- sh -c '{child}'\r".encode())
        at = _after(leader, seen, at, account.account_id.encode())
        os.write(leader, account.account_id.encode())
        _shows(leader, seen, at, usable_role(account))
        at = len(seen)
        os.write(leader, b"\r")  # to the roles, where the footer says what Enter does
        _shows(leader, seen, at, "⏎ Run")
        os.write(leader, b"\r")  # picked: the command runs
        at = _after(leader, seen, at, b"child-up")
        assert _left_on(bytes(seen)) == []
        os.write(leader, b"\x1a")  # ctrl+z: the job (ssotui and the command) stops
        at = _after(leader, seen, at, b"Stopped")
        at = _after(leader, seen, at, b"READY> ")
        # dash says "Stopped" once ssotui, its child, has stopped; the command, ssotui's child,
        # reads the terminal a byte at a time: typed before it has stopped too, the "f" of
        # `fg` was its (CI, loaded)
        ssotui = _child_of(proc.pid)
        job = (ssotui, _child_of(ssotui))
        end = time.monotonic() + 20
        while any(_state(pid) != "T" for pid in job) and time.monotonic() < end:
            time.sleep(0.05)
        assert all(_state(pid) == "T" for pid in job), [_state(pid) for pid in job]
        os.write(leader, b"fg\r")
        os.write(leader, b"typed\r")  # read by the command, not by a picker woken up
        at = _after(leader, seen, at, b"got=typed")
        at = _after(leader, seen, at, b"READY> ")
        os.write(leader, b"exit\r")
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
    assert _left_on(bytes(seen)) == []
    assert b"Traceback" not in seen


def test_a_terminal_closed_while_the_picker_is_stopped_ends_it(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """ctrl+z, then the terminal window closed: the shell's SIGHUP and SIGCONT woke the picker,
    which hung for good writing to a terminal that was no more (a process left behind)."""
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("needs bash, a job-control shell that hangs up its jobs when it is")
    log_in()
    proc, leader = _on_its_own_terminal([bash, "--norc", "--noprofile", "-i"])
    seen = bytearray()
    try:
        at = _after(leader, seen, 0, b"READY> ")
        os.write(leader, f"sh -c 'echo picker=$$; exec {_picker()}'\r".encode())
        shown = org.accounts[0].account_id.encode()
        at = _after(leader, seen, at, shown)
        found = re.search(rb"picker=(\d+)", seen)  # (not the command's echo: picker=$$)
        assert found, bytes(seen)
        pid = int(found[1])
        os.write(leader, b"\x1a")  # ctrl+z
        _after(leader, seen, at, b"Stopped")
    finally:
        os.close(leader)  # the window closed
        proc.wait(timeout=20)
    end = time.monotonic() + 20
    while Path(f"/proc/{pid}").exists() and _state(pid) != "Z":
        assert time.monotonic() < end, f"the picker ({_state(pid)}) is still there"
        time.sleep(0.05)  # (not its parent: nothing tells the test it ended)
