"""The command-line contract end to end: real `ssotui` processes against the simulator."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from botocore.configloader import raw_config_parse
from botocore.exceptions import ConfigParseError

from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tui.sim import Simulator


def _login(sim: Simulator) -> None:
    result = ssotui("login", "--no-browser")
    assert result.status == 0, result.err


def test_version() -> None:
    result = ssotui("--version")
    assert result.status == 0
    assert result.out.startswith("ssotui ")


def test_bad_usage_exits_2() -> None:
    assert ssotui("list", "--nope").status == 2
    assert ssotui("export", "only-account").status == 2


def test_login_prints_url_and_code_and_writes_the_aws_cli_cache(
    sim: Simulator, sso_config: Path, home: Home
) -> None:
    result = ssotui("login", "--no-browser")
    assert result.status == 0, result.err
    assert sim.url in result.err
    assert "code" in result.err.lower()
    cache = list(home.sso_cache.glob("*.json"))
    assert cache, "no token cache written"
    token_file = home.sso_cache / (__import__("hashlib").sha1(b"dev").hexdigest() + ".json")
    assert token_file.exists()
    assert token_file.stat().st_mode & 0o777 == 0o600
    # a second login reuses the valid token: no new device authorization
    before = sim.calls["StartDeviceAuthorization"]
    assert ssotui("login", "--no-browser").status == 0
    assert sim.calls["StartDeviceAuthorization"] == before


def test_login_that_keeps_the_token_says_nothing_of_falling_back(
    sim: Simulator, sso_config: Path
) -> None:
    # over SSH the device code replaces the browser; a second `ssotui login`, which keeps the
    # valid token and logs in no way at all, said "Falling back to the device code: ..." too
    over_ssh = {"SSH_CONNECTION": "10.0.0.1 50000 10.0.0.2 22"}
    first = ssotui("login", env=over_ssh)
    assert first.status == 0, first.err
    assert "Falling back to the device code: this is an SSH session" in first.err
    again = ssotui("login", env=over_ssh)
    assert again.status == 0, again.err
    assert "Falling back" not in again.err
    assert again.err.startswith("Already logged in to dev until ")


def test_login_replaces_a_token_that_ends_soon_and_cannot_be_renewed(
    sim: Simulator, sso_config: Path
) -> None:
    # 10-minute tokens without refresh tokens: the one cached is within botocore's 15-minute
    # window, so `aws sso login` would log in afresh; `ssotui login` said "Logged in until
    # <10 minutes from now>" and did nothing, and the session ended minutes later.
    sim.set(token_lifetime=600, refresh=False)
    assert ssotui("login", "--no-browser").status == 0
    before = sim.calls["StartDeviceAuthorization"]
    result = ssotui("login", "--no-browser")
    assert result.status == 0, result.err
    assert sim.calls["StartDeviceAuthorization"] == before + 1
    assert "enter the code" in result.err


def test_list_json_is_every_pair_sorted(sim: Simulator, sso_config: Path) -> None:
    _login(sim)
    result = ssotui("list", "--json")
    assert result.status == 0, result.err
    rows = json.loads(result.out)
    expected = sorted(
        (
            (a.name.casefold(), a.account_id, r.name.casefold(), a.name, r.name)
            for a in sim.org.accounts
            for r in a.roles
        ),
    )
    assert [(r["accountName"], r["roleName"]) for r in rows] == [(e[3], e[4]) for e in expected]
    assert set(rows[0]) == {"accountId", "accountName", "emailAddress", "roleName"}


def test_cached_list_makes_no_portal_call(sim: Simulator, sso_config: Path) -> None:
    _login(sim)
    assert ssotui("list").status == 0
    before = sim.calls["ListAccounts"] + sim.calls["ListAccountRoles"]
    assert ssotui("list").status == 0
    assert sim.calls["ListAccounts"] + sim.calls["ListAccountRoles"] == before
    assert ssotui("list", "--refresh").status == 0
    assert sim.calls["ListAccounts"] + sim.calls["ListAccountRoles"] > before


def test_not_logged_in_is_one_clear_line(sim: Simulator, sso_config: Path) -> None:
    result = ssotui("list")
    assert result.status == 1
    assert result.err.strip().count("\n") == 0
    assert "ssotui login" in result.err
    assert "Traceback" not in result.err


def test_logout_revokes_and_deletes(sim: Simulator, sso_config: Path, home: Home) -> None:
    _login(sim)
    assert ssotui("list").status == 0
    result = ssotui("logout")
    assert result.status == 0, result.err
    assert sim.calls["Logout"] == 1
    assert not list(home.sso_cache.glob("*.json")) or all(
        "accessToken" not in p.read_text() for p in home.sso_cache.glob("*.json")
    )
    assert ssotui("list").status == 1


def test_malformed_config_names_the_file(home: Home) -> None:
    home.write_config("[sso-session broken\nsso_start_url = x\n")
    result = ssotui("list")
    assert result.status == 1
    assert str(home.aws_config) in result.err
    assert "Traceback" not in result.err


def test_no_session_configured_says_how_to_add_one(home: Home) -> None:
    result = ssotui("list")
    assert result.status == 1
    assert "sso-session" in result.err or "--start-url" in result.err


def test_several_sessions_and_no_default_lists_them(home: Home, sim: Simulator) -> None:
    home.write_config(
        f"[sso-session one]\nsso_start_url = {sim.start_url}\nsso_region = {sim.region}\n"
        f"[sso-session two]\nsso_start_url = {sim.start_url}2\nsso_region = {sim.region}\n"
    )
    result = ssotui("list")
    assert result.status == 1
    assert "one" in result.err and "two" in result.err


def test_ad_hoc_start_url_needs_no_config(sim: Simulator) -> None:
    args = ("--start-url", sim.start_url, "--sso-region", sim.region)
    assert ssotui("login", "--no-browser", *args).status == 0
    result = ssotui("list", "--json", *args)
    assert result.status == 0, result.err
    assert json.loads(result.out)


def test_picker_without_a_terminal_suggests_list(sim: Simulator, sso_config: Path) -> None:
    result = ssotui()
    assert result.status == 1
    assert "ssotui list" in result.err


def test_exec_exits_with_the_child_status(sim: Simulator, sso_config: Path) -> None:
    _login(sim)
    account = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r for r in account.roles if not r.forbidden)
    result = ssotui("exec", account.account_id, role.name, "--", "sh", "-c", "exit 7")
    assert result.status == 7, result.err


def test_exec_child_sees_credentials_not_profile(sim: Simulator, sso_config: Path) -> None:
    _login(sim)
    account = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r for r in account.roles if not r.forbidden)
    result = ssotui(
        "exec",
        account.account_id,
        role.name,
        "--",
        "sh",
        "-c",
        'echo "$AWS_ACCESS_KEY_ID|${AWS_PROFILE-unset}|$SSOTUI_ACCOUNT_ID|$SSOTUI_ROLE_NAME"',
        env={"AWS_PROFILE": "someone-else"},
    )
    assert result.status == 0, result.err
    key, profile, account_id, role_name = result.out.strip().split("|")
    assert key.startswith("ASIA")
    assert profile == "unset"
    assert (account_id, role_name) == (account.account_id, role.name)


def test_export_sh_is_evaluated_by_bash_and_works_with_boto3(
    sim: Simulator, sso_config: Path
) -> None:
    _login(sim)
    account = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r for r in account.roles if not r.forbidden)
    result = ssotui("export", account.name, role.name.lower(), "--format", "sh")
    assert result.status == 0, result.err
    import subprocess

    shown = subprocess.run(
        ["bash", "-c", result.out + '\necho "$AWS_ACCESS_KEY_ID $SSOTUI_ACCOUNT_NAME"'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert shown.startswith("ASIA")
    assert shown.endswith(account.name)


def test_forbidden_role_is_no_access(sim: Simulator, sso_config: Path) -> None:
    _login(sim)
    account, role = next((a, r) for a in sim.org.accounts for r in a.roles if r.forbidden)
    result = ssotui("export", account.account_id, role.name)
    assert result.status == 1
    assert "no access" in result.err
    assert result.out == ""
    assert "Traceback" not in result.err


def test_unknown_account_is_one_line(sim: Simulator, sso_config: Path) -> None:
    _login(sim)
    result = ssotui("export", "no-such-account-xyz", "Admin")
    assert result.status == 1
    assert "no-such-account-xyz" in result.err
    assert result.err.strip().count("\n") == 0


def test_an_account_assigned_since_the_cache_is_found_with_refresh(
    sim: Simulator, sso_config: Path
) -> None:
    from tui.sim import Organisation
    from tui.sim.org import SimAccount, SimRole

    _login(sim)
    assert ssotui("list").status == 0  # cached, fresh for an hour
    new = SimAccount("999999999999", "brand-new", "new@example.com", [SimRole("Admin")])
    sim.org = sim.portal.org = Organisation([*sim.org.accounts, new])
    missed = ssotui("export", "brand-new", "Admin")
    # was: "no account matches 'brand-new'; run `ssotui list` to see your accounts", and
    # `ssotui list` showed the same cached catalog without it
    assert missed.status == 1 and missed.err.count("\n") == 1
    assert "(the catalog was cached just now: add --refresh for an account" in missed.err
    assert ssotui("export", "brand-new", "Admin", "--refresh").status == 0
    assert ssotui("export", "no-such-account-xyz", "Admin", "--refresh").err.count("--refresh") == 0


def test_credential_process_profile_works_in_boto3(
    sim: Simulator, sso_config: Path, home: Home
) -> None:
    import shlex
    import sys

    _login(sim)
    account = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r for r in account.roles if not r.forbidden)
    command = shlex.join([sys.executable, "-m", "tui", "credential-process", account.account_id])
    home.aws_config.write_text(
        home.aws_config.read_text()
        + f"\n[profile cp]\ncredential_process = {command} {shlex.quote(role.name)}\n"
    )
    creds = boto3.Session(profile_name="cp").get_credentials()
    assert creds is not None
    frozen = creds.get_frozen_credentials()
    assert frozen.access_key.startswith("ASIA")
    assert frozen.token


def test_write_profile_is_read_by_botocore(sim: Simulator, sso_config: Path, home: Home) -> None:
    _login(sim)
    account = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r for r in account.roles if not r.forbidden)
    result = ssotui("write-profile", account.account_id, role.name, "--profile", "picked")
    assert result.status == 0, result.err
    assert "ASIA" not in result.err + result.out
    creds = boto3.Session(profile_name="picked").get_credentials()
    assert creds is not None
    assert creds.get_frozen_credentials().access_key.startswith("ASIA")


def test_write_profile_warns_when_the_config_file_profile_of_that_name_wins_over_the_keys(
    sim: Simulator, sso_config: Path, home: Home
) -> None:
    """botocore takes an SSO profile (or role_arn) of the config file before the credentials
    file's keys of the same name: AWS_PROFILE=name gives the other role, and the user is told."""
    _login(sim)
    granted = [(a, r) for a in sim.org.accounts for r in a.roles if not r.forbidden]
    (account, role), (other, other_role) = granted[0], granted[-1]
    assert (other.account_id, other_role.name) != (account.account_id, role.name)
    with home.aws_config.open("a") as config:
        config.write(
            f"\n[profile ops]\nsso_session = dev\nsso_account_id = {other.account_id}\n"
            f"sso_role_name = {other_role.name}\n"
            f"\n[profile same]\nsso_session = dev\nsso_account_id = {account.account_id}\n"
            f"sso_role_name = {role.name}\n"
        )
    result = ssotui("write-profile", account.account_id, role.name, "--profile", "ops")
    assert result.status == 0, result.err
    creds = boto3.Session(profile_name="ops").get_credentials()
    assert creds is not None and creds.method == "sso"  # not the keys just written
    assert (
        f"ssotui: warning: [profile ops] of {home.aws_config} names the SSO role "
        f"{other_role.name} of account {other.account_id}, which the AWS CLI and SDKs use before "
        "these keys with AWS_PROFILE=ops: choose another profile name to use them"
    ) in result.err
    # an SSO profile of the very role gives the same role: nothing to say
    result = ssotui("write-profile", account.account_id, role.name, "--profile", "same")
    assert result.status == 0, result.err
    assert "warning" not in result.err


