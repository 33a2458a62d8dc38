"""What may lie at the catalog cache's path: a pipe, a symlink, a file someone else could write.

The catalog decides which account a typed name means, so a file that is not the user's own is
not read (a planted one could send `ssotui exec dev …` to the production account), and a write
never lands anywhere but the cache's own file.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.cli_helpers import ssotui
from tests.conftest import here
from tui.models import SsoSession, Token
from tui.sim import Simulator
from tui.store import catalog_cache

NOBODY = 65534


def _planted(session: SsoSession, path: Path) -> None:
    """A fresh-looking catalog holding an account the service never listed, 'planted'."""
    assert ssotui("list").status == 0
    data = json.loads(catalog_cache.cache_path(here(), session).read_text(encoding="utf-8"))
    data.update(
        accountIds=["999999999999"], accountNames=["planted"], emailAddresses=[""], roles=[["X"]]
    )
    path.write_text(json.dumps(data), encoding="utf-8")


def test_a_pipe_at_the_cache_path_does_not_hang_list(
    session: SsoSession, token: Token, sim: Simulator
) -> None:
    path = catalog_cache.cache_path(here(), session)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    result = ssotui("list", timeout=30)  # was: waited forever for a writer
    assert result.status == 0, result.err
    assert len(result.out.splitlines()) == sum(len(a.roles) for a in sim.org.accounts)


def test_a_symlink_at_the_cache_path_is_replaced_not_written_through(
    session: SsoSession, token: Token, sim: Simulator, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "notes.txt"
    elsewhere.write_text("the user's own notes\n", encoding="utf-8")
    path = catalog_cache.cache_path(here(), session)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(elsewhere)
    assert ssotui("list", "--refresh").status == 0
    assert elsewhere.read_text(encoding="utf-8") == "the user's own notes\n"  # was: the catalog
    assert not path.is_symlink() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert catalog_cache.load(here(), session) is not None


def test_a_cache_anyone_can_change_is_not_used(
    session: SsoSession, token: Token, sim: Simulator
) -> None:
    path = catalog_cache.cache_path(here(), session)
    _planted(session, path)
    path.chmod(0o666)
    result = ssotui("list")
    assert result.status == 0, result.err
    assert "planted" not in result.out  # fetched afresh instead
    assert ssotui("export", "planted", "X").status == 1


def test_a_cache_of_another_user_is_not_used(
    session: SsoSession, token: Token, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = catalog_cache.cache_path(here(), session)
    _planted(session, path)
    if os.geteuid() == 0:
        try:
            os.chown(path, NOBODY, NOBODY)
        except OSError:
            pytest.skip("cannot give a file to another user here")
    else:
        mine = os.geteuid()
        monkeypatch.setattr(os, "geteuid", lambda: mine + 1)  # this process is someone else
    assert catalog_cache.load(here(), session) is None


@pytest.mark.parametrize(
    "damage",
    [b"[" * 100_000, b'{"version": 1, "accounts": [{"accountId": "1'],
    ids=["nested-too-deep", "truncated"],
)
def test_a_damaged_cache_is_fetched_anew_and_replaced(
    session: SsoSession, token: Token, sim: Simulator, damage: bytes
) -> None:
    path = catalog_cache.cache_path(here(), session)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(damage)
    result = ssotui("list")  # was, nested too deep: "unexpected error (RecursionError)", always
    assert result.status == 0, result.err
    assert len(result.out.splitlines()) == sum(len(a.roles) for a in sim.org.accounts)
    assert catalog_cache.load(here(), session) is not None  # replaced by the catalog just fetched
