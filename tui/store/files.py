"""Safe file writes: atomic replace, kept modes, followed symlinks, and an inter-process lock.

Every file ssotui writes goes through `write_atomic` (and `locked` when it reads, changes and
writes back), so a crash leaves the old file and concurrent ssotui runs lose nothing; but an AWS
file with other names (hard links), which `tui.store.linked_files` changes in place.

A symlinked file is written through only when the link ends at a regular file: a link to
/dev/null, a folder, a FIFO or nothing is refused with one line (`FileWriteError`), and so is a
path that is itself not a regular file. The lock is an empty file in ssotui's own cache folder
(`<cache>/locks/<sha256 of the real path>.lock`), so nothing is left beside the user's files.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import os
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from tui import digests
from tui.errors import FileWriteError
from tui.paths import CACHE_VARIABLE, Paths
from tui.store import waits

NEW_FILE_MODE = 0o600
NEW_DIR_MODE = 0o700


def resolve_target(path: Path) -> Path:
    """The file a write to `path` should change: a symlink is followed to its target."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def file_kind(mode: int) -> str:
    """What a file of `mode` is, in words ("a pipe", "a folder"), for one that is not the kind
    expected."""
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


MAX_LINKS = 40  # links followed in a row before the kernel says ELOOP


def _foreign_link(path: Path) -> Path | None:
    """The first symlink of the chain that starts at `path` that neither this user nor root
    owns, or None."""
    current = str(path)
    for _ in range(MAX_LINKS):
        try:
            info = os.lstat(current)
            if not stat.S_ISLNK(info.st_mode):
                return None
            if info.st_uid not in (os.geteuid(), 0):
                return Path(current)
            current = os.path.join(os.path.dirname(current), os.readlink(current))
        except OSError:
            return None  # the end of the chain: what it ends at is judged by the caller
    return None


def writable_target(path: Path) -> Path:
    """`resolve_target(path)`, checked: the regular file (or the free name) a write replaces.

    Raises FileWriteError, one line, when `path` is a symlink that does not end at a regular
    file (a device such as /dev/null, a folder, a pipe, a missing file or a loop) or that
    another user (not root) owns or leads to through another link (the first link of the
    chain another user owns is named), or when `path` itself exists and is not a regular file.
    """
    try:
        link = path.lstat()
    except FileNotFoundError:
        return path
    except OSError as exc:
        raise FileWriteError(f"cannot read {path}: {exc.strerror or exc}") from exc
    linked = stat.S_ISLNK(link.st_mode)
    planted = _foreign_link(path) if linked else None
    if planted is not None:
        # realpath() resolves links itself, so the kernel's protected_symlinks never sees
        # them: refuse, as it would, a link someone else planted (e.g. in a shared HOME), be it
        # the path itself or a link it leads to.
        which = "a symlink" if planted == path else f"a symlink to {planted}, a symlink"
        raise FileWriteError(
            f"{path} is {which} owned by another user; ssotui does not write through it"
        )
    target = resolve_target(path)
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        if linked:
            raise FileWriteError(
                f"{path} is a symlink to {target}, which does not exist; ssotui writes through "
                "a symlink only to a regular file: create it or remove the link"
            ) from None
        return target
    except OSError as exc:  # a symlink loop, a folder it may not enter
        raise FileWriteError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if stat.S_ISREG(mode):
        return target
    if linked:
        raise FileWriteError(
            f"{path} is a symlink to {target}, which is {file_kind(mode)}; ssotui writes through "
            "a symlink only to a regular file: remove the link or point it at a file"
        )
    raise FileWriteError(f"{path} is {file_kind(mode)}; ssotui writes only to a regular file there")


