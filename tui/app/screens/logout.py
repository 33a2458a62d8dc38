"""The question before the picker's "Log out" (ctrl+o, or the command palette's entry).

A logout revokes the token and deletes the cached catalog: after a slip of the finger, a large
organisation's catalog takes minutes to fetch again. So it asks first; Enter (or y) logs out,
Escape (or n) stays logged in.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.app import small_terminal
from tui.app.shown import shown
from tui.app.widgets.whole_keys_footer import WholeKeysFooter


class LogoutScreen(ModalScreen[bool]):
    """Log out of the session? Dismisses with True to log out, False to stay."""

    BINDING_GROUP_TITLE = "Log out"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,y", "log_out", "Log out"),
        Binding("escape,n", "stay", "Cancel"),
    ]

    def __init__(self, session_label: str) -> None:
        super().__init__()
        self.session_label = session_label

    def compose(self) -> ComposeResult:
        with Vertical(id="logout-box") as box:
            box.border_title = f"Log out of {shown(self.session_label)}"
            yield Static(
                "As `ssotui logout` does: the token is revoked at Identity Center, and the "
                "cached token, the catalog and the kept role credentials are deleted. The "
                "login screen follows.",
                markup=False,
            )
            yield Static(
                Text.assemble(("enter", "bold"), " Log out   ", ("esc", "bold"), " Cancel"),
                id="logout-keys",
            )
        yield WholeKeysFooter()

    def on_resize(self, event: events.Resize) -> None:
        small_terminal.fit(self, event.size)

    def action_log_out(self) -> None:
        self.dismiss(True)

    def action_stay(self) -> None:
        self.dismiss(False)
