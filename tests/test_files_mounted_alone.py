"""An AWS file mounted on its own, as a container gets it (`docker run -v
~/.aws/credentials:/home/me/.aws/credentials`, a devcontainer, a Kubernetes `subPath`): no
rename may replace a mount point, so it is changed in place, as the AWS CLI in that container
changes it, and the host's file shows the change. Was: write-profile, populate, configure and
logout --purge failed with "cannot write …: Device or resource busy", where `aws configure set`
worked."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import boto3
import botocore.session
import pytest

from tests.conftest import Home, here
from tests.made_up import made_up_credentials
from tui.export import aws_config
from tui.export.credentials_file import purge_written_profiles, write_profile
from tui.models import Account, Catalog, SsoSession

HOSTS = "[mine]\naws_access_key_id = AKIAMINE000000000000\naws_secret_access_key = s\n"


@pytest.fixture
def host(home: Home, tmp_path: Path) -> Iterator[Path]:
    """The host's folder whose `config` and `credentials` are bind-mounted, each on its own,
    onto the test's `~/.aws/config` and `~/.aws/credentials`; root only, as mounting is."""
    if os.geteuid() != 0:
        pytest.skip("a bind mount takes root")
    folder = tmp_path / "host"
    folder.mkdir()
    mounted: list[Path] = []
    try:
        for name, text in (("config", "[profile x]\nregion = eu-west-1\n"), ("credentials", HOSTS)):
            (folder / name).write_text(text)
            (folder / name).chmod(0o600)
            inside = home.aws_config.parent / name
            inside.touch()
            if subprocess.run(
                ["mount", "--bind", str(folder / name), str(inside)], capture_output=True
            ).returncode:
                pytest.skip("no bind mount here (mount missing, or not allowed)")
            mounted.append(inside)
        yield folder
    finally:
        for inside in mounted:
            subprocess.run(["umount", str(inside)], check=True)


def test_write_profile_and_purge_change_the_hosts_credentials_file(home: Home, host: Path) -> None:
    creds = made_up_credentials()
    name = write_profile(here(), creds)
    assert (host / "credentials").read_text().startswith(HOSTS)
    found = boto3.Session(profile_name=name).get_credentials()
    assert found is not None and found.access_key == creds.access_key_id
    assert oct((host / "credentials").stat().st_mode & 0o777) == "0o600"
    assert purge_written_profiles(here()) == [name]
    assert (host / "credentials").read_text() == HOSTS


def test_populate_and_configure_change_the_hosts_config_file(home: Home, host: Path) -> None:
    session = SsoSession(
        name="acme", start_url="https://acme.awsapps.com/start", region="eu-west-1"
    )
    aws_config.write_sso_session(here(), "acme", session.start_url, session.region)
    account = Account("123456789012", "prod")
    catalog = Catalog(
        accounts=(account,),
        roles={account.account_id: ("Admin",)},
        fetched_at=datetime(2030, 1, 1, tzinfo=UTC),
    )
    aws_config.populate_profiles(here(), session, catalog, region="eu-west-1")
    assert (host / "config").read_text().startswith("[profile x]\nregion = eu-west-1\n")
    profiles = botocore.session.Session().full_config["profiles"]
    assert profiles["prod.Admin"]["sso_session"] == "acme"
    assert profiles["x"] == {"region": "eu-west-1"}
