"""Filtering rows by what the user types: multi-token substring matching with a cheap score.

Plain Python (no Textual) so it can be benchmarked on its own (`python -m tui.bench.keystrokes`).
Every token of the query must occur in a row's search key ("prod 1234" finds prod accounts whose
id contains 1234). Rows are ordered by their pinned rank (favourites, then recently used), then
by how well they match (prefix, then word start, then anywhere; the first column counts most),
then by their original order. A query that only narrows an earlier one searches that earlier
result instead of every row, and recent queries are remembered, so typing a word costs about one
full pass and deleting back costs nothing.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

WORD_SEPARATORS = " -_./@:()[]"
_INDEX_BITS = 24  # up to 16M rows; the sort key packs rank, tier and index into one int
_TIER_BITS = 16
_REMEMBERED = 64  # recent queries whose results are kept


@dataclass(frozen=True, slots=True)
class Row(Generic[T]):
    """One row of a list: the value it stands for, what is shown, and how it ranks.

    `columns` are shown side by side; the first is the name and matters most. `rank` pins rows
    ahead of others whatever the query (0 favourite, 1 recently used, 2 the rest). `mark` is a
    one-character marker drawn before the row, `mark_kind` names its style.
    """

    value: T
    columns: tuple[str, ...]
    rank: int = 2
    mark: str = ""
    mark_kind: str = ""
    dim: bool = False
    key: str = field(init=False, repr=False, compare=False)
    name_len: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lowered = [c.lower() for c in self.columns]
        object.__setattr__(self, "key", " ".join(lowered))
        object.__setattr__(self, "name_len", len(lowered[0]) if lowered else 0)


def query_tokens(query: str) -> tuple[str, ...]:
    """The lower-cased, whitespace-separated tokens of a query."""
    return tuple(query.lower().split())


def _refines(new: tuple[str, ...], old: tuple[str, ...]) -> bool:
    """True when every row matching `new` also matches `old` (each old token is in a new one)."""
    return all(any(o in n for n in new) for o in old)


class Matcher(Generic[T]):
    """Filters a fixed list of rows; keep one per list and call `filter` on every keystroke."""

    def __init__(self, rows: Sequence[Row[T]]) -> None:
        self.rows: Sequence[Row[T]] = rows
        # Base order: pinned rank first, then the order the rows were given in.
        self._all = sorted(range(len(rows)), key=lambda i: (rows[i].rank, i))
        self._results: OrderedDict[tuple[str, ...], list[int]] = OrderedDict({(): self._all})

    def filter(self, query: str) -> list[int]:
        """Indices into `rows` of the rows matching `query`, best first (do not modify)."""
        tokens = query_tokens(query)
        result = self._results.get(tokens)
        if result is None:
            result = self._match(tokens, self._narrowest_candidates(tokens))
            self._results[tokens] = result
            if len(self._results) > _REMEMBERED:
                self._results.popitem(last=False)
        else:
            self._results.move_to_end(tokens)
        return result

    def _narrowest_candidates(self, tokens: tuple[str, ...]) -> list[int]:
        """The smallest remembered result that every match of `tokens` must be in."""
        best = self._all
        for seen, result in self._results.items():
            if len(result) < len(best) and _refines(tokens, seen):
                best = result
        return best

    def _match(self, tokens: tuple[str, ...], candidates: Sequence[int]) -> list[int]:
        rows = self.rows
        seps = WORD_SEPARATORS
        scored: list[int] = []
        append = scored.append
        if len(tokens) == 1:
            (token,) = tokens
            spaced = " " + token
            for i in candidates:
                row = rows[i]
                key = row.key
                pos = key.find(token)
                if pos < 0:
                    continue
                if pos == 0:
                    tier = 0
                elif key[pos - 1] in seps or spaced in key:
                    tier = 2
                else:
                    tier = 4
                if pos >= row.name_len:
                    tier += 1
                append((((row.rank << _TIER_BITS) | tier) << _INDEX_BITS) | i)
        else:
            spaced_tokens = [(t, " " + t) for t in tokens]
            for i in candidates:
                row = rows[i]
                key = row.key
                tier = 0
                for token, spaced in spaced_tokens:
                    pos = key.find(token)
                    if pos < 0:
                        break
                    if pos == 0:
                        pass
                    elif key[pos - 1] in seps or spaced in key:
                        tier += 2
                    else:
                        tier += 4
                    if pos >= row.name_len:
                        tier += 1
                else:
                    append((((row.rank << _TIER_BITS) | tier) << _INDEX_BITS) | i)
        scored.sort()
        mask = (1 << _INDEX_BITS) - 1
        return [s & mask for s in scored]


def match_spans(text: str, tokens: Sequence[str]) -> list[tuple[int, int]]:
    """The (start, end) character spans of `text` where any token occurs, merged and sorted.

    Used to highlight matched characters of the few rows on screen, not in the filter pass.
    """
    if not tokens or not text:
        return []
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters lower-case to two; skip highlighting
        return []
    spans: list[tuple[int, int]] = []
    for token in tokens:
        start = lowered.find(token)
        while start >= 0:
            spans.append((start, start + len(token)))
            start = lowered.find(token, start + 1)
    if not spans:
        return []
    spans.sort()
    merged = [spans[0]]
    for start, end in spans[1:]:
        last_start, last_end = merged[-1]
        if start <= last_end:
            merged[-1] = (last_start, max(last_end, end))
        else:
            merged.append((start, end))
    return merged
