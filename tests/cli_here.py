"""`ssotui ARGS` run in the test's own process: `tui.cli.main`, as `ssotui` runs it, with its
output captured, for tests of what a command prints, returns and writes, not of the process.

A command started as a process pays Python's start, ssotui's imports and botocore's (with its
service models) each time: 0.1 s a command with ssotui's own portal client, 0.35 s with
botocore's, where the same command run here takes 5-50 ms (botocore is imported once, its data
read once: `botocore_data_read_once` in conftest). What a new process would not have is
forgotten before each run: the clients built, the config file reads kept in memory, the CA file
found, logging as it was. A run that needs a process of its own is given one
(`tests.cli_helpers.ssotui`): `exec` and the picker (they hand the terminal or the process on),
`--debug` (its logging is set up once a process), a run given a timeout, in another folder or
from another thread, an environment that changes HOME or how Python starts. Tests of the
process itself (its streams, signals, exit, a lock held against it, a shell or an SDK reading
what it printed) use `tests.cli_helpers.ssotui`.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from tests.cli_helpers import Run, ssotui

# The commands run here; any other (`exec`, `demo`, the picker) is given a process
_HERE = frozenset(
    ("login", "logout", "list", "export", "console", "credential-process", "write-profile")
    + ("populate", "configure", "config", "doctor", "completion", "--help", "-h", "--version")
)
# Environment variables read when a process starts (not by ssotui as it runs), and the shell's
# completion request (answered on descriptors of the process): a run that sets one is given a
# process of its own
_AT_START = ("HOME", "PYTHON", "LANG", "LC_", "_ARGCOMPLETE")


def _needs_a_process(
    args: tuple[str, ...], env: dict[str, str], timeout: float | None, cwd: Path | None
) -> bool:
    return (
        not _HERE.intersection(args)
        or bool({"exec", "demo", "--debug"}.intersection(args))
        or timeout is not None  # a test that gives the command a time of its own
        or cwd is not None
        or threading.current_thread() is not threading.main_thread()
        or any(key.startswith(_AT_START) for key in env)
    )


def ssotui_here(
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    cwd: Path | None = None,
) -> Run:
    """`ssotui ARGS` with the test's environment and `env` on top, no standard input, its
    output captured, in this process (see the module's docstring); as `tests.cli_helpers.ssotui`."""
    if _needs_a_process(args, env or {}, timeout, cwd):
        return ssotui(*args, env=env, timeout=60 if timeout is None else timeout, cwd=cwd)
    from tui import cli, debug_mode

    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="surrogateescape", newline="\n")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    with (
        _environ(env or {}),
        _as_a_new_process(),
        open(os.devnull, encoding="utf-8") as stdin,
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        before = sys.stdin
        sys.stdin = stdin
        try:
            status = cli.main(list(args))
        except SystemExit as exc:  # argparse: usage (2), --help and --version (0)
            status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            sys.stdin = before
            debug_mode.setup(False)
    return Run(status, _text(out), _text(err))


def _text(stream: io.TextIOWrapper) -> str:
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    # as `subprocess.run(text=True)` reads a pipe: strictly, with universal newlines
    return buffer.getvalue().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


@contextlib.contextmanager
def _environ(env: dict[str, str]) -> Iterator[None]:
    """`os.environ` with `env` on top while the command runs, then as it was."""
    before = dict(os.environ)
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(before)


@contextlib.contextmanager
def _as_a_new_process() -> Iterator[None]:
    """Nothing kept from an earlier command: what a process keeps in memory is forgotten first;
    logging (which a command quiets) is given back to the test afterwards."""
    from tui.aws import ca_files, clients
    from tui.store import config_reads

    clients.clear_cache()
    config_reads._last.clear()
    ca_files._last = None
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    # a thread's traceback and an object's failure at its end go to stderr, as in a process
    # (pytest would take them for the test's own)
    hooks = threading.excepthook, sys.unraisablehook
    threading.excepthook, sys.unraisablehook = threading.__excepthook__, sys.__unraisablehook__
    try:
        yield
    finally:
        threading.excepthook, sys.unraisablehook = hooks
        clients.clear_cache()  # no connection of this command's left open to the next
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)
