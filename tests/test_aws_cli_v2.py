"""ssotui beside the real AWS CLI v2, each running its own code against the simulator.

The CLI (2.9 of Debian, or any v2 installed) reaches the simulator by the real endpoint names
through a proxy (`tests.aws_cli_support.RealNames`), and so does ssotui: no endpoint variable
anywhere. What is checked is what a user would notice: a login by one is a login for the other,
role credentials are the same whichever hands them out, and a logout by one is a logout for
both.
"""

from __future__ import annotations

import configparser
import hashlib
import json
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.aws_cli_support import RealNames, aws, aws_cli
from tests.cli_helpers import Run, ssotui
from tests.conftest import Home
from tui.sim import Organisation, SimAccount

REGION = "us-east-1"
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture
def cli() -> str:
    """The AWS CLI v2 (the test is skipped without one)."""
    return aws_cli("2")


@pytest.fixture
def world(
    cli: str, tmp_path: Path, home: Home, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RealNames]:
    """The simulator behind the real names, and sessions `dev` and `other` of it in the AWS
    config (both of the same Identity Center, as two sessions of one start URL can be)."""
    del cli  # skip before making a certificate
    if shutil.which("openssl") is None:
        pytest.skip("no openssl command to make a certificate with")
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    for name in ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSOTUI_PORTAL_CLIENT"):
        monkeypatch.delenv(name, raising=False)
    with RealNames(tmp_path / "tls", Organisation.generate(accounts=4, seed=3), REGION) as names:
        for key, value in names.env().items():
            monkeypatch.setenv(key, value)
        home.write_config(
            "".join(
                f"[sso-session {name}]\nsso_start_url = {names.sim.start_url}\n"
                f"sso_region = {REGION}\nsso_registration_scopes = sso:account:access\n\n"
                for name in ("dev", "other")
            )
        )
        yield names


def _roles(org: Organisation) -> list[tuple[SimAccount, str]]:
    return [(a, r.name) for a in org.accounts for r in a.roles if not r.forbidden]


def _add_profile(home: Home, name: str, session: str, account: SimAccount, role: str) -> None:
    with home.aws_config.open("a", encoding="utf-8") as config:
        config.write(
            f"[profile {name}]\nsso_session = {session}\nsso_account_id = {account.account_id}\n"
            f"sso_role_name = {role}\nregion = {REGION}\n\n"
        )


def _ok(run: Run) -> Run:
    assert run.status == 0, run.err[-2000:]
    assert "Traceback" not in run.err
    return run


def _one_line(run: Run) -> str:
    assert run.status == 1, run
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ssotui: "), run.err
    return lines[0]


def _process(run: Run) -> dict[str, str]:
    """The credentials of `aws configure export-credentials --format process`."""
    data: dict[str, str] = json.loads(_ok(run).out)
    return data


def _cli_cache(home: Home) -> Path:
    return home.root / ".aws" / "cli" / "cache"


# --- one login for both -----------------------------------------------------------------------


def test_a_login_by_aws_sso_login_is_a_login_for_ssotui(
    cli: str, world: RealNames, home: Home
) -> None:
    said = _ok(aws(cli, "sso", "login", "--sso-session", "dev", "--no-browser", home=home))
    assert f"Successfully logged into Start URL: {world.sim.start_url}" in said.out
    assert world.sim.calls["CreateToken"] == 1

    listed = _ok(ssotui("list", "--session", "dev", "--json"))

    ids = {row["accountId"] for row in json.loads(listed.out)}
    assert ids == {a.account_id for a, _ in _roles(world.sim.org)}
    assert world.sim.calls["StartDeviceAuthorization"] == 1  # no second login
    assert world.sim.calls["CreateToken"] == 1  # nor a refresh
    assert "CONNECT portal.sso.us-east-1.amazonaws.com:443" in world.proxy.passed


