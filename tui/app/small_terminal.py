"""What a screen other than the main one does in a small terminal: classes for app.tcss.

`-narrow`: narrower than 80 columns; `-short`: fewer than 24 lines. At 80x24 and larger
neither is set, so those sizes look as they always did.
"""

from __future__ import annotations

from typing import Any

from textual.geometry import Size
from textual.screen import Screen

WIDE = 80  # from here on (every screen, the main one too), the footer is Textual's own
TALL = 24


def fit(screen: Screen[Any], size: Size) -> None:
    """Set `screen`'s `-narrow` and `-short` classes for a terminal of `size`."""
    screen.set_class(size.width < WIDE, "-narrow")
    screen.set_class(size.height < TALL, "-short")
