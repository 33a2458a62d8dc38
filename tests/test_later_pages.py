"""A later page of a listing refused (an error botocore's `sso` model declares for ListAccounts
and ListAccountRoles), at every door, through both portal clients, against the simulator's
`later_page_faults` with pages of 2 (`page_cap`).

An InvalidRequestException (or a ResourceNotFoundException) on a later page is about the page
token it carries (expired, or not the service's any more), not about the account: the listing
starts again from its first page, once. Refused again, the listing failed: an account is marked
to retry (not "refused": it keeps its profiles), and the accounts listing fails as a whole, in
one line. A 401 renews the token and starts the fetch again; a 429 is paced and tried again.
The picker marks such an account to retry (!), and Enter lists it again.
"""

from __future__ import annotations

import json

import pytest

from tests.app_support import (
    SIZE,
    async_test,
    catalog_loaded,
    log_in,
    marks,
    notes,
    picker,
    shown,
    type_text,
    unique_prefix,
    wait_until,
)
from tests.cli_helpers import ssotui
from tests.conftest import Home, here
from tui.app.failures import reason_text
from tui.aws.session_choice import chosen_session
from tui.models import Catalog
from tui.sim import Organisation, Simulator
from tui.sim.org import SimAccount
from tui.store import catalog_cache

pytestmark = pytest.mark.usefixtures("portal_client_kind", "sso_config", "quick_retries")

PAGE = 2  # items a page holds, whatever ssotui asks: every listing of 3 or more has a later page


@pytest.fixture
def paged(sim: Simulator) -> Simulator:
    """The simulator with pages of `PAGE`, logged in to."""
    sim.set(page_cap=PAGE)
    log_in()
    return sim


def _many_roles(org: Organisation) -> SimAccount:
    """An account whose roles take more than one page, none of them forbidden."""
    return next(
        a for a in org.accounts if len(a.roles) > PAGE and not any(r.forbidden for r in a.roles)
    )


def _pairs(org: Organisation, but: str = "") -> set[tuple[str, str]]:
    return {(a.account_id, r.name) for a in org.accounts if a.account_id != but for r in a.roles}


def _listed(out: str) -> set[tuple[str, str]]:
    return {(row["accountId"], row["roleName"]) for row in json.loads(out)}


def _cached() -> Catalog:
    saved = catalog_cache.load(here(), chosen_session(here())[0])
    assert saved is not None
    return saved


@pytest.mark.parametrize("error", ["InvalidRequestException", "ResourceNotFoundException"])
def test_a_refused_later_page_of_roles_starts_the_listing_again(
    paged: Simulator, org: Organisation, error: str
) -> None:
    # Before: the account was "refused" (shown without roles, exit 0, cached as an answer, and
    # its profiles removed by populate), for a page token the service no longer took.
    account = _many_roles(org)
    paged.set(
        later_page_faults={f"ListAccountRoles:{account.account_id}"},
        later_page_error=error,
        later_page_fault_count=1,
    )
    result = ssotui("list", "--json", "--refresh")
    assert (result.status, result.err) == (0, "")
    assert _listed(result.out) == _pairs(org)
    saved = _cached()
    assert not saved.refused and not saved.failed and saved.complete


