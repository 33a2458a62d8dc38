"""The ssotui App: chooses (or sets up) the session, then shows the main screen.

The main screen logs in as needed.

Its return value (`app.run()`) is the text to print to stdout after the UI closes (the `p`
action), or None.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from tui import paths
from tui.app.screens.main import MainScreen
from tui.app.screens.sessions import SessionScreen
from tui.app.screens.setup import SetupScreen
from tui.app.terminal import drawing_on_the_terminal
from tui.app.textual_private import write_to_terminal
from tui.export import clipboard
from tui.models import SsoSession
from tui.workspace import Context


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
        context: Context,
        open_browser: bool,
        refresh: bool,
        force: bool = False,
    ) -> None:
        super().__init__()
        self.sessions = sessions
        self.session = session
        self.context = context
        self.settings = context.settings
        self.open_browser = open_browser
        self.refresh_catalog = refresh
        self.force = force
        settings = context.settings
        self._unknown_theme = ""
        if settings.theme:
            if settings.theme in self.available_themes:
                self.theme = settings.theme
            else:  # said once the screen is up (a notification needs a running app)
                self._unknown_theme = settings.theme

    def copy_to_clipboard(self, text: str) -> None:
        """Put `text` on the terminal's clipboard (OSC 52), through the app's own output.

        Inside tmux the sequence is sent twice: as it is, for tmux's `set-clipboard on`, and
        wrapped for tmux to pass on to the outer terminal (`allow-passthrough on`).
        """
        super().copy_to_clipboard(text)
        if self.context.environ.get("TMUX"):
            write_to_terminal(self, clipboard.osc52_sequence(text, tmux=True).decode("ascii"))

    def run(self, *args: Any, **kwargs: Any) -> str | None:
        """Run the picker; returns the text to print after it closes (or None)."""
        with drawing_on_the_terminal():
            return super().run(*args, **kwargs)

    def on_mount(self) -> None:
        if self._unknown_theme:
            self.notify(
                f"Unknown theme {self._unknown_theme!r} in {paths.config_file()}; using "
                f"{self.theme!r}. Themes: {', '.join(sorted(self.available_themes))}.",
                severity="warning",
                markup=False,
                timeout=10,
            )
        if self.session is not None:
            self._open(self.session)
        elif len(self.sessions) == 1:
            self._open(self.sessions[0])
        elif not self.sessions:
            self.push_screen(
                SetupScreen(
                    region=self.settings.default_region, name=self.settings.default_session
                ),
                self._session_set_up,
            )
        else:
            self.push_screen(SessionScreen(self.sessions), self._session_chosen)

    def _session_set_up(self, session: SsoSession | None) -> None:
        if session is None:
            self.exit()
        else:
            self.sessions = [session]
            self._open(session)

    def _session_chosen(self, session: SsoSession | None) -> None:
        if session is None:
            self.exit()
        else:
            self._open(session)

    def _open(self, session: SsoSession) -> None:
        self.session = session
        self.push_screen(
            MainScreen(
                self.context.workspace(session),
                open_browser=self.open_browser,
                refresh=self.refresh_catalog,
                force=self.force,
            )
        )
