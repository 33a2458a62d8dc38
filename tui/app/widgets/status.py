"""The status line: session, token time left (ticking), catalog age and loading progress (and the
pace Identity Center throttles it to), and the region the highlighted account's credentials get.

At a narrow width each part falls back to a shorter form, least needed first, so the line still
says everything at 80 columns; narrower, whole parts give way, least useful first (the session,
the token's time left and the catalog's age stay longest), and what still does not fit ends in
"…", never cut mid-word: a note (a failure, what Enter does) keeps its first words.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget

from tui.app import clock
from tui.app.model import Progress
from tui.app.shown import shown

WARN_BEFORE = timedelta(minutes=15)
SEPARATOR = " · "


@dataclass(frozen=True)
class Part:
    """One part of the line: its full form, a shorter one for narrow terminals, its style, and
    when it gives way: `shrink_order` to its short form, then `keep` to none at all."""

    full: str
    short: str
    style: str = ""
    shrink_order: int = 0  # lower shrinks first
    keep: int = 0  # lower goes first when even the short forms do not fit; the session's is top
    cut_at_words: bool = False  # too wide for the room left: its first words and "…", not gone


# How long each kind of part stays when the line is too narrow for all (higher stays longer).
KEEP_SESSION, KEEP_TOKEN, KEEP_NOTE, KEEP_FAILED, KEEP_AGE = 9, 8, 7, 6, 5
KEEP_PACE, KEEP_REGION, KEEP_COUNT, KEEP_CACHED = 4, 3, 2, 1
FEWEST_CELLS = 6  # a part cut shorter than this (with its "…") says nothing: cut the line


class StatusLine(Widget):
    """One line, redrawn every second so the countdown moves."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        background: $panel;
        color: $text;
        padding: 0 1;
    }
    """

    def __init__(self, session_label: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session_label = shown(session_label)
        self.token_expires: datetime | None = None
        self.token_renewable = False
        self.logged_in = False
        self.fetched_at: datetime | None = None
        self.from_cache = False
        self.progress = Progress()
        self.accounts = 0
        self.note = ""
        self.aws_region: str | None = None
        self.region_known = False  # False: no account highlighted, nothing to say

    def on_mount(self) -> None:
        self.set_interval(1.0, self.refresh)

    def show_token(self, expires_at: datetime | None, *, renewable: bool = False) -> None:
        """The token's expiry (None: not logged in); `renewable`: a refresh token can renew it,
        so it is not shown as expired."""
        self.token_expires = expires_at
        self.token_renewable = renewable
        self.logged_in = expires_at is not None
        self.refresh()

    def show_catalog(
        self, *, fetched_at: datetime | None, from_cache: bool, progress: Progress, accounts: int
    ) -> None:
        """The catalog's age and how far a fetch has got."""
        self.fetched_at = fetched_at
        self.from_cache = from_cache
        self.progress = progress
        self.accounts = accounts
        self.refresh()

    def show_note(self, note: str) -> None:
        """A short note at the end of the line (empty to clear)."""
        if note != self.note:
            self.note = note
            self.refresh()

    def show_region(self, region: str | None, *, known: bool = True) -> None:
        """The region the highlighted account's credentials get (None: none); `known` False
        when no account is highlighted."""
        if (region, known) != (self.aws_region, self.region_known):
            self.aws_region, self.region_known = region, known
            self.refresh()

    def parts(self) -> list[Part]:
        """What the line says, in order."""
        parts = [
            Part("ssotui", "", "bold", shrink_order=0),
            Part(self.session_label, self.session_label, "bold", 9, KEEP_SESSION),
            self._token_part(),
            *self._catalog_parts(),
        ]
        if self.region_known:
            if self.aws_region:
                parts.append(Part(f"region {self.aws_region}", self.aws_region, "", 3, KEEP_REGION))
            else:
                parts.append(Part("no region", "", "dim", shrink_order=2))
        if self.note:
            parts.append(Part(self.note, self.note, "italic", 9, KEEP_NOTE, cut_at_words=True))
        return parts

    def _token_part(self) -> Part:
        if not self.logged_in or self.token_expires is None:
            return Part("not logged in", "not logged in", "bold red", 9, KEEP_TOKEN)
        left = clock.time_left(self.token_expires)
        soon = self.token_expires - clock.now() < WARN_BEFORE
        style = "bold yellow" if soon else ""
        if left == "expired" and self.token_renewable:  # the next call renews it
            return Part("token renews on next use", "token renews", style, 9, KEEP_TOKEN)
        if left == "expired":
            return Part("token expired", "token expired", style, 9, KEEP_TOKEN)
        return Part(f"token {left} left", f"{left} left", style, 4, KEEP_TOKEN)

    def _catalog_parts(self) -> Iterator[Part]:
        progress = self.progress
        if progress.loading:
            done, accounts = progress.roles_done, progress.accounts
            if progress.again:  # no page of accounts: the roles of those that failed
                full, short = f"listing roles again: {done}/{accounts}", f"again {done}/{accounts}"
            elif not accounts:  # before the first page
                full, short = "loading accounts…", "loading…"
            else:
                full = f"loading: {accounts} accounts, roles {done}/{accounts}"
                short = f"loading {done}/{accounts}"
            yield Part(full, short, "italic", 1, KEEP_AGE)
            if progress.paced is not None:  # why it crawls: 10,000 accounts take minutes
                pace = progress.paced.words(accounts - done)
                yield Part(pace, "throttled", "yellow", 2, KEEP_PACE)
            if self.fetched_at is not None:
                yield Part(f"cached {clock.age(self.fetched_at)}", "", "", 1, KEEP_CACHED)
        elif self.fetched_at is None:
            yield Part("no catalog yet", "no catalog yet", "", 9, KEEP_AGE)
        else:
            age = clock.age(self.fetched_at)
            yield Part(f"{self.accounts} accounts", f"{self.accounts} accounts", "", 9, KEEP_COUNT)
            yield Part(f"catalog {age}", age, "", 1, KEEP_AGE)
        if progress.failed:
            failed = f"{progress.failed} failed"
            yield Part(failed, failed, "bold red", 9, KEEP_FAILED)

    def render(self) -> RenderResult:
        return line_text(self.parts(), self.content_size.width)


