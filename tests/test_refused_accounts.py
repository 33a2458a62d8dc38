"""An account Identity Center refuses (ListAccountRoles answers 403, 404 or 400 for it), at both
doors, through both portal clients, against the second Identity Center (`tests/other_center.py`).

The refusal is the service's answer about that account (an assignment removed between
ListAccounts and ListAccountRoles, an account being closed): the account is kept without roles
and with a note, `list` exits 0 with one warning line, `populate` writes every other profile and
names the account it skipped, and the picker shows the note instead of a failure to retry. A
failure that may pass (a 5xx past the retries) still marks the account to retry, as before.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.app_support import (
    SIZE,
    async_test,
    marks,
    notes,
    pane,
    picker,
    screen_name,
    shown,
    status_text,
    type_text,
    wait_until,
)
from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tests.other_center import OtherCenter
from tests.other_center_support import logged_in_by
from tui.app.app import SsotuiApp
from tui.aws.session_choice import chosen_session
from tui.store import catalog_cache

# The retries after a 5xx are the point here, not how long each waits (conftest).
pytestmark = pytest.mark.usefixtures("quick_retries")

PROD = "111111111111"  # "Prod": Admin, ReadOnly

REFUSALS = [
    pytest.param((403, "ForbiddenException"), "no access to its roles", id="403"),
    pytest.param((404, "ResourceNotFoundException"), "no access to its roles", id="404"),
    pytest.param(
        (400, "InvalidRequestException"), "Identity Center refused to list its roles", id="400"
    ),
]


@pytest.fixture(params=["direct", "botocore"])
def center(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, home: Home
) -> Iterator[OtherCenter]:
    """The other server, logged in to, reached with ssotui's portal client or botocore's."""
    with logged_in_by(request.param, monkeypatch, home) as server:
        yield server


def _pairs(center: OtherCenter, but: str = "") -> set[tuple[str, str]]:
    return {(a.account_id, r) for a in center.accounts if a.account_id != but for r in a.roles}


def _listed(out: str) -> set[tuple[str, str]]:
    return {(row["accountId"], row["roleName"]) for row in json.loads(out)}


@pytest.mark.parametrize(("refusal", "note"), REFUSALS)
def test_list_names_a_refused_account_once_and_exits_0(
    center: OtherCenter, refusal: tuple[int, str], note: str
) -> None:
    # Before: exit 1 on every run ("run `ssotui list` again to retry", which never helped), and
    # a 400 said "try `ssotui login --force`".
    center.role_failures = {PROD: refusal}
    result = ssotui("list", "--json", "--refresh")
    assert result.status == 0, result.err
    assert _listed(result.out) == _pairs(center, but=PROD)
    assert result.err == (
        f"ssotui: warning: account Prod ({PROD}): {note} ({refusal[1]}); left out until a "
        "refresh lists them\n"
    )
    assert "login" not in result.err and "again to retry" not in result.err
    # The next run reads the fresh cache: the same answer, and no call to ask it again.
    asked = center.calls["list_account_roles"]
    again = ssotui("list", "--json")
    assert (again.status, again.err) == (0, result.err)
    assert _listed(again.out) == _pairs(center, but=PROD)
    assert center.calls["list_account_roles"] == asked
    # Access given back: a refresh lists its roles again, and the warning is gone.
    center.role_failures = {}
    back = ssotui("list", "--json", "--refresh")
    assert (back.status, back.err) == (0, "")
    assert _listed(back.out) == _pairs(center)


def test_a_command_on_a_refused_account_says_what_identity_center_said(
    center: OtherCenter,
) -> None:
    center.role_failures = {PROD: (403, "ForbiddenException")}
    assert ssotui("list", "--refresh").status == 0
    result = ssotui("export", "Prod", "Admin")
    assert result.status == 1 and result.out == ""
    assert result.err == (
        f"ssotui: Prod ({PROD}): no access to its roles (ForbiddenException); ask your "
        "administrator, or try again with --refresh\n"
    )


def test_a_failure_that_may_pass_still_marks_the_account_and_exits_1(
    center: OtherCenter, home: Home
) -> None:
    home.config_dir.mkdir(parents=True, exist_ok=True)  # the 5xx retries give up within 3 s
    (home.config_dir / "config.toml").write_text("request_deadline = 3\n", encoding="utf-8")
    center.role_failures = {PROD: (500, "InternalServerException")}
    result = ssotui("list", "--json", "--refresh")
    assert result.status == 1
    assert _listed(result.out) == _pairs(center, but=PROD)
    assert f"the roles of account {PROD} could not be listed" in result.err
    assert "run `ssotui list` again to retry" in result.err and "warning" not in result.err
    dry = ssotui("populate", "--dry-run")
    assert dry.status == 1 and "could not be listed, so populate changed nothing" in dry.err
    center.role_failures = {PROD: (403, "ForbiddenException")}
    refused = ssotui("list", "--json")  # the fresh cache's failed account is asked again
    assert refused.status == 0 and "warning: account Prod" in refused.err
    center.role_failures = {}
    retried = ssotui("list", "--json", "--refresh")
    assert (retried.status, retried.err) == (0, "")
    assert _listed(retried.out) == _pairs(center)


def test_populate_writes_every_other_profile_and_names_the_refused_account(
    center: OtherCenter, home: Home
) -> None:
    first = ssotui("populate", "--region", "eu-west-1")
    assert first.status == 0, first.err
    config = home.aws_config.read_text()
    assert "[profile Prod.Admin]" in config and "[profile Prod.ReadOnly]" in config
    center.role_failures = {PROD: (404, "ResourceNotFoundException")}
    skipped = (
        f"ssotui: warning: skipped account Prod ({PROD}): no access to its roles "
        "(ResourceNotFoundException), so it gets no profiles\n"
    )
    dry = ssotui("populate", "--dry-run", "--region", "eu-west-1")
    assert dry.status == 0, dry.err
    assert dry.err.startswith(skipped)
    assert "-[profile Prod.Admin]" in dry.out and home.aws_config.read_text() == config
    wrote = ssotui("populate", "--region", "eu-west-1")
    assert wrote.status == 0, wrote.err
    assert wrote.err.startswith(skipped)
    assert "2 removed (Prod.Admin, Prod.ReadOnly)" in wrote.err
    after = home.aws_config.read_text()
    assert "Prod." not in after
    for account_id, role in _pairs(center, but=PROD):
        assert f"sso_account_id = {account_id}" in after and f"sso_role_name = {role}" in after


def test_an_older_cache_file_still_loads(center: OtherCenter) -> None:
    # A catalog cache written before `refused` existed: read as it was, none refused.
    assert ssotui("list", "--refresh").status == 0
    path = catalog_cache.cache_path(here(), chosen_session(here())[0])
    data = json.loads(path.read_text())
    del data["refused"]
    path.write_text(json.dumps(data))
    path.chmod(0o600)
    loaded = catalog_cache.load(here(), chosen_session(here())[0])
    assert loaded is not None and loaded.refused == {} and loaded.complete
    result = ssotui("list", "--json")
    assert (result.status, result.err) == (0, "")
    assert _listed(result.out) == _pairs(center)


def _loaded(app: SsotuiApp) -> bool:
    if screen_name(app) != "MainScreen":
        return False
    main: Any = app.screen
    return bool(shown(app, "accounts")) and not main.model.progress.loading


@async_test
async def test_the_picker_shows_the_refused_account_with_its_note(center: OtherCenter) -> None:
    center.role_failures = {PROD: (403, "ForbiddenException")}
    app = picker(refresh=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: _loaded(app), "the catalog")
        # not "!", a failure Enter retries (the rows are redrawn a moment after the model)
        await wait_until(pilot, lambda: marks(app, "accounts").get("Prod") == "⊘", "the mark")
        assert "failed" not in status_text(app)
        await type_text(pilot, "prod")
        await wait_until(
            pilot, lambda: [a.account_id for a in shown(app, "accounts")] == [PROD], "Prod"
        )
        roles = pane(app, "roles")
        await wait_until(pilot, lambda: "no access" in roles.row_list.placeholder, "the note")
        assert roles.row_list.placeholder == (
            "no access to its roles (ForbiddenException)\n(asked again at the next refresh, ctrl+r)"
        )
        assert shown(app, "roles") == []
        asked = center.calls["list_account_roles"]
        await pilot.press("enter")  # not a retry: the note again
        await wait_until(pilot, lambda: notes(app), "the note")
        assert notes(app) == ["Prod: no access to its roles (ForbiddenException)."]
        assert center.calls["list_account_roles"] == asked
        assert marks(app, "accounts")["Prod"] == "⊘"


@async_test
async def test_a_failed_account_retried_in_the_picker_and_refused_shows_the_note(
    center: OtherCenter, home: Home
) -> None:
    home.config_dir.mkdir(parents=True, exist_ok=True)  # the 5xx retries give up within 3 s
    (home.config_dir / "config.toml").write_text("request_deadline = 3\n", encoding="utf-8")
    center.role_failures = {PROD: (500, "InternalServerException")}
    app = picker(refresh=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: _loaded(app), "the catalog", timeout=15)
        # the rows are redrawn a moment after the model (they showed "…" under load)
        await wait_until(pilot, lambda: marks(app, "accounts").get("Prod") == "!", "the failure")
        center.role_failures = {PROD: (404, "ResourceNotFoundException")}
        await type_text(pilot, "prod")
        await wait_until(
            pilot, lambda: [a.account_id for a in shown(app, "accounts")] == [PROD], "Prod"
        )
        await pilot.press("enter")  # a failure: Enter retries it, and it is refused
        await wait_until(pilot, lambda: marks(app, "accounts").get("Prod") == "⊘", "the mark")
        await wait_until(
            pilot,
            lambda: "no access to its roles (ResourceNotFoundException)." in notes(app),
            "the note",
        )
        assert pane(app, "roles").row_list.placeholder.startswith(
            "no access to its roles (ResourceNotFoundException)\n"
        )
    saved = catalog_cache.load(here(), chosen_session(here())[0])
    assert saved is not None and not saved.failed and saved.complete
    assert saved.refused == {PROD: "no access to its roles (ResourceNotFoundException)"}


@pytest.mark.parametrize(
    ("failure", "before", "role", "advice"),
    [
        pytest.param((400, "OddException"), False, "Admin", "try again later", id="failed"),
        pytest.param(
            (403, "ForbiddenException"), False, "Admin", "ask your administrator", id="refused"
        ),
        pytest.param((400, "OddException"), True, "NewRole", "try again later", id="partial"),
    ],
)
def test_advice_after_refresh_names_no_refresh(
    center: OtherCenter, failure: tuple[int, str], before: bool, role: str, advice: str
) -> None:
    # Before: "...; try again with --refresh" (or "try --refresh") to a user who gave it.
    if before:  # the roles known before: shown, but perhaps not all of them
        assert ssotui("list").status == 0
    center.role_failures = {PROD: failure}
    result = ssotui("export", "Prod", role, "--refresh")
    assert (result.status, result.out) == (1, "")
    assert "--refresh" not in result.err and advice in result.err, result.err
    assert len(result.err.splitlines()) == 1


def test_a_refresh_whose_every_listing_failed_names_no_refresh(center: OtherCenter) -> None:
    # Not one account's roles answered: the catalog keeps its former age, and the line said
    # "(the catalog was cached 0 s ago: add --refresh ...)" to a user who gave it.
    assert ssotui("list").status == 0
    center.busy = {"list_account_roles": (400, "OddException")}
    center.busy_times = 1000
    result = ssotui("export", "Prod", "NewRole", "--refresh")
    assert (result.status, result.out) == (1, "")
    assert "--refresh" not in result.err and "try again later" in result.err, result.err
