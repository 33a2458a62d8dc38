"""Safe file writes: atomic replace, kept modes, followed symlinks, and an inter-process lock.

Every file ssotui writes goes through `write_atomic` (and `locked` when it reads, changes and
writes back), so a crash leaves the old file and concurrent ssotui runs lose nothing.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from tui.errors import FileWriteError

NEW_FILE_MODE = 0o600
NEW_DIR_MODE = 0o700


def resolve_target(path: Path) -> Path:
    """The file a write to `path` should change: a symlink is followed to its target."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def ensure_dir(folder: Path) -> None:
    """Create `folder` (and parents) 0700 when missing; an existing folder is left as it is."""
    # Path.mkdir(parents=True) gives missing parents the default mode (often 0755), so
    # ~/.aws would not be private: create each missing level 0700 ourselves.
    missing: list[Path] = []
    level = folder
    while not level.exists() and level != level.parent:
        missing.append(level)
        level = level.parent
    try:
        for part in reversed(missing):
            part.mkdir(mode=NEW_DIR_MODE, exist_ok=True)
    except OSError as exc:
        raise FileWriteError(f"cannot create folder {folder}: {exc.strerror}") from exc


STALE_TEMP_AGE = 60.0  # seconds: a temp file this old belongs to a writer that was killed


def _remove_stale_temps(target: Path) -> None:
    """Delete temp files of `target` left by a killed writer (they may hold a copy of secrets)."""
    cutoff = time.time() - STALE_TEMP_AGE
    for leftover in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            if leftover.lstat().st_mtime < cutoff:
                leftover.unlink()


def write_atomic(path: Path, data: bytes | str, *, mode: int | None = None) -> None:
    """Replace `path` with `data` atomically (temp file in the same folder, fsync, rename).

    An existing file keeps its mode; a new one gets `mode` (default 0600). A symlinked path
    is followed so the link itself stays a link. Temp files a killed writer left behind are
    removed once they are a minute old.
    """
    target = resolve_target(path)
    ensure_dir(target.parent)
    _remove_stale_temps(target)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        keep = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        keep = NEW_FILE_MODE if mode is None else mode
    except OSError as exc:
        raise FileWriteError(f"cannot read {target}: {exc.strerror}") from exc
    tmp_name = ""
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            os.fchmod(fd, keep)
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
            raise
        os.replace(tmp_name, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            if tmp_name:
                os.unlink(tmp_name)
        raise FileWriteError(
            f"cannot write {target}: {exc.strerror or exc}; the old file is unchanged"
        ) from exc
    with contextlib.suppress(OSError):
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `<path>.lock` (beside the real target) while the block runs."""
    target = resolve_target(path)
    ensure_dir(target.parent)
    lock_path = target.with_name(target.name + ".lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, NEW_FILE_MODE)
    except OSError as exc:
        raise FileWriteError(f"cannot lock {target}: {exc.strerror}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def read_text(path: Path) -> str | None:
    """The exact text of `path` (line endings kept), or None when it does not exist."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:  # keep CRLF as it is
            return handle.read()
    except FileNotFoundError:
        return None
