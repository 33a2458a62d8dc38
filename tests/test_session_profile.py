"""The session a command takes without `--session` from the profile the AWS tools use: which
variable names it (the AWS CLI v2's order), the `default` profile, and profiles of the shared
credentials file, checked against the real AWS CLI v2 and boto3."""

from __future__ import annotations

import boto3
import pytest

from tests.aws_cli_support import aws, aws_cli
from tests.cli_helpers import Run, ssotui
from tests.conftest import Home, here
from tui.aws.session_choice import NamedProfile, chosen_session
from tui.models import Token
from tui.sim import Simulator


def _sessions(sim: Simulator) -> str:
    """Two sessions: `dev` (the simulator, logged in by the `token` fixture) and `other`."""
    return (
        f"[sso-session dev]\nsso_start_url = {sim.start_url}\nsso_region = {sim.region}\n"
        f"[sso-session other]\nsso_start_url = https://other.awsapps.com/start\n"
        f"sso_region = {sim.region}\n"
    )


def _sso_profile(header: str, session: str, sim: Simulator) -> str:
    """A profile of a role the simulated user has, in `session`."""
    account = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r for r in account.roles if not r.forbidden)
    return (
        f"[{header}]\nsso_session = {session}\nsso_account_id = {account.account_id}\n"
        f"sso_role_name = {role.name}\n"
    )


def _listed(run: Run) -> bool:
    """`ssotui list` listed roles (of `dev`, the one logged in to)."""
    assert "Traceback" not in run.err, run.err
    return run.status == 0 and bool(run.out.strip())


def _boto3_has_credentials() -> bool:
    """boto3, as a user's script runs it, gets role credentials from the simulator."""
    credentials = boto3.Session().get_credentials()
    return credentials is not None and bool(credentials.get_frozen_credentials().access_key)


def test_the_default_profile_decides_between_several_sessions(
    home: Home, sim: Simulator, token: Token
) -> None:
    # No AWS_PROFILE: `aws s3 ls`, boto3 and `aws sso login` use [default]; with several
    # sessions ssotui used to say "several SSO sessions are configured" instead.
    home.write_config(_sessions(sim) + _sso_profile("default", "dev", sim))
    assert _boto3_has_credentials()
    assert _listed(ssotui("list"))
    # `[profile default]` is the same profile to botocore, and so to ssotui
    home.write_config(_sessions(sim) + _sso_profile("profile default", "dev", sim))
    assert _listed(ssotui("list"))


def test_the_default_profile_does_not_move_the_only_session(home: Home, sim: Simulator) -> None:
    # One session and a legacy [default] repeating its start URL: still that session, as before
    home.write_config(
        f"[sso-session dev]\nsso_start_url = {sim.start_url}\nsso_region = {sim.region}\n"
        f"[default]\nsso_start_url = {sim.start_url}/\nsso_region = {sim.region}\n"
    )
    assert chosen_session(here(), profile=NamedProfile("default", None))[0].name == "dev"


@pytest.mark.parametrize("header", ["work", "default"])
def test_sso_profile_of_the_shared_credentials_file_picks_its_session(
    home: Home, sim: Simulator, token: Token, monkeypatch: pytest.MonkeyPatch, header: str
) -> None:
    # botocore merges the credentials file's profiles into the config file's (full_config),
    # SSO keys and all: boto3 and the AWS CLI log in with such a profile, and so does ssotui.
    home.write_config(_sessions(sim))
    home.aws_credentials.write_text(_sso_profile(header, "dev", sim))
    if header != "default":
        monkeypatch.setenv("AWS_PROFILE", header)
    assert _boto3_has_credentials()
    assert _listed(ssotui("list"))


def test_shared_credentials_file_overrides_a_profiles_session(
    home: Home, sim: Simulator, token: Token, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A key in the credentials file wins over the config file's, for botocore and for ssotui
    home.write_config(_sessions(sim) + _sso_profile("profile work", "other", sim))
    home.aws_credentials.write_text("[work]\nsso_session = dev\n")
    monkeypatch.setenv("AWS_PROFILE", "work")
    assert _boto3_has_credentials()
    assert _listed(ssotui("list"))


def test_shared_credentials_file_where_its_variable_says(
    home: Home, sim: Simulator, token: Token, monkeypatch: pytest.MonkeyPatch
) -> None:
    home.write_config(_sessions(sim))
    moved = home.root / "elsewhere" / "creds"
    moved.parent.mkdir()
    moved.write_text(_sso_profile("work", "dev", sim))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "~/elsewhere/creds")
    monkeypatch.setenv("AWS_PROFILE", "work")
    assert _boto3_has_credentials()
    assert _listed(ssotui("list"))


def test_legacy_profile_of_the_shared_credentials_file_by_session_option(
    home: Home, sim: Simulator
) -> None:
    home.write_config(_sessions(sim))
    home.aws_credentials.write_text(
        "[old]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-west-2\n"
    )
    session = chosen_session(here(), name="old")[0]
    assert (session.name, session.start_url, session.region) == (
        None,
        "https://old.awsapps.com/start",
        "us-west-2",
    )


