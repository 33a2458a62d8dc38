"""A bug in the picker: it ends in one line on stderr and exit status 1, the terminal given back;
the traceback only with --debug, and then without local variables (they may hold secrets)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from textual.worker import WorkerFailed

from tests.app_support import (
    SIZE,
    async_test,
    catalog_loaded,
    log_in,
    open_action_menu,
    picker,
    usable_role,
    wait_until,
    with_roles,
)
from tui import debug_mode
from tui.export import subshell
from tui.sim import Organisation, Simulator
from tui.store.settings import Settings


async def _crash_in_the_renewing_subshell(
    org: Organisation, monkeypatch: Any
) -> tuple[dict[str, str], int | None]:
    """Start a renewing subshell whose start meets a bug; what it was given, and the exit
    status the picker ended with."""
    seen: dict[str, str] = {}

    def crash(plan: subshell.SubshellPlan) -> subshell.Finished:
        seen.update(plan.env)
        raise RuntimeError("a bug")

    monkeypatch.setattr(subshell, "run", crash)
    log_in()
    account = with_roles(org)
    app = picker(settings=Settings(renew_credentials=True))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, catalog_loaded(app, org), "the catalog")
            await open_action_menu(pilot, app, org, account, usable_role(account))
            await pilot.press("s")
            await pilot.pause()
    except (RuntimeError, WorkerFailed):  # (run_test raises what ended the app, for tests)
        pass
    return seen, app.return_code


@async_test
async def test_a_bug_in_the_subshell_worker_ends_in_one_line_and_exit_1(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    monkeypatch: Any,
    capfd: pytest.CaptureFixture[str],
) -> None:
    seen, status = await _crash_in_the_renewing_subshell(org, monkeypatch)
    text = capfd.readouterr().err  # where the picker says it as it closes
    assert status == 1
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines == ["ssotui: unexpected error (RuntimeError); run again with --debug for details"]
    assert seen["AWS_CONTAINER_AUTHORIZATION_TOKEN"] not in text


@async_test
async def test_with_debug_a_bug_shows_its_traceback_but_no_endpoint_token(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    monkeypatch: Any,
    capfd: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(debug_mode, "_debug", True)
    seen, status = await _crash_in_the_renewing_subshell(org, monkeypatch)
    text = capfd.readouterr().err
    assert status == 1
    assert "RuntimeError: a bug" in text
    assert seen["AWS_CONTAINER_AUTHORIZATION_TOKEN"] not in text


@pytest.mark.parametrize("command", ["exec", "export", "console"])
def test_a_bug_that_ends_the_picker_of_a_command_is_said_once(
    sim: Simulator,
    sso_config: Path,
    monkeypatch: Any,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    """`ssotui exec` (export, console) picking first: the picker says its bug as it closes, with
    exit status 1; the command said "the picker failed; nothing picked, nothing done" after it,
    a second line about the same failure."""
    from tui import cli
    from tui.commands import picker as picker_command
    from tui.commands import resolve

    def bug_in_the_picker(*_args: Any, **_kwargs: Any) -> tuple[None, None, int]:
        print("ssotui: unexpected error (RuntimeError); run again with --debug for details",
              file=sys.stderr)  # fmt: skip
        return None, None, 1

    monkeypatch.setattr(resolve, "picker_can_open", lambda _context: True)
    monkeypatch.setattr(picker_command, "_needs_a_terminal", lambda _context: None)
    monkeypatch.setattr(picker_command, "_open_picker", bug_in_the_picker)
    log_in()
    status = cli.main([command])
    err = capsys.readouterr().err
    assert status == 1
    assert err.splitlines() == [
        "ssotui: unexpected error (RuntimeError); run again with --debug for details"
    ]
