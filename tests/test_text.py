"""Service strings on a terminal: control characters replaced, widths in terminal cells."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.sim import HOSTILE_ACCOUNTS
from tui.text import REPLACEMENT, cell_width, pad, printable

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# blank to the eye; 0 cells to Rich, 1 or 2 to terminals (glibc wcwidth, tmux)
HANGUL_FILLERS = "\u115f\u1160\u3164\uffa0"


def is_terminal_safe(text: str) -> bool:
    """Nothing a terminal would act on, nothing that ends a line, nothing that reorders text."""
    return (
        not any(
            unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") or c in BIDI + HANGUL_FILLERS
            for c in text
        )
        and len(text.splitlines()) <= 1
    )


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("x\x1b]0;TITLE\x07\x1b[2J", "x␛]0;TITLE␇␛[2J"),
        ("\x1b]52;c;ZXZpbA==\x07clip", "␛]52;c;ZXZpbA==␇clip"),
        ("fake\nrow", "fake␊row"),
        ("a\r\nb\tc", "a␍␊b␉c"),
        ("nul\x00byte\x7f", "nul␀byte␡"),
        ("\x9b2J c1", f"{REPLACEMENT}2J c1"),
        ("bidi \u202etxt.exe", f"bidi {REPLACEMENT}txt.exe"),
        ("line\u2028para\u2029end", f"line{REPLACEMENT}para{REPLACEMENT}end"),
        ("lone \ud800 surrogate", f"lone {REPLACEMENT} surrogate"),
        ("\u3164\u3164", REPLACEMENT * 2),  # a name that looks blank
        ("prod\uffa0\u115f\u1160", f"prod{REPLACEMENT * 3}"),
        # noncharacters (never text): 1 cell to Rich, none to tmux, so a row holding one was
        # drawn a cell short, its pane's border pulled in and left behind at the line's end
        ("end\U0010ffff\ufffe\ufdd0\U0001ffff", f"end{REPLACEMENT * 4}"),
    ],
)
def test_control_characters_get_visible_stand_ins(name: str, shown: str) -> None:
    assert printable(name) == shown
    assert is_terminal_safe(printable(name))


@pytest.mark.parametrize(
    "name", ["Kraków QA", "東京 sandbox", "Zürich Analytics 🚀", "👍🏽 ok", "a\u200db", "O'Brien"]
)
def test_ordinary_text_is_kept_as_it_is(name: str) -> None:
    assert printable(name) is name


def test_every_hostile_simulator_name_is_made_safe() -> None:
    for name, email, roles in HOSTILE_ACCOUNTS:
        for text in (name, email, *roles):
            assert is_terminal_safe(printable(text)), repr(text)


@given(st.text())
def test_any_text_comes_out_safe_encodable_and_stable(text: str) -> None:
    shown = printable(text)
    assert is_terminal_safe(shown)
    shown.encode("utf-8")  # a lone surrogate would make printing it fail
    assert printable(shown) == shown


def test_widths_in_terminal_cells() -> None:
    assert cell_width("acme") == 4
    assert cell_width("東京") == 4
    assert cell_width("서울 platform") == 13
    assert cell_width("x\x1b[2J") == 5  # measured as shown: x␛[2J
    assert cell_width(HANGUL_FILLERS) == 4  # as shown: one cell each, as a terminal draws it
    assert cell_width("") == 0


def test_pad_lines_up_mixed_scripts() -> None:
    names = ["acme", "東京 sandbox", "Zürich", "fake\nrow", "\u202eevil"]
    width = max(cell_width(n) for n in names)
    padded = [pad(n, width) for n in names]
    assert {cell_width(p) for p in padded} == {width}
    assert padded[1] == "東京 sandbox" + " " * (width - 12)
    assert pad("東京", 6, align="right") == "  東京"
    assert pad("too long", 3) == "too long"  # never cut


def test_error_messages_hold_no_control_character() -> None:
    from tui.errors import NoAccess, SsotuiError, StaticKeysProfile

    role, account = "\x1b]52;c;ZXZpbA==\x07clip", "x\x1b]0;TITLE\x07\x1b[2J"
    for error in (
        SsotuiError(f"no role '{role}' in {account}"),
        NoAccess(f"no access to role {role} in account {account} (123456789012)"),
        StaticKeysProfile(f"profile [{role}] holds long-lived keys", profile=role, path="p"),
    ):
        assert is_terminal_safe(error.message) and str(error) == error.message
        assert "␛]52;c;ZXZpbA==␇clip" in error.message


def test_measuring_cells_loads_no_textual() -> None:
    import subprocess
    import sys

    probe = (
        "import sys\nfrom tui.text import cell_width, pad\n"
        "cell_width('東京'); pad('x', 3)\nprint(' '.join(sorted(sys.modules)))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert "rich.cells" in loaded
    assert not [m for m in loaded if m.startswith("textual") or m == "rich.console"]


def _all_characters() -> list[str]:
    return [chr(code) for code in range(sys.maxunicode + 1)]


def test_every_character_is_made_safe_as_the_patterns_say() -> None:
    """The short cuts (printable text below the first printable unsafe character, a printable
    JSON text) keep exactly what the patterns would keep, and nothing they would replace: each
    character alone, and inside an accented name."""
    import json
    import re

    from tui.text import _JSON_UNSAFE, _UNSAFE, _stand_in, utf8_json

    for char in _all_characters():
        for text in (char, f"Kraków {char} QA"):
            assert printable(text) == re.sub(_UNSAFE, _stand_in, text), repr(text)
            dumped = json.dumps({"accountName": text}, ensure_ascii=False)
            expected = re.sub(_JSON_UNSAFE, lambda m: f"\\u{ord(m.group(0)):04x}", dumped)
            assert utf8_json(dumped) == expected, repr(text)


def test_latin_names_are_measured_as_rich_measures_them() -> None:
    """Below the combining marks, what `printable` shows is a cell a character, as Rich counts
    it: "Kraków QA" lines up with the ASCII names around it."""
    from rich.cells import cell_len

    for char in _all_characters()[:0x300]:
        for text in (char, f"Ñandú {char}"):
            assert cell_width(text) == cell_len(printable(text)), repr(text)
            assert len(pad(text, 12)) - len(printable(text)) == 12 - cell_len(printable(text))
    assert cell_width("Kraków QA") == 9
    assert cell_width("Kraków\u0301") == cell_len("Kraków\u0301") == 6
