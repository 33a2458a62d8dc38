"""README's map of the code ("How it is built") names every file of `tui/` and every helper
of `tests/`, and no file that is gone: a newcomer looking for the pacer, the login screen or
the parent-death step finds where it is, and is not sent to a file that no longer exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
# A file name, maybe with its folders: `tui/aws/throttle.py`, `throttle.py`, `app.tcss`.
_FILE = re.compile(r"(?<![\w./-])([\w/]*\w\.(?:py|tcss))(?![\w])")
# A line that opens a folder of the map: `    tui/aws/            the domain ...`.
_FOLDER = re.compile(r"^ {4}((?:tui|tests)/(?:\w+/)*)(?:\s|$)")


def _map_lines() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## How it is built\n", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("    ")]


def _named() -> set[str]:
    """Every file the map names, as a path from the repository's root."""
    named: set[str] = set()
    folder = ""
    for line in _map_lines():
        opened = _FOLDER.match(line)
        if opened:
            folder = opened.group(1)
        for name in _FILE.findall(line):
            named.add(name if "/" in name else folder + name)
    return named


def _files() -> set[str]:
    """Every file of tui/ (packages' __init__.py aside) and every helper module of tests/."""
    found = {
        p.relative_to(ROOT).as_posix()
        for pattern in ("*.py", "*.tcss")
        for p in (ROOT / "tui").rglob(pattern)
        if p.name != "__init__.py"
    }
    found |= {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "tests").glob("*.py")
        if not p.name.startswith("test_") and p.name != "__init__.py"
    }
    return found


def test_the_map_names_every_file() -> None:
    assert sorted(_files() - _named()) == []


def test_the_map_names_no_file_that_is_gone() -> None:
    assert sorted(p for p in _named() if not (ROOT / p).exists()) == []
