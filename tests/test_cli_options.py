"""The command line's options as a user meets them in the first hour: global options before or
after the command, the -h pages, --region, start URLs without https://, the hints and messages
(real `ssotui` processes against the simulator)."""

from __future__ import annotations

import configparser
import json
import os
import re
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import boto3
import pytest

from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home
from tui.cli import build_parser, parse
from tui.commands.pages import PAGES
from tui.local_time import local_time
from tui.models import Token
from tui.sim import SimAccount, Simulator
from tui.workspace.setup import with_scheme


def _two_sessions(home: Home, sim: Simulator) -> None:
    """`dev` reaches the simulator; `other` is a session nobody is logged in to."""
    home.write_config(
        f"[sso-session dev]\nsso_start_url = {sim.start_url}\nsso_region = {sim.region}\n"
        "[sso-session other]\nsso_start_url = https://other.awsapps.com/start\n"
        "sso_region = eu-west-1\n"
    )


def _usable(sim: Simulator) -> tuple[SimAccount, str]:
    account = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    return account, next(r.name for r in account.roles if not r.forbidden)


def test_session_before_or_after_the_command_is_the_session_used(
    home: Home, sim: Simulator
) -> None:
    _two_sessions(home, sim)
    sim.set(interval=0)
    assert ssotui("--session", "dev", "login", "--no-browser").status == 0
    before = ssotui("--session", "dev", "list", "--json")
    after = ssotui("list", "--json", "--session", "dev")
    assert before.status == after.status == 0, before.err + after.err
    assert json.loads(before.out) == json.loads(after.out) != []
    # Not ignored: the other session is not logged in, wherever --session stands.
    for argv in (("--session", "other", "list"), ("list", "--session", "other")):
        result = ssotui(*argv)
        assert result.status == 1
        assert "other" in result.err and "ssotui login --session other" in result.err
    # Given twice, the one after the command wins.
    assert ssotui("--session", "other", "list", "--session", "dev").status == 0


def test_debug_before_the_command_logs_each_portal_call_redacted(
    sim: Simulator, sso_config: Path, token: Token
) -> None:
    account, role = _usable(sim)
    result = ssotui("--debug", "export", account.account_id, role, "--refresh")
    assert result.status == 0, result.err
    assert re.search(r"ssotui\.portal DEBUG ListAccounts: HTTP 200 in \d+ ms", result.err)
    assert re.search(r"GetRoleCredentials: HTTP 200 in \d+ ms", result.err)
    secret = re.search(r"AWS_SECRET_ACCESS_KEY=(\S+)", result.out)
    assert secret is not None and secret.group(1) not in result.err
    assert ssotui("--debug", "list").err.count("ssotui.portal") == 0  # cached: no call made
    assert "ssotui.portal" not in ssotui("list", "--refresh").err  # no --debug: silent


def test_picker_flags_before_a_command_apply_to_it_or_are_refused() -> None:
    assert parse(["--force", "login"]).force
    assert parse(["--refresh", "export", "a", "b"]).refresh
    assert parse(["--no-browser", "configure"]).no_browser
    assert not parse(["login"]).force
    result = ssotui("--refresh", "doctor")
    assert result.status == 2
    assert "--refresh does not apply to `ssotui doctor`" in result.err


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (("demo", "--session", "prod"), "--session does"),
        (("--session", "prod", "demo"), "--session does"),
        (("demo", "--start-url", "acme", "--sso-region", "eu-west-1"), "--start-url and --sso"),
    ],
)
def test_demo_refuses_a_session_option_instead_of_ignoring_it(
    home: Home, argv: tuple[str, ...], named: str
) -> None:
    # The demo always runs its own session against the simulator; the option was ignored.
    result = ssotui(*argv)
    assert result.status == 2  # was: 1 here ("needs a terminal"), the picker on a terminal
    assert result.out == ""
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert result.err.startswith(f"ssotui: {named}")
    assert "not apply to `ssotui demo`, which always uses its own session (`demo`)" in result.err


