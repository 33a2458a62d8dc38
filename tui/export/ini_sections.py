"""Change one section of an INI file (AWS credentials/config) and leave every other byte alone.

The file is read the way botocore reads it: `configparser.RawConfigParser` on text opened with
universal newlines. `parse_sections` replays that parser's line rules (comments `#` `;`, blank
lines, indented continuations, `[header]` lines) on the exact text, so the spans it finds are the
sections botocore sees. `replace_section` and `remove_section` then splice text in those spans
only: comments, order, other sections, line endings (LF, CRLF, CR), a missing final newline and
any bytes outside the section come back unchanged. `drop_section` also takes the blank lines that
set a removed section apart, so no gap is left where it was.

Used by `credentials_file` (the shared credentials file) and by `populate` (the config file).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Final

from tui.errors import SsotuiError

# The very patterns configparser uses, so a header here is a header there.
_SECTION_RE: Final = re.compile(r"\[(?P<header>.+)\]")
_OPTION_RE: Final = re.compile(r"(?P<option>.*?)\s*(?P<vi>[=:])\s*(?P<value>.*)$")
_NONSPACE_RE: Final = re.compile(r"\S")
_COMMENT_PREFIXES: Final = ("#", ";")
# Universal newlines: what Python's text mode (and so configparser) treats as a line end.
_LINE_RE: Final = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_FORBIDDEN_IN_LINE: Final = ("\r", "\n")
LINE_END: Final = re.compile(r"\r\n|\r|\n")  # a line ending, as `split_lines` splits


class LineKind(Enum):
    """What configparser makes of one line."""

    BLANK = "blank"
    COMMENT = "comment"
    HEADER = "header"
    OPTION = "option"
    CONTINUATION = "continuation"
    OTHER = "other"  # a line configparser rejects, or an option before any header


@dataclass(frozen=True)
class Line:
    """One physical line: its text without the ending, the ending, and where it starts."""

    text: str
    ending: str
    start: int
    kind: LineKind
    section: str | None  # the header name for HEADER lines, else None

    @property
    def end(self) -> int:
        """Offset just past this line's ending."""
        return self.start + len(self.text) + len(self.ending)


@dataclass(frozen=True)
class Section:
    """Where one `[name]` section sits in the text (offsets into it).

    `header_end` is just past the header line; `content_end` is just past the last option or
    continuation line (or `header_end` when there is none); `end` is where the next header
    starts (or the end of the text). Comments and blank lines between `content_end` and `end`
    are left in place when the section is replaced: they usually introduce the next section.
    """

    name: str
    start: int
    header_end: int
    content_end: int
    end: int
    header_ending: str  # the header line's own line ending ("" at the end of the text)
    content_ending: str  # the ending of the line at `content_end` ("" at the end of the text)
    next_header_indent: str  # leading whitespace of the next header line, "" when none


def split_lines(text: str) -> list[tuple[str, str, int]]:
    """(text, ending, start offset) of every line, split on \\r\\n, \\r and \\n only."""
    out: list[tuple[str, str, int]] = []
    for match in _LINE_RE.finditer(text):
        raw = match.group(0)
        body = raw.rstrip("\r\n")
        out.append((body, raw[len(body) :], match.start()))
    return out


def line_texts(text: str) -> list[str]:
    """The text of every line, as `split_lines` gives it, without endings and offsets: one
    split in C (a 75,000-line file in a hundredth of a second)."""
    lines = LINE_END.split(text)
    if lines[-1] == "":
        lines.pop()  # after a final line ending (or in "") no further line starts
    return lines


