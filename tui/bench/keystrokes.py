"""Benchmark: filter time per keystroke over 10,000 rows (`python -m tui.bench.keystrokes [--app]`).

Types several queries one character at a time, as a user would, and times each keystroke of
the matcher alone and of the matcher plus drawing the visible rows of the picker's list widget.
With `--app` it also runs the whole picker headless in a child process (valid token, fresh
cached catalog, no network): CPU per keystroke over 10,000 accounts, and the time from process
start to the first accounts drawn. A benchmark, not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from tui.app.matching import Matcher, Row

QUERIES = (
    "prod",
    "prod 12",
    "payments-staging",
    "data eu",
    "zzz",
    "a",
    "sandbox 9",
    "@ml",
    "pymstg",  # no word matches: the fuzzy fallback (payments-staging)
    "scadt eu",  # security-audit as a subsequence, "eu" as a word
)
_WORDS = [
    "prod",
    "staging",
    "dev",
    "sandbox",
    "test",
    "qa",
    "shared",
    "security",
    "audit",
    "logging",
    "network",
    "data",
    "payments",
    "billing",
    "identity",
    "analytics",
    "ml",
    "platform",
    "core",
    "edge",
    "search",
    "media",
    "mobile",
    "web",
    "api",
    "gateway",
    "infra",
    "ops",
    "backup",
    "archive",
    "legacy",
    "research",
    "finance",
    "hr",
    "marketing",
    "sales",
    "support",
]
_REGIONS = ("eu", "us", "ap", "sa", "ca", "me")


def sample_rows(count: int, seed: int = 0) -> list[Row[str]]:
    """`count` account-like rows (name, 12-digit id, email), deterministic for a seed."""
    rng = random.Random(seed)
    rows: list[Row[str]] = []
    for n in range(count):
        name = "-".join([rng.choice(_WORDS), rng.choice(_WORDS), rng.choice(_REGIONS), str(n % 97)])
        account_id = f"{rng.randrange(10**11, 10**12):012d}"
        email = f"aws+{name}@{rng.choice(_WORDS)}.example.com"
        rows.append(Row(value=account_id, columns=(name, account_id, email)))
    return rows


def keystrokes(queries: tuple[str, ...]) -> list[str]:
    """The successive contents of the filter box while typing each query, then clearing it."""
    out: list[str] = []
    for query in queries:
        out.extend(query[:i] for i in range(1, len(query) + 1))
        out.append("")
    return out


def time_each(step: Callable[[str], object], texts: list[str]) -> list[float]:
    """Milliseconds taken by `step` for each text."""
    times: list[float] = []
    for text in texts:
        start = time.perf_counter()
        step(text)
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(label: str, times: list[float]) -> None:
    """Print median, 95th percentile and worst of a list of timings."""
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(
        f"{label:<34} keystrokes {len(times):>4}  median {statistics.median(times):6.2f} ms  "
        f"p95 {p95:6.2f} ms  worst {max(times):6.2f} ms"
    )


def bench_matcher(rows: list[Row[str]], texts: list[str], repeat: int) -> list[float]:
    """Time the matcher alone (a new one per run, so no run profits from the one before)."""
    times: list[float] = []
    for _ in range(repeat):
        times += time_each(Matcher(rows).filter, texts)
    return times


def bench_widget(rows: list[Row[str]], texts: list[str], height: int, repeat: int) -> list[float]:
    """Time the list widget: filter, then render every visible line, as a keystroke does."""
    from tui.app.widgets.row_list import render_rows_offscreen

    times: list[float] = []
    for _ in range(repeat):
        times += time_each(render_rows_offscreen(rows, width=100, height=height), texts)
    return times


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m tui.bench.keystrokes", description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the whole query set")
    parser.add_argument("--height", type=int, default=30, help="visible rows drawn per key")
    parser.add_argument(
        "--app", action="store_true", help="also time the whole picker (start-up, keystrokes)"
    )
    args = parser.parse_args(argv)
    rows = sample_rows(args.rows)
    texts = keystrokes(QUERIES)
    print(f"{args.rows} rows, queries: {', '.join(QUERIES)}")
    report("matcher", bench_matcher(rows, texts, args.repeat))
    report(
        f"matcher + draw {args.height} rows", bench_widget(rows, texts, args.height, args.repeat)
    )
    if args.app:
        median, worst = picker_keystrokes(args.rows)
        print(
            f"{'whole picker, CPU per keystroke':<34} "
            f"median {median:6.2f} ms  worst {worst:6.2f} ms"
        )
        for accounts in (40, args.rows):
            runs = [picker_startup(accounts) for _ in range(3)]
            best = min(r[0] for r in runs)
            print(
                f"picker start to first accounts drawn, {accounts} cached accounts: "
                f"best {best:.2f} s of 3, peak RSS {max(r[1] for r in runs):.0f} MB"
            )
    return 0


_CHILD_SETUP = r"""
import os, sys, time, resource, statistics
from tui.aws.session_choice import chosen_session
from tui.aws.sessions import load_sessions
from tui.paths import Paths
from tui.store.settings import load_settings
from tui.app import make_app

