"""The AWS files under attack: symlinks to things that are not files, read-only files, and no
lock files left.

A symlink is written through only when it ends at a regular file; anything else (a device such
as /dev/null, a pipe, a folder, nothing, a link another user planted) is refused with one line
and left exactly as it was; so is a read-only file. Locks live in ssotui's own cache folder,
never beside the file.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.cli_helpers import run_command, ssotui
from tests.conftest import Home, here
from tests.made_up import made_up_credentials
from tui.errors import FileWriteError
from tui.export import aws_config
from tui.export.credentials_file import write_profile
from tui.models import Account, Catalog, SsoSession
from tui.store import files

SESSION = SsoSession(name="dev", start_url="https://example.awsapps.com/start", region="eu-west-1")
ACME = Account("123456789012", "acme")
CATALOG = Catalog(
    accounts=(ACME,),
    roles={ACME.account_id: ("Admin",)},
    fetched_at=datetime(2030, 1, 1, tzinfo=UTC),
)


def a_null_device(tmp_path: Path) -> Path:
    """/dev/null, or as root (who could replace the machine's own /dev/null if this ever
    regressed) a private character device with the same numbers."""
    if os.geteuid() == 0:
        device = tmp_path / "null"
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        return device
    return Path("/dev/null")


Writer = Callable[[], object]
WRITERS: dict[str, Writer] = {
    "write_profile": lambda: write_profile(here(), made_up_credentials(), "p"),
    "populate": lambda: aws_config.populate_profiles(here(), SESSION, CATALOG),
    "write_sso_session": lambda: aws_config.write_sso_session(
        here(), "dev", "https://example.awsapps.com/start", "eu-west-1"
    ),
}


def target_of(writer: str, home: Home) -> Path:
    return home.aws_credentials if writer == "write_profile" else home.aws_config


def refused(writer: str, *, contains: str) -> str:
    with pytest.raises(FileWriteError) as caught:
        WRITERS[writer]()
    message = caught.value.message
    assert "\n" not in message and contains in message, message
    return message


@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_symlink_to_a_null_device_is_refused_and_the_device_stays(
    writer: str, home: Home, tmp_path: Path
) -> None:
    device = a_null_device(tmp_path)
    before = os.stat(device)
    target_of(writer, home).symlink_to(device)
    message = refused(writer, contains="which is a device")
    assert "symlink" in message and str(device) in message
    after = os.stat(device)
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev, stat.S_IMODE(after.st_mode)) == (
        before.st_ino,
        before.st_rdev,
        stat.S_IMODE(before.st_mode),
    )
    assert target_of(writer, home).is_symlink()


@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_symlink_to_a_pipe_is_refused(writer: str, home: Home, tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe, 0o666)
    target_of(writer, home).symlink_to(pipe)
    refused(writer, contains="which is a pipe")
    assert stat.S_ISFIFO(os.stat(pipe).st_mode)


@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_symlink_to_nothing_or_a_folder_is_refused(
    writer: str, home: Home, tmp_path: Path
) -> None:
    link = target_of(writer, home)
    link.symlink_to(tmp_path / "missing")
    refused(writer, contains="which does not exist")
    assert not (tmp_path / "missing").exists()
    link.unlink()
    (tmp_path / "folder").mkdir()
    link.symlink_to(tmp_path / "folder")
    refused(writer, contains="which is a folder")
    assert list((tmp_path / "folder").iterdir()) == []


def test_a_file_that_is_a_pipe_itself_is_refused(home: Home) -> None:
    os.mkfifo(home.aws_credentials, 0o600)
    refused("write_profile", contains="is a pipe")
    assert stat.S_ISFIFO(os.lstat(home.aws_credentials).st_mode)


def test_a_symlink_another_user_owns_is_not_followed(
    home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "elsewhere"
    real.write_text("[x]\nk = v\n")
    home.aws_credentials.symlink_to(real)
    if os.geteuid() == 0:
        os.lchown(home.aws_credentials, 4242, 4242)  # planted by user 4242
    else:  # this process plays another user; the link stays its maker's
        mine = os.geteuid()
        monkeypatch.setattr(os, "geteuid", lambda: mine + 4242)
    refused("write_profile", contains="symlink owned by another user")
    assert real.read_text() == "[x]\nk = v\n"


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may make a link another user owns")
def test_a_symlink_leading_to_a_symlink_another_user_owns_is_not_followed(
    home: Home, tmp_path: Path
) -> None:
    # ~/.aws/credentials -> shared/credentials, a link user 4242 may point anywhere
    mine = tmp_path / "mine"
    mine.mkdir()
    exposed = mine / "public.html"  # a file of the user's that others may read
    exposed.write_text("<p>hello</p>\n")
    exposed.chmod(0o644)
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "credentials").symlink_to(exposed)
    os.lchown(shared / "credentials", 4242, 4242)
    home.aws_credentials.symlink_to(shared / "credentials")
    message = refused("write_profile", contains="owned by another user")
    assert str(shared / "credentials") in message
    assert exposed.read_text() == "<p>hello</p>\n"


def test_a_symlink_to_a_regular_file_is_followed_and_keeps_its_mode(
    home: Home, tmp_path: Path
) -> None:
    real = tmp_path / "dotfiles" / "credentials"
    real.parent.mkdir()
    real.write_text("[mine]\nk = v\n")
    real.chmod(0o640)
    home.aws_credentials.symlink_to(real)
    write_profile(here(), made_up_credentials(), "p")
    assert home.aws_credentials.is_symlink()
    assert real.read_text().startswith("[mine]\nk = v\n\n[p]\n")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a file to another user")
@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_file_written_as_root_keeps_its_owner_and_group(writer: str, home: Home) -> None:
    # `sudo ssotui populate` with the user's HOME: the user must still be able to read it.
    target = target_of(writer, home)
    target.write_text("[profile mine]\nregion = eu-west-1\n")
    target.chmod(0o640)
    os.chown(target, 4242, 4343)
    WRITERS[writer]()
    after = target.stat()
    assert (after.st_uid, after.st_gid) == (4242, 4343)
    assert stat.S_IMODE(after.st_mode) == 0o640
    assert target.read_text().startswith("[profile mine]\nregion = eu-west-1\n")


def test_writes_leave_no_lock_file_beside_the_aws_files(home: Home) -> None:
    for writer in WRITERS.values():
        writer()
    aws = home.aws_config.parent
    assert sorted(p.name for p in aws.iterdir()) == ["config", "credentials"]
    locks = home.cache_dir / "locks"
    assert stat.S_IMODE(locks.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in locks.iterdir())


def test_every_spelling_of_a_file_shares_one_lock(home: Home, tmp_path: Path) -> None:
    real = tmp_path / "real-credentials"
    real.write_text("")
    home.aws_credentials.symlink_to(real)
    spellings = [home.aws_credentials, real, tmp_path / "x" / ".." / "real-credentials"]
    assert len({files.lock_file(here(), p) for p in spellings}) == 1
    assert files.lock_file(here(), home.aws_config) != files.lock_file(here(), real)
    assert files.lock_file(here(), real).parent == home.cache_dir / "locks"


@pytest.mark.parametrize("writer", ["populate", "write_sso_session"])
def test_a_config_file_that_is_not_utf8_is_refused_and_kept(writer: str, home: Home) -> None:
    # Each config-file writer on its own (the commands check the file before they get here).
    original = b"# caf\xe9 in latin-1\n[default]\nregion = eu-west-1\n"
    home.aws_config.write_bytes(original)
    refused(writer, contains="not valid UTF-8")
    assert home.aws_config.read_bytes() == original


@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_read_only_file_is_refused_and_kept(writer: str, home: Home) -> None:
    """`chmod a-w` says "leave it": the AWS CLI cannot write such a file, and neither may
    ssotui (its rename beside the file, and root, would pass over the mode unasked)."""
    path = target_of(writer, home)
    original = b"# keep me as I am\n[default]\nregion = eu-west-1\n"
    path.write_bytes(original)
    path.chmod(0o400)
    message = refused(writer, contains="is read-only (mode 0400)")
    assert "chmod u+w" in message
    assert path.read_bytes() == original
    assert stat.S_IMODE(path.stat().st_mode) == 0o400


@contextlib.contextmanager
def mounted(folder: Path, options: str) -> Iterator[Path]:
    """A small tmpfs mounted at `folder` with `options` while the block runs; root only, as
    mounting is (the test is skipped otherwise)."""
    folder.mkdir()
    if (
        os.geteuid() != 0
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True
        ).returncode
    ):
        pytest.skip("mounting a file system takes root (and mount)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


@pytest.fixture
def read_only_mount(tmp_path: Path) -> Iterator[Path]:
    """A folder on a file system mounted read-only (a small tmpfs, remounted `ro`), holding
    `config`."""
    with mounted(tmp_path / "ro", "size=64k") as folder:
        (folder / "config").write_bytes(b"[default]\nregion = eu-west-1\n")
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield folder


@pytest.mark.parametrize(
    ("options", "advice"),
    [
        (
            "size=16k,nr_inodes=1",
            "No space left on device: free some space there, or point "
            "SSOTUI_CACHE_DIR at a folder on another disk",
        ),
        (
            "size=16k,ro",
            "Read-only file system: point SSOTUI_CACHE_DIR at a folder on a writable one",
        ),
    ],
    ids=["full", "read-only"],
)
def test_a_cache_folder_on_a_full_or_read_only_disk_says_what_helps(
    home: Home, tmp_path: Path, options: str, advice: str
) -> None:
    """The locks live in ssotui's cache folder. Was, for a full disk too: "No space left on
    device: make that folder writable", which it was."""
    home.write_config("[profile mine]\nregion = eu-west-1\n")
    with mounted(tmp_path / "disk", options) as disk:
        run = ssotui(
            "configure",
            "--no-login",
            "--session",
            "acme",
            "--start-url",
            "acme.awsapps.com/start",
            "--sso-region",
            "eu-west-1",
            env={"SSOTUI_CACHE_DIR": str(disk / "cache")},
        )
    assert run.status == 1 and run.err.count("\n") == 1, run.err
    assert run.err.startswith(f"ssotui: cannot lock {home.aws_config}: ") and advice in run.err
    assert home.aws_config.read_text() == "[profile mine]\nregion = eu-west-1\n"


