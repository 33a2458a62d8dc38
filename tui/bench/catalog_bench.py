"""Catalog figures: ssotui's pipelined fetch against its floor and a sequential baseline.

All in this process against one simulator: ssotui's `fetch_catalog`; the floor, (ListAccounts
pages + 1) × one measured round trip; and what aws-sso-util does, plain boto3 paginators with
one ListAccountRoles after another. Under a rate limit the floor is calls / rate. Every run is
checked against the organisation: an account missing, failed or with other roles is "lost".
"""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from tui.aws import clients
from tui.aws.catalog import DEFAULT_CONCURRENCY, fetch_catalog
from tui.aws.portal import PAGE_SIZE, Portal
from tui.aws.portal_botocore import BotocorePortalClient
from tui.aws.throttle import Pacer
from tui.bench.workspace import Workspace
from tui.models import Catalog

if TYPE_CHECKING:
    from mypy_boto3_sso import SSOClient

RetryMode = Literal["standard", "adaptive", "legacy"]
# How throttling is handled: "pacer" is ssotui as shipped (the Portal's own Pacer over single
# botocore attempts); "adaptive"/"standard" leave it to that botocore retry mode (3 attempts,
# the Portal's pacer switched off) to compare.
Throttling = Literal["pacer", "adaptive", "standard"]


class _Unpaced(Pacer):
    """A pacer that never paces: throttling is left to botocore's retry mode."""

    def wait(self, refused: int = 0, first: Callable[[], bool] | None = None) -> int:
        return 0

    def succeeded(self, generation: int | None = None) -> None:
        return None

    def throttled(self, generation: int) -> None:
        return None


@dataclass(frozen=True)
class FetchRun:
    """One full catalog fetch: how long, how many calls, how many accounts came out wrong."""

    accounts: int
    pairs: int
    seconds: float
    cpu_seconds: float  # CPU time of this process meanwhile (client and in-process simulator)
    list_pages: int  # ListAccounts requests
    role_calls: int  # ListAccountRoles requests (429 answers included)
    failed: int  # accounts reported failed
    lost: int  # accounts missing, failed, or with roles other than the organisation's


@dataclass(frozen=True)
class CatalogFigures:
    """ssotui, floor and sequential baseline for one organisation size."""

    accounts: int
    concurrency: int
    round_trip: float
    ssotui: FetchRun
    sequential: FetchRun

    @property
    def floor(self) -> float:
        """(ListAccounts pages + 1) × round trip: pages are sequential, then one roles call."""
        return (self.ssotui.list_pages + 1) * self.round_trip

    @property
    def speedup(self) -> float:
        """How many times faster than the sequential baseline."""
        return self.sequential.seconds / self.ssotui.seconds

    @property
    def over_floor(self) -> float:
        """ssotui's time as a multiple of the floor."""
        return self.ssotui.seconds / self.floor


@dataclass(frozen=True)
class RateFigures:
    """ssotui under a request-rate limit, against calls / rate."""

    rate: float
    needed_calls: int
    runs: tuple[FetchRun, ...]

    @property
    def floor(self) -> float:
        """The successful calls a fetch needs, divided by the allowed rate."""
        return self.needed_calls / self.rate

    @property
    def median(self) -> float:
        """Median wall time of the runs."""
        return statistics.median(r.seconds for r in self.runs)

    @property
    def worst(self) -> float:
        """Slowest run."""
        return max(r.seconds for r in self.runs)

    @property
    def lost(self) -> int:
        """Accounts lost over all runs (must be 0)."""
        return sum(r.lost for r in self.runs)

    @property
    def throttled(self) -> int:
        """429 answers over all runs."""
        return sum(r.list_pages + r.role_calls for r in self.runs) - self.needed_calls * len(
            self.runs
        )


def lost_accounts(catalog: Catalog, expected: dict[str, set[str]]) -> int:
    """Accounts of the organisation missing from `catalog`, failed, or with other roles."""
    known = {a.account_id for a in catalog.accounts}
    lost = 0
    for account_id, roles in expected.items():
        if (
            account_id not in known
            or account_id in catalog.failed
            or set(catalog.roles_of(account_id)) != roles
        ):
            lost += 1
    return lost


