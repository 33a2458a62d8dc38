"""How a moment is written for a person to read: local time, with its zone.

Files and the AWS tools keep UTC (ISO 8601); people read their own clock.
"""

from __future__ import annotations

from datetime import UTC, datetime

# Zone names that say "this is UTC": shown only for a time that is.
_UTC_NAMES = frozenset({"UTC", "GMT", "UT", "Z", "ZULU"})


def local_time(moment: datetime, *, seconds: bool = False) -> str:
    """`moment` in this machine's local time with the zone, e.g. "2026-11-30 18:05 CET"; a
    moment local time cannot hold (the last day of year 9999 east of UTC, the first of year 1
    west of it, which some tools write for "never" and "long ago") stays in UTC."""
    try:
        local = moment.astimezone()
    except (OverflowError, ValueError, OSError):
        local = moment.astimezone(UTC)
    zone = local.tzname() or ""
    if not zone or (zone.upper() in _UTC_NAMES and local.utcoffset()):
        # POSIX TZ=UTC-14 is named "UTC" and 14 hours east of it: the offset says which time
        zone = local.strftime("%z")
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + f" {zone}"
