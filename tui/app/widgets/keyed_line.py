"""A line that says what a key does: the key, then its text. When the text does not fit, it goes
on under itself, not back under the key (the keys screen, the action menu)."""

from __future__ import annotations

from collections.abc import Iterator

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

MIN_ROOM = 12  # cells beside the key below which the text wraps under it after all


class KeyedLine:
    """`head` (the key, padded as the caller likes), then `text` wrapped beside it."""

    def __init__(self, head: Text, text: Text) -> None:
        self.head = head
        self.text = text

    def __str__(self) -> str:
        return self.head.plain + self.text.plain

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from beside(self.head, self.text, console, options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        head = self.head.cell_len
        return Measurement(head + 1, head + self.text.cell_len).with_maximum(options.max_width)


def beside(head: Text, text: Text, console: Console, width: int) -> Iterator[Text]:
    """`head`, then `text` wrapped in the room left beside it (under `head`'s end)."""
    room = width - head.cell_len
    if room < MIN_ROOM:  # too narrow for a column: the lines wrap as they come
        yield head + text
        return
    for n, line in enumerate(text.wrap(console, room)):
        yield (head if n == 0 else Text(" " * head.cell_len)) + line
