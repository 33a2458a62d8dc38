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
    Paced,
    RolesFailed,
    RolesIncomplete,
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
        # account ids, not counts: a fetch started again after a token renewal sends its
        # events again from the first page, and each account counts once
        self.accounts: set[str] = set()
        self.listed: set[str] = set()
        self.failed: set[str] = set()
        self.paced: Paced | None = None
        self._drawn = 0.0
        self._dirty = False

    def __call__(self, event: CatalogEvent) -> None:
        if isinstance(event, AccountsPage):
            self.accounts.update(a.account_id for a in event.accounts)
        # refused, or listed in part (a page repeated): the service's answer, not a failure
        elif isinstance(event, RolesLoaded | RolesRefused | RolesIncomplete):
            self.listed.add(event.account_id)
            self.failed.discard(event.account_id)
        elif isinstance(event, RolesFailed):
            self.listed.add(event.account_id)
            self.failed.add(event.account_id)
        elif isinstance(event, Paced):
            self.paced = event if event.throttled else None
        now = time.monotonic()
        if self.shown and now - self._drawn >= REDRAW_EVERY:
            self._drawn = now
            self._draw()

    def line(self) -> str:
        """What the line says now."""
        failed = f", {len(self.failed)} failed" if self.failed else ""
        if self.paced is not None:  # why it crawls: 10,000 accounts take minutes
            left = len(self.accounts) - len(self.listed)
            failed = f"{failed}, {self.paced.words(left)}"
        if not self.accounts:  # no page: the roles of the accounts that failed last time
            return f"ssotui: listing roles again: {len(self.listed)} accounts done{failed}"
        # as the picker's status line says it: "40 accounts, roles 26/40"
        return (
            f"ssotui: fetching the catalog: {len(self.accounts)} accounts, roles "
            f"{len(self.listed)}/{len(self.accounts)}{failed}"
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
