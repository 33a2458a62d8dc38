"""Standard streams that cannot take what ssotui writes, in one place: a shell that closed them
(`<&-`, `>&-`, `2>&-`), a full disk (`> /dev/full`), a reader that went away (`| head -1`); and
what to say when standard output's encoding cannot hold a name.

The rule, for every command, `--help` and `--version` as well (`tui.cli.run` applies it):

- standard output refuses a write (a full disk, an I/O error, closed at start): one line on
  stderr that says so, exit 1, as `ls > /dev/full` ("write error: No space left on device").
  What reached the file is not all there, so the command must not look as if it succeeded.
- its reader went away (`ssotui list | head -1`): nothing said, the command ends at once with
  the status it had so far (0). `ls | head` is as quiet, but SIGPIPE ends it (141); a 0 keeps
  a `set -o pipefail` script that stops reading early from failing.
- standard error refuses a write: the message is lost (there is no one to tell), the command
  carries on and its exit status says how it ended. Except where a person must read it to go
  on: `ssotui login`'s device code, which nobody could approve, ends the login (exit 1). The
  wrapper counts what it refused (`errors_refused`), for such a caller to look.

Standard output is wrapped (`GuardedOutput`) so that its failures are told apart from every
other OSError (a socket's broken pipe is not a reader gone) and kept, even when something on the
way drops the error, as argparse does for `--help`: the first one is what `finish` says.

Python leaves `sys.stdin`/`sys.stdout`/`sys.stderr` as None when their descriptor was closed at
start, and the next file ssotui opens would take that descriptor number. So each closed one is
given /dev/null (an empty input; an error stream nobody reads, as a shell user who closed it
asked), except standard output: what a command prints there is what the user asked for, so a
write to a closed one fails as any write error does. That /dev/null is ssotui's alone
(close-on-exec): a program ssotui starts (`exec`'s command, the subshell) finds the descriptor
closed, as the user gave it, as `env` and `sudo` leave it, not a /dev/null that would swallow
its output without an error.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

CLOSED_STDOUT = (
    "standard output is closed (`>&-`), so there is nowhere to print: "
    "send it to a file, or to /dev/null to throw it away"
)


class CannotWrite(OSError):
    """Standard output refused a write; `line` is what to say (None: nothing, its reader left)."""

    @property
    def line(self) -> str | None:
        return f"cannot write standard output: {self.strerror or os.strerror(self.errno or 0)}"


class ReaderGone(CannotWrite):
    """Standard output is a pipe whose reader went away (`| head -1`): nothing to say."""

    @property
    def line(self) -> str | None:
        return None


class ClosedStdout(CannotWrite):
    """A write to standard output that was closed at start."""

    def __init__(self) -> None:
        super().__init__(errno.EBADF, CLOSED_STDOUT)

    @property
    def line(self) -> str | None:
        return CLOSED_STDOUT


def refused(exc: OSError) -> CannotWrite:
    """The write error `exc` of standard output, as what to say about it."""
    if isinstance(exc, CannotWrite):
        return exc
    if isinstance(exc, BrokenPipeError):
        return ReaderGone(exc.errno, exc.strerror)
    return CannotWrite(exc.errno, exc.strerror)


class _Shared(io.TextIOWrapper):
    """A text stream over the buffer of one of `sys.__stdout__`/`sys.__stderr__`: closing it
    (as its finalizer does when it is dropped) only flushes, so that one stays usable."""

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.flush()


class GuardedOutput(_Shared):
    """Standard output whose write errors are `CannotWrite`, the first kept in `failure`; once
    one happened, every later write and flush fails with it (what follows would be a hole)."""

    failure: CannotWrite | None = None

    def write(self, text: str) -> int:
        if self.failure is not None:
            raise self.failure
        try:
            return super().write(text)
        except OSError as exc:
            raise self._fails(exc) from None

    def flush(self) -> None:
        if self.failure is not None:
            raise self.failure
        try:
            super().flush()
        except OSError as exc:
            raise self._fails(exc) from None

    def _fails(self, exc: OSError) -> CannotWrite:
        self.failure = refused(exc)
        return self.failure


class QuietErrors(_Shared):
    """Standard error that drops what it cannot write (`2> /dev/full`): there is no one left to
    tell, and a traceback about it would only fail in turn. `refused` counts the writes and
    flushes it dropped."""

    refused = 0

    def write(self, text: str) -> int:
        try:
            return super().write(text)
        except OSError:
            self.refused += 1
            return len(text)

    def flush(self) -> None:
        try:
            super().flush()
        except OSError:
            self.refused += 1


def errors_refused() -> int:
    """How many writes standard error refused so far: the same before and after a message
    when it reached its file (0 when standard error is not `QuietErrors`, as in a test)."""
    refused = getattr(sys.stderr, "refused", 0)
    return refused if isinstance(refused, int) else 0


class ClosedOutput(io.TextIOBase):
    """Standard output that was closed at start: every write fails with one clear line."""

    def __init__(self, descriptor: int) -> None:
        super().__init__()
        self._descriptor = descriptor  # /dev/null, kept so no file takes the number
        self.failure: CannotWrite | None = None

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not text:
            return 0
        self.failure = ClosedStdout()
        raise self.failure

    def fileno(self) -> int:
        return self._descriptor

    def isatty(self) -> bool:
        return False


def _null_on(descriptor: int, flags: int) -> int:
    """/dev/null on `descriptor` when that number is free (it is the lowest free one), else on
    a number of its own: never over a file something else opened meanwhile. Not inherited by
    the programs ssotui starts (`os.open`'s default, and so the copy)."""
    null = os.open(os.devnull, flags)
    try:
        os.fstat(descriptor)
    except OSError:
        os.dup2(null, descriptor, inheritable=False)
        os.close(null)
        return descriptor
    return null


class WholeWrites(io.FileIO):
    """A descriptor written whole or not at all: a write the kernel cuts short (a disk with
    less room left than the text, a file size limit) is carried on until it fails. Unbuffered
    (PYTHONUNBUFFERED, `python -u`), standard output is a bare FileIO under its text layer,
    which takes a short count for the whole: the rest was dropped, and `ssotui export > file`
    left half a session token with exit 0. (A BufferedWriter carries on by itself.)"""

    def write(self, data: ReadableBuffer, /) -> Any:  # int, or None as FileIO's
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            count = super().write(view[done:])
            if count is None:  # a non-blocking descriptor that would block: said as FileIO says it
                return done or None
            done += count
        return done


def _rewrapped(stream: Any, kind: type[_Shared]) -> IO[str]:
    """`stream` as a `kind` over the same buffer and settings (standard output's written whole,
    `WholeWrites`); `stream` itself as it was when it is no TextIOWrapper (a test's capture).
    The original stays `sys.__stdout__`, unused."""
    if not isinstance(stream, io.TextIOWrapper):
        return stream  # type: ignore[no-any-return]
    buffer = stream.buffer
    if kind is GuardedOutput and type(buffer) is io.FileIO:
        buffer = WholeWrites(buffer.fileno(), "wb", closefd=False)
    return kind(
        buffer,
        encoding=stream.encoding,
        errors=stream.errors,
        line_buffering=stream.line_buffering,
        write_through=stream.write_through,
    )


def guard_standard_streams() -> None:
    """Before anything runs: every standard stream closed at start given /dev/null (stdout:
    `ClosedOutput` on it), standard output a `GuardedOutput`, standard error `QuietErrors`."""
    if sys.stdin is None:
        sys.stdin = open(_null_on(0, os.O_RDONLY), encoding="utf-8")  # noqa: SIM115
    if sys.stdout is None:
        sys.stdout = ClosedOutput(_null_on(1, os.O_WRONLY))
    else:
        sys.stdout = _rewrapped(sys.stdout, GuardedOutput)
    if sys.stderr is None:
        sys.stderr = open(_null_on(2, os.O_WRONLY), "w", encoding="utf-8")  # noqa: SIM115
    else:
        sys.stderr = _rewrapped(sys.stderr, QuietErrors)


def finish(status: int) -> int:
    """The exit status, once what the command printed is flushed: 1 (and the one line said)
    when standard output refused any of it, `status` otherwise (a reader gone included)."""
    failure: CannotWrite | None = None
    try:
        sys.stdout.flush()
    except OSError as exc:
        failure = refused(exc)
    except ValueError:  # a stream closed
        pass
    failure = getattr(sys.stdout, "failure", None) or failure
    if failure is not None and failure.line:
        status = status or 1
        with contextlib.suppress(OSError, ValueError):
            print(f"ssotui: {failure.line}", file=sys.stderr)
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.flush()
    return status


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