def refuse_read_only(path: Path) -> None:
    """FileWriteError, one line, when the file at `path` (a symlink: its target) exists and is
    read-only: no one may write it (`chmod a-w`; root's rename would pass over that) or this
    user may not (another user's file: replaced, it would become this user's). The AWS CLI's
    `aws configure set` writes in place and fails there too; ssotui leaves the file as it is.
    """
    target = resolve_target(path)
    try:
        info = target.stat()
    except OSError:
        return  # no file yet (or none to see): nothing to keep
    mode = info.st_mode
    if not stat.S_ISREG(mode) or (mode & 0o222 and os.access(target, os.W_OK)):
        return
    where = f" (it is a symlink to {target})" if target != path else ""
    if _on_read_only_mount(target):  # no chmod helps there (a dotfiles or Nix store mount)
        raise FileWriteError(
            f"{path} is on a read-only file system{where}; ssotui leaves it unchanged: "
            "keep the file on a writable one, or remount that read-write"
        )
    if info.st_uid != os.geteuid() and not os.access(target, os.W_OK):
        # left by `sudo aws configure`, say: only its owner (or root) may chmod it, and its
        # folder, made by the same command, is likely not the user's either
        theirs = [target.parent] if not os.access(target.parent, os.W_OK) else []
        raise FileWriteError(
            f"{path} belongs to {_user_name(info.st_uid)}{where}, and you may not write it; "
            f"ssotui leaves it unchanged: make it yours (sudo chown {_user_name(os.geteuid())} "
            f"{' '.join(str(p) for p in [*theirs, target])}) and run again"
        )
    raise FileWriteError(
        f"{path} is read-only (mode {stat.S_IMODE(mode):04o}); ssotui leaves it unchanged: "
        "make it writable (chmod u+w) and run again"
    )


def _user_name(uid: int) -> str:
    """The login name of `uid`, or the number where it has none (a container's user)."""
    import pwd  # only for a file that is not the user's: rare

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _on_read_only_mount(path: Path) -> bool:
    """True when `path` lies on a file system mounted read-only (EROFS for any write)."""
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs (Windows)
        return False


def refuse_hard_linked(path: Path) -> None:
    """FileWriteError, one line, when the file at `path` (a symlink: its target) has other
    names (hard links): the write renames a new file over this name, so the others would keep
    the old content, keys included, even after `logout --purge`. (The AWS CLI writes in place,
    which keeps them in step but is not atomic.)"""
    try:
        links = resolve_target(path).stat().st_nlink
    except OSError:
        return
    if links > 1:
        raise FileWriteError(
            f"{path} has {links - 1} other name{'s' if links > 2 else ''} (hard links), which "
            "would keep the keys ssotui replaces or removes: make the other names symlinks to "
            "it (or remove them) and run again"
        )


def ensure_dir(folder: Path, *, variable: str = "") -> None:
    """Create `folder` (and parents) 0700 when missing; an existing folder is left as it is.

    FileWriteError, one line, when it cannot: `variable`, when given, is the environment
    variable the advice says to point elsewhere (`SSOTUI_CACHE_DIR`)."""
    names_it = variable or "the variable that names it"
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
        if exc.errno == errno.ENOTDIR and level.exists():
            # a file where a folder of the path goes (XDG_CACHE_HOME set to a file, say)
            raise FileWriteError(
                f"cannot create folder {folder}: {level} is a file, not a folder: move that "
                f"file away, or point {names_it} at a folder"
            ) from exc
        raise FileWriteError(
            f"cannot create folder {folder}: {exc.strerror}: {what_to_do(exc, level, variable)}"
        ) from exc


# what fills a file system up, where no chmod helps: the disk, or the user's quota
_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})


def what_to_do(exc: OSError, folder: Path, variable: str = "") -> str:
    """What to do when nothing can be made in `folder` (`exc` says why), for a folder that
    `variable`, when given, may move elsewhere."""
    if exc.errno in _FULL:
        elsewhere = f", or point {variable} at a folder on another disk" if variable else ""
        return f"free some space there{elsewhere}"
    if exc.errno == errno.EROFS:
        if variable:
            return f"point {variable} at a folder on a writable one"
        return "remount that file system read-write"
    names_it = variable or "the variable that names it"
    return f"make {folder} writable, or point {names_it} at a writable folder"


def not_a_folder(folder: Path) -> tuple[Path, int] | None:
    """The first of `folder` and the folders above it that exists and is not a folder (a file
    where a folder goes: `SSOTUI_SSO_CACHE_DIR` set to a file, say), with its mode; or None."""
    for level in (*reversed(folder.parents), folder):
        try:
            mode = level.stat().st_mode
        except OSError:
            return None  # missing (or not ours to look at): nothing in the way so far
        if not stat.S_ISDIR(mode):
            return level, mode
    return None


