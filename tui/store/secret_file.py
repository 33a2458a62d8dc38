"""Files that hold secrets and belong to no one else: the SSO token cache and registrations.

Written as botocore's JSONFileCache writes them: a temp file in the same folder, then a rename
over the path. A symlink at the path is replaced by the new file, never written through (the
token would otherwise land wherever the link points, with that file's mode), and the file is
0600 whatever mode an older one had.
"""

from __future__ import annotations

import stat
from pathlib import Path

from tui.store.files import ensure_dir, replace_file

SECRET_FILE_MODE = 0o600
# Permission bits that let someone other than the owner read or change the file.
OPEN_TO_OTHERS = stat.S_IRWXG | stat.S_IRWXO


def write_secret_file(path: Path, data: str) -> None:
    """Replace `path` with `data`, 0600, atomically; a symlink at `path` is replaced, not followed.

    Raises FileWriteError (one line; the old file is left as it was) when it cannot be written.
    """
    ensure_dir(path.parent)
    replace_file(path, data.encode("utf-8"), SECRET_FILE_MODE)


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
