"""The real picker's `p` on a terminal: with standard output the terminal (plain `ssotui`) it
says a note before printing secret keys on the screen; redirected (`eval "$(ssotui)"`) it
prints at once."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from tests.app_support import log_in, usable_role, with_roles
from tui.sim import Organisation, Simulator

# Colours, cursor moves, blanks and a toast's edge: what cuts the drawn text.
_NOT_TEXT = re.compile(rb"\x1b\[[0-9;?<>]*[A-Za-z]|\s|\xe2\x96\x8c")


def _shows(leader: int, seen: bytearray, text: str, seconds: float = 30) -> bool:
    """Read the terminal into `seen` until `text` is drawn on it, however cut (or time out)."""
    wanted = _NOT_TEXT.sub(b"", text.encode())
    end = time.monotonic() + seconds
    while wanted not in _NOT_TEXT.sub(b"", bytes(seen)) and time.monotonic() < end:
        ready, _, _ = select.select([leader], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            seen += chunk
    return wanted in _NOT_TEXT.sub(b"", bytes(seen))


def _press_p(org: Organisation, *, redirected: bool) -> tuple[int, bytes, bytes]:
    """`ssotui` on a terminal of its own (stdout a pipe when `redirected`): the action menu of
    a role, then p, twice if it is still running: its status, its stdout, the terminal."""
    account = with_roles(org)
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 110, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "SHELL": "/bin/sh"}
    env.pop("SSOTUI_SUBSHELL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui"],
        stdin=follower,
        stdout=subprocess.PIPE if redirected else follower,
        stderr=follower,
        env=env,
        start_new_session=True,
    )
    os.close(follower)
    seen = bytearray()
    try:
        assert _shows(leader, seen, account.account_id), bytes(seen[-400:])
        # (keys typed right after Enter go to the roles pane)
        os.write(
            leader, account.account_id.encode() + b"\r" + usable_role(account).encode() + b"\r"
        )
        assert _shows(leader, seen, "Print export lines"), bytes(seen[-400:])
        os.write(leader, b"p")
        if proc.poll() is None and _shows(leader, seen, "Press p again", seconds=5):
            os.write(leader, b"p")
        end = time.monotonic() + 20
        while proc.poll() is None and time.monotonic() < end:  # (its lines fill the pty)
            _shows(leader, seen, "\x00never", seconds=0.2)
        status = proc.wait(timeout=1)
        _shows(leader, seen, "\x00never", seconds=0.5)
        out = proc.stdout.read() if proc.stdout is not None else b""
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
    return status, out, bytes(seen)


def test_p_on_the_terminal_says_the_keys_would_show_before_printing_them(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    status, _out, seen = _press_p(org, redirected=False)
    flat = _NOT_TEXT.sub(b"", seen)
    assert b"scrollback" in flat and b"ccopiesthem" in flat
    assert status == 0
    assert b"export AWS_ACCESS_KEY_ID=" in seen  # printed, after the second p


def test_p_with_stdout_redirected_prints_at_once(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    status, out, seen = _press_p(org, redirected=True)
    assert status == 0
    assert b"\nexport AWS_ACCESS_KEY_ID=" in out
    assert b"scrollback" not in _NOT_TEXT.sub(b"", seen)
