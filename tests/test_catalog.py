"""The catalog pipeline and its cache, over real HTTP: events, throttling, 5xx, failures, cache."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import here, load_catalog
from tui.aws.catalog import fetch_catalog, retry_failed
from tui.aws.catalog_events import AccountsPage, CatalogEvent, RolesFailed, RolesLoaded
from tui.aws.portal import Portal
from tui.aws.roles_first import RolesFirst
from tui.errors import NotLoggedIn, ServiceError
from tui.models import Catalog, SsoSession, Token, utcnow
from tui.sim import Simulator
from tui.store import catalog_cache

PORTAL_CALLS = ("ListAccounts", "ListAccountRoles", "GetRoleCredentials", "Logout")


def _expected(sim: Simulator) -> dict[str, set[str]]:
    return {a.account_id: {r.name for r in a.roles} for a in sim.org.accounts}


def _got(catalog: Catalog) -> dict[str, set[str]]:
    return {a.account_id: set(catalog.roles_of(a.account_id)) for a in catalog.accounts}


def _portal_calls(sim: Simulator) -> int:
    return sum(sim.calls[op] for op in PORTAL_CALLS)


class OneBadAccount(Portal):
    """A real portal whose ListAccountRoles for one account asks about an unknown account."""

    bad = ""

    def list_roles(
        self, account_id: str, *, first: Callable[[], bool] | None = None
    ) -> tuple[str, ...]:
        wrong = "000000000000" if account_id == self.bad else account_id
        return super().list_roles(wrong, first=first)


class OneFailingAccount(Portal):
    """A real portal whose ListAccountRoles for one account fails as a 5xx past its retries
    does (a failure that may pass, unlike Identity Center's refusal of an unknown account)."""

    bad = ""

    def list_roles(
        self, account_id: str, *, first: Callable[[], bool] | None = None
    ) -> tuple[str, ...]:
        if account_id == self.bad:
            raise ServiceError(f"Identity Center failed the roles of account {account_id}")
        return super().list_roles(account_id, first=first)


def test_everything_with_events_in_order(session: SsoSession, token: Token, sim: Simulator) -> None:
    events: list[CatalogEvent] = []
    portal = Portal(session, token, page_size=5, environ=os.environ)
    catalog = fetch_catalog(session, token, on_event=events.append, portal=portal, concurrency=4)
    assert _got(catalog) == _expected(sim) and catalog.complete and not catalog.failed
    assert sim.calls["ListAccounts"] == 3 and sim.calls["ListAccountRoles"] == 12
    announced: set[str] = set()
    loaded: set[str] = set()
    for event in events:
        if isinstance(event, AccountsPage):
            announced.update(a.account_id for a in event.accounts)
        else:
            assert isinstance(event, RolesLoaded) and event.account_id in announced
            assert set(event.roles) == _expected(sim)[event.account_id]
            loaded.add(event.account_id)
    assert announced == loaded == set(_expected(sim))
    names = [a.name.casefold() for a in catalog.accounts]
    assert names == sorted(names)


def test_the_account_looked_at_has_its_roles_listed_before_the_others(
    session: SsoSession, token: Token, sim: Simulator
) -> None:
    # One worker, so the order is the order of the calls. The account looked at is the one
    # the page lists last; once its roles are in, the user moves to the one before it.
    sim.set(latency=0.05)
    listed = [a.account_id for a in sim.org.accounts]
    first = RolesFirst()
    first.look_at(listed[-1])
    loaded: list[str] = []

    def on_event(event: CatalogEvent) -> None:
        if isinstance(event, RolesLoaded):
            loaded.append(event.account_id)
            if event.account_id == listed[-1]:
                first.look_at(listed[-2])

    catalog = fetch_catalog(
        session, token, on_event=on_event, concurrency=1, first=first, environ=os.environ
    )
    # (the worker may start on the first account before the page is all queued, and on
    # the next account before the user moves: one call each at most)
    assert loaded.index(listed[-1]) <= 1
    assert loaded.index(listed[-2]) <= loaded.index(listed[-1]) + 2
    assert _got(catalog) == _expected(sim) and catalog.complete  # every other one too
    assert sorted(loaded) == sorted(listed)


def test_a_429_storm_loses_no_account(session: SsoSession, token: Token, sim: Simulator) -> None:
    sim.set(rate_limit=8)
    sim.reset_calls()
    catalog = fetch_catalog(
        session, token, portal=Portal(session, token, page_size=3, environ=os.environ)
    )
    assert _got(catalog) == _expected(sim) and catalog.complete
    assert sim.calls["ListAccounts"] + sim.calls["ListAccountRoles"] > 16  # some were refused


def test_every_third_call_failing_loses_no_account(
    session: SsoSession, token: Token, sim: Simulator
) -> None:
    # Every third call fails (500) and is retried. The role listings of a dozen accounts
    # interleave, so one of them may meet the fault at every retry: it is never dropped
    # silently, but marked failed, and listing the failed ones again completes the catalog.
    sim.set(fail_every=3)
    catalog = fetch_catalog(
        session, token, portal=Portal(session, token, sleep=lambda _s: None, environ=os.environ)
    )
    assert sim.calls["ListAccountRoles"] > len(sim.org.accounts)  # the faults happened
    expected = _expected(sim)
    assert {a.account_id for a in catalog.accounts} == set(expected)  # every account is there
    assert {a: r for a, r in _got(catalog).items() if a not in catalog.failed} == {
        a: r for a, r in expected.items() if a not in catalog.failed
    }
    assert catalog.complete == (not catalog.failed)
    sim.set(fail_every=None)
    retried = retry_failed(session, token, catalog, environ=os.environ)
    assert _got(retried) == expected and retried.complete


def test_one_failing_account_is_marked_and_the_rest_kept(
    session: SsoSession, token: Token, sim: Simulator
) -> None:
    bad = sim.org.accounts[3].account_id
    portal = OneFailingAccount(session, token, environ=os.environ)
    portal.bad = bad
    events: list[CatalogEvent] = []
    catalog = fetch_catalog(session, token, portal=portal, on_event=events.append)
    assert set(catalog.failed) == {bad} and "failed" in catalog.failed[bad]
    assert not catalog.complete and not catalog.refused
    assert [e.account_id for e in events if isinstance(e, RolesFailed)] == [bad]
    expected = _expected(sim)
    expected[bad] = set()
    assert _got(catalog) == expected


def test_incomplete_catalog_is_cached_as_such_and_retried(
    session: SsoSession, token: Token, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = sim.org.accounts[5].account_id
    monkeypatch.setattr(OneFailingAccount, "bad", bad)
    monkeypatch.setattr("tui.aws.catalog.Portal", OneFailingAccount)
    first = load_catalog(session, token)
    assert not first.complete
    saved = json.loads(catalog_cache.cache_path(here(), session).read_text())
    assert saved["complete"] is False and bad in saved["failed"]
    monkeypatch.setattr(OneFailingAccount, "bad", "")  # the account works again
    sim.reset_calls()
    second = load_catalog(session, token)
    assert second.complete and _got(second) == _expected(sim)
    assert sim.calls["ListAccounts"] == 0 and sim.calls["ListAccountRoles"] == 1  # only it
    assert catalog_cache.load(here(), session) == second


def test_an_account_refused_since_shows_none_of_its_old_roles(
    session: SsoSession, token: Token, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ListAccountRoles answers 404 (no access) for an account that had roles: its old roles were
    # kept and `list` went on showing them as if they could still be taken. It is Identity
    # Center's answer, not a failure: the account is refused, the catalog complete, and a fresh
    # cache asks nothing again (every run retried it, and failed, for ever).
    bad = sim.org.accounts[5].account_id
    assert load_catalog(session, token).roles_of(bad)
    monkeypatch.setattr(OneBadAccount, "bad", bad)
    monkeypatch.setattr("tui.aws.catalog.Portal", OneBadAccount)
    refused = load_catalog(session, token, refresh=True)
    assert refused.roles_of(bad) == () and not refused.failed and refused.complete
    assert refused.refused == {bad: "no access to its roles (ResourceNotFoundException)"}
    assert bad not in {a.account_id for a, _ in refused.pairs()}
    sim.reset_calls()
    again = load_catalog(session, token)  # fresh and complete: no call at all
    assert _portal_calls(sim) == 0 and again == refused
    expected = _expected(sim)
    expected[bad] = set()
    assert _got(again) == expected
    monkeypatch.setattr(OneBadAccount, "bad", "")  # access given back: a refresh lists it
    back = load_catalog(session, token, refresh=True)
    assert _got(back) == _expected(sim) and not back.refused


def test_revoked_mid_listing_aborts_with_not_logged_in(
    session: SsoSession, token: Token, sim: Simulator
) -> None:
    def on_event(event: CatalogEvent) -> None:
        if isinstance(event, AccountsPage):
            sim.revoke_tokens()

    with pytest.raises(NotLoggedIn, match="expired or was revoked"):
        fetch_catalog(
            session,
            token,
            portal=Portal(session, token, page_size=4, environ=os.environ),
            on_event=on_event,
        )


def test_fresh_cache_costs_no_portal_call(
    session: SsoSession, token: Token, sim: Simulator
) -> None:
    fetched = load_catalog(session, token)
    sim.reset_calls()
    assert load_catalog(session, token) == fetched
    assert _portal_calls(sim) == 0
    assert _got(load_catalog(session, token, refresh=True)) == _expected(sim)
    assert sim.calls["ListAccounts"] == 1
    sim.reset_calls()
    load_catalog(session, token, lifetime=0)
    assert sim.calls["ListAccounts"] == 1


def test_a_catalog_lifetime_of_forever_keeps_the_cache(
    session: SsoSession, token: Token, sim: Simulator
) -> None:
    # `catalog_lifetime = 100000000000000` (a user's "never refresh") failed each command that
    # reads the catalog with "unexpected error (OverflowError)".
    fetched = load_catalog(session, token, lifetime=10**14)
    sim.reset_calls()
    assert load_catalog(session, token, lifetime=2**63 - 1) == fetched
    assert _portal_calls(sim) == 0


def test_stale_cache_is_refetched(session: SsoSession, token: Token, sim: Simulator) -> None:
    old = load_catalog(session, token)
    aged = Catalog(old.accounts, old.roles, utcnow() - timedelta(hours=2), old.failed)
    catalog_cache.save(here(), session, aged)
    sim.reset_calls()
    assert load_catalog(session, token).fetched_at > aged.fetched_at
    assert sim.calls["ListAccounts"] == 1


def test_cache_file_is_private_and_has_no_secret(
    session: SsoSession, token: Token, home: object
) -> None:
    load_catalog(session, token)
    path = catalog_cache.cache_path(here(), session)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    for secret in (token.access_token, token.refresh_token, token.client_secret):
        assert secret and secret not in text
    age = catalog_cache.age(here(), session)
    assert age is not None and timedelta(0) <= age < timedelta(minutes=1)
    assert catalog_cache.delete(here(), session) and catalog_cache.load(here(), session) is None
    assert not catalog_cache.delete(here(), session) and catalog_cache.age(here(), session) is None


def test_cache_of_another_start_url_or_version_is_ignored(
    session: SsoSession, token: Token
) -> None:
    load_catalog(session, token)
    path = catalog_cache.cache_path(here(), session)
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "startUrl": "https://other.awsapps.com/start"}))
    assert catalog_cache.load(here(), session) is None
    path.write_text(json.dumps({**data, "version": 99}))
    assert catalog_cache.load(here(), session) is None


