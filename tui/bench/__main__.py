"""`python -m tui.bench [--quick] [--accounts N ...] [--sweep]`: run the benchmark, print the table.

Sections print as they finish; progress goes to stderr. `--quick` measures 300 accounts only,
with fewer repeats (under ~40 s); `--sweep` adds the worker-count and retry-mode comparisons.
`--throttle` runs only the throttling matrix (every limiter shape at 5, 20 and 50 calls/s,
about five minutes; `--rates` to choose); `--tls` only the catalog over TLS against plain HTTP.
"""

from __future__ import annotations

import argparse
import sys
import time

from tui.aws.catalog import DEFAULT_CONCURRENCY
from tui.bench import (
    catalog_bench,
    cli_bench,
    filter_bench,
    picker_bench,
    throttle_bench,
    tls_bench,
)
from tui.bench.endpoint_bench import endpoint_section
from tui.bench.table import Section, machine, millis, ratio, render, seconds
from tui.bench.workspace import open_workspace, sim_backlog
from tui.sim import Organisation

TARGET_ACCOUNTS = 300  # the size the catalog targets are stated for
RATE_ACCOUNTS = 150  # and the size of the throttled target
PICKER_ACCOUNTS = 1_000
ROWS = 10_000


def _progress(text: str) -> None:
    print(f"… {text}", file=sys.stderr, flush=True)


def _show(section: Section) -> Section:
    print(render([section]), flush=True)
    return section


