"""`python -m tui.bench.endpoint_bench`: the credential endpoint serving cached credentials.

The endpoint runs in this process, as in ssotui's; the client is another process, as the child
of `exec --renew` is (in one process, the client's and the server's threads would take turns
on the interpreter lock, every 5 ms). Over one kept-alive connection (as an SDK's connection
pool keeps it), 2,000 GETs of credentials that have far more than 15 minutes left: time per
request (p50, p99, worst) and the portal calls made meanwhile (should be none). Also botocore's
own container-credentials fetcher, and a new connection per request (as a fresh AWS CLI process
opens one). Prints figures, asserts nothing.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass

from tui.aws.portal import Portal
from tui.aws.tokens import current_token
from tui.bench.table import Section, machine, millis, render
from tui.bench.workspace import Workspace, open_workspace
from tui.models import Account, RoleCredentials
from tui.paths import Paths
from tui.serve import TOKEN_VAR, URI_VAR, CredentialEndpoint
from tui.sim import Organisation

REQUESTS = 2_000
BOTOCORE_REQUESTS = 500
NEW_CONNECTIONS = 300
TARGET_P99_MS = 5.0


@dataclass(frozen=True)
class Timings:
    """Seconds per request."""

    times: tuple[float, ...]

    def percentile(self, p: int) -> float:
        """The p-th percentile, in milliseconds."""
        return statistics.quantiles(self.times, n=100, method="inclusive")[p - 1] * 1000

    @property
    def worst_ms(self) -> float:
        """The slowest request, in milliseconds."""
        return max(self.times) * 1000


@dataclass(frozen=True)
class EndpointFigures:
    """What the benchmark measured."""

    first_ms: float  # the client's first request (a new connection; credentials cached)
    kept_alive: Timings
    botocore: Timings
    new_connection: Timings
    portal_calls: int  # GetRoleCredentials during the cached requests
    requests: int


def _fetcher(ws: Workspace) -> tuple[Account, str]:
    source = next(a for a in ws.org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r.name for r in source.roles if not r.forbidden)
    return Account(source.account_id, source.name, source.email), role


# The client, in its own process as the child of `exec --renew` is: the timing loops print
# their seconds per request as one JSON object.
_CLIENT = """
import http.client, json, sys, time
from urllib.parse import urlsplit
from botocore.utils import ContainerMetadataFetcher

url, token = sys.argv[1], sys.argv[2]
kept, boto, fresh = (int(n) for n in sys.argv[3:6])
parts = urlsplit(url)
headers = {"Authorization": token}

def get(conn):
    start = time.perf_counter()
    conn.request("GET", parts.path, headers=headers)
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        raise SystemExit(f"the endpoint answered {response.status}")
    return time.perf_counter() - start

conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
out = {"first": get(conn), "kept_alive": [get(conn) for _ in range(kept)]}
conn.close()
fetcher = ContainerMetadataFetcher()  # one urllib3 pool, as in an SDK's process
out["botocore"] = []
for _ in range(boto):
    start = time.perf_counter()
    fetcher.retrieve_full_uri(url, headers=headers)
    out["botocore"].append(time.perf_counter() - start)
out["new_connection"] = []
for _ in range(fresh):
    one = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    out["new_connection"].append(get(one))
    one.close()
print(json.dumps(out))
"""


def measure(ws: Workspace, requests: int = REQUESTS) -> EndpointFigures:
    """Serve one role's credentials from `ws`'s simulator; time a client process's requests."""
    account, role = _fetcher(ws)

    def fetch() -> RoleCredentials:
        return Portal(
            ws.session,
            current_token(Paths.from_environ(os.environ), ws.session),
            environ=os.environ,
        ).role_credentials(account, role)

    with CredentialEndpoint(fetch) as endpoint:
        env = endpoint.environment()
        endpoint.credentials()  # the first fetch, as `exec --renew` makes it before the child
        before = ws.sim.calls["GetRoleCredentials"]
        counts = (requests, min(requests, BOTOCORE_REQUESTS), min(requests, NEW_CONNECTIONS))
        proc = subprocess.run(
            [sys.executable, "-c", _CLIENT, env[URI_VAR], env[TOKEN_VAR], *map(str, counts)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        calls = ws.sim.calls["GetRoleCredentials"] - before
    if proc.returncode != 0:
        raise RuntimeError(f"the benchmark client failed: {proc.stderr.strip()[-500:]}")
    out = json.loads(proc.stdout)
    return EndpointFigures(
        first_ms=out["first"] * 1000,
        kept_alive=Timings(tuple(out["kept_alive"])),
        botocore=Timings(tuple(out["botocore"])),
        new_connection=Timings(tuple(out["new_connection"])),
        portal_calls=calls,
        requests=requests,
    )


def endpoint_section(latency: float = 0.04, requests: int = REQUESTS) -> Section:
    """The figures as a table section."""
    with open_workspace(Organisation.generate(12), latency=latency) as ws:
        fig = measure(ws, requests)
    n = fig.requests
    section = Section(f"Credential endpoint (`exec --renew`): {n:,} cached GETs, one connection")
    p99 = fig.kept_alive.percentile(99)
    section.add("per request, p50", millis(fig.kept_alive.percentile(50)))
    section.add("per request, p99", millis(p99), f"≤ {TARGET_P99_MS:g} ms", p99 <= TARGET_P99_MS)
    section.add("per request, worst", millis(fig.kept_alive.worst_ms))
    section.add(
        f"portal calls during the {n:,} (credentials > 15 min left)",
        str(fig.portal_calls),
        "0",
        fig.portal_calls == 0,
    )
    section.add("the client's first request (new connection)", millis(fig.first_ms))
    boto = fig.botocore
    section.add(
        f"botocore ContainerMetadataFetcher, {len(boto.times)} reads: p50 | p99",
        f"{boto.percentile(50):.2f} | {boto.percentile(99):.2f} ms",
    )
    fresh = fig.new_connection
    section.add(
        f"a new connection per request, {len(fresh.times)} reads: p50 | p99",
        f"{fresh.percentile(50):.2f} | {fresh.percentile(99):.2f} ms",
    )
    return section


def main() -> int:
    """Print the machine and the endpoint's figures."""
    print(machine())
    print(render([endpoint_section()]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
