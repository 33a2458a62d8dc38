"""The footer of key hints that never cuts a hint in half.

Textual's Footer lays its keys out in a row and cuts the row where the terminal ends, so a
narrow terminal shows "esc Cl" (and 80 columns "^g R"). This one shows the keys in their order
while each fits whole beside the command palette's key, and hides the rest; "? Keys" lists
every key. It is compact (less padding) in a terminal narrower than
`tui.app.small_terminal.WIDE`, on every screen; wider, its keys are spaced as Textual's are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Footer

from tui.app.small_terminal import WIDE


class WholeKeysFooter(Footer):
    """A Footer whose key hints are shown whole or not at all."""

    _keys_queued = False  # a recompose of the keys is queued and has not begun

    async def recompose(self) -> None:
        await super().recompose()  # the keys change with the focus and the bindings
        self.fit_keys()

    def call_after_refresh(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        # Textual's Footer queues a recompose at each change of the bindings: four at once as
        # the picker starts (its panes mount, the focus lands), each ~13 ms of removing and
        # mounting every key. One queued that has not begun yet composes the bindings as they
        # are when it runs, so it stands for those after it.
        if callback != self.recompose or args or kwargs:
            return super().call_after_refresh(callback, *args, **kwargs)
        if self._keys_queued:
            return True
        self._keys_queued = True
        return super().call_after_refresh(self._recompose_queued)

    async def _recompose_queued(self) -> None:
        self._keys_queued = False  # a change from here on queues its own
        await self.recompose()

    def on_resize(self, event: events.Resize) -> None:
        if self.compact != (compact := event.size.width < WIDE):
            self.compact = compact  # (which fits the keys after the styles update)
            return
        self.fit_keys()

    def watch_compact(self, compact: bool) -> None:
        # The keys take their new padding with the next styles update: measure after it.
        self.call_after_refresh(self.fit_keys)

    def fit_keys(self) -> None:
        """Show the keys, in order, that fit whole, and hide the others."""
        width = self.size.width
        if not width:
            return
        keys = [child for child in self.children if not child.has_class("-command-palette")]
        palette = [child for child in self.children if child.has_class("-command-palette")]
        room = width - sum(_width(child, width) for child in palette)
        for child in palette:
            child.display = room >= 0  # whole or not at all, as every other key
        for key in keys:
            need = _width(key, width)
            # (its blank end may run under the palette's key: it is only space)
            fits = need - _blank_end(key) <= room
            key.display = fits
            room = max(room - need, 0) if fits else 0  # later keys stay hidden: order matters


def _width(widget: Widget, row: int) -> int:
    """The cells `widget` takes in a row `row` cells wide: its text, padding, border, margin."""
    widget.clear_cached_dimensions()  # (cached by row width: compact keys are narrower)
    content = widget.get_content_width(Size(row, 1), Size(row, 1))
    return content + widget.styles.gutter.width + widget.styles.margin.width


def _blank_end(widget: Widget) -> int:
    """The blank cells at the right end of `widget`: its right margin, and the space after its
    description (Textual pads it when not compact)."""
    text = str(widget.render())
    return widget.styles.margin.right + len(text) - len(text.rstrip(" "))
