"""The quick line splits of populate's file work read lines as `split_lines` does.

`populate` finds its block, the file's line ending and the block's lines without splitting a
75,000-line config file line by line; these properties hold the quick ways to the one rule
(`ini_sections.split_lines`: \\r\\n, \\r and \\n only), so the bytes written stay the same.
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from tui.export import aws_config
from tui.export.ini_sections import line_texts, newline_of, split_lines
from tui.export.profile_names import profile_name_part

_BEGIN, _END = aws_config._begin("s"), aws_config._end("s")
_PIECES = ["\n", "\r", "\r\n", " ", "\t", "\x1c", "\u2028", "x", "[profile a]", _BEGIN, _END]
texts = st.lists(st.sampled_from(_PIECES), max_size=12).map("".join)


def _span_by_lines(text: str) -> tuple[int, int] | None | str:
    """The block's span found line by line, as populate once found it."""
    start = None
    for body, ending, offset in split_lines(text):
        if body.strip() == _BEGIN and start is None:
            start = offset
        elif body.strip() == _END and start is not None:
            return start, offset + len(body) + len(ending)
    return None if start is None else "no end marker"


@given(texts)
def test_line_texts_and_newline_are_those_of_split_lines(text: str) -> None:
    lines = split_lines(text)
    assert line_texts(text) == [body for body, _ending, _start in lines]
    assert newline_of(text) == next((e for _b, e, _s in lines if e), "\n")


@given(texts)
def test_the_block_is_found_where_its_marker_lines_are(text: str) -> None:
    try:
        span: tuple[int, int] | None | str = aws_config._block_span(text, "s")
    except aws_config.ConfigError:
        span = "no end marker"
    assert span == _span_by_lines(text)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=12))
def test_an_ascii_name_keeps_its_safe_characters(text: str) -> None:
    # The ASCII shortcut past Unicode normalisation gives what the rule says.
    assert profile_name_part(text) == re.sub(r"[^A-Za-z0-9_+.@-]+", "-", text).strip("-.")
