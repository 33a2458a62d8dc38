"""Files that hold secrets and belong to no one else: the SSO token cache and registrations.

Written as botocore's JSONFileCache writes them: a temp file in the same folder, then a rename
over the path. A symlink at the path is replaced by the new file, never written through (the
token would otherwise land wherever the link points, with that file's mode), and the file is
0600 whatever mode an older one had.

Read only when the user (or root) could have written it, which botocore does not check: a token
file planted by another user (in a cache folder others can write to, say) would sign the user
in as whoever the token belongs to. The folder's own mode is not judged: botocore creates
`~/.aws/sso/cache` with the umask's mode (often 0755), and what matters is the file opened.

A file its group may change is read only when that group is the user's own (`shared_group`):
the JavaScript SDK writes token files with the umask's mode, 0664 under umask 002, which
systems set where each user has a private group; a group other users are in (`staff`, `users`,
a team's, one a setgid folder handed down) could change the token as any other user could.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from tui.errors import FileWriteError
from tui.store.files import (
    check_can_create_in,
    ensure_dir,
    file_kind,
    replace_file,
    what_to_do,
)

SECRET_FILE_MODE = 0o600
# Permission bits that let someone other than the owner read or change the file.
OPEN_TO_OTHERS = stat.S_IRWXG | stat.S_IRWXO


class UntrustedFile(Exception):
    """A secrets file someone other than the user may have written; `why` says what it is
    ("is a symlink", "belongs to another user (uid 1001)", ...)."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(f"{path} {why}")
        self.path = path
        self.why = why


def write_secret_file(path: Path, data: str) -> None:
    """Replace `path` with `data`, 0600, atomically; a symlink at `path` is replaced, not followed.

    Raises FileWriteError (one line; the old file is left as it was) when it cannot be written,
    or when a folder on its way may be changed by someone else (`refuse_open_folder`).
    """
    ensure_dir(path.parent)
    refuse_open_folder(path.parent)
    replace_file(path, data.encode("utf-8"), SECRET_FILE_MODE)


def check_writable(path: Path) -> None:
    """FileWriteError, one line, when `write_secret_file(path, ...)` would refuse or fail for
    the place itself, found before there is anything to write (a login asks the user for
    nothing it then cannot keep): the folder cannot be made, belongs to another user on its
    way (`refuse_open_folder`), takes no new file (read-only, not ours to write), or a folder
    stands at `path`. The folder is made (0700) when missing, as the write would make it. A
    full disk is not foreseen: only the write itself finds that.
    """
    folder = path.parent
    refuse_open_folder(folder)  # first: nothing is made in another user's folder
    ensure_dir(folder)
    try:
        kind = os.stat(folder).st_mode
    except OSError as exc:
        raise FileWriteError(f"cannot write in {folder}: {exc.strerror or exc}") from None
    if not stat.S_ISDIR(kind):
        raise FileWriteError(f"{folder} is {file_kind(kind)}, not a folder; move it away")
    try:
        if stat.S_ISDIR(os.lstat(path).st_mode):  # a symlink there is replaced: no matter
            raise FileWriteError(f"{path} is a folder; move it away")
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise FileWriteError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        check_can_create_in(folder)
    except OSError as exc:
        fix = (
            "make it writable"
            if exc.errno not in (errno.EROFS, errno.ENOSPC, errno.EDQUOT)
            else what_to_do(exc, folder)
        )
        raise FileWriteError(f"cannot write in {folder}: {exc.strerror or exc}; {fix}") from None


@dataclass(frozen=True)
class OpenFolder:
    """A folder on the way to secret files that someone else may change: `message` says which
    and what to do; `theirs` when it belongs to another user (refused), else it is open by its
    mode (said by `ssotui doctor`, not refused)."""

    message: str
    theirs: bool


def open_folder(folder: Path) -> OpenFolder | None:
    """The first folder of `folder` and those above it (symlinks followed: where the files
    really go) that someone else may change, as ssh judges a path for its keys: one that belongs
    to another user (root's are trusted; root itself judges no owner, as it writes in a user's
    HOME for `sudo`), that any user may change, or that a group others may be in may change
    (`shared_group`) — unless it has the sticky bit (/tmp), where no one may remove or rename
    another's files. As in ssh, the folders above the user's home folder (the account's, not
    $HOME) are not judged.

    Such a someone could not read the 0600 files written there, but could delete them, swap
    them for others, or plant files (a token that signs the AWS CLI in as someone else, a
    credentials file whose mode the next write keeps).
    """
    real = Path(os.path.realpath(folder))
    for level in _up_to_home(real):
        try:
            info = os.stat(level)
        except OSError:
            continue  # not there (yet): the one above decides who may make it
        mode = stat.S_IMODE(info.st_mode)
        why = ""
        theirs = info.st_uid not in (os.geteuid(), 0) and os.geteuid() != 0
        if theirs:
            why, fix = f"belongs to another user (uid {info.st_uid})", "use a folder of your own"
        elif mode & stat.S_ISVTX:
            continue
        elif mode & stat.S_IWOTH:
            why, fix = f"can be changed by any user (mode {mode:04o})", f"run `chmod o-w {level}`"
        elif mode & stat.S_IWGRP and (group := shared_group(info.st_gid)) is not None:
            why = f"can be changed by group {group}, which other users may be in (mode {mode:04o})"
            fix = f"run `chmod g-w {level}`"
        if why:
            where = "it" if level == folder else f"{level}{'' if level == real else ' on its way'}"
            return OpenFolder(
                f"{where} {why}, so others could swap or delete the files there; {fix}", theirs
            )
    return None