settings = load_settings(Paths.from_environ(os.environ).config_file)
here = Paths.from_environ(os.environ)
session = chosen_session(here)[0]
app = make_app(sessions=load_sessions(here), session=session, open_browser=False, settings=settings)
result = {}

async def accounts_drawn(pilot):
    while True:
        pane = pilot.app.screen.query("#accounts")
        if pane and pane.first().row_list.match_count:
            break
        await pilot.pause(0.005)
    await pilot.pause()  # one more frame: the rows are drawn
"""

_STARTUP_CHILD = (
    _CHILD_SETUP
    + r"""
async def auto_pilot(pilot):
    await accounts_drawn(pilot)
    result["at"] = time.time()
    pilot.app.exit()

app.run(headless=True, size=(120, 40), auto_pilot=auto_pilot)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{result['at'] - float(sys.argv[1]):.3f} {rss:.0f}")
"""
)

_KEYS_CHILD = (
    _CHILD_SETUP
    + r"""
async def auto_pilot(pilot):
    await accounts_drawn(pilot)
    await pilot.pause(0.3)
    times = []
    for query in sys.argv[2:]:
        for key in [*query, *["backspace"] * len(query)]:
            before = time.process_time()
            await pilot.press(key)
            times.append((time.process_time() - before) * 1000)
    result["times"] = times
    pilot.app.exit()

app.run(headless=True, size=(120, 40), auto_pilot=auto_pilot)
times = result["times"]
print(f"{statistics.median(times):.2f} {max(times):.2f} {len(times)}")
"""
)

_SEED_CACHE = r"""
import os, sys
from tui.paths import Paths
from datetime import timedelta
from tui.bench.keystrokes import sample_rows
from tui.models import Account, Catalog, SsoSession, Token, utcnow
from tui.aws import token_cache
from tui.store import catalog_cache

s = SsoSession("bench", "https://bench.awsapps.com/start", "us-east-1")
here = Paths.from_environ(os.environ)
token_cache.save_token(here, s, Token(s.start_url, s.region, "x", utcnow() + timedelta(hours=8)))
rows = sample_rows(int(sys.argv[1]))
accounts = tuple(sorted((Account(r.columns[1], r.columns[0], r.columns[2]) for r in rows),
                        key=lambda a: a.name))
roles = {a.account_id: ("AdministratorAccess", "ReadOnlyAccess") for a in accounts}
catalog_cache.save(here, s, Catalog(accounts, roles, utcnow()))
"""


def _run_picker(child: str, accounts: int, *args: str) -> list[str]:
    """Run a child script against a throw-away HOME with a valid token and a fresh cache."""
    import os
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory(prefix="ssotui-bench-") as folder:
        root = Path(folder)
        env = {
            **os.environ,
            "HOME": str(root),
            "AWS_CONFIG_FILE": str(root / "config"),
            "SSOTUI_CONFIG_DIR": str(root / "cfg"),
            "SSOTUI_CACHE_DIR": str(root / "cache"),
            "SSOTUI_STATE_DIR": str(root / "state"),
        }
        (root / "config").write_text(
            "[sso-session bench]\nsso_start_url = https://bench.awsapps.com/start\n"
            "sso_region = us-east-1\n"
        )
        subprocess.run([sys.executable, "-c", _SEED_CACHE, str(accounts)], env=env, check=True)
        start = time.time()
        done = subprocess.run(
            [sys.executable, "-c", child, repr(start), *args],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    return done.stdout.split()


def picker_startup(accounts: int) -> tuple[float, float]:
    """Seconds from process start to the first accounts drawn from a fresh cache, and peak MB.

    The child does what `ssotui` does (settings, sessions, make_app), headless, with a valid
    token and a fresh catalog cache of `accounts` accounts, so no network call is made.
    """
    seconds, rss = _run_picker(_STARTUP_CHILD, accounts)
    return float(seconds), float(rss)


def picker_keystrokes(accounts: int, queries: tuple[str, ...] = QUERIES) -> tuple[float, float]:
    """Median and worst CPU ms per keystroke in the whole picker (typing then deleting).

    This is everything Textual does for a key (input, filter, layout, drawing, compositing)
    plus the test Pilot's own small overhead, measured as process CPU time.
    """
    median, worst, _count = _run_picker(_KEYS_CHILD, accounts, *queries)
    return float(median), float(worst)


if __name__ == "__main__":
    raise SystemExit(main())
