"""Two pickers started on the same session while not logged in: one login, the other waits
for it and carries on with its token; it logs in itself when that one goes away."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest

from tests.app_support import (
    SIZE,
    async_test,
    catalog_loaded,
    login_code,
    login_status,
    picker,
    use_palette,
    wait_until,
)
from tui.sim import Organisation, Simulator


def _waits(app: Any) -> bool:
    return "Another ssotui is logging in" in login_status(app)


@async_test
async def test_a_second_picker_waits_for_the_first_ones_login(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    sim.set(approve="manual", interval=1)
    first, second = picker(), picker()
    async with first.run_test(size=SIZE) as one:
        await wait_until(one, lambda: login_code(first), "the first picker's code")
        code = login_code(first)
        async with second.run_test(size=SIZE) as two:
            await wait_until(two, lambda: _waits(second), "the second picker's word: it waits")
            await one.pause(1.5)  # a few looks of the first one's at who waits
            assert login_code(first) == code  # not started over
            assert not login_code(second)
            assert sim.pending() == [code]  # one code for the user to approve
            sim.approve(code)
            await wait_until(one, catalog_loaded(first, org), "the first picker's catalog")
            await wait_until(two, catalog_loaded(second, org), "the second's, with the same login")
    assert sim.calls["StartDeviceAuthorization"] == 1


@pytest.mark.parametrize("ends", ["closed", "cancelled", "denied"])
@async_test
async def test_the_waiting_picker_logs_in_itself_when_the_first_ones_login_ends(
    ends: str, sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """The picker that logs in is closed, its login cancelled (Escape) or denied: the one
    that waited does not hang, it starts its own login and gets its own token."""
    sim.set(approve="manual", interval=1)
    first, second = picker(), picker()
    async with contextlib.AsyncExitStack() as stack:
        one = await stack.enter_async_context(first.run_test(size=SIZE))
        await wait_until(one, lambda: login_code(first), "the first picker's code")
        code = login_code(first)
        async with second.run_test(size=SIZE) as two:
            await wait_until(two, lambda: _waits(second), "the second picker's wait")
            if ends == "closed":
                await one.press("ctrl+q")
                await stack.aclose()  # its process ends, as `ssotui` ends after the picker
            elif ends == "cancelled":
                await one.press("escape")
            else:
                sim.deny(code)
                await wait_until(one, lambda: "press r" in login_status(first), "the failure")
            await wait_until(two, lambda: login_code(second), "the second picker's own code")
            assert login_code(second) != code
            sim.approve(login_code(second))
            await wait_until(two, catalog_loaded(second, org), "the catalog with its own login")


@async_test
async def test_either_picker_can_be_the_one_that_logs_in(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """The user looks at the second picker: `l` logs in there; the first steps aside, waits
    and carries on with that login."""
    sim.set(approve="manual", interval=1)
    first, second = picker(), picker()
    async with first.run_test(size=SIZE) as one:
        await wait_until(one, lambda: login_code(first), "the first picker's code")
        code = login_code(first)
        async with second.run_test(size=SIZE) as two:
            await wait_until(two, lambda: _waits(second), "the second picker's wait")
            await two.press("l")
            await wait_until(two, lambda: login_code(second), "the second picker's own code")
            await wait_until(one, lambda: _waits(first), "the first one stepping aside")
            assert not login_code(first)
            sim.approve(login_code(second))
            await wait_until(two, catalog_loaded(second, org), "the catalog where the user is")
            await wait_until(one, catalog_loaded(first, org), "the first, with the same login")
            assert code in sim.pending()  # the first picker's code was never needed


@async_test
async def test_the_palette_offers_log_in_here_instead_while_the_footer_does(
    sim: Simulator, sso_config: Path, org: Organisation
) -> None:
    """ctrl+p on the waiting picker offered Keys, Quit, Theme and Screenshot: not `l`, which
    its footer showed, nor any other key of the login screen."""
    sim.set(approve="manual", interval=1)
    first, second = picker(), picker()
    async with first.run_test(size=SIZE) as one:
        await wait_until(one, lambda: login_code(first), "the first picker's code")
        async with second.run_test(size=SIZE) as two:
            await wait_until(two, lambda: _waits(second), "the second picker's wait")
            titles = [c.title for c in second.get_system_commands(second.screen)]
            assert "Log in here instead" in titles and "Cancel" in titles
            assert "Screenshot" not in titles
            await use_palette(two, second, "log in here instead")
            await wait_until(two, lambda: login_code(second), "the second picker's own code")
            await wait_until(one, lambda: _waits(first), "the first one stepping aside")
            titles = [c.title for c in second.get_system_commands(second.screen)]
            assert "Log in here instead" not in titles  # as its key, gone once used
