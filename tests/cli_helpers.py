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
    return run_command([sys.executable, *COMMAND, *args], env=env, timeout=timeout, cwd=cwd)


def run_command(
    argv: list[str],
    *,
    env: dict[str, str] | None = None,
    timeout: float = 60,
    cwd: Path | None = None,
) -> Run:
    """Run `argv` (an `ssotui` under some wrapper, say) with the test's environment and `env`
    on top, no standard input, its output captured."""
    proc = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


# `ssotui` with every file it writes limited to a size (RLIMIT_FSIZE): a write past it fails
# part way, as on a full disk (EFBIG); its output is a pipe, so no limit there
LIMITED = (
    "import resource, runpy, sys\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv.pop(1)),) * 2)\n"
    "sys.argv[0] = 'ssotui'\n"
    "runpy.run_module('tui', run_name='__main__', alter_sys=True)\n"
)


def ssotui_with_files_up_to(room: int, *args: str) -> Run:
    """`ssotui ARGS` as `ssotui` runs it, every file it writes limited to `room` bytes: a disk
    that is full to ssotui (the real one, written until the limit)."""
    return run_command([sys.executable, "-c", LIMITED, str(room), *args])


def fake_aws(folder: Path, version: str) -> dict[str, str]:
    """The environment of a command that finds an `aws` of `version` first on PATH (doctor
    judges the AWS CLI it finds; this machine's may be any)."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "aws"
    script.write_text(f"#!/bin/sh\necho 'aws-cli/{version} Python/3.11 Linux'\n")
    script.chmod(0o755)
    return {"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}


def in_shell(line: str, *, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`line` run by bash, with its redirections and pipes, `ssotui` in it standing for this
    checkout's; standard output buffered as Python buffers it for a user (no PYTHONUNBUFFERED),
    so what fails, fails where it would for them: in the middle or at the end."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    command = line.replace("ssotui", f'"{sys.executable}" -m tui')
    return subprocess.run(
        ["bash", "-c", command], capture_output=True, text=True, env=env, timeout=timeout
    )
