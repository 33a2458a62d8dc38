"""Running the real `ssotui` command in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# How `ssotui` starts: `python -m tui`, the real command. The `quick_retries` fixture
# (tests/conftest.py) starts it with `QUICK_RETRIES` instead.
COMMAND = ("-m", "tui")
# The backoff after a 5xx or a dropped connection, for tests where its length is not the point
# (the retries are: their count, their end, the line said): a hundredth of the portal's.
QUICK_BACKOFF = 0.0025
QUICK_RETRIES = (
    "-c",
    f"import tui.aws.portal as p; p.BACKOFF_BASE = {QUICK_BACKOFF}; from tui.cli import run; run()",
)


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
        [sys.executable, *COMMAND, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def fake_aws(folder: Path, version: str) -> dict[str, str]:
    """The environment of a command that finds an `aws` of `version` first on PATH (doctor
    judges the AWS CLI it finds; this machine's may be any)."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "aws"
    script.write_text(f"#!/bin/sh\necho 'aws-cli/{version} Python/3.11 Linux'\n")
    script.chmod(0o755)
    return {"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}
