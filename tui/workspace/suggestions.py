"""The names to suggest for one that matched nothing ("did you mean …"), fast among thousands.

difflib alone compares the typed text with every name: about a second for 20,000 names of 50
characters. A typo leaves most of the text as it was, so only the names that hold its pieces
where it holds them are worth comparing. The text is cut into a few pieces; a name a typo or
two away from it (or whose beginning is) holds most of them, each at its place or a few places
off (a wrong or swapped letter spoils a piece or two and moves nothing; a missing or added one
moves the pieces after it by one place). One regex a piece finds, in C, the names holding it
near its place, however common it is; the names holding the most, and the most lined up alike,
go to difflib, which compares the text with each as a whole and with its beginning (a mistyped
prefix, `umberlla-prod` for `umbrella-prod-payments`, which difflib alone never suggests).
Text too short to cut is compared with the names of about its length, as difflib alone does.
"""

from __future__ import annotations

import difflib
import operator
import re
from collections import Counter
from collections.abc import Sequence
from itertools import repeat

CUTOFF = 0.7  # difflib's own: how close a whole name must be
PREFIX_CUTOFF = 0.8  # the beginning of a longer name must be closer
SHORTEST_CUT = 6  # shorter text is not cut into pieces
SHORTEST_PREFIX = 5  # shorter text is not taken as the beginning of a longer name
PIECE_LENGTH = 3  # at least, in letters
MOST_PIECES = 6
MOST_MOVED = 3  # places a piece may be off (by letters missing or added before it)
MOST_WEIGHED = 1000  # names holding the most pieces, weighed by how they line up
MOST_COMPARED = 60  # of those, the names difflib compares: a bound on the time it takes
SEPARATOR = "\0"  # between the names searched; a name holding one is compared apart


def close_names(typed: str, names: Sequence[str], limit: int = 3) -> list[str]:
    """Up to `limit` of `names` that `typed` is probably a typo of, closest first.

    Both are compared as given (the caller folds case and accents alike on both sides).
    """
    if not typed or not names:
        return []
    matcher = difflib.SequenceMatcher(None)
    matcher.set_seq2(typed)  # difflib indexes the second sequence once, for every name
    scored: dict[str, float] = {}
    for name in _worth_comparing(typed, names):
        score = _closeness(matcher, typed, name)
        if score > 0:
            scored[name] = score
    # in difflib.get_close_matches's order: the later name first among names as close
    ranked = sorted(scored, key=lambda name: (scored[name], name), reverse=True)
    return ranked[:limit]


def _closeness(matcher: difflib.SequenceMatcher[str], typed: str, name: str) -> float:
    """difflib's ratio of `typed` to the name or to its beginning, whichever is closer; 0 when
    neither reaches its cutoff."""
    best = 0.0
    matcher.set_seq1(name)
    if matcher.real_quick_ratio() >= CUTOFF and matcher.quick_ratio() >= CUTOFF:
        whole = matcher.ratio()
        if whole >= CUTOFF:
            best = whole
    if len(typed) >= SHORTEST_PREFIX and len(name) > len(typed):
        # a beginning one letter longer too: the typo may have dropped one
        for end in (len(typed), len(typed) + 1):
            matcher.set_seq1(name[:end])
            if matcher.quick_ratio() >= PREFIX_CUTOFF:
                beginning = matcher.ratio()
                if beginning >= PREFIX_CUTOFF:
                    best = max(best, beginning * 0.99)  # a whole name as close is likelier
    return best


def _worth_comparing(typed: str, names: Sequence[str]) -> list[str]:
    """The names likeliest to be what `typed` meant, at most MOST_COMPARED of them."""
    if len(typed) < SHORTEST_CUT:
        longest = int(len(typed) / CUTOFF * 2) + 1  # longer ones cannot reach CUTOFF
        short = [name for name in names if len(name) <= longest]
        if len(typed) < SHORTEST_PREFIX:
            return short
        # a longer name may still begin with what was meant (`waine` for `wayne-prod-...`)
        longer = [name for name in names if len(name) > longest and SEPARATOR not in name]
        return short + _holding_pieces(typed, longer)[:MOST_COMPARED]
    odd: list[str] = []
    if SEPARATOR in "".join(names):  # a name from the service may hold anything
        odd = [name for name in names if SEPARATOR in name]
        names = [name for name in names if SEPARATOR not in name]
    return odd + _holding_pieces(typed, names)[: MOST_COMPARED - len(odd)]


def _holding_pieces(typed: str, names: Sequence[str]) -> list[str]:
    """The names holding pieces of `typed` near their places, likeliest first."""
    pieces = _pieces(typed, max(3, min(MOST_PIECES, len(typed) // PIECE_LENGTH)))
    slack = min(len(pieces) - 1, MOST_MOVED)
    # Names apart by more than two slacks: a name's places, each moved by up to a slack
    # either way, never meet another name's.
    gap = SEPARATOR * (2 * slack + 1)
    joined = gap + gap.join(names)
    held: Counter[int] = Counter()  # where a name's gap starts -> the pieces it holds
    lined_up: Counter[int] = Counter()  # where a name would begin for a piece to be in place
    for offset, piece in pieces:
        low, high = max(0, offset - slack), offset + slack
        near = re.compile(f"{gap}[^{SEPARATOR}]{{{low},{high}}}{re.escape(piece)}")
        found = list(near.finditer(joined))
        held.update(map(re.Match.start, found))
        lined_up.update(map(operator.sub, map(re.Match.end, found), repeat(len(piece) + offset)))
    # Of the names holding the most pieces, those holding the most lined up alike come first
    # (a name the typo is not of holds its pieces here and there), then those about as long.
    scored: dict[str, tuple[int, int]] = {}
    for start, count in held.most_common(MOST_WEIGHED):
        begins = start + len(gap)
        alike = max(map(lined_up.get, range(begins - slack, begins + slack + 1), repeat(0)))
        end = joined.find(SEPARATOR, begins)
        name = joined[begins:] if end < 0 else joined[begins:end]
        scored[name] = (count + alike, -abs(len(name) - len(typed)))
    return sorted(scored, key=scored.__getitem__, reverse=True)


def _pieces(typed: str, count: int) -> list[tuple[int, str]]:
    """`typed` cut into `count` pieces of nearly equal length, each with its offset."""
    size, extra = divmod(len(typed), count)
    out: list[tuple[int, str]] = []
    at = 0
    for number in range(count):
        length = size + (1 if number < extra else 0)
        out.append((at, typed[at : at + length]))
        at += length
    return out
