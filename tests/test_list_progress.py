"""`list`'s progress line on a terminal (`tui.commands.progress`): what it counts."""

from __future__ import annotations

import io

import pytest

from tui.aws.catalog_events import (
    AccountsPage,
    CatalogEvent,
    Paced,
    RolesFailed,
    RolesIncomplete,
    RolesLoaded,
    RolesRefused,
)
from tui.commands import progress
from tui.commands.progress import CatalogProgress
from tui.models import Account

ACCOUNTS = tuple(Account(f"{n:012d}", f"a{n}", "") for n in range(3))


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _last_line(events: list[CatalogEvent], monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(progress, "REDRAW_EVERY", 0.0)  # every event drawn
    terminal = Terminal()
    shown = CatalogProgress(terminal)
    for event in events:
        shown(event)
    return terminal.getvalue().split(progress.CLEAR)[-1]


def _listed(*events: CatalogEvent) -> list[CatalogEvent]:
    return [AccountsPage(ACCOUNTS), *events]


def test_every_answer_counts_and_only_failures_are_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    a, b, c = (account.account_id for account in ACCOUNTS)
    events = _listed(
        RolesLoaded(a, ("Admin",)),
        RolesRefused(b, "no access"),
        RolesIncomplete(c, ("Dev",), "a page repeated"),
    )
    line = _last_line(events, monkeypatch)
    assert line == "ssotui: fetching the catalog: 3 accounts, roles 3/3"


def test_a_fetch_started_again_after_a_renewal_counts_each_account_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the first fetch ended at a 401 after one account's roles; the renewed one starts over
    a, b, _ = (account.account_id for account in ACCOUNTS)
    first = _listed(RolesLoaded(a, ()))
    again = _listed(RolesLoaded(a, ()), RolesLoaded(b, ()))
    line = _last_line(first + again, monkeypatch)
    assert line == "ssotui: fetching the catalog: 3 accounts, roles 2/3"


def test_failed_accounts_listed_again_are_not_roles_of_no_accounts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a fresh cache with failed accounts: only their roles are asked for, no page of accounts
    a, b, _ = (account.account_id for account in ACCOUNTS)
    line = _last_line([RolesLoaded(a, ()), RolesFailed(b, "HTTP 500")], monkeypatch)
    assert line == "ssotui: listing roles again: 2 accounts done, 1 failed"


def test_a_throttled_fetch_says_so_and_at_what_pace(monkeypatch: pytest.MonkeyPatch) -> None:
    a, b, _ = (account.account_id for account in ACCOUNTS)
    events = _listed(RolesLoaded(a, ()), Paced(18.37), RolesLoaded(b, ()))
    line = _last_line(events, monkeypatch)
    assert line == "ssotui: fetching the catalog: 3 accounts, roles 2/3, throttled to 18 calls/s"
    line = _last_line([*events, Paced(4.52), RolesFailed(a, "HTTP 500")], monkeypatch)
    assert line.endswith("roles 2/3, 1 failed, throttled to 4.5 calls/s"), line
    assert Paced(0.5).words() == "throttled to 0.5 calls/s"
    assert Paced(9.96).words() == "throttled to 10 calls/s"
    assert Paced(3.0).words() == "throttled to 3 calls/s"


def test_a_throttled_fetch_says_about_how_long_is_left(monkeypatch: pytest.MonkeyPatch) -> None:
    """10,000 accounts at 20 calls/s take over eight minutes: the line says so, once a minute
    or more is left."""
    many = tuple(Account(f"{n:012d}", f"a{n}", "") for n in range(2400))
    done = [RolesLoaded(a.account_id, ()) for a in many[:600]]
    line = _last_line([AccountsPage(many), *done, Paced(20.0)], monkeypatch)
    assert line.endswith("roles 600/2400, throttled to 20 calls/s, about 1m left"), line
    line = _last_line([AccountsPage(many), *done, Paced(2.0)], monkeypatch)
    assert line.endswith("throttled to 2 calls/s, about 15m left"), line
    almost = [RolesLoaded(a.account_id, ()) for a in many[:2390]]
    line = _last_line([AccountsPage(many), *almost, Paced(20.0)], monkeypatch)
    assert line.endswith("roles 2390/2400, throttled to 20 calls/s"), line  # under a minute
