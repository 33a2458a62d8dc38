"""Clipboard: a program that reads stdin first, OSC 52 otherwise, a clear line when neither.

The real clipboard and the real terminal are never touched: fake clipboard programs on PATH
record their arguments and what they read, and OSC 52 goes to a pseudo-terminal the test reads
back. The text must reach a program on its stdin only, never in its arguments (`ps` shows
those to every local user).
"""

from __future__ import annotations

import base64
import json
import os
import select
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import here
from tui.errors import SsotuiError
from tui.export.clipboard import copy, osc52_sequence, system_program
from tui.models import SsoSession
from tui.store.settings import Settings
from tui.workspace.handoff import Handoff

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
    assert copy(SECRET_LINES, os.environ) == "OSC 52"
    sent = read_all(pty)
    assert sent.startswith(b"\x1b]52;c;") and sent.endswith(b"\x07")
    assert base64.b64decode(sent[len(b"\x1b]52;c;") : -1]).decode() == SECRET_LINES
    assert b"wJalrXUtnFEMI" not in sent  # only ever base64, never the text itself


def test_osc52_inside_tmux_is_sent_plain_and_passed_through(
    pty: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the picker sends it: plain for tmux's own `set-clipboard on` (what README tells tmux
    users to set; tmux 3.3+ drops the wrapped form unless `allow-passthrough` is on), and
    wrapped for tmux to pass on to the outer terminal."""
    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
    assert copy("unicode ✓ text", os.environ) == "OSC 52"
    sent = read_all(pty)
    assert sent == osc52_sequence("unicode ✓ text") + osc52_sequence("unicode ✓ text", tmux=True)


FAKE_PROGRAM = """#!{python}
import json, os, sys
data = sys.stdin.buffer.read()
with open(os.environ["CLIPBOARD_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps({{"argv": sys.argv, "stdin": data.hex()}}) + "\\n")
sys.exit(int(os.environ.get("CLIPBOARD_EXIT", "0")))
"""
EVERY_PROGRAM = (
    "pbcopy",
    "wl-copy",
    "wl-paste",
    "xclip",
    "xsel",
    "clip.exe",
    "termux-clipboard-set",
    "qdbus",
    "klipper",
)
DESKTOP_VARS = ("WAYLAND_DISPLAY", "DISPLAY", "WSL_DISTRO_NAME", "TERMUX_VERSION")


class Programs:
    """Fake clipboard programs on PATH that record their arguments and what they read."""

    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.bin = folder / "bin"
        self.bin.mkdir()
        self.log = folder / "runs.jsonl"
        monkeypatch.setenv("PATH", str(self.bin))
        monkeypatch.setenv("CLIPBOARD_LOG", str(self.log))
        monkeypatch.delenv("SSOTUI_CLIPBOARD")
        for var in DESKTOP_VARS:
            monkeypatch.delenv(var, raising=False)

    def install(self, *names: str) -> None:
        for name in names:
            program = self.bin / name
            program.write_text(FAKE_PROGRAM.format(python=sys.executable))
            program.chmod(0o755)

    def runs(self) -> list[tuple[list[str], bytes]]:
        if not self.log.exists():
            return []
        lines = self.log.read_text(encoding="utf-8").splitlines()
        return [(r["argv"], bytes.fromhex(r["stdin"])) for r in map(json.loads, lines)]


@pytest.fixture
def programs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Programs:
    return Programs(tmp_path, monkeypatch)


@pytest.mark.parametrize(
    ("desktop", "installed", "program", "args", "encoding"),
    [
        ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, EVERY_PROGRAM, "wl-copy", [], "utf-8"),
        ({"DISPLAY": ":0"}, EVERY_PROGRAM, "xclip", ["-selection", "clipboard"], "utf-8"),
        (
            {"DISPLAY": ":0"},
            ("xsel", "qdbus", "klipper"),
            "xsel",
            ["--clipboard", "--input"],
            "utf-8",
        ),
        ({"WSL_DISTRO_NAME": "Ubuntu"}, EVERY_PROGRAM, "clip.exe", [], "utf-16"),
        ({"TERMUX_VERSION": "0.118"}, EVERY_PROGRAM, "termux-clipboard-set", [], "utf-8"),
        ({"platform": "darwin", "DISPLAY": ":0"}, EVERY_PROGRAM, "pbcopy", [], "utf-8"),
    ],
)
def test_the_text_goes_on_stdin_never_in_argv(
    programs: Programs,
    pty: int,
    monkeypatch: pytest.MonkeyPatch,
    desktop: dict[str, str],
    installed: tuple[str, ...],
    program: str,
    args: list[str],
    encoding: str,
) -> None:
    programs.install(*installed)
    for var, value in desktop.items():
        if var == "platform":
            monkeypatch.setattr(sys, "platform", value)
        else:
            monkeypatch.setenv(var, value)
    assert copy(SECRET_LINES + "Zürich ✓", os.environ) == "clipboard"
    [(argv, stdin)] = programs.runs()
    assert [Path(argv[0]).name, *argv[1:]] == [program, *args]
    text = SECRET_LINES + "Zürich ✓"
    if encoding == "utf-16":  # clip.exe: UTF-16LE after a byte order mark
        assert stdin == b"\xff\xfe" + text.encode("utf-16-le")
    else:
        assert stdin == text.encode("utf-8")
    assert not any("wJalrXUtnFEMI" in arg for arg in argv)
    assert read_all(pty) == b""  # nothing went to the terminal


def test_klipper_is_never_used_so_qdbus_never_sees_the_text(
    programs: Programs, pty: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    programs.install("klipper", "qdbus")  # a KDE desktop without xclip or xsel
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "KDE")
    assert copy(SECRET_LINES, os.environ) == "OSC 52"
    assert programs.runs() == []
    assert read_all(pty) == osc52_sequence(SECRET_LINES)


def test_a_failing_clipboard_program_falls_back_to_osc52(
    programs: Programs, pty: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    programs.install("xclip")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setenv("CLIPBOARD_EXIT", "1")
    assert copy(SECRET_LINES, os.environ) == "OSC 52"
    assert len(programs.runs()) == 1
    assert read_all(pty) == osc52_sequence(SECRET_LINES)


def test_no_clipboard_program_falls_back_to_osc52(programs: Programs, pty: int) -> None:
    assert system_program(os.environ) is None
    assert copy(SECRET_LINES, os.environ) == "OSC 52"
    assert read_all(pty) == osc52_sequence(SECRET_LINES)


def test_system_program_names_what_copy_would_run(
    programs: Programs, monkeypatch: pytest.MonkeyPatch
) -> None:
    programs.install("xsel")
    monkeypatch.setenv("DISPLAY", ":0")
    found = system_program(os.environ)
    assert found is not None and found.name == "xsel"
    monkeypatch.setenv("SSOTUI_CLIPBOARD", "none")
    assert system_program(os.environ) is None


def test_neither_is_one_clear_line_without_the_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SSOTUI_TTY", str(tmp_path / "no-such-tty"))
    with pytest.raises(SsotuiError) as caught:
        copy(SECRET_LINES, os.environ)
    message = caught.value.message
    assert message.startswith("no clipboard available: ")
    assert message.endswith("use `ssotui export` without --copy and copy the lines yourself")
    assert "\n" not in message and "wJalrXUtnFEMI" not in message
    out, err = capsys.readouterr()
    assert "wJalrXUtnFEMI" not in out + err


def test_a_login_code_goes_the_same_ways_and_without_either_says_to_type_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pty: int
) -> None:
    handoff = Handoff(
        SsoSession("dev", "https://d-1.awsapps.com/start", "us-east-1"),
        settings=Settings(),
        environ=os.environ,  # the live environment: the test moves SSOTUI_TTY below
        paths=here(),
    )
    sent: list[str] = []
    assert handoff.copy_login("WDJB-MJHT", terminal=sent.append) == "OSC 52"
    assert sent == ["WDJB-MJHT"]
    monkeypatch.setenv("SSOTUI_TTY", str(tmp_path / "no-such-tty"))
    with pytest.raises(SsotuiError) as caught:
        handoff.copy_login("WDJB-MJHT")
    assert caught.value.message.endswith("; type the code shown yourself")


def test_a_file_that_is_not_a_terminal_gets_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_tty = tmp_path / "plain-file"
    not_a_tty.write_bytes(b"")
    monkeypatch.setenv("SSOTUI_TTY", str(not_a_tty))
    with pytest.raises(SsotuiError, match="no terminal to send OSC 52 to"):
        copy(SECRET_LINES, os.environ)
    assert not_a_tty.read_bytes() == b""


def test_a_running_app_can_send_osc52_itself(pty: int) -> None:
    sent: list[str] = []
    assert copy(SECRET_LINES, os.environ, terminal=sent.append) == "OSC 52"
    assert sent == [SECRET_LINES]
    assert read_all(pty) == b""  # the app's output, not a second writer on the terminal


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_a_copy_inside_tmux_reaches_tmux_with_set_clipboard_on(tmp_path: Path) -> None:
    """`set -g set-clipboard on`, what README tells tmux users, and nothing else: the copy
    lands in tmux's paste buffer (tmux 3.3+ drops the passthrough form by default)."""
    socket = f"ssotui-clip-{os.getpid()}"
    done = tmp_path / "done"
    script = (
        "from tui.export.clipboard import copy; "
        f"import os; way = copy('export A=1', os.environ); open({str(done)!r}, 'w').write(way)"
    )
    env = {k: v for k, v in os.environ.items() if k != "SSOTUI_TTY"}  # the pane's own /dev/tty

    def tmux(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["tmux", "-L", socket, *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
            env=env,
        )

    started = tmux("-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "24")
    assert started.returncode == 0, started.stderr
    try:
        tmux("set-option", "-g", "set-clipboard", "on")
        command = f"{shlex.quote(sys.executable)} -c {shlex.quote(script)}; sleep 5"
        tmux("new-window", "-d", "-n", "copy", "-c", os.getcwd(), command)
        deadline = time.monotonic() + 10
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert done.read_text() == "OSC 52"
        buffer = ""
        while time.monotonic() < deadline:
            buffer = tmux("show-buffer").stdout
            if buffer:
                break
            time.sleep(0.1)
        assert buffer == "export A=1"
    finally:
        tmux("kill-server")


def test_an_x11_program_without_a_display_is_said_so_not_missing(
    programs: Programs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """xsel installed, but run over SSH or from cron (no DISPLAY, no WAYLAND_DISPLAY) and with
    no terminal for OSC 52: the line says the display is what is missing, and what works."""
    programs.install("xsel")
    monkeypatch.setenv("SSOTUI_TTY", str(tmp_path / "no-such-tty"))
    with pytest.raises(SsotuiError) as caught:
        copy(SECRET_LINES, os.environ)
    assert caught.value.message == (
        "no clipboard available: xsel is installed, but there is no display for it (neither "
        "DISPLAY nor WAYLAND_DISPLAY is set) and no terminal to send OSC 52 to; use "
        "`ssotui export` without --copy and copy the lines yourself"
    )  # was: 'no clipboard program (wl-copy, xclip, xsel, pbcopy, clip.exe) and …'
    assert programs.runs() == []

    from tui.commands.doctor import check_clipboard

    said = check_clipboard(os.environ).detail  # doctor says the same of it
    assert said.startswith("xsel is installed, but there is no display for it"), said
