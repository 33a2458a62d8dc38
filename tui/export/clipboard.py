"""Put text on the user's clipboard: the system clipboard, else the terminal's (OSC 52).

pyperclip is tried first (pbcopy, wl-copy, xclip, xsel, ...). Where it finds no clipboard
program, as over SSH or on a headless box, the text goes to the terminal as an OSC 52 escape
sequence written to the controlling terminal (wrapped in tmux's DCS passthrough inside tmux),
which most terminal emulators turn into a clipboard write. The text itself is never printed.

`SSOTUI_CLIPBOARD=none` skips the system clipboard (the tests set it); `SSOTUI_TTY` names the
terminal device to write OSC 52 to (default /dev/tty; tests point it at a pseudo-terminal).
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable

from tui.errors import SsotuiError

SYSTEM = "clipboard"
OSC52 = "OSC 52"
DEFAULT_TTY = "/dev/tty"


def osc52_sequence(text: str, *, tmux: bool = False) -> bytes:
    """The escape sequence that asks the terminal to put `text` on its clipboard."""
    payload = base64.b64encode(text.encode("utf-8"))
    sequence = b"\x1b]52;c;" + payload + b"\x07"
    if tmux:
        # tmux passes a DCS `tmux;` body through to the outer terminal, ESCs doubled.
        sequence = b"\x1bPtmux;" + sequence.replace(b"\x1b", b"\x1b\x1b") + b"\x1b\\"
    return sequence


def _system_copy(text: str) -> str | None:
    """Copy with pyperclip; None when it worked, else why it did not."""
    try:
        import pyperclip
    except ImportError:
        return "pyperclip is not installed"
    try:
        pyperclip.copy(text)
    except Exception as exc:  # pyperclip raises its own and subprocess errors alike
        # Its message never contains the text, only which mechanism failed.
        return f"no clipboard program ({type(exc).__name__})"
    return None


def _terminal_copy(text: str) -> str | None:
    """Write OSC 52 to the controlling terminal; None when it worked, else why not."""
    tty = os.environ.get("SSOTUI_TTY") or DEFAULT_TTY
    try:
        fd = os.open(tty, os.O_WRONLY | os.O_NOCTTY)
    except OSError:
        return "no terminal to send OSC 52 to"
    try:
        if not os.isatty(fd):
            return "no terminal to send OSC 52 to"
        data = osc52_sequence(text, tmux=bool(os.environ.get("TMUX")))
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    except OSError as exc:
        return f"cannot write to the terminal ({exc.strerror or exc})"
    finally:
        os.close(fd)
    return None


def copy(text: str, *, terminal: Callable[[str], None] | None = None) -> str:
    """Put `text` on the clipboard; returns which way it went: "clipboard" or "OSC 52".

    `terminal`, when given, replaces the OSC 52 write to the controlling terminal: a full-screen
    app passes its own clipboard call (Textual's `App.copy_to_clipboard`) so the sequence goes
    out through its output and never lands in the middle of a frame it is drawing.
    """
    reasons: list[str] = []
    if os.environ.get("SSOTUI_CLIPBOARD", "").strip().lower() == "none":
        reasons.append("the system clipboard is turned off (SSOTUI_CLIPBOARD=none)")
    else:
        failed = _system_copy(text)
        if failed is None:
            return SYSTEM
        reasons.append(failed)
    if terminal is not None:
        terminal(text)
        return OSC52
    failed = _terminal_copy(text)
    if failed is None:
        return OSC52
    reasons.append(failed)
    raise SsotuiError(
        f"no clipboard available: {' and '.join(reasons)}; "
        "use `ssotui export` and copy the lines yourself"
    )
