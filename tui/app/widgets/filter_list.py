"""The reusable pane: a filter box over a list of rows (used for both accounts and roles).

Typing filters; Up/Down/PageUp/PageDown move the cursor while the box keeps focus; Enter (and
Tab, when asked to) chooses. Its messages carry the item itself, never an index.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input

from tui.app.matching import Row
from tui.app.widgets.row_list import RowList

T = TypeVar("T")


class FilterList(Vertical, Generic[T]):
    """A titled pane: an Input that filters the RowList under it."""

    DEFAULT_CSS = """
    FilterList {
        border: round $panel-lighten-2;
        border-title-color: $text-muted;
        border-subtitle-color: $text-muted;
        height: 1fr;
        padding: 0 0;
        &:focus-within { border: round $accent; border-title-color: $text; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("ctrl+home", "end(0)", "First", show=False),
        Binding("ctrl+end", "end(1)", "Last", show=False),
        Binding("tab", "tab", "Choose", show=False),
    ]

    @dataclass
    class Highlighted(Message):
        """The cursor moved to another item (None when nothing matches)."""

        filter_list: FilterList[Any]
        item: object | None

        @property
        def control(self) -> FilterList[Any]:
            """The pane the message came from."""
            return self.filter_list

    @dataclass
    class Chosen(Message):
        """The user chose an item (Enter, Tab when enabled, or a click on the cursor row)."""

        filter_list: FilterList[Any]
        item: object

        @property
        def control(self) -> FilterList[Any]:
            """The pane the message came from."""
            return self.filter_list

    def __init__(
        self,
        *,
        title: str,
        placeholder: str = "type to filter",
        empty: str = "",
        tab_chooses: bool = False,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.border_title = title
        self._input_placeholder = placeholder
        self._empty = empty
        self._tab_chooses = tab_chooses

    def compose(self) -> ComposeResult:
        yield Input(placeholder=self._input_placeholder, compact=True, select_on_focus=False)
        rows: RowList[T] = RowList(placeholder=self._empty)
        yield rows

    # -- public API ---------------------------------------------------------------------------

    @property
    def filter_input(self) -> Input:
        """The filter box."""
        return self.query_one(Input)

    @property
    def row_list(self) -> RowList[T]:
        """The list under the box."""
        rows: RowList[T] = self.query_one(RowList)
        return rows

    @property
    def highlighted_item(self) -> T | None:
        """The item under the cursor, if any."""
        row = self.row_list.cursor_row
        return None if row is None else row.value

    @property
    def query_text(self) -> str:
        """What is typed in the filter box."""
        return self.filter_input.value

    def set_rows(
        self, rows: Sequence[Row[T]], *, same: Callable[[T, T], bool] | None = None
    ) -> None:
        """Show new rows; the filter and the cursor item are kept."""
        self.row_list.set_rows(rows, same=same)
        self._update_counts()

    def set_empty_text(self, text: str) -> None:
        """What the list says when it has nothing to show."""
        self.row_list.placeholder = text
        self.row_list.refresh()

    def set_title(self, title: str) -> None:
        """The pane's title."""
        self.border_title = title

    def focus_filter(self) -> None:
        """Put the keyboard in the filter box."""
        self.filter_input.focus()

    def clear_filter(self) -> None:
        """Empty the filter box (shows every row)."""
        self.filter_input.value = ""

    # -- events -------------------------------------------------------------------------------

    @on(Input.Changed)
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.row_list.set_query(event.value)
        self._update_counts()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._choose()

    @on(RowList.CursorMoved)
    def _cursor_moved(self, event: RowList.CursorMoved) -> None:
        event.stop()
        self.post_message(self.Highlighted(self, self.highlighted_item))

    @on(RowList.Clicked)
    def _clicked(self, event: RowList.Clicked) -> None:
        event.stop()
        self._choose()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self.row_list.add_class("-active")

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        self.row_list.remove_class("-active")

    def on_click(self, event: events.Click) -> None:
        self.focus_filter()

    # -- actions ------------------------------------------------------------------------------

    def action_cursor(self, delta: int) -> None:
        self.row_list.move_cursor(delta)

    def action_page(self, direction: int) -> None:
        self.row_list.move_page(direction)

    def action_end(self, last: int) -> None:
        self.row_list.move_to_end(bool(last))

    def action_tab(self) -> None:
        if self._tab_chooses:
            self._choose()
        else:
            self.screen.focus_next()

    def _choose(self) -> None:
        item = self.highlighted_item
        if item is not None:
            self.post_message(self.Chosen(self, item))

    def _update_counts(self) -> None:
        rows = self.row_list
        total = rows.row_count
        shown = rows.match_count
        self.border_subtitle = f"{shown}/{total}" if self.query_text.strip() else f"{total}"
