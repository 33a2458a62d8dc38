"""ssotui beside the AWS SDK for JavaScript v3, each running its own code against the simulator.

Terraform and many tools use SDKs other than botocore, stricter in places; this one is checked
through its own credential providers in a Node.js process (`tests.js_sdk_support`), reaching
the simulator by `AWS_ENDPOINT_URL_SSO` / `AWS_ENDPOINT_URL_SSO_OIDC` as ssotui does. What is
checked is what a user relies on: a login by ssotui is one for the SDK's SSO profiles, a token
renewed by one is taken by the other as it is, and the credentials ssotui hands out
(`credential_process`, the self-renewing endpoint, the environment of `exec` and `export`, a
profile `write-profile` wrote) are read whole, with their expiry where the SDK reads one; a
long-running program renews them from the endpoint; and where the SDK is stricter than botocore
(a `[default]` it stops at, profile names it reads otherwise, an endpoint message it drops),
ssotui says so itself.
"""

from __future__ import annotations

import configparser
import hashlib
import json
import shlex
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.aws_cli_support import add_sso_profile, granted_roles, ok
from tests.cli_helpers import ssotui
from tests.conftest import Home
from tests.js_sdk_support import js_sdk, node_argv, node_credentials, node_env
from tui.sim import Organisation, SimAccount, Simulator
from tui.sim.org import SimRole


@pytest.fixture(autouse=True)
def sdk(sim: Simulator, sso_config: Path) -> Path:
    """The SDK installed (else the test is skipped), the simulator polled without delay and the
    `dev` session of `sso_config`."""
    del sso_config
    sim.set(interval=0)
    return js_sdk()


def _role(sim: Simulator) -> tuple[SimAccount, str]:
    return granted_roles(sim.org)[0]


def _login() -> None:
    ok(ssotui("login", "--session", "dev", "--use-device-code"))


def _token_file(home: Home) -> Path:
    return home.sso_cache / f"{hashlib.sha1(b'dev').hexdigest()}.json"


def _issued(sim: Simulator, creds: dict[str, Any]) -> bool:
    """Credentials the simulator handed out, still valid."""
    return sim.portal.credentials_valid(
        creds["accessKeyId"], creds["secretAccessKey"], creds["sessionToken"], time.time()
    )


def _expiration(creds: dict[str, Any]) -> datetime:
    """The credentials' expiry as the SDK parsed it (its own Date, written back as ISO 8601)."""
    value = creds["expiration"]
    assert value not in (None, "Invalid Date"), creds
    return datetime.fromisoformat(value)


def _expires_as_issued(sim: Simulator, creds: dict[str, Any]) -> bool:
    """The SDK's expiry is the simulator's, to the second ssotui rounds it down to."""
    issued = datetime.fromtimestamp(sim.portal.issued[creds["accessKeyId"]].expires_at, UTC)
    return timedelta(0) <= issued - _expiration(creds) < timedelta(seconds=1)


# --- fromSSO: ssotui's login and token cache --------------------------------------------------


def test_after_ssotui_login_the_sdk_takes_a_populated_profile_without_a_login(
    sim: Simulator, home: Home
) -> None:
    _login()
    ok(ssotui("populate", "--session", "dev"))
    config = configparser.ConfigParser(interpolation=None)
    config.read(home.aws_config, encoding="utf-8")
    profiles = [s for s in config.sections() if config[s].get("sso_session") == "dev"]
    assert profiles, home.aws_config.read_text(encoding="utf-8")
    calls = dict(sim.calls)

    creds = node_credentials("sso", profiles[0].removeprefix("profile ")).creds

    assert creds["accessKeyId"].startswith("ASIA") and _issued(sim, creds)
    assert _expires_as_issued(sim, creds)
    assert sim.calls["StartDeviceAuthorization"] == calls["StartDeviceAuthorization"]
    assert sim.calls["CreateToken"] == calls["CreateToken"]  # ssotui's token as it is


