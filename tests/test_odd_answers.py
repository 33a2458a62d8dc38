"""The commands against answers botocore's models allow and a tidy service never gives (the
simulator's `shapes`, `tui/sim/shapes.py`), run as a user runs them, over real HTTP.
"""

from __future__ import annotations

import configparser
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli_helpers import ssotui
from tests.conftest import Home, here
from tui.aws.login import start_login, wait_for_token
from tui.errors import LoginFailed
from tui.models import SsoSession, Token
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


def _first_role(sim: Simulator) -> tuple[str, str]:
    account = next(a for a in sim.org.accounts if a.roles)
    return account.account_id, account.roles[0].name


def test_credentials_said_to_last_a_century_are_kept_and_handed_on_for_12_hours(
    sim: Simulator, token: Token, home: Home
) -> None:
    sim.set(shapes={"credentials-far-future"})
    account_id, role = _first_role(sim)
    before = datetime.now(UTC)
    exported = ssotui("credential-process", account_id, role)
    assert exported.status == 0, exported.err
    expiration = datetime.fromisoformat(json.loads(exported.out)["Expiration"])
    # was: 2126, so botocore's credential_process (and ssotui's own cache) never renewed them
    assert before + timedelta(hours=12) - timedelta(minutes=1) <= expiration
    assert expiration <= datetime.now(UTC) + timedelta(hours=12)
    exec_run = ssotui(
        "exec", account_id, role, "--", sys.executable, "-c",
        "import os; print(os.environ['AWS_CREDENTIAL_EXPIRATION'])",
    )  # fmt: skip
    assert exec_run.status == 0, exec_run.err
    assert datetime.fromisoformat(exec_run.out.strip()) == expiration  # the kept ones, same end
    assert sim.calls["GetRoleCredentials"] == 1
    wrote = ssotui("write-profile", account_id, role, "--profile", "p")
    assert wrote.status == 0, wrote.err
    written = _profile(home.aws_credentials, "p")["x_security_token_expires"]
    assert datetime.fromisoformat(written) == expiration


@pytest.mark.parametrize(
    ("shape", "said"),
    [
        ("credentials-expired", "check this computer's clock"),
        ("credentials-expiration-zero", "with no usable expiry (expiration 0)"),
        ("credentials-expiration-huge", "unreadable GetRoleCredentials answer"),
        ("credentials-without-session-token", "unreadable GetRoleCredentials answer"),
        ("credentials-empty", "unreadable GetRoleCredentials answer"),
        ("credentials-absent", "unreadable GetRoleCredentials answer"),
    ],
)
def test_credentials_expired_or_incomplete_are_one_line_and_never_kept(
    sim: Simulator, token: Token, home: Home, shape: str, said: str
) -> None:
    sim.set(shapes={shape})
    account_id, role = _first_role(sim)
    for command in ("export", "credential-process", "write-profile", "console"):
        args = [command, account_id, role] + (["--print"] if command == "console" else [])
        run = ssotui(*args)
        assert run.status == 1 and run.out == ""
        assert run.err.count("\n") == 1 and said in run.err, run.err
        assert "Traceback" not in run.err
        assert not any(c.secret_access_key in run.err for c in sim.portal.issued.values())
    # nothing kept as good: each command asked again, and no file holds them
    assert sim.calls["GetRoleCredentials"] == 4
    assert not home.aws_credentials.exists()
    assert not list(home.cache_dir.rglob("*role-credentials*/*"))


@pytest.mark.parametrize(
    ("shape", "waits"),
    [
        # was [0, 0, 0]: polled as fast as the answers came back, ~30 a second for ten minutes
        ("device-interval-zero", [0, 1, 1]),
        ("device-without-interval", [5, 5, 5]),  # RFC 8628 3.2: 5 when the service says none
    ],
)
def test_a_device_login_polls_at_most_once_a_second(
    session: SsoSession, sim: Simulator, shape: str, waits: list[float]
) -> None:
    sim.set(shapes={shape}, approve=3)
    sleeps: list[float] = []
    auth = start_login(here(), session)
    assert wait_for_token(here(), session, auth, sleep=sleeps.append).access_token
    assert sleeps == waits and sim.calls["CreateToken"] == 3


def test_a_device_login_waits_no_longer_than_its_code_lasts(
    session: SsoSession, sim: Simulator
) -> None:
    sim.set(shapes={"device-interval-huge"}, approve="manual", device_code_lifetime=90)
    sleeps: list[float] = []
    auth = start_login(here(), session)
    with pytest.raises(LoginFailed, match="expired before it was approved"):
        wait_for_token(here(), session, auth, sleep=sleeps.append)
    # was: one wait of 2**31 s (68 years) before the first poll; then one of 91 s, no poll
    assert 89 < sum(sleeps) <= 91 and max(sleeps) <= 5
