"""Which CA file TLS is verified with, and which setting named it: botocore's choice."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Home
from tui.aws.ca_files import configured_ca_file


def test_the_profile_is_read_from_the_files_the_environment_handed_in_names(
    tmp_path: Path, home: Home
) -> None:
    # This process's AWS config names one CA file; the environment handed in (the workspace's)
    # has another HOME, whose config names another: that one is botocore's choice there.
    home.write_config("[default]\nca_bundle = /etc/mine.pem\n")
    theirs = tmp_path / "their-home"
    (theirs / ".aws").mkdir(parents=True)
    (theirs / ".aws" / "config").write_text("[default]\nca_bundle = /etc/theirs.pem\n")
    assert configured_ca_file({"HOME": str(theirs)}) == (
        "ca_bundle in [default] of the AWS config file",
        "/etc/theirs.pem",
    )
