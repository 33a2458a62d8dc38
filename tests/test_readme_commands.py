"""README's table of commands names every option each command takes, as `ssotui CMD -h` does:
a newcomer reading it did not learn that `exec`, `export`, `console`, `credential-process` and
`write-profile` take `--refresh`, nor which take `--no-browser`, `--force` or `--region`."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from tui.cli import build_parser

README = Path(__file__).resolve().parent.parent / "README.md"
# Said once for every command, above the table.
EVERY_COMMAND = {"-h", "--help", "--session", "--start-url", "--sso-region", "--debug"}


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _readme_rows() -> dict[str, str]:
    """Each command's cell in README's table: "exec [ACCOUNT [ROLE]] [--region R] …"."""
    text = README.read_text(encoding="utf-8")
    cells = re.findall(r"^\| `ssotui ([^`]*)` \|", text, re.MULTILINE)
    return {cell.split()[0]: cell for cell in cells if cell}


def test_readme_names_every_option_of_every_command() -> None:
    rows = _readme_rows()
    missing = {}
    for name, parser in _commands().items():
        assert name in rows, f"README's table has no row for `ssotui {name}`"
        options = {o for a in parser._actions for o in a.option_strings} - EVERY_COMMAND
        row = rows[name]
        absent = [o for o in sorted(options) if not re.search(rf"{re.escape(o)}(?![\w-])", row)]
        if absent:
            missing[name] = absent
    assert missing == {}
