"""Put text on the user's clipboard: the system clipboard, else the terminal's (OSC 52).

The system clipboard is reached only through a program that reads the text on its standard
input: pbcopy (macOS), wl-copy (Wayland), xclip or xsel (X11), clip.exe (Windows, WSL),
termux-clipboard-set (Termux). The text is never an argument of any program, where every local
user could read it in `ps` (pyperclip's klipper backend passes it to `qdbus` so; pyperclip is
not used here). Where no such program is found, as over SSH or on a headless box, the text goes
to the terminal as an OSC 52 escape sequence written to the controlling terminal, which most
terminal emulators turn into a clipboard write. Inside tmux it is sent twice, as the picker
sends it: as it is, for tmux's `set-clipboard on` (tmux 3.3 and later drop the other form
unless `allow-passthrough` is on), and wrapped in tmux's DCS passthrough for the outer terminal.
The text itself is never printed.

`SSOTUI_CLIPBOARD=none` skips the system clipboard (the tests set it); `SSOTUI_TTY` names the
terminal device to write OSC 52 to (default /dev/tty; tests point it at a pseudo-terminal).
These, the display variables and `PATH` come from the environment the caller hands in.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tui.errors import SsotuiError

SYSTEM = "clipboard"
OSC52 = "OSC 52"
DEFAULT_TTY = "/dev/tty"
# What to do without a clipboard, for the export lines (the default), the console link and a
# login's code.
EXPORT_INSTEAD = "use `ssotui export` without --copy and copy the lines yourself"
CONSOLE_LINK_INSTEAD = "use `--print` and open the link yourself"
LOGIN_CODE_INSTEAD = "type the code shown yourself"
LOGIN_URL_INSTEAD = "open the address shown in a browser on this machine yourself"
PROGRAM_TIMEOUT = 5.0  # seconds; the X11 and Wayland tools fork a server and return at once


@dataclass(frozen=True)
class ClipboardProgram:
    """A program that takes the clipboard's new text on stdin: its path and fixed arguments."""

    name: str  # how the user knows it: "wl-copy"
    argv: tuple[str, ...]  # never holds the text
    encoding: str = "utf-8"

    def stdin(self, text: str) -> bytes:
        """`text` as this program reads it."""
        if self.encoding == "utf-16-le":  # clip.exe takes unicode only with a UTF-16 BOM
            return ("\ufeff" + text).encode("utf-16-le")
        return text.encode(self.encoding)


# (name, fixed arguments, encoding) per kind of desktop, in the order they are tried.
_MACOS = (("pbcopy", (), "utf-8"),)
_WINDOWS = (("clip.exe", (), "utf-16-le"), ("clip", (), "utf-16-le"))
_WAYLAND = (("wl-copy", (), "utf-8"),)
_X11 = (
    ("xclip", ("-selection", "clipboard"), "utf-8"),
    ("xsel", ("--clipboard", "--input"), "utf-8"),
)
_WSL = (("clip.exe", (), "utf-16-le"),)
_TERMUX = (("termux-clipboard-set", (), "utf-8"),)


def _is_wsl(env: Mapping[str, str]) -> bool:
    if env.get("WSL_DISTRO_NAME"):
        return True
    try:
        with open("/proc/version", encoding="utf-8", errors="replace") as handle:
            return "microsoft" in handle.read().lower()
    except OSError:
        return False


def _candidates(env: Mapping[str, str]) -> list[tuple[str, tuple[str, ...], str]]:
    if sys.platform == "darwin":
        return list(_MACOS)
    if sys.platform in ("win32", "cygwin"):
        return list(_WINDOWS)
    found: list[tuple[str, tuple[str, ...], str]] = []
    if env.get("WAYLAND_DISPLAY"):
        found += _WAYLAND
    if env.get("DISPLAY"):
        found += _X11
    if _is_wsl(env):
        found += _WSL
    if env.get("TERMUX_VERSION"):
        found += _TERMUX
    return found


def system_program(env: Mapping[str, str]) -> ClipboardProgram | None:
    """The program `copy` would hand the text to under `env`, or None (then OSC 52 is used).

    None too when `SSOTUI_CLIPBOARD=none`.
    """
    if env.get("SSOTUI_CLIPBOARD", "").strip().lower() == "none":
        return None
    search = env.get("PATH", os.defpath)
    for name, args, encoding in _candidates(env):
        path = shutil.which(name, path=search)
        if path:
            return ClipboardProgram(name, (path, *args), encoding)
    return None


