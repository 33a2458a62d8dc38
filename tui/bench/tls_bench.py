"""The catalog over TLS, as the real portal is reached, against the same over plain HTTP.

Two simulators run side by side, one plain and one speaking HTTPS with a self-signed
certificate trusted through `AWS_CA_BUNDLE` (`tui.sim.certificate`); ssotui fetches the
catalog from each in a process of its own, the two alternating so that the load of a shared
machine falls on both alike. Every new connection costs a TLS handshake, on both sides: here
the simulator's half of it is on this machine too, which the real portal spares the user.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass

from tui.aws.catalog import DEFAULT_CONCURRENCY
from tui.bench.catalog_bench import sequential_fetch
from tui.bench.workspace import open_workspace
from tui.sim import Organisation


@dataclass(frozen=True)
class TlsFigures:
    """Own-process fetches over plain HTTP and over TLS, and the sequential baseline."""

    accounts: int
    plain: tuple[float, ...]  # wall seconds of each fetch
    tls: tuple[float, ...]
    plain_cpu: float  # median CPU seconds of the fetching process
    tls_cpu: float
    sequential_tls: float  # one call at a time, over TLS

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

    @property
    def speedup(self) -> float:
        """The sequential baseline over TLS, over ssotui over TLS."""
        return self.sequential_tls / self.tls_median


def _fetch(env: dict[str, str], accounts: int) -> tuple[float, float]:
    """One fetch in a fresh interpreter with `env` (a workspace's): (wall, CPU) seconds."""
    code = f"from tui.bench.catalog_bench import _fetch_child; _fetch_child({DEFAULT_CONCURRENCY})"
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        env=env,
    )
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    if data["accounts"] != accounts:
        raise RuntimeError(f"fetched {data['accounts']} accounts of {accounts}")
    return float(data["seconds"]), float(data["cpu"])


def compare(accounts: int = 300, latency: float = 0.04, runs: int = 7) -> TlsFigures:
    """`runs` fetches over each, alternating, and the sequential baseline over TLS."""
    org = Organisation.generate(accounts)
    with open_workspace(org, latency=latency):
        plain_env = dict(os.environ)
        with open_workspace(org, latency=latency, tls=True) as tls_ws:
            tls_env = dict(os.environ)
            plain, tls = [], []
            for _ in range(max(1, runs)):
                plain.append(_fetch(plain_env, accounts))
                tls.append(_fetch(tls_env, accounts))
            sequential = sequential_fetch(tls_ws)
    if sequential.lost:
        raise RuntimeError(f"the sequential baseline lost {sequential.lost} accounts")
    return TlsFigures(
        accounts=accounts,
        plain=tuple(wall for wall, _ in plain),
        tls=tuple(wall for wall, _ in tls),
        plain_cpu=statistics.median(cpu for _, cpu in plain),
        tls_cpu=statistics.median(cpu for _, cpu in tls),
        sequential_tls=sequential.seconds,
    )
