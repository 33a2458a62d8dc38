"""More of ssotui beside the real AWS CLI v2: scopes, populate, configure, credential_process.

As in `tests.test_aws_cli_v2`, the CLI (2.9 of Debian, or any v2 installed) and ssotui reach the
simulator by the real endpoint names through a proxy, with no endpoint variable anywhere, and
what is checked is what a user would notice: a session whose scopes changed gets a new login
the CLI then works with, the profiles `populate` writes and the session `configure` writes are
ones the CLI takes, and a `credential_process` profile hands the CLI kept credentials.
"""

from __future__ import annotations

import configparser
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.aws_cli_support import (
    RealNames,
    add_sso_profile,
    aws,
    aws_cli,
    cli_registration_file,
    granted_roles,
    ok,
    process_credentials,
    real_names_world,
    sso_session_section,
    token_file,
)
from tests.cli_helpers import ssotui
from tests.conftest import Home
from tests.fake_browser import use_fake_browser
from tui.sim import Organisation

REGION = "us-east-1"
OLD_SCOPES = ["sso:account:access"]
NEW_SCOPES = ["sso:account:access", "codewhisperer:completions"]


@pytest.fixture
def cli() -> str:
    """The AWS CLI v2 (the test is skipped without one)."""
    return aws_cli("2")


@pytest.fixture
def world(
    cli: str, tmp_path: Path, home: Home, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RealNames]:
    """The simulator behind the real names, and session `dev` of it in the AWS config with
    scopes `sso:account:access`."""
    del cli  # skip before making a certificate
    org = Organisation.generate(accounts=4, seed=3)
    with real_names_world(tmp_path / "tls", org, monkeypatch, REGION) as names:
        home.write_config(sso_session_section("dev", names.sim.start_url, REGION, OLD_SCOPES[0]))
        yield names


def _set_scopes(home: Home, world: RealNames, scopes: list[str], tail: str = "") -> None:
    home.write_config(
        sso_session_section("dev", world.sim.start_url, REGION, ", ".join(scopes)) + tail
    )


def _profiles(home: Home) -> str:
    return "".join(
        section + "\n"
        for section in home.aws_config.read_text(encoding="utf-8").split("\n\n")
        if section.startswith("[profile ")
    )


def _valid(world: RealNames, creds: dict[str, str]) -> bool:
    return world.sim.portal.credentials_valid(
        creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"], time.time()
    )


# --- scopes -----------------------------------------------------------------------------------


def test_after_a_scope_is_added_ssotui_logs_in_again_and_the_aws_cli_works_with_its_login(
    cli: str, world: RealNames, home: Home
) -> None:
    account, role = granted_roles(world.sim.org)[0]
    add_sso_profile(home, "mine", "dev", account, role, REGION)
    ok(aws(cli, "sso", "login", "--sso-session", "dev", "--no-browser", home=home))
    by_cli = json.loads(token_file(home, "dev").read_text())
    _set_scopes(home, world, NEW_SCOPES, _profiles(home))
    world.sim.set(token_lifetime=600)  # so that the CLI renews ssotui's token below
    world.sim.reset_calls()

    said = ok(ssotui("login", "--session", "dev", "--use-device-code"))

    assert "The scopes of session dev changed: logging in again." in said.err
    assert world.sim.calls["RegisterClient"] == 1
    assert world.sim.calls["StartDeviceAuthorization"] == 1
    ours = json.loads(token_file(home, "dev").read_text())
    assert ours["clientId"] != by_cli["clientId"]
    registration = cli_registration_file(home, "dev", world.sim.start_url, REGION, NEW_SCOPES)
    assert json.loads(registration.read_text())["clientId"] == ours["clientId"]
    world.sim.set(token_lifetime=3600)

    # The CLI takes ssotui's token, renewing it with the client it names ...
    creds = process_credentials(
        aws(cli, "configure", "export-credentials", "--profile", "mine", home=home)
    )
    assert _valid(world, creds)
    renewed = json.loads(token_file(home, "dev").read_text())
    assert renewed["accessToken"] != ours["accessToken"]
    assert world.sim.calls["StartDeviceAuthorization"] == 1  # no login by the CLI
    # ... and its own login reuses the registration ssotui made for the new scopes.
    ok(aws(cli, "sso", "login", "--sso-session", "dev", "--no-browser", home=home))
    assert world.sim.calls["RegisterClient"] == 1
    assert json.loads(token_file(home, "dev").read_text())["clientId"] == ours["clientId"]


