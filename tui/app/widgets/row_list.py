"""A list that draws only the rows on screen, so 10,000 rows filter and scroll without stutter.

A Line API widget (ScrollView): the matcher produces the ordered indices of matching rows and
`render_line` draws just the visible ones, and a change repaints only the lines whose content
changed. It never takes focus; the filter box above it keeps the keyboard and drives the cursor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import zip_longest
from typing import ClassVar, Generic, TypeAlias, TypeVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.app.matching import Matcher, Row, query_tokens
from tui.app.widgets.row_render import RowStyles, column_widths, render_row

T = TypeVar("T")

MARK_KINDS = (
    "favourite",
    "recent",
    "failed",
    "refused",
    "incomplete",
    "new",
    "gone",
    "loading",
)
_MAX_COLUMN = 48

# What decides how a line looks (not which value it stands for), so two rows that look the
# same, like one role name in two accounts, need no repaint.
LineLook: TypeAlias = tuple[object, ...]


class RowList(ScrollView, Generic[T], can_focus=False):
    """The rows matching the current query, best first, with a cursor."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "row-list--cursor",
        "row-list--secondary",
        "row-list--match",
        "row-list--dim",
        "row-list--placeholder",
        *(f"row-list--mark-{kind}" for kind in MARK_KINDS),
    }

    DEFAULT_CSS = """
    RowList {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        & > .row-list--cursor { background: $surface-lighten-1; }
        &.-active > .row-list--cursor { background: $accent 40%; text-style: bold; }
        & > .row-list--secondary { color: $text-muted; }
        & > .row-list--match { color: $warning; text-style: bold underline; }
        & > .row-list--dim { color: $text-disabled; }
        & > .row-list--placeholder { color: $text-muted; text-style: italic; }
        & > .row-list--mark-favourite { color: $warning; }
        & > .row-list--mark-recent { color: $secondary; }
        & > .row-list--mark-failed { color: $error; text-style: bold; }
        & > .row-list--mark-refused { color: $warning; }
        & > .row-list--mark-incomplete { color: $warning; }
        & > .row-list--mark-new { color: $success; text-style: bold; }
        & > .row-list--mark-gone { color: $error; }
        & > .row-list--mark-loading { color: $text-muted; }
    }
    """

    class Clicked(Message):
        """A row was clicked where the cursor already was."""

    def __init__(
        self,
        *,
        placeholder: str = "",
        on_cursor_moved: Callable[[], None] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """`on_cursor_moved` is called at once when the cursor lands on another row (or none).

        A call rather than a message: what follows the cursor (the roles of the highlighted
        account) changes in the same screen update as the list, not in a second one.
        """
        super().__init__(id=id, classes=classes)
        self._placeholder = placeholder
        self._on_cursor_moved = on_cursor_moved
        self._rows: Sequence[Row[T]] = ()
        self._matcher: Matcher[T] = Matcher(())
        self._matches: list[int] = []
        self._query = ""
        self._tokens: tuple[str, ...] = ()
        self._maxima: list[int] = []
        self._widths: list[int] = []
        self._widths_for = (-1, -1)  # (list width, columns) the widths were computed for
        self._cursor = 0
        # The cursor stays on the first row while rows stream in, until the user moves it.
        self._cursor_held = False
        self._styles: RowStyles | None = None
        self._drawn: dict[int, LineLook] = {}  # screen line -> how it was last drawn
        self._wrapped: tuple[tuple[str, int], tuple[str, ...]] = (("", 0), ())
        self._drawing: tuple[int, int] | None = None  # (width, top) while lines are drawn

    @property
    def placeholder(self) -> str:
        """What the list says when nothing matches (word-wrapped to the list's width)."""
        return self._placeholder

    @placeholder.setter
    def placeholder(self, text: str) -> None:
        if text != self._placeholder:
            self._placeholder = text
            self._refresh_changed_lines()

    def _placeholder_lines(self, width: int) -> tuple[str, ...]:
        """The placeholder as drawn in a list `width` cells wide: its lines wrapped between
        words, a cell of margin each side (a failure's whole reason, and the key after it)."""
        if self._wrapped[0] != (self._placeholder, width):
            text = Text(self._placeholder)
            lines = text.wrap(self.app.console, max(1, width - 2)) if self._placeholder else ()
            self._wrapped = (
                (self._placeholder, width),
                tuple(line.plain.rstrip() for line in lines),
            )
        return self._wrapped[1]

    # -- data -------------------------------------------------------------------------------

    @property
    def match_count(self) -> int:
        """How many rows match the current query."""
        return len(self._matches)

    @property
    def row_count(self) -> int:
        """How many rows there are in all."""
        return len(self._rows)

    @property
    def cursor_row(self) -> Row[T] | None:
        """The row under the cursor, or None when nothing matches."""
        if not self._matches:
            return None
        return self._rows[self._matches[self._cursor]]

    def visible_rows(self) -> list[Row[T]]:
        """The matching rows in order (for tests and screenshots; not used per keystroke)."""
        return [self._rows[i] for i in self._matches]

    def set_rows(
        self, rows: Sequence[Row[T]], *, same: Callable[[T, T], bool] | None = None
    ) -> None:
        """Replace the rows, keeping the query; the cursor stays on the first row until the
        user moves it (or `hold_cursor` is called), then on the same value when present."""
        before = self.cursor_row
        self._rows = rows
        self._matcher = Matcher(rows)
        self._maxima = _column_maxima(rows)
        self._widths_for = (-1, -1)
        self._matches = self._matcher.filter(self._query)
        cursor = 0
        if before is not None and self._cursor_held:
            equal = same or (lambda a, b: a == b)
            for position, index in enumerate(self._matches):
                if equal(rows[index].value, before.value):
                    cursor = position
                    break
        self._place_cursor(cursor, before, force_message=before is None)

    def set_query(self, query: str) -> None:
        """Filter the rows by `query`; the cursor goes to the best match."""
        before = self.cursor_row
        self._query = query
        self._tokens = query_tokens(query)
        self._matches = self._matcher.filter(query)
        self._cursor_held = False
        self._place_cursor(0, before, force_message=True)
        self.scroll_to(y=0, animate=False)

    # -- cursor -----------------------------------------------------------------------------

    def hold_cursor(self) -> None:
        """Keep the cursor on the row it is on when the rows change (until the next query)."""
        self._cursor_held = True

    def move_cursor(self, delta: int) -> None:
        """Move the cursor by `delta` rows, stopping at either end."""
        self._set_cursor(self._cursor + delta)

    def move_to(self, wanted: Callable[[T], bool]) -> bool:
        """Move the cursor to the first listed row whose value is `wanted`; False if none."""
        for position, index in enumerate(self._matches):
            if wanted(self._rows[index].value):
                self._set_cursor(position)
                return True
        return False

    def move_page(self, direction: int) -> None:
        """Move the cursor one screenful up (-1) or down (1)."""
        self.move_cursor(direction * max(1, self.scrollable_content_region.height - 1))

    def move_to_end(self, last: bool) -> None:
        """Move the cursor to the first or last row."""
        self._set_cursor(len(self._matches) - 1 if last else 0)

    def _set_cursor(self, cursor: int, *, force_message: bool = False) -> None:
        self._cursor_held = True  # the user moved it: it follows its row from now on
        self._place_cursor(cursor, self.cursor_row, force_message=force_message)

    def _place_cursor(
        self, cursor: int, before: Row[T] | None, *, force_message: bool = False
    ) -> None:
        """Put the cursor at `cursor` (clamped); `before` is the row it was on (for the message).

        After the rows or the matches changed, the old cursor position may point past the end,
        so the caller says which row it was on before changing them.
        """
        self._cursor = max(0, min(cursor, len(self._matches) - 1))
        self._update_virtual_size()
        self._scroll_cursor_into_view()
        self._refresh_changed_lines()
        after = self.cursor_row
        if (force_message or before is not after) and self._on_cursor_moved is not None:
            self._on_cursor_moved()

    def _scroll_cursor_into_view(self) -> None:
        if not self._matches:
            return
        width = self.scrollable_content_region.width
        self.scroll_to_region(
            Region(0, self._cursor, max(width, 1), 1), animate=False, force=True, immediate=True
        )

    # -- drawing ----------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        self._styles = None
        super().notify_style_update()

    def _on_resize(self, event: events.Resize) -> None:
        self._update_virtual_size()
        self._scroll_cursor_into_view()
        self.refresh()

    def _update_virtual_size(self) -> None:
        size = Size(self.scrollable_content_region.width, len(self._matches))
        if size == self.virtual_size:
            return
        # Assigning `virtual_size` lays out the whole screen (~20 ms); a list only needs its
        # scrollbar updated, as ScrollView itself does on resize.
        self.set_reactive(RowList.virtual_size, size)
        self._scroll_update(size)

    def _row_styles(self) -> RowStyles:
        if self._styles is None:
            get = self.get_component_rich_style
            self._styles = RowStyles(
                base=self.rich_style,
                cursor=get("row-list--cursor"),
                secondary=get("row-list--secondary", partial=True),
                match=get("row-list--match", partial=True),
                dim=get("row-list--dim", partial=True),
                marks={k: get(f"row-list--mark-{k}", partial=True) for k in MARK_KINDS},
            )
        return self._styles

    def _column_widths(self, width: int) -> list[int]:
        if self._widths_for != (width, len(self._maxima)):
            self._widths = column_widths(self._maxima, width)
            self._widths_for = (width, len(self._maxima))
        return self._widths

    def _line_look(self, y: int, top: int, width: int) -> LineLook:
        """What screen line `y` shows now (scrolled to `top`), as far as its drawing goes."""
        position = top + y
        if not self._matches:
            lines = self._placeholder_lines(width)
            return ("placeholder", lines[y], width) if y < len(lines) else ()
        if position >= len(self._matches):
            return ()
        row = self._rows[self._matches[position]]
        cursor = position == self._cursor
        widths = self._column_widths(width)
        fuzzy = self._matcher.fuzzy
        look = (row.columns, row.mark, row.mark_kind, row.dim, cursor, self._tokens, fuzzy)
        return (*look, widths, width)

    def _refresh_changed_lines(self) -> None:
        """Repaint the lines on screen whose content changed since they were drawn.

        A whole-widget refresh redraws every line, blank ones included, and each costs as
        much in Textual's compositing as in drawing; most keys change a few lines of a pane.
        """
        if not self.is_mounted:
            self.refresh()
            return
        region = self.scrollable_content_region
        width, top, look, drawn = region.width, self.scroll_offset.y, self._line_look, self._drawn
        changed = [y for y in range(region.height) if drawn.get(y) != look(y, top, width)]
        if not changed:
            return
        # One region from the first changed line to the last: fewer, larger updates.
        first, last = changed[0], changed[-1]
        self.refresh(Region(0, first, max(self.size.width, 1), last - first + 1))

    def render_lines(self, crop: Region) -> list[Strip]:
        # The lines drawn in one pass share the width and scroll position: Textual works
        # each out anew when asked (a third of the cost of drawing a row), so ask once.
        self._drawing = (self.scrollable_content_region.width, self.scroll_offset.y)
        try:
            return super().render_lines(crop)
        finally:
            self._drawing = None

    def render_line(self, y: int) -> Strip:
        width, top = self._drawing or (self.scrollable_content_region.width, self.scroll_offset.y)
        styles = self._row_styles()
        position = top + y
        self._drawn[y] = self._line_look(y, top, width)
        if not self._matches:
            lines = self._placeholder_lines(width)
            if y < len(lines):
                style = self.get_component_rich_style("row-list--placeholder")
                text = " " + lines[y]
                return Strip([Segment(text, style)], cell_len(text)).adjust_cell_length(
                    width, styles.base
                )
            return Strip.blank(width, styles.base)
        if position >= len(self._matches):
            return Strip.blank(width, styles.base)
        row = self._rows[self._matches[position]]
        strip = render_row(
            row,  # type: ignore[arg-type]  # Row is read-only, so covariant in practice
            widths=self._column_widths(width),
            width=width,
            tokens=self._tokens,
            styles=styles,
            cursor=position == self._cursor,
            fuzzy=self._matcher.fuzzy,
        )
        return strip

    # -- mouse ------------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        position = self.scroll_offset.y + offset.y
        if position >= len(self._matches):
            return
        if position == self._cursor:
            self.post_message(self.Clicked())
        else:
            self._set_cursor(position)


def _column_maxima(rows: Sequence[Row[object]] | Sequence[Row[T]]) -> list[int]:
    """The widest cell of each column (capped), for the column layout."""
    # Column by column, in C (a row short of columns counts as empty there): cell by cell in
    # Python was ~8 ms of the first picture of 10,000 accounts.
    columns = zip_longest(*(row.columns for row in rows), fillvalue="")
    return [min(max(map(len, column)), _MAX_COLUMN) for column in columns]


def offscreen_styles() -> RowStyles:
    """Plain styles to draw rows without an App (benchmark)."""
    return RowStyles(
        base=Style(color="white"),
        cursor=Style(bgcolor="blue", bold=True),
        secondary=Style(dim=True),
        match=Style(bold=True, underline=True),
        dim=Style(dim=True),
        marks={kind: Style(color="yellow") for kind in MARK_KINDS},
    )


def render_rows_offscreen(
    rows: Sequence[Row[str]], *, width: int, height: int
) -> Callable[[str], list[Strip]]:
    """A step for the benchmark: filter by a query, then draw the first `height` matches."""
    matcher = Matcher(rows)
    maxima = _column_maxima(rows)
    styles = offscreen_styles()

    def step(query: str) -> list[Strip]:
        matches = matcher.filter(query)
        fuzzy = matcher.fuzzy
        tokens = query_tokens(query)
        widths = column_widths(maxima, width)
        return [
            render_row(
                rows[i],  # type: ignore[arg-type]
                widths=widths,
                width=width,
                tokens=tokens,
                styles=styles,
                cursor=n == 0,
                fuzzy=fuzzy,
            )
            for n, i in enumerate(matches[:height])
        ]

    return step