def test_after_ssotui_login_the_aws_cli_uses_a_populated_profile_without_a_login(
    cli: str, world: RealNames, home: Home
) -> None:
    _ok(ssotui("login", "--session", "dev", "--use-device-code"))
    _ok(ssotui("populate", "--session", "dev"))
    config = configparser.ConfigParser(interpolation=None)
    config.read(home.aws_config, encoding="utf-8")
    profiles = [s for s in config.sections() if config[s].get("sso_session") == "dev"]
    assert profiles, home.aws_config.read_text(encoding="utf-8")
    profile = profiles[0].removeprefix("profile ")
    logins = world.sim.calls["StartDeviceAuthorization"]

    creds = _process(aws(cli, "configure", "export-credentials", "--profile", profile, home=home))

    assert creds["AccessKeyId"].startswith("ASIA") and creds["SessionToken"]
    assert world.sim.calls["StartDeviceAuthorization"] == logins
    assert world.sim.calls["GetRoleCredentials"] == 1
    assert world.sim.portal.credentials_valid(
        creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"], time.time()
    )


def _token_file(home: Home, session: str) -> Path:
    return home.sso_cache / f"{hashlib.sha1(session.encode()).hexdigest()}.json"


def test_the_aws_cli_renews_a_token_ssotui_wrote_and_ssotui_then_uses_it(
    cli: str, world: RealNames, home: Home
) -> None:
    account, role = _roles(world.sim.org)[0]
    _add_profile(home, "mine", "dev", account, role)
    world.sim.set(token_lifetime=600)  # inside the 15 minutes in which both renew
    _ok(ssotui("login", "--session", "dev", "--use-device-code"))
    written = json.loads(_token_file(home, "dev").read_text())
    world.sim.set(token_lifetime=3600)

    _process(aws(cli, "configure", "export-credentials", "--profile", "mine", home=home))

    renewed = json.loads(_token_file(home, "dev").read_text())
    assert renewed["accessToken"] != written["accessToken"]  # renewed by the CLI, not a login
    assert world.sim.calls["StartDeviceAuthorization"] == 1
    assert world.sim.calls["CreateToken"] == 2
    _ok(ssotui("list", "--session", "dev"))
    assert world.sim.calls["CreateToken"] == 2  # ssotui took the CLI's renewed token as it is


def test_ssotui_renews_a_token_the_aws_cli_wrote_and_the_cli_then_uses_it(
    cli: str, world: RealNames, home: Home
) -> None:
    account, role = _roles(world.sim.org)[0]
    _add_profile(home, "mine", "dev", account, role)
    world.sim.set(token_lifetime=600)
    _ok(aws(cli, "sso", "login", "--sso-session", "dev", "--no-browser", home=home))
    written = json.loads(_token_file(home, "dev").read_text())
    world.sim.set(token_lifetime=3600)

    _ok(ssotui("list", "--session", "dev"))

    renewed = json.loads(_token_file(home, "dev").read_text())
    assert renewed["accessToken"] != written["accessToken"]
    assert world.sim.calls["StartDeviceAuthorization"] == 1
    assert world.sim.calls["CreateToken"] == 2
    _process(aws(cli, "configure", "export-credentials", "--profile", "mine", home=home))
    assert world.sim.calls["CreateToken"] == 2  # the CLI took ssotui's renewed token


# --- one logout for both ----------------------------------------------------------------------


def test_ssotui_logout_removes_the_role_credentials_the_aws_cli_cached_for_the_session(
    cli: str, world: RealNames, home: Home
) -> None:
    (mine_account, mine_role), *_, (theirs_account, theirs_role) = _roles(world.sim.org)
    _add_profile(home, "mine", "dev", mine_account, mine_role)
    _add_profile(home, "theirs", "other", theirs_account, theirs_role)
    for session in ("dev", "other"):
        _ok(ssotui("login", "--session", session, "--use-device-code"))
    export = ("configure", "export-credentials", "--profile")
    first = _process(aws(cli, *export, "mine", home=home))
    _process(aws(cli, *export, "theirs", home=home))
    cached = {p: json.loads(p.read_text()) for p in _cli_cache(home).glob("*.json")}
    [mine] = [
        p for p, c in cached.items() if c["Credentials"]["AccessKeyId"] == first["AccessKeyId"]
    ]
    [theirs] = [p for p in cached if p != mine]
    assert _process(aws(cli, *export, "mine", home=home)) == first  # from its cache
    assert world.sim.calls["GetRoleCredentials"] == 2

    _ok(ssotui("logout", "--session", "dev"))

    assert not mine.exists()
    assert theirs.exists()  # another session's
    _ok(ssotui("login", "--session", "dev", "--use-device-code"))
    again = _process(aws(cli, *export, "mine", home=home))
    assert again["AccessKeyId"] != first["AccessKeyId"]
    assert world.sim.calls["GetRoleCredentials"] == 3  # the CLI had to fetch again


