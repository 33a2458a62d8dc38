"""A screen that closes by itself (a login approved, a session written): once, and itself.

Textual's `Screen.dismiss` hands the result on and then pops whatever screen is on top. A login
approved while the keys screen (`?`) or the palette was open over it popped those instead and
stayed up, "Approved." and stuck; its Escape then handed on a second result, and the picker
ended in a traceback. `close` takes the screens the user opened over it away first, and hands
on one result only, whichever of the key and the answer comes first.
"""

from __future__ import annotations

import weakref
from typing import Any, TypeVar

from textual.screen import Screen

R = TypeVar("R")

_closed: weakref.WeakSet[Screen[Any]] = weakref.WeakSet()


def close(screen: Screen[R], result: R | None = None) -> None:
    """Dismiss `screen` with `result`, with any screen above it, unless it was closed already."""
    if screen in _closed:
        return
    _closed.add(screen)
    app = screen.app
    if app.screen is screen:
        screen.dismiss(result)
        return
    screen.pop_until_active()  # the keys screen, the palette: popped in the app's next turn
    app.call_later(screen.dismiss, result)  # and this one after them
