"""An AWS file with other names (hard links, a dotfiles checkout, say): what ssotui writes to
the config file, and the keys `logout --purge` takes out of the credentials file, show under
every name, as `aws configure set` (which writes in place) would leave them. Was: the file
renamed over one name, the other keeping the old text (and the keys purge removed).
"""

from __future__ import annotations

import os
from pathlib import Path

import botocore.configloader

from tests.app_support import log_in, usable_role, with_roles
from tests.cli_helpers import ssotui_with_files_up_to
from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home
from tui.sim import Organisation, Simulator


def other_name(path: Path, tmp_path: Path) -> Path:
    """A second name of `path` (a hard link) in a dotfiles folder."""
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir(exist_ok=True)
    linked = dotfiles / path.name
    os.link(path, linked)
    return linked


def test_populate_shows_under_every_name_of_the_config_file(
    sim: Simulator, sso_config: Path, home: Home, tmp_path: Path
) -> None:
    log_in()
    sso_config.chmod(0o640)
    linked = other_name(sso_config, tmp_path)
    before = sso_config.read_text(encoding="utf-8")
    run = ssotui("populate")
    assert run.status == 0, run.err
    after = linked.read_text(encoding="utf-8")
    assert after.startswith(before) and after != before
    assert sso_config.read_bytes() == linked.read_bytes()
    assert os.stat(sso_config).st_nlink == 2  # one file still, its mode as it was
    assert oct(os.stat(sso_config).st_mode & 0o777) == oct(0o640)
    # what the AWS CLI reads through the other name: the profiles populate wrote
    profiles = botocore.configloader.load_config(str(linked))["profiles"]
    pairs = {(p.get("sso_account_id"), p.get("sso_role_name")) for p in profiles.values()}
    assert {(a.account_id, r.name) for a in sim.org.accounts for r in a.roles} <= pairs


def test_configure_adds_its_sso_session_under_every_name(
    sim: Simulator, home: Home, tmp_path: Path
) -> None:
    sim.set(interval=0)
    home.write_config("[default]\nregion = eu-west-1\n")
    linked = other_name(home.aws_config, tmp_path)
    run = ssotui(
        "configure",
        "--no-browser",
        *("--session", "acme", "--start-url", sim.start_url, "--sso-region", sim.region),
    )
    assert run.status == 0, run.err
    sessions = botocore.configloader.load_config(str(linked))["sso_sessions"]
    assert sessions["acme"]["sso_start_url"] == sim.start_url
    assert linked.read_bytes() == home.aws_config.read_bytes()


def test_purge_takes_the_keys_out_of_every_name_of_the_credentials_file(
    sim: Simulator, sso_config: Path, org: Organisation, home: Home, tmp_path: Path
) -> None:
    log_in()
    account = with_roles(org)
    # written before the second name exists: write-profile refuses a file with other names
    assert ssotui("write-profile", account.account_id, usable_role(account)).status == 0
    linked = other_name(home.aws_credentials, tmp_path)
    assert "aws_secret_access_key" in linked.read_text(encoding="utf-8")
    run = ssotui("logout", "--purge")
    assert run.status == 0, run.err
    assert "Removed 1 profile ssotui wrote to the credentials file." in run.err
    assert "aws_secret_access_key" not in linked.read_text(encoding="utf-8")
    assert linked.read_bytes() == home.aws_credentials.read_bytes()


def test_a_write_that_fails_part_way_puts_the_old_text_back_under_every_name(
    sim: Simulator, sso_config: Path, home: Home, tmp_path: Path
) -> None:
    log_in()
    sso_config.write_text("# mine\n" * 40 + sso_config.read_text(encoding="utf-8"))
    linked = other_name(sso_config, tmp_path)
    before = sso_config.read_bytes()
    room = len(before) + 64  # part of populate's block fits, not all of it
    run = ssotui_with_files_up_to(room, "populate")
    assert run.status == 1
    assert (
        run.err == f"ssotui: cannot write {sso_config}: File too large; the old file is unchanged\n"
    )
    assert sso_config.read_bytes() == before and linked.read_bytes() == before