def test_after_aws_sso_logout_ssotui_is_not_logged_in(
    cli: str, world: RealNames, home: Home
) -> None:
    account, role = _roles(world.sim.org)[0]
    _ok(ssotui("login", "--session", "dev", "--use-device-code"))
    _ok(ssotui("export", account.account_id, role, "--session", "dev", "--format", "json"))

    _ok(aws(cli, "sso", "logout", home=home))

    assert world.sim.calls["Logout"] == 1  # the CLI logged the token out at the portal
    line = _one_line(ssotui("export", account.account_id, role, "--session", "dev"))
    assert line == "ssotui: not logged in to session dev: run `ssotui login --session dev`"


def test_after_aws_sso_logout_and_another_login_ssotui_fetches_new_credentials(
    cli: str, world: RealNames, home: Home
) -> None:
    # As the AWS CLI does (its logout deletes what it kept): the next login may be someone
    # else's, who must not be handed the role credentials of the one before.
    account, role = _roles(world.sim.org)[0]
    export = ("export", account.account_id, role, "--session", "dev", "--format", "json")
    _ok(ssotui("login", "--session", "dev", "--use-device-code"))
    before = json.loads(_ok(ssotui(*export)).out)
    assert json.loads(_ok(ssotui(*export)).out) == before  # kept between runs

    _ok(aws(cli, "sso", "logout", home=home))
    _ok(aws(cli, "sso", "login", "--sso-session", "dev", "--no-browser", home=home))

    after = json.loads(_ok(ssotui(*export)).out)
    assert after["AccessKeyId"] != before["AccessKeyId"]  # was: the ones kept from before
    assert world.sim.calls["GetRoleCredentials"] == 2
    assert json.loads(_ok(ssotui(*export)).out) == after  # and these are kept in turn


def test_kept_credentials_outlive_ssotui_renewals_but_not_aws_sso_logout_and_login(
    cli: str, world: RealNames, home: Home
) -> None:
    account, role = _roles(world.sim.org)[0]
    export = ("export", account.account_id, role, "--session", "dev", "--format", "json")
    _ok(ssotui("login", "--session", "dev", "--use-device-code"))
    before = json.loads(_ok(ssotui(*export)).out)
    token = json.loads(_token_file(home, "dev").read_text())
    soon = datetime.now(UTC) + timedelta(minutes=5)  # inside the 15 in which ssotui renews
    token["expiresAt"] = soon.strftime("%Y-%m-%dT%H:%M:%SZ")
    _token_file(home, "dev").write_text(json.dumps(token))
    _ok(ssotui("list", "--session", "dev", "--refresh"))  # renews the token
    assert json.loads(_token_file(home, "dev").read_text())["refreshToken"] != token["refreshToken"]
    assert world.sim.calls["CreateToken"] == 2
    assert json.loads(_ok(ssotui(*export)).out) == before  # was: fetched anew (new sign-in)
    assert world.sim.calls["GetRoleCredentials"] == 1

    _ok(aws(cli, "sso", "logout", home=home))
    _ok(aws(cli, "sso", "login", "--sso-session", "dev", "--no-browser", home=home))

    after = json.loads(_ok(ssotui(*export)).out)
    assert after["AccessKeyId"] != before["AccessKeyId"]  # another sign-in: not a renewal
    assert world.sim.calls["GetRoleCredentials"] == 2


# --- the same credentials, the same lines -----------------------------------------------------


def _lines(text: str, prefix: str, sep: str) -> dict[str, str]:
    """`K` -> `V` of each line `<prefix>K<sep>V`."""
    found = {}
    for line in text.splitlines():
        if line.startswith(prefix) and sep in line:
            key, _, value = line.removeprefix(prefix).partition(sep)
            found[key] = value
    return found