def test_demo_s_help_lists_only_what_the_demo_takes() -> None:
    """`ssotui demo -h` listed --session, --start-url and --sso-region, each to say "refused"."""
    page = ssotui("demo", "-h")
    assert page.status == 0, page.err
    for option in ("--session", "--start-url", "--sso-region", "refused"):
        assert option not in page.out, option
    assert "--debug" in page.out


def test_configure_takes_no_browser_and_adds_https(sim: Simulator, home: Home) -> None:
    sim.set(interval=0)
    bare = sim.start_url.removeprefix("https://")
    result = ssotui(
        "configure",
        "--no-browser",
        "--session",
        "acme",
        "--start-url",
        bare,
        "--sso-region",
        sim.region,
    )
    assert result.status == 0, result.err
    assert f"sso_start_url = {sim.start_url}\n" in home.aws_config.read_text()
    assert "Logged in to acme until" in result.err
    assert result.err.splitlines()[-1] == "Run `ssotui` to pick an account and role."


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("eu-west-1 ; Ireland", "eu-west-1"),
        ("EU-West-1", "eu-west-1"),
        ("eu-wst-1", "eu-west-1"),
        ("us-est-1", "us-west-1 or us-east-1"),
    ],
)
def test_configure_with_a_region_nearly_right_names_that_region(typed: str, meant: str) -> None:
    result = ssotui(
        "configure",
        "--no-login",
        "--session",
        "acme",
        "--start-url",
        "https://acme.awsapps.com/start",
        "--sso-region",
        typed,
    )
    assert result.status == 2
    assert result.err == (
        f"ssotui: {typed!r} is not an IAM Identity Center region; did you mean {meant}?\n"
    )


def test_configure_over_a_session_of_that_name_says_what_it_was(home: Home) -> None:
    home.write_config(
        "[sso-session acme]\nsso_start_url = https://old.awsapps.com/start\n"
        "sso_region = eu-west-1\n"
    )
    result = ssotui(
        "configure",
        "--no-login",
        "--session",
        "acme",
        "--start-url",
        "https://new.awsapps.com/start",
        "--sso-region",
        "us-east-2",
    )
    assert result.status == 0, result.err
    assert result.err.splitlines()[0] == (
        f"Updated [sso-session acme] in {home.aws_config}: it was "
        "https://old.awsapps.com/start (eu-west-1), now https://new.awsapps.com/start (us-east-2)."
    )


def test_configure_of_a_second_session_says_to_pick_with_its_name(
    sim: Simulator, home: Home
) -> None:
    sim.set(interval=0)
    home.write_config(
        "[sso-session first]\nsso_start_url = https://first.awsapps.com/start\n"
        "sso_region = eu-west-1\n"
    )
    result = ssotui(
        "configure",
        "--no-browser",
        "--session",
        "acme",
        "--start-url",
        sim.start_url,
        "--sso-region",
        sim.region,
    )
    assert result.status == 0, result.err
    last = result.err.splitlines()[-1]
    assert last == "Run `ssotui --session acme` to pick an account and role."


def test_an_ad_hoc_start_url_without_https_and_the_hint_repeats_the_flags(
    sim: Simulator,
) -> None:
    bare = sim.start_url.removeprefix("https://")
    flags = ("--start-url", bare, "--sso-region", sim.region)
    result = ssotui("list", *flags)
    assert result.status == 1
    assert f"run `ssotui login --start-url {bare} --sso-region {sim.region}`" in result.err
    sim.set(interval=0)
    assert ssotui("login", "--no-browser", *flags).status == 0
    # the https:// form is the same session: the same token
    assert ssotui("list", "--start-url", sim.start_url, "--sso-region", sim.region).status == 0


