"""A refresh opens the connections it will need while the first page is on its way.

Over TLS every new connection is a handshake: two round trips, and CPU on both ends. When the
last catalog says how many accounts there are, those handshakes are done while ListAccounts is
answered, not all at once when its page arrives. With nothing cached, no connection is opened
on speculation.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pytest

from tests.http_recorder import Answer, Recorded, Recorder, recording
from tests.test_portal_http import SESSION, a_token, closed_port, portal_at
from tui.aws.catalog import fetch_catalog
from tui.aws.portal_http import PortalHttpClient
from tui.models import Account, Catalog, utcnow

ACCOUNTS = [f"{n:012d}" for n in range(5)]


class Organisation:
    """Five accounts on one ListAccounts page, one role each; notes how many connections the
    server had accepted when it answered the page (after giving them a moment to arrive)."""

    def __init__(self) -> None:
        self.server: Recorder | None = None
        self.accepted_at_page: int | None = None
        self.answered = threading.Event()

    def __call__(self, request: Recorded) -> Answer:
        assert self.server is not None
        if request.path == "/assignment/accounts":
            waited = time.monotonic() + 1.0
            while self.server.accepted < len(ACCOUNTS) + 1 and time.monotonic() < waited:
                time.sleep(0.01)
            self.accepted_at_page = self.server.accepted
            listed = [{"accountId": a, "accountName": f"n{a}"} for a in ACCOUNTS]
            return Answer(200, json.dumps({"accountList": listed}).encode())
        account = request.query["account_id"][0]
        return Answer(200, json.dumps({"roleList": [{"roleName": f"R{account}"}]}).encode())


def last_catalog(accounts: list[str]) -> Catalog:
    return Catalog(
        accounts=tuple(Account(a, f"n{a}") for a in accounts),
        roles={a: (f"R{a}",) for a in accounts},
        fetched_at=utcnow() - timedelta(days=1),
    )


def refresh(previous: Catalog | None, monkeypatch: pytest.MonkeyPatch) -> tuple[Catalog, int, int]:
    """(catalog, connections accepted when the page was answered, connections in all)."""
    org = Organisation()
    with recording(org) as server:
        org.server = server
        portal = portal_at(server.url, monkeypatch, max_pool=16)
        catalog = fetch_catalog(
            SESSION, a_token(), concurrency=16, previous=previous, portal=portal
        )
        accepted = server.accepted
    assert org.accepted_at_page is not None
    return catalog, org.accepted_at_page, accepted


def test_a_refresh_opens_the_connections_it_will_need_while_the_first_page_is_coming(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    catalog, at_page, in_all = refresh(last_catalog(ACCOUNTS), monkeypatch)
    assert catalog.roles == {a: (f"R{a}",) for a in ACCOUNTS}
    assert at_page == len(ACCOUNTS) + 1  # one per account's roles, one for the pages
    assert in_all == len(ACCOUNTS) + 1  # ... and the roles went over those, no more were opened


def test_a_first_fetch_opens_no_connection_on_speculation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    catalog, at_page, _in_all = refresh(None, monkeypatch)
    assert catalog.roles == {a: (f"R{a}",) for a in ACCOUNTS}
    assert at_page == 1  # the page's own; the rest are opened as its accounts need them


def test_no_more_are_opened_ahead_than_there_are_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with recording(Answer(200, b"{}")) as server:
        portal = portal_at(server.url, monkeypatch, max_pool=16)
        client = portal.client
        assert isinstance(client, PortalHttpClient)
        for _ in range(10):
            client.open_ahead(3)
        time.sleep(0.05)
        assert server.accepted == 3


def test_opening_ahead_where_nothing_answers_is_left_to_the_work_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    portal = portal_at(f"http://127.0.0.1:{closed_port()}", monkeypatch)
    assert isinstance(portal.client, PortalHttpClient)
    portal.client.open_ahead(4)  # no error here: the first real call reports it, once
