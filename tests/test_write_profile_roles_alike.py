"""write-profile for roles whose names make the same profile name: each its own profile.

Permission set names may hold `=` and `,` (and another Identity Center anything), which a
profile name cannot: `Admin=1`, `Admin,1` and `Admin-1` all make `acme.Admin-1`. The second
role written took the first one's profile, so AWS_PROFILE=acme.Admin-1 silently gave another
role. Run as a user runs it: the real command against the simulator, read back by botocore.
"""

from __future__ import annotations

import re
from pathlib import Path

import botocore.session
import pytest

from tests.app_support import (
    SIZE,
    async_test,
    catalog_loaded,
    log_in,
    notes,
    open_action_menu,
    picker,
    screen_name,
    wait_until,
)
from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home
from tui.models import Token
from tui.sim import Organisation, Simulator
from tui.sim.org import SimAccount, SimRole

ACME_ID = "123456789012"
ALIKE = ("Admin-1", "Admin=1", "Admin,1")  # each makes the profile name acme.Admin-1
ACME = SimAccount(ACME_ID, "acme", "aws+acme@example.com", [SimRole(r) for r in ALIKE])
ALIKE_ORG = Organisation([ACME])
# The names they get, in the order first written: the name, then as populate names a clash
NAMES = ("acme.Admin-1", f"acme.Admin-1-{ACME_ID}", f"acme.Admin-1-{ACME_ID}-2")
# Names with no ASCII left: each profile is the account's name alone (an older ssotui's marker
# said `role -` for every one of them)
UNWRITTEN = ("管理者", "経理", "監査\x07\x1b")
NOTHING_LEFT = SimAccount(ACME_ID, "acme", "aws+acme@example.com", [SimRole(r) for r in UNWRITTEN])


def _write(role: str, *more: str) -> str:
    """`ssotui write-profile acme ROLE`: the profile name it says it wrote."""
    result = ssotui("write-profile", ACME_ID, role, *more)
    assert result.status == 0, result.err
    said = re.search(r"Wrote profile \[([^\]]+)\]", result.err)
    assert said is not None, result.err
    return said.group(1)


def _issued_key(sim: Simulator) -> str:
    return list(sim.portal.issued)[-1]


def _botocore_key(profile: str) -> str:
    creds = botocore.session.Session(profile=profile).get_credentials()
    assert creds is not None
    return str(creds.get_frozen_credentials().access_key)


@pytest.mark.parametrize("org", [ALIKE_ORG])
def test_roles_whose_names_clean_alike_each_get_a_profile_of_their_own_and_keep_it(
    sim: Simulator, token: Token, home: Home
) -> None:
    keys: dict[str, str] = {}
    for role, expected in zip(ALIKE, NAMES, strict=True):
        # was: acme.Admin-1 each time, the last role's keys in it
        assert _write(role) == expected
        keys[role] = _issued_key(sim)
    for role, name in zip(ALIKE, NAMES, strict=True):
        assert _botocore_key(name) == keys[role], f"[{name}] should hold {role}'s keys"
    # every later write of a role goes to its own profile, whatever the order
    for role in reversed(ALIKE):
        name = _write(role, "--refresh")
        assert name == NAMES[ALIKE.index(role)]
        keys[role] = _issued_key(sim)
    for role, name in zip(ALIKE, NAMES, strict=True):
        assert _botocore_key(name) == keys[role]
    written = home.aws_credentials.read_text()
    assert re.findall(r"^\[(.*)\]$", written, re.M) == list(NAMES)
    # the marker names each role exactly, the ordinary one as an older ssotui wrote it
    for role in ("Admin-1", "Admin%3D1", "Admin%2C1"):
        assert f"# written by ssotui for account {ACME_ID}, role {role};" in written