def classify(text: str) -> list[Line]:
    """Every line of `text` with the kind configparser would give it."""
    lines: list[Line] = []
    in_section = False
    option_open = False  # configparser's `optname`: an option that a continuation may extend
    indent_level = 0
    for body, ending, start in split_lines(text):
        stripped = body.strip()
        if any(stripped.startswith(p) for p in _COMMENT_PREFIXES):
            lines.append(Line(body, ending, start, LineKind.COMMENT, None))
            continue
        if not stripped:
            lines.append(Line(body, ending, start, LineKind.BLANK, None))
            continue
        first = _NONSPACE_RE.search(body)
        indent = first.start() if first else 0
        if in_section and option_open and indent > indent_level:
            lines.append(Line(body, ending, start, LineKind.CONTINUATION, None))
            continue
        indent_level = indent
        header = _SECTION_RE.match(stripped)
        if header:
            in_section = True
            option_open = False
            lines.append(Line(body, ending, start, LineKind.HEADER, header.group("header")))
        elif not in_section:
            lines.append(Line(body, ending, start, LineKind.OTHER, None))
        else:
            option = _OPTION_RE.match(stripped)
            if option:
                option_open = bool(option.group("option").rstrip())
                lines.append(Line(body, ending, start, LineKind.OPTION, None))
            else:
                lines.append(Line(body, ending, start, LineKind.OTHER, None))
    return lines


def parse_sections(text: str) -> list[Section]:
    """Every section of `text`, in file order (a repeated name appears more than once)."""
    return sections_of(text, classify(text))


def sections_of(text: str, lines: list[Line]) -> list[Section]:
    """Every section of `text`, from its lines as `classify` gave them (one pass for callers
    that need both)."""
    headers = [i for i, line in enumerate(lines) if line.kind is LineKind.HEADER]
    sections: list[Section] = []
    for n, h in enumerate(headers):
        nxt = headers[n + 1] if n + 1 < len(headers) else len(lines)
        last = h
        for i in range(h + 1, nxt):
            if lines[i].kind not in (LineKind.BLANK, LineKind.COMMENT):
                last = i
        header = lines[h]
        next_indent = ""
        if nxt < len(lines):
            nxt_line = lines[nxt]
            first = _NONSPACE_RE.search(nxt_line.text)
            next_indent = nxt_line.text[: first.start()] if first else ""
        sections.append(
            Section(
                name=header.section or "",
                start=header.start,
                header_end=header.end,
                content_end=lines[last].end,
                end=lines[nxt].start if nxt < len(lines) else len(text),
                header_ending=header.ending,
                content_ending=lines[last].ending,
                next_header_indent=next_indent,
            )
        )
    return sections


def section_names(text: str) -> list[str]:
    """The section names of `text` in file order, as botocore's parser reads them."""
    return [s.name for s in parse_sections(text)]


def newline_of(text: str) -> str:
    """The line ending the file already uses (its first one), else "\\n"."""
    first = LINE_END.search(text)  # not a split of every line: a file may have 75,000
    return first.group(0) if first else "\n"


def check_name(name: str) -> None:
    """Refuse a section name that would not read back as the same single header."""
    if not name or name != name.strip():
        raise SsotuiError(
            f"profile name {name!r} is empty or starts or ends with a space; choose another"
        )
    if any(c in name for c in "[]\r\n") or "\x00" in name:
        raise SsotuiError(
            f"profile name {name!r} contains a bracket or a line break; choose another"
        )
    if any("\ud800" <= c <= "\udfff" for c in name):
        # a byte that was not UTF-8 on the command line: written raw, it would stop botocore
        # and the AWS CLI reading any profile of the file
        raise SsotuiError(f"profile name {name!r} holds a byte that is not UTF-8; choose another")
    if name == "DEFAULT":
        # configparser treats [DEFAULT] as defaults for every section.
        raise SsotuiError("profile name 'DEFAULT' is special to the INI parser; choose another")


def check_line(line: str) -> None:
    """Refuse a body line that would spill onto another line."""
    if any(c in line for c in _FORBIDDEN_IN_LINE) or "\x00" in line:
        raise SsotuiError("refusing to write a value that contains a line break")


def _body(lines: Sequence[str], newline: str, indent: str, *, final_newline: bool) -> str:
    if not lines:
        return ""
    joined = newline.join(indent + line for line in lines)
    return joined + newline if final_newline else joined


