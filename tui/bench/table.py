"""The printed table: sections of rows (what, measured value, target, verdict) and the machine."""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import dataclass, field

_WIDTH_LABEL = 62
_WIDTH_VALUE = 16
_WIDTH_TARGET = 12


@dataclass(frozen=True)
class Line:
    """One figure: what it is, its value as printed, the target and whether it is met."""

    label: str
    value: str
    target: str = ""
    met: bool | None = None

    @property
    def verdict(self) -> str:
        """ "met", "MISS" or nothing (no target)."""
        if self.met is None:
            return ""
        return "met" if self.met else "MISS"


@dataclass
class Section:
    """A titled group of figures."""

    title: str
    lines: list[Line] = field(default_factory=list)

    def add(self, label: str, value: str, target: str = "", met: bool | None = None) -> None:
        """Add one figure."""
        self.lines.append(Line(label, value, target, met))


def seconds(value: float) -> str:
    """A duration for the table: ms below one second, else seconds."""
    if value < 1.0:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"


def millis(value: float) -> str:
    """Milliseconds with two decimals."""
    return f"{value:.2f} ms"


def ratio(value: float) -> str:
    """A ratio such as 31.2×."""
    return f"{value:.1f}×" if value >= 10 else f"{value:.2f}×"


def cpu_model() -> str:
    """The CPU model named in /proc/cpuinfo (or what the platform says)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> str:
    """One line describing this machine and interpreter."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 0
    try:
        load = f", load average {os.getloadavg()[0]:.2f} at start"
    except OSError:
        load = ""
    return (
        f"machine: {cores} cores (nproc), {cpu_model()}, Python {platform.python_version()} "
        f"({sys.implementation.name}), {platform.system()} {platform.release()}{load}"
    )


def render(sections: list[Section]) -> str:
    """The table as text, one block per section."""
    out: list[str] = []
    header = f"{'':<{_WIDTH_LABEL}} {'measured':>{_WIDTH_VALUE}}  {'target':<{_WIDTH_TARGET}} "
    for section in sections:
        if not section.lines:
            continue
        out.append("")
        out.append(f"{section.title}")
        out.append(header.rstrip())
        for line in section.lines:
            label = line.label
            if len(label) > _WIDTH_LABEL:
                out.append(f"  {label}")
                label = ""
            row = (
                f"  {label:<{_WIDTH_LABEL - 2}} {line.value:>{_WIDTH_VALUE}}  "
                f"{line.target:<{_WIDTH_TARGET}} {line.verdict}"
            )
            out.append(row.rstrip())
    return "\n".join(out)