@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_file_on_a_read_only_file_system_is_said_so_not_chmod(
    writer: str, home: Home, read_only_mount: Path
) -> None:
    """A dotfiles checkout, or a Nix store, mounted read-only, `~/.aws/config` a symlink into
    it: no chmod makes the file writable there. Was: "is read-only (mode 0644) ... make it
    writable (chmod u+w)", which changes nothing."""
    inside = read_only_mount / "config"
    target_of(writer, home).symlink_to(inside)
    message = refused(writer, contains="is on a read-only file system")
    assert f"(it is a symlink to {inside})" in message and "chmod" not in message
    assert inside.read_bytes() == b"[default]\nregion = eu-west-1\n"


NOBODY = 65534
try:
    NOBODY_NAME = pwd.getpwuid(NOBODY).pw_name
except KeyError:
    NOBODY_NAME = str(NOBODY)


@pytest.fixture
def world() -> Iterator[Path]:
    """A home folder of user nobody's (its `.aws/config` holds a profile), for a command run
    as nobody (`configure_as_nobody`); root only, as giving files away is."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("giving files away and running as another user take root and setpriv")
    folder = Path(tempfile.mkdtemp(prefix="ssotui-owner-"))
    try:
        folder.chmod(0o755)
        (folder / ".aws").mkdir()
        (folder / ".aws" / "config").write_bytes(ORIGINAL)
        for path in [folder, *folder.rglob("*")]:
            os.lchown(path, NOBODY, NOBODY)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


ORIGINAL = b"[profile mine]\nregion = eu-west-1\n"


def configure_as_nobody(world: Path) -> str:
    """What `ssotui configure` run by nobody in `world` says on stderr (it must fail)."""
    run = run_command(
        ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
        + [sys.executable, "-m", "tui", "configure", "--no-login", "--session", "acme"]
        + ["--start-url", "acme.awsapps.com/start", "--sso-region", "eu-west-1"],
        env={
            "HOME": str(world),
            "AWS_CONFIG_FILE": str(world / ".aws" / "config"),
            "SSOTUI_CACHE_DIR": str(world / "cache"),
            "SSOTUI_CONFIG_DIR": str(world / "ssotui-config"),
            "SSOTUI_STATE_DIR": str(world / "state"),
        },
    )
    assert run.status == 1 and run.err.count("\n") == 1, run.err
    return run.err


@pytest.mark.parametrize("folder_too", [False, True], ids=["file", "file and folder"])
def test_a_config_file_root_left_behind_is_said_so_not_chmod(world: Path, folder_too: bool) -> None:
    """`sudo aws configure` (or `sudo ssotui populate` with the user's HOME, as macOS's sudo
    keeps it) leaves `~/.aws/config` root's, 0644, and maybe `~/.aws` too: the user may not
    chmod them. Was: "is read-only (mode 0644) ... make it writable (chmod u+w)", which fails
    with "Operation not permitted"."""
    config = world / ".aws" / "config"
    os.chown(config, 0, 0)
    if folder_too:
        os.chown(config.parent, 0, 0)
    mine = f"{config.parent} {config}" if folder_too else str(config)
    assert configure_as_nobody(world) == (
        f"ssotui: {config} belongs to root, and you may not write it; ssotui leaves it "
        f"unchanged: make it yours (sudo chown {NOBODY_NAME} {mine}) and run again\n"
    )
    assert config.read_bytes() == ORIGINAL


def test_a_config_file_in_a_folder_that_takes_no_new_file_names_the_folder(world: Path) -> None:
    """A dotfiles checkout that is read-only (`chmod a-w`) while the file in it is writable:
    ssotui replaces a file by a new one, which the folder refuses. Was: "cannot write …/config:
    Permission denied", about a file its user may write."""
    dotfiles = world / "dotfiles"
    dotfiles.mkdir()
    (world / ".aws" / "config").rename(dotfiles / "config")
    (world / ".aws" / "config").symlink_to(dotfiles / "config")
    for path in (dotfiles, dotfiles / "config", world / ".aws" / "config"):
        os.lchown(path, NOBODY, NOBODY)
    dotfiles.chmod(0o555)
    assert configure_as_nobody(world) == (
        f"ssotui: cannot write {dotfiles / 'config'}: no new file may be made in its folder "
        f"{dotfiles} (Permission denied), which replacing the file takes: make that folder "
        "writable; the old file is unchanged\n"
    )
    assert (dotfiles / "config").read_bytes() == ORIGINAL


