"""Standard streams the shell closed (`<&-`, `>&-`, `2>&-`), made safe before anything runs; and
what to say when standard output's encoding cannot hold a name.

Python leaves `sys.stdin`/`sys.stdout`/`sys.stderr` as None when their descriptor was closed at
start, and the next file ssotui opens would take that descriptor number. So each closed one is
given /dev/null (an empty input; an error stream nobody reads, as a shell user who closed it
asked), except standard output: what a command prints there is what the user asked for, so a
write to a closed one fails as a write error does in `ls >&-`: one line on stderr, exit 1
(`tui.cli` says it). It is an OSError, as a real write error is, so argparse's `--help` and
`--version`, which drop those, end as they do with no reader.
"""

from __future__ import annotations

import errno
import io
import os
import sys

CLOSED_STDOUT = (
    "standard output is closed (`>&-`), so there is nowhere to print: "
    "send it to a file, or to /dev/null to throw it away"
)


class ClosedStdout(OSError):
    """A write to standard output that was closed at start."""

    def __init__(self) -> None:
        super().__init__(errno.EBADF, CLOSED_STDOUT)


class ClosedOutput(io.TextIOBase):
    """Standard output that was closed at start: every write fails with one clear line."""

    def __init__(self, descriptor: int) -> None:
        super().__init__()
        self._descriptor = descriptor  # /dev/null, kept so no file takes the number

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not text:
            return 0
        raise ClosedStdout

    def fileno(self) -> int:
        return self._descriptor

    def isatty(self) -> bool:
        return False


def _null_on(descriptor: int, flags: int) -> int:
    """/dev/null on `descriptor` when that number is free (it is the lowest free one), else on
    a number of its own: never over a file something else opened meanwhile."""
    null = os.open(os.devnull, flags)
    try:
        os.fstat(descriptor)
    except OSError:
        os.dup2(null, descriptor)
        os.close(null)
        return descriptor
    return null


def reopen_closed() -> None:
    """Give every standard stream closed at start /dev/null (stdout: `ClosedOutput` on it)."""
    if sys.stdin is None:
        sys.stdin = open(_null_on(0, os.O_RDONLY), encoding="utf-8")  # noqa: SIM115
    if sys.stdout is None:
        sys.stdout = ClosedOutput(_null_on(1, os.O_WRONLY))
    if sys.stderr is None:
        sys.stderr = open(_null_on(2, os.O_WRONLY), "w", encoding="utf-8")  # noqa: SIM115


def cannot_hold() -> str | None:
    """The line to say when standard output's encoding (ASCII, or a Windows code page when
    output is redirected there) cannot hold a name from the service; None when standard output
    is UTF-8, so the failure lies elsewhere. Replacing the characters would hand a script names
    that match nothing, so the command fails and says how to get UTF-8."""
    encoding = getattr(sys.stdout, "encoding", None) or ""
    if encoding.lower().replace("-", "").replace("_", "").startswith("utf"):
        return None
    return (
        f"standard output's encoding ({encoding}) cannot hold some of the names to print: "
        "set PYTHONUTF8=1 (or PYTHONIOENCODING=utf-8) and run again"
    )