def test_write_profile_says_how_to_use_a_name_with_a_space_in_a_shell(
    sim: Simulator, sso_config: Path, home: Home
) -> None:
    """The line says `AWS_PROFILE=…` to paste into a shell: a name with a space is quoted, so
    that bash gives the profile's whole name to the command, which botocore then finds."""
    import re
    import subprocess

    _login(sim)
    account = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r for r in account.roles if not r.forbidden)
    result = ssotui("write-profile", account.account_id, role.name, "--profile", "my prof")
    assert result.status == 0, result.err
    use = re.search(r"Use it with (AWS_PROFILE=.*)\.$", result.err.strip(), re.MULTILINE)
    assert use is not None, result.err
    pasted = subprocess.run(
        ["bash", "-c", f"{use.group(1)} printenv AWS_PROFILE"], capture_output=True, text=True
    )
    assert pasted.stdout == "my prof\n", pasted.stderr
    assert boto3.Session(profile_name="my prof").get_credentials() is not None


def test_logout_purge_removes_only_written_profiles(
    sim: Simulator, sso_config: Path, home: Home
) -> None:
    _login(sim)
    home.aws_credentials.write_text("# mine\n[keep]\naws_access_key_id = AKIAKEEP\n")
    account = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r for r in account.roles if not r.forbidden)
    assert ssotui("write-profile", account.account_id, role.name, "--profile", "tmp").status == 0
    assert "[tmp]" in home.aws_credentials.read_text()
    result = ssotui("logout", "--purge")
    assert result.status == 0, result.err
    # as before write-profile, to the byte (was: the blank line put before [tmp] stayed)
    assert home.aws_credentials.read_text() == "# mine\n[keep]\naws_access_key_id = AKIAKEEP\n"


