"""Small slips in the AWS files that a user meets: each ends in one line that says what to fix.

A folder where the config or credentials file should be, a profile whose `sso_session` names a
section that is not there, and an inline comment after a value (` ; eu`, ` # corp`), which
botocore keeps in the value: ssotui reads what botocore reads, and says why it fails.
"""

from __future__ import annotations

from pathlib import Path

import botocore.session
import pytest

from tests.cli_helpers import Run
from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tui.aws.session_choice import chosen_session
from tui.errors import ConfigError
from tui.models import Token
from tui.sim import Simulator

# `ssotui doctor` asks `aws --version`: at once here, that check is not what these tests judge.
pytestmark = pytest.mark.usefixtures("quick_aws_cli")


def one_line(run: Run) -> str:
    """The single line a failed command printed on stderr."""
    assert run.status == 1, run
    assert "Traceback" not in run.err
    lines = run.err.splitlines()
    assert len(lines) == 1, run.err
    return lines[0]


def test_an_aws_config_file_that_is_a_folder_says_to_point_the_variable_at_the_file(
    home: Home,
) -> None:
    home.aws_config.mkdir()
    (home.aws_config / "kept").write_text("mine")
    line = one_line(ssotui("list"))
    assert f"the AWS config file {home.aws_config} is a folder, not a file" in line
    assert "point AWS_CONFIG_FILE at the file itself" in line
    assert "Is a directory" not in line
    assert (home.aws_config / "kept").read_text() == "mine"


def test_the_default_aws_config_file_that_is_a_folder_says_to_move_it(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_CONFIG_FILE")
    home.aws_config.mkdir()
    # what the line says of the AWS CLI: botocore reads nothing from a folder
    assert botocore.session.Session().full_config["profiles"] == {}
    with pytest.raises(ConfigError) as caught:
        chosen_session(here())
    assert "is a folder, not a file" in caught.value.message
    assert "move the folder aside" in caught.value.message
    assert "or set AWS_CONFIG_FILE" in caught.value.message


def one_line_after_logout(run: Run) -> str:
    """The line a logout that went on past a failure printed after its own (exit 1)."""
    assert run.status == 1, run
    assert "Traceback" not in run.err
    logged_out, line = run.err.splitlines()
    assert logged_out.startswith("Logged out of ")
    return line


def _login(sim: Simulator) -> None:
    sim.set(interval=0)
    run = ssotui("login", "--use-device-code", "--no-browser")
    assert run.status == 0, run.err


def test_a_credentials_file_that_is_a_folder_is_one_line_and_nothing_is_lost(
    sim: Simulator, sso_config: Path, home: Home
) -> None:
    _login(sim)
    account = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r for r in account.roles if not r.forbidden)
    home.aws_credentials.mkdir()
    (home.aws_credentials / "kept").write_text("mine")
    line = one_line(ssotui("write-profile", account.account_id, role.name))
    assert f"the shared credentials file {home.aws_credentials} is a folder, not a file" in line
    assert "point AWS_SHARED_CREDENTIALS_FILE at the file itself" in line
    purge = one_line_after_logout(ssotui("logout", "--purge"))
    assert f"the shared credentials file {home.aws_credentials} is a folder, not a file" in purge
    assert purge.startswith("ssotui: the profiles ssotui wrote were not removed: ")
    assert [p.name for p in home.aws_credentials.iterdir()] == ["kept"]
    assert (home.aws_credentials / "kept").read_text() == "mine"


BROKEN = """\
[profile app-admin]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin

[profile app-read]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = ReadOnly
"""


def test_a_profile_that_names_a_missing_sso_session_is_named_with_the_fix(home: Home) -> None:
    home.write_config(BROKEN)
    line = one_line(ssotui("list"))
    assert f"[profile app-admin] in {home.aws_config} (and 1 other profile)" in line
    assert "uses sso_session = corp, but there is no [sso-session corp] section" in line
    assert "add it, or fix sso_session" in line
    assert "ssotui configure" not in line
    doctor = ssotui("doctor")
    assert doctor.status == 1
    assert "[FAIL] AWS config: [profile app-admin]" in doctor.out
    assert "has no sso-session or SSO profile" not in doctor.out


def _config(
    home: Home, sim: Simulator, *, url: str = "", region: str = "", scopes: str = ""
) -> None:
    home.write_config(
        "[sso-session dev]\n"
        f"sso_start_url = {sim.start_url}{url}\n"
        f"sso_region = {sim.region}{region}\n"
        f"sso_registration_scopes = sso:account:access{scopes}\n"
    )


