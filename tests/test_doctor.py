"""`ssotui doctor` and `ssotui config`: each check's good and bad case, as the user sees them."""

from __future__ import annotations

import os
import re
import stat
import sys
from pathlib import Path

import pytest

from tests.cli_helpers import fake_aws
from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home
from tui.aws.ca_files import default_ca_file
from tui.models import Token
from tui.sim import Organisation, Simulator
from tui.sim.certificate import server_context

# `ssotui doctor` asks `aws --version`: at once here (the two tests of that check set their own).
pytestmark = pytest.mark.usefixtures("quick_aws_cli")


def test_all_well_when_logged_in(
    sim: Simulator, sso_config: Path, home: Home, tmp_path: Path, token: Token
) -> None:
    result = ssotui("doctor", env=fake_aws(tmp_path / "bin", "2.17.0"))
    assert result.status == 0, result.out + result.err
    assert "All is well." in result.out
    assert ": 1 session: dev\n" in result.out  # said "1 session(s)"
    assert "expires in" in result.out
    assert "v2.17.0" in result.out
    assert "against Identity Center" in result.out


def test_missing_config_fails(home: Home) -> None:
    result = ssotui("doctor")
    assert result.status == 1
    assert "[FAIL] AWS config" in result.out
    assert "Traceback" not in result.err


def test_not_logged_in_and_aws_cli_v1_are_warnings(
    sim: Simulator, sso_config: Path, tmp_path: Path
) -> None:
    result = ssotui("doctor", env=fake_aws(tmp_path / "bin", "1.29.0"))
    assert "[warn] token dev: not logged in" in result.out
    assert "SSO needs v2" in result.out
    # the last line said "All is well." under those two [warn] lines
    assert result.status == 0
    assert re.fullmatch(r"No check failed; \d+ warnings above\.", result.out.splitlines()[-1])


def test_with_several_sessions_the_login_it_advises_names_the_session(
    sim: Simulator, home: Home
) -> None:
    # "run `ssotui login`" there failed: several sessions, which one? (the first line it gave)
    home.write_config(
        f"[sso-session dev]\nsso_start_url = {sim.start_url}\nsso_region = {sim.region}\n"
        "[sso-session other]\nsso_start_url = https://other.awsapps.com/start\n"
        "sso_region = eu-west-1\n"
        "[profile old]\nsso_start_url = https://old.awsapps.com/start\n"
        "sso_region = us-west-2\nsso_account_id = 111111111111\nsso_role_name = R\n"
    )
    out = ssotui("doctor").out
    assert "[warn] token other: not logged in: run `ssotui login --session other`\n" in out
    # a legacy profile's session by the profile's name, as the commands name it
    assert "[warn] token https://old.awsapps.com/start: not logged in: run `ssotui login " in out
    assert "not logged in: run `ssotui login --session old`\n" in out
    advised = ssotui("login", "--session", "other", "--no-browser", timeout=20)
    assert "several SSO sessions" not in advised.err  # the advice is one that runs


def test_doctor_advises_a_legacy_profile_s_login_as_the_commands_do_and_it_works(
    sim: Simulator, org: Organisation, home: Home
) -> None:
    """doctor said `ssotui login --start-url … --sso-region …` for a legacy profile (sso_start_url
    in the profile), the commands `--session NAME` with the profile's name, as their list of
    sessions shows it ("old (legacy profile)"). Both reach the same token: doctor now says what
    the commands say."""
    home.write_config(
        "[sso-session other]\nsso_start_url = https://other.awsapps.com/start\n"
        "sso_region = eu-west-1\n"
        f"[profile old]\nsso_start_url = {sim.start_url}\nsso_region = {sim.region}\n"
        "sso_account_id = 111111111111\nsso_role_name = R\n"
    )
    listed = ssotui("list")
    assert "(other, old (legacy profile)): pass --session NAME" in listed.err
    told = ssotui("list", "--session", "old").err
    assert "run `ssotui login --session old`" in told
    out = ssotui("doctor").out
    assert "not logged in: run `ssotui login --session old`\n" in out
    assert ssotui("login", "--session", "old", "--no-browser", timeout=20).status == 0
    assert "expires in" in ssotui("doctor").out.split(f"token {sim.start_url}: ", 1)[1]
    # the start URL and region reach the same token (the AWS CLI's cache: sha1 of the URL)
    same = ssotui("list", "--start-url", sim.start_url, "--sso-region", sim.region)
    assert same.status == 0 and org.accounts[0].account_id in same.out, same.err


