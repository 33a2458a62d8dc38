"""ssotui against a second Identity Center (`tests/other_center.py`), not our simulator.

That server takes the freedoms botocore's `sso` and `sso-oidc` models leave a conforming
implementation (short pages whatever `max_result` says, page tokens with `+/=`, an empty token
on the last page, missing or null optional members, unknown members, other error encodings and
HTTP framings, a device authorization without `interval` or `verificationUriComplete`). What a
user does is run through `ssotui` itself; boto3 over the same server checks the server.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tests.other_center import REGION, OtherAccount, OtherCenter
from tests.other_center_support import reached
from tui.aws import clients
from tui.aws.catalog import fetch_catalog
from tui.aws.catalog_events import AccountsPage, CatalogEvent, RolesLoaded
from tui.aws.endpoints import CHOICE_VAR
from tui.aws.login import login
from tui.aws.portal import Portal
from tui.aws.session_choice import chosen_session
from tui.aws.token_cache import load_registration, load_token, save_token
from tui.errors import LoginFailed
from tui.models import SsoSession, Token, utcnow
from tui.store import catalog_cache

# The retries after a 5xx are the point here, not how long each waits (conftest).
pytestmark = pytest.mark.usefixtures("quick_retries")


@pytest.fixture
def center(monkeypatch: pytest.MonkeyPatch, home: Home) -> Iterator[OtherCenter]:
    """The other server, reached through the endpoint variables, with an `other` session."""
    with reached(OtherCenter(), monkeypatch, home) as server:
        yield server


@pytest.fixture
def other(center: OtherCenter) -> SsoSession:
    return chosen_session(here())[0]


@pytest.fixture
def logged_in(other: SsoSession) -> Token:
    """Logged in in this process (the CLI's device login waits the default 5 s interval)."""
    return login(here(), other, announce=lambda _a: None, sleep=lambda _s: None)


@pytest.fixture(params=["direct", "botocore"])
def client_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Once with ssotui's own portal client, once with botocore's."""
    if request.param == "botocore":
        monkeypatch.setenv(CHOICE_VAR, "botocore")
    else:
        monkeypatch.delenv(CHOICE_VAR, raising=False)
    clients.clear_cache()
    return str(request.param)


def _pairs(center: OtherCenter) -> set[tuple[str, str]]:
    return {(a.account_id, r) for a in center.accounts for r in a.roles}


def _listed(out: str) -> set[tuple[str, str]]:
    rows = json.loads(out)
    return {(row["accountId"], row["roleName"]) for row in rows}


def test_a_user_session_end_to_end(center: OtherCenter, home: Home) -> None:
    # polled at once: a login without `interval` waits 5 s, as the slow-down test below shows
    center.device_interval = 0
    result = ssotui("login", "--use-device-code", "--no-browser")
    assert result.status == 0, result.err
    assert "OTHR-" in result.err and center.base + "/device" in result.err
    # no verificationUriComplete: nothing claims a link that fills in the code
    assert "fills in the code" not in result.err

    listed = ssotui("list", "--json")
    assert listed.status == 0, listed.err
    assert _listed(listed.out) == _pairs(center)
    nameless = [row for row in json.loads(listed.out) if row["accountId"] == "222222222222"]
    assert nameless[0]["roleName"] == "Ops+Dev=1,2.x@y-z" and nameless[0]["emailAddress"] == ""
    # pages of 1-3 items, tokens with "+/=" sent back intact
    pages = [t for m, t in center.requests if "/assignment/accounts" in t]
    assert len(pages) == 4 and all("%2B" in t and "%3D%3D" in t for t in pages[1:])

    exported = ssotui("export", "222222222222", "ops+dev=1,2.x@y-z", "--format", "json")
    assert exported.status == 0, exported.err
    assert json.loads(exported.out)["AccessKeyId"].startswith("ASIAOTHER")

    assert ssotui("write-profile", "Staging", "Dev", "--profile", "picked").status == 0
    creds = boto3.Session(profile_name="picked").get_credentials()
    assert creds is not None and creds.get_frozen_credentials().access_key.startswith("ASIAOTHER")

    # botocore itself works with the token ssotui cached, over the same quirky server
    home.write_config(
        home.aws_config.read_text()
        + "\n[profile sso]\nsso_session = other\nsso_account_id = 555555555555\n"
        "sso_role_name = Admin\nregion = eu-west-3\n"
    )
    from_cache = boto3.Session(profile_name="sso").get_credentials()
    assert from_cache is not None
    assert from_cache.get_frozen_credentials().access_key.startswith("ASIAOTHER")

    out = ssotui("logout")
    assert out.status == 0, out.err
    assert center.calls["logout"] == 1 and not center.tokens
    assert ssotui("list").status == 1


@pytest.mark.parametrize("last_token", ["", None, "omit"])
def test_null_and_empty_members_are_absent_ones(
    center: OtherCenter, logged_in: Token, client_kind: str, last_token: str | None
) -> None:
    center.nulls = True  # "accountName": null, "roleList": null (an account without roles), ...
    center.last_token = last_token
    result = ssotui("list", "--json", "--refresh")
    assert result.status == 0, result.err
    assert _listed(result.out) == _pairs(center)


@pytest.mark.parametrize("nulls", [False, True], ids=["left-out", "null"])
def test_a_nameless_account_has_no_name_in_json_and_its_id_where_people_read(
    center: OtherCenter, logged_in: Token, client_kind: str, nulls: bool, home: Home
) -> None:
    center.nulls = nulls
    listed = ssotui("list", "--json", "--refresh")
    assert listed.status == 0, listed.err
    rows = {row["accountId"]: row for row in json.loads(listed.out)}
    # what the service gave: no name, no e-mail ("" as emailAddress always was: a string
    # for every script, and `jq -r` prints no "null" that reads like a name)
    assert (rows["222222222222"]["accountName"], rows["222222222222"]["emailAddress"]) == ("", "")
    assert (rows["333333333333"]["accountName"], rows["333333333333"]["emailAddress"]) == (
        "Staging",
        "",
    )
    # a person still reads the id where the name would be: the list, prompts, profile names
    human = ssotui("list").out.splitlines()
    assert "222222222222  222222222222" in human[0]
    exported = ssotui("export", "222222222222", "ops+dev=1,2.x@y-z")
    assert exported.status == 0, exported.err
    assert "export SSOTUI_ACCOUNT_NAME=222222222222\n" in exported.out
    assert ssotui("populate").status == 0
    assert "[profile 222222222222.Ops+Dev-1-2.x@y-z]" in home.aws_config.read_text()


@pytest.mark.parametrize("nulls", [False, True], ids=["left-out", "null"])
def test_an_entry_without_an_account_id_or_role_name_is_passed_over(
    center: OtherCenter, logged_in: Token, client_kind: str, nulls: bool
) -> None:
    # every member of AccountInfo and RoleInfo is optional in botocore's model
    center.nulls = nulls
    center.accounts.append(OtherAccount("", "No id", None, ["Admin"]))
    center.accounts[0].roles.append("")  # a RoleInfo with an accountId and no roleName
    result = ssotui("list", "--json", "--refresh")
    # was: "Identity Center sent an unreadable ListAccounts answer", and no account at all
    assert result.status == 0, result.err
    assert _listed(result.out) == {pair for pair in _pairs(center) if all(pair)}
    assert ssotui("export", "Prod", "Admin").status == 0


def test_an_account_id_of_another_shape_names_its_account(
    center: OtherCenter, logged_in: Token
) -> None:
    # AccountIdType is any string in the model; a nameless account has only its id to go by
    center.accounts += [
        OtherAccount("12345", None, None, ["Admin"]),
        OtherAccount("0123456789012", "Thirteen", None, ["Dev"]),
    ]
    assert "12345  12345" in ssotui("list", "--refresh").out
    for account, role in [("12345", "Admin"), ("0123456789012", "Dev")]:
        exported = ssotui("export", account, role)
        # was: "no account matches '12345'", for an account `ssotui list` had just shown
        assert exported.status == 0, exported.err
        assert f"export SSOTUI_ACCOUNT_ID={account}\n" in exported.out


def test_empty_pages_are_read_past_but_an_endless_run_of_them_is_stopped(
    center: OtherCenter, logged_in: Token, other: SsoSession
) -> None:
    center.page_sizes = (0, 2, 0, 0, 1)  # a page may hold nothing and still have a next one
    listed = ssotui("list", "--json", "--refresh")
    assert listed.status == 0, listed.err
    assert _listed(listed.out) == _pairs(center)
    kept = catalog_cache.cache_path(here(), other).read_bytes()
    center.page_sizes = (0,)  # nothing, ever, but always another page
    center.calls.clear()
    endless = ssotui("list", "--refresh")
    # was: 2,000 pages (90 s here, minutes from a real service) of nothing on the screen
    assert endless.status == 1 and endless.err.count("\n") == 1, endless.err
    assert "pages in a row of ListAccounts that listed nothing new" in endless.err
    assert "try again" in endless.err
    assert center.calls["list_accounts"] <= 50
    assert catalog_cache.cache_path(here(), other).read_bytes() == kept  # the last catalog kept


def test_a_large_organisation_sent_one_account_a_page_is_listed_whole(
    center: OtherCenter, logged_in: Token, other: SsoSession
) -> None:
    # the model lets a service send fewer items than asked: 2,500 accounts are 2,500 pages
    center.accounts = [OtherAccount(f"{n:012d}", f"a{n}", None) for n in range(2_500)]
    center.page_sizes = (1,)
    portal = Portal(other, logged_in, environ=os.environ)
    listed = [account.account_id for page in portal.list_accounts() for account in page]
    assert listed == [account.account_id for account in center.accounts]


@pytest.mark.parametrize("framing", ["close_every_answer", "chunked", "http10"])
def test_other_http_framings(
    center: OtherCenter, logged_in: Token, client_kind: str, framing: str
) -> None:
    setattr(center, framing, True)
    result = ssotui("list", "--json", "--refresh")
    assert result.status == 0, result.err
    assert _listed(result.out) == _pairs(center)
    exported = ssotui("export", "Prod", "Admin")
    assert exported.status == 0, exported.err
    assert "AWS_SESSION_TOKEN=other/" in exported.out
    assert ssotui("logout").status == 0 and not center.tokens


@pytest.mark.parametrize("style", ["header", "type"])
def test_errors_named_in_the_header_or_in_type_only(
    center: OtherCenter, logged_in: Token, client_kind: str, style: str
) -> None:
    center.error_style = style
    assert ssotui("list").status == 0
    center.accounts[0].roles.remove("ReadOnly")  # unassigned since the catalog was fetched
    denied = ssotui("export", "Prod", "ReadOnly")
    assert denied.status == 1 and denied.out == ""
    assert "no access to role ReadOnly in account Prod" in denied.err
    center.tokens.clear()  # revoked at the service
    revoked = ssotui("export", "Prod", "Admin")
    assert revoked.status == 1 and "Traceback" not in revoked.err
    assert "ssotui login" in revoked.err


def test_an_account_listed_twice_is_one_account(
    center: OtherCenter, other: SsoSession, logged_in: Token
) -> None:
    center.duplicate_accounts = True  # again on the next page
    center.repeat_in_page = True  # and twice on one page
    events: list[CatalogEvent] = []
    catalog = fetch_catalog(other, logged_in, on_event=events.append, environ=os.environ)
    ids = [a.account_id for a in catalog.accounts]
    assert sorted(ids) == sorted(a.account_id for a in center.accounts)
    paged = [a.account_id for e in events if isinstance(e, AccountsPage) for a in e.accounts]
    assert sorted(paged) == sorted(ids)  # each account announced once
    loaded = [e.account_id for e in events if isinstance(e, RolesLoaded)]
    assert sorted(loaded) == sorted(ids)  # and its roles listed once
    role_pages = sum(1 for _m, t in center.requests if "/assignment/roles" in t)
    assert role_pages == len(center.accounts) + 1  # Staging's three roles take two pages


def test_device_login_without_interval_and_with_slow_down(
    center: OtherCenter, other: SsoSession
) -> None:
    center.slow_down_first_poll = True
    center.polls_before_approval = 2
    waits: list[float] = []
    token = login(here(), other, announce=lambda _a: None, sleep=waits.append)
    assert token.access_token.startswith("ot-") and token.refresh_token is None
    assert waits == [5, 10, 10]  # the default interval, then 5 s more for good (RFC 8628)


def test_a_registration_the_service_forgot_is_replaced(
    center: OtherCenter, other: SsoSession, logged_in: Token
) -> None:
    first = load_registration(here(), other)
    center.forget_clients()  # a restart: the cached registration is unknown there now
    login(here(), other, force=True, announce=lambda _a: None, sleep=lambda _s: None)
    second = load_registration(here(), other)
    assert first is not None and second is not None and second.client_id != first.client_id
    assert center.calls["register_client"] == 2


def test_a_client_refused_while_the_code_is_polled_is_one_line_and_registered_anew(
    center: OtherCenter, other: SsoSession, logged_in: Token
) -> None:
    """The service refuses the client's secret once the code is shown (it expired early, was
    revoked): nothing in the user's config is wrong, and the next login registers anew."""

    def rotate(answer: dict[str, object]) -> dict[str, object]:
        for client_id in center.clients:
            center.clients[client_id] = "rotated"
        return answer

    center.rewrite["start_device_authorization"] = rotate
    with pytest.raises(LoginFailed) as refused:
        login(here(), other, force=True, announce=lambda _a: None, sleep=lambda _s: None)
    assert "InvalidClientException" in refused.value.message
    assert "ssotui login" in refused.value.message
    assert "sso_start_url" not in refused.value.message
    assert load_registration(here(), other) is None
    del center.rewrite["start_device_authorization"]
    login(here(), other, force=True, announce=lambda _a: None, sleep=lambda _s: None)
    assert center.calls["register_client"] == 2


