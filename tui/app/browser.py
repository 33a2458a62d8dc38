"""Whether the picker may open a browser by itself.

Python's `webbrowser` falls back to text browsers (lynx, w3m, ...) where no desktop is running,
as over SSH; started from the picker, one would fight it for the terminal. So the picker opens
a browser only where a graphical one can run, or where `BROWSER` says which one to use.
"""

from __future__ import annotations

import os
import sys


def browser_available() -> bool:
    """True where a browser opened from the picker will not take over its terminal."""
    if os.environ.get("BROWSER"):
        return True
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
