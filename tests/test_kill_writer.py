"""Atomic writes under SIGKILL, SIGTERM and Ctrl+C: a writer killed at random moments never
leaves a partial file, nor a part-written copy beside it.

A child process rewrites a large file in a loop (`write_atomic` directly, and `write_profile` on
a credentials file with thousands of profiles); it is stopped at a random moment and sent
SIGKILL (or SIGTERM, whose default ends Python at once, or SIGINT), several times. The file must
then be exactly one of the versions written (or the original), and the only other files allowed
are hidden `.<name>.*.tmp` temp files caught between being named and renamed, which hold a
whole version (the next content gets a name only when complete: Linux's O_TMPFILE). The lock
lives in ssotui's cache folder, never beside the file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import here
from tests.kill_support import creds
from tui.export.credentials_file import write_profile

ROOT = Path(__file__).resolve().parent.parent
# what the writer holds open is read in /proc (Linux), where its next content has no name
pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux's /proc")
TRIALS = 8

ATOMIC_WRITER = """
import sys
from pathlib import Path
from tui.store.files import write_atomic
path = Path(sys.argv[1])
versions = [Path(p).read_bytes() for p in sys.argv[2:]]
print("ready", flush=True)
i = 0
while True:
    write_atomic(path, versions[i % len(versions)])
    i += 1
"""

PROFILE_WRITER = """
import sys
from pathlib import Path
import os
from tests.kill_support import creds
from tui.export.credentials_file import write_profile
from tui.paths import Paths
path = Path(sys.argv[1])
paths = Paths.from_environ(os.environ)
print("ready", flush=True)
i = 0
while True:
    write_profile(paths, creds(i % 2), "acme.Admin", path)
    i += 1
"""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def held_open(pid: int, folder: Path) -> set[str]:
    """What process `pid` holds open in `folder`, as /proc names it: a file's name, or
    `#<inode> (deleted)` for a file that has no name (yet)."""
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            link = os.readlink(fd)
            if link.startswith(f"{folder}/"):
                held.add(link.removeprefix(f"{folder}/"))
    return held


def kill_at_random(
    script: str,
    args: list[str],
    target: Path,
    allowed: set[str],
    signum: signal.Signals = signal.SIGKILL,
) -> int:
    """Start the writer, stop it at a random moment, send it `signum`, check the folder; repeat
    TRIALS times.

    The file must be one whole version, and anything else left in the folder a hidden temp
    file of it caught between its naming and its rename: one the writer was not writing when
    stopped (the next content gets a name only once whole), that holds a whole version and is
    no more open to others than the file. Returns in how many trials the writer was stopped
    inside a write (holding its next content open).
    """
    rng = random.Random(20240601)
    cut_short = 0
    folder = target.parent
    keep = {target.name}
    for _ in range(TRIALS):
        before = {p.name for p in folder.iterdir()}
        writer = subprocess.Popen(
            [sys.executable, "-c", script, str(target), *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # Ctrl+C's traceback
            text=True,
        )
        assert writer.stdout is not None
        assert writer.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0.01, 0.25))
        writer.send_signal(signal.SIGSTOP)
        writing = held_open(writer.pid, folder)
        cut_short += bool(writing)
        writer.send_signal(signum)
        writer.send_signal(signal.SIGCONT)
        writer.wait(10)
        writer.stdout.close()

        assert digest(target.read_bytes()) in allowed, "the file is not one whole version"
        left = {p.name for p in folder.iterdir()} - before - keep
        for name in left:
            assert name.startswith(f".{target.name}.") and name.endswith(".tmp"), name
            assert name not in writing, f"a copy of a write cut short is left ({signum.name})"
            assert digest((folder / name).read_bytes()) in allowed, "a part-written copy is left"
            mode = stat.S_IMODE((folder / name).stat().st_mode)
            assert mode & ~stat.S_IMODE(target.stat().st_mode) == 0, "a temp file is less private"
    return cut_short


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_write_atomic_killed_at_random_moments_leaves_a_whole_file(
    tmp_path: Path, signum: signal.Signals
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    target = folder / "big.bin"
    old = b"old line\n" * 400_000
    versions = [bytes([65 + n]) * (3_000_000 + n * 500_000) for n in range(2)]
    sources = []
    for n, data in enumerate(versions):
        source = tmp_path / f"v{n}"
        source.write_bytes(data)
        sources.append(str(source))
    target.write_bytes(old)
    target.chmod(0o640)
    allowed = {digest(old), *(digest(v) for v in versions)}

    cut_short = kill_at_random(ATOMIC_WRITER, sources, target, allowed, signum)

    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    # The writer spends most of its time inside a write: some kills must have landed there,
    # or this test proved nothing.
    assert cut_short >= 1


def test_write_profile_killed_at_random_moments_leaves_a_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "credentials"
    original = "# my keys\r\n" + "".join(
        f"[user{n}]\r\naws_access_key_id = AKIA{n:016d}\r\naws_secret_access_key = s{n}\r\n\r\n"
        for n in range(300)  # a write takes ~0.1 s: the kills land in every part of it
    )
    target.write_bytes(original.encode())
    target.chmod(0o600)
    # Every state the writer can leave: the original, then version 0 and 1 in turn.
    replay = tmp_path / "replay"
    replay.write_bytes(target.read_bytes())
    allowed = {digest(replay.read_bytes())}
    for n in (0, 1, 0, 1):
        write_profile(here(), creds(n), "acme.Admin", replay)
        allowed.add(digest(replay.read_bytes()))
    assert len(allowed) == 3

    cut_short = kill_at_random(PROFILE_WRITER, [], target, allowed)
    assert cut_short >= 1  # some kills landed inside a write, or this proved nothing

    text = target.read_bytes().decode()
    assert text.startswith(original)  # the user's profiles are all still there, byte for byte


def test_stale_temp_files_of_a_killed_writer_are_removed(tmp_path: Path) -> None:
    from tui.store.files import STALE_TEMP_AGE, write_atomic

    target = tmp_path / "credentials"
    target.write_text("old")
    stale = tmp_path / ".credentials.abc123.tmp"
    fresh = tmp_path / ".credentials.def456.tmp"  # may belong to a writer still at work
    stale.write_text("secret copy")
    fresh.write_text("in progress")
    old = time.time() - STALE_TEMP_AGE - 5
    os.utime(stale, (old, old))
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert not stale.exists()
    assert fresh.exists()
