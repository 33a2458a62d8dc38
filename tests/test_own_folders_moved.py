"""ssotui's own folders moved by a variable that no shell expanded (`SSOTUI_CACHE_DIR=~/x` in
a systemd unit, a CI `env:`, `docker -e`, fish's quotes) or that names a relative folder:
the kept role credentials land under the home folder or in the default place, never in the
folder a command runs in. Was: `~/.cache/ssotui` made a folder named `~` in the working folder,
holding role credentials, in whatever project an SDK ran `credential-process` from (and `rm
-rf ~` is how one removes it by mistake)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app_support import log_in, usable_role, with_roles
from tests.cli_helpers import ssotui
from tests.conftest import Home
from tui.sim import Organisation, Simulator


@pytest.mark.parametrize(
    ("raw", "kept_in"),
    [("~/moved-cache", "moved-cache"), (".ssotui-cache", ".cache/ssotui")],
    ids=["tilde", "relative"],
)
def test_role_credentials_are_never_kept_in_the_working_folder(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    home: Home,
    tmp_path: Path,
    raw: str,
    kept_in: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    log_in()
    account = with_roles(org)
    project = tmp_path / "project"
    project.mkdir()
    env = {"SSOTUI_CACHE_DIR": raw}
    run = ssotui("export", account.account_id, usable_role(account), env=env, cwd=project)
    assert run.status == 0, run.err
    assert list(project.iterdir()) == []
    assert len(list((home.root / kept_in / "role-credentials").iterdir())) == 1
    shown = ssotui("config", env=env, cwd=project)
    line = next(line for line in shown.out.splitlines() if "ssotui cache" in line)
    assert str(home.root / kept_in) in line
    if raw.startswith("."):
        assert "$SSOTUI_CACHE_DIR ignored: '.ssotui-cache' is not an absolute path" in line
