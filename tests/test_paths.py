"""Where the AWS files are: named by the environment handed in, expanded as botocore expands."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tui import paths


@pytest.mark.parametrize(
    "raw",
    [
        "~/.aws/config",
        "~",
        "~/",
        "$HOME/.aws/config",
        "${HOME}/.aws/config",
        "$SSOTUI_NOT_SET/config",
        "${SSOTUI_NOT_SET}/config",
        "/etc/$USER/config",
        "relative/config",
        "~root/config",
        "$",
        "${}",
    ],
)
def test_a_name_is_expanded_as_botocore_expands_it(
    raw: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("USER", "jo")
    monkeypatch.delenv("SSOTUI_NOT_SET", raising=False)
    # botocore's raw_config_parse: os.path.expandvars, then os.path.expanduser
    assert paths.expanded(raw, dict(os.environ)) == Path(
        os.path.expanduser(os.path.expandvars(raw))
    )


def test_the_aws_files_are_those_the_environment_handed_in_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This process's environment names other files: they must not be the answer.
    monkeypatch.setenv("HOME", str(tmp_path / "mine"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "mine" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "mine" / "credentials"))
    theirs = tmp_path / "theirs"
    environ = {"HOME": str(theirs)}
    assert paths.aws_config_file(environ) == theirs / ".aws" / "config"
    assert paths.aws_credentials_file(environ) == theirs / ".aws" / "credentials"
    environ = {
        "HOME": str(theirs),
        "AWS_CONFIG_FILE": "$HOME/cfg",
        "AWS_SHARED_CREDENTIALS_FILE": "~/c",
    }
    assert paths.aws_config_file(environ) == theirs / "cfg"
    assert paths.aws_credentials_file(environ) == theirs / "c"


@pytest.mark.parametrize(
    ("variable", "raw", "expected"),
    [
        ("SSOTUI_CACHE_DIR", "~/moved/cache", "home/moved/cache"),
        ("SSOTUI_STATE_DIR", "$HOME/moved/state", "home/moved/state"),
        ("SSOTUI_CONFIG_DIR", "${HOME}/moved/config", "home/moved/config"),
        ("SSOTUI_CACHE_DIR", "relative/cache", "home/.cache/ssotui"),
        ("SSOTUI_STATE_DIR", "./state", "home/.local/state/ssotui"),
        ("SSOTUI_SSO_CACHE_DIR", "~/sso", "home/sso"),
        ("SSOTUI_SSO_CACHE_DIR", "sso", "home/.aws/sso/cache"),
    ],
)
def test_ssotuis_own_folders_are_never_relative_to_the_working_folder(
    tmp_path: Path, variable: str, raw: str, expected: str
) -> None:
    # As AWS_CONFIG_FILE, `~` and `$HOME` are expanded; a folder still relative is ignored, as
    # XDG_CACHE_HOME's is. Was: `~/moved/cache` a folder named `~` in the working folder.
    environ = {"HOME": str(tmp_path / "home"), variable: raw}
    found = paths.Paths.from_environ(environ)
    where = {
        "SSOTUI_CACHE_DIR": found.cache_dir,
        "SSOTUI_STATE_DIR": found.state_dir,
        "SSOTUI_CONFIG_DIR": found.config_dir,
        "SSOTUI_SSO_CACHE_DIR": found.sso_cache_dir,
    }[variable]
    assert where == tmp_path / expected
    assert where.is_absolute()


def test_ssotui_config_shows_a_folder_with_a_line_break_or_an_escape_on_one_row(
    tmp_path: Path,
) -> None:
    # Was: the escape sequence sent to the terminal as is, and the row cut in two.
    from tests.cli_helpers import ssotui

    odd = tmp_path / "a b\nc\x1b]0;title\x07"
    run = ssotui("config", env={"SSOTUI_CACHE_DIR": str(odd)})
    assert run.status == 0, run.err
    assert "\x1b" not in run.out and "\x07" not in run.out
    [row] = [line for line in run.out.splitlines() if "ssotui cache" in line]
    assert f"{tmp_path}/a b␊c␛]0;title␇ (absent)" in row and "$SSOTUI_CACHE_DIR" in row
