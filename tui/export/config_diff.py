"""The unified diff `populate --dry-run` prints: safe for a terminal, and fast on big files.

`difflib.unified_diff` matches line by line, which is quadratic when many small runs match: a
block of 9,000 profiles whose every `region` line changed took over 40 seconds. Here the two
texts are first matched section by section (a section runs from one `[header]` line to the
next, so a profile is one item and thousands of them match in one pass); only sections that
differ are then diffed line by line, each against its counterpart, which is a few lines each.
The result is an ordinary unified diff (3 lines of context), as `patch` and `git apply` read.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Literal

from tui.export import ini_sections
from tui.text import printable

Tag = Literal["replace", "delete", "insert", "equal"]
Opcode = tuple[Tag, int, int, int, int]


def shown_lines(text: str) -> list[str]:
    """`text`'s lines as a terminal may show them: split at \\r, \\n and \\r\\n only (as the
    INI parser does), control characters replaced, each ending in \\n."""
    return [printable(body) + "\n" for body in ini_sections.line_texts(text)]


def _sections(lines: list[str]) -> list[tuple[int, int]]:
    """[start, end) line ranges of `lines`, a new one at every line that starts with `[`."""
    starts = [0] + [i for i, line in enumerate(lines) if i and line.startswith("[")]
    ends = starts[1:] + [len(lines)]
    return list(zip(starts, ends, strict=True)) if lines else []


class _Aligned(difflib.SequenceMatcher[str]):
    """A SequenceMatcher that hands out opcodes found elsewhere (for `get_grouped_opcodes`)."""

    def __init__(self, opcodes: list[Opcode]) -> None:
        super().__init__(None, [], [])
        self._found = opcodes

    def get_opcodes(self) -> list[Opcode]:
        return list(self._found)


def opcodes(old: list[str], new: list[str]) -> list[Opcode]:
    """Line opcodes from `old` to `new` (as `SequenceMatcher.get_opcodes` gives them), found
    section by section."""
    a, b = _sections(old), _sections(new)
    found: list[Opcode] = []

    def add(tag: Tag, i1: int, i2: int, j1: int, j2: int) -> None:
        if i1 == i2 and j1 == j2:
            return
        if found and found[-1][0] == tag == "equal":
            last = found.pop()
            i1, j1 = last[1], last[3]
        found.append((tag, i1, i2, j1, j2))

    def at() -> tuple[int, int]:
        return (found[-1][2], found[-1][4]) if found else (0, 0)

    matcher = difflib.SequenceMatcher(
        None, [tuple(old[s:e]) for s, e in a], [tuple(new[s:e]) for s, e in b], autojunk=False
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("equal", a[i1][0], a[i2 - 1][1], b[j1][0], b[j2 - 1][1])
            continue
        # Changed sections side by side, each pair diffed line by line.
        for k in range(max(i2 - i1, j2 - j1)):
            if i1 + k < i2 and j1 + k < j2:
                (s1, e1), (s2, e2) = a[i1 + k], b[j1 + k]
                pair = difflib.SequenceMatcher(None, old[s1:e1], new[s2:e2], autojunk=False)
                for t, x1, x2, y1, y2 in pair.get_opcodes():
                    add(t, s1 + x1, s1 + x2, s2 + y1, s2 + y2)
            elif i1 + k < i2:
                start, end = a[i1 + k]
                add("delete", start, end, at()[1], at()[1])
            else:
                start, end = b[j1 + k]
                add("insert", at()[0], at()[0], start, end)
    return found


def _range(start: int, stop: int) -> str:
    """A hunk's range as `diff -u` writes it (difflib's own rule)."""
    beginning, length = start + 1, stop - start
    if length == 1:
        return f"{beginning}"
    if not length:
        beginning -= 1
    return f"{beginning},{length}"


def diff(old: str, new: str, path: Path) -> str:
    """A unified diff of a planned change (for `--dry-run`), safe to print: control characters
    of names in the file are replaced (see `tui.text.printable`)."""
    a, b = shown_lines(old), shown_lines(new)
    if a == b:
        return ""
    shown = printable(str(path))
    out = [f"--- {shown}\n", f"+++ {shown} (after populate)\n"]
    for group in _Aligned(opcodes(a, b)).get_grouped_opcodes(3):
        first, last = group[0], group[-1]
        out.append(f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(" " + line for line in a[i1:i2])
                continue
            out.extend("-" + line for line in a[i1:i2])
            out.extend("+" + line for line in b[j1:j2])
    return "".join(out)