def test_a_login_code_the_service_no_longer_knows_is_one_line_to_log_in_again(
    center: OtherCenter, other: SsoSession
) -> None:
    """CreateToken answers InvalidGrantException to the device code (the service dropped it,
    or it was redeemed already): the line says to log in again, not to check the config."""

    def drop_codes(answer: dict[str, object]) -> dict[str, object]:
        center.devices.clear()
        return answer

    center.rewrite["start_device_authorization"] = drop_codes
    with pytest.raises(LoginFailed) as refused:
        login(here(), other, announce=lambda _a: None, sleep=lambda _s: None)
    assert "InvalidGrantException" in refused.value.message
    assert "ssotui login" in refused.value.message
    assert "sso_start_url" not in refused.value.message


def test_the_server_is_right_for_botocore(center: OtherCenter, logged_in: Token) -> None:
    """The server's answers, read by botocore's own paginator (a check of the helper)."""
    client = boto3.client("sso", region_name=REGION, config=Config(signature_version=UNSIGNED))
    pages = client.get_paginator("list_accounts").paginate(accessToken=logged_in.access_token)
    listed = [a["accountId"] for page in pages for a in page["accountList"]]
    assert listed == [a.account_id for a in center.accounts]


def test_a_refusal_nothing_else_explains_shows_the_services_words_masked(
    center: OtherCenter, logged_in: Token, client_kind: str
) -> None:
    """A 400 InvalidRequestException for GetRoleCredentials said only its name; the service's
    message says what it took amiss. It is shown in one line, any known secret masked (an
    endpoint may echo the token), control characters replaced."""
    del client_kind
    account = center.accounts[0]
    center.busy, center.busy_times = {"get_role_credentials": (400, "InvalidRequestException")}, 9
    center.busy_message = f"role name\x1b[31m not valid for token {logged_in.access_token}"
    result = ssotui("export", account.account_id, account.roles[0])
    assert result.status == 1 and result.err.count("\n") == 1, result.err
    assert "(InvalidRequestException: role name" in result.err, result.err
    assert "not valid for token" in result.err and logged_in.access_token not in result.err
    assert "\x1b" not in result.err