def test_no_aws_config_says_to_run_configure(home: Home) -> None:
    assert "not found: run `ssotui configure` to add an [sso-session]" in ssotui("doctor").out
    home.write_config("[default]\nregion = eu-west-1\n")
    assert "has no sso-session or SSO profile: run `ssotui configure`" in ssotui("doctor").out


def test_readable_credentials_file_is_flagged(sim: Simulator, sso_config: Path, home: Home) -> None:
    home.aws_credentials.write_text("[x]\naws_access_key_id = A\n")
    home.aws_credentials.chmod(0o644)
    result = ssotui("doctor")
    assert "others can read it" in result.out
    home.aws_credentials.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert "others can read it" not in ssotui("doctor").out


def test_bad_settings_are_named(sim: Simulator, sso_config: Path, home: Home) -> None:
    home.config_dir.mkdir(parents=True)
    (home.config_dir / "config.toml").write_text('catalog_lifetime = "long"\ncolour = 1\n')
    result = ssotui("doctor")
    assert "`catalog_lifetime` should be int" in result.out
    assert "unknown key `colour`" in result.out
    # every other command warns too, naming the key and the file
    listing = ssotui("config")
    assert "unknown key `colour`" in listing.err
    assert str(home.config_dir / "config.toml") in listing.err


def test_a_theme_the_picker_has_not_is_flagged_as_the_picker_says_it(
    sim: Simulator, sso_config: Path, home: Home
) -> None:
    # doctor said "[  ok] ssotui config" for `theme = "nope"`, which the picker warns about
    home.config_dir.mkdir(parents=True)
    config = home.config_dir / "config.toml"
    config.write_text('theme = "nope"\n')
    lines = ssotui("doctor").out.splitlines()
    (line,) = [x for x in lines if "ssotui config" in x]
    assert line.startswith(f"[warn] ssotui config: Unknown theme 'nope' in {config}; using ")
    assert "Themes: " in line and "nord" in line  # the themes there are, as the picker names them
    config.write_text('theme = "nord"\n')
    assert f"[  ok] ssotui config: {config}" in ssotui("doctor").out.splitlines()


def _row(out: str, name: str) -> list[str]:
    """The words after `name` on its line of `ssotui config`."""
    lines = (line.strip() for line in out.splitlines())
    return next(line[len(name) :].split() for line in lines if line.startswith(name + " "))


def test_config_shows_effective_values_and_where_each_comes_from(home: Home) -> None:
    home.config_dir.mkdir(parents=True)
    (home.config_dir / "config.toml").write_text('default_session = "acme"\ntheme = "nord"\n')
    result = ssotui("config", env={"SHELL": "/usr/bin/fish", "SSOTUI_READ_TIMEOUT": "30"})
    assert result.status == 0, result.err
    assert str(home.aws_config) in result.out
    assert "None" not in result.out
    assert _row(result.out, "default_session") == ['"acme"', "(config.toml)"]
    assert _row(result.out, "theme") == ['"nord"', "(config.toml)"]
    # not set anywhere: the value in effect, and where it comes from
    assert _row(result.out, "export_format")[:2] == ['"fish"', "(environment:"]
    assert _row(result.out, "subshell_command")[:2] == ['"/usr/bin/fish"', "(environment:"]
    assert _row(result.out, "concurrent_requests") == ["96", "(default)"]
    assert _row(result.out, "catalog_lifetime") == ["3600", "(default)"]
    assert _row(result.out, "SSOTUI_READ_TIMEOUT") == ["30", "(environment)"]
    assert _row(result.out, "ssotui config")[-1] == "$SSOTUI_CONFIG_DIR)"


@pytest.mark.parametrize("body", ["not toml [", "open_browser = 3"])
def test_broken_settings_never_stop_a_command(home: Home, body: str) -> None:
    home.config_dir.mkdir(parents=True)
    (home.config_dir / "config.toml").write_text(body)
    result = ssotui("config")
    assert result.status == 0
    assert "warning" in result.err


