"""Each door of the command-line contract that no other test runs against the second Identity
Center (`tests/other_center.py`), run as a user runs it, its output read by the consumer that
reads it for real: `exec` and `exec --renew` by botocore in the child, `export` by bash, fish
(and PowerShell where installed), `credential-process` and `populate` by botocore's profiles,
`console --shortcut`, `doctor`, and `configure` with its browser login.
"""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from tests.app_support import log_in
from tests.cli_helpers import fake_aws
from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tests.fake_browser import use_fake_browser
from tests.other_center import REGION, START_URL, OtherCenter
from tests.other_center_support import reached
from tui.aws.session_choice import chosen_session

# The child's view of its credentials, through botocore's own chain (env, container, ...)
READ_CREDENTIALS = (
    "import os, botocore.session; c = botocore.session.Session().get_credentials(); "
    "print(c.method, c.get_frozen_credentials().access_key, os.environ['SSOTUI_ROLE_NAME'])"
)
# an account name that is not ASCII and a role name with "+=,@": through every quoting
UNICODE_ACCOUNT, ODD_ROLE = "Ünïcode 账户", "Ops+Dev=1,2.x@y-z"
SHELLS = {
    "bash": (
        "sh",
        ["-c", 'eval "$(cat)"; printf "%s\\n" "$AWS_SESSION_TOKEN" "$SSOTUI_ACCOUNT_NAME"'],
    ),
    "fish": ("fish", ["-c", 'source; printf "%s\\n" "$AWS_SESSION_TOKEN" "$SSOTUI_ACCOUNT_NAME"']),
    "pwsh": (
        "powershell",
        [
            "-NoProfile",
            "-Command",
            "$input | Out-String | Invoke-Expression; "
            "$Env:AWS_SESSION_TOKEN; $Env:SSOTUI_ACCOUNT_NAME",
        ],
    ),
}


@pytest.fixture
def center(monkeypatch: pytest.MonkeyPatch, home: Home) -> Iterator[OtherCenter]:
    """The other server, logged in to its `other` session."""
    with reached(OtherCenter(), monkeypatch, home) as server:
        log_in(chosen_session(here())[0])
        yield server


def test_exec_gives_the_command_the_credentials_and_returns_its_status(
    center: OtherCenter,
) -> None:
    script = READ_CREDENTIALS + "; raise SystemExit(3)"
    run = ssotui("exec", "222222222222", ODD_ROLE.lower(), "--", sys.executable, "-c", script)
    assert run.status == 3, run.err
    method, key, role = run.out.split()
    assert (method, key, role) == ("env", center.issued[-1]["accessKeyId"], ODD_ROLE)


def test_exec_renew_serves_botocore_in_the_child(center: OtherCenter) -> None:
    run = ssotui("exec", "--renew", "Prod", "Admin", "--", sys.executable, "-c", READ_CREDENTIALS)
    assert run.status == 0, run.err
    method, key, role = run.out.split()
    assert (method, key, role) == ("container-role", center.issued[-1]["accessKeyId"], "Admin")


@pytest.mark.parametrize("shell", list(SHELLS))
def test_export_is_what_each_shell_evaluates(center: OtherCenter, shell: str) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    fmt, command = SHELLS[shell]
    exported = ssotui("export", UNICODE_ACCOUNT, "Admin", "--format", fmt)
    assert exported.status == 0, exported.err
    evaluated = subprocess.run(
        [shell, *command], input=exported.out, capture_output=True, text=True, check=True
    )
    # the session token holds "/+=", the account name is not ASCII: both arrive as they were
    token = center.issued[-1]["sessionToken"]
    assert evaluated.stdout.splitlines() == [token, UNICODE_ACCOUNT]


def test_credential_process_is_read_by_botocore(center: OtherCenter, home: Home) -> None:
    command = f"{sys.executable} -m tui credential-process 222222222222 '{ODD_ROLE}'"
    home.write_config(
        home.aws_config.read_text() + f"\n[profile cp]\ncredential_process = {command}\n"
    )
    creds = boto3.Session(profile_name="cp").get_credentials()
    assert creds is not None and creds.method == "custom-process"
    frozen = creds.get_frozen_credentials()
    issued = center.issued[-1]
    assert (frozen.access_key, frozen.token) == (issued["accessKeyId"], issued["sessionToken"])


