"""ACCOUNT and ROLE arguments: ids, exact and other-case names, fragments, and clear failures."""

from __future__ import annotations

import difflib
import functools
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from tui.errors import NotFound
from tui.models import Account, Catalog
from tui.sim import Organisation
from tui.workspace.select import find_account, find_role

ACCOUNTS = (
    Account("111111111111", "Production", "prod@example.com"),
    Account("222222222222", "prod-eu", "prod-eu@example.com"),
    Account("333333333333", "Staging", "staging@example.com"),
    Account("444444444444", "Zürich Analytics", "zh@example.com"),
    Account("555555555555", "Sandbox Alpha"),
    Account("555555555556", "Sandbox Beta"),
    Account("555555555557", "Sandbox Gamma"),
    Account("555555555558", "Sandbox Delta"),
    Account("555555555559", "Sandbox Epsilon"),
    Account("555555555560", "Sandbox Zeta"),
    Account("555555555561", "Sandbox Eta"),
    Account("666666666666", "Twin"),
    Account("666666666667", "Twin"),
    Account("777777777777", "Empty"),
    Account("888888888888", "Broken"),
)


def catalog() -> Catalog:
    roles = {a.account_id: ("ReadOnly",) for a in ACCOUNTS}
    roles["111111111111"] = ("AdministratorAccess", "ReadOnly", "Billing")
    roles["333333333333"] = ("Admin", "admin", "Viewer")
    roles["444444444444"] = tuple(f"Role{i:02d}" for i in range(15))
    del roles["777777777777"]
    roles["888888888888"] = ("Viewer",)
    return Catalog(
        accounts=ACCOUNTS,
        roles=roles,
        fetched_at=datetime(2030, 1, 1, tzinfo=UTC),
        failed={"888888888888": "throttled"},
    )


def by_id(account_id: str) -> Account:
    return next(a for a in ACCOUNTS if a.account_id == account_id)


@pytest.mark.parametrize(
    ("text", "account_id"),
    [
        ("111111111111", "111111111111"),  # id
        ("  333333333333 ", "333333333333"),  # id with stray spaces
        ("Production", "111111111111"),  # exact name, though "prod" is in two names
        ("production", "111111111111"),  # other case
        ("prod-eu", "222222222222"),
        ("Zürich Analytics", "444444444444"),  # unicode, exact
        ("zürich", "444444444444"),  # unicode fragment, other case
        ("ZÜRICH ANALYTICS", "444444444444"),
        (unicodedata.normalize("NFD", "Zürich Analytics"), "444444444444"),  # decomposed ü
        ("stag", "333333333333"),  # unique fragment
        ("epsilon", "555555555559"),
    ],
)
def test_find_account_matches(text: str, account_id: str) -> None:
    assert find_account(catalog(), text) == by_id(account_id)


def test_ambiguous_fragment_lists_five_with_ids_and_counts_the_rest() -> None:
    with pytest.raises(NotFound) as caught:
        find_account(catalog(), "sandbox")
    message = caught.value.message
    assert message.startswith("'sandbox' matches 7 accounts: ")
    assert message.count("(5555555555") == 5
    assert "and 2 more" in message
    assert "account id" in message
    assert "\n" not in message
    assert caught.value.exit_code == 1


def test_fragment_in_two_names_is_ambiguous() -> None:
    with pytest.raises(NotFound, match=r"'prod' matches 2 accounts: prod-eu \(222222222222\)"):
        find_account(catalog(), "prod")


def test_same_exact_name_twice_is_ambiguous_and_the_id_resolves_it() -> None:
    with pytest.raises(NotFound, match=r"'Twin' matches 2 accounts: Twin \(666666666666\), Twin"):
        find_account(catalog(), "Twin")
    assert find_account(catalog(), "666666666667").account_id == "666666666667"


def test_names_alike_but_for_case_are_told_apart_by_case_or_id() -> None:
    # "type more of the name" cannot help when the names are the one typed: it said so anyway.
    with pytest.raises(NotFound) as caught:
        find_account(catalog(), "twin")
    assert caught.value.message.endswith("; they share the name: use the 12-digit account id")
    cased = Catalog(
        accounts=(Account("100000000001", "prod"), Account("100000000002", "Prod")),
        roles={},
        fetched_at=datetime(2030, 1, 1, tzinfo=UTC),
    )
    with pytest.raises(NotFound) as caught:
        find_account(cased, "PROD")
    assert caught.value.message == (
        "'PROD' matches 2 accounts: prod (100000000001), Prod (100000000002); "
        "type the name in its exact case, or the 12-digit account id"
    )
    assert find_account(cased, "Prod").account_id == "100000000002"
    with pytest.raises(NotFound, match="type more of the name"):
        find_account(cased, "pro")


def test_no_match_suggests_close_names() -> None:
    with pytest.raises(NotFound) as caught:
        find_account(catalog(), "Prodution")
    assert caught.value.message == "no account matches 'Prodution'; did you mean 'Production'?"