def test_subshell_command_setting_is_honoured(
    sim: Simulator, sso_config: Path, home: Home, tmp_path: Path, token: Token
) -> None:
    marker = tmp_path / "ran"
    home.config_dir.mkdir(parents=True)
    (home.config_dir / "config.toml").write_text(
        f"subshell_command = \"sh -c 'echo $SSOTUI_ROLE_NAME > {marker}'\"\n"
    )
    account = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r for r in account.roles if not r.forbidden)
    result = ssotui("exec", account.account_id, role.name)
    assert result.status == 0, result.err
    assert marker.read_text().strip() == role.name


def test_export_format_setting_is_honoured(
    sim: Simulator, sso_config: Path, home: Home, token: Token
) -> None:
    home.config_dir.mkdir(parents=True)
    (home.config_dir / "config.toml").write_text('export_format = "fish"\n')
    account = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r for r in account.roles if not r.forbidden)
    result = ssotui("export", account.account_id, role.name, env={"SHELL": "/bin/bash"})
    assert result.status == 0, result.err
    assert result.out.startswith("set -e -g AWS_PROFILE; or true\n")
    assert "\nset -gx AWS_ACCESS_KEY_ID " in result.out


def test_clock_skew_against_the_server_fails(sim: Simulator, sso_config: Path) -> None:
    sim.set(clock_skew=-900)  # the server's clock is 15 minutes behind ours
    result = ssotui("doctor")
    assert result.status == 1
    # HTTP dates have whole seconds: the skew reads 900 or 901 s
    assert re.search(r"\[FAIL\] clock: \+90[01] s against Identity Center", result.out)


def test_doctor_says_how_the_portal_is_reached(sim: Simulator, sso_config: Path) -> None:
    direct = ssotui("doctor").out
    assert f"[  ok] portal: direct to {sim.url} (from AWS_ENDPOINT_URL_SSO)" in direct
    # A proxy is something only botocore knows how to go through: the portal calls go there
    # when botocore would take one for it (the simulator's address is http://).
    proxied = ssotui("doctor", env={"HTTP_PROXY": "http://127.0.0.1:9"}).out
    assert f"[  ok] portal: through botocore to {sim.url} (HTTP_PROXY is set)" in proxied