def line_text(parts: list[Part], width: int) -> Text:
    """The line of `parts` as drawn in `width` cells (0: as wide as it takes)."""
    chosen = _fit(parts, width) if width else [p.full for p in parts]
    text = Text(no_wrap=True)
    for part, shown_text in zip(parts, chosen, strict=True):
        if not shown_text:
            continue
        if text:
            text.append(SEPARATOR)
        text.append(shown_text, style=part.style)
    if width:
        text.truncate(width, overflow="ellipsis")  # "…" where it is cut, never a bare cut
    return text


def _fit(parts: list[Part], width: int) -> list[str]:
    """Each part's text at `width` cells ("" for a part left out): short forms first, least
    needed first; if even those are too wide, the most useful parts that fit (a note that does
    not: its first words and "…"), back in their full forms where there is room; if the
    session and the token's time left alone are too wide, the session label cut with "…"."""
    chosen = [p.full for p in parts]
    for n in sorted(range(len(parts)), key=lambda k: parts[k].shrink_order):
        if _width(chosen) <= width:
            return chosen
        chosen[n] = parts[n].short
    if _width(chosen) <= width:
        return chosen
    by_use = sorted(range(len(parts)), key=lambda k: parts[k].keep, reverse=True)
    session, token = by_use[:2]
    kept = [""] * len(parts)
    for n in by_use:
        tried = [*kept[:n], chosen[n], *kept[n + 1 :]]
        if n in (session, token) or _width(tried) <= width:
            kept = tried
        elif parts[n].cut_at_words:
            room = width - _width(tried) + cell_len(chosen[n])
            kept[n] = first_words(chosen[n], room)
    for n in sorted(range(len(parts)), key=lambda k: parts[k].shrink_order):
        if kept[n]:
            grown = [*kept[:n], parts[n].full, *kept[n + 1 :]]
            if _width(grown) <= width:
                kept = grown
    over = _width(kept) - width
    room = cell_len(kept[session]) - over - 1  # what is left of the label, before its "…"
    if over > 0 and room >= FEWEST_CELLS:
        kept[session] = set_cell_size(kept[session], room) + "…"
    return kept


def _width(texts: list[str]) -> int:
    kept = [t for t in texts if t]
    return sum(cell_len(t) for t in kept) + cell_len(SEPARATOR) * max(0, len(kept) - 1)


def first_words(text: str, room: int) -> str:
    """The most whole words of `text` that fit in `room` cells with "…" after them, trailing
    punctuation dropped ("catalog fetch…"); "" when fewer than FEWEST_CELLS would be left.
    Words end only at spaces: no word is cut, nor a character (a wide one, a stand-in)."""
    words = text.split(" ")
    for count in range(len(words) - 1, 0, -1):
        cut = " ".join(words[:count]).rstrip(" ,;:.-") + "…"
        if cell_len(cut) <= room:
            return cut if cell_len(cut) >= FEWEST_CELLS else ""
    return ""
