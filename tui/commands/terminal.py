"""Whether a person is at a terminal (one that can answer a login), and whether the picker can
draw on it: asked by the commands that may log in or pick first, and by the picker's own."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.workspace import Context


def on_a_terminal() -> bool:
    """True when a person is at a terminal (stdin and stderr): one that can answer a login."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def picker_can_open(context: Context) -> bool:
    """True when a person is at a terminal the picker can draw on: not `TERM=dumb` (Emacs'
    shell buffer, some IDE consoles), which shows a full-screen app as escape sequences."""
    return on_a_terminal() and context.environ.get("TERM") != "dumb"
