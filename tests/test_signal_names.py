"""A signal in words, one helper for both doors (the subshell's return in the picker, the
picker ended by a signal on the command line)."""

from __future__ import annotations

import signal

from tui.commands.picker import _ended_by
from tui.signal_names import known_signal, signal_name


def test_a_signal_is_named_by_its_name_and_an_unknown_one_by_its_number() -> None:
    assert signal_name(signal.SIGTERM) == "SIGTERM"
    assert signal_name(77) == "signal 77"
    assert known_signal(77) is None


def test_the_picker_ended_by_a_signal_names_it_and_any_other_status_is_a_failure() -> None:
    assert _ended_by(128 + signal.SIGHUP) == "the picker was ended by SIGHUP"
    assert _ended_by(1) == "the picker failed"
    assert _ended_by(128 + 77) == "the picker failed"