def test_no_match_without_close_names_points_to_list() -> None:
    with pytest.raises(NotFound) as caught:
        find_account(catalog(), "qqqqqqqq")
    assert caught.value.message == (
        "no account matches 'qqqqqqqq'; run `ssotui list` to see your accounts"
    )


def test_unknown_id_is_not_found() -> None:
    with pytest.raises(NotFound, match=r"^no account matches '999999999999'"):
        find_account(catalog(), "999999999999")


def test_empty_argument_and_empty_catalog() -> None:
    with pytest.raises(NotFound, match="no account given"):
        find_account(catalog(), "  ")
    empty = Catalog(accounts=(), roles={}, fetched_at=datetime(2030, 1, 1, tzinfo=UTC))
    with pytest.raises(NotFound, match="has no accounts"):
        find_account(empty, "prod")


def test_message_stays_on_one_line() -> None:
    with pytest.raises(NotFound) as caught:
        find_account(catalog(), "a\nb")
    assert "\n" not in caught.value.message


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("AdministratorAccess", "AdministratorAccess"),
        ("administratoraccess", "AdministratorAccess"),
        (" readonly ", "ReadOnly"),
    ],
)
def test_find_role(text: str, role: str) -> None:
    assert find_role(catalog(), by_id("111111111111"), text) == role


def test_role_exact_wins_over_other_case() -> None:
    staging = by_id("333333333333")
    assert find_role(catalog(), staging, "admin") == "admin"
    assert find_role(catalog(), staging, "Admin") == "Admin"
    with pytest.raises(NotFound) as caught:
        find_role(catalog(), staging, "ADMIN")
    assert caught.value.message == (
        "'ADMIN' matches 2 roles in Staging (333333333333): Admin, admin; type the exact name"
    )


def test_unknown_role_lists_the_account_roles() -> None:
    with pytest.raises(NotFound) as caught:
        find_role(catalog(), by_id("111111111111"), "Admin")
    assert caught.value.message == (
        "no role 'Admin' in Production (111111111111); "
        "its roles: AdministratorAccess, Billing, ReadOnly"
    )


def test_unknown_role_in_an_account_with_many_roles_is_shortened() -> None:
    with pytest.raises(NotFound) as caught:
        find_role(catalog(), by_id("444444444444"), "Admin")
    assert "Role00, Role01" in caught.value.message
    assert caught.value.message.endswith("Role11 and 3 more")


def test_account_without_roles_and_account_whose_roles_failed() -> None:
    with pytest.raises(NotFound, match=r"you have no roles in Empty \(777777777777\)"):
        find_role(catalog(), by_id("777777777777"), "Admin")
    with pytest.raises(NotFound, match=r"may be incomplete: try --refresh"):
        find_role(catalog(), by_id("888888888888"), "Admin")
    failed = Catalog(
        accounts=ACCOUNTS,
        roles={},
        fetched_at=datetime(2030, 1, 1, tzinfo=UTC),
        failed={"888888888888": "throttled"},
    )
    with pytest.raises(NotFound, match=r"could not be listed \(throttled\); try again"):
        find_role(failed, by_id("888888888888"), "Viewer")


def test_no_match_suggests_several_close_names() -> None:
    with pytest.raises(NotFound) as caught:
        find_account(catalog(), "Sandbox Alfa")
    assert caught.value.message.startswith(
        "no account matches 'Sandbox Alfa'; did you mean 'Sandbox Alpha', "
    )
    assert " or 'Sandbox " in caught.value.message


def test_a_mistyped_beginning_of_a_long_name_is_suggested() -> None:
    accounts = (
        Account("100000000001", "umbrella-prod-payments"),
        Account("100000000002", "umbrella-staging-payments"),
        Account("100000000003", "globex-prod-payments"),
    )
    big = Catalog(accounts=accounts, roles={}, fetched_at=datetime(2030, 1, 1, tzinfo=UTC))
    with pytest.raises(NotFound) as caught:
        find_account(big, "umberlla-prod")
    assert caught.value.message == (
        "no account matches 'umberlla-prod'; did you mean 'umbrella-prod-payments'?"
    )


def test_a_mistyped_beginning_of_five_letters_is_suggested() -> None:
    accounts = (
        Account("100000000001", "wayne-prod-security"),
        Account("100000000002", "globex-prod-payments"),
    )
    big = Catalog(accounts=accounts, roles={}, fetched_at=datetime(2030, 1, 1, tzinfo=UTC))
    with pytest.raises(NotFound) as caught:
        find_account(big, "waine")
    assert caught.value.message == (
        "no account matches 'waine'; did you mean 'wayne-prod-security'?"
    )


@functools.cache
def long_names(count: int) -> tuple[Account, ...]:
    """`count` accounts with names of 50 characters, the most AWS allows, much alike."""
    org = Organisation.generate(accounts=count, seed=7)
    words = ("payments", "ledger", "data", "edge", "core", "batch")
    accounts = []
    for n, account in enumerate(org.accounts):
        name = account.name
        while len(name) < 50:
            name += "-" + words[(n + len(name)) % len(words)]
        accounts.append(Account(account.account_id, name[:50]))
    return tuple(accounts)


