"""A Context decides from its own environment, not from whatever the process's says later:
the portal's route that `ssotui doctor` shows, and the terminal a copy goes to."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.test_clipboard import pty, read_all  # noqa: F401 (pty is a fixture)
from tui.commands.doctor import run_checks
from tui.models import SsoSession
from tui.sim import Simulator
from tui.store.settings import Settings
from tui.workspace import Context


def _context(**changes: str) -> Context:
    return Context(settings=Settings(), environ={**os.environ, **changes})


def test_the_portal_route_is_the_contexts(sim: Simulator, sso_config: Path) -> None:
    """The process would call the simulator directly; the Context says botocore, and the
    doctor reports what the Context's environment decides."""
    context = _context(SSOTUI_PORTAL_CLIENT="botocore")
    session = context.session()
    [portal] = [c for c in run_checks(context, session) if c.name == "portal"]
    assert portal.detail == "through botocore (SSOTUI_PORTAL_CLIENT=botocore)"
    direct = _context()
    [portal] = [c for c in run_checks(direct, session) if c.name == "portal"]
    assert portal.detail.startswith(f"direct to {sim.url}")


def test_a_copy_goes_to_the_contexts_terminal(
    pty: int,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The Context names the terminal to send OSC 52 to; the process's environment, changed
    after the Context was made, names none that exists."""
    context = _context()  # SSOTUI_TTY: the pseudo-terminal
    monkeypatch.setenv("SSOTUI_TTY", str(tmp_path / "no-such-tty"))
    handoff = context.workspace(SsoSession("dev", "https://d-1.awsapps.com/start", "us-east-1"))
    assert handoff.handoff.copy_login_code("WDJB-MJHT") == "OSC 52"
    assert b"\x1b]52;c;" in read_all(pty)