@pytest.mark.parametrize(
    ("env", "said"),
    [
        (
            {"AWS_PROFILE": "nowhere"},
            "AWS_PROFILE names profile 'nowhere', which is in neither",
        ),
        ({"AWS_PROFILE": ""}, "AWS_PROFILE is set but empty"),
        (
            {"AWS_DEFAULT_PROFILE": "keys"},
            "AWS_DEFAULT_PROFILE names profile 'keys', which has no sso_session or sso_start_url",
        ),
        (
            {"AWS_PROFILE": "broken"},
            "AWS_PROFILE names profile 'broken', whose sso_session 'gone' is no [sso-session] of",
        ),
        (
            {"AWS_PROFILE": "half"},
            "AWS_PROFILE names profile 'half', whose SSO session cannot be used",
        ),
    ],
)
def test_a_profile_that_gives_no_session_is_named_in_the_line(
    home: Home, sim: Simulator, env: dict[str, str], said: str
) -> None:
    # The AWS CLI fails on each ("The config profile (nowhere) could not be found"); ssotui
    # goes on as without the variable, but its line says why the variable did not decide.
    home.write_config(
        _sessions(sim)
        + "[profile keys]\nregion = eu-west-1\n[profile broken]\nsso_session = gone\n"
        + "[profile half]\nsso_session = half\n[sso-session half]\nsso_region = eu-west-1\n"
    )
    result = ssotui("list", env=env)
    assert result.status == 1 and "several SSO sessions are configured (dev, other)" in result.err
    assert said in result.err and "\n" not in result.err.strip()


def test_aws_profile_before_aws_default_profile_as_the_aws_cli_v2(
    home: Home, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The AWS CLI v2 (and the Go SDK, so Terraform) read AWS_PROFILE first; botocore alone
    # reads AWS_DEFAULT_PROFILE first. `aws sso login` is the AWS CLI v2's: ssotui follows it.
    cli = aws_cli("2")
    home.write_config(
        _sessions(sim)
        + _sso_profile("profile p-dev", "dev", sim)
        + _sso_profile("profile p-other", "other", sim)
    )
    monkeypatch.setenv("AWS_PROFILE", "p-other")
    monkeypatch.setenv("AWS_DEFAULT_PROFILE", "p-dev")
    told = aws(cli, "sts", "get-caller-identity", home=home)
    assert told.status != 0 and "Token for other does not exist" in told.err, told.err
    result = ssotui("list")
    assert result.status == 1 and "not logged in to session other" in result.err


@pytest.mark.usefixtures("quick_aws_cli")
def test_doctor_says_which_session_a_command_takes_and_why(
    home: Home, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    home.write_config(_sessions(sim) + _sso_profile("profile p-other", "other", sim))
    lines = ssotui("doctor").out.splitlines()
    assert any(line.startswith("[  ok] session: several SSO sessions") for line in lines)
    lines = ssotui("doctor", env={"AWS_PROFILE": "p-other"}).out.splitlines()
    assert "[  ok] session: other without --session (AWS_PROFILE=p-other)" in lines
    lines = ssotui("doctor", env={"AWS_PROFILE": "nowhere"}).out.splitlines()
    assert any(line.startswith("[warn] session: several") and "'nowhere'" in line for line in lines)
    home.write_config(_sessions(sim) + _sso_profile("default", "other", sim))
    lines = ssotui("doctor").out.splitlines()
    assert "[  ok] session: other without --session (the default profile's)" in lines


@pytest.mark.usefixtures("quick_aws_cli")
def test_doctor_warns_of_a_profile_the_aws_cli_cannot_find_beside_the_only_session(
    home: Home, sim: Simulator
) -> None:
    # ssotui takes the only session; the AWS CLI fails at every command ("The config profile
    # (nowhere) could not be found"): doctor says so. A profile of static keys is no slip.
    home.write_config(_sessions(sim).split("[sso-session other]")[0] + "[profile keys]\nx = 1\n")
    lines = ssotui("doctor", env={"AWS_PROFILE": "nowhere"}).out.splitlines()
    assert any(
        line.startswith("[warn] session: dev without --session (the only one configured), and ")
        and "'nowhere', which is in neither" in line
        for line in lines
    )
    lines = ssotui("doctor", env={"AWS_PROFILE": "keys"}).out.splitlines()
    assert any(line.startswith("[  ok] session: dev without --session") for line in lines)


def test_a_profile_in_an_unreadable_credentials_file_is_not_said_to_be_nowhere(
    home: Home, sim: Simulator
) -> None:
    # The profile is there, in a credentials file the AWS CLI cannot parse either: the line
    # said "which is in neither ... nor ... (the AWS CLI finds no such profile)", sending the
    # user to look for a typo in the name; it says the file cannot be read, and shows no key.
    home.write_config(_sessions(sim))
    home.aws_credentials.write_text(
        "[work]\naws_access_key_id = AKIAEXAMPLEKEY123456\n"
        "aws_secret_access_key = SECRETSECRETSECRET\nsso_session = dev\n"
        "not a key value line SECRET2\n"
    )
    result = ssotui("list", env={"AWS_PROFILE": "work"})
    assert result.status == 1 and "\n" not in result.err.strip(), result.err
    assert "which is in neither" not in result.err
    assert f"{home.aws_credentials}, line 5 is malformed" in result.err
    assert "SECRET" not in result.err and "AKIA" not in result.err


@pytest.mark.usefixtures("quick_aws_cli")
def test_a_credentials_file_profile_with_a_missing_session_says_which(
    home: Home, sim: Simulator
) -> None:
    # "whose SSO session cannot be used (`ssotui doctor` says why)": doctor said the same line
    # again, as its own checks read only the config file's profiles. The line says why itself.
    home.write_config(_sessions(sim))
    home.aws_credentials.write_text("[work]\nsso_session = gone\n")
    said = "AWS_PROFILE names profile 'work', whose sso_session 'gone' is no [sso-session] of"
    result = ssotui("list", env={"AWS_PROFILE": "work"})
    assert result.status == 1 and said in result.err, result.err
    lines = ssotui("doctor", env={"AWS_PROFILE": "work"}).out.splitlines()
    assert any(line.startswith("[warn] session: ") and said in line for line in lines), lines
