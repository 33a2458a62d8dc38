"""The line of callers waiting for the pacer: one slot every 1/rate seconds, served in turn.

Each caller takes a ticket; ticket k's slot is `base_time + (k - base_ticket) / rate`. When
the rate changes the slots are counted afresh from the head of the line, so callers already
waiting move with the new rate instead of keeping the slot they were given. A caller sent to
the front (`to_front`) takes the first ticket still waiting, and each one it passes the next
one's: the slots themselves stay as they were. Not thread-safe: the Pacer holds its lock
around every use.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Turn:
    """A caller's place in line."""

    ticket: int
    since: float  # when it joined
    generation: int = 0  # the pace it was let through at (set then)


class Line:
    """Tickets and the slot times they are let through at."""

    def __init__(self) -> None:
        self.issued = 0  # tickets handed out
        self.head = 0  # every ticket below this one has been let through
        self._base_ticket = 0
        self._base_time = 0.0
        self._last_sent: float | None = None
        self._waiting: dict[int, Turn] = {}  # by ticket

    @property
    def waiting(self) -> int:
        """Callers in line, not yet let through."""
        return self.issued - self.head

    def join(self, now: float, rate: float | None) -> Turn:
        """A new caller at the back; a line that had emptied starts from now (idle time
        earns no burst of slots)."""
        turn = Turn(self.issued, now)
        self.issued += 1
        self._waiting[turn.ticket] = turn
        if rate is not None and turn.ticket == self.head and self.slot(turn.ticket, rate) < now:
            self.restart(now, rate, turn.ticket)
        return turn

    def slot(self, ticket: int, rate: float) -> float:
        """When `ticket` may go at `rate`."""
        return self._base_time + (ticket - self._base_ticket) / rate

    def spaced(self, rate: float) -> float:
        """The earliest time the next caller may go at `rate`: one interval after the last
        caller let through (callers woken late go one by one, not together)."""
        return float("-inf") if self._last_sent is None else self._last_sent + 1.0 / rate

    def restart(self, now: float, rate: float, ticket: int | None = None) -> None:
        """Count slots afresh at `rate` from `ticket` (default: the head of the line), one
        interval after the last caller let through."""
        self._base_ticket = self.head if ticket is None else ticket
        after_last = now if self._last_sent is None else self._last_sent + 1.0 / rate
        self._base_time = max(now, after_last)

    def let_through(self, turn: Turn, now: float) -> None:
        """`turn` goes now."""
        self._waiting.pop(turn.ticket, None)
        self.head = max(self.head, turn.ticket + 1)
        self._last_sent = now

    def to_front(self, turn: Turn) -> None:
        """`turn` (waiting) goes before every caller waiting ahead of it: it takes the first
        ticket still waiting, and each caller it passes the ticket of the one behind it."""
        tickets = sorted(ticket for ticket in self._waiting if ticket <= turn.ticket)
        if self._waiting.get(turn.ticket) is not turn or tickets[0] == turn.ticket:
            return  # let through already, or first already
        passed = [self._waiting[ticket] for ticket in tickets[:-1]]
        for ticket, moved in zip(tickets, [turn, *passed], strict=True):
            moved.ticket = ticket
            self._waiting[ticket] = moved