def test_the_sdk_renews_a_token_ssotui_cached_and_ssotui_uses_the_sdks_file(
    sim: Simulator, home: Home
) -> None:
    account, role = _role(sim)
    add_sso_profile(home, "mine", "dev", account, role, sim.region)
    sim.set(token_lifetime=240)  # inside the 5 minutes in which the SDK renews
    _login()
    written = json.loads(_token_file(home).read_text())
    sim.set(token_lifetime=3600)

    creds = node_credentials("sso", "mine").creds

    assert _issued(sim, creds)
    renewed = json.loads(_token_file(home).read_text())
    assert renewed["accessToken"] != written["accessToken"]  # renewed by the SDK, not a login
    assert renewed["expiresAt"] != written["expiresAt"]
    assert sim.calls["StartDeviceAuthorization"] == 1 and sim.calls["CreateToken"] == 2
    listed = ok(ssotui("list", "--session", "dev", "--json"))
    assert json.loads(listed.out)
    assert sim.calls["CreateToken"] == 2  # ssotui took the SDK's renewed token as it is
    assert sim.calls["StartDeviceAuthorization"] == 1


def test_ssotui_renews_a_token_the_sdk_wrote_and_the_sdk_takes_ssotuis_renewal(
    sim: Simulator, home: Home
) -> None:
    account, role = _role(sim)
    add_sso_profile(home, "mine", "dev", account, role, sim.region)
    sim.set(token_lifetime=240)
    _login()
    assert _issued(sim, node_credentials("sso", "mine").creds)  # renewed for 4 minutes again
    assert sim.calls["CreateToken"] == 2
    sim.set(token_lifetime=3600)

    # ssotui renews the SDK's file with the refresh token and registration the SDK kept in it
    ok(ssotui("credential-process", account.account_id, role, "--session", "dev"))
    assert sim.calls["CreateToken"] == 3 and sim.calls["StartDeviceAuthorization"] == 1
    assert home.sso_cache.joinpath(_token_file(home).name).stat().st_mode & 0o077 == 0

    creds = node_credentials("sso", "mine").creds
    assert _issued(sim, creds)
    assert sim.calls["CreateToken"] == 3  # the SDK took ssotui's renewal as it is


# Account names of any script, and the `=` and `,` IAM allows in role names: the SDK reads a
# `[profile NAME]` of the config file only when NAME is ASCII letters, digits and `_-@+.%:/`
# (any other section is silently not a profile).
_ODD = Organisation(
    [
        SimAccount("111111111111", "Kraków QA", "k@example.com", [SimRole("Admin")]),
        SimAccount("222222222222", "東京", "t@example.com", [SimRole("Admin")]),
        SimAccount("333333333333", "Zürich", "z@example.com", [SimRole("Deploy=prod,eu")]),
    ]
)


@pytest.mark.parametrize("org", [_ODD])
def test_every_profile_populate_writes_for_odd_names_is_one_the_sdk_finds(
    sim: Simulator, home: Home
) -> None:
    _login()
    ok(ssotui("populate", "--session", "dev"))
    config = configparser.ConfigParser(interpolation=None)
    config.read(home.aws_config, encoding="utf-8")
    profiles = [s.removeprefix("profile ") for s in config.sections() if s.startswith("profile ")]
    assert len(profiles) == 3, profiles

    for name in profiles:
        assert _issued(sim, node_credentials("sso", name).creds), name
    assert sim.calls["GetRoleCredentials"] == 3


@pytest.mark.parametrize("refused", ["acme=prod", "acme,prod", "Kraków", "my org"])
def test_configure_takes_only_session_names_the_sdk_reads(
    sim: Simulator, home: Home, refused: str
) -> None:
    """`configure` took `acme=prod`: botocore read `[sso-session acme=prod]`, the JavaScript SDK
    found no such session. Such names are refused before anything is written; one with every
    character still allowed is written, logged in to and used by the SDK."""
    flags = ("--no-browser", "--start-url", sim.start_url, "--sso-region", sim.region)
    before = home.aws_config.read_bytes()
    result = ssotui("configure", "--session", refused, *flags)
    assert result.status == 2 and "is not a usable session name" in result.err
    assert home.aws_config.read_bytes() == before

    name = "acme.prod_1@eu+x-2"
    ok(ssotui("configure", "--session", name, *flags))
    account, role = _role(sim)
    add_sso_profile(home, "p", name, account, role, sim.region)
    assert _issued(sim, node_credentials("sso", "p").creds)


# --- fromIni: write-profile ------------------------------------------------------------------


