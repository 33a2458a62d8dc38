"""The private Textual APIs the picker relies on, in one place, each with why.

Textual has no public way to do these. `tests/test_textual_private.py` checks that each still
exists with the shape used here, so a Textual upgrade that changes one fails there, loudly,
instead of somewhere in the picker.

- `App._driver.write`: raw bytes to the terminal between frames (the tmux-wrapped OSC 52 copy;
  `App.copy_to_clipboard` sends only the plain sequence).
- `App._check_bindings`: run what a key is bound to, along the focus chain, at once (keys an
  `InOrderInput` held back while the focus moved).
- `Input._watch_value`: overridden by `FilterInput` (tui/app/widgets/filter_list.py) to keep a
  keystroke from laying out the whole screen.
"""

from __future__ import annotations

from typing import Any

from textual.app import App


def write_to_terminal(app: App[Any], text: str) -> bool:
    """Write `text` to the terminal through the app's driver; False when there is none."""
    driver = app._driver
    if driver is None:
        return False
    driver.write(text)
    return True


async def run_key_binding(app: App[Any], key: str) -> bool:
    """Run the binding of `key` along the focus chain, as the App would; True if one ran."""
    return await app._check_bindings(key)