def test_with_the_scopes_unchanged_ssotui_login_keeps_the_token_of_aws_sso_login(
    cli: str, world: RealNames, home: Home
) -> None:
    ok(aws(cli, "sso", "login", "--sso-session", "dev", "--no-browser", home=home))
    by_cli = token_file(home, "dev").read_text()
    world.sim.reset_calls()

    said = ok(ssotui("login", "--session", "dev", "--use-device-code"))

    assert "scopes" not in said.err and "code" not in said.err
    assert world.sim.calls["StartDeviceAuthorization"] == 0
    assert world.sim.calls["CreateToken"] == 0
    assert token_file(home, "dev").read_text() == by_cli


def _registered_scopes(world: RealNames) -> list[list[str]]:
    """The scopes of every client the simulator registered, in order."""
    return [client.scopes for client in world.sim.identity.clients.values()]


def test_with_empty_scopes_ssotui_and_aws_sso_login_share_one_registration_and_token(
    cli: str, world: RealNames, home: Home
) -> None:
    # `sso_registration_scopes =` (or `= ,`): the AWS CLI asks for no scope and keeps the
    # registration under the key of an empty list. ssotui asked for sso:account:access under
    # another key: each registered its own client, and ssotui took every token of
    # `aws sso login` for one of other scopes and logged in again.
    for setting in ("", " , "):
        home.write_config(sso_session_section("dev", world.sim.start_url, REGION, setting))
        for path in home.sso_cache.glob("*.json"):
            path.unlink()
        world.sim.reset_calls()
        before = len(_registered_scopes(world))
        ok(aws(cli, "sso", "login", "--sso-session", "dev", "--no-browser", home=home))
        by_cli = token_file(home, "dev").read_text()

        said = ok(ssotui("login", "--session", "dev", "--use-device-code"))
        assert "scopes" not in said.err, said.err
        assert token_file(home, "dev").read_text() == by_cli  # no new login

        ok(ssotui("login", "--session", "dev", "--use-device-code", "--force"))
        ok(aws(cli, "sso", "login", "--sso-session", "dev", "--no-browser", home=home))
        assert world.sim.calls["RegisterClient"] == 1, setting  # the CLI's, reused by both
        assert _registered_scopes(world)[before:] == [[]]
        registration = cli_registration_file(home, "dev", world.sim.start_url, REGION, [])
        assert "scopes" not in json.loads(registration.read_text())


# --- populate ---------------------------------------------------------------------------------


def _cli_profiles(cli: str, home: Home) -> list[str]:
    return ok(aws(cli, "configure", "list-profiles", home=home)).out.split()


def test_the_aws_cli_lists_and_uses_the_profiles_populate_wrote(
    cli: str, world: RealNames, home: Home
) -> None:
    ok(ssotui("login", "--session", "dev", "--use-device-code"))
    before = _cli_profiles(cli, home)
    config_before = home.aws_config.read_bytes()

    ok(ssotui("populate", "--session", "dev", "--region", "eu-west-2", "--dry-run"))

    assert home.aws_config.read_bytes() == config_before
    assert _cli_profiles(cli, home) == before

    ok(ssotui("populate", "--session", "dev", "--region", "eu-west-2"))

    config = configparser.ConfigParser(interpolation=None)
    config.read(home.aws_config, encoding="utf-8")
    written = {
        s.removeprefix("profile "): config[s]
        for s in config.sections()
        if config[s].get("sso_session") == "dev"
    }
    assert len(written) == len(granted_roles(world.sim.org))
    assert set(_cli_profiles(cli, home)) == set(before) | set(written)
    logins = world.sim.calls["StartDeviceAuthorization"]
    for name in sorted(written)[:2]:
        got = ok(aws(cli, "configure", "get", "region", "--profile", name, home=home))
        assert got.out.strip() == "eu-west-2"
        creds = process_credentials(
            aws(cli, "configure", "export-credentials", "--profile", name, home=home)
        )
        assert _valid(world, creds)
    assert world.sim.calls["GetRoleCredentials"] == 2
    assert world.sim.calls["StartDeviceAuthorization"] == logins

    # A dry run for another region changes nothing the CLI sees.
    config_after = home.aws_config.read_bytes()
    shown = ok(ssotui("populate", "--session", "dev", "--region", "ap-south-1", "--dry-run"))
    assert "ap-south-1" in shown.out + shown.err
    assert home.aws_config.read_bytes() == config_after
    name = sorted(written)[0]
    got = ok(aws(cli, "configure", "get", "region", "--profile", name, home=home))
    assert got.out.strip() == "eu-west-2"


