"""A one-line progress report on stderr while the catalog is fetched (`list --refresh`).

The line is rewritten in place (carriage return) and cleared when the fetch ends, so nothing is
left behind on the terminal; where stderr is not a terminal nothing is written at all.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO

from tui.aws.catalog_events import (
    AccountsPage,
    CatalogEvent,
    RolesFailed,
    RolesLoaded,
    RolesRefused,
)

REDRAW_EVERY = 0.05  # seconds: a thousand accounts redraw the line about twenty times a second
CLEAR = "\r\x1b[K"


class CatalogProgress:
    """Counts the catalog's events and shows them as one line; use it in a `with`."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.shown = self.stream.isatty()
        self.accounts = 0
        self.listed = 0
        self.failed = 0
        self._drawn = 0.0
        self._dirty = False

    def __call__(self, event: CatalogEvent) -> None:
        if isinstance(event, AccountsPage):
            self.accounts += len(event.accounts)
        elif isinstance(event, RolesLoaded | RolesRefused):  # refused: the service's answer
            self.listed += 1
        elif isinstance(event, RolesFailed):
            self.listed += 1
            self.failed += 1
        now = time.monotonic()
        if self.shown and now - self._drawn >= REDRAW_EVERY:
            self._drawn = now
            self._draw()

    def line(self) -> str:
        """What the line says now."""
        failed = f", {self.failed} failed" if self.failed else ""
        # as the picker's status line says it: "40 accounts, roles 26/40"
        return (
            f"ssotui: fetching the catalog: {self.accounts} accounts, roles "
            f"{self.listed}/{self.accounts}{failed}"
        )

    def _draw(self) -> None:
        self.stream.write(CLEAR + self.line())
        self.stream.flush()
        self._dirty = True

    def __enter__(self) -> CatalogProgress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._dirty:
            self.stream.write(CLEAR)
            self.stream.flush()
