"""The reusable pane: a filter box over a list of rows (used for both accounts and roles).

Typing filters; Up/Down/PageUp/PageDown move the cursor while the box keeps focus; Enter (and
Tab, when asked to) chooses. Its messages carry the item itself, never an index.

A keystroke is one screen update: each part repaints only when what it shows changed, and
what follows the highlighted item (`on_highlighted`) is told at once, not a message later.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Self, TypeVar

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult, RenderResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.geometry import Region
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input

from tui.app.matching import Row
from tui.app.textual_private import show_key
from tui.app.widgets.in_order_input import InOrderInput
from tui.app.widgets.row_list import RowList

T = TypeVar("T")


class FilterInput(InOrderInput):
    """The filter box: an Input whose edits repaint it instead of laying out the screen.

    The list follows each edit at once (not a message later), so a key right after it (Down,
    Tab, Enter) acts on the rows that match what is typed, however fast keys arrive.
    """

    _value_changing = False

    def __init__(
        self,
        *,
        on_query: Callable[[str], None],
        on_enter: Callable[[], None],
        can_choose: Callable[[], bool],
        placeholder: str,
    ) -> None:
        # (A one-line box never scrolls: up, down and the page keys are the list's.)
        super().__init__(placeholder=placeholder, compact=True, select_on_focus=False)
        self._follow_query = on_query
        self._choose_highlighted = on_enter
        self._can_choose = can_choose

    BINDING_GROUP_TITLE = "Filter box"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit":  # Enter is in the footer only while there is a row to choose
            return self._can_choose()
        return super().check_action(action, parameters)

    async def action_submit(self) -> None:
        self._choose_highlighted()

    def check_consume_key(self, key: str, character: str | None) -> bool:
        # "?" shows the keys (names, ids and e-mails have none), so it is not typed here.
        return character != "?" and super().check_consume_key(key, character)

    def _watch_value(self, value: str) -> None:  # private Textual API: see textual_private.py
        # Input resizes its scroll canvas (`virtual_size`) on every edit, which lays out the
        # whole screen: half the cost of a keystroke with two panes. This box has a fixed size,
        # so while Input handles the edit, a layout request is only a repaint.
        self._value_changing = True
        try:
            super()._watch_value(value)
        finally:
            self._value_changing = False
        self._follow_query(value)

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        if self._value_changing:
            layout = False
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)


class MatchCount(Widget):
    """ "12/340" beside the filter box: a fixed-size cell, so a new count is only a repaint.

    In a narrow pane it takes at most half the line, so what is typed stays readable, and
    says only how many match when "12/340" does not fit.
    """

    DEFAULT_CSS = """
    MatchCount {
        width: 13;
        max-width: 50%;
        height: 1;
        color: $text-muted;
        text-align: right;
        padding: 0 1 0 0;
    }
    """

    text = ""

    matches = ""

    def show(self, shown: int, total: int, filtering: bool) -> None:
        """Show how many rows match (when filtering) or how many there are."""
        text = f"{shown}/{total}" if filtering else f"{total}"
        if text != self.text:
            self.text, self.matches = text, f"{shown}"
            self.refresh()

    def render(self) -> RenderResult:
        width = self.content_size.width
        text = self.matches if width and cell_len(self.text) > width else self.text
        return Text(text, no_wrap=True)


class Caption(Widget):
    """One line under the filter box saying what the list is of (fixed size: a repaint).

    When it is too long, the text is cut with an ellipsis and the tail (an account id) stays.
    """

    DEFAULT_CSS = """
    Caption {
        height: 1;
        color: $text-muted;
        text-style: italic;
        padding: 0 1;
        text-wrap: nowrap; text-overflow: ellipsis;
        display: none;
        &.-shown { display: block; }
    }
    """

    text = ""
    tail = ""

    def show(self, text: str, tail: str = "") -> None:
        """Show `text`, then `tail` (hidden while both are empty)."""
        if (text, tail) != (self.text, self.tail):
            self.text, self.tail = text, tail
            self.set_class(bool(text or tail), "-shown")
            self.refresh()

    def render(self) -> RenderResult:
        width = self.content_size.width
        text, tail = self.text, self.tail
        if width and cell_len(text + tail) > width and cell_len(tail) < width - 1:
            text = set_cell_size(text, width - cell_len(tail) - 1) + "…"
        return Text(text + tail, no_wrap=True, overflow="ellipsis")


class FilterList(Vertical, Generic[T]):
    """A titled pane: an Input that filters the RowList under it."""

    BINDING_GROUP_TITLE = "In the list"
    DEFAULT_CSS = """
    FilterList {
        border: round $panel-lighten-2;
        border-title-color: $text-muted;
        border-subtitle-color: $text-muted;
        height: 1fr;
        padding: 0 0;
        &:focus-within { border: round $accent; border-title-color: $text; }
        & > .filter-line { height: 1; background: $surface; }
        & > .filter-line > FilterInput { width: 1fr; }
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
        enter_label: str = "",
        tab_label: str = "",
        on_highlighted: Callable[[T | None], None] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """`on_highlighted` is called with the item under the cursor as soon as it changes.

        Use it for what must change together with the list (on the same screen update);
        the `Highlighted` message follows either way. `enter_label` and `tab_label` are what
        the footer says Enter and Tab do in this pane (not shown when empty).
        """
        super().__init__(id=id, classes=classes)
        self._on_highlighted = on_highlighted
        self._had_item = False
        self.border_title = title
        self._input_placeholder = placeholder
        self._empty = empty
        self._tab_chooses = tab_chooses
        self._enter_label = enter_label
        # Enter and Tab doing the same is said once: "⏎/tab Roles".
        self._enter_display = "⏎/tab" if tab_chooses and tab_label == enter_label else None
        if tab_label:
            show_key(self, "tab", tab_label, show=self._enter_display is None)

    def compose(self) -> ComposeResult:
        with Horizontal(classes="filter-line"):
            box = FilterInput(
                on_query=self._query_changed,
                on_enter=self.choose,
                can_choose=lambda: self.highlighted_item is not None,
                placeholder=self._input_placeholder,
            )
            if self._enter_label:
                show_key(box, "enter", self._enter_label, key_display=self._enter_display)
            yield box
            yield MatchCount()
        yield Caption()
        rows: RowList[T] = RowList(placeholder=self._empty, on_cursor_moved=self._cursor_moved)
        yield rows

    # -- public API ---------------------------------------------------------------------------

    @property
    def filter_input(self) -> FilterInput:
        """The filter box."""
        return self.query_one(FilterInput)

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
    def caption_text(self) -> str:
        """The line under the filter box ("" when hidden), uncut."""
        caption = self.query_one(Caption)
        return caption.text + caption.tail

    @property
    def count_text(self) -> str:
        """What the match count beside the filter box says ("12/340", or "340")."""
        return self.query_one(MatchCount).text

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

    def set_title(self, title: str) -> None:
        """The pane's title (on its border: use `set_caption` for what changes as you type)."""
        self.border_title = title

    def set_caption(self, text: str, tail: str = "") -> None:
        """A line under the filter box (hidden when empty); cheap to change on every key.

        When it does not fit, `text` is cut and `tail` stays whole."""
        self.query_one(Caption).show(text, tail)

    def focus_filter(self) -> None:
        """Put the keyboard in the filter box."""
        self.filter_input.focus()

    def clear_filter(self) -> None:
        """Empty the filter box (shows every row)."""
        self.filter_input.value = ""

    def highlight(self, wanted: Callable[[T], bool]) -> bool:
        """Move the highlight to the first listed item that is `wanted`; False if none."""
        return self.row_list.move_to(wanted)

    def keep_highlight(self) -> None:
        """Keep the highlight on its item when the rows change, until the next edit of the
        filter (otherwise it stays on the first row while rows stream in)."""
        self.row_list.hold_cursor()

    # -- events -------------------------------------------------------------------------------

    def _query_changed(self, query: str) -> None:
        if self.is_mounted:
            self.row_list.set_query(query)
            self._update_counts()

    @on(Input.Changed)
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()  # the list followed the edit already (_query_changed)

    def _cursor_moved(self) -> None:
        item = self.highlighted_item
        if self._on_highlighted is not None:
            self._on_highlighted(item)
        if (item is not None) != self._had_item:
            # The keys that act on a row (Enter here, the screen's own) come and go from the
            # footer; only then, as a footer rebuild costs a keystroke's time.
            self._had_item = item is not None
            self.refresh_bindings()
        self.post_message(self.Highlighted(self, item))

    @on(RowList.Clicked)
    def _clicked(self, event: RowList.Clicked) -> None:
        event.stop()
        self.choose()

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
            self.choose()
        else:
            self.screen.focus_next()

    def choose(self) -> None:
        """Choose the highlighted item (what Enter does): post `Chosen` if there is one."""
        item = self.highlighted_item
        if item is not None:
            self.keep_highlight()
            self.filter_input.hold_keys()  # keys typed after it go where the choice leads
            self.post_message(self.Chosen(self, item))

    def _update_counts(self) -> None:
        rows = self.row_list
        total = rows.row_count
        shown = rows.match_count
        self.query_one(MatchCount).show(shown, total, bool(self.query_text.strip()))
