"""Members botocore's models call strings, sent by a second Identity Center
(`tests/other_center.py`) as other JSON types, through both portal clients.

botocore's parser keeps them as they came (a number stays a number, `true` a boolean), and so
does `aws sso list-accounts`' output; its own consumers then refuse them (parameter validation
when one is sent back, signing with a key that is no string). ssotui reads a number as its JSON
text (an account id 123456789012 is the one a user reads and types) and nothing else as text:
a boolean or an object is no id, role or key (an unreadable answer, one line), and no name or
e-mail either (none given). Was: each turned into text by Python's `str()`, "True".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home
from tests.other_center import OtherCenter
from tests.other_center_support import logged_in_by

pytestmark = pytest.mark.usefixtures("quick_retries")

PROD = "111111111111"  # "Prod", prod@example.com: Admin, ReadOnly


@pytest.fixture(params=["direct", "botocore"])
def center(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, home: Home
) -> Iterator[OtherCenter]:
    with logged_in_by(request.param, monkeypatch, home) as server:
        yield server


def _each(key: str, change: Callable[[dict[str, Any]], None]) -> Callable[[Any], Any]:
    """A rewrite of an answer: `change` applied to every item of its `key` list."""

    def rewrite(answer: dict[str, Any]) -> dict[str, Any]:
        for item in answer.get(key) or []:
            change(item)
        return answer

    return rewrite


def _prod_odd(item: dict[str, Any]) -> None:
    if item.get("accountId") == PROD:
        item.update(accountId=int(PROD), accountName=True, emailAddress=42)


def test_a_number_is_its_text_and_a_boolean_no_name(center: OtherCenter) -> None:
    center.rewrite["list_accounts"] = _each("accountList", _prod_odd)
    result = ssotui("list", "--json", "--refresh")
    assert result.status == 0, result.err
    rows = [row for row in json.loads(result.out) if row["accountId"] == PROD]
    assert {row["roleName"] for row in rows} == {"Admin", "ReadOnly"}
    # was "True": Python's word for a JSON true, no name anybody gave
    assert {(row["accountName"], row["emailAddress"]) for row in rows} == {("", "42")}
    assert ssotui("export", PROD, "Admin").status == 0


def test_a_role_name_that_is_no_string_is_an_unreadable_answer(center: OtherCenter) -> None:
    def odd_role(item: dict[str, Any]) -> None:
        if item.get("roleName") == "Admin":
            item["roleName"] = True

    center.rewrite["list_account_roles"] = _each("roleList", odd_role)
    result = ssotui("list", "--json", "--refresh")
    assert result.status == 1
    roles = {(row["accountId"], row["roleName"]) for row in json.loads(result.out)}
    assert not {role for _, role in roles} & {"True", "true"}  # was: a role "True"
    assert "unreadable ListAccountRoles answer" in result.err


def test_a_key_that_is_no_string_is_an_unreadable_answer(center: OtherCenter) -> None:
    def odd_key(answer: dict[str, Any]) -> dict[str, Any]:
        answer["roleCredentials"]["accessKeyId"] = True
        return answer

    assert ssotui("list").status == 0
    center.rewrite["get_role_credentials"] = odd_key
    result = ssotui("export", "Prod", "Admin")
    assert (result.status, result.out) == (1, "")  # was: export AWS_ACCESS_KEY_ID=True
    assert "unreadable GetRoleCredentials answer" in result.err


def _credentials_with(**members: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def rewrite(answer: dict[str, Any]) -> dict[str, Any]:
        creds = answer["roleCredentials"]
        answer["roleCredentials"] = {**creds, **members} if isinstance(creds, dict) else creds
        return answer

    return rewrite


@pytest.mark.parametrize(
    "rewrite",
    [
        # was "unexpected error (AttributeError)" through ssotui's own client
        pytest.param(lambda a: {**a, "roleCredentials": "x"}, id="credentials-a-string"),
        pytest.param(lambda a: {**a, "roleCredentials": [1]}, id="credentials-a-list"),
        # was "expired at 1970-01-01 ...: check this computer's clock"
        pytest.param(_credentials_with(expiration=True), id="expiration-a-boolean"),
        # was "failed for session other (ValueError)" through botocore
        pytest.param(_credentials_with(expiration="soon"), id="expiration-no-number"),
        # (seconds for milliseconds are read as seconds: tests/test_other_center_lifetimes.py)
    ],
)
def test_credentials_of_another_shape_are_an_unreadable_answer(
    center: OtherCenter, rewrite: Callable[[dict[str, Any]], dict[str, Any]]
) -> None:
    assert ssotui("list").status == 0
    center.rewrite["get_role_credentials"] = rewrite
    result = ssotui("export", "Prod", "Admin")
    assert (result.status, result.out) == (1, "")
    assert any(
        words in result.err
        for words in ("GetRoleCredentials answer", "cannot read", "with no usable expiry")
    ), result.err
    assert "unexpected" not in result.err and "clock" not in result.err