@pytest.mark.parametrize(
    "url",
    ["ftp://acme.awsapps.com/start", "acme", "https://", "https://caf\udce9.awsapps.com/start"],
)
def test_an_ad_hoc_start_url_that_is_no_url_is_bad_usage_before_any_call(
    sim: Simulator, url: str
) -> None:
    """A `--start-url` no portal can have is the command line's fault (exit 2), said at
    once: not after a login that Identity Center refuses in words about the session."""
    for command in ("list", "login"):
        result = ssotui(command, "--start-url", url, "--sso-region", sim.region)
        assert result.status == 2, result.err
        assert len(result.err.strip().splitlines()) == 1, result.err
        assert "is not a start URL" in result.err
    assert sim.calls["RegisterClient"] == 0


@pytest.mark.parametrize("command", sorted(PAGES))
def test_every_help_page_says_what_the_command_does_with_examples(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        build_parser().parse_args([command, "-h"])
    assert done.value.code == 0
    page = capsys.readouterr().out
    first_sentence = PAGES[command].does.split(".")[0].replace("\n", " ")
    assert first_sentence in page.replace("\n", " ")
    examples = page.split("examples:\n", 1)[1].splitlines()
    assert examples[: len(PAGES[command].examples)] == [
        f"  {line}" for line in PAGES[command].examples
    ]


@pytest.mark.parametrize("command", ["", *sorted(PAGES)])
def test_every_help_page_fits_an_80_column_terminal(
    command: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit):
        build_parser().parse_args([*filter(None, [command]), "-h"])
    too_wide = [line for line in capsys.readouterr().out.splitlines() if len(line) > 80]
    assert too_wide == []


def test_the_program_help_shows_examples_and_the_global_options() -> None:
    result = ssotui("-h")
    assert result.status == 0
    assert "examples:\n  ssotui " in result.out
    assert "session (before or after the command)" in result.out
    assert "completion" in result.out


def test_region_goes_with_the_credentials(
    sim: Simulator, sso_config: Path, home: Home, tmp_path: Path, token: Token
) -> None:
    account, role = _usable(sim)
    exported = ssotui("export", account.account_id, role, "--region", "eu-west-2")
    assert exported.status == 0, exported.err
    assert "export AWS_REGION=eu-west-2\n" in exported.out
    assert "AWS_REGION" not in ssotui("export", account.account_id, role).out  # as before

    ran = ssotui(
        "exec",
        account.account_id,
        role,
        "--region",
        "ap-south-1",
        "--",
        "sh",
        "-c",
        "echo $AWS_REGION",
    )
    assert (ran.status, ran.out.strip()) == (0, "ap-south-1"), ran.err

    wrote = ssotui(
        "write-profile", account.account_id, role, "--profile", "p", "--region", "ca-central-1"
    )
    assert wrote.status == 0, wrote.err
    assert boto3.Session(profile_name="p").region_name == "ca-central-1"
    assert (
        ssotui("credential-process", account.account_id, role, "--region", "eu-west-1").status == 0
    )

    bad = ssotui("export", account.account_id, role, "--region", "Europe")
    assert bad.status == 2
    assert "'Europe' is not an AWS region name" in bad.err


def test_a_region_of_another_partition_is_refused_before_any_call(
    sim: Simulator, sso_config: Path, home: Home, token: Token
) -> None:
    """Credentials of a commercial session do not work in China or GovCloud, and the console
    would post them to that partition's sign-in endpoint: refused in one line, nothing sent."""
    account, role = _usable(sim)
    issued = len(sim.portal.issued)
    for command in (("export",), ("console", "--print"), ("write-profile", "--profile", "p")):
        run = ssotui(command[0], account.account_id, role, *command[1:], "--region", "cn-north-1")
        assert run.status == 2, (command, run.err)
        assert "cn-north-1 is not in the partition of session" in run.err, run.err
        assert run.out == ""
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "config.toml").write_text('default_region = "us-gov-west-1"\n')
    run = ssotui("export", account.account_id, role)
    assert run.status == 2 and "us-gov-west-1 is not in the partition" in run.err, run.err
    assert len(sim.portal.issued) == issued  # no credentials were asked for
    assert not home.aws_credentials.exists()


