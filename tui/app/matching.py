"""Filtering rows by what the user types: multi-token substring matching with a cheap score.

Plain Python (no Textual) so it can be benchmarked on its own (`python -m tui.bench.keystrokes`).
Every token of the query must occur in a row's search key ("prod 1234" finds prod accounts whose
id contains 1234). Rows are ordered by their pinned rank (favourites, then recently used), then
by how well they match (a whole id or e-mail, then a whole name, then prefix, then word start,
then anywhere; the first column counts most), then by their original order. A query that only
narrows an earlier one searches that earlier result instead of every row, and recent queries are
remembered, so typing a word costs about one full pass and deleting back costs nothing.

When no row has every token, a token may also match as a subsequence of the name ("umbsand"
finds "umbrella-sandbox"): the fuzzy fallback. Its rows rank after any whose tokens all occur
as words, the most compact matches first. Only the name counts for it: in ids and e-mails
nearly any few letters or digits occur in order.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

WORD_SEPARATORS = " -_./@:()[]\n"
COLUMN_BREAK = "\n"  # between the columns of a row's search key (names hold no line breaks)
_INDEX_BITS = 24  # up to 16M rows; the sort key packs rank, tier and index into one int
_TIER_BITS = 16
_REMEMBERED = 64  # recent queries whose results are kept
_FUZZY_SHIFT = 12  # in a fuzzy tier: tokens matched as subsequences, above the gaps
_MAX_GAP = (1 << _FUZZY_SHIFT) - 1


@dataclass(slots=True)
class Row(Generic[T]):
    """One row of a list: the value it stands for, what is shown, and how it ranks.

    `columns` are shown side by side; the first is the name and matters most. `rank` pins rows
    ahead of others whatever the query (0 favourite, 1 recently used, 2 the rest). `mark` is a
    one-character marker drawn before the row, `mark_kind` names its style.

    Nothing changes a row once it is built, but it is not frozen: a frozen dataclass sets each
    field through `object.__setattr__`, and 10,000 cached accounts are 10,000 rows built before
    the first picture (frozen, they took 2.5 times as long).
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
        # One lower() of the joined columns is each column lowered (the break is no letter, so
        # even a final sigma lowers alike), in one call instead of one per column.
        key = self.key = COLUMN_BREAK.join(self.columns).lower()
        end = key.find(COLUMN_BREAK)
        self.name_len = len(key) if end < 0 else end


def query_tokens(query: str) -> tuple[str, ...]:
    """The lower-cased, whitespace-separated tokens of a query."""
    return tuple(query.lower().split())


def _refines(new: tuple[str, ...], old: tuple[str, ...]) -> bool:
    """True when every row matching `new` also matches `old` (each old token is in a new one).

    It holds for the fuzzy fallback too: a subsequence of a row contains every substring of
    itself as a subsequence.
    """
    return all(any(o in n for n in new) for o in old)


def subsequence(token: str) -> re.Pattern[str]:
    """A pattern that `match`es a row's key when its first column (the name) holds the token's
    characters in order, taking the first of each in turn (possessive, so a miss costs one
    pass over the name, never a backtracking search)."""
    return re.compile("".join(f"[^{re.escape(c)}\n]*+{re.escape(c)}" for c in token))


