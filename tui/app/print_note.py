"""Export lines printed when the picker closes, with standard output the terminal: a note first.

`p` is for `eval "$(ssotui)"`, which captures what it prints. Run as plain `ssotui`, the
secret keys would show on the screen and stay in the terminal's scrollback: so the first `p`
(the action menu's key or the palette's entry) says so instead of printing, and the next one
prints. With standard output redirected, `p` prints at once. The same rule holds for Enter on a
role when `ssotui export` opened the picker to pick one (`picking`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import App

from tui.app.messages import FAILURE_SECONDS


@dataclass
class PrintNote:
    """Whether `p` would print on the terminal (`on_terminal`, set as the picker starts), and
    whether the note was said already."""

    on_terminal: bool = False
    said: bool = False

    def held_back(self, app: App[Any], again: str, *, picking: bool = False) -> bool:
        """True when this `p` only says the note (the first one on a terminal); `again` is how
        to ask a second time ("press p again"); `picking`: for `ssotui export`'s pick."""
        if not self.on_terminal or self.said:
            return False
        self.said = True
        instead = (
            '`ssotui export --copy` copies them instead; this is for eval "$(ssotui export)"'
            if picking
            else 'c copies them instead; p is for eval "$(ssotui)"'
        )
        app.notify(
            "Standard output is this terminal: the export lines would show their secret keys on "
            f"the screen, and they would stay in its scrollback. {instead}. "
            f"{again[:1].upper()}{again[1:]} to print them anyway.",
            severity="warning",
            markup=False,
            timeout=FAILURE_SECONDS,
        )
        return True
