"""The picker's idea of "now" and how it words times (countdowns, ages).

One function the whole UI asks for the time, so snapshot tests can freeze what is displayed.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from tui.local_time import local_time
from tui.models import utcnow


def now() -> datetime:
    """The current time (UTC) as the picker shows it."""
    return utcnow()


def countdown(until: datetime) -> str:
    """Time left until `until` as m:ss (rounded up, so it reads 10:00 at the start)."""
    seconds = max(0, math.ceil((until - now()).total_seconds()))
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}:{secs:02d}"


def time_left(until: datetime) -> str:
    """Time left in words: "2h 05m", "14m", "45s", or "expired"."""
    seconds = int((until - now()).total_seconds())
    if seconds <= 0:
        return "expired"
    return _span(timedelta(seconds=seconds))


def expiry(moment: datetime) -> str:
    """When something expires, for a person: "2026-11-30 18:05 CET (in 59m)"."""
    left = time_left(moment)
    return local_time(moment) + (" (expired)" if left == "expired" else f" (in {left})")


def age(since: datetime) -> str:
    """How long ago `since` was: "just now", "3m ago", "2h 05m ago", "4d ago"."""
    delta = now() - since
    if delta < timedelta(seconds=60):
        return "just now"
    return f"{_span(delta)} ago"


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {minutes:02d}m"
    return f"{hours // 24}d"
