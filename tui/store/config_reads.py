"""What a large AWS config file holds, kept so the next command need not parse it again.

`ssotui populate` (or aws-sso-util) for an organisation of 2,000 accounts writes ~10,000
profiles, ~1 MB, and `configparser` takes ~125 ms to read that, twice in `credential-process`,
which an AWS SDK runs for every client. The sections one read gave are kept in ssotui's cache
folder (`config-reads/`, one file per config file path, 0600 in a 0700 folder, written
atomically) under the file's path and stat: device, inode, size, mtime_ns and ctime_ns. They are
used only for a regular file and only while every part matches; a kept file that is corrupt,
not ours or readable by others is ignored (and replaced by the next read).

Any write to the file changes its ctime, which no one can set back, so a changed file is read
anew at once. A file changed less than `SETTLED_NS` before it was looked at is not kept: a
second write within the file system's clock tick would leave the same ctime. A file smaller
than `LARGE` (read in under ~3 ms) or holding keys (`aws_secret_access_key`...) is never kept:
ssotui copies no secret into its cache.

Beside the sections, a reader may keep what it derives from them (`read`, tagged with `rules`
that name how it was derived: `tui.aws.kept_sessions`), so that the next command neither parses
15,000 sections nor rebuilds them. The kept file is one JSON object laid out as `save` writes it,
with a CRC-32 of everything after its header: a kept file that is cut short or changed in any
byte is ignored, without checking every value, and `load_read` parses the derived part alone.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import time
import zlib
from pathlib import Path
from typing import Any

from tui import digests
from tui.errors import FileWriteError
from tui.paths import Paths
from tui.store.secret_file import read_private_text, write_secret_file

FOLDER = "config-reads"
VERSION = 2
LARGE = 32 * 1024
SETTLED_NS = 2_000_000_000
_SECRET_KEYS = frozenset({"aws_secret_access_key", "aws_session_token", "aws_security_token"})

Sections = dict[str, dict[str, str]]

# path -> (key, sections) of the last read in this process: `credential-process` reads the
# config file twice (the session, then what changes how botocore reaches the portal)
_last: dict[str, tuple[list[Any], Sections]] = {}


def cache_path(paths: Paths, path: Path) -> Path:
    """The kept read of the config file at `path`."""
    digest = digests.sha256(os.fsencode(str(path))).hexdigest()
    return paths.cache_dir / FOLDER / f"{digest}.json"


def _key(path: Path, info: os.stat_result) -> list[Any]:
    return [
        str(path),
        info.st_dev,
        info.st_ino,
        info.st_size,
        info.st_mtime_ns,
        info.st_ctime_ns,
    ]


def worth_keeping(info: os.stat_result) -> bool:
    """Whether a read of a file so (a large regular file) is ever kept: else nothing about
    keeping it need be worked out."""
    return stat.S_ISREG(info.st_mode) and info.st_size >= LARGE


def _header(key: list[Any]) -> str:
    return f'{{"version":{VERSION},"key":{_compact(key)},"crc32":'


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _body(paths: Paths, path: Path, info: os.stat_result) -> str | None:
    """What follows the header of the kept file for `path`, when it was kept under `info` and
    its checksum holds; else None."""
    if not worth_keeping(info):
        return None
    text = read_private_text(cache_path(paths, path))
    header = _header(_key(path, info))
    if text is None or not text.startswith(header):
        return None
    crc, comma, body = text[len(header) :].partition(",")
    if not comma or not crc.isdigit() or zlib.crc32(body.encode("utf-8")) != int(crc):
        return None
    return body


def load(paths: Paths, path: Path, info: os.stat_result) -> Sections | None:
    """The sections kept for the file at `path` when `info` (its stat, taken before anything
    else is read) matches what they were kept under; else None."""
    if not worth_keeping(info):
        return None
    key = _key(path, info)
    last = _last.get(str(path))
    if last is not None and last[0] == key:
        return _copy(last[1])
    body = _body(paths, path, info)
    if body is None:
        return None
    try:
        kept = json.loads("{" + body)
    except (ValueError, RecursionError):  # nested past the parser's depth: not ours
        return None
    sections = kept.get("sections") if isinstance(kept, dict) else None
    if not isinstance(sections, dict):
        return None
    _last[str(path)] = (key, sections)
    return _copy(sections)


def load_read(paths: Paths, path: Path, info: os.stat_result, rules: str) -> Any:
    """What a reader derived from the file at `path` and kept with its sections, by the
    `rules` given, when `info` matches what it was kept under; else None. Only that part of
    the kept file is parsed."""
    body = _body(paths, path, info)
    prefix = f'"rules":{_compact(rules)},"read_size":'
    if body is None or not body.startswith(prefix):
        return None
    size, comma, rest = body[len(prefix) :].partition(",")
    if not comma or not size.isdigit() or not rest.startswith('"read":'):
        return None
    try:
        return json.loads(rest[7 : 7 + int(size)])
    except (ValueError, RecursionError):
        return None


def save(
    paths: Paths,
    path: Path,
    info: os.stat_result,
    seen_at_ns: int,
    sections: Sections,
    read: tuple[str, Any] | None = None,
) -> None:
    """Keep `sections`, read from `path` after `info` was taken at `seen_at_ns` (time.time_ns),
    when the file is worth keeping; a folder or file that cannot be written is passed over.
    `read` is (rules, what a reader derived from `sections` by them), for `load_read`."""
    if not worth_keeping(info):
        return
    key = _key(path, info)
    # This process reads the file once: the next reader in it (the session, then the portal's
    # route) takes what it got, even from a file written a moment ago (`populate` run twice
    # in a row: its 771 profiles were parsed twice, ~45 ms each). The kept file waits for
    # the file to settle: another process may still be writing it within the same tick.
    _last[str(path)] = (key, _copy(sections))
    if seen_at_ns - max(info.st_mtime_ns, info.st_ctime_ns) < SETTLED_NS:
        return
    if any(not _SECRET_KEYS.isdisjoint(values) for values in sections.values()):
        return
    rules, derived = read if read is not None else ("", None)
    try:
        derived_text = _compact(derived)
    except (TypeError, ValueError):  # not JSON: keep the sections alone
        rules, derived_text = "", "null"
    body = (
        f'"rules":{_compact(rules)},"read_size":{len(derived_text)},"read":{derived_text},'
        f'"sections":{_compact(sections)}}}'
    )
    crc = zlib.crc32(body.encode("utf-8"))
    with contextlib.suppress(FileWriteError, OSError):
        write_secret_file(cache_path(paths, path), f"{_header(key)}{crc},{body}")


def _copy(sections: Sections) -> Sections:
    return {name: dict(values) for name, values in sections.items()}


def stat_now(path: Path) -> tuple[os.stat_result | None, int]:
    """The stat of the file at `path` (None when there is none or it cannot be looked at) and
    the time it was taken, for `load` and `save`."""
    seen_at = time.time_ns()
    try:
        return os.stat(path), seen_at
    except (OSError, ValueError):
        return None, seen_at
