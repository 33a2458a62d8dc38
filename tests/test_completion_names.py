"""Shell completion of names that hold anything: in a real interactive bash, zsh and fish, a
name Tab completes runs as the very argument it is (spaces, quotes, `$`, backquotes, `~`, `#`,
globs), or Tab leaves it out (a newline, an escape sequence); it is never run as code, and no
control character reaches the shell in an answer."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import Home, here
from tests.test_completion import START_URL, ask
from tui.models import Account, Catalog, SsoSession
from tui.store import catalog_cache


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_no_answer_holds_a_control_character(shell: str, home: Home, tmp_path: Path) -> None:
    """Nor an account id (the service's AccountIdType is any string) offered for digits, nor a
    description: zsh shows those beside the names."""
    home.write_config(f"[sso-session dev]\nsso_start_url = {START_URL}\nsso_region = eu-west-1\n")
    catalog_cache.save(
        here(),
        SsoSession(name="dev", start_url=START_URL, region="eu-west-1"),
        Catalog(
            accounts=(
                Account("1234\x1b]0;owned\x07", "Norm"),
                Account("123456789012", "No\x1b[31mred"),
                Account("123456789013", "Nose"),
            ),
            roles={},
            fetched_at=datetime.now(UTC),
        ),
    )
    for line in ("ssotui export 12", "ssotui export No", "ssotui export "):
        answer = ask(line, dict(os.environ), tmp_path, shell=shell)
        assert answer and all(c.isprintable() for c in answer), (line, answer)
    assert ask("ssotui export 12", dict(os.environ), tmp_path) == ["123456789012", "123456789013"]