@pytest.mark.parametrize("operation", ["register_client", "start_device_authorization"])
def test_a_busy_service_at_login_says_wait_not_check_the_config(
    center: OtherCenter, operation: str
) -> None:
    center.busy = {operation: (400, "SlowDownException")}  # both in the model's errors
    result = ssotui("login", "--use-device-code", "--no-browser")
    assert result.status == 1 and "Traceback" not in result.err
    assert "SlowDownException" in result.err and "wait a minute" in result.err
    assert "sso_start_url" not in result.err
    assert center.calls[operation] == 1


@pytest.mark.parametrize("answer", [(500, ""), (503, "ServiceUnavailable"), (502, "")])
def test_a_failing_service_at_login_says_try_later_not_check_the_config(
    center: OtherCenter, answer: tuple[int, str]
) -> None:
    """A 5xx past botocore's retries, with or without an error name, is the service failing:
    it said "Identity Center refused RegisterClient (500): check the session's sso_start_url"."""
    center.busy, center.busy_times = {"register_client": answer}, 20
    result = ssotui("login", "--use-device-code", "--no-browser")
    assert result.status == 1 and "Traceback" not in result.err
    assert result.err.count("\n") == 1, result.err
    assert f"HTTP {answer[0]}" in result.err and "try again" in result.err, result.err
    assert "sso_start_url" not in result.err and "refused" not in result.err


