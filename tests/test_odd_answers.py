"""The commands against answers botocore's models allow and a tidy service never gives (the
simulator's `shapes`, `tui/sim/shapes.py`), run as a user runs them, over real HTTP.
"""

from __future__ import annotations

import configparser
import json
from pathlib import Path

import pytest

from tests.cli_helpers import ssotui
from tests.conftest import Home
from tui.models import Token
from tui.sim import Simulator
from tui.sim.org import SimAccount
from tui.sim.shapes import SAME_NAME


def _two_accounts_with_a_role_alike(sim: Simulator) -> tuple[SimAccount, SimAccount, str]:
    for first in sim.org.accounts:
        for second in sim.org.accounts:
            shared = {r.name for r in first.roles} & {r.name for r in second.roles}
            if first is not second and shared:
                return first, second, sorted(shared)[0]
    raise AssertionError("the organisation has no two accounts with a role alike")


def _issued_key(sim: Simulator) -> str:
    return list(sim.portal.issued)[-1]


def _profile(path: Path, name: str) -> dict[str, str]:
    parser = configparser.RawConfigParser()
    parser.read(path)
    return dict(parser[name])


def test_write_profile_never_replaces_another_accounts_profile_of_the_same_name(
    sim: Simulator, token: Token, home: Home
) -> None:
    # account names need not be unique: every account here is called "Shared"
    sim.set(shapes={"account-names-alike"})
    first, second, role = _two_accounts_with_a_role_alike(sim)
    wrote = ssotui("write-profile", first.account_id, role)
    assert wrote.status == 0, wrote.err
    assert f"[{SAME_NAME}.{role}]" in wrote.err
    first_key = _issued_key(sim)

    wrote = ssotui("write-profile", second.account_id, role)
    assert wrote.status == 0, wrote.err
    # was: [Shared.ROLE] silently overwritten, AWS_PROFILE=Shared.ROLE now in another account
    assert f"[{SAME_NAME}.{role}-{second.account_id}]" in wrote.err
    assert _profile(home.aws_credentials, f"{SAME_NAME}.{role}")["aws_access_key_id"] == first_key
    second_profile = _profile(home.aws_credentials, f"{SAME_NAME}.{role}-{second.account_id}")
    assert second_profile["aws_access_key_id"] == _issued_key(sim)

    # the first account's profile keeps its name when written again
    again = ssotui("write-profile", first.account_id, role, "--refresh")
    assert again.status == 0, again.err
    assert f"[{SAME_NAME}.{role}]" in again.err
    assert _profile(home.aws_credentials, f"{SAME_NAME}.{role}")["aws_access_key_id"] == (
        _issued_key(sim)
    )


@pytest.fixture
def exported(sim: Simulator, token: Token) -> dict[str, str]:
    """`export --format json` of the first role of the first account with a role."""
    del token
    account = next(a for a in sim.org.accounts if a.roles)
    run = ssotui("export", account.account_id, account.roles[0].name, "--format", "json")
    assert run.status == 0, run.err
    return dict(json.loads(run.out))