STALE_TEMP_AGE = 60.0  # seconds: a temp file this old belongs to a writer that was killed


def _remove_stale_temps(target: Path) -> None:
    """Delete temp files of `target` left by a killed writer (they may hold a copy of secrets)."""
    cutoff = time.time() - STALE_TEMP_AGE
    for leftover in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            if leftover.lstat().st_mtime < cutoff:
                leftover.unlink()


def _new_temp(target: Path) -> tuple[int, str]:
    """A new file beside `target` for its next content, as `tempfile.mkstemp` makes one: 0600
    whatever the umask (no moment is it readable), O_EXCL, never through a link. Made here:
    importing `tempfile` (with `shutil` and `random`) cost every command that saves ~4 ms."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        name = os.path.join(target.parent, f".{target.name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(name, flags, 0o600), name
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(target.parent))


class ChangedMeanwhile(FileWriteError):
    """The file no longer holds what it held when it was read for this change: another
    program (`aws configure set`, an editor, a tool that takes no lock) wrote it meanwhile.
    Nothing was written; the caller reads it again and makes its change on what is there now
    (`CHANGE_TRIES` times at most)."""


class MountPoint(FileWriteError):
    """The file is a mount point of its own (a bind mount of one file, as a container gets
    `-v ~/.aws/config:...`): no rename may replace it (EBUSY). Nothing was written; a caller
    that may write in place does (`tui.store.linked_files`)."""


# times a read-modify-write of an AWS file starts again when the file changed meanwhile
CHANGE_TRIES = 3


def kept_changing(path: Path) -> FileWriteError:
    """The one line for a file that changed under every one of `CHANGE_TRIES` attempts."""
    return FileWriteError(
        f"{path} kept changing while ssotui changed it (another program is writing it); "
        "nothing was written: run again when that program is done"
    )


def _now_holds(target: Path) -> bytes:
    """What `target` holds now, b"" when there is no file (as callers read a missing one)."""
    try:
        with open(target, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return b""


def write_atomic(
    path: Path, data: bytes | str, *, mode: int | None = None, unchanged: bytes | None = None
) -> None:
    """Replace `path` with `data` atomically (temp file in the same folder, fsync, rename).

    An existing file keeps its mode, and its owner and group where this process may give them
    (root; a group the user is in); a new one gets `mode` (default 0600). A symlinked path
    is followed so the link itself stays a link, but only to a regular file (see
    `writable_target`, which raises FileWriteError otherwise). Temp files a killed writer left
    behind are removed once they are a minute old.

    With `unchanged` (the bytes the change was made from, b"" for no file), the file is
    looked at again right before the rename: when it holds anything else (a program that
    takes no lock wrote it, or was half-way through writing it in place when it was read),
    nothing is written and ChangedMeanwhile is raised, so that change is not written away.
    """
    target = writable_target(path)
    ensure_dir(target.parent)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    owner: tuple[int, int] | None = None
    try:
        old = target.stat()
        keep, owner = stat.S_IMODE(old.st_mode), (old.st_uid, old.st_gid)
    except FileNotFoundError:
        keep = NEW_FILE_MODE if mode is None else mode
    except OSError as exc:
        raise FileWriteError(f"cannot read {target}: {exc.strerror}") from exc
    replace_file(target, payload, keep, owner=owner, unchanged=unchanged)


def _keep_owner(fd: int, owner: tuple[int, int]) -> None:
    """Give the new file the old one's owner (only root may) and group (root, or an owner in
    that group), as a write in place would keep them: `sudo ssotui populate` must not leave the
    user a config only root can read, nor a 0640 file readable by another group than before."""
    uid, gid = owner
    with contextlib.suppress(OSError):
        os.fchown(fd, uid if os.geteuid() == 0 else -1, gid)


def _unnamed_temp(folder: Path) -> int | None:
    """A new file in `folder` that has no name yet (Linux's O_TMPFILE), 0600, or None where the
    system or the file system has none: a writer killed before it is named (SIGKILL, SIGTERM,
    Ctrl+C in a worker thread, a power cut) leaves nothing behind, not even a private copy."""
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag or not os.path.isdir("/proc/self/fd"):  # naming it goes through /proc
        return None
    try:
        return os.open(folder, flag | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError:  # EOPNOTSUPP, EISDIR (a kernel or file system without it), ...
        return None


def _name_temp(fd: int, target: Path) -> str:
    """Give the unnamed file `fd` a hidden temp name beside `target` (for the rename)."""
    # linkat(AT_SYMLINK_FOLLOW) on /proc/self/fd/N, as open(2) shows; os.link calls plain
    # link(), which does not follow the /proc link, unless a folder fd is given
    procfd = os.open("/proc/self/fd", os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    try:
        for _ in range(100):
            name = os.path.join(target.parent, f".{target.name}.{os.urandom(6).hex()}.tmp")
            try:
                os.link(str(fd), name, src_dir_fd=procfd, follow_symlinks=True)
                return name
            except FileExistsError:
                continue
    finally:
        os.close(procfd)
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(target.parent))


def check_can_create_in(folder: Path) -> None:
    """OSError (its `strerror` says why: read-only, no permission, out of inodes) when no new
    file can be made in `folder`, found by making one: an unnamed one where the system can
    (`_unnamed_temp`, nothing seen by others), else a hidden temp file removed at once. Asks
    the file system, not the mode bits, which say nothing of a read-only mount or an ACL."""
    fd = _unnamed_temp(folder)
    if fd is not None:
        os.close(fd)
        return
    fd, name = _new_temp(folder / "probe")
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(name)


def replace_file(
    target: Path,
    payload: bytes,
    mode: int,
    *,
    owner: tuple[int, int] | None = None,
    unchanged: bytes | None = None,
) -> None:
    """Put `payload` at `target` with `mode` (and `owner`, a uid and gid, where allowed): a new
    file in the same folder (fsynced), renamed over the path (so a link there is replaced, not
    followed), then the folder fsynced. With `unchanged`, ChangedMeanwhile instead of the
    rename when `target` no longer holds those bytes (see `write_atomic`).

    The new file is 0600 until it holds all of `payload` and gets a name only then (where the
    system can, `_unnamed_temp`): a writer killed mid-write leaves no copy, or elsewhere one
    only its user can read. FileWriteError (one line; whatever was at `target` is left as it
    was) when it fails.
    """
    _remove_stale_temps(target)
    tmp_name = ""
    try:
        fd = _unnamed_temp(target.parent)
        if fd is None:
            try:
                fd, tmp_name = _new_temp(target)
            except PermissionError as exc:  # the folder's, not the file's: say which
                raise FileWriteError(
                    f"cannot write {target}: no new file may be made in its folder "
                    f"{target.parent} ({exc.strerror}), which replacing the file takes: make "
                    "that folder writable; the old file is unchanged"
                ) from exc
        try:
            if owner is not None:
                _keep_owner(fd, owner)  # before the mode: a chown clears set-id bits
            with os.fdopen(fd, "wb", closefd=False) as handle:
                handle.write(payload)
                handle.flush()
            os.fchmod(fd, mode)  # only now: a copy left mid-write stays 0600
            os.fsync(fd)
            if not tmp_name:
                tmp_name = _name_temp(fd, target)
        except BaseException:
            with contextlib.suppress(OSError):
                if tmp_name:
                    os.unlink(tmp_name)
            raise
        finally:
            os.close(fd)
        if unchanged is not None and _now_holds(target) != unchanged:
            os.unlink(tmp_name)
            tmp_name = ""
            raise ChangedMeanwhile(f"{target} changed while ssotui changed it")
        os.replace(tmp_name, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            if tmp_name:
                os.unlink(tmp_name)
        kind = MountPoint if exc.errno == errno.EBUSY else FileWriteError
        raise kind(
            f"cannot write {target}: {exc.strerror or exc}; the old file is unchanged"
        ) from exc
    with contextlib.suppress(OSError):
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def lock_file(paths: Paths, path: Path) -> Path:
    """The lock file of `path`: in ssotui's cache folder (`paths.cache_dir`), named by the real
    path it guards.

    Every spelling of one file (a symlink, a relative path, `..`) shares one lock.
    """
    real = os.path.realpath(path)
    digest = digests.sha256(os.fsencode(real)).hexdigest()[:40]
    return paths.cache_dir / "locks" / f"{digest}.lock"


def open_lock(lock_path: Path, guarded: str, *, follow: bool = False) -> int:
    """The open lock file `lock_path` (made 0600 when missing, with its folders) of what
    `guarded` names, for flock; a symlink there is refused unless `follow`.

    Every lock ssotui takes is in its cache folder, so when one cannot be made (the folder
    read-only, a file in its place, a lock file of another user) the FileWriteError says so
    alike for every lock: which folder or file, and to make it writable or to point
    SSOTUI_CACHE_DIR at a writable folder. The callers still refuse: a lock that guards a
    write is never skipped (`locked_if_possible` is for those that only share a fetch, and for
    a logout, which only takes things away).
    """
    variable = CACHE_VARIABLE
    try:
        ensure_dir(lock_path.parent, variable=variable)
    except FileWriteError as exc:
        raise FileWriteError(f"cannot lock {guarded}: {exc}") from exc
    flags = os.O_RDWR | os.O_CREAT
    try:
        return os.open(lock_path, flags if follow else flags | os.O_NOFOLLOW, NEW_FILE_MODE)
    except OSError as exc:
        why = exc.strerror or str(exc)
        if os.path.lexists(lock_path):  # the folder is fine; this file is not (sudo made it?)
            raise FileWriteError(
                f"cannot lock {guarded}: cannot open the lock file {lock_path}: {why}: remove "
                f"it, or point {variable} at a folder of your own"
            ) from exc
        raise FileWriteError(
            f"cannot lock {guarded}: cannot create a lock file in {lock_path.parent}: {why}: "
            + what_to_do(exc, lock_path.parent, variable).replace(
                f"make {lock_path.parent} writable", "make that folder writable"
            )
        ) from exc


# seconds a change to the AWS config or credentials file waits for another ssotui to finish
# own change (seconds at most): one that holds the lock longer is stuck (stopped with Ctrl-Z)
AWS_FILE_LOCK_WAIT = 30.0


@contextlib.contextmanager
def locked(
    paths: Paths, path: Path, *, wait: float | None = None, doing: str = ""
) -> Iterator[None]:
    """Hold an exclusive lock on `path` (against every ssotui process) while the block runs.

    The lock is `lock_file(paths, path)`, never a file beside `path`: the user's folders (~/.aws,
    the SSO cache) are left as they were. With `wait`, a lock another process still holds after
    that many seconds is FileWriteError (one line) instead of a wait without end. A wait of
    more than `waits.SAID_AFTER` seconds is told once (`tui.store.waits`) with `doing`, what
    the holder is doing in the user's words (default: "changing <path>").
    """
    where = lock_file(paths, path)
    fd = open_lock(where, str(path))
    with _held(fd, where, path, wait, doing):
        yield


@contextlib.contextmanager
def locked_if_possible(
    paths: Paths, path: Path, *, wait: float | None = None, doing: str = ""
) -> Iterator[bool]:
    """`locked`, where going on without the lock is safe when it cannot be made (ssotui's
    cache folder read-only, or a file in its place): no other ssotui can take it then either.
    For a lock that only saves work (one fetch shared by processes that start together) and
    for a logout's deletions. A lock another process holds is still waited for (`wait`: at
    most that long, then FileWriteError). Yields whether it holds the lock."""
    where = lock_file(paths, path)
    try:
        fd = open_lock(where, str(path))
    except FileWriteError:
        yield False
        return
    with _held(fd, where, path, wait, doing):
        yield True


# flock(2) locks an open file, not a process: two threads of one ssotui (the picker's `c` and
# `w` on one role at once) would wait on each other's lock and call it another ssotui's. So
# the threads of this process take turns first, on one threading lock per lock file.
_TURNS: dict[Path, threading.Lock] = {}
_TURNS_GUARD = threading.Lock()


def _turn(lock: Path) -> threading.Lock:
    with _TURNS_GUARD:
        return _TURNS.setdefault(lock, threading.Lock())


@contextlib.contextmanager
def _held(fd: int, lock: Path, path: Path, wait: float | None, doing: str) -> Iterator[None]:
    """The open lock file `fd` (at `lock`) of `path` locked while the block runs, then closed;
    a thread of this process that holds it is waited for first, silently."""
    turn = _turn(lock)
    try:
        if not turn.acquire(timeout=-1 if wait is None else wait):
            raise FileWriteError(
                f"this ssotui is still {doing or f'changing {path}'} after {wait:.0f} s of "
                "waiting; nothing was written: try again when it has finished"
            )
    except BaseException:
        os.close(fd)
        raise
    try:
        _take_lock(fd, path, wait, doing or f"changing {path}")
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
        turn.release()


LOCK_POLL = 0.05  # seconds between attempts at a lock that is waited on for a while
FIRST_POLL = 0.01  # ... and in the first second, where a wait is told: most locks go by then


def _take_lock(fd: int, path: Path, wait: float | None, doing: str) -> None:
    if wait is None and not waits.listened():
        fcntl.flock(fd, fcntl.LOCK_EX)  # no one to tell: the kernel wakes us when it is free
        return
    started = time.monotonic()
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        waited = time.monotonic() - started
        if wait is not None and waited >= wait:
            raise FileWriteError(
                f"another ssotui is still changing {path} after {wait:.0f} s of waiting; "
                "nothing was written: try again when it has finished (or end that one)"
            ) from None
        if not told and waited >= waits.SAID_AFTER:
            told = True
            waits.tell(doing)
            if wait is None:
                fcntl.flock(fd, fcntl.LOCK_EX)
                return
        time.sleep(LOCK_POLL if told else FIRST_POLL)


def read_text(path: Path) -> str | None:
    """The exact text of `path` (line endings kept), or None when it does not exist.

    FileWriteError, one line, when it cannot be read, is not a regular file (a pipe would be
    waited on for ever; botocore reads no such file either) or is not UTF-8 (nothing is
    written then).
    """
    try:
        # O_NONBLOCK: opening a pipe nothing writes to returns at once instead of waiting
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with open(fd, encoding="utf-8", newline="") as handle:  # keep CRLF as it is
            mode = os.fstat(fd).st_mode
            if not stat.S_ISREG(mode):
                raise FileWriteError(f"cannot read {path}: it is {file_kind(mode)}, not a file")
            return handle.read()
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as exc:
        raise FileWriteError(
            f"{path} is not valid UTF-8 (byte {exc.start}); ssotui leaves it unchanged"
        ) from None
    except OSError as exc:
        raise FileWriteError(f"cannot read {path}: {exc.strerror or exc}") from exc


PIPE_WAIT = 2.0  # seconds a file that is a pipe may take to give its first bytes


class NothingWrites(OSError):
    """The file is a pipe (a FIFO) that nothing writes to: reading it would wait for ever."""

    def __init__(self) -> None:
        super().__init__(errno.EAGAIN, "it is a pipe that nothing writes to")


def read_text_now(path: Path, *, wait: float = PIPE_WAIT) -> str:
    """The text of `path` (UTF-8), as `Path.read_text` gives it, without waiting for ever.

    A regular file is read as usual. A pipe (a FIFO; `<(…)` in a shell) is read as it comes,
    but when nothing arrives for `wait` seconds it is NothingWrites, not a hang. Raises what
    `read_text` raises (FileNotFoundError, UnicodeDecodeError, OSError).
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return handle.read().decode("utf-8")
        import select  # only for a pipe: a regular file, the usual case, needs none

        data = bytearray()
        while True:
            if not select.select([fd], [], [], wait)[0]:
                raise NothingWrites()
            try:
                piece = os.read(fd, 65536)
            except BlockingIOError:
                continue
            if not piece:
                return data.decode("utf-8")
            data += piece
