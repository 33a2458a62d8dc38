"""Names from the service made safe to draw: the picker's one call to the shared cleaner.

Account and role names and e-mails come from Identity Center and may hold anything, escape
sequences included. Everything of theirs the picker draws (rows, captions, titles, toasts,
palette entries) goes through `shown`, which is `tui.text.printable` (the command line uses
the same). Where a name is one part of a sentence (a toast, a palette entry) it goes through
`shown_name`, which also keeps a name of 10 kB from filling the screen with itself.
"""

from __future__ import annotations

from rich.cells import cell_len, get_character_cell_size

from tui.text import printable

NAME_CELLS = 64  # a name in a sentence is shown whole up to this, else by its two ends
TOAST_CELLS = 600  # a toast says at most this much: about ten lines of its width


def shown(text: str) -> str:
    """`text` with control characters (C0, DEL, C1), bidi overrides and line separators made
    visible or replaced, as on the command line."""
    return printable(text)


def shown_name(text: str, most: int = NAME_CELLS) -> str:
    """`shown(text)`, and when it is wider than `most` cells its beginning and its end with
    "…" between ("huge-AAAA…AAAA.Admin"): what a toast or a palette entry says about the name
    still shows beside it."""
    return ends(shown(text), most)


def ends(text: str, most: int) -> str:
    """`text` (already safe to draw) when it fits in `most` cells, else its first two thirds
    and last third of that, "…" between; never a character cut in half."""
    if cell_len(text) <= most:
        return text
    room = most - 1
    head_room, tail_room = room - room // 3, room // 3
    head, used = [], 0
    for char in text:
        size = get_character_cell_size(char)
        if used + size > head_room:
            break
        head.append(char)
        used += size
    tail: list[str] = []
    used = 0
    for char in reversed(text):
        size = get_character_cell_size(char)
        if used + size > tail_room:
            break
        tail.append(char)
        used += size
    return "".join(head) + "…" + "".join(reversed(tail))
