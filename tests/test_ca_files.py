"""Which CA file TLS is verified with, and which setting named it: botocore's choice.

`tui.aws.ca_files.chosen_ca_file` is held, case by case, to the file botocore's own client
verifies with (read from the client it built), and its users to what they say with it.
"""

from __future__ import annotations

import os
from pathlib import Path

import botocore.exceptions
import botocore.httpsession
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from tests.conftest import Home
from tui.aws import clients
from tui.aws.ca_files import CaFile, chosen_ca_file, default_ca_file

CONFIG = "the AWS config file"
CREDENTIALS = "the shared credentials file"


def botocore_choice() -> str | None:
    """The CA file botocore verifies with for ssotui's clients (its session, with its fallback
    for a profile that does not exist); None when botocore refuses the setting."""
    session = clients._botocore_session()
    try:
        client = session.create_client(
            "sso", region_name="us-east-1", config=Config(signature_version=UNSIGNED)
        )
    except botocore.exceptions.InvalidConfigError:
        return None
    verify = client._endpoint.http_session._verify  # botocore's choice, private but exact
    return str(botocore.httpsession.get_cert_path(verify))


@pytest.fixture(autouse=True)
def no_ca_setting_of_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("environ", "config", "credentials", "expected"),
    [
        pytest.param({}, "", "", None, id="nothing: the default bundle"),
        pytest.param({"AWS_CA_BUNDLE": "/a.pem"}, "", "", ("/a.pem", "AWS_CA_BUNDLE"), id="AWS"),
        pytest.param(
            {"REQUESTS_CA_BUNDLE": "/r.pem"}, "", "", ("/r.pem", "REQUESTS_CA_BUNDLE"), id="REQ"
        ),
        pytest.param(
            {"AWS_CA_BUNDLE": "/a.pem", "REQUESTS_CA_BUNDLE": "/r.pem"},
            "[default]\nca_bundle = /p.pem\n",
            "",
            ("/a.pem", "AWS_CA_BUNDLE"),
            id="AWS before the profile",
        ),
        pytest.param(
            {"REQUESTS_CA_BUNDLE": "/r.pem"},
            "[default]\nca_bundle = /p.pem\n",
            "",
            ("/p.pem", f"ca_bundle in [default] of {CONFIG}"),
            id="the profile before REQUESTS",
        ),
        pytest.param(
            {"AWS_PROFILE": "corp"},
            "[default]\nca_bundle = /p.pem\n[profile corp]\nca_bundle = /c.pem\n",
            "",
            ("/c.pem", f"ca_bundle in [profile corp] of {CONFIG}"),
            id="AWS_PROFILE",
        ),
        pytest.param(
            {"AWS_DEFAULT_PROFILE": "corp", "AWS_PROFILE": "other"},
            "[profile other]\nca_bundle = /o.pem\n[profile corp]\nca_bundle = /c.pem\n",
            "",
            ("/c.pem", f"ca_bundle in [profile corp] of {CONFIG}"),
            id="AWS_DEFAULT_PROFILE before AWS_PROFILE",
        ),
        pytest.param(
            {"AWS_PROFILE": "gone"},
            "[default]\nca_bundle = /p.pem\n",
            "",
            ("/p.pem", f"ca_bundle in [default] of {CONFIG}"),
            id="a profile that does not exist: [default]",
        ),
        pytest.param(
            {"AWS_PROFILE": "corp", "REQUESTS_CA_BUNDLE": "/r.pem"},
            "[default]\nca_bundle = /p.pem\n[profile corp]\nregion = eu-west-1\n",
            "",
            ("/r.pem", "REQUESTS_CA_BUNDLE"),
            id="a profile without one: not [default]'s",
        ),
        pytest.param(
            {},
            "[default]\nca_bundle = /p.pem\n",
            "[default]\nca_bundle = /k.pem\n",
            ("/k.pem", f"ca_bundle in [default] of {CREDENTIALS}"),
            id="the credentials file over the config file",
        ),
        pytest.param(
            {"AWS_PROFILE": "corp"},
            "",
            "[corp]\nca_bundle = /k.pem\n",
            ("/k.pem", f"ca_bundle in [corp] of {CREDENTIALS}"),
            id="a profile only in the credentials file",
        ),
        pytest.param({"AWS_CA_BUNDLE": ""}, "", "", ("", "AWS_CA_BUNDLE"), id="empty AWS"),
        pytest.param(
            {"AWS_CA_BUNDLE": "", "REQUESTS_CA_BUNDLE": "/r.pem"},
            "",
            "",
            ("", "AWS_CA_BUNDLE"),
            id="empty AWS is no way to REQUESTS",
        ),
        pytest.param({"REQUESTS_CA_BUNDLE": " "}, "", "", (" ", "REQUESTS_CA_BUNDLE"), id="blank"),
        pytest.param(
            {"REQUESTS_CA_BUNDLE": "/r.pem"},
            "[default]\nca_bundle =\n",
            "",
            ("", f"ca_bundle in [default] of {CONFIG}"),
            id="empty in the profile",
        ),
    ],
)
def test_the_ca_file_and_its_setting_are_botocores_choice(
    environ: dict[str, str],
    config: str,
    credentials: str,
    expected: tuple[str, str] | None,
    home: Home,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home.write_config(config)
    home.aws_credentials.write_text(credentials)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    chosen = chosen_ca_file(os.environ)
    assert chosen == (CaFile(*expected) if expected else CaFile(default_ca_file()))
    botocore = botocore_choice()
    if chosen.empty:
        assert botocore is None  # refused by botocore; by ssotui too (a line naming it)
    else:
        assert chosen.path == botocore
    if expected is None:
        assert Path(chosen.path).is_file()  # certifi's, else botocore's own


def test_the_profile_is_read_from_the_files_the_environment_handed_in_names(
    tmp_path: Path, home: Home
) -> None:
    # This process's AWS config names one CA file; the environment handed in (the workspace's)
    # has another HOME, whose config names another: that one is botocore's choice there.
    home.write_config("[default]\nca_bundle = /etc/mine.pem\n")
    theirs = tmp_path / "their-home"
    (theirs / ".aws").mkdir(parents=True)
    (theirs / ".aws" / "config").write_text("[default]\nca_bundle = /etc/theirs.pem\n")
    assert chosen_ca_file({"HOME": str(theirs)}) == CaFile(
        "/etc/theirs.pem", f"ca_bundle in [default] of {CONFIG}"
    )


def test_a_changed_config_file_is_read_again(home: Home) -> None:
    home.write_config("[default]\nca_bundle = /etc/first.pem\n")
    assert chosen_ca_file(os.environ).path == "/etc/first.pem"
    home.write_config("[default]\nca_bundle = /etc/second-one.pem\n")
    assert chosen_ca_file(os.environ).path == "/etc/second-one.pem"
