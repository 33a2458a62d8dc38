"""Throttled, a page of accounts does not wait behind the role calls already in the pacer's line.

Until a ListAccounts page arrives its accounts are not even shown, so a page call waiting for
the pacer goes to the front of its line, as the roles of the account looked at do. Over real
HTTP against the simulator's token bucket.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from tui.aws.catalog import fetch_catalog
from tui.aws.catalog_events import AccountsPage, CatalogEvent
from tui.aws.portal import Portal
from tui.models import Account, SsoSession, Token
from tui.sim import Simulator
from tui.sim.org import Organisation

IN_LINE = 8  # role calls waiting for the pacer when the second page is asked for


@pytest.fixture
def org() -> Organisation:
    """Two pages of 20 accounts."""
    return Organisation.generate(accounts=40, seed=7)


class PageAfterTheRoles(Portal):
    """A real portal that asks for each next ListAccounts page only once the role calls of the
    accounts already listed wait in the pacer's line (as a page the service answered late
    would), and counts the role listings answered while each page was on its way."""

    def __init__(self, session: SsoSession, token: Token, *, page_size: int) -> None:
        super().__init__(session, token, environ=os.environ, page_size=page_size)
        self._lock = threading.Lock()
        self.roles_answered = 0
        self._asked_at = 0  # role listings answered when the page on its way was asked for
        self.roles_while_page: list[int] = []

    def list_roles(
        self, account_id: str, *, first: Callable[[], bool] | None = None
    ) -> tuple[str, ...]:
        roles = super().list_roles(account_id, first=first)
        with self._lock:
            self.roles_answered += 1
        return roles

    def list_accounts(self, *, first: Callable[[], bool] | None = None) -> Iterator[list[Account]]:
        for page in super().list_accounts(first=first):
            with self._lock:
                self.roles_while_page.append(self.roles_answered - self._asked_at)
            yield page
            give_up = time.monotonic() + 10
            while not self._line_formed() and time.monotonic() < give_up:
                time.sleep(0.005)
            with self._lock:
                self._asked_at = self.roles_answered

    def _line_formed(self) -> bool:
        rate = self.pacer.rate
        return rate is not None and rate < 20 and self.pacer.waiting >= IN_LINE


def test_a_page_of_accounts_goes_before_the_role_calls_waiting_for_the_pacer(
    session: SsoSession, token: Token, sim: Simulator
) -> None:
    sim.set(rate_limit=8)
    portal = PageAfterTheRoles(session, token, page_size=20)
    events: list[CatalogEvent] = []
    catalog = fetch_catalog(session, token, portal=portal, on_event=events.append)
    assert len([e for e in events if isinstance(e, AccountsPage)]) == 2
    # The second page came at the next slot: at most the calls already on their way were
    # answered before it, not the line of role calls it found waiting.
    assert portal.roles_while_page[1] <= 2, portal.roles_while_page
    # Nothing lost: every account and its roles.
    assert {a.account_id for a in catalog.accounts} == {a.account_id for a in sim.org.accounts}
    assert catalog.complete
    assert all(
        set(catalog.roles_of(a.account_id)) == {r.name for r in a.roles} for a in sim.org.accounts
    )
