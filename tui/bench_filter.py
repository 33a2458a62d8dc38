"""Benchmark: filter time per keystroke over 10,000 rows (`python -m tui.bench_filter`).

Types several queries one character at a time, as a user would, and times each keystroke of
the matcher alone and of the matcher plus drawing the visible rows of the picker's list widget.
Prints median and worst per keystroke. A benchmark, not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from tui.app.matching import Matcher, Row

QUERIES = ("prod", "prod 12", "payments-staging", "data eu", "zzz", "a", "sandbox 9", "@ml")
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


def bench_matcher(rows: list[Row[str]], texts: list[str]) -> list[float]:
    """Time the matcher alone."""
    matcher = Matcher(rows)
    return time_each(matcher.filter, texts)


def bench_widget(rows: list[Row[str]], texts: list[str], height: int) -> list[float]:
    """Time the list widget: filter, then render every visible line, as a keystroke does."""
    from tui.app.widgets.row_list import render_rows_offscreen

    step = render_rows_offscreen(rows, width=100, height=height)
    return time_each(step, texts)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m tui.bench_filter", description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the whole query set")
    parser.add_argument("--height", type=int, default=30, help="visible rows drawn per key")
    args = parser.parse_args(argv)
    rows = sample_rows(args.rows)
    texts = keystrokes(QUERIES) * args.repeat
    print(f"{args.rows} rows, queries: {', '.join(QUERIES)}")
    report("matcher", bench_matcher(rows, texts))
    report(f"matcher + draw {args.height} rows", bench_widget(rows, texts, args.height))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
