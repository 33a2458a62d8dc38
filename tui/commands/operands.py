"""ACCOUNT and ROLE that begin with "-", which argparse would take for options.

Identity Center allows a permission set name (a ROLE) to begin with "-" (`[\\w+=,.@-]+`), and an
account name may begin with one too. As in POSIX utilities, the words after `--` are operands:
`ssotui export -- -team -Admin`. `exec`'s `--` starts the command to run, so there (and in
every command that takes ACCOUNT and ROLE, as in git) `--end-of-options` ends the options:
`ssotui exec --end-of-options -team -Admin -- aws s3 ls`.

The operands reach argparse marked (NULs before each: no command-line word holds one), so
that it reads them as ACCOUNT and ROLE; `unmark` takes the marks off once it has.
"""

from __future__ import annotations

import argparse

# The commands that take ACCOUNT and ROLE.
SELECTING = frozenset({"exec", "export", "console", "credential-process", "write-profile"})
END_OF_OPTIONS = "--end-of-options"
AFTER_DASHES = "\0\0"  # the mark of an operand given after `--`
AFTER_END = "\0"  # the mark of one given after --end-of-options
# The program's options that take a value (argparse also takes any unique beginning of one).
_TAKING_A_VALUE = ("--session", "--start-url", "--sso-region")


class CommandAfterDashes(Exception):
    """More words after `--` than a command other than `exec` has ACCOUNT and ROLE for."""


def _command_at(words: list[str]) -> int | None:
    """Where the command's name is among `words` (the words before `--`), if anywhere."""
    at = 0
    while at < len(words):
        word = words[at]
        if not word.startswith("-") or word == "-":
            return at
        if "=" not in word and len(word) > 2 and any(o.startswith(word) for o in _TAKING_A_VALUE):
            at += 1  # its value
        at += 1
    return None


def operands(words: list[str], command: list[str]) -> tuple[list[str], list[str]]:
    """`words` (before the first `--`) and `command` (after it) as argparse is to read them:
    for a command that takes ACCOUNT and ROLE, the words after --end-of-options, and but for
    `exec` those after `--`, marked as operands, then put where argparse reads its words."""
    at = _command_at(words)
    if at is None or words[at] not in SELECTING:
        return words, command
    given: list[str] = []
    if END_OF_OPTIONS in words[at + 1 :]:
        cut = words.index(END_OF_OPTIONS, at + 1)
        words, given = words[:cut], [_marked(AFTER_END, w) for w in words[cut + 1 :]]
    if words[at] != "exec":
        given += [_marked(AFTER_DASHES, w) for w in command]
        command = []
    return words + given, command


def _marked(mark: str, word: str) -> str:
    # An empty word stays as it is: argparse reads it as an operand, and refuses it as ever.
    return mark + word if word else word


def is_operand(word: str) -> bool:
    """`word` is an operand `operands` marked (after `--` or --end-of-options)."""
    return word.startswith(AFTER_END)  # which AFTER_DASHES begins with too


def unmarked(word: str) -> str:
    return word.lstrip("\0")


def unmark(args: argparse.Namespace) -> None:
    """ACCOUNT and ROLE as typed, the marks taken off."""
    for name in ("account", "role"):
        value = getattr(args, name, None)
        if isinstance(value, str):
            setattr(args, name, unmarked(value))
