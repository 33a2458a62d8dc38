"""The status line: session, token time left (ticking), catalog age and loading progress."""

from __future__ import annotations

from datetime import datetime, timedelta

from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget

from tui.app import clock
from tui.app.model import Progress

WARN_BEFORE = timedelta(minutes=15)


class StatusLine(Widget):
    """One line, redrawn every second so the countdown moves."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        background: $panel;
        color: $text;
        padding: 0 1;
    }
    """

    def __init__(self, session_label: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session_label = session_label
        self.token_expires: datetime | None = None
        self.token_renewable = False
        self.logged_in = False
        self.fetched_at: datetime | None = None
        self.from_cache = False
        self.progress = Progress()
        self.accounts = 0
        self.note = ""

    def on_mount(self) -> None:
        self.set_interval(1.0, self.refresh)

    def show_token(self, expires_at: datetime | None, *, renewable: bool = False) -> None:
        """The token's expiry (None: not logged in); `renewable`: a refresh token can renew it,
        so it is not shown as expired."""
        self.token_expires = expires_at
        self.token_renewable = renewable
        self.logged_in = expires_at is not None
        self.refresh()

    def show_catalog(
        self, *, fetched_at: datetime | None, from_cache: bool, progress: Progress, accounts: int
    ) -> None:
        """The catalog's age and how far a fetch has got."""
        self.fetched_at = fetched_at
        self.from_cache = from_cache
        self.progress = progress
        self.accounts = accounts
        self.refresh()

    def show_note(self, note: str) -> None:
        """A short note at the end of the line (empty to clear)."""
        self.note = note
        self.refresh()

    def render(self) -> RenderResult:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("ssotui ", style="bold")
        text.append(f"· {self.session_label} ", style="bold")
        text.append("· ")
        if not self.logged_in or self.token_expires is None:
            text.append("not logged in", style="bold red")
        else:
            left = clock.time_left(self.token_expires)
            soon = self.token_expires - clock.now() < WARN_BEFORE
            if left != "expired":
                words = f"token {left} left"
            elif self.token_renewable:
                words = "token renews on next use"
            else:
                words = "token expired"
            text.append(words, style="bold yellow" if soon else "")
        text.append(" · ")
        progress = self.progress
        if progress.loading:
            text.append(
                f"loading: {progress.accounts} accounts, roles {progress.roles_done}/"
                f"{progress.accounts}",
                style="italic",
            )
            if self.fetched_at is not None:
                text.append(f" · cached {clock.age(self.fetched_at)}")
        elif self.fetched_at is None:
            text.append("no catalog yet")
        else:
            text.append(f"{self.accounts} accounts · catalog {clock.age(self.fetched_at)}")
        if progress.failed:
            text.append(f" · {progress.failed} failed", style="bold red")
        if self.note:
            text.append(f" · {self.note}", style="italic")
        return text
