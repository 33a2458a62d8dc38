"""The session chooser: shown first when several sso-sessions exist and none is the default, and
on ctrl+s in the main screen to switch to another session without restarting."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.app import small_terminal
from tui.app.failures import reason_text
from tui.app.shown import shown
from tui.app.textual_private import show_key
from tui.app.widgets.whole_keys_footer import WholeKeysFooter
from tui.models import SsoSession
from tui.text import cell_width, pad

# the name column of a session that is a legacy profile's (sso_start_url in a profile)
LEGACY = "(legacy profile)"


class SessionScreen(Screen[SsoSession | None]):
    """A small list of sessions; Enter picks one, Escape quits (or goes back, when switching)."""

    BINDING_GROUP_TITLE = "Session chooser"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Quit")]

    def __init__(
        self, sessions: list[SsoSession], *, current: SsoSession | None = None, note: str = ""
    ) -> None:
        """`current`: the session in use, when switching (Escape then goes back to it).
        `note`: why none was taken at the start beyond there being several (a profile
        `AWS_PROFILE` names that is not there, a `default_session` that names none), as the
        commands say it (`Context.why_asked`)."""
        super().__init__()
        self.sessions = sessions
        self.current = current
        self.note = note
        if current is not None:
            show_key(self, "escape", "Back")

    def compose(self) -> ComposeResult:
        with Vertical(id="sessions-box"):
            if self.current is None:
                yield Static("Choose an SSO session", id="sessions-title")
                if self.note:
                    yield Static(
                        f"{reason_text(self.note)}. Choose the session here.",
                        id="sessions-note",
                        markup=False,
                    )
                yield Static(
                    "Set `default_session` in ssotui's config.toml (or pass --session) to skip "
                    "this.",
                    id="sessions-hint",
                    markup=False,
                )
            else:
                yield Static("Switch to another SSO session", id="sessions-title")
                yield Static(
                    f"In use: {shown(self.current.label)}. The picker opens the one you choose.",
                    id="sessions-hint",
                    markup=False,
                )
            names = max(cell_width(_name(s)) for s in self.sessions)
            urls = max(cell_width(s.start_url) for s in self.sessions)
            options = OptionList(
                *(
                    Option(_label(s, (names, urls), in_use=s == self.current), id=str(n))
                    for n, s in enumerate(self.sessions)
                ),
                id="sessions-list",
            )
            show_key(options, "enter", "Open")
            yield options
        yield WholeKeysFooter()

    def on_resize(self, event: events.Resize) -> None:
        small_terminal.fit(self, event.size)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = next((n for n, s in enumerate(self.sessions) if s == self.current), 0)
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        index = int(event.option.id or 0)
        self.dismiss(self.sessions[index])

    def action_cancel(self) -> None:
        self.dismiss(None)


def _label(session: SsoSession, widths: tuple[int, int], *, in_use: bool) -> Text:
    """One session's line: its name, start URL and region, each in a column of `widths`."""
    names, urls = widths
    text = Text(pad(_name(session), names), style="bold")
    text.append(f"  {pad(session.start_url, urls)}  {shown(session.region)}", style="dim")
    if in_use:
        text.append("  (in use)", style="italic")
    return text


def _name(session: SsoSession) -> str:
    """The name column: a legacy profile's session has no name but its start URL, which the
    next column shows already."""
    return session.name if session.name is not None else LEGACY