class Matcher(Generic[T]):
    """Filters a fixed list of rows; keep one per list and call `filter` on every keystroke."""

    def __init__(self, rows: Sequence[Row[T]]) -> None:
        self.rows: Sequence[Row[T]] = rows
        # Base order: pinned rank first, then the order the rows were given in.
        # (a stable sort by rank keeps the given order among equals)
        self._all = sorted(range(len(rows)), key=[row.rank for row in rows].__getitem__)
        # query tokens -> (indices, whether they came from the fuzzy fallback)
        self._results: OrderedDict[tuple[str, ...], tuple[list[int], bool]] = OrderedDict(
            {(): (self._all, False)}
        )
        self.fuzzy = False  # the last `filter` fell back to subsequence matching

    def filter(self, query: str) -> list[int]:
        """Indices into `rows` of the rows matching `query`, best first (do not modify).

        Afterwards `fuzzy` says whether they are the fuzzy fallback's.
        """
        tokens = query_tokens(query)
        found = self._results.get(tokens)
        if found is None:
            result = self._match(tokens, self._narrowest_candidates(tokens, fuzzy=False))
            found = (result, False)
            if not result:
                found = (self._fuzzy(tokens, self._narrowest_candidates(tokens, fuzzy=True)), True)
            self._results[tokens] = found
            if len(self._results) > _REMEMBERED:
                self._results.popitem(last=False)
        else:
            self._results.move_to_end(tokens)
        self.fuzzy = found[1]
        return found[0]

    def _narrowest_candidates(self, tokens: tuple[str, ...], *, fuzzy: bool) -> list[int]:
        """The smallest remembered result that every match of `tokens` must be in.

        For the fuzzy fallback only a fuzzy result (or every row) will do: a word result does
        not hold the rows that match as subsequences only.
        """
        best = self._all
        for seen, (result, was_fuzzy) in self._results.items():
            if fuzzy and not was_fuzzy:
                continue
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
            whole, last = COLUMN_BREAK + token + COLUMN_BREAK, COLUMN_BREAK + token
            for i in candidates:
                row = rows[i]
                key = row.key
                pos = key.find(token)
                if pos < 0:
                    continue
                # A whole id or e-mail names one row: first, even before a name that is
                # another account's id; then a whole name; then the tiers below, from 2.
                if key.find(whole, row.name_len) >= 0 or key.endswith(last):
                    tier = 0
                elif pos == 0 and row.name_len == len(token):
                    tier = 1
                elif pos == 0:
                    tier = 2
                elif key[pos - 1] in seps or spaced in key:
                    tier = 4
                else:
                    tier = 6
                if tier > 1 and pos >= row.name_len:
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
        return _ordered(scored)

    def _fuzzy(self, tokens: tuple[str, ...], candidates: Sequence[int]) -> list[int]:
        """Rows where each token occurs as a word or as a subsequence of the name, most compact
        first."""
        if all(len(t) == 1 for t in tokens):  # a one-letter subsequence is a word: none
            return []
        rows = self.rows
        seps = WORD_SEPARATORS
        scored: list[int] = []
        append = scored.append
        if len(tokens) == 1:  # no row holds it as a word (or the word pass had found it)
            (token,) = tokens
            match = subsequence(token).match
            first, length = token[0], len(token)
            for i in candidates:
                row = rows[i]
                key = row.key
                found = match(key)
                if found is None:
                    continue
                start = key.find(first)
                score = found.end() - start - length  # the letters skipped in between
                score += 0 if start == 0 or key[start - 1] in seps else 2
                tier = (1 << _FUZZY_SHIFT) | min(score, _MAX_GAP)
                append((((row.rank << _TIER_BITS) | tier) << _INDEX_BITS) | i)
            return _ordered(scored)
        patterns = [(t, " " + t, subsequence(t).match) for t in tokens]
        for i in candidates:
            row = rows[i]
            key = row.key
            subsequences = 0
            score = 0
            for token, spaced, match in patterns:
                pos = key.find(token)
                if pos >= 0:  # as a word: the same tiers as `_match`
                    if pos:
                        score += 2 if key[pos - 1] in seps or spaced in key else 4
                    score += pos >= row.name_len
                    continue
                found = match(key)
                if found is None:
                    break
                start = key.find(token[0])
                subsequences += 1
                score += found.end() - start - len(token)  # the letters skipped in between
                score += 0 if start == 0 or key[start - 1] in seps else 2
                score += start >= row.name_len
            else:
                tier = (subsequences << _FUZZY_SHIFT) | min(score, _MAX_GAP)
                append((((row.rank << _TIER_BITS) | tier) << _INDEX_BITS) | i)
        return _ordered(scored)


def _ordered(scored: list[int]) -> list[int]:
    """The row indices of packed (rank, tier, index) scores, best first."""
    scored.sort()
    mask = (1 << _INDEX_BITS) - 1
    return [s & mask for s in scored]


def match_spans(text: str, tokens: Sequence[str], *, fuzzy: bool = False) -> list[tuple[int, int]]:
    """The (start, end) character spans of `text` where any token occurs, merged and sorted.

    With `fuzzy`, a token that does not occur in `text` but is a subsequence of it has its
    characters highlighted one by one. Used to highlight matched characters of the few rows
    on screen, not in the filter pass.
    """
    if not tokens or not text:
        return []
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters lower-case to two; skip highlighting
        return []
    spans: list[tuple[int, int]] = []
    for token in tokens:
        start = lowered.find(token)
        if start < 0 and fuzzy:
            spans.extend(_subsequence_spans(lowered, token))
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


def _subsequence_spans(text: str, token: str) -> list[tuple[int, int]]:
    """One-character spans of the token's characters in `text`, first of each in turn; none
    when `token` is not a subsequence of `text`."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for char in token:
        pos = text.find(char, pos)
        if pos < 0:
            return []
        spans.append((pos, pos + 1))
        pos += 1
    return spans