def plain_client(ws: Workspace) -> SSOClient:
    """A boto3 SSO client as a plain script builds it (unsigned, defaults otherwise)."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    client: SSOClient = boto3.Session().client(
        "sso", region_name=ws.session.region, config=Config(signature_version=UNSIGNED)
    )
    return client


def tuned_client(
    ws: Workspace, *, mode: RetryMode, max_pool: int, max_attempts: int = clients.MAX_ATTEMPTS
) -> SSOClient:
    """A client like tui.aws.clients builds, with the retry mode given (to compare)."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    config = Config(
        region_name=ws.session.region,
        signature_version=UNSIGNED,
        retries={"mode": mode, "total_max_attempts": max_attempts},
        connect_timeout=clients.CONNECT_TIMEOUT,
        read_timeout=clients.READ_TIMEOUT,
        max_pool_connections=max_pool,
    )
    client: SSOClient = boto3.Session().client("sso", config=config)
    return client


def round_trip(ws: Workspace, samples: int = 7) -> float:
    """Median seconds of one ListAccountRoles call over a warm connection."""
    client = plain_client(ws)
    account_id = ws.org.accounts[0].account_id
    token = ws.token.access_token
    client.list_account_roles(accessToken=token, accountId=account_id)  # connect first
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        client.list_account_roles(accessToken=token, accountId=account_id)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _measured(ws: Workspace, fetch: Callable[[], Catalog]) -> FetchRun:
    before = ws.sim.calls
    cpu = time.process_time()
    start = time.perf_counter()
    catalog = fetch()
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    after = ws.sim.calls
    return FetchRun(
        accounts=len(catalog.accounts),
        pairs=sum(len(catalog.roles_of(a.account_id)) for a in catalog.accounts),
        seconds=elapsed,
        cpu_seconds=cpu,
        list_pages=after["ListAccounts"] - before["ListAccounts"],
        role_calls=after["ListAccountRoles"] - before["ListAccountRoles"],
        failed=len(catalog.failed),
        lost=lost_accounts(catalog, ws.expected_roles()),
    )


def ssotui_fetch(
    ws: Workspace,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    throttling: Throttling = "pacer",
    page_size: int = PAGE_SIZE,
) -> FetchRun:
    """One `fetch_catalog` with a fresh client (its connections and rate state start cold)."""
    clients.clear_cache()
    client = None
    if throttling != "pacer":
        tuned = tuned_client(ws, mode=throttling, max_pool=concurrency)
        client = BotocorePortalClient(tuned, read_timeout=clients.READ_TIMEOUT)
    portal = Portal(
        ws.session,
        ws.token,
        environ=os.environ,
        client=client,
        max_pool=concurrency,
        page_size=page_size,
    )
    if throttling != "pacer":
        portal.pacer = _Unpaced()
    return _measured(
        ws, lambda: fetch_catalog(ws.session, ws.token, concurrency=concurrency, portal=portal)
    )


def sequential_fetch(ws: Workspace) -> FetchRun:
    """The baseline: boto3 paginators, one ListAccountRoles after another."""
    from tui.models import Account, utcnow

    client = plain_client(ws)
    token = ws.token.access_token

    def fetch() -> Catalog:
        accounts: list[Account] = []
        roles: dict[str, tuple[str, ...]] = {}
        for page in client.get_paginator("list_accounts").paginate(accessToken=token):
            for item in page.get("accountList", []):
                accounts.append(Account(item["accountId"], item["accountName"]))
        for account in accounts:
            names: list[str] = []
            paginator = client.get_paginator("list_account_roles")
            for roles_page in paginator.paginate(accessToken=token, accountId=account.account_id):
                names.extend(r["roleName"] for r in roles_page.get("roleList", []))
            roles[account.account_id] = tuple(names)
        return Catalog(accounts=tuple(accounts), roles=roles, fetched_at=utcnow())

    return _measured(ws, fetch)