@pytest.fixture
def tokyo(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Local time is Tokyo's, here and in the commands run."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield {"TZ": "Asia/Tokyo"}
    monkeypatch.undo()
    time.tzset()


def test_times_people_read_are_local_with_the_zone(
    sim: Simulator, sso_config: Path, home: Home, tokyo: dict[str, str]
) -> None:
    logged_in = ssotui("login", "--no-browser")
    assert logged_in.status == 0, logged_in.err
    assert re.search(r"Logged in to dev until \d{4}-\d\d-\d\d \d\d:\d\d JST\.", logged_in.err)
    account, role = _usable(sim)
    wrote = ssotui("write-profile", account.account_id, role, "--profile", "p")
    assert wrote.status == 0, wrote.err
    written = configparser.ConfigParser()
    written.read(home.aws_credentials)
    expires = datetime.fromisoformat(written["p"]["x_security_token_expires"])
    assert f"the credentials expire {local_time(expires)}." in wrote.err
    assert local_time(expires).endswith(" JST")
    master, slave = os.openpty()  # the terminal OSC 52 goes to
    try:
        copied = ssotui(
            "export", account.account_id, role, "--copy", env={"SSOTUI_TTY": os.ttyname(slave)}
        )
    finally:
        os.close(slave)
        os.close(master)
    assert copied.status == 0, copied.err
    assert re.search(r"the credentials expire \d{4}-\d\d-\d\d \d\d:\d\d JST\.", copied.err)


def test_a_repeated_logout_says_there_was_nothing_to_delete(
    sim: Simulator, sso_config: Path, token: Token
) -> None:
    first = ssotui("logout")
    assert first.status == 0
    assert "Logged out of dev: token revoked, cached token deleted." in first.err
    again = ssotui("logout")
    assert again.status == 0
    assert "Not logged in to dev: there was no cached token or catalog to delete." in again.err


def test_no_session_configured_points_at_configure(home: Home) -> None:
    result = ssotui("list")
    assert result.status == 1
    assert "run `ssotui configure`" in result.err


def test_list_refresh_shows_no_progress_when_stderr_is_not_a_terminal(
    sim: Simulator, sso_config: Path, token: Token
) -> None:
    result = ssotui("list", "--refresh")
    assert result.status == 0
    assert result.err == ""


def test_list_refresh_on_a_terminal_shows_one_line_of_progress_then_clears_it(
    sim: Simulator, sso_config: Path, token: Token
) -> None:
    master, slave = os.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tui", "list", "--refresh"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=slave,
            timeout=60,
        )
        os.close(slave)
        shown = b""
        while select.select([master], [], [], 0.2)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal's other side is closed: all was read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(master)
    assert done.returncode == 0
    text = shown.decode()
    assert f"ssotui: fetching the catalog: {len(sim.org.accounts)} accounts" in text
    # the roles as the picker's status line counts them (was "roles of 12 listed")
    assert re.search(r"fetching the catalog: \d+ accounts, roles \d+/\d+\r", text), text
    assert "\n" not in text.replace("\r\n", "")  # one line, rewritten in place
    assert text.endswith("\r\x1b[K")  # and cleared at the end
    assert len(done.stdout.decode().splitlines()) == sum(len(a.roles) for a in sim.org.accounts)


@pytest.mark.parametrize(
    ("typed", "used"),
    [
        ("acme.awsapps.com/start", "https://acme.awsapps.com/start"),
        (" d-1234567890.awsapps.com/start/ ", "https://d-1234567890.awsapps.com/start/"),
        ("https://acme.awsapps.com/start", "https://acme.awsapps.com/start"),
        ("http://127.0.0.1:8080/start", "http://127.0.0.1:8080/start"),
        ("x", "x"),  # no host name: left for the check to refuse
    ],
)
def test_a_start_url_gets_https_when_it_starts_with_a_host(typed: str, used: str) -> None:
    assert with_scheme(typed) == used


