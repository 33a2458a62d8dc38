"""The device login's user code in large type (a 5x5 pixel font drawn with half blocks).

Textual's Digits only draws 0-9 and A-F; user codes use the whole alphabet. Characters the font
does not know are drawn as themselves in the middle row. Where the code does not fit whole (a
narrow terminal) it is not drawn at all: a code cut short would be read as another code.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import RenderResult
from textual.geometry import Size
from textual.widget import Widget

_FONT_ROWS = """
A .###. #...# #####  #...# #...#
B ####. #...# ####.  #...# ####.
C .#### #.... #....  #.... .####
D ####. #...# #...#  #...# ####.
E ##### #.... ####.  #.... #####
F ##### #.... ####.  #.... #....
G .#### #.... #.###  #...# .####
H #...# #...# #####  #...# #...#
I ##### ..#.. ..#..  ..#.. #####
J ..### ...#. ...#.  #..#. .##..
K #...# #..#. ###..  #..#. #...#
L #.... #.... #....  #.... #####
M #...# ##.## #.#.#  #...# #...#
N #...# ##..# #.#.#  #..## #...#
O .###. #...# #...#  #...# .###.
P ####. #...# ####.  #.... #....
Q .###. #...# #.#.#  #..#. .##.#
R ####. #...# ####.  #..#. #...#
S .#### #.... .###.  ....# ####.
T ##### ..#.. ..#..  ..#.. ..#..
U #...# #...# #...#  #...# .###.
V #...# #...# #...#  .#.#. ..#..
W #...# #...# #.#.#  ##.## #...#
X #...# .#.#. ..#..  .#.#. #...#
Y #...# .#.#. ..#..  ..#.. ..#..
Z ##### ...#. ..#..  .#... #####
0 .###. #..## #.#.#  ##..# .###.
1 ..#.. .##.. ..#..  ..#.. .###.
2 .###. #...# ..##.  .#... #####
3 ####. ....# .###.  ....# ####.
4 #...# #...# #####  ....# ....#
5 ##### #.... ####.  ....# ####.
6 .###. #.... ####.  #...# .###.
7 ##### ....# ...#.  ..#.. ..#..
8 .###. #...# .###.  #...# .###.
9 .###. #...# .####  ....# .###.
- ..... ..... .###.  ..... .....
"""


def _parse_font(spec: str) -> dict[str, tuple[str, ...]]:
    font: dict[str, tuple[str, ...]] = {}
    for line in spec.strip().splitlines():
        char, *rows = line.split()
        font[char] = tuple(rows)
    return font


FONT = _parse_font(_FONT_ROWS)
_HALF = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def big_lines(text: str) -> list[str]:
    """`text` as three lines of half-block characters (two pixel rows per line)."""
    lines = ["", "", ""]
    for n, char in enumerate(text.upper()):
        if n:
            for i in range(3):
                lines[i] += " "
        glyph = FONT.get(char)
        if glyph is None:
            lines[0] += " "
            lines[1] += char
            lines[2] += " "
            continue
        pixels = [[c == "#" for c in row] for row in glyph] + [[False] * 5]
        for i in range(3):
            top, bottom = pixels[2 * i], pixels[2 * i + 1]
            lines[i] += "".join(_HALF[(t, b)] for t, b in zip(top, bottom, strict=True))
    return lines


class BigCode(Widget):
    """A short code (like `WDJB-MJHT`) drawn three lines high."""

    DEFAULT_CSS = """
    BigCode {
        width: auto;
        height: auto;
        color: $text;
    }
    """

    def __init__(self, code: str = "", *, id: str | None = None, classes: str | None = None):
        super().__init__(id=id, classes=classes)
        self._code = code

    @property
    def code(self) -> str:
        """The code shown."""
        return self._code

    def update(self, code: str) -> None:
        """Show another code."""
        self._code = code
        self.refresh(layout=True)

    def render(self) -> RenderResult:
        return Text("\n".join(big_lines(self._code)), style=Style(bold=True), no_wrap=True)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        width = len(big_lines(self._code)[0]) if self._code else 0
        return width if width <= container.width else 0

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 0 if self._code and not width else 3