def test_a_read_only_credentials_file_keeps_the_profiles_purge_would_take(home: Home) -> None:
    from tui.export.credentials_file import purge_written_profiles

    write_profile(here(), made_up_credentials(), "p")
    original = home.aws_credentials.read_bytes()
    home.aws_credentials.chmod(0o444)
    with pytest.raises(FileWriteError, match="is read-only"):
        purge_written_profiles(here())
    assert home.aws_credentials.read_bytes() == original


@pytest.mark.parametrize("writer", list(WRITERS))
def test_a_file_another_ssotui_keeps_locked_is_refused_not_waited_on_for_ever(
    writer: str, home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another ssotui stopped (Ctrl-Z) while it changes the file holds its lock: a second one
    says so in one line after a while and writes nothing, instead of hanging in silence."""
    import fcntl

    monkeypatch.setattr(files, "AWS_FILE_LOCK_WAIT", 0.2)
    path = target_of(writer, home)
    original = b"[default]\nregion = eu-west-1\n"
    path.write_bytes(original)
    lock = files.lock_file(here(), path)
    files.ensure_dir(lock.parent)
    other = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)  # a lock of its own, as another process
    try:
        fcntl.flock(other, fcntl.LOCK_EX)
        refused(writer, contains="another ssotui is still changing")
        assert path.read_bytes() == original
    finally:
        os.close(other)
    WRITERS[writer]()  # once it is let go, the change goes through
    assert path.read_bytes() != original


def test_a_file_where_a_folder_goes_is_named_with_what_to_do(
    sim: object, sso_config: Path, tmp_path: Path
) -> None:
    """`XDG_CACHE_HOME` set to a file, say: the line names that file, not only 'Not a
    directory'."""
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("")
    run = ssotui("login", "--no-browser", env={"SSOTUI_CACHE_DIR": str(in_the_way / "ssotui")})
    assert run.status == 1
    assert run.err.splitlines() == [
        f"ssotui: cannot lock the login to session dev: cannot create folder {in_the_way}/ssotui"
        f"/login: {in_the_way} is a file, not a folder: move that file away, or point "
        "SSOTUI_CACHE_DIR at a folder"
    ]
