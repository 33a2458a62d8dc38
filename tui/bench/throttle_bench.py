"""The throttled catalog against every limiter shape: `python -m tui.bench --throttle`.

For each rate R and each shape of limiter the simulator has (a token bucket of burst 1, R/2,
R, 2R and 5R; fixed one-second windows; a sliding one-second window), one full fetch of the
catalog with ssotui's pacer, compared with its floor: the successful calls a fetch needs
(ListAccounts pages of 20, one ListAccountRoles per account) divided by R. A shape with a
burst can beat the floor: the burst is free. Each cell starts with a fresh limiter (a full
bucket) and a fresh client in a process of its own (a pacer that knows nothing yet, and no
GIL shared with the simulator); rows print as they finish.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from tui.aws.catalog import DEFAULT_CONCURRENCY
from tui.bench.workspace import Workspace, open_workspace
from tui.sim import Organisation

RATES = (5.0, 20.0, 50.0)
ACCOUNTS = 150
PAGE_SIZE = 20
TARGET = 1.15  # the target: every cell within this multiple of its floor


@dataclass(frozen=True)
class Shape:
    """One limiter of the matrix: its label and the simulator knobs for a rate."""

    label: str
    limiter: str
    burst: Callable[[float], float | None]
    refresh: bool = False  # the accounts known from a catalog before: their roles asked ahead


SHAPES = (
    Shape("bucket, burst 1", "bucket", lambda r: 1.0),
    Shape("bucket, burst R/2", "bucket", lambda r: max(1.0, r / 2)),
    Shape("bucket, burst R", "bucket", lambda r: max(1.0, r)),
    Shape("bucket, burst 2R", "bucket", lambda r: 2 * r),
    Shape("bucket, burst 5R", "bucket", lambda r: 5 * r),
    Shape("fixed 1 s windows", "fixed-window", lambda r: None),
    Shape("sliding 1 s window", "sliding-window", lambda r: None),
    Shape("empty, burst R, refresh", "empty-bucket", lambda r: max(1.0, r), refresh=True),
)


@dataclass(frozen=True)
class Cell:
    """One fetch under one limiter at one rate."""

    rate: float
    shape: Shape
    seconds: float
    needed: int  # successful calls a fetch needs: pages + accounts
    throttled: int  # 429 answers
    lost: int  # accounts missing, failed or with other roles

    @property
    def floor(self) -> float:
        """(pages + accounts) / rate."""
        return self.needed / self.rate

    @property
    def ratio(self) -> float:
        """Time over floor."""
        return self.seconds / self.floor

    @property
    def met(self) -> bool:
        """Within the target and nothing lost."""
        return self.ratio <= TARGET and self.lost == 0


def needed_calls(accounts: int, page_size: int = PAGE_SIZE) -> int:
    """Successful calls of a full fetch: ListAccounts pages and one ListAccountRoles each."""
    return math.ceil(max(accounts, 1) / page_size) + accounts


def _child(known: list[str] | None = None) -> None:
    """In a fresh interpreter (the workspace's environment): one fetch, printed as JSON;
    `known`: account ids of a catalog from before (a refresh asks for their roles ahead)."""
    from datetime import UTC, datetime

    from tui.aws.catalog import fetch_catalog
    from tui.aws.portal import Portal
    from tui.aws.session_choice import chosen_session
    from tui.aws.token_cache import load_token
    from tui.bench.workspace import SESSION
    from tui.models import Account, Catalog
    from tui.paths import Paths

    here = Paths.from_environ(os.environ)
    session = chosen_session(here, name=SESSION)[0]
    token = load_token(here, session)
    assert token is not None, "the workspace's token is not cached"
    portal = Portal(
        session, token, environ=os.environ, max_pool=DEFAULT_CONCURRENCY, page_size=PAGE_SIZE
    )
    previous = None
    if known is not None:
        accounts = tuple(Account(account_id=a, name="", email="") for a in known)
        previous = Catalog(accounts=accounts, roles={}, fetched_at=datetime.now(UTC))
    start = time.perf_counter()
    catalog = fetch_catalog(
        session, token, concurrency=DEFAULT_CONCURRENCY, portal=portal, previous=previous
    )
    elapsed = time.perf_counter() - start
    roles = {a.account_id: list(catalog.roles_of(a.account_id)) for a in catalog.accounts}
    print(json.dumps({"seconds": elapsed, "roles": roles, "failed": list(catalog.failed)}))


def fetch_apart(ws: Workspace, refresh: bool = False) -> tuple[float, int]:
    """One fetch in its own interpreter, as a user's ssotui runs (its own GIL; the simulator
    stays in this process): (seconds, accounts lost). `refresh`: every account known before."""
    known = sorted(ws.expected_roles()) if refresh else None
    code = f"from tui.bench.throttle_bench import _child; _child({known!r})"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=600
    )
    if proc.returncode != 0:  # the child's own last words say what went wrong
        raise RuntimeError(f"the fetch failed (exit {proc.returncode}):\n{proc.stderr.strip()}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    got: dict[str, list[str]] = data["roles"]
    failed = set(data["failed"])
    lost = sum(
        1
        for account_id, roles in ws.expected_roles().items()
        if account_id not in got or account_id in failed or set(got[account_id]) != roles
    )
    return float(data["seconds"]), lost


def one_cell(ws: Workspace, rate: float, shape: Shape) -> Cell:
    """A fresh limiter of `shape` at `rate`, a fresh client in its own process, one fetch."""
    ws.sim.set(rate_limit=rate, limiter=shape.limiter, burst=shape.burst(rate))
    before = ws.portal_calls()
    try:
        seconds, lost = fetch_apart(ws, shape.refresh)
    finally:
        ws.sim.set(rate_limit=None, limiter="bucket", burst=None)
    needed = needed_calls(len(ws.org))
    return Cell(
        rate=rate,
        shape=shape,
        seconds=seconds,
        needed=needed,
        throttled=ws.portal_calls() - before - needed,
        lost=lost,
    )


def cells(
    rates: tuple[float, ...] = RATES,
    shapes: tuple[Shape, ...] = SHAPES,
    accounts: int = ACCOUNTS,
    latency: float = 0.04,
) -> Iterator[Cell]:
    """Every (rate, shape) cell, one at a time, against one simulator."""
    with open_workspace(Organisation.generate(accounts), latency=latency) as ws:
        for rate in rates:
            for shape in shapes:
                yield one_cell(ws, rate, shape)


HEADER = (
    f"{'rate':>6}  {'limiter':<24} {'time':>8} {'floor':>8} {'ratio':>7} {'429s':>6} {'lost':>5}"
)


def row(cell: Cell) -> str:
    """One printed line of the matrix."""
    verdict = "met" if cell.met else "MISS"
    return (
        f"{cell.rate:>4g}/s  {cell.shape.label:<24} {cell.seconds:>7.2f}s {cell.floor:>7.2f}s "
        f"{cell.ratio:>6.2f}× {cell.throttled:>6} {cell.lost:>5}  {verdict}"
    )


def markdown(results: list[Cell]) -> str:
    """The matrix as a Markdown table: a row per shape, a column per rate (time, ×floor)."""
    rates = sorted({c.rate for c in results})
    out = [
        "| limiter | " + " | ".join(f"{r:g} calls/s" for r in rates) + " |",
        "| --- | " + " | ".join("---" for _ in rates) + " |",
    ]
    labels = list(dict.fromkeys(c.shape.label for c in results))
    for label in labels:
        parts = []
        for r in rates:
            cell = next((c for c in results if c.rate == r and c.shape.label == label), None)
            if cell is None:
                parts.append("")
                continue
            lost = f", {cell.lost} lost" if cell.lost else ""
            parts.append(f"{cell.seconds:.1f} s, {cell.ratio:.2f}×{lost}")
        out.append(f"| {label} | " + " | ".join(parts) + " |")
    floors = [f"{next(c.floor for c in results if c.rate == r):.1f} s" for r in rates]
    out.append("| floor (pages + accounts) / R | " + " | ".join(floors) + " |")
    return "\n".join(out)


def run_matrix(
    rates: tuple[float, ...] = RATES,
    accounts: int = ACCOUNTS,
    latency: float = 0.04,
    print_line: Callable[[str], object] = print,
) -> list[Cell]:
    """Run and print the matrix row by row; returns the cells."""
    began = time.perf_counter()
    print_line(
        f"Throttled catalog: {accounts} accounts, ListAccounts pages of {PAGE_SIZE}, "
        f"{latency * 1000:.0f} ms per call, {DEFAULT_CONCURRENCY} workers; floor = "
        f"(pages + accounts) / rate; target ≤ {TARGET}× and 0 lost"
    )
    print_line(HEADER)
    results: list[Cell] = []
    for cell in cells(rates, SHAPES, accounts, latency):
        results.append(cell)
        print_line(row(cell))
    worst = max(results, key=lambda c: c.ratio)
    missed = [c for c in results if not c.met]
    print_line(
        f"worst {worst.ratio:.2f}× ({worst.shape.label} at {worst.rate:g}/s); "
        f"{len(missed)} of {len(results)} cells miss; "
        f"{sum(c.lost for c in results)} accounts lost; "
        f"matrix took {time.perf_counter() - began:.0f} s"
    )
    print_line("")
    print_line(markdown(results))
    return results
