"""Atomic writes under SIGKILL: a writer killed at random moments never leaves a partial file.

A child process rewrites a large file in a loop (`write_atomic` directly, and `write_profile` on
a credentials file with thousands of profiles); it is killed with SIGKILL at a random moment,
several times. The file must then be exactly one of the versions written (or the original),
and the only other files allowed are hidden `.<name>.*.tmp` temp files of the write that was
cut short (the lock lives in ssotui's cache folder, never beside the file). Those are never
read back (every reader opens the file by its name) and they are as private as the file itself.
"""

from __future__ import annotations

import hashlib
import os
import random
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from tui.export.credentials_file import write_profile
from tui.models import Account, RoleCredentials

ROOT = Path(__file__).resolve().parent.parent
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
from tests.test_kill_writer import creds
from tui.export.credentials_file import write_profile
path = Path(sys.argv[1])
print("ready", flush=True)
i = 0
while True:
    write_profile(creds(i % 2), "acme.Admin", path)
    i += 1
"""


def creds(n: int) -> RoleCredentials:
    """Two sets of credentials that differ in every secret and in length."""
    return RoleCredentials(
        account=Account(account_id="123456789012", name="acme"),
        role_name="Admin",
        access_key_id=f"ASIAKILLTEST{n}",
        secret_access_key=f"secret-{n}" * (n + 1),
        session_token=f"token-{n}-" * (200 + 50 * n),
        expiration=datetime(2030, 1, 1, tzinfo=UTC),
    )


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def kill_at_random(script: str, args: list[str], target: Path, allowed: set[str]) -> int:
    """Start the writer, SIGKILL it at a random moment, check the file; repeat TRIALS times.

    Returns in how many trials the kill landed inside a write (a temp file was left behind).
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
            text=True,
        )
        assert writer.stdout is not None
        assert writer.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0.01, 0.25))
        writer.kill()
        writer.wait(10)
        writer.stdout.close()

        assert digest(target.read_bytes()) in allowed, "the file is not one whole version"
        left = {p.name for p in folder.iterdir()} - before - keep
        for name in left:
            assert name.startswith(f".{target.name}.") and name.endswith(".tmp"), name
            mode = stat.S_IMODE((folder / name).stat().st_mode)  # 0600 until the fchmod
            assert mode & ~stat.S_IMODE(target.stat().st_mode) == 0, "a temp file is less private"
        cut_short += bool(left)
    return cut_short


def test_write_atomic_killed_at_random_moments_leaves_a_whole_file(tmp_path: Path) -> None:
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

    cut_short = kill_at_random(ATOMIC_WRITER, sources, target, allowed)

    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    # The writer spends most of its time inside a write: some kills must have landed there,
    # or this test proved nothing.
    assert cut_short >= 1


def test_write_profile_killed_at_random_moments_leaves_a_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "credentials"
    original = "# my keys\r\n" + "".join(
        f"[user{n}]\r\naws_access_key_id = AKIA{n:016d}\r\naws_secret_access_key = s{n}\r\n\r\n"
        for n in range(3000)
    )
    target.write_bytes(original.encode())
    target.chmod(0o600)
    # Every state the writer can leave: the original, then version 0 and 1 in turn.
    replay = tmp_path / "replay"
    replay.write_bytes(target.read_bytes())
    allowed = {digest(replay.read_bytes())}
    for n in (0, 1, 0, 1):
        write_profile(creds(n), "acme.Admin", replay)
        allowed.add(digest(replay.read_bytes()))
    assert len(allowed) == 3

    kill_at_random(PROFILE_WRITER, [], target, allowed)

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