def test_a_profile_of_the_session_lends_its_region_to_no_other_role(
    sim: Simulator, sso_config: Path, home: Home
) -> None:
    """README "Regions": role credentials carry no region unless one is asked for (--region,
    default_region). The `region` of a profile that uses the session (as `aws configure sso`
    or `populate --region` write them) is that profile's: it went into every export and exec,
    the console's address and new populate blocks, while `ssotui config` said none."""
    account, role = _usable(sim)
    other = next(a for a in sim.org.accounts if a.account_id != account.account_id and a.roles)
    home.write_config(
        sso_config.read_text()
        + f"[profile theirs]\nsso_session = dev\nsso_account_id = {other.account_id}\n"
        f"sso_role_name = {other.roles[0].name}\nregion = ap-northeast-1\n"
    )
    assert ssotui("login", "--no-browser").status == 0
    exported = ssotui("export", account.account_id, role)
    assert exported.status == 0, exported.err
    assert "AWS_REGION" not in exported.out and "AWS_DEFAULT_REGION" not in exported.out
    ran = ssotui("exec", account.account_id, role, "--", "sh", "-c", "echo ${AWS_REGION-none}")
    assert (ran.status, ran.out.strip()) == (0, "none"), ran.err
    url = ssotui("console", account.account_id, role, "--print")
    assert url.status == 0, url.err
    assert "ap-northeast-1" not in url.out
    # asked for, it is there
    asked = ssotui("export", account.account_id, role, "--region", "ap-northeast-1")
    assert "export AWS_REGION=ap-northeast-1\n" in asked.out


def test_an_option_a_command_does_not_take_is_its_own_usage_error() -> None:
    """`ssotui login --refresh` said "unrecognized arguments: --refresh" under the program's
    usage line, which lists `[--refresh]`: the command's own usage says what it takes."""
    run = ssotui("login", "--refresh")
    assert run.status == 2 and run.out == ""
    assert run.err.startswith("usage: ssotui login ")
    assert run.err.rstrip().endswith("ssotui login: error: unrecognized arguments: --refresh")
    assert "[--refresh]" not in run.err
    before = ssotui("--bogus", "list")  # before the command: the program's usage, as before
    assert before.status == 2 and "ssotui: error: unrecognized arguments: --bogus" in before.err


def test_a_command_for_exec_without_the_dashes_is_told_where_it_goes() -> None:
    """`ssotui exec dev Admin aws s3 ls` (as aws-vault takes it) was only "unrecognized
    arguments": the line now says the command goes after `--`. Nothing is fetched or run."""
    run = ssotui("exec", "dev", "Admin", "aws", "s3", "ls")
    assert (run.status, run.out) == (2, "")
    assert run.err.rstrip().endswith(
        "ssotui exec: error: unrecognized arguments: aws s3 ls; a command to run goes after "
        "--: ssotui exec ACCOUNT ROLE -- CMD ARGS"
    )
    flag = ssotui("exec", "dev", "Admin", "--bogus")  # an unknown option is not a command
    assert flag.status == 2 and flag.err.rstrip().endswith("unrecognized arguments: --bogus")


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (("export", "", "Admin"), "argument ACCOUNT: an empty word (an unset variable?); pass an"),
        (("credential-process", "dev", ""), "argument ROLE: an empty word (an unset variable?)"),
        (("exec", "", "Admin", "--", "true"), "argument ACCOUNT: an empty word"),
        # `--session "$SESSION"` with the variable unset took the default session: maybe
        # another organisation than the one the script meant
        (("list", "--session", ""), "argument --session: an empty word (an unset variable?)"),
        (("--session=", "export", "dev", "Admin"), "argument --session: an empty word"),
        (("list", "--start-url", "", "--sso-region", "eu-west-1"), "argument --start-url: an"),
        (("list", "--start-url", "x.awsapps.com/start", "--sso-region", ""), "--sso-region: an"),
    ],
)
def test_an_empty_account_or_role_is_bad_usage_said_before_anything_is_fetched(
    argv: tuple[str, ...], said: str, sim: Simulator, sso_config: Path
) -> None:
    """`ssotui export "$ACCOUNT" Admin` with the variable unset was exit 1 after a login and a
    catalog fetch, with advice to --refresh: it is exit 2 at once, naming the argument."""
    run = ssotui(*argv)
    assert (run.status, run.out) == (2, "")
    assert said in run.err.splitlines()[-1]
    assert sim.calls["ListAccounts"] == 0 and sim.calls["CreateToken"] == 0


