"""Filter time per keystroke over 10,000 rows, and peak memory with them loaded.

Reuses the picker's own benchmark pieces (`tui.bench.keystrokes`: the sample rows, the queries
typed one character at a time, the timing loop over `tui.app.matching.Matcher` and the list
widget's off-screen drawing), so the figure is that of the code users run. It runs in a fresh
interpreter, with the garbage collector frozen when the picker would freeze it.
"""

from __future__ import annotations

import gc
import json
import resource
import statistics
import subprocess
import sys
from dataclasses import dataclass

ROWS = 10_000
DRAWN = 30  # visible rows drawn per keystroke


@dataclass(frozen=True)
class KeystrokeFigures:
    """Milliseconds per keystroke over every query typed."""

    label: str
    rows: int
    times_ms: tuple[float, ...]

    @property
    def median(self) -> float:
        """Median ms per keystroke."""
        return statistics.median(self.times_ms)

    @property
    def worst(self) -> float:
        """Slowest keystroke, ms."""
        return max(self.times_ms)

    @property
    def p95(self) -> float:
        """95th percentile, ms."""
        ordered = sorted(self.times_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


@dataclass(frozen=True)
class FilterFigures:
    """Keystroke timings and peak memory of one fresh interpreter."""

    keystrokes: tuple[KeystrokeFigures, ...]
    maxrss_mb: float
    gc_frozen: bool


def queries() -> tuple[str, ...]:
    """The queries typed one character at a time."""
    from tui.bench import keystrokes

    return tuple(keystrokes.QUERIES)


def _freeze_threshold() -> int | None:
    """Rows past which the picker freezes the garbage collector (None: it does not)."""
    try:
        from tui.app.screens import main as picker_main
    except ImportError:
        return None
    value = getattr(picker_main, "FREEZE_ROWS", None)
    return value if isinstance(value, int) else None


def _child(rows: int, repeat: int) -> None:
    """In a fresh interpreter: time every keystroke, then print the figures and peak RSS."""
    from tui.bench import keystrokes

    sample = keystrokes.sample_rows(rows)
    texts = keystrokes.keystrokes(keystrokes.QUERIES)
    threshold = _freeze_threshold()
    frozen = threshold is not None and rows >= threshold
    if frozen:  # as the picker does with this many rows
        gc.collect()
        gc.freeze()
    out: dict[str, object] = {"gc_frozen": frozen}
    out["matcher"] = keystrokes.bench_matcher(sample, texts, repeat)
    try:
        out["drawn"] = keystrokes.bench_widget(sample, texts, DRAWN, repeat)
    except (ImportError, AttributeError):  # the list widget cannot draw off screen (yet)
        out["drawn"] = None
    out["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(out))


def picker_keystrokes(rows: int = ROWS) -> tuple[float, float]:
    """Median and worst CPU ms per keystroke of the whole picker over `rows` cached accounts
    (the picker's own measurement, `tui.bench.keystrokes.picker_keystrokes`)."""
    from tui.bench import keystrokes

    return keystrokes.picker_keystrokes(rows)


def measure(rows: int = ROWS, repeat: int = 3) -> FilterFigures:
    """Run the keystroke benchmark in a fresh interpreter (a clean heap, as the picker has)."""
    code = f"from tui.bench.filter_bench import _child; _child({rows}, {repeat})"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        detail = proc.stderr.strip().splitlines()
        raise RuntimeError(detail[-1] if detail else f"filter benchmark exited {proc.returncode}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    figures = [KeystrokeFigures("matcher", rows, tuple(data["matcher"]))]
    if data["drawn"] is not None:
        figures.append(KeystrokeFigures(f"matcher + draw {DRAWN} rows", rows, tuple(data["drawn"])))
    return FilterFigures(
        keystrokes=tuple(figures),
        maxrss_mb=float(data["maxrss_kb"]) / 1024,
        gc_frozen=bool(data["gc_frozen"]),
    )
