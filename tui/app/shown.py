"""Names from the service made safe to draw: the picker's one control-character cleaner.

Account and role names and e-mails come from Identity Center and may hold anything, escape
sequences included. Everything of theirs the picker draws (rows, captions, titles, toasts,
palette entries) goes through `shown` first.

A shared cleaner for both doors (`tui/text.py`) is on its way; when it lands, `shown` becomes
a call to it.
"""

from __future__ import annotations

import unicodedata

# C0, DEL and C1 control characters, and the line/paragraph separators: each becomes a space.
_UNSAFE = {code: " " for code in range(0xA0) if unicodedata.category(chr(code)) == "Cc"}
_UNSAFE.update({0x2028: " ", 0x2029: " "})
_TABLE = str.maketrans(_UNSAFE)


def shown(text: str) -> str:
    """`text` with control characters (C0, DEL, C1) and line separators replaced by spaces."""
    if text.isprintable():  # the usual case, checked in C
        return text
    return text.translate(_TABLE)
