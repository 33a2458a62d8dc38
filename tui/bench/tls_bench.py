"""The catalog over TLS, as the real portal is reached, against the same over plain HTTP.

Two simulators run side by side, one plain and one speaking HTTPS with a self-signed
certificate trusted through `AWS_CA_BUNDLE` (`tui.sim.certificate`); ssotui fetches the
catalog from each in a process of its own, the runs alternating so that the load of a shared
machine falls on all alike. Two kinds of fetch: a refresh, where the last catalog is cached
(as for `ssotui list --refresh` and the picker's refresh: it knows how many connections it will
want and opens them while the first page is on its way), and a first fetch, with nothing
cached. Every new connection costs a TLS handshake, on both sides: here the simulator's half
of it is on this machine too, which the real portal spares the user.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

from tui.aws.catalog import DEFAULT_CONCURRENCY
from tui.bench.catalog_bench import sequential_fetch
from tui.bench.workspace import open_workspace
from tui.sim import Organisation


@dataclass(frozen=True)
class Fetches:
    """Own-process fetches of one kind over plain HTTP and over TLS."""

    plain: tuple[float, ...]  # wall seconds of each fetch
    tls: tuple[float, ...]
    plain_cpu: float  # median CPU seconds of the fetching process
    tls_cpu: float
    plain_server_cpu: float  # median CPU seconds of this process (the simulators) meanwhile
    tls_server_cpu: float
    full_handshakes: float  # median TLS handshakes of a fetch with the certificate sent
    resumed_handshakes: float  # median of those that resumed an earlier connection's session

    @property
    def plain_median(self) -> float:
        """Median wall seconds over plain HTTP."""
        return statistics.median(self.plain)

    @property
    def tls_median(self) -> float:
        """Median wall seconds over TLS."""
        return statistics.median(self.tls)

    @property
    def ratio(self) -> float:
        """TLS over plain HTTP (medians)."""
        return self.tls_median / self.plain_median


@dataclass(frozen=True)
class TlsFigures:
    """A refresh and a first fetch, each over both, and the sequential baseline over TLS."""

    accounts: int
    refresh: Fetches
    first: Fetches
    sequential_tls: float  # one call at a time, over TLS

    @property
    def speedup(self) -> float:
        """The sequential baseline over TLS, over ssotui's first fetch over TLS."""
        return self.sequential_tls / self.first.tls_median


def _fetch(env: dict[str, str], accounts: int, *, refresh: bool) -> tuple[float, float, float]:
    """One fetch in a fresh interpreter with `env` (a workspace's): (wall, CPU, server CPU)
    seconds; server CPU is this process's meanwhile, where the simulators run (with the
    start of the interpreter, alike for both)."""
    code = (
        "from tui.bench.catalog_bench import _fetch_child; "
        f"_fetch_child({DEFAULT_CONCURRENCY}, refresh={refresh})"
    )
    server = time.process_time()
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        env=env,
    )
    server = time.process_time() - server
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    if data["accounts"] != accounts:
        raise RuntimeError(f"fetched {data['accounts']} accounts of {accounts}")
    return float(data["seconds"]), float(data["cpu"]), server


Run = tuple[float, float, float]  # wall, CPU of the fetch, CPU of the server meanwhile
Handshakes = tuple[int, int]  # full, resumed


def _fetches(runs: list[Run], tls_runs: list[Run], handshakes: list[Handshakes]) -> Fetches:
    return Fetches(
        plain=tuple(run[0] for run in runs),
        tls=tuple(run[0] for run in tls_runs),
        plain_cpu=statistics.median(run[1] for run in runs),
        tls_cpu=statistics.median(run[1] for run in tls_runs),
        plain_server_cpu=statistics.median(run[2] for run in runs),
        tls_server_cpu=statistics.median(run[2] for run in tls_runs),
        full_handshakes=statistics.median(full for full, _resumed in handshakes),
        resumed_handshakes=statistics.median(resumed for _full, resumed in handshakes),
    )


def compare(accounts: int = 300, latency: float = 0.04, runs: int = 7) -> TlsFigures:
    """`runs` fetches of each kind over each, alternating, and sequential over TLS."""
    org = Organisation.generate(accounts)
    kinds = (True, False)  # refresh, first fetch
    walls: dict[tuple[bool, bool], list[Run]] = {}
    handshakes: dict[bool, list[Handshakes]] = {True: [], False: []}
    with open_workspace(org, latency=latency) as plain_ws:
        plain_ws.save_catalog()
        plain_env = dict(os.environ)
        with open_workspace(org, latency=latency, tls=True) as tls_ws:
            tls_ws.save_catalog()
            tls_env = dict(os.environ)
            for _ in range(max(1, runs)):
                for refresh in kinds:
                    for tls, env in ((False, plain_env), (True, tls_env)):
                        tls_ws.sim.reset_calls()
                        fetched = _fetch(env, accounts, refresh=refresh)
                        walls.setdefault((refresh, tls), []).append(fetched)
                        if tls:
                            done = tls_ws.sim.handshakes
                            handshakes[refresh].append((done["full"], done["resumed"]))
            sequential = sequential_fetch(tls_ws)
    if sequential.lost:
        raise RuntimeError(f"the sequential baseline lost {sequential.lost} accounts")
    return TlsFigures(
        accounts=accounts,
        refresh=_fetches(walls[True, False], walls[True, True], handshakes[True]),
        first=_fetches(walls[False, False], walls[False, True], handshakes[False]),
        sequential_tls=sequential.seconds,
    )
