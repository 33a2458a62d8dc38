"""Running the real `ssotui` command in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass


@dataclass
class Run:
    """What one command printed and returned."""

    status: int
    out: str
    err: str


def ssotui(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> Run:
    """Run `python -m tui ARGS` with the test's environment (isolated HOME, sim endpoints)."""
    proc = subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)
