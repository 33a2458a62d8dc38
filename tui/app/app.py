"""The ssotui App: chooses the session, then shows the main screen (which logs in as needed).

Its return value (`app.run()`) is the text to print to stdout after the UI closes (the `p`
action), or None.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from tui.app.screens.main import MainScreen
from tui.app.screens.sessions import SessionScreen
from tui.app.terminal import drawing_on_the_terminal
from tui.aws.models import SsoSession
from tui.store.settings import Settings


class SsotuiApp(App[str | None]):
    """The full-screen picker."""

    CSS_PATH = "app.tcss"
    TITLE = "ssotui"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(
        self,
        *,
        sessions: list[SsoSession],
        session: SsoSession | None,
        settings: Settings,
        open_browser: bool,
        refresh: bool,
    ) -> None:
        super().__init__()
        self.sessions = sessions
        self.session = session
        self.settings = settings
        self.open_browser = open_browser
        self.refresh_catalog = refresh
        if settings.theme:
            self.theme = settings.theme

    def run(self, *args: Any, **kwargs: Any) -> str | None:
        """Run the picker; returns the text to print after it closes (or None)."""
        with drawing_on_the_terminal():
            return super().run(*args, **kwargs)

    def on_mount(self) -> None:
        if self.session is not None:
            self._open(self.session)
        elif len(self.sessions) == 1:
            self._open(self.sessions[0])
        else:
            self.push_screen(SessionScreen(self.sessions), self._session_chosen)

    def _session_chosen(self, session: SsoSession | None) -> None:
        if session is None:
            self.exit()
        else:
            self._open(session)

    def _open(self, session: SsoSession) -> None:
        self.session = session
        self.push_screen(
            MainScreen(
                session,
                settings=self.settings,
                open_browser=self.open_browser,
                refresh=self.refresh_catalog,
            )
        )
