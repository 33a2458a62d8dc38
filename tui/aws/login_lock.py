"""One login at a time per session, across processes.

A second `ssotui login` (or the picker) started while one is in progress waits for it, then
uses the token it got instead of opening another browser tab. The lock is an flock on
`<ssotui cache>/login/<session cache key>.lock`, not a file in `~/.aws`, and not the token
file's own lock: a refresh in another process must not wait minutes for a browser. The lock is
released when its holder ends, even when it is killed.

A login that waits for the lock also holds a shared lock on `<key>.wanted`, so that a login
only waiting for the user (the picker's login screen, perhaps in a terminal nobody looks at)
can see that someone started a login elsewhere and give way to it (`another_login_waits`).
That file is only a hint: one that cannot be opened (or is a symlink) is not followed, and the
login waits all the same.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from tui.errors import FileWriteError, LoginCancelled
from tui.models import SsoSession
from tui.paths import Paths
from tui.store.files import NEW_FILE_MODE, ensure_dir, open_lock

POLL = 0.1  # seconds between attempts while another login holds the lock


def lock_path(paths: Paths, session: SsoSession) -> Path:
    """The lock file of a session's logins, in ssotui's cache folder of `paths`."""
    return paths.cache_dir / "login" / f"{session.cache_key}.lock"


def wanted_path(paths: Paths, session: SsoSession) -> Path:
    """The file logins waiting for the lock hold a shared lock on."""
    return lock_path(paths, session).with_suffix(".wanted")


def _open_wanted(paths: Paths, session: SsoSession) -> int | None:
    """The `.wanted` file, made if missing; None when it cannot be opened (a directory, an
    unreadable or foreign file, a symlink): a hint, so a login then waits without giving it."""
    path = wanted_path(paths, session)
    try:
        ensure_dir(path.parent)
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, NEW_FILE_MODE)
    except (OSError, FileWriteError):
        return None


def another_login_waits(paths: Paths, session: SsoSession) -> bool:
    """True while another login (another process) waits for this session's login lock."""
    try:
        fd = os.open(wanted_path(paths, session), os.O_RDWR | os.O_NOFOLLOW)
    except OSError:
        return False  # nobody ever waited: the file is made by the first to wait
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True  # a waiter holds it shared
    finally:
        os.close(fd)  # also releases the probe's lock
    return False


def held_elsewhere(paths: Paths, session: SsoSession) -> bool:
    """True while another login (another process, or another thread's lock) holds this
    session's login lock. A free lock is taken for an instant by the look."""
    try:
        fd = os.open(lock_path(paths, session), os.O_RDWR)
    except OSError:
        return False  # no login ever ran: the file is made by the first
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # also releases the look's lock
    return False


def _say_wanted(fd: int) -> bool:
    """Take the shared lock that tells a holder someone waits; False when it is busy (a
    holder's probe, for an instant: tried again at the next poll)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


@contextlib.contextmanager
def one_login_at_a_time(
    paths: Paths,
    session: SsoSession,
    *,
    cancelled: Callable[[], bool] | None = None,
    waiting: Callable[[], object] | None = None,
    sleep: Callable[[float], object] = time.sleep,
    asks_to_go_first: bool = True,
) -> Iterator[bool]:
    """Hold the session's login lock while the block runs; yields True when it had to wait.

    `waiting()` is called once when another login holds the lock. While it waits, a login that
    `asks_to_go_first` lets the holder know (`another_login_waits`); one that gave way itself
    does not, or two pickers would hand the lock to and fro. Raises LoginCancelled when
    `cancelled()` turns true while waiting, FileWriteError when the lock cannot be taken.
    """
    path = lock_path(paths, session)
    fd = open_lock(path, f"the login to session {session.label}", follow=True)
    wanted: int | None = None
    asked = not asks_to_go_first
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
            if not asked:
                if wanted is None:
                    wanted = _open_wanted(paths, session)
                asked = wanted is None or _say_wanted(wanted)
            if cancelled is not None and cancelled():
                raise LoginCancelled(f"login to session {session.label} was cancelled")
            sleep(POLL)
        if wanted is not None:
            os.close(wanted)  # no longer waiting (also releases its lock)
            wanted = None
        yield waited
    finally:
        if wanted is not None:
            os.close(wanted)
        os.close(fd)  # also releases the lock
