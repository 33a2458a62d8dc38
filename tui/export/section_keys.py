"""Set one tool's keys in a section of an INI file, or take them out, keeping every other line.

What `aws configure set` does to a profile: the keys the tool owns change, and every other line
of the section (the user's `region`, `output`, `ca_bundle`, comments, any other key) stays, in
place and in order. A key is matched as configparser matches it (the name lowercased, with
`key=value` and `key : value` alike), with its continuation lines; a key written more than once
is taken out everywhere it is. The tool's lines (its marker comment and its keys) go where the
first of its old lines was, else right below the header, as one block, indented like the line
after them so that no line of the user's turns into a continuation of one of ours. Line endings
(LF, CRLF, CR) and a missing final newline are kept. Nothing outside the section changes.

Used by `credentials_file` for `write-profile` and `logout --purge`.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from tui.export import ini_sections
from tui.export.ini_sections import Line, LineKind, Section


@dataclass(frozen=True)
class Owned:
    """The lines of a section that belong to the tool: options named in `keys` (lowercase)
    and comments (their stripped text) that `comment` claims."""

    keys: Collection[str]
    comment: Callable[[str], bool]

    def claims(self, line: Line, option_owned: bool) -> bool:
        if line.kind is LineKind.OPTION:
            return option_name(line.text) in self.keys
        if line.kind is LineKind.CONTINUATION:
            return option_owned
        return line.kind is LineKind.COMMENT and self.comment(line.text.strip())


_NOT_OPTIONS = (LineKind.BLANK, LineKind.COMMENT)  # lines that never continue a value


def _start(line: Line) -> int:
    return line.start


def _indent(text: str) -> str:
    return text[: len(text) - len(text.lstrip())]


def option_name(text: str) -> str:
    """The name configparser gives the option on line `text` (lowercased, spaces trimmed)."""
    stripped = text.strip()
    cut = min((i for i in (stripped.find("="), stripped.find(":")) if i >= 0), default=-1)
    return stripped[:cut].rstrip().lower() if cut >= 0 else ""


def _splice(
    text: str, lines: list[Line], section: Section, owned: Owned, block: Sequence[str] | None
) -> tuple[str, bool]:
    """The text of `section` (header to its last option) with `owned`'s lines taken out and
    `block` (None: nothing) put in their place; and whether no option or comment is left."""
    head = bisect_left(lines, section.start, key=_start)
    stop = bisect_left(lines, section.content_end, key=_start)
    kept: list[tuple[str, str]] = [(lines[head].text, lines[head].ending)]
    at = None  # where the block goes, as an index into `kept`
    indent = None  # the indent of the first line of the user's after the block
    option_owned = False
    user_lines = False
    for i in range(head + 1, stop):
        line = lines[i]
        if line.kind is LineKind.OPTION:
            option_owned = option_name(line.text) in owned.keys
        if owned.claims(line, option_owned):
            if at is None:
                at = len(kept)
            continue
        if at is not None and indent is None and line.kind not in _NOT_OPTIONS:
            indent = _indent(line.text)
        user_lines = user_lines or line.kind is not LineKind.BLANK
        kept.append((line.text, line.ending))
    if at is None:
        at = 1
        first = next(
            (line for line in lines[head + 1 : stop] if line.kind not in _NOT_OPTIONS), None
        )
        indent = _indent(first.text) if first is not None else None
    if indent is None:
        indent = section.next_header_indent
    newline = lines[head].ending or ini_sections.newline_of(text)
    if block:
        kept[at:at] = [(indent + line, newline) for line in block]
    final = lines[stop - 1].ending  # "" when the section ends the text without a newline
    out = [(body, ending or newline) for body, ending in kept]
    if not final:
        out[-1] = (out[-1][0], "")
    return "".join(body + ending for body, ending in out), not user_lines


def set_keys(text: str, name: str, block: Sequence[str], owned: Owned) -> str:
    """`text` with the lines of section `name` that `owned` claims replaced by `block` (the
    section appended when there is none). A second section of that name (which botocore
    refuses to read) is removed, as `ini_sections.replace_section` does."""
    ini_sections.check_name(name)
    for line in block:
        ini_sections.check_line(line)
    lines = ini_sections.classify(text)
    matches = [s for s in ini_sections.sections_of(text, lines) if s.name == name]
    if not matches:
        return ini_sections.replace_section(text, name, block)
    if len(matches) > 1:
        for dup in reversed(matches[1:]):  # back to front keeps earlier offsets valid
            text = text[: dup.start] + text[dup.content_end :]
        lines = ini_sections.classify(text)
        matches = [s for s in ini_sections.sections_of(text, lines) if s.name == name]
    first = matches[0]
    body, _ = _splice(text, lines, first, owned, block)
    return text[: first.start] + body + text[first.content_end :]


def take_out_keys(text: str, owned_by_name: dict[str, Owned]) -> tuple[str, list[str]]:
    """`text` with the lines each `owned_by_name[name]` claims taken out of every section of
    that name, in one pass; and the names whose sections have nothing left but blank lines
    (no option, no comment), for the caller to drop or keep."""
    lines = ini_sections.classify(text)
    sections = [s for s in ini_sections.sections_of(text, lines) if s.name in owned_by_name]
    emptied: dict[str, bool] = {}
    out = text
    for section in reversed(sections):
        body, empty = _splice(text, lines, section, owned_by_name[section.name], None)
        out = out[: section.start] + body + out[section.content_end :]
        emptied[section.name] = emptied.get(section.name, True) and empty
    return out, [name for name in owned_by_name if emptied.get(name)]