def replace_section(
    text: str, name: str, lines: Sequence[str], *, same: Callable[[str], bool] | None = None
) -> str:
    """`text` with the body of section `name` replaced by `lines` (or the section appended).

    `same` tells a header that names the same section in other words (botocore reads
    `[sso-session "x"]` of the config file as `[sso-session x]`); by default only `name`
    itself does. The header line is kept as it was; the body's options and continuations are
    replaced; comments and blank lines after the last option stay where they are. A second
    such section (which botocore would refuse to read, or read in place of the first) is
    removed. Nothing else changes.
    """
    check_name(name)
    for line in lines:
        check_line(line)
    matches = [s for s in parse_sections(text) if (same(s.name) if same else s.name == name)]
    if not matches:
        return _append(text, name, lines)
    first, *duplicates = matches
    out = text
    for dup in reversed(duplicates):  # back to front keeps earlier offsets valid
        out = out[: dup.start] + out[dup.content_end :]
    newline = first.header_ending or newline_of(text)
    # Lines written at the next header's indent keep an indented next header a header.
    indent = first.next_header_indent
    if first.content_end > first.header_end:
        new = _body(lines, newline, indent, final_newline=bool(first.content_ending))
        return out[: first.header_end] + new + out[first.content_end :]
    if first.header_ending:
        new = _body(lines, newline, indent, final_newline=True)
        return out[: first.header_end] + new + out[first.header_end :]
    # The header is the file's last line and has no ending: keep the file without one.
    new = _body(lines, newline, indent, final_newline=False)
    return out[: first.header_end] + (newline + new if new else "") + out[first.header_end :]


def _append(text: str, name: str, lines: Sequence[str]) -> str:
    newline = newline_of(text)
    prefix = text
    if prefix:
        split = split_lines(prefix)
        if split and not split[-1][1]:
            prefix += newline  # the last line had no ending
            split[-1] = (split[-1][0], newline, split[-1][2])
        if split and split[-1][0].strip():
            prefix += newline  # a blank line before the new section
    return prefix + f"[{name}]" + newline + _body(lines, newline, "", final_newline=True)


def remove_section(text: str, name: str) -> str:
    """`text` without section `name` (header, options, continuations); unchanged when absent.

    Comments and blank lines after the section's last option are kept.
    """
    out = text
    for section in reversed([s for s in parse_sections(text) if s.name == name]):
        out = out[: section.start] + out[section.content_end :]
    return out


def drop_section(text: str, name: str) -> str:
    """`text` without section `name`: `drop_sections(text, [name])`."""
    return drop_sections(text, (name,))


def drop_sections(text: str, names: Collection[str]) -> str:
    """`text` without the sections named in `names`, and without the blank lines that set each
    apart: the file reads as if they had never been appended (`replace_section` puts one blank
    line before a section it appends). Unchanged when none is there.

    The blank lines before a section go when blank lines or the end of the text follow it (one
    gap stays between its neighbours, none at the end); those after it go too when nothing but
    blank lines comes before it. A comment or header right after it keeps the gap before it.
    One pass over the text, last section first, whatever the number of names (`logout
    --purge` of many profiles from a large file).
    """
    lines = classify(text)
    sections = [s for s in sections_of(text, lines) if s.name in names]
    if not sections:
        return text
    by_start = {line.start: i for i, line in enumerate(lines)}
    gone = [False] * len(lines)

    def blanks(i: int, step: int) -> tuple[list[int], bool]:
        """The blank lines still there from line `i` on (going `step`), and whether only blank
        lines lie beyond them."""
        found: list[int] = []
        while 0 <= i < len(lines):
            if not gone[i]:
                if lines[i].kind is not LineKind.BLANK:
                    return found, False
                found.append(i)
            i += step
        return found, True

    for section in reversed(sections):
        first = by_start[section.start]
        after = by_start.get(section.content_end, len(lines))
        for i in range(first, after):
            gone[i] = True
        before_blanks, at_top = blanks(first - 1, -1)
        after_blanks, at_end = blanks(after, 1)
        if at_end or after_blanks:  # blank lines or the end of the text follow
            for i in before_blanks:
                gone[i] = True
        if at_top:  # nothing but blank lines before it
            for i in after_blanks:
                gone[i] = True
    return "".join(
        text[line.start : line.end] for line, g in zip(lines, gone, strict=True) if not g
    )


def section_text(text: str, name: str) -> str | None:
    """The exact text of the first section `name` (header to last option), or None."""
    for section in parse_sections(text):
        if section.name == name:
            return text[section.start : section.content_end]
    return None
