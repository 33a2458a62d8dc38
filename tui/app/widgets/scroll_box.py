"""A box of lines that scrolls with the keys (↑/↓, PageUp/PageDown, Home/End) only where it
does not fit the terminal: otherwise it takes no focus, and the screen's keys are all there is
(the login screen, the action menu)."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll


class ScrollBox(VerticalScroll, inherit_bindings=False):
    """Call `fit` once its lines are laid out (after a resize, a change of its lines)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "scroll_up", "Scroll up", show=False),
        Binding("down", "scroll_down", "Scroll down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "scroll_home", "Scroll to the top", show=False),
        Binding("end", "scroll_end", "Scroll to the end", show=False),
    ]
    can_focus = False

    @property
    def overflows(self) -> bool:
        """Its lines do not all fit: some are below (or above) its edge."""
        return self.max_scroll_y > 0

    def fit(self) -> None:
        """Take the keys (focus) when its lines do not all fit, give them up when they do."""
        self.can_focus = self.overflows
        if self.can_focus:
            if not self.has_focus:
                self.focus()
        elif self.has_focus:
            self.blur()
