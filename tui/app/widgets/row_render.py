"""Drawing one list row as a Strip: column layout, truncation and match highlighting.

Kept apart from the widget so the benchmark can time it without a running App.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from tui.app.matching import Row, match_spans

MARK_WIDTH = 2  # a marker character and a space before every row
GAP = 2
MIN_COLUMN = 10


@dataclass(frozen=True)
class RowStyles:
    """The Rich styles a row is drawn with (taken from the widget's component classes)."""

    base: Style
    cursor: Style
    secondary: Style
    match: Style
    dim: Style
    marks: dict[str, Style]


def column_widths(maxima: Sequence[int], width: int) -> list[int]:
    """How wide each shown column is for a list `width` cells wide; later columns drop first.

    The first column is always shown; it gives up room (down to a minimum) so the others fit.
    """
    avail = max(0, width - MARK_WIDTH)
    if not maxima:
        return []
    rest = sum(m + GAP for m in maxima[1:])
    first = min(maxima[0], max(min(maxima[0], 24), avail - rest), avail)
    widths = [max(first, 0)]
    remaining = avail - widths[0]
    for most in maxima[1:]:
        need = min(most, MIN_COLUMN) + GAP
        if remaining < need:
            break
        shown = min(most, remaining - GAP)
        widths.append(shown)
        remaining -= shown + GAP
    return widths


def _cell(text: str, width: int) -> str:
    """`text` cut or padded to exactly `width` cells; a cut is shown with an ellipsis."""
    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    return set_cell_size(text, max(width - 1, 0)) + "…" if width else ""


def _segments(
    text: str, width: int, style: Style, match: Style, tokens: Sequence[str], fuzzy: bool
) -> list[Segment]:
    shown = _cell(text, width)
    spans = match_spans(shown, tokens, fuzzy=fuzzy) if tokens else []
    if not spans:
        return [Segment(shown, style)]
    out: list[Segment] = []
    pos = 0
    matched = style + match
    for start, end in spans:
        if start > pos:
            out.append(Segment(shown[pos:start], style))
        out.append(Segment(shown[start:end], matched))
        pos = end
    if pos < len(shown):
        out.append(Segment(shown[pos:], style))
    return out


def render_row(
    row: Row[object],
    *,
    widths: Sequence[int],
    width: int,
    tokens: Sequence[str],
    styles: RowStyles,
    cursor: bool,
    fuzzy: bool = False,
) -> Strip:
    """One row as a Strip exactly `width` cells wide (`fuzzy`: the tokens matched as
    subsequences, so their characters are highlighted one by one)."""
    base = styles.cursor if cursor else styles.base
    if row.dim:
        base = base + styles.dim
    segments: list[Segment] = []
    mark_style = base + styles.marks[row.mark_kind] if row.mark_kind in styles.marks else base
    segments.append(Segment(_cell(row.mark, 1) + " ", mark_style))
    used = MARK_WIDTH
    for k, column_width in enumerate(widths):
        if used + column_width + (GAP if k else 0) > width:
            break
        if k:
            segments.append(Segment(" " * GAP, base))
            used += GAP
        style = base if k == 0 else base + styles.secondary
        text = row.columns[k] if k < len(row.columns) else ""
        # A subsequence counts in the name only (see matching.py).
        segments.extend(
            _segments(text, column_width, style, styles.match, tokens, fuzzy and k == 0)
        )
        used += column_width
    if used < width:
        segments.append(Segment(" " * (width - used), base))
        used = width
    if used > width:  # narrower than the mark itself
        return Strip(segments).crop(0, width)
    return Strip(segments, width)
