"""How long something lasts, or how long ago it was, in words: the same wherever it is said.

The picker's status line, its notices and the command line's messages all word a span of time
this way ("2h 05m", "14m", "45s", "4d"), so a token's time left or a catalog's age reads the
same in the picker, in `ssotui doctor` and in a failed lookup's advice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tui.local_time import local_time
from tui.models import utcnow


def span(delta: timedelta) -> str:
    """A length of time: "45s", "14m", "2h 05m" (under two days), "4d"."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {minutes:02d}m"
    return f"{hours // 24}d"


def time_left(until: datetime, now: datetime | None = None) -> str:
    """Time left until `until`: "2h 05m", "14m", "45s", or "expired"."""
    seconds = int((until - (now or utcnow())).total_seconds())
    if seconds <= 0:
        return "expired"
    return span(timedelta(seconds=seconds))


def expiry(moment: datetime, now: datetime | None = None) -> str:
    """When something expires, for a person: "2026-11-30 18:05 CET (in 59m)"."""
    left = time_left(moment, now)
    return local_time(moment) + (" (expired)" if left == "expired" else f" (in {left})")


def age(since: datetime, now: datetime | None = None) -> str:
    """How long ago `since` was: "just now", "3m ago", "2h 05m ago", "4d ago"."""
    delta = (now or utcnow()) - since
    if delta < timedelta(seconds=60):
        return "just now"
    return f"{span(delta)} ago"