def test_logout_purge_on_a_read_only_file_still_logs_out_and_says_what_stayed(
    sim: Simulator, sso_config: Path, home: Home
) -> None:
    """A purge refused (a read-only credentials file) used to end the logout there: the token
    was gone but the catalog and kept credentials stayed, and nothing said the logout had
    happened. Now the logout is whole, and one line says which profiles stayed."""
    _login(sim)
    account = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r for r in account.roles if not r.forbidden)
    assert ssotui("write-profile", account.account_id, role.name, "--profile", "tmp").status == 0
    assert ssotui("list").status == 0  # the catalog is cached
    from tui.aws.session_choice import chosen_session
    from tui.store import catalog_cache, credentials_cache

    session = chosen_session(here(), name="dev")[0]
    catalog = catalog_cache.cache_path(here(), session)
    kept = credentials_cache.cache_path(here(), session, account.account_id, role.name)
    assert catalog.exists() and kept.exists()
    written = home.aws_credentials.read_bytes()
    home.aws_credentials.chmod(0o400)
    result = ssotui("logout", "--purge")
    assert result.status == 1
    assert "Logged out of dev: token revoked" in result.err
    assert "catalog" in result.err.splitlines()[0]
    assert "profiles ssotui wrote were not removed" in result.err and "read-only" in result.err
    assert "Traceback" not in result.err
    assert home.aws_credentials.read_bytes() == written  # the file as it was
    assert not catalog.exists() and not kept.exists()  # the logout went on after the refusal
    assert ssotui("list").status == 1


