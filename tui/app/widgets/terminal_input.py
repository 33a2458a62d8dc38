"""Textual's Input with its keys said as they act in a terminal, and its word deletions where
terminals put them.

In a terminal, alt+backspace arrives as ESC DEL, which Textual reads as ctrl+w (delete the word
to the left); only a terminal speaking the kitty keyboard protocol sends it as alt+backspace, and
Textual bound that (and ctrl+backspace) to deleting the word to the right. Here both delete to
the left, as readline and every text box do, whatever the terminal; deleting the word to the
right is readline's alt+d, or ctrl+delete. A one-line box never scrolls: Textual's scrolling
keys (up, down, the page keys) are not its own. Keys no terminal sends without that protocol (super,
ctrl+shift+a, ctrl+backspace) stay bound but the help leaves them out (`tui/app/screens/help.py`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.widgets import Input

from tui.app.textual_private import drop_keys


class TerminalInput(Input):
    """An Input whose key descriptions (the help lists them) say what each key does here."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # No Input here completes anything, so → has no suggestion to accept.
        Binding("right", "cursor_right", "Move cursor right", show=False),
        Binding(
            "ctrl+w,alt+backspace,ctrl+backspace",
            "delete_left_word",
            "Delete the word to the left",
            show=False,
        ),
        Binding(
            "alt+d,ctrl+delete", "delete_right_word", "Delete the word to the right", show=False
        ),
        Binding("ctrl+x", "cut", "Cut the selected text", show=False),
        # Textual's paste is of what was cut in the app; the terminal's own paste (ctrl+shift+v,
        # cmd+v, a middle click) arrives as typed text.
        Binding(
            "ctrl+v",
            "paste",
            "Paste what ctrl+x cut here (the terminal's own paste works too)",
            show=False,
        ),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Its ScrollView's keys: they scroll nothing here (and a filter's list takes them).
        drop_keys(self, "up", "down", "pageup", "pagedown", "ctrl+pageup", "ctrl+pagedown")

    async def _on_key(self, event: events.Key) -> None:
        # A terminal sends alt+d as ESC d, a key that carries the character "d": Input would
        # type it. (Input's own handler runs after this one, unless it is prevented.)
        if event.key == "alt+d":
            event.stop()
            event.prevent_default()
            self.action_delete_right_word()
