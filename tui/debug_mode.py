"""Whether `--debug` asked for debug lines, and logging set up to match: every line on stderr
through the redacting formatter (`tui.debug_log`), or none at all.

Set once per process by the command line (`setup`); the picker silences what libraries log as
it starts (`quiet`).
"""

from __future__ import annotations

import sys

_debug = False  # `--debug` was given


def setup(debug: bool) -> None:
    """Send debug logs (ssotui's and botocore's) to stderr, redacted; quiet otherwise.

    Quiet costs nothing until something imports `logging` (~6 ms a command that never logs
    need not pay): the picker, which runs libraries that may log, calls `quiet` as it starts."""
    global _debug
    _debug = debug
    if debug:
        from tui.debug_log import start

        start()
    elif "logging" in sys.modules:
        quiet()


def debugging() -> bool:
    """Whether `--debug` asked for debug lines."""
    return _debug


def quiet() -> None:
    """No log line on stderr, whatever logs (unless `--debug` set logging up)."""
    if _debug:
        return
    import logging

    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(logging.CRITICAL + 1)
