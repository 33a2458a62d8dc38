"""Each error botocore's model declares for GetRoleCredentials, ListAccounts and ListAccountRoles
(UnauthorizedException 401, InvalidRequestException 400, ResourceNotFoundException 404,
TooManyRequestsException 429), and an undeclared 400 and 403, at the doors that meet them
(`credential-process`, `export`, `list --refresh`), through both portal clients, against the
second Identity Center (`tests/other_center.py`).

Each ends in one line that says what happened and advises what helps: logging in again
(`ssotui login`) only for a 401, the one answer about the token, and for a 401 about one
account only when ListAccounts answers 401 too.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.app_support import log_in
from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tests.other_center import OtherCenter
from tests.other_center_support import reached
from tui.aws import clients
from tui.aws.endpoints import CHOICE_VAR
from tui.aws.session_choice import chosen_session

# The retries after a 5xx are the point here, not how long each waits (conftest).
pytestmark = pytest.mark.usefixtures("quick_retries")

SAID = "the service said this"
ROLE = "role Admin in account Prod (111111111111)"
LATER = "try again later, and report it if it persists"


@pytest.fixture(params=["direct", "botocore"])
def center(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, home: Home
) -> Iterator[OtherCenter]:
    """The other server, logged in to, its catalog cached, reached with either portal client;
    the 5xx and 429 retries end within 1 s."""
    if request.param == "botocore":
        monkeypatch.setenv(CHOICE_VAR, "botocore")
    else:
        monkeypatch.delenv(CHOICE_VAR, raising=False)
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "config.toml").write_text("request_deadline = 1\n", encoding="utf-8")
    clients.clear_cache()
    with reached(OtherCenter(), monkeypatch, home) as server:
        log_in(chosen_session(here())[0])
        assert ssotui("list").status == 0
        server.busy_times = 1000  # every call, past any retry
        server.busy_message = SAID
        yield server


CREDENTIALS = [
    pytest.param(  # ListAccounts still works: about this account, not the login
        (401, "UnauthorizedException"),
        f"Identity Center answered 401 (unauthorized) to {ROLE} while ListAccounts still "
        "worked (session other): try again later, and if it persists ask your administrator "
        "about your access to that account",
        id="401",
    ),
    pytest.param(
        (400, "InvalidRequestException"),
        f"Identity Center refused {ROLE} as an invalid request (InvalidRequestException: {SAID}) "
        "for session other: run `ssotui list --refresh` to check",
        id="400-invalid",
    ),
    pytest.param(
        (404, "ResourceNotFoundException"),
        f"no access to {ROLE}: the permission set is not (or no longer) assigned to you; ask "
        "your administrator, or run `ssotui list --refresh`",
        id="404",
    ),
    pytest.param(
        (429, "TooManyRequestsException"),
        f"Identity Center kept throttling {ROLE} (HTTP 429) for 1 s (session other): wait a "
        "minute and try again",
        id="429",
    ),
    pytest.param(
        (400, "OddException"),
        f"Identity Center refused {ROLE} (OddException: {SAID}) for session other: {LATER}",
        id="400-undeclared",
    ),
    pytest.param(
        (403, "AccessDeniedException"),
        f"no access to {ROLE}: the permission set is not (or no longer) assigned to you; ask "
        "your administrator, or run `ssotui list --refresh`",
        id="403-undeclared",
    ),
]


@pytest.mark.parametrize(("answer", "line"), CREDENTIALS)
@pytest.mark.parametrize("door", [("credential-process",), ("export",)], ids=["process", "export"])
def test_role_credentials_refused(
    center: OtherCenter, answer: tuple[int, str], line: str, door: tuple[str, ...]
) -> None:
    # Before: a 400 (InvalidRequestException, or any undeclared one) said "try `ssotui login
    # --force`", which gets the same answer.
    center.busy = {"get_role_credentials": answer}
    result = ssotui(*door, "Prod", "Admin")
    assert (result.status, result.out) == (1, "")
    assert result.err == f"ssotui: {line}\n"
    assert "login" not in line


ACCOUNTS = [
    pytest.param(
        (401, "UnauthorizedException"),
        "session other expired or was revoked: run `ssotui login`",
        id="401",
    ),
    pytest.param(
        (400, "InvalidRequestException"),
        f"Identity Center refused ListAccounts (InvalidRequestException: {SAID}) for session "
        f"other: {LATER}",
        id="400-invalid",
    ),
    pytest.param(
        (404, "ResourceNotFoundException"),
        f"Identity Center refused ListAccounts (ResourceNotFoundException: {SAID}) for session "
        "other: check that its sso_start_url and sso_region are your organisation's, or ask "
        "your administrator whether your user may use the access portal",
        id="404",
    ),
    pytest.param(
        (429, "TooManyRequestsException"),
        "Identity Center kept throttling ListAccounts (HTTP 429) for 1 s (session other): wait "
        "a minute and try again",
        id="429",
    ),
    pytest.param(
        (400, "OddException"),
        f"Identity Center refused ListAccounts (OddException: {SAID}) for session other: {LATER}",
        id="400-undeclared",
    ),
    pytest.param(
        (403, "AccessDeniedException"),
        "{base}/portal answered HTTP 403 (AccessDeniedException: the service said this) to "
        "ListAccounts, not like Identity Center: check the sso_region of session other and any "
        "endpoint override",
        id="403-undeclared",
    ),
]


@pytest.mark.parametrize(("answer", "line"), ACCOUNTS)
def test_list_accounts_refused(center: OtherCenter, answer: tuple[int, str], line: str) -> None:
    # Before: a 400 said "try `ssotui login --force`", a 404 "no access to ListAccounts
    # (session other)" and no more, a 403 left out the error the service named.
    center.busy = {"list_accounts": answer}
    result = ssotui("list", "--refresh")
    assert (result.status, result.out) == (1, "")
    assert result.err == f"ssotui: {line.format(base=center.base)}\n"
    assert ("login" in result.err) == (answer[0] == 401)


def test_list_account_roles_undeclared_400_is_no_reason_to_log_in(center: OtherCenter) -> None:
    # Before: "... try `ssotui login --force`); run `ssotui list` again to retry".
    center.busy = {"list_account_roles": (400, "OddException")}
    result = ssotui("list", "--refresh")
    assert result.status == 1
    assert result.err.startswith("ssotui: the roles of 7 accounts (")
    assert f"(OddException: {SAID}) for session other: {LATER}); run `ssotui list`" in result.err
    assert "login" not in result.err


def test_list_account_roles_401_while_list_accounts_works_is_no_reason_to_log_in(
    center: OtherCenter,
) -> None:
    # Before: "session other expired or was revoked: run `ssotui login`", and a login got the
    # same answer again (tests/test_one_account_unauthorized.py: the token file was deleted).
    center.busy = {"list_account_roles": (401, "UnauthorizedException")}
    result = ssotui("list", "--refresh")
    assert result.status == 1  # the roles listed before are shown
    assert result.err.startswith("ssotui: the roles of 7 accounts (")
    assert "answered 401 (unauthorized) to the roles of account" in result.err
    assert "login" not in result.err


def test_role_credentials_401_that_list_accounts_confirms_says_to_log_in(
    center: OtherCenter,
) -> None:
    center.busy = {
        "get_role_credentials": (401, "UnauthorizedException"),
        "list_accounts": (401, "UnauthorizedException"),
    }
    result = ssotui("export", "Prod", "Admin")
    assert (result.status, result.out) == (1, "")
    assert result.err == "ssotui: session other expired or was revoked: run `ssotui login`\n"
