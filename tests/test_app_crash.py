"""A bug in the picker: it ends in one line on stderr and exit status 1, the terminal given back;
the traceback only with --debug, and then without local variables (they may hold secrets)."""

from __future__ import annotations

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