FORMATS = {  # ssotui's format: (the AWS CLI's, the line's prefix, separator)
    "sh": ("env", "export ", "="),
    "powershell": ("powershell", "$Env:", "="),
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_prints_what_aws_configure_export_credentials_prints(
    cli: str, world: RealNames, home: Home, fmt: str
) -> None:
    account, role = _roles(world.sim.org)[0]
    with home.aws_config.open("a", encoding="utf-8") as config:
        config.write(
            f"[profile process]\ncredential_process = ssotui credential-process "
            f"{account.account_id} {role} --session dev\n\n"
        )
    _ok(ssotui("login", "--session", "dev", "--use-device-code"))
    _ok(ssotui("write-profile", account.account_id, role, "--session", "dev", "--profile", "kept"))
    cli_format, prefix, sep = FORMATS[fmt]

    ours = _lines(
        _ok(ssotui("export", account.account_id, role, "--session", "dev", "--format", fmt)).out,
        prefix,
        sep,
    )
    by_process = _lines(
        _ok(
            aws(
                cli,
                "configure",
                "export-credentials",
                "--profile",
                "process",
                "--format",
                cli_format,
                home=home,
            )
        ).out,
        prefix,
        sep,
    )
    by_file = _lines(
        _ok(
            aws(
                cli,
                "configure",
                "export-credentials",
                "--profile",
                "kept",
                "--format",
                cli_format,
                home=home,
            )
        ).out,
        prefix,
        sep,
    )

    assert world.sim.calls["GetRoleCredentials"] == 1  # one set of credentials, kept by ssotui
    keys = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
    assert list(by_process) == [*keys, "AWS_CREDENTIAL_EXPIRATION"]
    assert list(by_file) == list(keys)  # a credentials file holds no expiry
    assert list(ours)[:4] == list(by_process)
    for key in keys:
        assert ours[key] == by_process[key] == by_file[key]

    # The same moment; ssotui writes it `...Z`, the CLI `...+00:00` (both ISO 8601 UTC).
    def moment(text: str) -> datetime:
        return datetime.fromisoformat(text.strip('"'))

    expiration = "AWS_CREDENTIAL_EXPIRATION"
    assert moment(ours[expiration]) == moment(by_process[expiration])


def _expired_sign_in(home: Home, session: str) -> dict[str, str]:
    """The session's token file, its access token made past its expiry (a laptop that slept
    through it); what it held, for a CreateToken with its refresh token."""
    path = home.sso_cache / f"{hashlib.sha1(session.encode()).hexdigest()}.json"
    cached: dict[str, str] = json.loads(path.read_text())
    cached["expiresAt"] = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path.write_text(json.dumps(cached))
    return cached


def _refresh_accepted(cached: dict[str, str]) -> bool:
    """Whether Identity Center still renews a copy of that file (the sign-in lives on)."""
    import botocore.session
    from botocore.exceptions import ClientError

    oidc = botocore.session.get_session().create_client("sso-oidc", region_name=REGION)
    try:
        oidc.create_token(
            grantType="refresh_token",
            clientId=cached["clientId"],
            clientSecret=cached["clientSecret"],
            refreshToken=cached["refreshToken"],
        )
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "InvalidGrantException", exc.response
        return False
    return True


def test_with_an_expired_token_ssotui_logout_ends_the_sign_in_aws_sso_logout_leaves(
    cli: str, world: RealNames, home: Home
) -> None:
    _ok(ssotui("login", "--session", "dev", "--use-device-code"))
    world.sim.expire_tokens()
    copied = _expired_sign_in(home, "dev")
    _ok(aws(cli, "sso", "logout", home=home))  # its Logout with the expired token: refused
    assert _refresh_accepted(copied)  # the AWS CLI's logout left the sign-in alive

    _ok(ssotui("login", "--session", "dev", "--use-device-code"))
    world.sim.expire_tokens()
    copied = _expired_sign_in(home, "dev")
    said = _ok(ssotui("logout", "--session", "dev"))
    assert said.err.startswith("Logged out of dev: token revoked, ")
    assert not _refresh_accepted(copied)