def test_a_credentials_file_botocore_refuses_is_named_as_such(
    sim: Simulator, sso_config: Path, home: Home
) -> None:
    _login(sim)
    # A byte order mark (Notepad's "UTF-8"): botocore, and so the AWS CLI, cannot parse it.
    home.aws_credentials.write_bytes(b"\xef\xbb\xbf[default]\r\naws_access_key_id = AKIA\r\n")
    result = ssotui("list", "--refresh")
    assert result.status == 1
    said = f"the shared credentials file {home.aws_credentials} starts with a byte order mark"
    assert said in result.err
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"aws_access_key_id = AKIA\n[mine]\nk = v\n", "line 1 is malformed (a setting before"),
        (b"[mine\nk = v\n", "line 1 is malformed (a [section] header without its closing ]"),
        (b"[mine]\nk = v\nnot a setting\n", "line 3 is malformed (a line that is not"),
        (b"[mine]\nk = 1\nk = 2\n", "line 3 is malformed (a setting defined twice"),
        (b"[picked]\nk = 1\n[picked]\nk = 2\n", "line 3 is malformed (a section defined twice"),
        (b"[mine]\ns3 =\n  no equals sign\n", "([mine] s3: an indented line without `=`)"),
        (b"\xef\xbb\xbf[mine]\r\nk = v\r\n", "starts with a byte order mark"),
        (b"# caf\xe9 (latin-1)\n[mine]\nk = v\n", "is not valid UTF-8"),
    ],
)
def test_write_profile_leaves_a_credentials_file_botocore_cannot_parse_unchanged(
    sim: Simulator, sso_config: Path, home: Home, content: bytes, said: str
) -> None:
    _login(sim)
    account = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r for r in account.roles if not r.forbidden)
    # A first write fetches (and keeps) the credentials, so the second meets only the file.
    assert ssotui("write-profile", account.account_id, role.name, "--profile", "a").status == 0
    home.aws_credentials.write_bytes(content)
    with pytest.raises(ConfigParseError):
        raw_config_parse(str(home.aws_credentials))
    result = ssotui("write-profile", account.account_id, role.name, "--profile", "picked")
    assert result.status == 1
    assert (
        f"the shared credentials file {home.aws_credentials}" in result.err and said in result.err
    )
    assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err
    assert home.aws_credentials.read_bytes() == content