@pytest.mark.parametrize(
    ("answer", "times"),
    [((400, "SlowDownException"), 1), ((429, "RateExceeded"), 3)],  # botocore retries a 429
    ids=["slow-down", "429"],
)
def test_a_busy_answer_to_a_refresh_keeps_the_session(
    center: OtherCenter, other: SsoSession, answer: tuple[int, str], times: int
) -> None:
    # An expired token (a laptop that slept) and a service that answers a refresh "not now":
    # ssotui deleted the token, so `ssotui login` was needed, by the AWS CLI too.
    center.refresh_tokens = True
    token = login(here(), other, announce=lambda _a: None, sleep=lambda _s: None)
    save_token(here(), other, replace(token, expires_at=utcnow() - timedelta(minutes=5)))
    center.busy, center.busy_times = {"create_token": answer}, times
    busy = ssotui("list")
    assert busy.status == 1 and busy.err.count("\n") == 1 and "Traceback" not in busy.err
    assert "try again later" in busy.err and "ssotui login" not in busy.err
    assert load_token(here(), other) is not None  # kept for the next try
    listed = ssotui("list")
    assert listed.status == 0, listed.err
    assert center.calls["create_token"] == 1 + times + 1  # the login, the busy ones, the refresh


@pytest.mark.parametrize(
    ("operation", "command", "again"),
    [
        ("list_accounts", ("list", "--refresh"), ("list", "--refresh")),
        ("list_account_roles", ("list", "--refresh"), ("list", "--refresh")),
        ("get_role_credentials", ("export", "Prod", "Admin"), ("export", "Data", "Analyst")),
    ],
)
def test_an_answer_reset_half_way_is_asked_again_and_one_line_when_it_keeps_on(
    center: OtherCenter,
    logged_in: Token,
    client_kind: str,
    operation: str,
    command: tuple[str, ...],
    again: tuple[str, ...],
) -> None:
    center.cut_bodies = {operation: 1}  # half the body, then a reset
    once = ssotui(*command)
    assert once.status == 0 and once.err == "", once.err
    assert center.calls["cut:" + operation] == 1
    center.cut_bodies = {operation: 100}
    always = ssotui(*again)
    assert always.status == 1 and always.err.count("\n") == 1, always.err
    assert "connection to Identity Center" in always.err and "again" in always.err


