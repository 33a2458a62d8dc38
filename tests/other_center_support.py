"""ssotui pointed at a second Identity Center (`tests/other_center.py`) for one test."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TypeVar

import pytest

from tests.conftest import Home
from tests.other_center import REGION, START_URL, OtherCenter
from tui.aws import clients

Center = TypeVar("Center", bound=OtherCenter)

SESSION_CONFIG = (
    "[sso-session other]\n"
    f"sso_start_url = {START_URL}\n"
    f"sso_region = {REGION}\n"
    "sso_registration_scopes = sso:account:access\n"
)


@contextlib.contextmanager
def reached(server: Center, monkeypatch: pytest.MonkeyPatch, home: Home) -> Iterator[Center]:
    """`server` started and reached through the endpoint variables, with an `other` session in
    the AWS config; stopped after, and no client of this process kept for it."""
    server.start()
    for key, value in server.env().items():
        monkeypatch.setenv(key, value)
    home.write_config(SESSION_CONFIG)
    clients.clear_cache()
    try:
        yield server
    finally:
        server.stop()
        clients.clear_cache()


@contextlib.contextmanager
def logged_in_by(client: str, monkeypatch: pytest.MonkeyPatch, home: Home) -> Iterator[OtherCenter]:
    """A second Identity Center `reached` and logged in to (a token in the cache, no refresh
    token), its portal reached by ssotui's own client ("direct") or botocore's ("botocore")."""
    from tests.app_support import log_in
    from tests.conftest import here
    from tui.aws.endpoints import CHOICE_VAR
    from tui.aws.session_choice import chosen_session

    if client == "botocore":
        monkeypatch.setenv(CHOICE_VAR, "botocore")
    else:
        monkeypatch.delenv(CHOICE_VAR, raising=False)
    with reached(OtherCenter(), monkeypatch, home) as server:
        log_in(chosen_session(here())[0])
        yield server
