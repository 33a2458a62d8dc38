"""The real picker on a terminal, ended by a signal rather than a key: the terminal is given
back as it was (main screen, cursor shown, no mouse reporting), as after ctrl+q."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.app_support import log_in
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


@pytest.mark.parametrize("ending", [signal.SIGTERM, signal.SIGHUP])
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