# --- configure --------------------------------------------------------------------------------


def test_aws_sso_login_works_against_the_session_ssotui_configure_wrote(
    cli: str, world: RealNames, home: Home
) -> None:
    start_url = world.sim.start_url.removeprefix("https://")
    ok(
        ssotui(
            "configure",
            "--session",
            "fresh",
            "--start-url",
            start_url,
            "--sso-region",
            REGION,
            "--no-login",
        )
    )

    said = ok(aws(cli, "sso", "login", "--sso-session", "fresh", "--no-browser", home=home))

    assert f"Successfully logged into Start URL: {world.sim.start_url}" in said.out
    token = json.loads(token_file(home, "fresh").read_text())
    assert token["startUrl"] == world.sim.start_url and token["region"] == REGION
    world.sim.reset_calls()
    ok(ssotui("list", "--session", "fresh"))  # and ssotui takes the CLI's login to it
    assert world.sim.calls["StartDeviceAuthorization"] == 0


# --- credential_process -----------------------------------------------------------------------


def test_a_credential_process_profile_hands_the_aws_cli_kept_then_refreshed_credentials(
    cli: str, world: RealNames, home: Home
) -> None:
    account, role = granted_roles(world.sim.org)[0]
    with home.aws_config.open("a", encoding="utf-8") as config:
        config.write(
            f"[profile process]\ncredential_process = ssotui credential-process "
            f"{account.account_id} {role} --session dev\n\n"
        )
    ok(ssotui("login", "--session", "dev", "--use-device-code"))
    export = ("configure", "export-credentials", "--profile", "process")

    handed = [process_credentials(aws(cli, *export, home=home)) for _ in range(5)]

    assert world.sim.calls["GetRoleCredentials"] == 1
    assert all(creds == handed[0] for creds in handed)
    assert _valid(world, handed[0])

    fresh = json.loads(
        ok(
            ssotui(
                "export",
                account.account_id,
                role,
                "--session",
                "dev",
                "--refresh",
                "--format",
                "json",
            )
        ).out
    )

    assert world.sim.calls["GetRoleCredentials"] == 2
    assert fresh["AccessKeyId"] != handed[0]["AccessKeyId"]
    after = process_credentials(aws(cli, *export, home=home))
    assert after["AccessKeyId"] == fresh["AccessKeyId"]
    assert after["SecretAccessKey"] == fresh["SecretAccessKey"]
    assert world.sim.calls["GetRoleCredentials"] == 2


# --- a browser login by ssotui, then `aws sso login` of a CLI before 2.22 ----------------------


