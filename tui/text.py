"""Service strings made safe to show on a terminal, and their width in terminal cells.

Account names, role names and emails come from the service and may hold anything: an escape
sequence that retitles the window or writes the clipboard (OSC 52), a line break that fakes a
row, a bidi override that shows text in another order than it is stored. `printable` replaces
every such character with a visible stand-in; `cell_width` and `pad` measure and align what is
shown by terminal cells (CJK characters take two). `--json` output keeps the exact values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final, Literal

REPLACEMENT: Final = "\ufffd"  # the one-cell "cannot show this character" glyph
_PICTURES: Final = 0x2400  # Unicode's Control Pictures: U+2400 + code for C0 (␀ … ␟)
_DEL_PICTURE: Final = "\u2421"  # ␡

# C0 and DEL, C1, the Arabic letter mark, LRM/RLM, the line and paragraph separators, the bidi
# embeddings/overrides (LRE RLE PDF LRO RLO) and isolates (LRI RLI FSI PDI), lone surrogates
# (a JSON "\ud800" that no terminal encoding can write), the Hangul fillers (U+115F,
# U+1160, U+3164, U+FFA0): blank to the eye, so a name of them looks empty, and 0 cells to Rich
# but 1 or 2 to terminals (wcwidth, tmux), so a row holding one runs past its pane; and the
# noncharacters (U+FDD0-U+FDEF, the last two of every plane: never text), 1 cell to Rich and
# none to tmux, so a row holding one falls short of its pane. The patterns
# of this module are compiled on first use (`re` keeps them): ~1 ms each, and most commands
# never need them.
_NONCHARACTERS: Final = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
_UNSAFE: Final = (
    "[\x00-\x1f\x7f-\x9f\u061c\u115f\u1160\u200e\u200f\u2028-\u202e\u2066-\u2069\u3164"
    f"\uffa0\ud800-\udfff{_NONCHARACTERS}]"
)

_PRINTABLE_UNSAFE: Final = ("\u115f", "\u1160", "\u3164", "\uffa0")  # the Hangul fillers
_FIRST_OTHER_WIDTH: Final = "\u0300"  # the first combining mark (0 cells)


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code < 0x20:
        return chr(_PICTURES + code)
    if code == 0x7F:
        return _DEL_PICTURE
    return REPLACEMENT


def printable(text: str) -> str:
    """`text` with control characters replaced, safe to write to a terminal on one line.

    C0 controls and DEL become their Control Pictures (ESC shows as ␛, a line feed as ␊, NUL as
    ␀); C1 controls, bidi overrides and isolates, line and paragraph separators, lone
    surrogates, the invisible Hangul fillers and noncharacters become U+FFFD (�). Every
    stand-in is one cell wide. Other text, unicode letters and emoji included, is kept; the
    result of `printable` is printable again unchanged.
    """
    # Of the unsafe characters only the Hangul fillers are printable to Python: printable text
    # without them (nearly every name, in any script) is kept without the pattern, which a
    # `list` would otherwise compile (~1 ms) after its last answer, for the first "Kraków".
    if text.isprintable() and (
        text.isascii() or not any(filler in text for filler in _PRINTABLE_UNSAFE)
    ):
        return text
    if re.search(_UNSAFE, text) is None:
        return text
    return re.sub(_UNSAFE, _stand_in, text)


def _cells(shown: str) -> int:
    # What `printable` left below U+0300 (ASCII and accented Latin; no C0, DEL or C1, which it
    # replaces; no combining mark) is a cell a character, as Rich counts it: most names are,
    # and `ssotui list` then imports no Rich (~2 % of a `list --refresh`, after its last answer).
    if shown.isascii() or max(shown) < _FIRST_OTHER_WIDTH:
        return len(shown)
    # Imported here so that `printable` (which every error message goes through) costs no
    # import of Rich; `rich.cells` alone loads neither Textual nor the rest of Rich.
    from rich.cells import cell_len

    return cell_len(shown)


def cell_width(text: str) -> int:
    """How many terminal cells `printable(text)` takes (CJK and most emoji take two)."""
    return _cells(printable(text))


def pad(text: str, width: int, *, align: Literal["left", "right"] = "left") -> str:
    """`printable(text)` padded with spaces to `width` cells; a wider text is returned whole."""
    shown = printable(text)
    fill = " " * max(0, width - _cells(shown))
    return shown + fill if align == "left" else fill + shown


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` and `noun`, in the plural unless there is one: "1 session", "2 sessions",
    "1,200 accounts" (`plural`: for a noun that does not just take an "s")."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def some_of(shown: Sequence[str], most: int) -> str:
    """The first `most` of `shown` (texts already safe to print), comma-separated, and how many
    more: "a, b, c and 2 more"."""
    more = len(shown) - most
    return ", ".join(shown[:most]) + (f" and {more} more" if more > 0 else "")


# What `printable` replaces but `json.dumps(..., ensure_ascii=False)` leaves raw (it escapes
# only C0): DEL, C1 (a raw U+009B is CSI to a terminal that reads 8-bit controls), the bidi and
# separator characters, and lone surrogates.
_JSON_UNSAFE: Final = "[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"


def utf8_json(text: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`) with every character a terminal
    could obey or a UTF-8 stream cannot hold written as its `\\uXXXX` escape: DEL, C1 controls,
    bidi overrides and isolates, line separators, lone surrogates (the service may send any of
    them; `"\\ud800"` is valid JSON). Such characters can only stand inside JSON strings, so the
    values the JSON decodes to are unchanged: `list --json` keeps exact names and is still safe
    to print on a terminal."""
    # None of them is printable to Python: a printable text (most catalogs) has none, and the
    # catalog cache is written without compiling the pattern (~1 ms, after the last answer)
    if text.isprintable() or re.search(_JSON_UNSAFE, text) is None:
        return text
    return re.sub(_JSON_UNSAFE, lambda m: f"\\u{ord(m.group(0)):04x}", text)