def refuse_open_folder(folder: Path) -> None:
    """FileWriteError, one line naming the folder and what to do, when a folder on the way to
    `folder` belongs to another user (`open_folder`). One that is open only by its mode is not
    refused: a Windows drive seen from WSL shows every folder as 0777 and no chmod changes it,
    and sharing `~/.aws` with Windows that way is common; `ssotui doctor` says it instead."""
    found = open_folder(folder)
    if found is not None and found.theirs:
        raise FileWriteError(f"ssotui keeps no secrets in {folder}: {found.message}")


def write_cache_file(path: Path, data: str) -> bool:
    """`write_secret_file` for a cache, which costs a fetch when it is missing, never the
    command: when it cannot be written (a full disk, a read-only folder) the file there is
    removed instead, so no out-of-date copy is used in its place, and the answer is False.
    """
    try:
        write_secret_file(path, data)
    except FileWriteError:
        with contextlib.suppress(OSError):
            path.unlink()
        return False
    return True


def _up_to_home(folder: Path) -> list[Path]:
    """`folder` and the folders above it, up to the user's home folder when it is one of them
    (ssh's `safe_path`: a home on NFS may sit under folders of `nobody`), else up to /."""
    import pwd

    try:
        home = Path(os.path.realpath(pwd.getpwuid(os.geteuid()).pw_dir))
    except KeyError:  # a uid with no account (a container's)
        home = None
    levels = [folder]
    for level in folder.parents:
        if levels[-1] == home:
            break
        levels.append(level)
    return levels


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


def read_own_file(path: Path) -> bytes | None:
    """The bytes of the secrets file at `path`, None when there is none.

    Checked on the file opened, never through a symlink and never blocking on a pipe, so a file
    swapped in after a check cannot be read instead. Raises UntrustedFile when `path` is a
    symlink or not a regular file, belongs to another user (root's is trusted: it can write
    anywhere), any user may change it, or its group may change it and others may be in that
    group; OSError when it cannot be read. A file the user's own group may change is read: the
    JavaScript SDK writes token files 0664 where users have a group of their own (umask 002).
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        # O_NOFOLLOW on a symlink: ELOOP (Linux, macOS), EMLINK (FreeBSD)
        if exc.errno in (errno.ELOOP, errno.EMLINK) and path.is_symlink():
            raise UntrustedFile(path, "is a symlink") from None
        raise
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UntrustedFile(path, "is not a regular file")
        if info.st_uid not in (os.geteuid(), 0):
            raise UntrustedFile(path, f"belongs to another user (uid {info.st_uid})")
        mode = stat.S_IMODE(info.st_mode)
        if mode & stat.S_IWOTH:
            raise UntrustedFile(path, f"can be changed by any user (mode {mode:04o})")
        if mode & stat.S_IWGRP and (group := shared_group(info.st_gid)) is not None:
            raise UntrustedFile(
                path,
                f"can be changed by group {group}, which other users may be in (mode {mode:04o})",
            )
        return handle.read()


def shared_group(gid: int) -> str | None:
    """The name of group `gid` when users besides this one (and root) may be in it; None when
    it is the user's own.

    The user's own: a group that lists no member but the user and either bears the user's name
    (the private group useradd, adduser and FreeIPA give each user, the setups where umask 002
    is usual) or is the user's primary group and no other account's. Any other group may hold
    others, a gid with no group entry included. The account list is walked only for a group
    not named after the user: on a large directory (LDAP) that can take seconds.
    """
    import grp  # only for a file its group may change: rare
    import pwd

    me = os.geteuid()
    try:
        account = pwd.getpwuid(me)
        name: str | None = account.pw_name
        primary = account.pw_gid
    except KeyError:  # a uid with no account (a container's): its group is the process's
        name, primary = None, os.getegid()
    try:
        group = grp.getgrgid(gid)
        group_name, members = group.gr_name, set(group.gr_mem)
    except KeyError:
        group_name, members = str(gid), set()
    if members - {name, "root"}:
        return group_name
    if name is not None and group_name == name:
        return None
    if gid == primary and not any(
        other.pw_gid == gid and other.pw_uid not in (me, 0) for other in pwd.getpwall()
    ):
        return None
    return group_name


def read_private_text(path: Path) -> str | None:
    """The file's text when it is ours, a regular file and readable by nobody else; else None.

    Checked on the file opened (never through a link, never blocking on a pipe), not on the
    name: in a cache folder others can write to, a file swapped in after a check on the name
    would be read instead, and what it says (someone else's keys) taken as ours. Stricter than
    `read_own_file`: for ssotui's own files (kept role credentials, `tui.store.sign_ins`),
    which nothing else writes.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
    except OSError:
        os.close(fd)
        return None
    if not (
        stat.S_ISREG(info.st_mode)
        and info.st_uid == os.getuid()
        and not stat.S_IMODE(info.st_mode) & 0o077
    ):
        os.close(fd)  # before any fdopen: a folder's raises IsADirectoryError
        return None
    with os.fdopen(fd, "rb") as handle:
        try:
            return handle.read().decode("utf-8")
        except (OSError, ValueError):
            return None
