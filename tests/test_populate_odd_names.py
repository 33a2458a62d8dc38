"""`populate` with odd names: a role it cannot write is skipped with a warning naming it, the
rest is written; names keep their letters in any script and read back through botocore."""

from __future__ import annotations

import shlex
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import botocore.session
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli_helpers import ssotui
from tests.conftest import Home, here
from tests.test_populate_properties import parse
from tui.export.aws_config import populate_profiles, populated
from tui.export.credentials_file import default_profile_name
from tui.models import Account, Catalog, RoleCredentials, SsoSession, Token
from tui.sim import HOSTILE_ACCOUNTS, Organisation, Simulator

SESSION = SsoSession(name="dev", start_url="https://example.awsapps.com/start", region="eu-west-1")


def catalog(roles: dict[Account, tuple[str, ...]]) -> Catalog:
    return Catalog(
        accounts=tuple(roles),
        roles={a.account_id: r for a, r in roles.items()},
        fetched_at=datetime(2030, 1, 1, tzinfo=UTC),
    )


def botocore_profiles() -> dict[str, dict[str, str]]:
    """Profile name -> (account id, role) as botocore reads the config file back."""
    session = botocore.session.Session()
    out = {}
    for name in session.available_profiles:
        config = botocore.session.Session(profile=name).get_scoped_config()
        if "sso_role_name" in config:
            out[name] = {"account": config["sso_account_id"], "role": config["sso_role_name"]}
    return out


def no_control_character(text: str) -> bool:
    return not any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in text.replace("\n", ""))


def test_a_role_with_a_line_break_is_skipped_and_named_and_the_rest_written(home: Home) -> None:
    acme = Account("123456789012", "acme")
    other = Account("210987654321", "other")
    result = populate_profiles(
        here(),
        SESSION,
        catalog(
            {
                acme: ("Admin", "Bad\nRole", "\x1b]52;c;ZXZpbA==\x07clip", " Padded ", "Nul\x00"),
                other: ("ReadOnly",),
            }
        ),
    )
    assert result.count == 2
    assert {s.role_name for s in result.skipped} == {
        "Bad\nRole",
        "\x1b]52;c;ZXZpbA==\x07clip",
        " Padded ",
        "Nul\x00",
    }
    first = next(w for w in result.warnings if "Bad" in w)
    assert "'Bad␊Role'" in first and "acme (123456789012)" in first and "line break" in first
    assert all(no_control_character(w) and "\n" not in w for w in result.warnings)
    assert botocore_profiles() == {
        "acme.Admin": {"account": "123456789012", "role": "Admin"},
        "other.ReadOnly": {"account": "210987654321", "role": "ReadOnly"},
    }


def test_the_clash_suffix_is_sanitised_and_reads_back() -> None:
    one, two = Account('1 x" y', "dup"), Account('2 x" y]', "dup")
    result = populate_profiles(here(), SESSION, catalog({one: ("Admin",), two: ("Admin",)}))
    assert result.skipped == ()
    assert botocore_profiles() == {
        "dup.Admin-1-x-y": {"account": '1 x" y', "role": "Admin"},
        "dup.Admin-2-x-y": {"account": '2 x" y]', "role": "Admin"},
    }


@pytest.mark.parametrize(
    ("account", "expected"),
    [
        ("Kraków QA", "Krakow-QA.Admin"),  # what every SDK reads: ASCII (tests/test_js_sdk.py)
        ("東京", "123456789012.Admin"),
        ("서울 platform", "platform.Admin"),
        ("Straße Ærø", "Strasse-AEro.Admin"),
        ("ＡＢＣ ﬁnance", "ABC-finance.Admin"),
        ("  padded  ", "padded.Admin"),
        ("Zu\u0308rich", "Zurich.Admin"),  # decomposed ü as composed
        ("हिन्दी टीम", "123456789012.Admin"),
        ("สวัสดี", "123456789012.Admin"),
        ("Payments ❤\ufe0f", "Payments.Admin"),  # a mark on a dropped symbol goes with it
        ("x\x1b]0;TITLE\x07\x1b[2J", "x-0-TITLE-2J.Admin"),
        ("!!!", "123456789012.Admin"),
    ],
)
def test_one_naming_rule_for_populate_and_write_profile(account: str, expected: str) -> None:
    acme = Account("123456789012", account)
    result = populate_profiles(here(), SESSION, catalog({acme: ("Admin",)}))
    assert result.count == 1
    assert botocore_profiles() == {expected: {"account": "123456789012", "role": "Admin"}}
    creds = RoleCredentials(
        acme, "Admin", "ASIAKEY0000000000000", "s" * 40, "t" * 40, datetime(2030, 1, 1, tzinfo=UTC)
    )
    assert default_profile_name(creds) == expected


def test_dry_run_diff_shows_no_control_character(home: Home) -> None:
    home.write_config("# note \x1b]0;TITLE\x07\x1b[2J\r\n[default]\rregion = x\n")
    result = populate_profiles(
        here(), SESSION, catalog({Account("123456789012", "acme"): ("Admin",)}), dry_run=True
    )
    assert "# note ␛]0;TITLE␇␛[2J\n" in result.diff
    assert no_control_character(result.diff)
    assert "+[profile acme.Admin]\n" in result.diff
    assert home.aws_config.read_text().startswith("# note \x1b")  # a dry run writes nothing


@pytest.fixture
def org() -> Organisation:
    return Organisation.generate(accounts=3, seed=7, hostile_names=True)


def test_populate_command_with_hostile_names_writes_every_role_it_can(
    sim: Simulator, token: Token, sso_config: Path
) -> None:
    dry = ssotui("populate", "--dry-run")
    assert dry.status == 0, dry.err
    assert no_control_character(dry.out)
    result = ssotui("populate")
    assert result.status == 0, result.err
    written = {(p["account"], p["role"]) for p in botocore_profiles().values()}
    unwritable = {
        "\x1b]52;c;ZXZpbA==\x07clip",
        "Admin\n000000000000  fake  AdministratorAccess",
        "Nul\x00Role",
        "\u202eAdmin",
        " Admin ",
    }
    assert unwritable < {role for _, _, roles in HOSTILE_ACCOUNTS for role in roles}
    every = {(a.account_id, r.name) for a in sim.org.accounts for r in a.roles}
    assert written == {(a, r) for a, r in every if r not in unwritable}
    assert ("管理者" in {r for _, r in written}) and len(written) > len(HOSTILE_ACCOUNTS)


any_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    accounts=st.lists(st.tuples(any_text, any_text), unique_by=lambda t: t[0], max_size=5),
    roles=st.lists(any_text, min_size=1, max_size=4, unique=True),
)
def test_any_names_every_profile_written_reads_back_or_is_skipped(
    accounts: list[tuple[str, str]], roles: list[str]
) -> None:
    cat = catalog({Account(i, name): tuple(roles) for i, name in accounts})
    plan = populated("", SESSION, cat)
    assert plan.count + len(plan.skipped) == len(cat.pairs())
    parsed = parse(plan.text)["profiles"]
    assert len(parsed) == plan.count
    assert sorted((p["sso_account_id"], p["sso_role_name"]) for p in parsed.values()) == sorted(
        (a.account_id, r)
        for a, r in cat.pairs()
        if (a, r) not in {(s.account, s.role_name) for s in plan.skipped}
    )
    for name in parsed:
        assert shlex.split(f"profile {name}") == ["profile", name]
    for skipped in plan.skipped:
        assert no_control_character(skipped.warning) and "\n" not in skipped.warning
