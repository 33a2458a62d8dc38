"""The browser login shows the browser only what is public by design.

The authorize URL the browser gets on its command line (which every local user may read with
`ps`) holds the client id, the redirect address, `state` and the PKCE `code_challenge`, as the
AWS CLI's does (the terminal shows it too, for a browser that did not open); never the code
verifier, the client secret or a token, which neither `--debug` nor the terminal shows either.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.app_support import dev_session
from tests.conftest import here
from tests.fake_browser import use_fake_browser
from tui.aws.browser_login import code_challenge
from tui.aws.token_cache import load_registration, token_path
from tui.sim import Simulator

VERIFIER = "k" * 20 + "-known-verifier-of-this-test-" + "v" * 20

WITH_KNOWN_VERIFIER = (
    "import runpy, sys\n"
    "import tui.aws.browser_login as b\n"
    f"b.code_verifier = lambda: {VERIFIER!r}\n"
    "sys.argv[0] = 'ssotui'\n"
    "runpy.run_module('tui', run_name='__main__', alter_sys=True)\n"
)


def test_the_browser_login_shows_no_secret_on_the_browsers_command_line_or_in_debug(
    sim: Simulator, sso_config: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    browser = use_fake_browser(monkeypatch, tmp_path)
    run = subprocess.run(
        [sys.executable, "-c", WITH_KNOWN_VERIFIER, "login", "--debug"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 0, run.stderr
    [visit] = browser.visits()
    argv = " ".join(str(word) for word in visit["argv"])  # type: ignore[attr-defined]
    query = parse_qs(urlsplit(str(visit["url"])).query)
    assert query["code_challenge"] == [code_challenge(VERIFIER)]  # the verifier was ours
    registration = load_registration(here(), dev_session(), browser=True)
    assert registration is not None
    token = json.loads(token_path(here(), dev_session()).read_text())
    secrets = {
        "code verifier": VERIFIER,
        "client secret": registration.client_secret,
        "access token": token["accessToken"],
        "refresh token": token["refreshToken"],
    }
    for what, secret in secrets.items():
        assert secret not in argv, f"the {what} is on the browser's command line"
        assert secret not in run.stdout + run.stderr, f"the {what} is on the terminal"
    assert " DEBUG " in run.stderr  # --debug did log, the answers of RegisterClient included
