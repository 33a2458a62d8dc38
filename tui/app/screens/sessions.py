"""The session chooser: shown first when several sso-sessions exist and none is the default."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from tui.models import SsoSession


class SessionScreen(Screen[SsoSession | None]):
    """A small list of sessions; Enter picks one, Escape quits."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Quit")]

    def __init__(self, sessions: list[SsoSession]) -> None:
        super().__init__()
        self.sessions = sessions

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="sessions-box"):
            yield Static("Choose an SSO session", id="sessions-title")
            yield Static(
                "Set `default_session` in ssotui's config.toml (or pass --session) to skip this.",
                id="sessions-hint",
            )
            yield OptionList(
                *(Option(_label(s), id=str(n)) for n, s in enumerate(self.sessions)),
                id="sessions-list",
            )
        yield Footer()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        index = int(event.option.id or 0)
        self.dismiss(self.sessions[index])

    def action_cancel(self) -> None:
        self.dismiss(None)


def _label(session: SsoSession) -> Text:
    text = Text(session.label, style="bold")
    text.append(f"  {session.start_url}  {session.region}", style="dim")
    return text
