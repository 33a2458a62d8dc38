"""An Input that takes keys in the order they were typed, even when several arrive at once.

Several keys arrive in one read when tmux sends them (`send-keys C-u umb`), on a paste, or
over a slow SSH link from a fast typist. Textual then goes wrong in two ways:

- It inserts a printable key where the Input handles it, but runs a key's binding only once
  the key has bubbled up through every ancestor's queue to the App. So the characters after a
  bound key were inserted first and the binding ran last: Ctrl+U then "umb" left the box
  empty. Here the Input runs the binding itself, at once.
- Every key of the read is handed to the widget focused when it arrived. Keys typed after
  Enter (which moves on to the next pane or a menu a moment later) landed in the box Enter
  was pressed in. Here, after Enter, the Input holds the keys that follow until the focus has
  moved (or a moment has passed), then hands them to the App again to go where focus now is;
  keys that reach it after the focus left (Tab) are handed on the same way.
"""

from __future__ import annotations

from textual import events
from textual.app import ScreenStackError
from textual.dom import NoScreen
from textual.timer import Timer

from tui.app.textual_private import run_key_binding
from tui.app.widgets.terminal_input import TerminalInput

HOLD_LIMIT = 0.25  # seconds: keys after Enter wait at most this long for the focus to move


class InOrderInput(TerminalInput):
    """An Input whose keys take effect in order, bound keys and keys after Enter included."""

    _held: list[events.Key] | None = None  # None: not holding
    _hold_timer: Timer | None = None

    def hold_keys(self) -> None:
        """Keep the keys that arrive from now on for whatever gets the focus next."""
        if self._held is None:
            self._held = []
            self._hold_timer = self.set_timer(HOLD_LIMIT, self._release_keys)

    async def action_submit(self) -> None:
        # What Enter leads to (another pane, a menu) takes the focus after a few messages.
        self.hold_keys()
        await super().action_submit()

    async def _on_key(self, event: events.Key) -> None:
        if self._held is not None:
            event.stop()
            event.prevent_default()
            self._held.append(events.Key(event.key, event.character))
            return
        focused = self._focused()
        if not focused and self._focus_moved_on():
            # Queued here before a key (Tab) moved the focus on: send it after the focus.
            event.stop()
            event.prevent_default()
            self.app.post_message(events.Key(event.key, event.character))
            return
        if not event.is_printable and focused and await self._run_binding(event.key):
            event.stop()
            event.prevent_default()
        # Otherwise Input's own handler runs next (Textual calls each class's in turn).

    def _on_blur(self, event: events.Blur) -> None:
        if self._focus_moved_on():
            self._release_keys()
        # Otherwise (the terminal lost focus, the app is closing) the timer decides.

    def _focused(self) -> bool:
        """Whether this Input has the focus now (`has_focus` follows a moment later)."""
        try:
            return self.screen.focused is self
        except NoScreen:
            return False

    def _focus_moved_on(self) -> bool:
        """True when another widget, or another screen, has the keyboard now."""
        try:
            top = self.app.screen
            return top is not self.screen or top.focused not in (None, self)
        except (NoScreen, ScreenStackError):
            return False

    def _on_unmount(self) -> None:
        # Gone with its screen, or the app is closing: nowhere sensible is left for them.
        self._held = None

    def _release_keys(self) -> None:
        """Give the held keys back to the App, which sends them where the focus is now."""
        held, self._held = self._held, None
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        for key in held or ():
            self.app.post_message(key)

    async def _run_binding(self, key: str) -> bool:
        """Run what `key` is bound to from this Input up to the screen and App; True if it ran.

        Exactly the lookup the App makes when the key reaches it (each binding of the focus
        chain in turn until one's action runs, so Input's own "down", which only scrolls a
        scrollable input, gives way to the list's), only sooner. Priority bindings never get
        here: the App runs them before it hands the key on.
        """
        return await run_key_binding(self.app, key)
