"""A signal in words, the same at both doors: the picker's return from a subshell ("ended by
SIGTERM") and the command line's picker ended by a signal ("the picker was ended by SIGHUP")."""

from __future__ import annotations

import signal


def known_signal(number: int) -> str | None:
    """ "SIGTERM" for 15; None for a number that names no signal here."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return None


def signal_name(number: int) -> str:
    """ "SIGTERM" for 15; "signal 42" for a number with no name here."""
    return known_signal(number) or f"signal {number}"
