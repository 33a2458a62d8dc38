"""ACCOUNT and ROLE resolved from the cached catalog's file, building only the account named
(`CatalogUseCases.find`): the same account, role and failure line as against the whole catalog,
and a damaged file still read as no cache at all."""

from __future__ import annotations

import json
import os
import unicodedata
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import here
from tui.errors import NotLoggedIn, SsotuiError
from tui.models import Account, Catalog, SsoSession, utcnow
from tui.store import catalog_cache
from tui.store.settings import Settings
from tui.workspace.select import find_account, find_role
from tui.workspace.workspace import Workspace

# Never logged in: a command that did not resolve from the cache would say so.
SESSION = SsoSession("dev", "https://dev.awsapps.com/start", "eu-west-1")

NAMES = ["Prod", "prod", "prod-eu", "Zürich", unicodedata.normalize("NFD", "Zürich"), " pad ", ""]
IDS = ["111111111111", "222222222222", "333333333333", "odd-id"]
ROLES = ["Admin", "admin", "ReadOnly", " Viewer"]


def _workspace() -> Workspace:
    return Workspace(SESSION, settings=Settings(), environ=dict(os.environ), paths=here())


def _outcome(resolve: Any) -> tuple[str, Any]:
    try:
        return "found", resolve()
    except SsotuiError as exc:
        return type(exc).__name__, exc.message


def _against_whole(catalog: Catalog, account_text: str, role_text: str) -> tuple[str, Any]:
    def resolve() -> tuple[Account, str]:
        account = find_account(catalog, account_text)
        return account, find_role(catalog, account, role_text)

    return _outcome(resolve)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    listed=st.lists(
        st.tuples(
            st.sampled_from(IDS),  # an id listed twice too: its last roles are its roles
            st.sampled_from(NAMES),
            st.lists(st.sampled_from(ROLES), max_size=3, unique=True),
        ),
        max_size=6,
    ),
    refused=st.booleans(),
    account_text=st.sampled_from([*IDS, *NAMES, "PROD", "zür", "pro", " 111111111111 ", "Prd"]),
    role_text=st.sampled_from([*ROLES, "ADMIN", "viewer", "Nope"]),
)
def test_the_cache_names_what_the_whole_catalog_names(
    home: object,
    listed: list[tuple[str, str, list[str]]],
    refused: bool,
    account_text: str,
    role_text: str,
) -> None:
    notes = {listed[0][0]: "not allowed"} if refused and listed else {}
    items = [
        {"accountId": aid, "accountName": name, "emailAddress": f"{aid}@x", "roles": names}
        for aid, name, names in listed
    ]
    _write(Catalog((), {}, utcnow(), refused=notes), items)
    whole = catalog_cache.load(here(), SESSION)
    assert whole is not None

    kind, got = _outcome(lambda: _workspace().find(account_text, role_text))
    expected_kind, expected = _against_whole(whole, account_text, role_text)

    assert kind == expected_kind
    if kind == "found":
        assert got == expected
    else:  # the cache's own note may follow ("the catalog was cached ...: add --refresh")
        assert got.startswith(expected)


def _write(frame: Catalog, items: list[Any]) -> None:
    """A cache file of `frame` (its time, refusals ...) listing `items` as its accounts (an id
    listed twice may have other roles each time, as a file ssotui never wrote might)."""
    # As an older ssotui wrote it (version 1, an object per account): still read, and the
    # one form where one account can be damaged alone
    whole = catalog_cache.to_dict(SESSION, frame)
    frame_only = {k: v for k, v in whole.items() if k not in catalog_cache.COLUMNS}
    data = {**frame_only, "version": catalog_cache.OBJECTS, "accounts": items}
    path = catalog_cache.cache_path(here(), SESSION)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


def _damaged(item: Any) -> None:
    """A fresh catalog of 300 good accounts, then `item`."""
    good = [
        {"accountId": f"{n:012d}", "accountName": f"acct-{n}", "emailAddress": "", "roles": ["R"]}
        for n in range(300)
    ]
    _write(Catalog((), {}, utcnow()), [*good, item])


@pytest.mark.parametrize(
    "item",
    [
        {"accountId": "999999999999", "accountName": "x", "roles": "R"},  # roles not a list
        {"accountId": "999999999999", "accountName": "x", "roles": ["R", 7]},
        {"accountId": "999999999999", "accountName": "x", "emailAddress": None},
        {"accountId": 999999999999, "accountName": "x"},
        {"accountId": "999999999999"},  # no name
        ["999999999999", "x"],
        "999999999999",
        None,
    ],
    ids=["roles-text", "role-number", "email-null", "id-number", "no-name", "list", "text", "null"],
)
def test_a_cache_with_one_damaged_account_is_no_cache(home: object, item: Any) -> None:
    _damaged(item)
    assert catalog_cache.load(here(), SESSION) is None
    # not resolved from the damaged file: the catalog is to be fetched anew, which needs a login
    with pytest.raises(NotLoggedIn):
        _workspace().find("acct-1", "R")


def test_a_cache_with_good_accounts_resolves_without_a_login(home: object) -> None:
    _damaged({"accountId": "999999999999", "accountName": "last", "roles": ["R"]})
    account, role = _workspace().find("acct-1", "r")
    assert (account, role) == (Account("000000000001", "acct-1", ""), "R")
