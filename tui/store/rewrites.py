"""A file another program rewrites in place, read again when a read caught it half-way.

`aws configure set` rewrites `~/.aws/config` in place: it opens it with O_TRUNC, then writes
the whole text (one write, or several for a large file). A read in between finds the file empty
(no session at all: "no SSO session configured") or cut short ("malformed"): measured here, 15
reads of 17,400 made during 30 `aws configure set` found it empty.

So a read is looked at again when it may have caught such a rewrite: the file changed while it
was read (its stat before and after differ), or it was changed within `RECENT_NS` before and
the read failed (it could not be parsed) or found nothing, and the file changes within
`PATIENCE` (looked at every `WAIT`). Then it is read anew, up to `READS` times in all. A file
that is really malformed or empty gives the same answer as before, `PATIENCE` later, once per
process (`_settled`); one changed longer ago (an empty credentials file, common and old; a
config file malformed since yesterday) and a read that found something, no later at all. Only
a regular file is read again: a pipe's text (`<(…)`) can be read once only.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

READS = 3  # in all
# The writer empties and writes microseconds apart, unless the system holds it in between (a
# loaded machine's scheduler: 0.3 s seen, in CI, with the suite on three workers): a failed
# read waits this long for the file to change. A file that is really empty or malformed, and
# was changed in the last `RECENT_NS`, costs a command this once.
WAIT = 0.025  # seconds between looks
PATIENCE = 0.5  # seconds in all
# A loaded machine may hold the writer between emptying and writing for seconds (seen: 5 s).
RECENT_NS = 10_000_000_000
# (path, stat) of files found unchanged after a failed or empty read: no second wait for them
_settled: set[tuple[str, tuple[int, ...] | None]] = set()


def _stat(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except (OSError, ValueError):
        return None


def _key(info: os.stat_result | None) -> tuple[int, ...] | None:
    """What changes when the file is rewritten: truncating and writing change mtime and ctime
    (a rename puts another inode there)."""
    if info is None:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def read_whole(
    path: Path,
    info: os.stat_result | None,
    seen_at_ns: int,
    read: Callable[[], T],
    *,
    empty: Callable[[T], bool],
    failures: tuple[type[Exception], ...],
) -> tuple[T, os.stat_result | None, int]:
    """What `read()` gives of the file at `path` (whose stat `info` was taken at `seen_at_ns`,
    time.time_ns, before it), read again when it may have caught a rewrite in place (see the
    module's docstring): it raised one of `failures` or gave something `empty`, of a file just
    changed, and the file changed. Returns what the last read gave, the stat taken before it
    (None: no file) and when; raises what it raised."""
    if info is None or not stat.S_ISREG(info.st_mode):  # a pipe's text is read once only
        return read(), info, seen_at_ns
    for attempt in range(1, READS + 1):
        just_changed = info is not None and seen_at_ns - info.st_ctime_ns < RECENT_NS
        try:
            result = read()
        except failures:
            if attempt == READS or not _caught(path, info, suspect=just_changed):
                raise
        else:
            suspect = just_changed and empty(result)
            if attempt == READS or not _caught(path, info, suspect=suspect):
                return result, info, seen_at_ns
        seen_at_ns = time.time_ns()
        info = _stat(path)
    raise AssertionError("unreachable: the last read returns or raises")


def _caught(path: Path, info: os.stat_result | None, *, suspect: bool) -> bool:
    """Whether the read just made may have caught the file half-way through a rewrite: then the
    writer has been given time to finish, and the file should be read again. `suspect`: the
    read of a file just changed failed, or found nothing."""
    before = _key(info)
    if _key(_stat(path)) != before:  # it changed while it was read
        time.sleep(WAIT)
        return True
    if not suspect or (str(path), before) in _settled:
        return False
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        time.sleep(WAIT)
        if _key(_stat(path)) != before:
            time.sleep(WAIT)  # written now, or being written: a moment to finish
            return True
    _settled.add((str(path), before))
    return False