def test_a_profile_write_profile_wrote_is_read_with_its_keys(sim: Simulator) -> None:
    account, role = _role(sim)
    _login()
    ok(ssotui("write-profile", account.account_id, role, "--session", "dev", "--profile", "k:1"))

    creds = node_credentials("ini", "k:1").creds

    assert _issued(sim, creds)  # no expiry: the SDK reads none from the credentials file


@pytest.mark.parametrize("name", ["dev #2", "dev\t;2", "__proto__"])
def test_write_profile_refuses_a_name_that_makes_the_sdk_read_other_profiles_wrong(
    sim: Simulator, home: Home, name: str
) -> None:
    """To the SDK, `[dev #2]` is `[dev` and a comment from ` #`: the keys below it were the
    profile above's (`prod` ran as the role); `[__proto__]` made it refuse the whole file.
    botocore read both as they are."""
    home.aws_credentials.write_text(
        "[prod]\naws_access_key_id = AKIAPRODUCTION\naws_secret_access_key = s\n"
    )
    account, role = _role(sim)
    _login()

    run = ssotui("write-profile", account.account_id, role, "--session", "dev", "--profile", name)

    assert run.status == 2
    [said] = run.err.strip().splitlines()
    assert "choose another" in said and "JavaScript" in said, said
    assert node_credentials("ini", "prod").creds["accessKeyId"] == "AKIAPRODUCTION"
    assert sim.calls["GetRoleCredentials"] == 0  # refused before anything was fetched


def test_write_profile_says_the_sdk_finds_no_profile_named_with_a_space(
    sim: Simulator,
) -> None:
    account, role = _role(sim)
    _login()

    run = ssotui("write-profile", account.account_id, role, "--session", "dev", "--profile", "a b")

    assert run.status == 0, run.err
    assert run.err.strip().splitlines()[-1] == (
        "ssotui: warning: the AWS SDK for JavaScript finds no profile 'a b' (a name with a "
        "space); for Node.js tools, name it without one, such as 'a-b'"
    )
    assert "[a b] in configuration/credentials file(s)" in node_credentials("ini", "a b").error


# --- fromProcess: credential_process ----------------------------------------------------------


def test_a_credential_process_profile_gives_the_sdk_credentials_and_their_expiry(
    sim: Simulator, home: Home
) -> None:
    account, role = _role(sim)
    with home.aws_config.open("a", encoding="utf-8") as config:
        config.write(
            f"\n[profile process]\ncredential_process = ssotui credential-process "
            f"{account.account_id} {shlex.quote(role)} --session dev\n"
        )
    _login()

    first = node_credentials("process", "process").creds
    again = node_credentials("process", "process").creds

    assert _issued(sim, first) and _expires_as_issued(sim, first)
    assert again == first and sim.calls["GetRoleCredentials"] == 1  # kept between runs


# --- fromHttp: exec --renew -------------------------------------------------------------------


def test_exec_renew_gives_the_sdks_default_chain_credentials_from_the_endpoint(
    sim: Simulator,
) -> None:
    account, role = _role(sim)
    _login()

    run = ssotui(
        "exec", "--renew", account.account_id, role, "--session", "dev", "--",
        *node_argv("chain"), env=node_env(),
    )  # fmt: skip

    assert run.status == 0, run.err
    creds = json.loads(run.out.strip().splitlines()[-1])
    assert _issued(sim, creds) and _expires_as_issued(sim, creds)
    assert sim.calls["GetRoleCredentials"] == 1


@pytest.mark.parametrize("setting", ["sso_session", "sso_start_url", "sso_region"])
def test_exec_renew_refuses_a_default_profile_at_which_the_sdks_chain_stops(
    sim: Simulator, home: Home, setting: str
) -> None:
    """A `[default]` with `sso_session` only (so that `aws sso login` needs no `--profile`), or
    `sso_start_url` or `sso_region`, is nothing to botocore, but the SDK's chain stops there
    ("Profile is configured with invalid SSO credentials"), before the endpoint: ssotui says so
    before the command starts."""
    account, role = _role(sim)
    value = {"sso_session": "dev", "sso_start_url": sim.start_url, "sso_region": sim.region}
    with home.aws_config.open("a", encoding="utf-8") as config:
        config.write(f"\n[default]\nregion = {sim.region}\n{setting} = {value[setting]}\n")
    _login()

    run = ssotui(
        "exec", "--renew", account.account_id, role, "--session", "dev", "--",
        *node_argv("chain"), env=node_env(),
    )  # fmt: skip

    assert run.status == 1 and run.out == ""  # the command did not start
    [said] = run.err.strip().splitlines()
    assert f"the [default] profile in {home.aws_config} has {setting}, at which" in said, said
    assert said.endswith("or use static keys (exec without --renew)"), said