OFFLINE = SsoSession("dev", "https://dev.awsapps.com/start", "eu-west-1")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.binary(max_size=300)
    | st.fixed_dictionaries(
        {"version": st.sampled_from([1, 2]), "startUrl": st.just(OFFLINE.start_url)},
        optional={
            **{
                column: st.lists(st.text(max_size=5) | st.lists(st.text(max_size=5)), max_size=3)
                | st.none()
                for column in catalog_cache.COLUMNS
            },
            "fetchedAt": st.text(max_size=30) | st.integers(),
            "complete": st.booleans() | st.none(),
            "failed": st.dictionaries(st.text(max_size=5), st.text(max_size=5) | st.integers()),
            "accounts": st.lists(
                st.dictionaries(
                    st.sampled_from(["accountId", "accountName", "emailAddress", "roles"]),
                    st.text(max_size=5) | st.lists(st.text(max_size=5), max_size=2),
                ),
                max_size=3,
            ),
        },
    ).map(lambda d: json.dumps(d).encode())
)
def test_any_cache_bytes_give_a_catalog_or_none(home: object, data: bytes) -> None:
    path = catalog_cache.cache_path(here(), OFFLINE)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    catalog = catalog_cache.load(here(), OFFLINE)
    assert catalog is None or isinstance(catalog, Catalog)
