"""The catalog cache's version 2: the accounts as columns (a quarter of the parse time of an
object per account), a version 1 file an older ssotui wrote still read alike, and a damaged
column read as no cache at all."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import here
from tui.models import Account, Catalog, SsoSession, utcnow
from tui.store import catalog_cache

SESSION = SsoSession("dev", "https://dev.awsapps.com/start", "eu-west-1")

CATALOG = Catalog(
    accounts=(
        Account("111111111111", "prod", "ops@example.com"),
        Account("222222222222", ""),  # no name, no email: both optional in the portal's model
        Account("333333333333", "Zürich", "z@example.com"),
    ),
    roles={"111111111111": ("Admin", "ReadOnly"), "222222222222": (), "333333333333": ("R",)},
    fetched_at=utcnow().replace(microsecond=0),
    failed={"222222222222": "timed out"},
    complete=False,
    refused={"333333333333": "not allowed"},
)


def _write(data: dict[str, Any]) -> None:
    path = catalog_cache.cache_path(here(), SESSION)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _file() -> dict[str, Any]:
    text = catalog_cache.cache_path(here(), SESSION).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def test_the_cache_holds_the_accounts_as_columns_and_reads_them_back(home: object) -> None:
    catalog_cache.save(here(), SESSION, CATALOG)
    data = _file()
    assert data["version"] == 2 and "accounts" not in data
    assert data["accountIds"] == ["111111111111", "222222222222", "333333333333"]
    assert data["accountNames"] == ["prod", "", "Zürich"]
    assert data["roles"] == [["Admin", "ReadOnly"], [], ["R"]]
    assert catalog_cache.load(here(), SESSION) == CATALOG


def test_a_cache_an_older_ssotui_wrote_is_read_alike(home: object) -> None:
    catalog_cache.save(here(), SESSION, CATALOG)
    data = _file()
    columns = [data.pop(name) for name in catalog_cache.COLUMNS]
    data["version"] = 1
    data["accounts"] = [
        {"accountId": aid, "accountName": name, "emailAddress": email, "roles": roles}
        for aid, name, email, roles in zip(*columns, strict=True)
    ]
    _write(data)
    assert catalog_cache.load(here(), SESSION) == CATALOG


@pytest.mark.parametrize(
    "damage",
    [
        {"accountNames": ["prod", ""]},  # one name short
        {"roles": [["Admin"], [], ["R"], ["X"]]},  # one list of roles too many
        {"accountIds": "111111111111"},
        {"accountNames": ["prod", None, "Zürich"]},
        {"emailAddresses": None},
        {"roles": [["Admin"], "R", ["R"]]},
        {"roles": [["Admin", 7], [], ["R"]]},
        {"accountIds": [111111111111, "222222222222", "333333333333"]},
        {"accountIds": None, "accounts": []},  # a version 1 list in a version 2 file
    ],
    ids=[
        "short",
        "long",
        "text",
        "name-null",
        "emails-null",
        "roles-text",
        "role-number",
        "id-number",
        "objects",
    ],
)
def test_a_cache_with_a_damaged_column_is_no_cache(home: object, damage: dict[str, Any]) -> None:
    catalog_cache.save(here(), SESSION, CATALOG)
    _write({**_file(), **damage})
    assert catalog_cache.load(here(), SESSION) is None
    assert catalog_cache.load_cached(here(), SESSION) is None


@pytest.mark.parametrize("column", catalog_cache.COLUMNS)
def test_a_cache_without_a_column_is_no_cache(home: object, column: str) -> None:
    catalog_cache.save(here(), SESSION, CATALOG)
    data = _file()
    del data[column]
    _write(data)
    assert catalog_cache.load(here(), SESSION) is None