def test_help_pages_say_what_each_option_does_on_that_command() -> None:
    """Lines of the -h pages that said something else than what the option does there."""

    def page(*argv: str) -> str:
        run = ssotui(*argv, "-h")
        assert run.status == 0, run.err
        return " ".join(run.out.split())

    for command in ("exec", "export"):  # neither writes a profile
        assert "(AWS_REGION, AWS_DEFAULT_REGION)" in page(command), command
        assert "(AWS_REGION, profile)" not in page(command), command
        # any login the command needs honours it, not only the picker's
        assert "--no-browser any login it runs uses a device code" in page(command)
    assert "unset AWS_PROFILE, AWS_DEFAULT_PROFILE and AWS_SECURITY_TOKEN" in page("export")
    # configure writes the session its options name
    configure = page("configure")
    assert "(nothing written)" not in configure
    assert "--start-url URL the start URL to write" in configure
    # credential-process refuses a region of another partition: not "ignored"
    assert "ignored" not in page("credential-process")
    # `ssotui --force login` logs in again: the program's page said only "allow `s` ..."
    assert "(login: log in again even with a valid token)" in page()
    # the picker's --no-browser is about logging in (`o` still opens the console)
    assert "never open a browser" not in page()
    # a fresh home has none of the completion folders
    assert "mkdir -p" in page("completion")
    # export's default format is config.toml's export_format first, as `ssotui config` says
    assert "default: export_format in config.toml, else from $SHELL" in page("export")


def test_every_command_that_may_log_in_takes_the_login_options_worded_alike() -> None:
    """`write-profile` and `populate` log in first at a terminal, as `exec` does, but took
    neither `--use-device-code` nor `--no-browser`; `login` said each in other words."""
    from tui.commands.resolve import OFFER_LOGIN

    said: dict[str, set[str]] = {"--use-device-code": set(), "--no-browser": set()}
    for command in ["", *sorted(OFFER_LOGIN | {"login", "configure"})]:  # "": the picker
        page = ssotui(*filter(None, [command, "-h"]), env={"COLUMNS": "200"})
        assert page.status == 0, page.err
        for flag, lines in said.items():
            line = next((x for x in page.out.splitlines() if x.strip().startswith(flag)), None)
            assert line is not None, f"`ssotui {command} -h` has no {flag}"
            lines.add(line.split(flag, 1)[1].strip())
    assert all(len(lines) == 1 for lines in said.values()), said


def test_options_between_account_and_role_are_taken_as_anywhere_else(
    sim: Simulator, sso_config: Path, token: Token
) -> None:
    """`ssotui exec prod --region eu-west-1 Admin -- …` was bad usage ("unrecognized
    arguments: Admin; a command to run goes after --") on the commands whose ACCOUNT and ROLE
    may be left out: argparse filled the optional ROLE with nothing at ACCOUNT. An option
    between them is taken as it is after them, as on `credential-process` and
    `write-profile`."""
    account, role = _usable(sim)
    ran = ssotui(
        "exec", account.account_id, "--region", "eu-west-1", role, "--",
        sys.executable, "-c", "import os; print(os.environ['AWS_REGION'])",
    )  # fmt: skip
    assert (ran.status, ran.out, ran.err) == (0, "eu-west-1\n", "")
    printed = ssotui("export", account.account_id, "--format", "json", role)
    assert printed.status == 0, printed.err
    assert json.loads(printed.out)["Version"] == 1
    link = ssotui("console", account.account_id, "--shortcut", role, "--print")
    assert link.status == 0, link.err
    assert f"role_name={role}" in link.out
    # what is still wrong is said as before
    extra = ssotui("exec", account.account_id, "--region", "eu-west-1", role, "aws")
    assert extra.status == 2
    assert "unrecognized arguments: aws; a command to run goes after --" in extra.err
