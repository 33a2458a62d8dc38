"""One login at a time per session, across processes.

A second `ssotui login` (or the picker) started while one is in progress waits for it, then
uses the token it got instead of opening another browser tab. The lock is an flock on
`<ssotui cache>/login/<session cache key>.lock`, not a file in `~/.aws`, and not the token
file's own lock: a refresh in another process must not wait minutes for a browser. The lock is
released when its holder ends, even when it is killed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from tui import paths
from tui.errors import FileWriteError, LoginCancelled
from tui.models import SsoSession
from tui.store.files import NEW_FILE_MODE, ensure_dir

POLL = 0.1  # seconds between attempts while another login holds the lock


def lock_path(session: SsoSession) -> Path:
    """The lock file of a session's logins."""
    return paths.cache_dir() / "login" / f"{session.cache_key}.lock"


@contextlib.contextmanager
def one_login_at_a_time(
    session: SsoSession,
    *,
    cancelled: Callable[[], bool] | None = None,
    waiting: Callable[[], object] | None = None,
    sleep: Callable[[float], object] = time.sleep,
) -> Iterator[bool]:
    """Hold the session's login lock while the block runs; yields True when it had to wait.

    `waiting()` is called once when another login holds the lock. Raises LoginCancelled when
    `cancelled()` turns true while waiting, FileWriteError when the lock cannot be taken.
    """
    path = lock_path(session)
    ensure_dir(path.parent)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, NEW_FILE_MODE)
    except OSError as exc:
        raise FileWriteError(f"cannot create the login lock {path}: {exc.strerror}") from None
    waited = False
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                pass  # another login holds it
            except OSError as exc:
                raise FileWriteError(f"cannot lock {path}: {exc.strerror}") from None
            if not waited:
                waited = True
                if waiting is not None:
                    waiting()
            if cancelled is not None and cancelled():
                raise LoginCancelled(f"login to session {session.label} was cancelled")
            sleep(POLL)
        yield waited
    finally:
        os.close(fd)  # also releases the lock
