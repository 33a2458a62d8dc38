"""The picker from cache: time until the accounts list has rows, and peak RSS.

The parent writes a catalog straight into the cache of an open workspace (whose token is
valid), then starts a fresh interpreter running `python -m tui.bench.picker_bench --probe`. The
probe builds the App with `make_app` (what the CLI runs), runs it headless under
`App.run_test()`, polls until the accounts pane has rows, types a query (so the peak memory
includes filtering) and prints what it saw as JSON. CPU per keystroke of the running picker is
the picker's own measurement (`tui.bench.keystrokes.picker_keystrokes`). Time to rows is counted
from the parent starting the interpreter, so it includes Python's start and every import, as a
user would wait for them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the probe must not load the simulator: a user's picker never does
    from tui.bench.workspace import Workspace

TYPED = "prod pay"


@dataclass(frozen=True)
class PickerFigures:
    """What one probe saw."""

    accounts: int
    to_rows: float  # seconds from starting the interpreter until the accounts list had rows
    app_to_rows: float  # seconds from App launch (imports done) until rows
    rows: int
    login_shown: bool
    maxrss_mb: float  # peak, after typing a query into the accounts filter
    portal_calls: int


@dataclass(frozen=True)
class PickerRuns:
    """Several probes of one catalog: each start is a fresh interpreter. (`statistics` is
    imported where used: the probe, this module run as a program, must not pay for it.)"""

    runs: tuple[PickerFigures, ...]

    @property
    def to_rows(self) -> float:
        """Median seconds from starting the interpreter until the accounts list had rows."""
        import statistics

        return statistics.median(r.to_rows for r in self.runs)

    @property
    def worst(self) -> float:
        """Slowest of the runs, seconds to rows."""
        return max(r.to_rows for r in self.runs)

    @property
    def app_to_rows(self) -> float:
        """Median seconds from App launch until rows."""
        import statistics

        return statistics.median(r.app_to_rows for r in self.runs)

    @property
    def last(self) -> PickerFigures:
        """The last probe (portal calls, login screen, memory: alike in every run)."""
        return self.runs[-1]


class PickerNotReady(RuntimeError):
    """The picker could not be started or never showed accounts."""


def measure(ws: Workspace, *, typed: str = TYPED, timeout: float = 60) -> PickerFigures:
    """Cache the workspace's organisation, then run the probe in a fresh interpreter."""
    ws.save_catalog()
    before = ws.portal_calls()
    probe = ["--probe", "--session", ws.session.label, "--type", typed]
    started = time.time()
    proc = subprocess.run(
        [sys.executable, "-m", "tui.bench.picker_bench", *probe],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=timeout + 30,
    )
    calls = ws.portal_calls() - before
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        detail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        raise PickerNotReady(detail[-1] if detail else f"probe exited {proc.returncode}")
    data: dict[str, Any] = json.loads(lines[-1])
    return PickerFigures(
        accounts=len(ws.org),
        to_rows=float(data["rows_at"]) - started,
        app_to_rows=float(data["rows_at"]) - float(data["launch_at"]),
        rows=int(data["rows"]),
        login_shown=bool(data["login_shown"]),
        maxrss_mb=float(data["maxrss_kb"]) / 1024,
        portal_calls=calls,
    )


def measure_runs(ws: Workspace, runs: int) -> PickerRuns:
    """`runs` probes, after one unmeasured: each measured start finds Python's, Textual's and
    ssotui's files in the OS's cache, as every start of a user's but the first after a boot."""
    measure(ws)
    return PickerRuns(tuple(measure(ws) for _ in range(max(1, runs))))


async def _probe(session_name: str, typed: str, timeout: float) -> dict[str, Any]:
    from tui.app import make_app
    from tui.workspace import Context

    context = Context.load()
    session = context.session(name=session_name)
    app = make_app(
        sessions=context.sessions(), session=session, open_browser=False, context=context
    )
    launch_at = time.time()
    # Loaded by the app already; the login screen is known by name, as the picker loads it
    # only when a login is needed.
    from tui.app.widgets.filter_list import FilterList

    login_shown = False
    async with app.run_test(size=(160, 48)) as pilot:
        deadline = time.monotonic() + timeout
        rows = 0
        while time.monotonic() < deadline:
            login_shown = login_shown or any(
                type(s).__name__ == "LoginScreen" for s in app.screen_stack
            )
            panes = [p for s in app.screen_stack for p in s.query(FilterList) if p.id == "accounts"]
            if panes and panes[0].row_list.row_count and panes[0].row_list.visible_rows():
                rows = panes[0].row_list.row_count
                break
            await asyncio.sleep(0.005)
        rows_at = time.time()
        if not rows:
            raise PickerNotReady("the accounts list had no rows after the timeout")
        await pilot.pause()
        for key in typed:
            await pilot.press("space" if key == " " else key)
        await pilot.pause()
        app.exit()
    return {
        "launch_at": launch_at,
        "rows_at": rows_at,
        "rows": rows,
        "login_shown": login_shown,
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def main(argv: list[str] | None = None) -> int:
    """The probe's entry point (run by `measure`, not by hand)."""
    parser = argparse.ArgumentParser(prog="python -m tui.bench.picker_bench")
    parser.add_argument("--probe", action="store_true", required=True)
    parser.add_argument("--session", required=True, help="the SSO session to open")
    parser.add_argument("--type", default=TYPED, help="keys typed after the rows appear")
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(_probe(args.session, args.type, args.timeout))), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
