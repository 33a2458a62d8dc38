"""An Input whose bound keys (Ctrl+U, Backspace, Escape, ...) act in the order they were typed.

Textual inserts a printable key where the Input handles it, but runs a key's binding only once
the key has bubbled up through every ancestor's queue to the App. When several keys arrive in
one read (tmux `send-keys C-u umb`, a paste, a slow SSH link), the characters after a bound
key are inserted first and the binding runs last: Ctrl+U then "umb" left the box empty. Here
the Input runs the binding itself, at once, so every key takes effect in turn.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class InOrderInput(Input):
    """An Input that runs bound keys in sequence with the characters typed around them."""

    async def _on_key(self, event: events.Key) -> None:
        if not event.is_printable and self.has_focus and await self._run_binding(event.key):
            event.stop()
            event.prevent_default()
            return
        await super()._on_key(event)

    async def _run_binding(self, key: str) -> bool:
        """Run what `key` is bound to from this Input up to the screen and App; True if it ran.

        The same binding the App would pick (the nearest one whose action is enabled), so a key
        means what it always meant, only sooner. Priority bindings never get here: the App runs
        them before forwarding the key.
        """
        active = self.screen.active_bindings.get(key)
        if active is None or not active.enabled or active.binding.priority:
            return False
        return await self.app.run_action(active.binding.action, active.node)
