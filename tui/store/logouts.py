"""When the user last logged out of a session, so that nothing fetched before is used after.

`ssotui logout` deletes the token, the catalog and the kept role credentials, but a process
that fetched just before (a `credential_process` run by Terraform) can save what it got after
those deletions. So logout leaves its time here (`logouts/<session cache key>`, 0600, in
ssotui's cache folder), and a kept entry whose fetch started at or before it is ignored and
removed: the next login (maybe someone else's, on a shared machine) never reuses it.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path

from tui.models import SsoSession, utcnow
from tui.paths import Paths
from tui.store.secret_file import UntrustedFile, read_own_file, write_secret_file

FOLDER = "logouts"


def mark_path(paths: Paths, session: SsoSession) -> Path:
    """The file that holds the time of the session's last logout."""
    return paths.cache_dir / FOLDER / session.cache_key


def record(paths: Paths, session: SsoSession, when: datetime | None = None) -> datetime:
    """Note that the session was logged out at `when` (now); the time written."""
    when = (when or utcnow()).astimezone(UTC)
    write_secret_file(mark_path(paths, session), when.isoformat() + "\n")
    return when


def last(paths: Paths, session: SsoSession) -> datetime | None:
    """When the session was last logged out; None when never (or the mark is unreadable)."""
    with contextlib.suppress(OSError, ValueError, UntrustedFile):
        raw = read_own_file(mark_path(paths, session))
        if raw is not None:
            when = datetime.fromisoformat(raw.decode("utf-8").strip())
            if when.tzinfo is not None:
                return when
    return None


def started_before_logout(paths: Paths, session: SsoSession, started: datetime) -> bool:
    """Whether a fetch that started at `started` may have used a token of before the last
    logout (a tie counts as before: the safe side is one more fetch)."""
    logged_out = last(paths, session)
    return logged_out is not None and started <= logged_out