def _median_run(runs: list[FetchRun]) -> FetchRun:
    ordered = sorted(runs, key=lambda r: r.seconds)
    median = ordered[len(ordered) // 2]
    # A lost account in any run must show, whichever run is reported.
    return FetchRun(
        accounts=median.accounts,
        pairs=median.pairs,
        seconds=median.seconds,
        cpu_seconds=median.cpu_seconds,
        list_pages=median.list_pages,
        role_calls=median.role_calls,
        failed=max(r.failed for r in runs),
        lost=max(r.lost for r in runs),
    )


def bench_catalog(
    ws: Workspace, *, concurrency: int = DEFAULT_CONCURRENCY, repeat: int = 3
) -> CatalogFigures:
    """ssotui (median of `repeat` fetches), the round trip and the sequential baseline."""
    rt = round_trip(ws)
    runs = [ssotui_fetch(ws, concurrency=concurrency) for _ in range(max(1, repeat))]
    return CatalogFigures(
        accounts=len(ws.org),
        concurrency=concurrency,
        round_trip=rt,
        ssotui=_median_run(runs),
        sequential=sequential_fetch(ws),
    )


def list_pages(accounts: int) -> int:
    """ListAccounts pages ssotui asks for (at its page size)."""
    return math.ceil(max(accounts, 1) / PAGE_SIZE)


def floor_for(accounts: int, round_trip: float) -> float:
    """The pipeline floor of a fetch: (ListAccounts pages + 1) × round trip."""
    return (list_pages(accounts) + 1) * round_trip


def needed_calls(accounts: int) -> int:
    """Successful portal calls a full fetch needs (every account's roles fit one page)."""
    return list_pages(accounts) + accounts


def bench_rate_limited(
    ws: Workspace,
    *,
    rate: float,
    repeat: int = 1,
    concurrency: int = DEFAULT_CONCURRENCY,
    throttling: Throttling = "pacer",
) -> RateFigures:
    """ssotui under `rate` calls/s, as shipped or with throttling left to a botocore mode."""
    runs: list[FetchRun] = []
    for _ in range(max(1, repeat)):
        ws.sim.set(rate_limit=rate)  # a full bucket for every run
        runs.append(ssotui_fetch(ws, concurrency=concurrency, throttling=throttling))
    ws.sim.set(rate_limit=None)
    return RateFigures(rate=rate, needed_calls=needed_calls(len(ws.org)), runs=tuple(runs))


def _fetch_child(concurrency: int, refresh: bool = False) -> None:
    """In a fresh interpreter (the workspace's environment): time one fetch, print seconds.

    `refresh`: the workspace's cached catalog is the last one, as for `ssotui list --refresh`
    (it tells the fetch how many connections it will want); else nothing is known."""
    import json

    from tui.aws.session_choice import chosen_session
    from tui.aws.token_cache import load_token
    from tui.bench.workspace import SESSION
    from tui.paths import Paths
    from tui.store import catalog_cache

    here = Paths.from_environ(os.environ)
    session = chosen_session(here, name=SESSION)[0]
    token = load_token(here, session)
    assert token is not None, "the workspace's token is not cached"
    previous = catalog_cache.load(here, session) if refresh else None
    assert previous is not None or not refresh, "the workspace's catalog is not cached"
    portal = Portal(session, token, environ=os.environ, max_pool=concurrency)
    cpu = time.process_time()
    start = time.perf_counter()
    catalog = fetch_catalog(
        session, token, concurrency=concurrency, portal=portal, previous=previous
    )
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    print(json.dumps({"seconds": elapsed, "cpu": cpu, "accounts": len(catalog.accounts)}))


def fetch_out_of_process(
    ws: Workspace, *, concurrency: int = DEFAULT_CONCURRENCY
) -> tuple[float, float]:
    """Wall and CPU seconds of one fetch in a separate interpreter (its own GIL, as a user's
    ssotui has; the simulator stays here). Start-up and client creation are not counted."""
    import json
    import subprocess
    import sys

    code = f"from tui.bench.catalog_bench import _fetch_child; _fetch_child({concurrency})"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    if data["accounts"] != len(ws.org):
        raise RuntimeError(f"fetched {data['accounts']} accounts of {len(ws.org)}")
    return float(data["seconds"]), float(data["cpu"])


def concurrency_sweep(ws: Workspace, levels: tuple[int, ...]) -> dict[int, tuple[float, float]]:
    """Worker count -> median seconds (in this process, in its own process); one run of each
    when a run takes over 2 s, else three."""
    out: dict[int, tuple[float, float]] = {}
    for level in levels:
        here = [ssotui_fetch(ws, concurrency=level).seconds]
        apart = [fetch_out_of_process(ws, concurrency=level)[0]]
        if here[0] < 2.0:
            here += [ssotui_fetch(ws, concurrency=level).seconds for _ in range(2)]
            apart += [fetch_out_of_process(ws, concurrency=level)[0] for _ in range(2)]
        out[level] = (statistics.median(here), statistics.median(apart))
    return out
