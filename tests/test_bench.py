"""The benchmark's catalog part runs and counts right on a tiny organisation (no timing asserted).

A smoke test of `tui.bench`, whose figures are printed by `python -m tui.bench`, never asserted.
"""

from __future__ import annotations

from tui.bench.catalog_bench import bench_catalog
from tui.bench.workspace import open_workspace
from tui.sim import Organisation


def test_catalog_bench_counts_every_account_and_call() -> None:
    org = Organisation.generate(accounts=20, seed=3)
    pairs = sum(len(a.roles) for a in org.accounts)
    with open_workspace(org, latency=0.005) as ws:
        figures = bench_catalog(ws, concurrency=4, repeat=1)
    for run in (figures.ssotui, figures.sequential):
        assert run.accounts == 20
        assert run.pairs == pairs
        assert run.lost == 0
        assert run.failed == 0
        assert run.role_calls == 20
    assert figures.ssotui.list_pages == 1  # ssotui asks for 100 per page
    assert figures.sequential.list_pages == 1  # the simulator's default page is 20
    assert figures.round_trip > 0
    assert figures.floor == 2 * figures.round_trip


def test_endpoint_bench_serves_every_request_from_the_cache() -> None:
    from tui.bench.endpoint_bench import measure

    with open_workspace(Organisation.generate(accounts=6, seed=3)) as ws:
        figures = measure(ws, requests=40)
        issued = ws.sim.calls["GetRoleCredentials"]
    assert len(figures.kept_alive.times) == 40
    assert len(figures.botocore.times) == len(figures.new_connection.times) == 40
    assert figures.portal_calls == 0 and issued == 1


def test_throttle_matrix_cell_counts_429s_and_lost_accounts() -> None:
    from tui.bench.throttle_bench import SHAPES, markdown, needed_calls, one_cell, row

    with open_workspace(Organisation.generate(accounts=40, seed=5), latency=0.005) as ws:
        cell = one_cell(ws, 40.0, SHAPES[0])  # a bucket of one at 40 calls/s
        assert ws.sim.knobs.rate_limit is None  # the limit is lifted after the cell
    assert cell.lost == 0
    assert cell.needed == needed_calls(40) == 2 + 40
    assert cell.throttled > 0  # a bucket of one refuses the first fan-out at least
    assert cell.floor == cell.needed / 40.0
    assert "bucket, burst 1" in row(cell)
    table = markdown([cell])
    assert table.splitlines()[0] == "| limiter | 40 calls/s |"
    assert "| bucket, burst 1 |" in table and "| 1.1 s |" in table  # 42 calls / 40 per s


def test_throttle_matrix_refresh_cell_asks_for_the_known_accounts_ahead() -> None:
    from tui.bench.throttle_bench import SHAPES, one_cell

    shape = next(s for s in SHAPES if s.refresh)
    assert shape.limiter == "empty-bucket"
    with open_workspace(Organisation.generate(accounts=40, seed=5), latency=0.005) as ws:
        cell = one_cell(ws, 40.0, shape)
    assert cell.lost == 0
    assert cell.throttled > 0  # an empty bucket refuses the very first calls