def _credentials(**members: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A GetRoleCredentials answer with `members` of its roleCredentials changed."""
    return lambda answer: {"roleCredentials": {**answer["roleCredentials"], **members}}


@pytest.mark.parametrize(
    "members",
    [{"expiration": "2026-12-31T00:00:00Z"}, {"expiration": "1.5e12"}, {"expiration": [1]}],
    ids=["date", "float-text", "list"],
)
def test_an_expiration_that_is_no_number_is_an_unreadable_answer_with_either_client(
    center: OtherCenter, logged_in: Token, client_kind: str, members: dict[str, Any]
) -> None:
    """botocore's parser fails on it with a ValueError of its own: the line said
    "role Admin in account Prod (111111111111) failed for session other (ValueError)"."""
    center.rewrite["get_role_credentials"] = _credentials(**members)
    run = ssotui("export", "Prod", "Admin")
    assert run.status == 1 and run.out == "", run.out
    assert run.err.count("\n") == 1 and run.err.endswith(": try again later\n"), run.err
    # the direct client's words, or those for an answer botocore's model does not fit
    assert "unreadable GetRoleCredentials answer" in run.err or "cannot read" in run.err
    assert "Error" not in run.err


@pytest.mark.parametrize("member", ["accessKeyId", "secretAccessKey", "sessionToken"])
def test_credentials_with_an_empty_key_run_nothing_as_someone_else(
    center: OtherCenter, logged_in: Token, client_kind: str, home: Home, member: str
) -> None:
    """An empty AWS_ACCESS_KEY_ID is no credentials to botocore, which then took the next in
    its chain (here the static keys of [default]) and the command ran as another identity."""
    home.aws_credentials.write_text(
        "[default]\naws_access_key_id = AKIASTATICDEFAULT\naws_secret_access_key = s\n"
    )
    center.rewrite["get_role_credentials"] = _credentials(**{member: ""})
    script = "import botocore.session as s; print(s.Session().get_credentials().access_key)"
    run = ssotui("exec", "Prod", "Admin", "--", sys.executable, "-c", script)
    assert run.status == 1 and run.out == "", run.out  # nothing ran
    assert run.err.count("\n") == 1 and "try again later" in run.err, run.err
    assert member in run.err


@pytest.mark.parametrize("access_token", ["", " ", " ot-a", "ot-a\nb", "ot-\x00", "ot-账户"])
def test_an_access_token_no_request_can_carry_is_an_unreadable_login(
    center: OtherCenter, access_token: str
) -> None:
    """It was cached: "Logged in", then every command failed ("ListAccounts failed (ValueError)",
    "expired or was revoked: run `ssotui login`") and `ssotui login` said "Already logged in",
    or logged in to the same end."""
    center.device_interval = 0
    center.rewrite["create_token"] = lambda answer: {**answer, "accessToken": access_token}
    run = ssotui("login", "--use-device-code", "--no-browser")
    assert run.status == 1, run.err
    assert run.err.splitlines()[-1] == (
        "ssotui: Identity Center sent an unreadable CreateToken answer for session other: "
        "try again later"
    )
    listed = ssotui("list")
    assert listed.status == 1 and "not logged in to session other" in listed.err, listed.err


def test_answers_after_a_byte_order_mark_are_read_by_either_client(
    center: OtherCenter, logged_in: Token, client_kind: str, home: Home
) -> None:
    """RFC 8259 lets a parser ignore a BOM; ssotui's own client did, botocore's parser read the
    answer as no JSON at all: "no accounts", and `populate` removed every profile."""
    assert ssotui("populate").status == 0
    written = home.aws_config.read_text()
    center.bom = True  # on every answer, OIDC's too
    listed = ssotui("list", "--json", "--refresh")
    assert listed.status == 0, listed.err
    assert _listed(listed.out) == _pairs(center)
    populated = ssotui("populate")
    assert populated.status == 0, populated.err
    assert home.aws_config.read_text() == written
    center.tokens.clear()  # revoked: the refusal's name is read after a BOM too
    refused = ssotui("export", "Prod", "Admin")
    assert refused.status == 1 and "ssotui login" in refused.err, refused.err
    center.device_interval, center.error_style = 0, "type"  # and SSO OIDC's answers
    assert ssotui("login", "--use-device-code", "--no-browser").status == 0
    assert ssotui("export", "Prod", "Admin").status == 0


def test_a_renewed_token_refused_too_is_dropped_so_that_login_logs_in(center: OtherCenter) -> None:
    """A portal that refuses every token (revoked at once; or a proxy that drops the
    x-amz-sso_bearer_token header) after a 401 and a refresh: the line said "run `ssotui
    login`", and `ssotui login` said "Already logged in" with the refreshed token it kept."""
    center.device_interval, center.refresh_tokens = 0, True
    assert ssotui("login", "--use-device-code", "--no-browser").status == 0
    center.revoke_after = 0  # every token ends at the next listing
    listed = ssotui("list", "--refresh")
    assert listed.status == 1 and listed.err.endswith("run `ssotui login`\n"), listed.err
    # the circle a proxy that drops the token's header makes is named
    assert "even just after renewing it" in listed.err
    assert "x-amz-sso_bearer_token header" in listed.err, listed.err
    assert center.calls["create_token"] == 2  # the login, then the refresh after the 401
    center.revoke_after = None
    again = ssotui("login", "--use-device-code", "--no-browser")
    assert again.status == 0 and "Already logged in" not in again.err, again.err
    assert center.calls["create_token"] == 3
    assert ssotui("list").status == 0
