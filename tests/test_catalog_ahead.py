"""A refresh asks for the roles of the accounts it already knows while the first page is coming.

The last catalog names the accounts; waiting for the pages to name them again only delays their
roles by the length of the listing. What the pages list still decides what the catalog holds: an
account gone since is dropped (its early answer ignored), one new since is asked for when its
page arrives, and the events keep their order (an account's page before its roles).
"""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest

from tests.http_recorder import Answer, Recorded, Recorder, recording
from tests.test_portal_http import SESSION, a_token, portal_at
from tui.aws.catalog import fetch_catalog
from tui.aws.catalog_events import AccountsPage, CatalogEvent, RolesLoaded
from tui.models import Account, Catalog, utcnow

KEPT = [f"{n:012d}" for n in range(4)]  # in the last catalog, and listed still
GONE = "900000000000"  # in the last catalog only (no longer assigned: 403)
NEW = "800000000000"  # listed now, not in the last catalog


class Organisation:
    """One ListAccounts page (KEPT and NEW), answered only once the roles of as many accounts
    as the client may ask for ahead have been asked (or after a second): it notes which."""

    def __init__(self, expect_ahead: int) -> None:
        self.server: Recorder | None = None
        self.expect_ahead = expect_ahead
        self.asked_before_page: set[str] = set()
        self._asked: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, request: Recorded) -> Answer:
        if request.path == "/assignment/accounts":
            waited = time.monotonic() + 1.0
            while time.monotonic() < waited:
                with self._lock:
                    if len(self._asked) >= self.expect_ahead:
                        break
                time.sleep(0.01)
            with self._lock:
                self.asked_before_page = set(self._asked)
            listed = [{"accountId": a, "accountName": f"n{a}"} for a in [*KEPT, NEW]]
            return Answer(200, json.dumps({"accountList": listed}).encode())
        account = request.query["account_id"][0]
        with self._lock:
            self._asked.add(account)
        if account == GONE:
            body = {"__type": "ForbiddenException", "message": "No access"}
            return Answer(403, json.dumps(body).encode())
        return Answer(200, json.dumps({"roleList": [{"roleName": f"R{account}"}]}).encode())


def last_catalog() -> Catalog:
    accounts = [*KEPT, GONE]
    return Catalog(
        accounts=tuple(Account(a, f"n{a}") for a in accounts),
        roles={a: ("Old",) for a in accounts},
        fetched_at=utcnow() - timedelta(days=1),
    )


def refresh(
    previous: Catalog | None, monkeypatch: pytest.MonkeyPatch
) -> tuple[Catalog, Organisation, list[CatalogEvent], int]:
    org = Organisation(expect_ahead=len(previous.accounts) if previous else 1)
    events: list[CatalogEvent] = []
    with recording(org) as server:
        org.server = server
        portal = portal_at(server.url, monkeypatch, max_pool=16)
        catalog = fetch_catalog(
            SESSION,
            a_token(),
            concurrency=16,
            previous=previous,
            portal=portal,
            on_event=events.append,
        )
        asked = len(server.requests)
    return catalog, org, events, asked


def test_a_refresh_asks_for_the_known_accounts_roles_while_the_first_page_is_coming(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    catalog, org, _events, asked = refresh(last_catalog(), monkeypatch)
    assert org.asked_before_page == {*KEPT, GONE}
    assert asked == 1 + len(KEPT) + 1 + 1  # the page, the kept and gone accounts, the new one


def test_what_the_pages_list_decides_what_the_catalog_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    catalog, _org, _events, _asked = refresh(last_catalog(), monkeypatch)
    assert sorted(a.account_id for a in catalog.accounts) == sorted([*KEPT, NEW])
    assert catalog.roles == {a: (f"R{a}",) for a in [*KEPT, NEW]}  # this refresh's, not "Old"
    assert catalog.failed == {}  # the account gone since refused its early ask: nobody minds
    assert catalog.complete


def test_each_accounts_roles_are_reported_after_its_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _catalog, _org, events, _asked = refresh(last_catalog(), monkeypatch)
    listed_at: dict[str, int] = {}
    loaded_at: dict[str, int] = {}
    for number, event in enumerate(events):
        if isinstance(event, AccountsPage):
            listed_at.update((a.account_id, number) for a in event.accounts)
        elif isinstance(event, RolesLoaded):
            loaded_at[event.account_id] = number
    assert set(loaded_at) == {*KEPT, NEW}  # nothing about the account gone since
    assert all(listed_at[a] < loaded_at[a] for a in loaded_at)


def test_a_first_fetch_asks_for_roles_only_as_pages_list_accounts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    catalog, org, _events, asked = refresh(None, monkeypatch)
    assert org.asked_before_page == set()
    assert asked == 1 + len(KEPT) + 1
    assert catalog.roles == {a: (f"R{a}",) for a in [*KEPT, NEW]}
