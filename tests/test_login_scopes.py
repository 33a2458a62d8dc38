"""`ssotui login` after the session's `sso_registration_scopes` changed: a new login, as
`aws sso login` does, and the token of the same scopes still reused (real HTTP, the simulator,
the AWS CLI's cache files written the way it writes them, botocore reading ours)."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import botocore.session
import botocore.tokens
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tests.fake_browser import use_fake_browser
from tui.aws.login_flows import LoginEvent, ScopesChanged
from tui.aws.session_choice import chosen_session
from tui.models import SsoSession
from tui.sim import Simulator
from tui.store.settings import Settings
from tui.workspace import Context

NEW_SCOPES = ["sso:account:access", "codewhisperer:completions"]
CHANGED = "The scopes of session dev changed: logging in again."


def configure(home: Home, sim: Simulator, scopes: str | None) -> None:
    """The `dev` session with `sso_registration_scopes = scopes` (None: not set), and a profile
    botocore can take its token through."""
    line = f"sso_registration_scopes = {scopes}\n" if scopes is not None else ""
    home.write_config(
        f"[sso-session dev]\nsso_start_url = {sim.start_url}\nsso_region = {sim.region}\n{line}"
        "\n[profile work]\nsso_session = dev\n"
    )


def botocore_registration_file(home: Home, sim: Simulator, scopes: list[str] | None) -> Path:
    """Where the AWS CLI v2 keeps the dev session's registration for `scopes` (its
    `_registration_cache_key`, written out here rather than taken from ssotui)."""
    args = {
        "tool": "botocore",
        "startUrl": sim.start_url,
        "region": sim.region,
        "scopes": scopes,
        "session_name": "dev",
    }
    key = hashlib.sha1(json.dumps(args, sort_keys=True).encode("utf-8")).hexdigest()
    return home.sso_cache / f"{key}.json"


def token_file(home: Home) -> Path:
    return home.sso_cache / f"{hashlib.sha1(b'dev').hexdigest()}.json"


def cached_token(home: Home) -> dict[str, str]:
    data: dict[str, str] = json.loads(token_file(home).read_text())
    return data


def aws_cli_login(home: Home, sim: Simulator, scopes: list[str] | None) -> dict[str, str]:
    """`aws sso login --use-device-code` for the dev session, with plain boto3: the
    registration (under botocore's key) and the token, in the files and forms the AWS CLI
    writes."""
    oidc = boto3.client(
        "sso-oidc", region_name=sim.region, config=Config(signature_version=UNSIGNED)
    )
    kwargs = {"scopes": scopes} if scopes else {}
    client = oidc.register_client(clientName="botocore-client-dev", clientType="public", **kwargs)
    registration_expiry = datetime.fromtimestamp(client["clientSecretExpiresAt"], UTC)
    registration = {
        "clientId": client["clientId"],
        "clientSecret": client["clientSecret"],
        "expiresAt": registration_expiry.strftime("%Y-%m-%dT%H:%M:%SZ"),
        **kwargs,
    }
    auth = oidc.start_device_authorization(
        clientId=client["clientId"], clientSecret=client["clientSecret"], startUrl=sim.start_url
    )
    answer = oidc.create_token(
        grantType="urn:ietf:params:oauth:grant-type:device_code",
        clientId=client["clientId"],
        clientSecret=client["clientSecret"],
        deviceCode=auth["deviceCode"],
    )
    token = {
        "startUrl": sim.start_url,
        "region": sim.region,
        "accessToken": answer["accessToken"],
        "expiresAt": (datetime.now(UTC) + timedelta(seconds=answer["expiresIn"])).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        ),
        "clientId": client["clientId"],
        "clientSecret": client["clientSecret"],
        "registrationExpiresAt": registration["expiresAt"],
    }
    if "refreshToken" in answer:
        token["refreshToken"] = answer["refreshToken"]
    home.sso_cache.mkdir(parents=True, exist_ok=True)
    botocore_registration_file(home, sim, scopes).write_text(json.dumps(registration))
    token_file(home).write_text(json.dumps(token))
    return token


def botocore_token(home: Home) -> str:
    """The access token botocore's SSOTokenProvider loads for the `work` profile."""
    session = botocore.session.Session(profile="work")
    provider = botocore.tokens.SSOTokenProvider(session)
    loaded = provider.load_token()
    assert loaded is not None
    return str(loaded.get_frozen_token().token)


@pytest.fixture
def quick(sim: Simulator) -> Simulator:
    sim.set(interval=0)
    return sim


def test_login_after_a_scope_is_added_logs_in_again_and_botocore_takes_the_new_token(
    quick: Simulator, home: Home
) -> None:
    sim = quick
    configure(home, sim, "sso:account:access")
    assert ssotui("login", "--no-browser").status == 0
    first = cached_token(home)
    configure(home, sim, ",".join(NEW_SCOPES))
    sim.reset_calls()
    result = ssotui("login", "--no-browser")
    # Before: "Logged in to dev until ..." with the token of the old scopes, no login.
    assert result.status == 0, result.err
    assert CHANGED in result.err and "enter the code" in result.err
    assert sim.calls["RegisterClient"] == 1 and sim.calls["StartDeviceAuthorization"] == 1
    second = cached_token(home)
    assert second["accessToken"] != first["accessToken"]
    assert second["clientId"] != first["clientId"]
    # The registration for the new scopes is where the AWS CLI looks for it ...
    registration = json.loads(botocore_registration_file(home, sim, NEW_SCOPES).read_text())
    assert registration["clientId"] == second["clientId"] and registration["scopes"] == NEW_SCOPES
    # ... and botocore takes the new token.
    assert botocore_token(home) == second["accessToken"]
    # The scopes unchanged since: the token is reused, nothing said about scopes.
    sim.reset_calls()
    again = ssotui("login", "--no-browser")
    assert again.status == 0, again.err
    assert "scopes" not in again.err and sum(sim.calls.values()) == 0
    assert cached_token(home) == second


def test_a_token_the_aws_cli_got_for_the_same_scopes_is_reused(
    quick: Simulator, home: Home
) -> None:
    sim = quick
    configure(home, sim, "sso:account:access")
    written = aws_cli_login(home, sim, ["sso:account:access"])
    sim.reset_calls()
    result = ssotui("login", "--no-browser")
    assert result.status == 0, result.err
    assert "scopes" not in result.err and sum(sim.calls.values()) == 0
    assert cached_token(home) == written


def test_a_token_the_aws_cli_got_before_a_scope_was_added_is_replaced(
    quick: Simulator, home: Home
) -> None:
    sim = quick
    configure(home, sim, "sso:account:access")
    written = aws_cli_login(home, sim, ["sso:account:access"])
    configure(home, sim, ",".join(NEW_SCOPES))
    result = ssotui("login", "--no-browser")
    assert result.status == 0, result.err
    assert CHANGED in result.err
    assert cached_token(home)["clientId"] != written["clientId"]
    assert botocore_token(home) == cached_token(home)["accessToken"]


def test_scopes_set_for_the_first_time_mean_a_new_login(quick: Simulator, home: Home) -> None:
    """The AWS CLI's device login without `sso_registration_scopes` registers no scopes (and
    gets no refresh token); setting them is a change."""
    sim = quick
    configure(home, sim, None)
    aws_cli_login(home, sim, None)
    assert "scopes" not in ssotui("login", "--no-browser").err  # unchanged: reused
    configure(home, sim, "sso:account:access")
    result = ssotui("login", "--no-browser")
    assert result.status == 0, result.err
    assert CHANGED in result.err and "refreshToken" in cached_token(home)


def test_the_same_scopes_in_another_order_change_nothing(quick: Simulator, home: Home) -> None:
    sim = quick
    configure(home, sim, ",".join(NEW_SCOPES))
    assert ssotui("login", "--no-browser").status == 0
    first = cached_token(home)
    configure(home, sim, ",".join(reversed(NEW_SCOPES)))
    result = ssotui("login", "--no-browser")
    assert result.status == 0, result.err
    assert "scopes" not in result.err and cached_token(home) == first


def test_when_the_scopes_cannot_be_told_the_token_is_reused(quick: Simulator, home: Home) -> None:
    sim = quick
    configure(home, sim, "sso:account:access")
    aws_cli_login(home, sim, ["sso:account:access"])
    configure(home, sim, ",".join(NEW_SCOPES))
    # The registration the token was granted to is gone: nothing says which scopes it had.
    botocore_registration_file(home, sim, ["sso:account:access"]).unlink()
    kept = cached_token(home)
    result = ssotui("login", "--no-browser")
    assert result.status == 0, result.err
    assert "scopes" not in result.err and cached_token(home) == kept
    # A token without a clientId (an SDK that caches no registration) likewise.
    aws_cli_login(home, sim, ["sso:account:access"])
    bare = {k: v for k, v in cached_token(home).items() if not k.startswith(("client", "regis"))}
    token_file(home).write_text(json.dumps(bare))
    result = ssotui("login", "--no-browser")
    assert result.status == 0, result.err
    assert "scopes" not in result.err and cached_token(home) == bare


def test_the_browser_login_of_both_doors_asks_for_the_new_scopes(
    quick: Simulator, home: Home, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The use case the command and the picker's login screen call (`Workspace.log_in`), with
    the browser flow: the authorize page asks for the new scopes."""
    sim = quick
    browser = use_fake_browser(monkeypatch, tmp_path)
    context = Context(settings=Settings(), environ=dict(os.environ))

    def log_in(session: SsoSession) -> tuple[str, list[LoginEvent]]:
        events: list[LoginEvent] = []
        token = context.workspace(session).log_in(announce=events.append)
        return token.access_token, events

    configure(home, sim, "sso:account:access")
    first, _ = log_in(chosen_session(here())[0])
    configure(home, sim, ",".join(NEW_SCOPES))
    second, events = log_in(chosen_session(here())[0])
    assert ScopesChanged("dev") in events and second != first
    assert len(browser.visits()) == 2
    assert "scopes=sso%3Aaccount%3Aaccess%20codewhisperer%3Acompletions" in str(
        browser.visits()[1]["url"]
    )
    assert botocore_token(home) == second
    third, events = log_in(chosen_session(here())[0])
    assert third == second and not events and len(browser.visits()) == 2


def test_with_empty_scopes_the_browser_login_reuses_the_aws_cli_s_registration(
    quick: Simulator, home: Home, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`sso_registration_scopes =`: the AWS CLI 2.22+ keeps its browser registration (made for
    the default scope) under botocore's key of an empty list; ssotui looked under the key of
    `["sso:account:access"]` and registered a client of its own."""
    sim = quick
    browser = use_fake_browser(monkeypatch, tmp_path)
    configure(home, sim, "")
    oidc = boto3.client(
        "sso-oidc", region_name=sim.region, config=Config(signature_version=UNSIGNED)
    )
    client = oidc.register_client(
        clientName="botocore-client-dev",
        clientType="public",
        grantTypes=["authorization_code", "refresh_token"],
        redirectUris=["http://127.0.0.1/oauth/callback"],
        issuerUrl=sim.start_url,
        scopes=["sso:account:access"],
    )
    home.sso_cache.mkdir(parents=True, exist_ok=True)
    botocore_registration_file(home, sim, []).write_text(
        json.dumps(
            {
                "clientId": client["clientId"],
                "clientSecret": client["clientSecret"],
                "expiresAt": datetime.fromtimestamp(client["clientSecretExpiresAt"], UTC).strftime(
                    "%Y-%m-%dT%H:%M:%SZ"
                ),
                "scopes": ["sso:account:access"],
                "grantTypes": ["authorization_code", "refresh_token"],
            }
        )
    )
    sim.reset_calls()
    assert ssotui("login").status == 0
    assert sim.calls["RegisterClient"] == 0
    assert cached_token(home)["clientId"] == client["clientId"]
    assert "scopes=sso%3Aaccount%3Aaccess&" in str(browser.visits()[0]["url"])


def test_scopes_set_empty_after_a_browser_login_with_the_default_change_nothing(
    quick: Simulator, home: Home, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`sso_registration_scopes =` after `= sso:account:access`: the browser login asks for
    the default scope either way, so the token is kept (no second trip to the browser)."""
    browser = use_fake_browser(monkeypatch, tmp_path)
    configure(home, quick, "sso:account:access")
    assert ssotui("login").status == 0
    first = cached_token(home)
    configure(home, quick, "")
    again = ssotui("login")
    assert again.status == 0 and "scopes" not in again.err, again.err
    assert cached_token(home) == first and len(browser.visits()) == 1


def test_a_file_nested_too_deeply_in_the_cache_folder_is_passed_over(
    quick: Simulator, home: Home
) -> None:
    sim = quick
    configure(home, sim, "sso:account:access")
    assert ssotui("login", "--no-browser").status == 0
    configure(home, sim, ",".join(NEW_SCOPES))
    # a file of another tool under a name like botocore's, read (first: the names are sorted)
    # while looking for the registration the token was granted to
    deep = home.sso_cache / f"{'0' * 40}.json"
    deep.write_text("[" * 100_000, encoding="utf-8")
    deep.chmod(0o600)
    result = ssotui("login", "--no-browser")
    # was: a RecursionError traceback, and no login
    assert result.status == 0, result.err
    assert "Traceback" not in result.err and CHANGED in result.err
