"""A config file that is a pipe (a FIFO) nothing writes to: one line, not a hang; a pipe that
is written to (`AWS_CONFIG_FILE=<(…)` in a shell) is read as a file is."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.cli_helpers import ssotui
from tests.conftest import Home


def test_an_aws_config_that_is_a_pipe_nothing_writes_to_is_one_line(home: Home) -> None:
    os.mkfifo(home.aws_config)
    run = ssotui("list", timeout=30)
    assert run.status == 1
    assert run.err == (
        f"ssotui: cannot read the AWS config file {home.aws_config}: "
        "it is a pipe that nothing writes to\n"
    )


def test_a_config_toml_that_is_a_pipe_nothing_writes_to_is_a_warning(home: Home) -> None:
    home.config_dir.mkdir(parents=True)
    os.mkfifo(home.config_dir / "config.toml")
    run = ssotui("config", timeout=30)
    assert run.status == 0
    assert "it is a pipe that nothing writes to); using the defaults" in run.err


def test_an_aws_config_written_into_a_pipe_is_read(home: Home) -> None:
    os.mkfifo(home.aws_config)
    reader = subprocess.Popen(
        [sys.executable, "-m", "tui", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    with open(home.aws_config, "w", encoding="utf-8") as pipe:  # waits for the reader
        pipe.write("[sso-session dev]\nsso_start_url = https://x.awsapps.com/start\n")
    _, err = reader.communicate(timeout=30)
    # the section was read: what is missing is its region, not the session
    assert err == (
        f"ssotui: [sso-session dev] in {home.aws_config} has no sso_region: add it "
        "(e.g. `aws configure sso-session`)\n"
    )


@pytest.mark.usefixtures("token")
def test_populate_passes_over_a_credentials_file_that_is_a_pipe(home: Home) -> None:
    # botocore reads no shared credentials file that is not a regular file: nor does populate
    # when it looks there for the user's own profiles (it waited for ever)
    home.aws_credentials.unlink(missing_ok=True)
    os.mkfifo(home.aws_credentials)
    run = ssotui("populate", "--dry-run", timeout=30)
    assert run.status == 0, run.err
    assert "Dry run: would write" in run.err
    assert "[profile " in run.out
