"""Files that hold secrets and belong to no one else: the SSO token cache and registrations.

Written as botocore's JSONFileCache writes them: a temp file in the same folder, then a rename
over the path. A symlink at the path is replaced by the new file, never written through (the
token would otherwise land wherever the link points, with that file's mode), and the file is
0600 whatever mode an older one had.
"""

from __future__ import annotations

import contextlib
import glob
import os
import stat
import tempfile
import time
from pathlib import Path

from tui.errors import FileWriteError
from tui.store.files import STALE_TEMP_AGE, ensure_dir

SECRET_FILE_MODE = 0o600
# Permission bits that let someone other than the owner read or change the file.
OPEN_TO_OTHERS = stat.S_IRWXG | stat.S_IRWXO


def _remove_stale_temps(path: Path) -> None:
    """Delete temp files a killed writer left beside `path` (they hold a copy of the secret)."""
    cutoff = time.time() - STALE_TEMP_AGE
    for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            if leftover.lstat().st_mtime < cutoff:
                leftover.unlink()


def write_secret_file(path: Path, data: str) -> None:
    """Replace `path` with `data`, 0600, atomically; a symlink at `path` is replaced, not followed.

    Raises FileWriteError (one line; the old file is left as it was) when it cannot be written.
    """
    ensure_dir(path.parent)
    _remove_stale_temps(path)
    tmp_name = ""
    try:
        # mkstemp creates the file 0600 (O_EXCL, whatever the umask), so no moment is readable.
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), SECRET_FILE_MODE)
            handle.write(data.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            if tmp_name:
                os.unlink(tmp_name)
        raise FileWriteError(
            f"cannot write {path}: {exc.strerror or exc}; the old file is unchanged"
        ) from None
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def mode_open_to_others(path: Path) -> int | None:
    """The permission bits of the file read at `path` when others may read or change it, else
    None (also None when there is no such file)."""
    try:
        st = path.stat()  # what a reader gets: a symlink's target
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    mode = stat.S_IMODE(st.st_mode)
    return mode if mode & OPEN_TO_OTHERS else None
