"""A bug in the picker: what its traceback shows on the terminal holds no secret."""

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
from tui.export import subshell
from tui.sim import Organisation, Simulator
from tui.store.settings import Settings


@async_test
async def test_a_crash_while_a_subshell_starts_shows_no_endpoint_token(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    monkeypatch: Any,
    capfd: pytest.CaptureFixture[str],
) -> None:
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
    except (RuntimeError, WorkerFailed):  # (the subshell is readied in a worker)
        pass
    text = capfd.readouterr().err  # where the picker prints a bug's traceback as it closes
    assert "RuntimeError: a bug" in text
    assert seen["AWS_CONTAINER_AUTHORIZATION_TOKEN"] not in text