def test_populated_profiles_are_read_by_botocore(center: OtherCenter, home: Home) -> None:
    run = ssotui("populate")
    assert run.status == 0, run.err
    config = configparser.ConfigParser(interpolation=None)
    config.read(home.aws_config)
    written = {
        (config[name]["sso_account_id"], config[name]["sso_role_name"]): name.split(" ", 1)[1]
        for name in config.sections()
        if name.startswith("profile ")
    }
    assert set(written) == {(a.account_id, r) for a in center.accounts for r in a.roles}
    profile = written[("222222222222", ODD_ROLE)]
    creds = boto3.Session(profile_name=profile).get_credentials()  # the token ssotui cached
    assert creds is not None
    assert creds.get_frozen_credentials().access_key == center.issued[-1]["accessKeyId"]


def test_console_shortcut_needs_no_credentials(center: OtherCenter) -> None:
    run = ssotui("console", "222222222222", ODD_ROLE, "--shortcut")
    assert run.status == 0, run.err
    assert run.out.strip() == (
        f"{START_URL}/#/console?account_id=222222222222&role_name=Ops%2BDev%3D1%2C2.x%40y-z"
    )
    assert center.calls["get_role_credentials"] == 0


def test_doctor_finds_all_well(center: OtherCenter, tmp_path: Path) -> None:
    run = ssotui("doctor", env=fake_aws(tmp_path / "bin", "2.17.0"))  # not this machine's v1
    assert run.status == 0, run.out + run.err
    assert "All is well." in run.out
    assert "s against Identity Center" in run.out  # the clock, from the other server's Date


@pytest.mark.parametrize(
    ("date", "verdict"),
    [
        ("Sun Nov  6 08:49:37 1994", "[FAIL] clock: "),  # asctime: HTTP's recipients take it
        ("Sun, 06 Nov 1994 08:49:37 -0000", "[FAIL] clock: "),  # RFC 5322's UTC
        ("garbage", "[warn] clock: "),
    ],
    ids=["asctime", "minus-zero", "garbage"],
)
def test_doctor_reads_the_date_in_any_form_http_allows(
    center: OtherCenter, tmp_path: Path, date: str, verdict: str
) -> None:
    """Each was "ssotui: unexpected error (TypeError)" (or ValueError), and no report at all."""
    center.date = date  # a moment long past: this clock is decades ahead of it
    run = ssotui("doctor", env=fake_aws(tmp_path / "bin", "2.17.0"))
    assert "unexpected error" not in run.err, run.err
    clock = [line for line in run.out.splitlines() if "clock: " in line]
    assert len(clock) == 1 and clock[0].startswith(verdict), run.out


def test_configure_writes_the_session_and_logs_in_in_the_browser(
    monkeypatch: pytest.MonkeyPatch, home: Home, tmp_path: Path
) -> None:
    for name in ("SSH_CONNECTION", "SSH_TTY"):
        monkeypatch.delenv(name, raising=False)
    with reached(OtherCenter(), monkeypatch, home) as center:
        home.write_config("")
        use_fake_browser(monkeypatch, tmp_path)
        url = START_URL.removeprefix("https://")
        run = ssotui("configure", "--session", "team", "--start-url", url, "--sso-region", REGION)
        assert run.status == 0, run.err
        config = configparser.ConfigParser(interpolation=None)
        config.read(home.aws_config)
        assert dict(config["sso-session team"]) == {
            "sso_start_url": START_URL,
            "sso_region": REGION,
            "sso_registration_scopes": "sso:account:access",
        }
        assert center.calls["create_token"] == 1
        again = ssotui("login")  # the only session, logged in: nothing asked of anyone
        assert again.status == 0, again.err
        assert center.calls["create_token"] == 1
        listed = ssotui("list")
        assert listed.status == 0 and "Prod" in listed.out, listed.err