def test_a_region_with_an_inline_comment_says_so_when_login_fails(
    sim: Simulator, home: Home
) -> None:
    _config(home, sim, region=" ; eu")
    # what is read stays botocore's reading: the comment is part of the value
    assert botocore.session.Session().full_config["sso_sessions"]["dev"]["sso_region"] == (
        f"{sim.region} ; eu"
    )
    for flow in (("--use-device-code", "--no-browser"), ()):
        line = one_line(ssotui("login", *flow))
        assert f"sso_region of session dev is '{sim.region} ; eu'" in line
        assert "'; eu' as part of it, not as a comment" in line
        assert "put the comment on a line of its own" in line
        assert "region_name" not in line


def test_a_region_with_an_inline_comment_says_so_with_either_portal_client(
    sim: Simulator, home: Home, token: Token, portal_client_kind: str
) -> None:
    """Logged in before the comment was added: ssotui's direct portal client used to fetch the
    catalog and role credentials for 'us-east-1 # prod' (the simulator's address overrides the
    region's), where botocore's client said this line."""
    account = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r for r in account.roles if not r.forbidden)
    _config(home, sim, region=" # prod")
    for command in (
        ("list", "--refresh"),
        ("credential-process", account.account_id, role.name),
        ("console", account.account_id, role.name, "--print"),  # was: "… is not a region name"
    ):
        line = one_line(ssotui(*command))
        assert line == (
            f"ssotui: sso_region of session dev is '{sim.region} # prod': the AWS CLI reads "
            "'# prod' as part of it, not as a comment; put the comment on a line of its own"
        ), command


@pytest.mark.parametrize("comment", [" # corp", " ; corp"])
def test_a_start_url_with_an_inline_comment_says_so_when_identity_center_refuses_it(
    sim: Simulator, home: Home, comment: str
) -> None:
    _config(home, sim, url=comment)
    for flow in (("--use-device-code", "--no-browser"), ()):
        line = one_line(ssotui("login", *flow))
        assert "Identity Center refused" in line
        assert f"sso_start_url of session dev is '{sim.start_url}{comment}'" in line
        assert "put the comment on a line of its own, then run `ssotui login` again" in line


def test_doctor_flags_an_inline_comment_and_fails_on_one_that_cannot_work(
    sim: Simulator, home: Home
) -> None:
    _config(home, sim, scopes=" # the default")
    run = ssotui("doctor")
    assert "[warn] session dev: sso_registration_scopes of session dev is" in run.out
    assert "'# the default' as part of it" in run.out
    assert run.status == 0, run.out
    _config(home, sim, url=" # corp")
    run = ssotui("doctor")
    assert "[FAIL] session dev: sso_start_url of session dev is" in run.out
    assert "write the full URL" not in run.out
    assert run.status == 1
    _config(home, sim, region=" ; eu")
    run = ssotui("doctor")
    assert f"[FAIL] session dev: sso_region of session dev is '{sim.region} ; eu'" in run.out


def test_a_region_that_is_no_region_name_is_named_with_the_fix(sim: Simulator, home: Home) -> None:
    """Was: "cannot set up the sso-oidc client for ../eu: Provided region_name '../eu' doesn't
    match a supported format" from login, and "not logged in" from the other commands."""
    home.write_config(
        f"[sso-session dev]\nsso_start_url = {sim.start_url}\nsso_region = eu\x1b[2J\n"
    )
    fix = (
        f"ssotui: [sso-session dev] in {home.aws_config}: sso_region 'eu␛[2J' is not a region "
        "name (like us-east-1): fix it"
    )
    for command in (("login", "--no-browser"), ("list",), ("export", "any", "role")):
        assert one_line(ssotui(*command)) == fix
    assert "[FAIL] AWS config: " + fix.removeprefix("ssotui: ") in ssotui("doctor").out
    run = ssotui("login", "--start-url", sim.start_url, "--sso-region", "../eu")
    assert run.status == 2
    assert run.err == "ssotui: --sso-region '../eu' is not a region name (like us-east-1)\n"


def test_a_session_name_botocore_cannot_read_is_named_printably_not_left_out(
    sim: Simulator, home: Home
) -> None:
    """A name ending in an escape sequence's string terminator (ESC \\) is no shell word: botocore
    skips the section, and so did ssotui, without a word (the picker's chooser left it out)."""
    bad = "[sso-session evil\x1b]0;TITLE\x1b\\]"
    home.write_config(f"{bad}\nsso_start_url = {sim.start_url}\nsso_region = {sim.region}\n")
    fix = (
        f"ssotui: [sso-session evil␛]0;TITLE␛\\] in {home.aws_config}: the AWS CLI reads no "
        "session name from this header (one word, without blanks, quotes or backslashes): "
        "rename the session"
    )
    assert one_line(ssotui("list")) == fix
    assert "[FAIL] AWS config: " + fix.removeprefix("ssotui: ") in ssotui("doctor").out
