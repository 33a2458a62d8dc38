"""A file where the SSO token cache folder goes (`SSOTUI_SSO_CACHE_DIR` set to a file, or
`~/.aws/sso` a file): every command names that file and says to move it, since the
`ssotui login` they used to send the user to fails on it too."""

from __future__ import annotations

from pathlib import Path

from tests.cli_helpers import ssotui
from tests.conftest import Home
from tui.sim import Simulator


def test_the_variable_naming_a_file_is_said_with_what_to_do(
    sim: Simulator, sso_config: Path, tmp_path: Path
) -> None:
    in_the_way = tmp_path / "notes.txt"
    in_the_way.write_text("not a folder\n", encoding="utf-8")
    env = {"SSOTUI_SSO_CACHE_DIR": str(in_the_way)}
    run = ssotui("list", env=env)
    assert run.status == 1
    # was: 'the token cache …/notes.txt/<key>.json of session dev is unusable (Not a
    # directory): run `ssotui login`', and that login failed on the same file
    assert run.err.splitlines() == [
        f"ssotui: the token cache of session dev cannot be read: {in_the_way} is a file, not a "
        "folder: move it away, or point SSOTUI_SSO_CACHE_DIR at a folder, then run `ssotui login`"
    ]
    assert "is a file, not a folder" in ssotui("login", "--use-device-code", env=env).err
    logout = ssotui("logout", env=env)
    assert logout.status == 0, logout.err
    assert "stays valid" not in logout.out + logout.err  # no token could be there to revoke
    assert in_the_way.read_text(encoding="utf-8") == "not a folder\n"


def test_a_file_above_the_default_cache_folder_is_named(
    sim: Simulator, sso_config: Path, home: Home
) -> None:
    in_the_way = home.root / ".aws" / "sso"
    in_the_way.write_text("", encoding="utf-8")
    run = ssotui("export", "anything", "Role")
    assert run.status == 1
    assert run.err.splitlines() == [
        f"ssotui: the token cache of session dev cannot be read: {in_the_way} is a file, not a "
        "folder: move it away, then run `ssotui login`"
    ]
