"""The real `ssotui` command in a subprocess: wall time of `--version`, cached `list`,
`credential-process` and `list --refresh` (end to end), with the portal calls each made.

The subprocess inherits the open workspace's environment, so it uses the same session, token,
caches and simulator as the in-process figures.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

from tui.bench.workspace import SESSION, Workspace


@dataclass(frozen=True)
class CommandFigures:
    """Wall times of several runs of one command, and the portal calls per run."""

    args: tuple[str, ...]
    times: tuple[float, ...]
    portal_calls: tuple[int, ...]

    @property
    def median(self) -> float:
        """Median wall seconds."""
        return statistics.median(self.times)

    @property
    def worst(self) -> float:
        """Slowest run."""
        return max(self.times)

    @property
    def calls_per_run(self) -> float:
        """Portal calls per run (mean)."""
        return sum(self.portal_calls) / len(self.portal_calls)


class CommandFailed(RuntimeError):
    """The command under benchmark did not succeed (the figure would mean nothing)."""


def run_ssotui(args: tuple[str, ...], ws: Workspace | None = None) -> tuple[float, int, str]:
    """Run `python -m tui ARGS` once: (wall seconds, portal calls, stdout)."""
    before = ws.portal_calls() if ws is not None else 0
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    elapsed = time.perf_counter() - start
    after = ws.portal_calls() if ws is not None else 0
    if proc.returncode != 0:
        raise CommandFailed(
            f"`ssotui {' '.join(args)}` exited {proc.returncode}: {proc.stderr.strip()[-300:]}"
        )
    return elapsed, after - before, proc.stdout


def time_command(
    args: tuple[str, ...], ws: Workspace | None = None, *, runs: int = 5, warm_up: bool = True
) -> CommandFigures:
    """Several runs (after one untimed warm-up run when asked)."""
    if warm_up:
        run_ssotui(args, ws)
    times: list[float] = []
    calls: list[int] = []
    for _ in range(max(1, runs)):
        elapsed, made, _out = run_ssotui(args, ws)
        times.append(elapsed)
        calls.append(made)
    return CommandFigures(args, tuple(times), tuple(calls))


def version(runs: int = 7) -> CommandFigures:
    """`ssotui --version`."""
    return time_command(("--version",), runs=runs)


def boto3_start(runs: int = 5) -> float:
    """Median wall seconds of `python -c` importing boto3 and building one SSO client."""
    code = (
        "import boto3\nfrom botocore import UNSIGNED\nfrom botocore.config import Config\n"
        "boto3.Session().client('sso', region_name='us-east-1', "
        "config=Config(signature_version=UNSIGNED))"
    )
    times: list[float] = []
    for _ in range(max(1, runs)):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cached_list(ws: Workspace, runs: int = 7) -> CommandFigures:
    """`ssotui list` with the catalog cached (the warm-up run fills the cache if it is not)."""
    figures = time_command(("list", "--session", SESSION), ws, runs=runs)
    _elapsed, _calls, out = run_ssotui(("list", "--session", SESSION, "--json"), ws)
    pairs = len(json.loads(out))
    expected = sum(len(roles) for roles in ws.expected_roles().values())
    if pairs != expected:
        raise CommandFailed(f"`ssotui list` printed {pairs} pairs, expected {expected}")
    return figures


@dataclass(frozen=True)
class RefreshFigures:
    """`ssotui list --refresh` end to end, and when its first portal call reached the service."""

    command: CommandFigures
    first_call: tuple[float, ...]  # seconds from spawning the process to its first ListAccounts

    @property
    def first_call_median(self) -> float:
        """Median seconds from spawn to the first portal call: ssotui's own start-up."""
        return statistics.median(self.first_call)


def refreshed_list(ws: Workspace, runs: int = 3) -> RefreshFigures:
    """`ssotui list --refresh`: process start, imports, the whole fetch, the cache write; and
    the moment the simulator (in this process) received the run's first ListAccounts."""
    args = ("list", "--session", SESSION, "--refresh")
    arrivals: list[float] = []
    answer = ws.sim.dispatch

    def recording(method: str, target: str, headers: dict[str, str], body: bytes) -> Any:
        if target.startswith("/assignment/accounts"):
            arrivals.append(time.perf_counter())
        return answer(method, target, headers, body)

    times: list[float] = []
    calls: list[int] = []
    first: list[float] = []
    setattr(ws.sim, "dispatch", recording)  # noqa: B010 (shadows the method for these runs)
    try:
        for _ in range(max(1, runs)):
            arrivals.clear()
            spawned = time.perf_counter()
            elapsed, made, _out = run_ssotui(args, ws)
            times.append(elapsed)
            calls.append(made)
            first.append(min(arrivals) - spawned)
    finally:
        delattr(ws.sim, "dispatch")
    return RefreshFigures(CommandFigures(args, tuple(times), tuple(calls)), tuple(first))


def credential_process(ws: Workspace, runs: int = 5) -> CommandFigures:
    """`ssotui credential-process ACCOUNT ROLE` after a first one: the catalog is cached and the
    role's credentials are kept, so no portal call at all (issue: as the AWS CLI's own cache)."""
    account, role = next((a, r) for a in ws.org.accounts for r in a.roles if not r.forbidden)
    args = ("credential-process", "--session", SESSION, account.account_id, role.name)
    figures = time_command(args, ws, runs=runs)
    _elapsed, _calls, out = run_ssotui(args, ws)
    if json.loads(out).get("Version") != 1:
        raise CommandFailed("credential-process printed no Version 1 object")
    return figures
