"""ssotui's config.toml: the keys users set change what ssotui does; bad values are named."""

from __future__ import annotations

import pytest

from tests.cli_helpers import ssotui
from tests.conftest import Home, here
from tui.models import Token
from tui.sim import Organisation, Simulator
from tui.store.settings import MAX_REQUESTS, load_settings


def test_concurrent_requests_bounds_the_calls_in_flight(
    sim: Simulator, org: Organisation, home: Home, token: Token
) -> None:
    sim.set(latency=0.05)
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "config.toml").write_text("concurrent_requests = 2\n")
    sim.reset_calls()
    result = ssotui("list", "--refresh")
    assert result.status == 0, result.err
    assert sim.calls["ListAccountRoles"] >= len(org.accounts)
    assert sim.peak_in_flight["ListAccountRoles"] == 2


def test_without_the_key_many_requests_are_in_flight(
    sim: Simulator, org: Organisation, home: Home, token: Token
) -> None:
    sim.set(latency=0.05)
    sim.reset_calls()
    assert ssotui("list", "--refresh").status == 0
    assert sim.peak_in_flight["ListAccountRoles"] > 2


@pytest.mark.parametrize("value", ["0", str(MAX_REQUESTS + 1), '"many"'])
def test_a_bad_concurrent_requests_is_named_and_ignored(home: Home, value: str) -> None:
    path = home.config_dir / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"concurrent_requests = {value}\n")
    settings = load_settings(here().config_file)
    assert settings.concurrent_requests is None
    assert any("concurrent_requests" in w and str(path) in w for w in settings.warnings)


@pytest.mark.parametrize(("text", "expected"), [("", False), ("renew_credentials = true\n", True)])
def test_renew_credentials_is_off_unless_set(home: Home, text: str, expected: bool) -> None:
    path = home.config_dir / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    settings = load_settings(here().config_file)
    assert settings.renew_credentials is expected and settings.warnings == ()


@pytest.mark.parametrize("value", ['"yes"', "1"])
def test_a_renew_credentials_that_is_not_a_boolean_is_named_and_ignored(
    home: Home, value: str
) -> None:
    path = home.config_dir / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"renew_credentials = {value}\n")
    settings = load_settings(here().config_file)
    assert settings.renew_credentials is False
    assert any("renew_credentials" in w and "bool" in w for w in settings.warnings)


@pytest.mark.parametrize("value", ['"eu-west-1; touch x"', '"eu-west-1\\n"', '"Frankfurt"'])
def test_a_default_region_that_is_no_region_name_is_named_and_kept_out_of_the_exports(
    sim: Simulator, org: Organisation, home: Home, token: Token, value: str
) -> None:
    """It would have gone into AWS_REGION of every export and subshell, and failed the console
    later with a message that did not say where it came from."""
    path = home.config_dir / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"default_region = {value}\n")
    account = org.accounts[0]
    result = ssotui("export", account.account_id, account.roles[0].name, "--format", "sh")
    assert result.status == 0, result.err
    assert "AWS_REGION" not in result.out
    assert "default_region" in result.err and str(path) in result.err
    assert "not an AWS region name" in result.err


def test_a_default_region_of_any_partition_is_taken(home: Home) -> None:
    path = home.config_dir / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    for region in ("eu-west-1", "us-gov-west-1", "cn-north-1", "eusc-de-east-1"):
        path.write_text(f'default_region = "{region}"\n')
        settings = load_settings(here().config_file)
        assert settings.default_region == region and settings.warnings == ()


def test_a_config_toml_saved_with_a_byte_order_mark_is_read(home: Home) -> None:
    """Notepad (on Windows, editing a WSL home) saves UTF-8 with a byte order mark, and CRLF.
    Was: "is not valid TOML (Invalid statement (at line 1, column 1)); using the defaults"."""
    path = home.config_dir / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes('\ufeffdefault_region = "eu-west-1"\r\ncatalog_lifetime = 60\r\n'.encode())
    settings = load_settings(here().config_file)
    assert settings.warnings == ()
    assert settings.default_region == "eu-west-1" and settings.catalog_lifetime == 60
