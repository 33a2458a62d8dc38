"""While a throttled catalog loads, the roles of the account the user looks at come first.

The accounts here are named the other way round from the order the service lists them: the
account at the top of the pane is the one whose roles a fetch in catalog order would list
last, and the one under it the last but one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.app_support import (
    SIZE,
    async_test,
    catalog_loaded,
    log_in,
    pane,
    picker,
    wait_until,
)
from tui.sim import Organisation, SimAccount, SimRole, Simulator

ACCOUNTS = 40


@pytest.fixture
def org() -> Organisation:
    """team-40 listed first, team-01 last."""
    return Organisation(
        [
            SimAccount(
                f"{300000000000 + n:012d}",
                f"team-{ACCOUNTS - n:02d}",
                f"team{n}@example.com",
                [SimRole("Admin"), SimRole("ReadOnly")],
            )
            for n in range(ACCOUNTS)
        ]
    )


def roles_shown(app: Any, name: str) -> bool:
    """The roles pane lists the roles of the account called `name`, highlighted."""
    account = pane(app, "accounts").highlighted_item
    rows = pane(app, "roles").row_list.visible_rows()
    return (
        account is not None
        and account.name == name
        and bool(rows)
        and all(row.value.account_id == account.account_id for row in rows)
    )


@async_test
async def test_the_highlighted_accounts_roles_jump_the_line_and_so_do_the_next_ones(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    log_in()
    sim.set(rate_limit=10, burst=2)  # 40 accounts: about 4 s of listing
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: roles_shown(app, "team-01"), "the top account's roles")
        model = app.screen.model
        assert len(model.roles) <= ACCOUNTS // 4  # in catalog order it would be the last
        await pilot.press("down")  # the user moves on, to the last but one of the catalog
        moved_at = len(model.roles)
        await wait_until(pilot, lambda: roles_shown(app, "team-02"), "the next one's roles")
        assert len(model.roles) - moved_at <= ACCOUNTS // 8
        # and every other account's roles still come, none lost
        await wait_until(pilot, catalog_loaded(app, org), "the whole catalog", timeout=30)
        assert len(model.roles) == ACCOUNTS and not model.failed
