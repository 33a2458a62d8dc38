"""ssotui beside the AWS SDK for Go v2 (Terraform's AWS provider), each running its own code.

The SDK is checked through its own default chain (`config.LoadDefaultConfig`) in a Go program
(`tests.go_sdk_support`). The SDK of the distribution knows no `AWS_ENDPOINT_URL_SSO`, so the
simulator sits behind the real endpoint names (`tests.aws_cli_support.RealNames`), and ssotui
reaches it the same way. What is checked is what a Terraform user relies on: a login by ssotui
is one for the SDK's SSO profiles, and the credentials ssotui hands out (`credential_process`,
the self-renewing endpoint, the environment of `exec`, a profile of the shared credentials
file) are read whole, with their expiry where the SDK reads one.
"""

from __future__ import annotations

import configparser
import json
import shlex
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.aws_cli_support import (
    RealNames,
    granted_roles,
    ok,
    real_names_world,
    sso_session_section,
    token_file,
)
from tests.cli_helpers import ssotui
from tests.conftest import Home
from tests.go_sdk_support import (
    go_credentials,
    go_credentials_token,
    go_env,
    go_program,
    last_json,
    reads_sso_sessions,
    sdk_versions,
)
from tui.sim import Organisation, SimAccount

REGION = "us-east-1"


@pytest.fixture
def world(tmp_path: Path, home: Home, monkeypatch: pytest.MonkeyPatch) -> Iterator[RealNames]:
    """The program built (else the test is skipped), the simulator behind the real names, and
    session `dev` of it in the AWS config."""
    go_program()
    org = Organisation.generate(accounts=3, seed=5)
    with real_names_world(tmp_path / "tls", org, monkeypatch, REGION) as names:
        home.write_config(sso_session_section("dev", names.sim.start_url, REGION, None))
        yield names


def _role(world: RealNames) -> tuple[SimAccount, str]:
    return granted_roles(world.sim.org)[0]


def _login(session: str = "dev") -> None:
    ok(ssotui("login", "--session", session, "--use-device-code"))


def _issued(world: RealNames, creds: dict[str, Any]) -> bool:
    """Credentials the simulator handed out, still valid."""
    return world.sim.portal.credentials_valid(
        creds["accessKeyId"], creds["secretAccessKey"], creds["sessionToken"], time.time()
    )


def _expires_as_issued(
    world: RealNames, creds: dict[str, Any], window: timedelta = timedelta(0)
) -> bool:
    """The SDK's expiry is the simulator's, to the second ssotui rounds it down to, less the
    `window` before it in which the SDK's cache of that provider renews."""
    assert creds["expiration"] is not None, creds
    parsed = datetime.fromisoformat(creds["expiration"].replace("Z", "+00:00"))
    issued = datetime.fromtimestamp(world.sim.portal.issued[creds["accessKeyId"]].expires_at, UTC)
    return window <= issued - parsed < window + timedelta(seconds=1)


# --- SSO profiles: ssotui's login and token cache ---------------------------------------------


def test_after_ssotui_login_the_sdk_takes_a_legacy_sso_profile_without_a_login(
    world: RealNames, home: Home
) -> None:
    account, role = _role(world)
    with home.aws_config.open("a", encoding="utf-8") as config:
        config.write(
            f"[profile legacy]\nsso_start_url = {world.sim.start_url}\nsso_region = {REGION}\n"
            f"sso_account_id = {account.account_id}\nsso_role_name = {role}\n"
        )
    _login("legacy")
    calls = dict(world.sim.calls)

    creds = go_credentials("legacy").creds

    assert creds["source"] == "SSOProvider"
    assert _issued(world, creds) and _expires_as_issued(world, creds)
    assert world.sim.calls["CreateToken"] == calls["CreateToken"]  # ssotui's token as it is