def test_a_later_page_of_roles_refused_again_marks_the_account_to_retry(
    paged: Simulator, org: Organisation
) -> None:
    account = _many_roles(org)
    paged.set(later_page_faults={f"ListAccountRoles:{account.account_id}"})
    asked = paged.calls["ListAccountRoles"]
    result = ssotui("list", "--json", "--refresh")
    assert result.status == 1
    assert _listed(result.out) == _pairs(org, but=account.account_id)
    assert result.err == (
        f"ssotui: the roles of account {account.account_id} could not be listed (Identity "
        f"Center refused a later page of the roles of account {account.account_id} "
        "(InvalidRequestException: Injected failure of a later page), again after starting "
        "over from the first page (session dev): try again later); run `ssotui list` again "
        "to retry\n"
    )
    # first page, second refused; first page again, second refused again; the other accounts
    assert paged.calls["ListAccountRoles"] - asked == 4 + sum(
        max(1, -(-len(a.roles) // PAGE)) for a in org.accounts if a is not account
    )
    saved = _cached()
    assert list(saved.failed) == [account.account_id] and not saved.refused
    # Mended: the next `list` tries that account again, from the fresh cache.
    paged.set(later_page_faults=set())
    again = ssotui("list", "--json")
    assert (again.status, again.err) == (0, "")
    assert _listed(again.out) == _pairs(org)


def test_populate_keeps_the_profiles_of_an_account_whose_later_page_is_refused(
    paged: Simulator, org: Organisation, home: Home
) -> None:
    # Before: the account's profiles were removed ("skipped account ...: Identity Center
    # refused to list its roles"), though the user still had every one of its roles.
    first = ssotui("populate", "--region", "eu-west-1")
    assert first.status == 0, first.err
    config = home.aws_config.read_text()
    account = _many_roles(org)
    paged.set(later_page_faults={f"ListAccountRoles:{account.account_id}"})
    for args in (("populate", "--dry-run"), ("populate",)):
        result = ssotui(*args, "--region", "eu-west-1")
        assert (result.status, result.out) == (1, "")
        assert result.err == (
            "ssotui: the roles of 1 account could not be listed, so populate changed nothing "
            "(it would drop their profiles); run it again\n"
        )
        assert home.aws_config.read_text() == config
    paged.set(later_page_fault_count=1)  # refused once: the listing starts again and is whole
    again = ssotui("populate", "--region", "eu-west-1")
    assert again.status == 0, again.err
    assert "skipped" not in again.err and home.aws_config.read_text() == config


def test_a_refused_later_page_of_accounts_starts_the_listing_again(
    paged: Simulator, org: Organisation
) -> None:
    paged.set(later_page_faults={"ListAccounts"}, later_page_fault_count=1)
    result = ssotui("list", "--json", "--refresh")
    assert (result.status, result.err) == (0, "")
    assert _listed(result.out) == _pairs(org)
    pages = -(-len(org.accounts) // PAGE)
    assert paged.calls["ListAccounts"] == 2 + pages  # the first page, one refused, then all
    assert _cached().complete


def test_a_later_page_of_accounts_refused_again_fails_the_listing_in_one_line(
    paged: Simulator, org: Organisation, home: Home
) -> None:
    # Before: "Identity Center refused ListAccounts (InvalidRequestException: ...) ... report
    # it if it persists", after one try; a 404 said to check the session's sso_start_url.
    assert ssotui("list", "--refresh").status == 0
    path = catalog_cache.cache_path(here(), chosen_session(here())[0])
    cached = path.read_bytes()
    paged.set(later_page_faults={"ListAccounts"}, later_page_error="ResourceNotFoundException")
    result = ssotui("list", "--json", "--refresh")
    assert (result.status, result.out) == (1, "")
    assert result.err == (
        "ssotui: Identity Center refused a later page of ListAccounts "
        "(ResourceNotFoundException: Injected failure of a later page), again after starting "
        "over from the first page (session dev): try again later\n"
    )
    assert path.read_bytes() == cached  # the catalog before stays, not a part of it
    populate = ssotui("populate")
    assert populate.status == 1 and populate.err == result.err
    assert not home.aws_config.read_text().count("sso_account_id")


def test_a_stale_cache_is_shown_when_a_later_page_of_accounts_is_refused_twice(
    paged: Simulator, org: Organisation, home: Home
) -> None:
    # Before: "Identity Center could not be reached (Identity Center refused ListAccounts ...)"
    # for a service that had answered every call.
    listed = ssotui("list", "--json", "--refresh")
    assert listed.status == 0
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "config.toml").write_text("catalog_lifetime = 0\n", encoding="utf-8")
    paged.set(later_page_faults={"ListAccounts"})
    result = ssotui("list", "--json")
    assert (result.status, result.out) == (0, listed.out)
    assert result.err == (
        "ssotui: warning: the catalog could not be brought up to date (Identity Center refused "
        "a later page of ListAccounts (InvalidRequestException: Injected failure of a later "
        "page), again after starting over from the first page (session dev): try again "
        "later); showing the catalog cached just now\n"
    )


@pytest.mark.parametrize("error", ["UnauthorizedException", "TooManyRequestsException"])
def test_a_later_page_refused_for_the_token_or_the_rate_is_asked_again(
    paged: Simulator, org: Organisation, error: str
) -> None:
    # 401: the token renewed and the fetch started again; 429: paced and tried again.
    paged.set(
        later_page_faults={"ListAccounts", "ListAccountRoles"},
        later_page_error=error,
        later_page_fault_count=1 if error == "UnauthorizedException" else 2,
    )
    result = ssotui("list", "--json", "--refresh")
    assert (result.status, result.err) == (0, "")
    assert _listed(result.out) == _pairs(org)
    assert paged.knobs.later_page_fault_count == 0


def test_a_later_page_refused_then_a_login_needed_says_to_log_in(
    paged: Simulator,
) -> None:
    paged.set(later_page_faults={"ListAccounts"}, later_page_error="UnauthorizedException")
    result = ssotui("list", "--refresh")
    assert (result.status, result.out) == (1, "")
    # refused again after the token was renewed for it: a login is what is left
    assert result.err.startswith("ssotui: Identity Center refused the token of session dev ")
    assert result.err.endswith(": run `ssotui login`\n") and result.err.count("\n") == 1


@async_test
async def test_the_picker_marks_the_account_to_retry_and_enter_lists_it_whole(
    paged: Simulator, org: Organisation
) -> None:
    # Before: marked ⊘ ("Identity Center refused to list its roles"), which Enter does not retry.
    account = _many_roles(org)
    paged.set(later_page_faults={f"ListAccountRoles:{account.account_id}"})
    app = picker(refresh=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await wait_until(pilot, lambda: marks(app, "accounts").get(account.name) == "!", "!")
        why = reason_text(app.screen.model.failed[account.account_id])
        said = (
            f"The roles of 1 account could not be listed ({why}); they are marked ! and retried "
            "on Enter."
        )
        await wait_until(pilot, lambda: notes(app) == [said], "the note")
        paged.set(later_page_fault_count=1)  # refused once more: the retry starts over
        await type_text(pilot, unique_prefix(account.name, [a.name for a in org.accounts]))
        await pilot.press("enter")
        names = {r.name for r in account.roles}
        await wait_until(pilot, lambda: {r.role_name for r in shown(app, "roles")} == names, "it")
        await wait_until(pilot, lambda: marks(app, "accounts").get(account.name) == "", "no mark")
    saved = _cached()
    assert not saved.failed and not saved.refused and saved.complete