def test_configure_with_an_empty_aws_config_file_writes_nothing_and_says_why(
    home: Home, tmp_path: Path
) -> None:
    # botocore reads no config file at all then: a session written anywhere would go unseen.
    here = tmp_path / "here"
    here.mkdir()
    result = ssotui(
        "configure", "--session", "acme", "--start-url", "https://acme.awsapps.com/start",
        "--sso-region", "eu-west-1", "--no-login", env={"AWS_CONFIG_FILE": ""}, cwd=here,
    )  # fmt: skip
    assert result.status == 1
    assert result.err.startswith("ssotui: AWS_CONFIG_FILE is set but empty, so the AWS CLI")
    assert "nothing was written" in result.err and len(result.err.strip().splitlines()) == 1
    assert not home.aws_config.exists() and list(here.iterdir()) == []


def test_write_profile_with_an_empty_credentials_file_variable_writes_nothing_and_says_why(
    sim: Simulator, sso_config: Path, home: Home, tmp_path: Path
) -> None:
    _login(sim)
    account = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r for r in account.roles if not r.forbidden)
    empty = {"AWS_SHARED_CREDENTIALS_FILE": ""}
    here = tmp_path / "here"
    here.mkdir()
    result = ssotui("write-profile", account.account_id, role.name, env=empty, cwd=here)
    assert result.status == 1
    said = "ssotui: AWS_SHARED_CREDENTIALS_FILE is set but empty, so the AWS CLI and SDKs read"
    assert result.err.startswith(said) and "~/.aws/credentials" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert not home.aws_credentials.exists() and list(here.iterdir()) == []
    # Reading is as botocore's: no credentials file, so nothing to take out, and no error.
    purge = ssotui("logout", "--purge", env=empty, cwd=here)
    assert purge.status == 0, purge.err


def test_write_profile_into_a_file_others_can_read_says_so(
    sim: Simulator, sso_config: Path, home: Home
) -> None:
    """The keys land where others can read them: the mode is kept (as the AWS CLI keeps it),
    and the user is told in one line how to close it."""
    _login(sim)
    account = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r for r in account.roles if not r.forbidden)
    home.aws_credentials.parent.mkdir(parents=True, exist_ok=True)
    home.aws_credentials.write_text("[static]\nregion = eu-west-1\n")
    home.aws_credentials.chmod(0o644)
    result = ssotui("write-profile", account.account_id, role.name, "--profile", "picked")
    assert result.status == 0, result.err
    assert result.err.splitlines()[-1] == (
        f"ssotui: warning: others can read {home.aws_credentials} (mode 0644), and with it the "
        f"keys just written: chmod 600 {home.aws_credentials}"
    )
    assert home.aws_credentials.stat().st_mode & 0o777 == 0o644
    home.aws_credentials.chmod(0o600)
    again = ssotui("write-profile", account.account_id, role.name, "--profile", "picked")
    assert again.status == 0 and "warning" not in again.err


def test_a_login_that_keeps_the_token_says_it_was_already_logged_in(
    sim: Simulator, sso_config: Path
) -> None:
    # a second `ssotui login` said "Logged in to dev until ...", as if it had logged in again
    sim.set(interval=0)
    first = ssotui("login", "--no-browser")
    assert first.status == 0, first.err
    assert "Logged in to dev until " in first.err and "Already" not in first.err
    again = ssotui("login", "--no-browser")
    assert again.status == 0, again.err
    assert "Already logged in to dev until " in again.err
    assert "; `ssotui login --force` logs in again." in again.err
    # --force before the command is login's own: it logs in again, and says so
    before = sim.calls["StartDeviceAuthorization"]
    forced = ssotui("--force", "login", "--no-browser")
    assert forced.status == 0, forced.err
    assert sim.calls["StartDeviceAuthorization"] == before + 1
    assert "Logged in to dev until " in forced.err and "Already" not in forced.err


# "caf\udce9": café typed in a Latin-1 terminal; Python hands the byte on as a lone surrogate,
# and a raw 0xE9 in the credentials file stops botocore and the AWS CLI reading any profile.
@pytest.mark.parametrize("name", ["a]b", " padded", "", "caf\udce9"])
def test_write_profile_refuses_a_bad_profile_name_as_bad_usage_before_anything_else(
    sim: Simulator, sso_config: Path, home: Home, name: str
) -> None:
    """A `--profile` no INI file can hold is the command line's fault (exit 2), said first:
    not after a login or a credentials fetch that could not help."""
    result = ssotui("write-profile", "111111111111", "Admin", "--profile", name)
    assert result.status == 2, result.err
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert f"profile name {name!r}" in result.err
    assert "login" not in result.err
    assert not home.aws_credentials.exists()