def test_doctor_names_the_ca_file_and_the_setting_that_chose_it(
    home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    default = default_ca_file()
    assert f"[  ok] CA file: {default} (the default: no CA setting)" in ssotui("doctor").out
    corp = tmp_path / "corp-ca.pem"
    corp.write_bytes(Path(default).read_bytes())  # a PEM file of CAs, as a company's is
    home.write_config(f"[profile corp]\nca_bundle = {corp}\n")
    result = ssotui("doctor", env={"AWS_PROFILE": "corp", "REQUESTS_CA_BUNDLE": default})
    assert f"[  ok] CA file: {corp} (from ca_bundle in [profile corp] of the AWS config file)" in (
        result.out
    )
    result = ssotui("doctor", env={"REQUESTS_CA_BUNDLE": str(tmp_path / "gone.pem")})
    assert result.status == 1
    assert (
        f"[FAIL] CA file: cannot read the CA file {tmp_path / 'gone.pem'} to check Identity "
        "Center's certificate: fix REQUESTS_CA_BUNDLE or unset it"
    ) in result.out


def test_a_token_file_others_can_read_fails_the_check(
    sim: Simulator, sso_config: Path, home: Home
) -> None:
    assert ssotui("login", "--use-device-code").status == 0
    [token_file] = [p for p in home.sso_cache.glob("*.json") if "accessToken" in p.read_text()]
    assert "[  ok] token files" in ssotui("doctor").out
    token_file.chmod(0o644)  # as a file another tool wrote might be
    result = ssotui("doctor")
    assert result.status == 1
    assert f"others can read {token_file.name} (0644)" in result.out


def test_an_endpoint_nobody_answers_fails_and_names_it(sim: Simulator, sso_config: Path) -> None:
    # an AWS_ENDPOINT_URL_SSO_OIDC left over from a simulator that has stopped
    result = ssotui("doctor", env={"AWS_ENDPOINT_URL_SSO_OIDC": "http://127.0.0.1:9"})
    assert result.status == 1, result.out
    assert (
        "[FAIL] Identity Center: cannot reach Identity Center at http://127.0.0.1:9" in result.out
    )
    assert "Traceback" not in result.err


def test_a_ca_file_that_cannot_be_read_fails_and_names_it(
    home: Home, tmp_path: Path, tls_certificate: tuple[Path, Path]
) -> None:
    cert, key = tls_certificate
    sim = Simulator(Organisation.generate(accounts=2, seed=3), tls=server_context(cert, key))
    sim.start()
    try:
        home.write_config(
            f"[sso-session dev]\nsso_start_url = {sim.start_url}\nsso_region = {sim.region}\n"
        )
        missing = tmp_path / "corp-ca.pem"
        result = ssotui("doctor", env={**sim.env(), "AWS_CA_BUNDLE": str(missing)})
    finally:
        sim.stop()
    assert result.status == 1, result.out
    assert (
        f"[FAIL] Identity Center: cannot read the CA file {missing} to check Identity Center's "
        "certificate: fix AWS_CA_BUNDLE or unset it"
    ) in result.out


def test_a_profile_without_sso_region_is_named(home: Home) -> None:
    home.write_config("[profile p]\nsso_start_url = https://d-123.awsapps.com/start\n")
    result = ssotui("doctor")
    assert result.status == 1
    assert (
        f"[FAIL] AWS config: [profile p] in {home.aws_config} has sso_start_url but no "
        "sso_region: add sso_region"
    ) in result.out
    # beside a usable session too: the broken one is still named
    home.write_config(
        "[profile p]\nsso_start_url = https://d-123.awsapps.com/start\n"
        "[sso-session ok]\nsso_start_url = https://d-9.awsapps.com/start\nsso_region = eu-west-1\n"
    )
    assert "[FAIL] AWS config: [profile p]" in ssotui("doctor").out


def test_a_start_url_without_https_is_named_with_the_fix(sim: Simulator, home: Home) -> None:
    home.write_config(
        f"[sso-session s]\nsso_start_url = d-123.awsapps.com/start\nsso_region = {sim.region}\n"
    )
    result = ssotui("doctor")
    assert result.status == 1
    assert (
        f"[FAIL] session s: sso_start_url 'd-123.awsapps.com/start' in {home.aws_config} is not "
        "a URL: write sso_start_url = https://d-123.awsapps.com/start"
    ) in result.out


@pytest.mark.skipif(sys.platform in {"darwin", "win32"}, reason="XDG folders are Linux's")
def test_config_names_the_xdg_variable_that_moved_a_folder(
    home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("SSOTUI_CONFIG_DIR", "SSOTUI_CACHE_DIR", "SSOTUI_STATE_DIR"):
        monkeypatch.delenv(name, raising=False)
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xdg-config"), "XDG_CACHE_HOME": ""}
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    result = ssotui("config", env=env)
    assert result.status == 0, result.err
    config_row = _row(result.out, "ssotui config")
    assert config_row[0] == str(tmp_path / "xdg-config" / "ssotui" / "config.toml")
    assert config_row[-1] == "$XDG_CONFIG_HOME)"
    assert _row(result.out, "ssotui cache")[-1] == "(default)"  # empty: platformdirs ignores it


def test_a_credentials_file_that_is_a_pipe_fails_and_says_so(
    sim: Simulator, sso_config: Path, home: Home
) -> None:
    # the AWS CLI reads no credentials file that is not a regular file (doctor said all is well)
    home.aws_credentials.unlink(missing_ok=True)
    os.mkfifo(home.aws_credentials)
    result = ssotui("doctor", timeout=30)
    assert result.status == 1
    assert (
        f"[FAIL] credentials file: {home.aws_credentials} is a pipe, not a regular file: the AWS "
        "CLI and ssotui cannot use it; replace it with a regular file\n"
    ) in result.out
    assert "All is well." not in result.out


def test_an_sso_cache_that_is_a_file_fails_and_says_so(
    sim: Simulator, sso_config: Path, home: Home
) -> None:
    home.sso_cache.parent.mkdir(parents=True, exist_ok=True)
    home.sso_cache.write_text("")
    result = ssotui("doctor", timeout=30)
    assert result.status == 1
    assert (
        f"[FAIL] SSO token cache: {home.sso_cache} is a file, not a folder: the AWS CLI and "
        "ssotui cannot use it; replace it with a folder\n"
    ) in result.out


def _services_config(sim: Simulator, services: str, section: str) -> str:
    """The doctor's session, and `[default]` naming the `[services]` section `services`, with
    `section` (the lines of a `[services local]`) after it."""
    return (
        f"[sso-session dev]\nsso_start_url = {sim.start_url}\nsso_region = {sim.region}\n\n"
        f"[default]\nservices = {services}\n\n[services local]\n{section}"
    )


def test_a_services_section_the_profile_names_but_the_file_lacks_fails_and_says_the_fix(
    sim: Simulator, home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_SSO_OIDC"):
        monkeypatch.delenv(name)
    home.write_config(_services_config(sim, "locall", f"sso =\n  endpoint_url = {sim.url}\n"))
    # every login and portal call fails on it (botocore refuses to make the clients): was two
    # [warn] lines and "No check failed"
    result = ssotui("doctor")
    assert result.status == 1, result.out
    assert (
        f"[FAIL] endpoints: [default] in {home.aws_config} has services = locall, but there is "
        "no [services locall] section (botocore makes no client then): add it, or fix services"
    ) in result.out
    assert "[FAIL] Identity Center: cannot set up the sso-oidc client" in result.out


def test_an_sso_oidc_endpoint_spelt_with_a_hyphen_is_named_with_the_key_botocore_reads(
    sim: Simulator, home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_SSO_OIDC"):
        monkeypatch.delenv(name)
    section = f"sso =\n  endpoint_url = {sim.url}\nsso-oidc =\n  endpoint_url = {sim.url}\n"
    home.write_config(_services_config(sim, "local", section))
    # botocore looks the service up as `sso_oidc`: the login went to the real AWS endpoint
    assert (
        f"[warn] endpoints: [services local] in {home.aws_config} has `sso-oidc`, which botocore "
        "never reads: write sso_oidc"
    ) in ssotui("doctor").out
    home.write_config(_services_config(sim, "local", section.replace("sso-oidc", "sso_oidc")))
    result = ssotui("doctor")
    assert "endpoints:" not in result.out
    assert "against Identity Center" in result.out  # the simulator answered the clock check


def test_an_aws_cli_that_fails_to_say_its_version_is_named_by_its_last_line(
    sim: Simulator, sso_config: Path, tmp_path: Path
) -> None:
    # the AWS CLI reads the config file before it prints its version, and fails on one it
    # cannot parse: doctor showed "unknown version: Traceback (most recent call last):␊  File"
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "aws"
    script.write_text(
        "#!/bin/sh\necho 'Traceback (most recent call last):' >&2\n"
        "echo '  File \"/usr/bin/aws\", line 19, in <module>' >&2\n"
        "echo 'botocore.exceptions.ConfigParseError: Unable to parse config file: x' >&2\n"
        "exit 255\n"
    )
    script.chmod(0o755)
    result = ssotui("doctor", env={"PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"})
    assert (
        "[warn] AWS CLI: `aws --version` failed (exit status 255): "
        "botocore.exceptions.ConfigParseError: Unable to parse config file: x"
    ) in result.out


def test_a_services_section_the_endpoint_variables_stand_in_for_is_not_a_failure(
    sim: Simulator, home: Home
) -> None:
    # AWS_ENDPOINT_URL_SSO and _SSO_OIDC (the simulator's) come first: botocore never looks
    home.write_config(_services_config(sim, "locall", "sso-oidc =\n  endpoint_url = x\n"))
    result = ssotui("doctor")
    assert "endpoints:" not in result.out
    assert "against Identity Center" in result.out


def test_doctor_names_where_botocore_sends_each_service(
    sim: Simulator, home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a [services] section for SSO OIDC alone: the login reaches the simulator, the portal
    # calls go to AWS itself, and doctor showed neither address
    for name in ("AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_SSO_OIDC"):
        monkeypatch.delenv(name)
    home.write_config(_services_config(sim, "local", f"sso_oidc =\n  endpoint_url = {sim.url}\n"))
    result = ssotui("doctor")
    assert (
        f"[  ok] portal: through botocore to https://portal.sso.{sim.region}.amazonaws.com "
        "(the AWS config file has `services` in [default])"
    ) in result.out
    assert f" s against Identity Center at {sim.url}\n" in result.out
