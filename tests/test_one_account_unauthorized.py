"""A 401 for one account while the login works (tests/other_center.py answers
UnauthorizedException to ListAccountRoles of one account, e.g. an account whose access was just
removed): the token file the AWS CLI shares is kept, the account is marked to retry, and the
rest of the catalog is listed. A 401 that ListAccounts confirms still means the token is dead.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tests.other_center import OtherCenter
from tests.other_center_support import logged_in_by
from tui.aws.session_choice import chosen_session
from tui.aws.token_cache import token_path

pytestmark = pytest.mark.usefixtures("quick_retries")

PROD = "111111111111"  # "Prod": Admin, ReadOnly
UNAUTHORIZED = (401, "UnauthorizedException")


@pytest.fixture(params=["direct", "botocore"])
def center(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, home: Home
) -> Iterator[OtherCenter]:
    """The other server, logged in to (no refresh token: a device-code login there)."""
    with logged_in_by(request.param, monkeypatch, home) as server:
        yield server


def _token_file() -> str:
    return token_path(here(), chosen_session(here())[0]).read_text()


def _pairs(center: OtherCenter, but: str = "") -> set[tuple[str, str]]:
    return {(a.account_id, r) for a in center.accounts if a.account_id != but for r in a.roles}


def test_a_401_for_one_accounts_roles_keeps_the_token_and_lists_the_rest(
    center: OtherCenter,
) -> None:
    # Before: "session other expired or was revoked: run `ssotui login`", the token file
    # (the AWS CLI's too) deleted, nothing listed.
    token = _token_file()
    center.role_failures = {PROD: UNAUTHORIZED}
    result = ssotui("list", "--json", "--refresh")
    assert result.status == 1
    assert {(r["accountId"], r["roleName"]) for r in json.loads(result.out)} == _pairs(
        center, but=PROD
    )
    assert _token_file() == token
    line = result.err.strip().splitlines()[-1]
    assert PROD in result.err and "401" in result.err
    assert "ssotui login" not in result.err and "expired" not in result.err, line
    # the account is asked again, and listed once the service answers for it
    center.role_failures = {}
    again = ssotui("list", "--json")
    assert (again.status, again.err) == (0, "")
    assert {(r["accountId"], r["roleName"]) for r in json.loads(again.out)} == _pairs(center)


def test_a_401_for_one_accounts_credentials_keeps_the_token(center: OtherCenter) -> None:
    assert ssotui("list", "--refresh").status == 0
    token = _token_file()
    center.busy["get_role_credentials"] = UNAUTHORIZED
    center.busy_times = 10
    result = ssotui("export", "Prod", "Admin")
    assert result.status == 1 and result.out == ""
    assert _token_file() == token
    assert "401" in result.err and "ssotui login" not in result.err, result.err
    assert len(result.err.strip().splitlines()) == 1


def test_a_401_that_list_accounts_confirms_is_a_lost_login(center: OtherCenter) -> None:
    center.tokens.clear()  # the sign-in ended at the service
    result = ssotui("list", "--json", "--refresh")
    assert result.status == 1
    assert "ssotui login" in result.err


@pytest.mark.parametrize("handler", ["list_accounts", "get_role_credentials"])
def test_a_401_without_identity_centers_error_name_keeps_the_login(
    center: OtherCenter, handler: str
) -> None:
    # A 401 no Identity Center sent (no UnauthorizedException anywhere: a proxy, a gateway):
    # botocore's SSO provider takes only UnauthorizedException for a lost login. Before:
    # "session other expired or was revoked: run `ssotui login`", and the token file deleted.
    assert ssotui("list").status == 0
    token = _token_file()
    center.busy[handler] = (401, "")
    center.busy_times = 10
    result = ssotui("export", "Prod", "Admin", "--refresh")
    assert result.status == 1
    assert "401" in result.err and "ssotui login" not in result.err, result.err
    assert len(result.err.strip().splitlines()) == 1
    assert _token_file() == token


def test_a_401_for_one_account_when_list_accounts_cannot_tell_keeps_the_token(
    center: OtherCenter,
) -> None:
    # ListAccounts, asked whether the login still works, fails itself (a 5xx): the line says
    # so (not that it worked), and nothing counts the login as lost.
    import os

    from tui.aws.portal import Portal
    from tui.aws.token_cache import load_token
    from tui.errors import NotLoggedIn, ServiceError

    session = chosen_session(here())[0]
    token = load_token(here(), session)
    assert token is not None
    center.role_failures = {PROD: UNAUTHORIZED}
    center.busy["list_accounts"] = (500, "InternalServerException")
    center.busy_times = 1000
    portal = Portal(session, token, environ=os.environ, deadline=5)
    with pytest.raises(ServiceError) as failed:
        portal.list_roles(PROD)
    assert not isinstance(failed.value, NotLoggedIn)
    assert "ListAccounts, asked whether the login still works, failed" in failed.value.message
