"""`ssotui demo`: what the demo changes in the environment, what a child of it sees, and what
stays untouched.

The demo's own files live in a throw-away folder, but the user's shell (the `s` subshell) must
start as it always does: with the real HOME (start-up files, history, prompt) and the role's
credentials.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tests.conftest import Home, here
from tui.aws.login import login
from tui.aws.portal import Portal
from tui.aws.sessions import load_sessions
from tui.demo import demo_world
from tui.export.subshell import run_with_credentials

# The child: writes its whole environment to the file named by its argument.
_DUMP_ENV = "import json, os, sys; open(sys.argv[1], 'w').write(json.dumps(dict(os.environ)))"


def _files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def test_the_subshell_of_the_demo_has_the_real_home_and_the_credentials(
    home: Home, tmp_path: Path
) -> None:
    real_home = os.environ["HOME"]
    before = _files_under(home.root)
    seen = tmp_path / "child-env.json"
    with demo_world(approve="auto", latency=0.0, fake_home=False) as world:
        (session,) = load_sessions(here())
        world.sim.set(interval=0)
        token = login(
            here(), session, open_browser=False, announce=lambda _a: None, sleep=lambda _s: 0
        )
        portal = Portal(session, token, environ=os.environ)
        accounts = [a for page in portal.list_accounts() for a in page]
        account = next(a for a in accounts if a.name == "acme-dev-payments")
        creds = portal.role_credentials(account, "DeveloperAccess")
        # What the `s` action runs, with a child that reports what it was given.
        assert (
            run_with_credentials(
                creds, [sys.executable, "-c", _DUMP_ENV, str(seen)], environ=os.environ
            )
            == 0
        )
        demo_files = _files_under(world.root)
    child = json.loads(seen.read_text(encoding="utf-8"))
    assert child["HOME"] == real_home
    assert child["AWS_ACCESS_KEY_ID"] == creds.access_key_id
    assert child["AWS_SECRET_ACCESS_KEY"] == creds.secret_access_key
    assert child["SSOTUI_ACCOUNT_ID"] == account.account_id
    # The demo's token went to its own folder; the real ~/.aws and HOME got nothing.
    assert any(p.suffix == ".json" and "sso" in p.parts for p in demo_files)
    assert _files_under(home.root) == before
    assert not world.root.exists()


def test_the_users_aws_variables_are_hidden_in_the_demo_and_back_after_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "work")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAUSERSOWNKEY")
    before = dict(os.environ)
    with demo_world(approve="manual", latency=0.0):
        assert "AWS_PROFILE" not in os.environ and "AWS_ACCESS_KEY_ID" not in os.environ
    assert dict(os.environ) == before
