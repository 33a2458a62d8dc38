"""A file with other names (hard links) changed in place, so that every name shows the change.

`write_atomic` renames a new file over the name it was given: another name of the same file
keeps the old content. For the AWS config file (no secrets) and for removing keys from the
credentials file, that split is the wrong outcome: a dotfiles checkout hard-linked to
`~/.aws/config` would silently stop following it, and keys `logout --purge` removes would stay
under the other name. The AWS CLI's `aws configure set` writes in place, which keeps every name
in step; `write_keeping_links` does the same for a file with other names and stays atomic for
every other file.

So too for a file mounted on its own (a bind mount: a container started with
`-v ~/.aws/config:/home/me/.aws/config`, a devcontainer, a Kubernetes `subPath`): no rename can
replace a mount point (EBUSY), and the file behind it is the host's, which the AWS CLI in that
container changes in place too.
"""

from __future__ import annotations

import os
from pathlib import Path

from tui.errors import FileWriteError
from tui.store.files import ChangedMeanwhile, MountPoint, writable_target, write_atomic


def write_keeping_links(path: Path, data: bytes | str, *, unchanged: bytes | None = None) -> None:
    """`write_atomic(path, data)`, except that a file with other names (hard links), or
    mounted on its own (a bind mount), is rewritten in place (its inode, so its mode, owner
    and every name, kept), as the AWS CLI writes: not atomic, so only the bytes from the
    first change on are written.

    FileWriteError, one line, when it cannot be written; a write that fails part way puts the
    old bytes back where it can, and says when it could not. With `unchanged` (the bytes the
    change was made from), ChangedMeanwhile and nothing written when the file holds anything
    else by then (`write_atomic`).
    """
    target = writable_target(path)
    try:
        links = target.stat().st_nlink
    except OSError:
        links = 1  # no file yet (or none to see): write_atomic says what is wrong
    if links < 2:
        try:
            write_atomic(path, data, unchanged=unchanged)
            return
        except MountPoint:
            pass  # no rename replaces it: in place, as for other names
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd = os.open(target, os.O_RDWR | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise FileWriteError(
            f"cannot write {target}: {exc.strerror or exc}; the old file is unchanged"
        ) from exc
    try:
        _rewrite(fd, target, payload, unchanged)
    finally:
        os.close(fd)


def _read_all(fd: int) -> bytes:
    chunks: list[bytes] = []
    offset = 0
    while chunk := os.pread(fd, 1 << 16, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _write_from(fd: int, data: bytes, offset: int) -> None:
    """`data` written at `offset` of `fd`, all of it (pwrite may write less than asked)."""
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view, offset = view[written:], offset + written


def _common_prefix(old: bytes, new: bytes) -> int:
    same = 0
    for a, b in zip(old, new, strict=False):
        if a != b:
            break
        same += 1
    return same


def _rewrite(fd: int, target: Path, payload: bytes, unchanged: bytes | None) -> None:
    """The open file `fd` made to hold `payload`: from the first byte that differs, then cut to
    its length and synced. A failure part way (a full disk) puts the old bytes back. With
    `unchanged`, ChangedMeanwhile when the file holds other bytes than those."""
    try:
        old = _read_all(fd)
    except OSError as exc:
        raise FileWriteError(
            f"cannot read {target}: {exc.strerror or exc}; the old file is unchanged"
        ) from exc
    if unchanged is not None and old != unchanged:
        raise ChangedMeanwhile(f"{target} changed while ssotui changed it")
    start = _common_prefix(old, payload)
    try:
        _write_from(fd, payload[start:], start)
        os.ftruncate(fd, len(payload))
        os.fsync(fd)
    except OSError as exc:
        try:
            _write_from(fd, old[start:], start)
            os.ftruncate(fd, len(old))
            os.fsync(fd)
        except OSError:
            raise FileWriteError(
                f"cannot write {target}: {exc.strerror or exc}, and the old content could not "
                "be put back: check the file (its other names show the same) before using it"
            ) from exc
        raise FileWriteError(
            f"cannot write {target}: {exc.strerror or exc}; the old file is unchanged"
        ) from exc
