"""The status line: session, token time left (ticking), catalog age and loading progress, and the
region the highlighted account's credentials get.

At a narrow width each part falls back to a shorter form, least needed first, so the line still
says everything at 80 columns.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from rich.cells import cell_len
from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget

from tui.app import clock
from tui.app.model import Progress
from tui.app.shown import shown

WARN_BEFORE = timedelta(minutes=15)
SEPARATOR = " · "


@dataclass(frozen=True)
class Part:
    """One part of the line: its full form, a shorter one for narrow terminals, its style."""

    full: str
    short: str
    style: str = ""
    shrink_order: int = 0  # lower shrinks first


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
        self.session_label = shown(session_label)
        self.token_expires: datetime | None = None
        self.token_renewable = False
        self.logged_in = False
        self.fetched_at: datetime | None = None
        self.from_cache = False
        self.progress = Progress()
        self.accounts = 0
        self.note = ""
        self.aws_region: str | None = None
        self.region_known = False  # False: no account highlighted, nothing to say

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
        if note != self.note:
            self.note = note
            self.refresh()

    def show_region(self, region: str | None, *, known: bool = True) -> None:
        """The region the highlighted account's credentials get (None: none); `known` False
        when no account is highlighted."""
        if (region, known) != (self.aws_region, self.region_known):
            self.aws_region, self.region_known = region, known
            self.refresh()

    def parts(self) -> list[Part]:
        """What the line says, in order."""
        parts = [
            Part("ssotui", "", "bold", shrink_order=0),
            Part(self.session_label, self.session_label, "bold", shrink_order=9),
            self._token_part(),
            *self._catalog_parts(),
        ]
        if self.region_known:
            if self.aws_region:
                parts.append(Part(f"region {self.aws_region}", self.aws_region, shrink_order=3))
            else:
                parts.append(Part("no region", "", "dim", shrink_order=2))
        if self.note:
            parts.append(Part(self.note, self.note, "italic", shrink_order=9))
        return parts

    def _token_part(self) -> Part:
        if not self.logged_in or self.token_expires is None:
            return Part("not logged in", "not logged in", "bold red", shrink_order=9)
        left = clock.time_left(self.token_expires)
        soon = self.token_expires - clock.now() < WARN_BEFORE
        style = "bold yellow" if soon else ""
        if left == "expired" and self.token_renewable:  # the next call renews it
            return Part("token renews on next use", "token renews", style, shrink_order=9)
        if left == "expired":
            return Part("token expired", "token expired", style, shrink_order=9)
        return Part(f"token {left} left", f"{left} left", style, shrink_order=4)

    def _catalog_parts(self) -> Iterator[Part]:
        progress = self.progress
        if progress.loading:
            yield Part(
                f"loading: {progress.accounts} accounts, roles {progress.roles_done}/"
                f"{progress.accounts}",
                f"loading {progress.roles_done}/{progress.accounts}",
                "italic",
                shrink_order=1,
            )
            if self.fetched_at is not None:
                yield Part(f"cached {clock.age(self.fetched_at)}", "", shrink_order=1)
        elif self.fetched_at is None:
            yield Part("no catalog yet", "no catalog yet", shrink_order=9)
        else:
            age = clock.age(self.fetched_at)
            yield Part(
                f"{self.accounts} accounts · catalog {age}",
                f"{self.accounts} accounts · {age}",
                shrink_order=1,
            )
        if progress.failed:
            yield Part(f"{progress.failed} failed", f"{progress.failed} failed", "bold red", 9)

    def render(self) -> RenderResult:
        parts = self.parts()
        width = self.content_size.width
        if width:
            chosen = [p.full for p in parts]
            for n in sorted(range(len(parts)), key=lambda k: parts[k].shrink_order):
                if _width(chosen) <= width:
                    break
                chosen[n] = parts[n].short
        else:
            chosen = [p.full for p in parts]
        text = Text(no_wrap=True, overflow="ellipsis")
        for part, shown_text in zip(parts, chosen, strict=True):
            if not shown_text:
                continue
            if text:
                text.append(SEPARATOR)
            text.append(shown_text, style=part.style)
        return text


def _width(texts: list[str]) -> int:
    kept = [t for t in texts if t]
    return sum(cell_len(t) for t in kept) + cell_len(SEPARATOR) * max(0, len(kept) - 1)