TYPOS: dict[str, Callable[[str], str]] = {
    "swapped letters": lambda name: name[:9] + name[10] + name[9] + name[11:],
    "a missing letter": lambda name: name[:9] + name[10:],
    "an added letter": lambda name: name[:9] + "x" + name[9:],
    "a wrong letter and case": lambda name: (name[:9] + "q" + name[10:]).upper(),
    "a mistyped beginning": lambda name: name[:3] + name[4] + name[3] + name[5:16],
}


@pytest.mark.parametrize("kind", TYPOS)
def test_a_typo_among_20000_long_names_is_found_comparing_few_of_them(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts = long_names(20_000)
    big = Catalog(accounts=accounts, roles={}, fetched_at=datetime(2030, 1, 1, tzinfo=UTC))
    meant = accounts[1234].name
    compared = 0
    ratio = difflib.SequenceMatcher.ratio

    def counted(self: difflib.SequenceMatcher[str]) -> float:
        nonlocal compared
        compared += 1
        return ratio(self)

    # difflib's ratio is what took the time (0.8 s for these names, each compared in turn)
    monkeypatch.setattr(difflib.SequenceMatcher, "ratio", counted)
    with pytest.raises(NotFound) as caught:
        find_account(big, TYPOS[kind](meant))
    suggested = caught.value.message.split("did you mean ")[1]
    wanted = meant if kind != "a mistyped beginning" else meant[:16]
    assert suggested.startswith(f"'{wanted}"), (kind, caught.value.message)
    assert compared <= 200, compared


def test_a_name_holding_a_nul_is_suggested_like_any_other() -> None:
    accounts = (
        Account("100000000001", "evil\0name-production-payments"),
        Account("100000000002", "plain-production-payments"),
    )
    odd = Catalog(accounts=accounts, roles={}, fetched_at=datetime(2030, 1, 1, tzinfo=UTC))
    with pytest.raises(NotFound) as caught:
        find_account(odd, "evil\0name-prodcution-payments")
    assert "did you mean 'evil␀name-production-payments'" in caught.value.message


HOSTILE = (
    Account("900000000001", "evil\x1b]0;TITLE\x07\x1b[2J one"),
    Account("900000000002", "evil\x1b]52;c;ZXZpbA==\x07 two"),
    Account("900000000003", "Kraków\nfake row"),
)


def hostile_catalog() -> Catalog:
    return Catalog(
        accounts=HOSTILE,
        roles={
            "900000000001": ("\x1b]52;c;ZXZpbA==\x07clip", "Admin\x9b2J", "admin\x9b2J"),
            "900000000002": ("ReadOnly",),
            "900000000003": ("ReadOnly",),
        },
        fetched_at=datetime(2030, 1, 1, tzinfo=UTC),
    )


def no_control_character(message: str) -> bool:
    return not any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in message)


def test_messages_that_list_hostile_names_hold_no_control_character() -> None:
    catalog = hostile_catalog()
    failures = []
    for call in (
        lambda: find_account(catalog, "evil"),  # ambiguous: lists both names
        lambda: find_account(catalog, "evil\x1b]0;TITLE\x07\x1b[2J onf"),  # did you mean …
        lambda: find_role(catalog, HOSTILE[0], "nope"),  # lists the account's roles
        lambda: find_role(catalog, HOSTILE[0], "ADMIN\x9b2J"),  # two roles in other cases
    ):
        with pytest.raises(NotFound) as caught:
            call()
        failures.append(caught.value.message)
    for message in failures:
        assert no_control_character(message), repr(message)
    assert "evil␛]0;TITLE␇␛[2J one (900000000001)" in failures[0]
    assert "'evil␛]0;TITLE␇␛[2J one'" in failures[1]
    assert "␛]52;c;ZXZpbA==␇clip" in failures[2]
    assert "Kraków␊fake row" not in failures[0]  # a fragment matches only what it names


def test_names_with_spaces_of_their_own_are_found_as_typed() -> None:
    # "  padded  " typed exactly (quoted) resolved to another account, "padded", and a role
    # named " Admin " could not be chosen at all, not even by its exact name.
    accounts = (Account("100000000001", "  padded  "), Account("100000000002", "padded"))
    spaced = Catalog(
        accounts=accounts,
        roles={"100000000001": (" Admin ", "ReadOnly"), "100000000002": ("Admin",)},
        fetched_at=datetime(2030, 1, 1, tzinfo=UTC),
    )
    assert find_account(spaced, "  padded  ") == accounts[0]
    assert find_account(spaced, "padded") == accounts[1]
    assert find_role(spaced, accounts[0], " Admin ") == " Admin "
    assert find_role(spaced, accounts[0], "admin") == " Admin "  # other case, spaces aside
    assert find_role(spaced, accounts[1], " Admin ") == "Admin"  # stray spaces dropped