@pytest.mark.parametrize("org", [Organisation([NOTHING_LEFT])])
def test_roles_with_no_ascii_in_their_names_each_get_a_profile_of_their_own(
    sim: Simulator, token: Token, home: Home
) -> None:
    names = ("acme", f"acme-{ACME_ID}", f"acme-{ACME_ID}-2")
    keys: dict[str, str] = {}
    for role, expected in zip(UNWRITTEN, names, strict=True):
        assert _write(role) == expected  # was: acme, each time
        keys[role] = _issued_key(sim)
    for role, name in zip(UNWRITTEN, names, strict=True):
        assert _botocore_key(name) == keys[role]
        assert _write(role) == name
    written = home.aws_credentials.read_text()
    assert "role %E7%AE%A1%E7%90%86%E8%80%85;" in written
    assert "role %E7%9B%A3%E6%9F%BB%07%1B;" in written  # no control character reaches it raw
    assert written.isascii()


@pytest.mark.parametrize("org", [ALIKE_ORG])
def test_a_role_keeps_its_name_when_the_profile_before_it_is_gone(
    sim: Simulator, token: Token, home: Home
) -> None:
    for role in ALIKE:
        _write(role)
    # the user takes the first role's profile out by hand
    text = home.aws_credentials.read_text()
    home.aws_credentials.write_text(text[text.index(f"[{NAMES[1]}]") :])
    assert _write("Admin,1") == NAMES[2]  # not the free acme.Admin-1: scripts use its name
    assert _write("Admin=1") == NAMES[1]
    assert _write("Admin-1") == NAMES[0]  # free again, and first


@pytest.mark.parametrize("org", [ALIKE_ORG])
def test_logout_purge_takes_out_every_one_of_them(sim: Simulator, token: Token, home: Home) -> None:
    home.aws_credentials.write_text("[mine]\nregion = eu-west-1\n")
    assert [_write(role) for role in ALIKE] == list(NAMES)
    result = ssotui("logout", "--purge")
    assert result.status == 0, result.err
    assert home.aws_credentials.read_text() == "[mine]\nregion = eu-west-1\n"


@pytest.mark.parametrize("org", [ALIKE_ORG])
def test_a_profile_an_older_ssotui_wrote_for_an_odd_role_is_taken_for_the_role_it_names(
    sim: Simulator, token: Token, home: Home
) -> None:
    """An older ssotui wrote `Admin=1` as `role Admin-1`: the marker reads as the role it names,
    so the next write of `Admin=1` takes a name of its own, and never the keys of a role
    `Admin-1` (which an ordinary name's marker, unchanged, still finds)."""
    old = (
        "[acme.Admin-1]\n"
        f"# written by ssotui for account {ACME_ID}, role Admin-1\n"
        "aws_access_key_id = ASIAOLDKEY\n"
        "aws_secret_access_key = old-secret\n"
        "aws_session_token = old-token\n"
    )
    home.aws_credentials.write_text(old)
    assert _write("Admin=1") == f"acme.Admin-1-{ACME_ID}"
    assert home.aws_credentials.read_text().startswith(old)
    assert _write("Admin-1") == "acme.Admin-1"
    assert _botocore_key("acme.Admin-1") == _issued_key(sim)


@pytest.mark.parametrize("org", [ALIKE_ORG])
@async_test
async def test_the_picker_suggests_the_name_the_write_uses(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    log_in()
    _write("Admin-1")
    _write("Admin=1")
    app = picker()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, catalog_loaded(app, org), "the catalog")
        await open_action_menu(pilot, app, org, ACME, "Admin,1")
        await pilot.press("w")
        await wait_until(pilot, lambda: screen_name(app) == "ProfileNameScreen", "the prompt")
        # was: acme.Admin-1, the first role's profile
        assert app.screen.query_one("#profile-name").value == NAMES[2]
        await pilot.press("enter")
        await wait_until(pilot, lambda: notes(app), "a notification")
        assert f"Wrote profile [{NAMES[2]}]" in notes(app)[0]
    key = _issued_key(sim)
    assert _botocore_key(NAMES[2]) == key
    assert _write("Admin,1") == NAMES[2]  # the command agrees
    assert _botocore_key(NAMES[0]) != key and _botocore_key(NAMES[1]) != key
