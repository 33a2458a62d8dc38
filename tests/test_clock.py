"""The user's clock: wrong, jumping, in odd time zones. What ssotui writes stays UTC, what it
shows is the user's own time, and a clock so far ahead that credentials arrive expired is told
in one line instead of handing out credentials every consumer refuses."""

from __future__ import annotations

import json
import shlex
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import CredentialRetrievalError

from tests.app_support import log_in, usable_role, with_roles
from tests.cli_helpers import Run, run_command, ssotui
from tests.conftest import Home
from tui.aws.portal import clock_checked
from tui.errors import ServiceError
from tui.local_time import local_time
from tui.models import Account, RoleCredentials
from tui.sim import Organisation, Simulator

FAKETIME = shutil.which("faketime")
needs_faketime = pytest.mark.skipif(
    FAKETIME is None, reason="libfaketime's `faketime` is not installed (apt-get install faketime)"
)


def _skewed(offset: str, *args: str) -> Run:
    """`ssotui ARGS` with this process's clock moved by `offset` (libfaketime: "+2h", "-2h")."""
    assert FAKETIME is not None
    return run_command([FAKETIME, "-f", offset, sys.executable, "-m", "tui", *args])


def _kept_files(home: Home) -> list[Path]:
    return sorted((home.cache_dir / "role-credentials").glob("*.json"))


def test_credentials_that_arrive_expired_are_one_line_about_the_clock(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    """Credentials already expired by this computer's clock (it runs an hour or more ahead of
    Identity Center's) are refused with one line, by every door, and never kept; botocore,
    asking through `credential_process`, shows that line instead of "still expired"."""
    sim.set(credential_lifetime=-60)  # what a clock over an hour ahead sees of 1 h credentials
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    for args in (
        ("credential-process", account.account_id, role),
        ("export", account.account_id, role),
        ("exec", account.account_id, role, "--", sys.executable, "-c", "print('ran')"),
    ):
        run = ssotui(*args)
        assert run.status == 1, (args, run.out)
        assert run.out == ""
        assert run.err.count("\n") == 1 and "Traceback" not in run.err
        assert "before this computer's clock" in run.err
        assert "check this computer's clock" in run.err
    assert not _kept_files(home)
    command = shlex.join([sys.executable, "-m", "tui", "credential-process", account.account_id])
    home.aws_config.write_text(
        home.aws_config.read_text()
        + f"\n[profile cp]\ncredential_process = {command} {shlex.quote(role)}\n"
    )
    with pytest.raises(CredentialRetrievalError, match="check this computer's clock"):
        boto3.Session(profile_name="cp").get_credentials()


def test_the_clock_check_takes_credentials_valid_a_moment_more() -> None:
    account = Account(account_id="111122223333", name="dev", email="")
    now = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    creds = RoleCredentials(
        account=account,
        role_name="Admin",
        access_key_id="ASIAXXXX",
        secret_access_key="s",
        session_token="t",
        expiration=now + timedelta(seconds=1),
    )
    assert clock_checked(creds, now) is creds
    with pytest.raises(ServiceError, match=r"expired at 2026-03-29 01:30:01 UTC, before"):
        clock_checked(creds, now + timedelta(seconds=1))


@needs_faketime
def test_a_clock_two_hours_ahead_is_told_and_two_hours_behind_still_works(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home
) -> None:
    """Real ssotui processes under libfaketime against the simulator on the true clock."""
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    ahead = _skewed("+2h", "credential-process", account.account_id, role)
    assert ahead.status == 1 and ahead.out == ""
    assert "check this computer's clock" in ahead.err and ahead.err.count("\n") == 1
    behind = _skewed("-2h", "credential-process", account.account_id, role)
    assert behind.status == 0, behind.err
    again = _skewed("-2h", "credential-process", account.account_id, role)
    # kept: a clock that is merely behind does not make every call fetch anew
    assert json.loads(again.out)["AccessKeyId"] == json.loads(behind.out)["AccessKeyId"]


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Set this process's time zone (TZ, then tzset), restored after the test."""

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("tz", "shown"),
    [
        # POSIX: a zone named "UTC", 14 hours east of UTC; never shown as if it were UTC
        ("UTC-14", "2026-12-02 01:27 +1400"),
        ("GMT+3", "2026-12-01 08:27 -0300"),
        ("Asia/Kathmandu", "2026-12-01 17:12 +0545"),
        ("America/St_Johns", "2026-12-01 07:57 NST"),
        ("Europe/London", "2026-12-01 11:27 GMT"),
        ("UTC", "2026-12-01 11:27 UTC"),
    ],
)
def test_a_time_shown_says_the_zone_it_is_in(
    zone: Callable[[str], None], tz: str, shown: str
) -> None:
    zone(tz)
    assert local_time(datetime(2026, 12, 1, 11, 27, tzinfo=UTC)) == shown


def test_a_time_shown_follows_daylight_saving_time(zone: Callable[[str], None]) -> None:
    zone("America/St_Johns")  # NST -03:30, NDT -02:30 from 2026-03-08 05:30 UTC
    assert local_time(datetime(2026, 3, 8, 5, 29, tzinfo=UTC)) == "2026-03-08 01:59 NST"
    assert local_time(datetime(2026, 3, 8, 5, 30, tzinfo=UTC)) == "2026-03-08 03:00 NDT"