def no_program_reason(env: Mapping[str, str]) -> str:
    """Why `system_program(env)` found none, in words for a line: an X11 or Wayland program
    that is installed but has no display to copy to (over SSH, in cron: neither `DISPLAY` nor
    `WAYLAND_DISPLAY` set) is named as such, not as missing."""
    no_display = not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY")
    if no_display and sys.platform not in ("darwin", "win32", "cygwin"):
        search = env.get("PATH", os.defpath)
        for name, _args, _encoding in (*_WAYLAND, *_X11):
            if shutil.which(name, path=search):
                return (
                    f"{name} is installed, but there is no display for it "
                    "(neither DISPLAY nor WAYLAND_DISPLAY is set)"
                )
    return "no clipboard program (wl-copy, xclip, xsel, pbcopy, clip.exe)"


def osc52_note(backend: str, env: Mapping[str, str]) -> str:
    """What goes after "OSC 52" where a copy is said: inside tmux (`TMUX`), the setting it
    needs to arrive (tmux 3.3 and later drop a program's OSC 52 without it, and its
    passthrough without `allow-passthrough`); "" otherwise."""
    if backend == OSC52 and env.get("TMUX"):
        return "; inside tmux, only with `set -g set-clipboard on`"
    return ""


def osc52_sequence(text: str, *, tmux: bool = False) -> bytes:
    """The escape sequence that asks the terminal to put `text` on its clipboard."""
    payload = base64.b64encode(text.encode("utf-8"))
    sequence = b"\x1b]52;c;" + payload + b"\x07"
    if tmux:
        # tmux passes a DCS `tmux;` body through to the outer terminal, ESCs doubled.
        sequence = b"\x1bPtmux;" + sequence.replace(b"\x1b", b"\x1b\x1b") + b"\x1b\\"
    return sequence


def _system_copy(program: ClipboardProgram, text: str) -> str | None:
    """Hand `text` to `program` on its stdin; None when it worked, else why it did not."""
    try:
        done = subprocess.run(
            program.argv,
            input=program.stdin(text),
            stdout=subprocess.DEVNULL,  # a forked clipboard server must not hold our pipes
            stderr=subprocess.DEVNULL,
            timeout=PROGRAM_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"{program.name} did not finish"
    except OSError as exc:
        return f"cannot run {program.name} ({exc.strerror or type(exc).__name__})"
    if done.returncode != 0:
        return f"{program.name} failed (exit status {done.returncode})"
    return None


def _terminal_copy(text: str, env: Mapping[str, str]) -> str | None:
    """Write OSC 52 to the controlling terminal; None when it worked, else why not. `env`:
    `SSOTUI_TTY` names another terminal (the tests' pseudo-terminal); `TMUX` adds tmux's form."""
    tty = env.get("SSOTUI_TTY") or DEFAULT_TTY
    try:
        fd = os.open(tty, os.O_WRONLY | os.O_NOCTTY)
    except OSError:
        return "no terminal to send OSC 52 to"
    try:
        if not os.isatty(fd):
            return "no terminal to send OSC 52 to"
        data = osc52_sequence(text)
        if env.get("TMUX"):
            data += osc52_sequence(text, tmux=True)
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    except OSError as exc:
        return f"cannot write to the terminal ({exc.strerror or exc})"
    finally:
        os.close(fd)
    return None


def copy(
    text: str,
    env: Mapping[str, str],
    *,
    terminal: Callable[[str], None] | None = None,
    instead: str = EXPORT_INSTEAD,
) -> str:
    """Put `text` on the clipboard; returns which way it went: "clipboard" or "OSC 52".

    `terminal`, when given, replaces the OSC 52 write to the controlling terminal: a full-screen
    app passes its own clipboard call (Textual's `App.copy_to_clipboard`) so the sequence goes
    out through its output and never lands in the middle of a frame it is drawing. `instead`:
    what the error says to do when neither way works. `env`: the environment that picks the
    way (`SSOTUI_CLIPBOARD`, `PATH`, the display variables, `TMUX`, `SSOTUI_TTY`).
    """
    reasons: list[str] = []
    if env.get("SSOTUI_CLIPBOARD", "").strip().lower() == "none":
        reasons.append("the system clipboard is turned off (SSOTUI_CLIPBOARD=none)")
    else:
        program = system_program(env)
        if program is None:
            reasons.append(no_program_reason(env))
        else:
            failed = _system_copy(program, text)
            if failed is None:
                return SYSTEM
            reasons.append(failed)
    if terminal is not None:
        terminal(text)
        return OSC52
    failed = _terminal_copy(text, env)
    if failed is None:
        return OSC52
    reasons.append(failed)
    raise SsotuiError(f"no clipboard available: {' and '.join(reasons)}; {instead}")
