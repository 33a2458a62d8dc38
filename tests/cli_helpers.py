"""Running the real `ssotui` command in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Run:
    """What one command printed and returned."""

    status: int
    out: str
    err: str


def ssotui(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60, cwd: Path | None = None
) -> Run:
    """Run `python -m tui ARGS` with the test's environment (isolated HOME, sim endpoints), in
    `cwd` when given."""
    proc = subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)
