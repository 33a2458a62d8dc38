"""Clipboard: pyperclip first, OSC 52 to the terminal otherwise, a clear line when neither.

The real clipboard and the real terminal are never touched: pyperclip's `copy` is replaced by
a recorder, and OSC 52 goes to a pseudo-terminal the test reads back.
"""

from __future__ import annotations

import base64
import os
import select
from collections.abc import Iterator
from pathlib import Path

import pyperclip
import pytest

from tui.errors import SsotuiError
from tui.export.clipboard import copy, osc52_sequence

SECRET_LINES = "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n"


@pytest.fixture
def pty(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """A pseudo-terminal standing in for /dev/tty; yields the side the test reads."""
    master, slave = os.openpty()
    monkeypatch.setenv("SSOTUI_TTY", os.ttyname(slave))
    monkeypatch.delenv("TMUX", raising=False)
    try:
        yield master
    finally:
        os.close(slave)
        os.close(master)


def read_all(fd: int) -> bytes:
    data = b""
    while select.select([fd], [], [], 0.02 if data else 0.2)[0]:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        data += chunk
    return data


def test_osc52_sequence_plain_and_for_tmux() -> None:
    assert osc52_sequence("hi") == b"\x1b]52;c;aGk=\x07"
    assert osc52_sequence("hi", tmux=True) == b"\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\"


def test_osc52_to_the_terminal_when_the_system_clipboard_is_off(pty: int) -> None:
    assert copy(SECRET_LINES) == "OSC 52"
    sent = read_all(pty)
    assert sent.startswith(b"\x1b]52;c;") and sent.endswith(b"\x07")
    assert base64.b64decode(sent[len(b"\x1b]52;c;") : -1]).decode() == SECRET_LINES
    assert b"wJalrXUtnFEMI" not in sent  # only ever base64, never the text itself


def test_osc52_inside_tmux_uses_passthrough(pty: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
    assert copy("unicode ✓ text") == "OSC 52"
    assert read_all(pty) == osc52_sequence("unicode ✓ text", tmux=True)


def test_pyperclip_first(pty: int, monkeypatch: pytest.MonkeyPatch) -> None:
    copied: list[str] = []
    monkeypatch.delenv("SSOTUI_CLIPBOARD")
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    assert copy(SECRET_LINES) == "clipboard"
    assert copied == [SECRET_LINES]
    assert read_all(pty) == b""  # nothing went to the terminal


def test_no_clipboard_program_falls_back_to_osc52(
    pty: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(text: str) -> None:
        raise pyperclip.PyperclipException("could not find a copy/paste mechanism")

    monkeypatch.delenv("SSOTUI_CLIPBOARD")
    monkeypatch.setattr(pyperclip, "copy", missing)
    assert copy(SECRET_LINES) == "OSC 52"
    assert read_all(pty) == osc52_sequence(SECRET_LINES)


def test_neither_is_one_clear_line_without_the_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SSOTUI_TTY", str(tmp_path / "no-such-tty"))
    with pytest.raises(SsotuiError) as caught:
        copy(SECRET_LINES)
    message = caught.value.message
    assert message.startswith("no clipboard available: ")
    assert message.endswith("use `ssotui export` and copy the lines yourself")
    assert "\n" not in message and "wJalrXUtnFEMI" not in message
    out, err = capsys.readouterr()
    assert "wJalrXUtnFEMI" not in out + err


def test_a_file_that_is_not_a_terminal_gets_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_tty = tmp_path / "plain-file"
    not_a_tty.write_bytes(b"")
    monkeypatch.setenv("SSOTUI_TTY", str(not_a_tty))
    with pytest.raises(SsotuiError, match="no terminal to send OSC 52 to"):
        copy(SECRET_LINES)
    assert not_a_tty.read_bytes() == b""


def test_a_running_app_can_send_osc52_itself(pty: int) -> None:
    sent: list[str] = []
    assert copy(SECRET_LINES, terminal=sent.append) == "OSC 52"
    assert sent == [SECRET_LINES]
    assert read_all(pty) == b""  # the app's output, not a second writer on the terminal
