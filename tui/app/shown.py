"""Names from the service made safe to draw: the picker's one call to the shared cleaner.

Account and role names and e-mails come from Identity Center and may hold anything, escape
sequences included. Everything of theirs the picker draws (rows, captions, titles, toasts,
palette entries) goes through `shown`, which is `tui.text.printable` (the command line uses
the same).
"""

from __future__ import annotations

from tui.text import printable


def shown(text: str) -> str:
    """`text` with control characters (C0, DEL, C1), bidi overrides and line separators made
    visible or replaced, as on the command line."""
    return printable(text)