# --- fromEnv: exec and export -----------------------------------------------------------------


def test_exec_gives_the_sdk_the_keys_and_their_expiry_in_the_environment(
    sim: Simulator,
) -> None:
    account, role = _role(sim)
    _login()

    run = ssotui(
        "exec", account.account_id, role, "--session", "dev", "--", *node_argv("env"),
        env=node_env(),
    )  # fmt: skip

    assert run.status == 0, run.err
    creds = json.loads(run.out.strip().splitlines()[-1])
    assert _issued(sim, creds) and _expires_as_issued(sim, creds)


def test_exported_lines_evaluated_by_bash_give_the_sdk_the_keys_and_their_expiry(
    sim: Simulator,
) -> None:
    account, role = _role(sim)
    _login()
    export = shlex.join(["ssotui", "export", account.account_id, role, "--session", "dev"])
    script = f'eval "$({export})" && exec {shlex.join(node_argv("env"))}'

    proc = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        env=node_env(),
        timeout=60,
        stdin=subprocess.DEVNULL,
    )

    assert proc.returncode == 0, proc.stderr
    creds = json.loads(proc.stdout.strip().splitlines()[-1])
    assert _issued(sim, creds) and _expires_as_issued(sim, creds)


def test_exec_renew_gives_a_long_running_program_new_credentials_as_its_own_near_expiry(
    sim: Simulator,
) -> None:
    """The chain a program holds renews what it has within 5 minutes of expiry, from the same
    endpoint: it gets new credentials, not the ones it had."""
    account, role = _role(sim)
    _login()
    sim.set(credential_lifetime=305)  # inside the SDK's 5 minutes within seconds

    run = ssotui(
        "exec", "--renew", account.account_id, role, "--session", "dev", "--",
        *node_argv("renewing"), "60", env=node_env(),
    )  # fmt: skip

    assert run.status == 0, run.err
    first, renewed = (json.loads(line) for line in run.out.strip().splitlines())
    assert first["accessKeyId"] != renewed["accessKeyId"]
    assert _issued(sim, first) and _issued(sim, renewed)
    assert _expires_as_issued(sim, renewed) and _expiration(renewed) > _expiration(first)
    assert run.err == ""


def test_exec_renew_answers_the_sdk_within_its_one_second_while_identity_center_is_slow(
    sim: Simulator,
) -> None:
    account, role = _role(sim)
    _login()
    # Credentials inside the 15 minutes in which the endpoint renews them, from a portal that
    # takes longer than the second the SDK waits for an answer.
    sim.set(credential_lifetime=900, latency=1.2)

    run = ssotui(
        "exec", "--renew", account.account_id, role, "--session", "dev", "--",
        *node_argv("chain"), env=node_env(),
    )  # fmt: skip

    assert run.status == 0, run.err
    creds = json.loads(run.out.strip().splitlines()[-1])
    assert _issued(sim, creds)


def test_exec_renew_says_why_the_sdk_got_no_credentials_once_the_command_has_ended(
    sim: Simulator,
) -> None:
    """The SDK drops the endpoint's message (`fromHttp` keeps only the status, and the default
    chain ends in "Could not load credentials from any providers"): a Node.js user whose login
    was lost learnt neither why nor what to do. ssotui says it once the command has ended."""
    account, role = _role(sim)
    _login()
    sim.set(credential_lifetime=50)  # within the minute in which the endpoint must fetch anew
    command = f"ssotui logout --session dev 2>/dev/null && exec {shlex.join(node_argv('chain'))}"

    run = ssotui(
        "exec", "--renew", account.account_id, role, "--session", "dev", "--",
        "sh", "-c", command, env=node_env(),
    )  # fmt: skip

    assert run.status == 1  # the command's own
    assert json.loads(run.out.strip().splitlines()[-1]) == {
        "error": "Could not load credentials from any providers"
    }
    [said] = run.err.strip().splitlines()
    assert said.startswith("ssotui: the command was refused credentials at "), said
    assert said.endswith("not logged in to session dev: run `ssotui login --session dev`"), said
