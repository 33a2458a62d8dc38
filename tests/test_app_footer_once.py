"""The footer's keys are laid out once for a burst of binding changes (the picker's start:
its panes mount, the focus lands), not once for each: Textual's Footer removes and mounts every
key each time, ~13 ms a time, four times over as the picker starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app_support import (
    SIZE,
    async_test,
    catalog_loaded,
    dev_session,
    footer_keys,
    log_in,
    picker,
    wait_until,
)
from tests.conftest import here
from tui.app.widgets.whole_keys_footer import WholeKeysFooter
from tui.models import Account, Catalog, utcnow
from tui.sim import Organisation
from tui.store import catalog_cache


@async_test
async def test_the_picker_lays_its_footer_keys_out_once_a_burst(
    sso_config: Path, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_in()
    accounts = tuple(Account(a.account_id, a.name, a.email) for a in org.accounts)
    roles = {a.account_id: tuple(r.name for r in a.roles) for a in org.accounts}
    catalog_cache.save(here(), dev_session(), Catalog(accounts, roles, utcnow()))
    composed: list[int] = []
    recompose = WholeKeysFooter.recompose

    async def counted(footer: WholeKeysFooter) -> None:
        composed.append(1)
        await recompose(footer)

    monkeypatch.setattr(WholeKeysFooter, "recompose", counted)
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the cached catalog")
        for _ in range(5):
            await pilot.pause(0.1)
        footer = app.screen.query_one(WholeKeysFooter)
        shown = [getattr(key, "description", "") for key in footer.children if key.display]
        assert len(composed) <= 3  # was 6: a layout for each change of the bindings
        # the keys of the bindings as they are now, no fewer than before
        assert len(shown) >= 4 and set(shown) <= {*footer_keys(app).values(), "Palette"}, shown
