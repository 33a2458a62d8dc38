"""The picker's idea of "now", and times worded against it (countdowns, ages, time left).

One function the whole UI asks for the time, so snapshot tests can freeze what is displayed;
the words are those of `tui.durations`, as on the command line.
"""

from __future__ import annotations

import math
from datetime import datetime

from tui import durations
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
    """Time left in words: "2h 05m", "14m", "45s", or "expired" (see `tui.durations`)."""
    return durations.time_left(until, now())


def expiry(moment: datetime) -> str:
    """When something expires, for a person: "2026-11-30 18:05 CET (in 59m)"."""
    return durations.expiry(moment, now())


def age(since: datetime) -> str:
    """How long ago `since` was: "just now", "3m ago", "2h 05m ago", "4d ago"."""
    return durations.age(since, now())