def test_after_ssotui_login_the_sdk_takes_a_populated_profile_without_a_login(
    world: RealNames, home: Home
) -> None:
    if not reads_sso_sessions():
        pytest.skip(
            f"this AWS SDK for Go v2 ({sdk_versions()}) takes SSO credentials only from a "
            "profile's own sso_start_url (sso-session profiles from config 1.18 on)"
        )
    _login()
    ok(ssotui("populate", "--session", "dev"))
    config = configparser.ConfigParser(interpolation=None)
    config.read(home.aws_config, encoding="utf-8")
    profiles = [s for s in config.sections() if config[s].get("sso_session") == "dev"]
    assert profiles, home.aws_config.read_text(encoding="utf-8")
    calls = dict(world.sim.calls)

    creds = go_credentials(profiles[0].removeprefix("profile ")).creds

    assert _issued(world, creds) and _expires_as_issued(world, creds)
    assert world.sim.calls["CreateToken"] == calls["CreateToken"]


def test_ssotui_takes_a_token_the_sdk_renewed_and_wrote_in_local_time(
    world: RealNames, home: Home
) -> None:
    with home.aws_config.open("a", encoding="utf-8") as config:
        config.write(f"[profile tokens]\nsso_session = dev\nregion = {REGION}\n")
    _login()
    cached = token_file(home, "dev")
    written = json.loads(cached.read_text(encoding="utf-8"))
    # The token has expired: the SDK renews it with ssotui's refresh token and registration.
    cached.write_text(json.dumps({**written, "expiresAt": "2020-01-01T00:00:00Z"}))

    renewed = go_credentials_token("tokens", env={"TZ": "Asia/Kolkata"})

    kept = json.loads(cached.read_text(encoding="utf-8"))
    assert kept["accessToken"] != written["accessToken"] and "+05:30" in kept["expiresAt"]
    assert world.sim.calls["CreateToken"] == 2 and renewed["expiration"]
    listed = ok(ssotui("list", "--session", "dev", "--json"))
    assert json.loads(listed.out)
    assert world.sim.calls["CreateToken"] == 2  # ssotui took the SDK's renewal as it is
    assert world.sim.calls["StartDeviceAuthorization"] == 1


# --- credential_process -----------------------------------------------------------------------


def test_a_credential_process_profile_gives_the_sdk_credentials_and_their_expiry(
    world: RealNames, home: Home
) -> None:
    account, role = _role(world)
    with home.aws_config.open("a", encoding="utf-8") as config:
        config.write(
            f"\n[profile process]\ncredential_process = ssotui credential-process "
            f"{account.account_id} {shlex.quote(role)} --session dev\n"
        )
    _login()

    first = go_credentials("process").creds
    again = go_credentials("process").creds

    assert first["source"] == "ProcessProvider"
    assert _issued(world, first) and _expires_as_issued(world, first)
    assert again == first and world.sim.calls["GetRoleCredentials"] == 1  # kept between runs


# --- exec --renew: the credential endpoint ----------------------------------------------------


def test_exec_renew_gives_the_sdks_default_chain_credentials_from_the_endpoint(
    world: RealNames,
) -> None:
    account, role = _role(world)
    _login()

    run = ssotui(
        "exec", "--renew", account.account_id, role, "--session", "dev", "--",
        str(go_program()), env=go_env(),
    )  # fmt: skip

    assert run.status == 0, run.err
    creds = last_json(run.out)
    assert creds.get("source") == "CredentialsEndpointProvider", creds
    # The SDK keeps container credentials until 5 minutes before their expiry (its own window).
    assert _issued(world, creds) and _expires_as_issued(world, creds, timedelta(minutes=5))
    assert world.sim.calls["GetRoleCredentials"] == 1


# --- exec and write-profile: keys the SDK reads as they are -----------------------------------


def test_exec_gives_the_sdk_the_keys_in_the_environment(world: RealNames) -> None:
    account, role = _role(world)
    _login()

    run = ssotui(
        "exec", account.account_id, role, "--session", "dev", "--", str(go_program()),
        env=go_env(),
    )  # fmt: skip

    assert run.status == 0, run.err
    creds = last_json(run.out)
    assert creds.get("source") == "EnvConfigCredentials", creds
    assert _issued(world, creds)


def test_a_profile_write_profile_wrote_is_read_from_the_shared_credentials_file(
    world: RealNames, home: Home
) -> None:
    account, role = _role(world)
    _login()
    ok(ssotui("write-profile", account.account_id, role, "--session", "dev", "--profile", "kept"))

    creds = go_credentials("kept").creds

    assert creds["source"].startswith("SharedConfigCredentials")
    assert str(home.aws_credentials) in creds["source"]
    assert _issued(world, creds)