def test_aws_sso_login_of_an_older_cli_works_after_a_browser_login_by_ssotui(
    cli: str, world: RealNames, home: Home, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """ssotui keeps its browser (PKCE) registration out of botocore's key, where a CLI before
    2.22 takes any registration for its device code login."""
    use_fake_browser(monkeypatch, tmp_path, https_proxy=world.proxy.url, ca=str(world.certificate))
    ok(ssotui("login", "--session", "dev"))
    assert world.sim.calls["Authorize"] == 1  # the browser flow ran

    said = aws(cli, "sso", "login", "--sso-session", "dev", "--no-browser", home=home)

    # was (2.9.19): "An error occurred (UnauthorizedClientException) when calling the
    # StartDeviceAuthorization operation: Client is not authorized for grant ...device_code"
    assert said.status == 0, said.err
    cli_token = json.loads(token_file(home, "dev").read_text())
    listed = ok(
        aws(
            cli,
            "sso",
            "list-accounts",
            "--access-token",
            cli_token["accessToken"],
            "--region",
            REGION,
            "--output",
            "json",
            home=home,
        )
    )
    assert json.loads(listed.out)["accountList"]
    # Each tool's next login reuses its own registration: one each, in all.
    ok(ssotui("login", "--session", "dev", "--force"))
    assert world.sim.calls["Authorize"] == 2
    ok(aws(cli, "sso", "login", "--sso-session", "dev", "--no-browser", home=home))
    assert world.sim.calls["RegisterClient"] == 2


def test_after_an_upgrade_from_an_ssotui_that_kept_its_browser_registration_under_botocores_key(
    cli: str, world: RealNames, home: Home, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An ssotui before the browser key left its browser registration where a CLI before 2.22
    takes it for its device code: the next `ssotui login`, even one that keeps the token, moves
    it aside, and `aws sso login` works at once (not after the 90 days it lives)."""
    use_fake_browser(monkeypatch, tmp_path, https_proxy=world.proxy.url, ca=str(world.certificate))
    ok(ssotui("login", "--session", "dev"))
    botocores = cli_registration_file(home, "dev", world.sim.start_url, REGION, OLD_SCOPES)
    ours = next(p for p in home.sso_cache.glob("*.json") if "grantTypes" in p.read_text())
    ours.rename(botocores)  # where, and as, the earlier ssotui wrote it
    refused = aws(cli, "sso", "login", "--sso-session", "dev", "--no-browser", home=home)
    assert refused.status != 0 and "UnauthorizedClient" in refused.err  # as a user had it

    kept = ok(ssotui("login", "--session", "dev"))
    assert world.sim.calls["Authorize"] == 1 and "Log in" not in kept.err  # the token was kept

    ok(aws(cli, "sso", "login", "--sso-session", "dev", "--no-browser", home=home))
    assert world.sim.calls["RegisterClient"] == 2  # the CLI's own device code client
    # ssotui's next browser login still reuses the registration it had
    ok(ssotui("login", "--session", "dev", "--force"))
    assert world.sim.calls["Authorize"] == 2 and world.sim.calls["RegisterClient"] == 2


# --- the token cache, both ways: cases the tests of tests.test_aws_cli_v2 leave out ------------


def _legacy_profile(world: RealNames, start_url: str) -> str:
    account, role = granted_roles(world.sim.org)[0]
    return (
        f"[profile legacy]\nsso_start_url = {start_url}\nsso_region = {REGION}\n"
        f"sso_account_id = {account.account_id}\nsso_role_name = {role}\nregion = {REGION}\n"
    )


def test_a_legacy_profile_shares_its_url_keyed_token_with_aws_sso_login_both_ways(
    cli: str, world: RealNames, home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A profile of its own `sso_start_url` (no sso-session), with a trailing slash: the AWS
    # CLI keys its token by sha1 of that very string.
    start_url = world.sim.start_url + "/"
    home.write_config(_legacy_profile(world, start_url))
    monkeypatch.setenv("AWS_PROFILE", "legacy")
    ok(aws(cli, "sso", "login", "--no-browser", home=home))
    assert token_file(home, start_url).exists()
    world.sim.reset_calls()

    ok(ssotui("list"))  # the CLI's token: no login
    assert world.sim.calls["StartDeviceAuthorization"] == 0

    ok(ssotui("login", "--use-device-code", "--force"))
    ours = json.loads(token_file(home, start_url).read_text())
    assert world.sim.calls["StartDeviceAuthorization"] == 1
    creds = process_credentials(
        aws(cli, "configure", "export-credentials", "--profile", "legacy", home=home)
    )
    assert _valid(world, creds) and world.sim.calls["StartDeviceAuthorization"] == 1
    assert json.loads(token_file(home, start_url).read_text()) == ours


def test_a_start_url_whose_host_differs_in_case_from_the_token_s_is_the_same_portal(
    cli: str, world: RealNames, home: Home
) -> None:
    # The AWS CLI takes an sso-session's token whatever its startUrl; ssotui checks that it is
    # the session's portal, and a host name is the same in any case.
    ok(aws(cli, "sso", "login", "--sso-session", "dev", "--no-browser", home=home))
    scheme, rest = world.sim.start_url.split("://", 1)
    host, path = rest.split("/", 1)
    shouted = f"{scheme.upper()}://{host.upper()}/{path}/"
    _set_scopes(home, world, OLD_SCOPES)
    home.write_config(home.aws_config.read_text().replace(world.sim.start_url, shouted))
    world.sim.reset_calls()

    listed = ok(ssotui("list", "--session", "dev"))
    assert listed.out and world.sim.calls["StartDeviceAuthorization"] == 0


def test_a_registration_that_expired_under_a_fresh_token_is_replaced_at_the_next_login(
    cli: str, world: RealNames, home: Home
) -> None:
    account, role = granted_roles(world.sim.org)[0]
    add_sso_profile(home, "mine", "dev", account, role, REGION)
    ok(aws(cli, "sso", "login", "--sso-session", "dev", "--no-browser", home=home))
    registration = cli_registration_file(home, "dev", world.sim.start_url, REGION, OLD_SCOPES)
    for path, member in (
        (token_file(home, "dev"), "registrationExpiresAt"),
        (registration, "expiresAt"),
    ):
        data = json.loads(path.read_text())
        data[member] = "2001-01-01T00:00:00Z"
        path.write_text(json.dumps(data))
    world.sim.reset_calls()

    ok(ssotui("list", "--session", "dev"))  # the token is good: used, nothing renewed
    assert world.sim.calls["CreateToken"] == 0

    # ten minutes left: neither tool can renew it; ssotui's login registers anew ...
    token = json.loads(token_file(home, "dev").read_text())
    token["expiresAt"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 600))
    token_file(home, "dev").write_text(json.dumps(token))
    ok(ssotui("login", "--session", "dev", "--use-device-code"))
    assert world.sim.calls["RegisterClient"] == 1 and world.sim.calls["CreateToken"] == 1
    ours = json.loads(token_file(home, "dev").read_text())
    assert ours["clientId"] == json.loads(registration.read_text())["clientId"]
    # ... which the CLI takes, token and registration
    assert _valid(
        world,
        process_credentials(
            aws(cli, "configure", "export-credentials", "--profile", "mine", home=home)
        ),
    )
    ok(aws(cli, "sso", "login", "--sso-session", "dev", "--no-browser", home=home))
    assert world.sim.calls["RegisterClient"] == 1


def _set_token(home: Home, **members: str | None) -> None:
    data = json.loads(token_file(home, "dev").read_text())
    for member, value in members.items():
        if value is None:
            data.pop(member, None)
        else:
            data[member] = value
    token_file(home, "dev").write_text(json.dumps(data))


def _in(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + seconds))


def test_a_token_renewed_by_ssotui_from_one_without_its_registration_expiry_gets_it_back(
    cli: str, world: RealNames, home: Home
) -> None:
    # A token file without `registrationExpiresAt` (another tool's, an older one's): botocore
    # renews no token without it. ssotui renewed it and wrote it without one again, so the
    # AWS CLI could never renew the token ssotui kept renewing, and failed once it expired.
    account, role = granted_roles(world.sim.org)[0]
    add_sso_profile(home, "mine", "dev", account, role, REGION)
    ok(aws(cli, "sso", "login", "--sso-session", "dev", "--no-browser", home=home))
    registration = cli_registration_file(home, "dev", world.sim.start_url, REGION, OLD_SCOPES)
    _set_token(home, registrationExpiresAt=None, expiresAt=_in(600))

    ok(ssotui("list", "--session", "dev"))  # renewed
    renewed = json.loads(token_file(home, "dev").read_text())
    assert renewed["registrationExpiresAt"] == json.loads(registration.read_text())["expiresAt"]

    _set_token(home, expiresAt=_in(-60))
    creds = process_credentials(
        aws(cli, "configure", "export-credentials", "--profile", "mine", home=home)
    )
    assert _valid(world, creds) and world.sim.calls["StartDeviceAuthorization"] == 1