def catalog_section(
    sizes: list[int],
    latency: float,
    repeat: int,
    e2e_runs: int,
    start: float,
) -> Section:
    """Full catalog per size: ssotui, floor, sequential, ratios, end to end."""
    ms = latency * 1000
    section = Section(f"Full catalog at {ms:.0f} ms per call (simulator in this process)")
    for n in sizes:
        _progress(f"catalog: {n} accounts at {ms:.0f} ms (sequential baseline is the slow part)")
        with open_workspace(Organisation.generate(n), latency=latency) as ws:
            fig = catalog_bench.bench_catalog(ws, repeat=repeat)
            run = fig.ssotui
            own = sorted(catalog_bench.fetch_out_of_process(ws) for _ in range(max(1, repeat)))
            apart, apart_cpu = own[len(own) // 2]
            e2e = cli_bench.refreshed_list(ws, runs=e2e_runs)
        target = n == TARGET_ACCOUNTS
        section.add(
            f"{n} accounts ({run.pairs} pairs): ssotui fetch_catalog, "
            f"{fig.concurrency} workers, median of {repeat}",
            seconds(run.seconds),
        )
        section.add(
            f"{n}: pipeline floor ({run.list_pages} ListAccounts + 1) × "
            f"{fig.round_trip * 1000:.1f} ms",
            seconds(fig.floor),
        )
        section.add(
            f"{n}: sequential (boto3 paginators, one call at a time)",
            seconds(fig.sequential.seconds),
        )
        section.add(
            f"{n}: speed-up over sequential",
            ratio(fig.speedup),
            "≥ 20×" if target else "",
            fig.speedup >= 20 if target else None,
        )
        section.add(f"{n}: ssotui / floor (in process)", ratio(fig.over_floor))
        section.add(
            f"{n}: ssotui fetch_catalog in its own process (fetch only, median)",
            seconds(apart),
        )
        section.add(f"{n}: that / floor", ratio(apart / fig.floor))
        section.add(
            f"{n}: CPU of that process in the fetch ({apart_cpu / n * 1000:.2f} ms per account)",
            seconds(apart_cpu),
        )
        section.add(
            f"{n}: CPU used during the fetch (client + simulator, 1 process)",
            seconds(run.cpu_seconds),
        )
        wall = e2e.command.median
        section.add(f"{n}: `ssotui list --refresh` wall, subprocess, median", seconds(wall))
        section.add(
            f"{n}: of which from spawn to its first portal call (median)",
            seconds(e2e.first_call_median),
        )
        for what, begin in (
            ("`ssotui --version`", start),
            ("spawn to first call", e2e.first_call_median),
        ):
            over = wall / (fig.floor + begin)
            section.add(
                f"{n}: that / (floor + {what} {seconds(begin)})",
                ratio(over),
                "≤ 1.5×" if target else "",
                over <= 1.5 if target else None,
            )
        lost = run.lost + fig.sequential.lost
        section.add(
            f"{n}: accounts lost (ssotui, sequential)",
            f"{run.lost}, {fig.sequential.lost}",
            "0",
            lost == 0,
        )
    return section


def tls_section(accounts: int, latency: float, runs: int) -> Section:
    """The catalog fetch over TLS against plain HTTP, and against sequential over TLS."""
    ms = latency * 1000
    section = Section(
        f"Full catalog over TLS ({accounts} accounts, {ms:.0f} ms per call; self-signed "
        "certificate in the default CA bundle, through AWS_CA_BUNDLE; each fetch in its own "
        "process, alternating)"
    )
    _progress(f"tls: {accounts} accounts, {runs} fetches over each, then sequential over TLS")
    fig = tls_bench.compare(accounts, latency, runs)
    for kind, fetches in (
        ("refresh, last catalog cached (as `list --refresh`)", fig.refresh),
        ("first fetch, nothing cached", fig.first),
    ):
        section.add(
            f"{kind}: plain | TLS, median of {runs} "
            f"(worst {seconds(max(fetches.plain))} | {seconds(max(fetches.tls))})",
            f"{seconds(fetches.plain_median)} | {seconds(fetches.tls_median)}",
        )
        section.add(
            f"{kind}: TLS / plain HTTP", ratio(fetches.ratio), "≤ 1.3×", fetches.ratio <= 1.3
        )
        section.add(
            f"{kind}: CPU of the fetching process, plain | TLS (medians)",
            f"{seconds(fetches.plain_cpu)} | {seconds(fetches.tls_cpu)}",
        )
        section.add(
            f"{kind}: CPU of the simulator meanwhile, plain | TLS (same 2 cores)",
            f"{seconds(fetches.plain_server_cpu)} | {seconds(fetches.tls_server_cpu)}",
        )
        section.add(
            f"{kind}: TLS handshakes, full | resumed (medians)",
            f"{fetches.full_handshakes:.0f} | {fetches.resumed_handshakes:.0f}",
        )
    section.add("sequential (boto3 paginators) over TLS", seconds(fig.sequential_tls))
    section.add(
        "speed-up over sequential, over TLS (first fetch)",
        ratio(fig.speedup),
        "≥ 30×",
        fig.speedup >= 30,
    )
    return section


def rate_section(accounts: int, rate: float, latency: float, repeat: int) -> Section:
    """ssotui under a request-rate limit against calls / rate."""
    section = Section(
        f"Under a {rate:g} calls/s limit ({accounts} accounts, {latency * 1000:.0f} ms per call)"
    )
    _progress(f"rate limit: {accounts} accounts at {rate:g} calls/s, {repeat} run(s)")
    with open_workspace(Organisation.generate(accounts), latency=latency) as ws:
        fig = catalog_bench.bench_rate_limited(ws, rate=rate, repeat=repeat)
    section.add(f"ssotui, median of {repeat} (worst {seconds(fig.worst)})", seconds(fig.median))
    section.add(f"rate floor: {fig.needed_calls} calls / {rate:g} per s", seconds(fig.floor))
    over = fig.median / fig.floor
    target = accounts == RATE_ACCOUNTS
    section.add(
        "ssotui / rate floor",
        ratio(over),
        "≤ 1.15×" if target else "",
        over <= 1.15 if target else None,
    )
    section.add("429 answers received (all runs)", str(fig.throttled))
    failed = sum(r.failed for r in fig.runs)
    section.add(
        f"accounts lost (all runs; {failed} reported failed)", str(fig.lost), "0", fig.lost == 0
    )
    return section


def commands_section(accounts: int, latency: float, runs: int) -> tuple[Section, float]:
    """The real CLI in subprocesses; returns the section and the process start (--version)."""
    section = Section(
        f"Commands (subprocess wall time, median of {runs}; {accounts} accounts cached)"
    )
    _progress("commands: --version, cached list, credential-process")
    version = cli_bench.version(runs=runs)
    section.add("`ssotui --version` (process start)", seconds(version.median))
    boto_start = cli_bench.boto3_start(runs=runs)
    section.add(
        "`python -c` importing boto3, building an SSO client (what ssotui's portal calls skip)",
        seconds(boto_start),
    )
    with open_workspace(Organisation.generate(accounts), latency=latency) as ws:
        ws.save_catalog()
        listed = cli_bench.cached_list(ws, runs=runs)
        creds = cli_bench.credential_process(ws, runs=runs)
    section.add(
        f"cached `ssotui list` (worst {seconds(listed.worst)})",
        seconds(listed.median),
        "≤ 0.6 s",
        listed.median <= 0.6,
    )
    calls = sum(listed.portal_calls)
    section.add("portal calls made by cached `list` (all runs)", str(calls), "0", calls == 0)
    section.add(
        f"second `ssotui credential-process`, credentials kept (worst {seconds(creds.worst)})",
        seconds(creds.median),
        "≤ 0.08 s",
        creds.median <= 0.08,
    )
    kept_calls = sum(creds.portal_calls)
    section.add("portal calls made by those (all runs)", str(kept_calls), "0", kept_calls == 0)
    return section, version.median


def filter_section(rows: int, repeat: int, whole_picker: bool) -> Section:
    """Keystroke timings over `rows` rows (and in the whole picker unless `whole_picker` is off)."""
    count = len(filter_bench.queries())
    section = Section(f"Filtering {rows:,} rows ({count} queries typed a key at a time, ×{repeat})")
    _progress("filter: keystrokes over 10k rows")
    figures = filter_bench.measure(rows, repeat=repeat)
    for fig in figures.keystrokes:
        section.add(
            f"{fig.label}: median per keystroke", millis(fig.median), "≤ 16 ms", fig.median <= 16
        )
        section.add(
            f"{fig.label}: worst keystroke (p95 {millis(fig.p95)})",
            millis(fig.worst),
            "≤ 16 ms",
            fig.worst <= 16,
        )
    section.add(
        "peak RSS of that process (10k rows, matcher, list drawing)", f"{figures.maxrss_mb:.0f} MB"
    )
    if whole_picker:
        _progress("filter: keystrokes in the whole picker over 10k accounts")
        median, worst = filter_bench.picker_keystrokes(rows)
        section.add(
            f"whole picker, {rows:,} accounts: CPU per keystroke, median (worst {millis(worst)})",
            millis(median),
            "≤ 16 ms",
            median <= 16,
        )
    return section


def picker_section(accounts: int, rows: int, runs: int) -> Section:
    """Time to first accounts from cache (median of `runs` starts), and peak RSS."""
    section = Section(
        f"Picker from cache (make_app under App.run_test, fresh interpreter, median of {runs})"
    )
    _progress(f"picker: {accounts} accounts from cache, {runs} starts")
    try:
        with open_workspace(Organisation.generate(accounts)) as ws:
            fig = picker_bench.measure_runs(ws, runs)
        section.add(
            f"{accounts:,} accounts: on screen from process start (worst {seconds(fig.worst)})",
            seconds(fig.to_rows),
            "≤ 0.35 s",
            fig.to_rows <= 0.35,
        )
        section.add(
            f"{accounts:,} accounts: from App launch (imports done)", seconds(fig.app_to_rows)
        )
        section.add(
            f"{accounts:,} accounts: portal calls, login screen shown",
            f"{fig.last.portal_calls}, {'yes' if fig.last.login_shown else 'no'}",
        )
        _progress(f"picker: {rows:,} accounts from cache, {runs} starts (peak RSS)")
        with open_workspace(Organisation.generate(rows, roles_per_account=(1, 1))) as ws:
            big = picker_bench.measure_runs(ws, runs)
        section.add(
            f"{rows:,} accounts: on screen from process start (worst {seconds(big.worst)})",
            seconds(big.to_rows),
            "≤ 0.45 s",
            big.to_rows <= 0.45,
        )
        section.add(f"{rows:,} accounts: from App launch (imports done)", seconds(big.app_to_rows))
        peak = max(r.maxrss_mb for r in big.runs)
        section.add(
            f"{rows:,} rows: peak RSS of the picker", f"{peak:.0f} MB", "≤ 200 MB", peak <= 200
        )
    except picker_bench.PickerNotReady as exc:
        section.add(f"n/a (picker not ready: {exc})"[:160], "n/a")
    return section


def sweep_sections(
    sizes: list[int], latency: float, rate_accounts: int, rate: float
) -> list[Section]:
    """Worker counts at full speed, and botocore retry modes under the rate limit."""
    levels = (8, 16, 32, 64, 96, 128, 192)
    sweep = Section(f"Workers (fetch_catalog concurrency) at {latency * 1000:.0f} ms per call")
    for n in sizes:
        _progress(f"sweep: {n} accounts at {levels}")
        with open_workspace(Organisation.generate(n), latency=latency) as ws:
            floor = catalog_bench.floor_for(n, catalog_bench.round_trip(ws))
            times = catalog_bench.concurrency_sweep(ws, levels)
        for level, (here, apart) in times.items():
            sweep.add(
                f"{n} accounts, {level} workers: in process | own process (floor {seconds(floor)})",
                f"{seconds(here)} | {seconds(apart)}",
                ratio(apart / floor),
            )
    modes = Section(
        f"Throttling under {rate:g} calls/s ({rate_accounts} accounts, 2 runs each): "
        "ssotui's pacer vs botocore retry modes"
    )
    with open_workspace(Organisation.generate(rate_accounts), latency=latency) as ws:
        ways: tuple[catalog_bench.Throttling, ...] = ("pacer", "adaptive", "standard")
        for way in ways:
            for level in (DEFAULT_CONCURRENCY, 8):
                _progress(f"sweep: {way}, {level} workers, {rate:g} calls/s")
                fig = catalog_bench.bench_rate_limited(
                    ws, rate=rate, repeat=2, concurrency=level, throttling=way
                )
                modes.add(
                    f"{way}, {level} workers: median, × floor | 429s, lost",
                    f"{seconds(fig.median)}  {ratio(fig.median / fig.floor)}",
                    f"{fig.throttled}, {fig.lost}",
                )
    return [sweep, modes]


def main(argv: list[str] | None = None) -> int:
    """Run every measurement and print the table."""
    parser = argparse.ArgumentParser(prog="python -m tui.bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="300 accounts only, fewer repeats")
    parser.add_argument("--accounts", type=int, nargs="+", help="catalog sizes (default 300 1000)")
    parser.add_argument("--latency", type=float, default=0.04, help="seconds per simulated call")
    parser.add_argument("--rate", type=float, default=20.0, help="calls/s of the throttled run")
    parser.add_argument("--rate-accounts", type=int, default=RATE_ACCOUNTS)
    parser.add_argument("--sweep", action="store_true", help="also compare workers and retry modes")
    parser.add_argument(
        "--throttle", action="store_true", help="only the throttling matrix (every limiter shape)"
    )
    parser.add_argument(
        "--rates", type=float, nargs="+", help="calls/s of the throttling matrix (default 5 20 50)"
    )
    parser.add_argument(
        "--tls", action="store_true", help="only the catalog over TLS against plain HTTP"
    )
    args = parser.parse_args(argv)
    if args.throttle:
        print(machine())
        rates = tuple(args.rates) if args.rates else throttle_bench.RATES
        throttle_bench.run_matrix(rates, args.rate_accounts, args.latency)
        return 0
    if args.tls:
        print(machine())
        _show(tls_section(TARGET_ACCOUNTS, args.latency, runs=3 if args.quick else 9))
        return 0
    sizes = args.accounts or ([TARGET_ACCOUNTS] if args.quick else [TARGET_ACCOUNTS, 1_000])
    quick = bool(args.quick)
    began = time.perf_counter()
    print(machine())
    print(
        f"simulator: tui.sim in this process (listen backlog {sim_backlog()}); "
        f"ssotui default workers: {DEFAULT_CONCURRENCY}"
    )

    commands, start = commands_section(max(sizes), args.latency, runs=3 if quick else 7)
    catalog = catalog_section(
        sizes,
        args.latency,
        repeat=1 if quick else 3,
        e2e_runs=3 if quick else 7,
        start=start,
    )
    _show(catalog)
    _show(tls_section(TARGET_ACCOUNTS, args.latency, runs=3 if quick else 7))
    _show(rate_section(args.rate_accounts, args.rate, args.latency, repeat=1 if quick else 3))
    _show(commands)
    _progress("credential endpoint: 2,000 cached GETs from a client process")
    _show(endpoint_section(args.latency))
    _show(filter_section(ROWS, 1 if quick else 3, whole_picker=not quick))
    _show(picker_section(PICKER_ACCOUNTS, ROWS, 3 if args.quick else 7))
    print(f"\n(benchmark took {time.perf_counter() - began:.0f} s)")
    if args.sweep:
        for section in sweep_sections(sizes, args.latency, args.rate_accounts, args.rate):
            _show(section)
        print(f"\n(with the sweep: {time.perf_counter() - began:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
