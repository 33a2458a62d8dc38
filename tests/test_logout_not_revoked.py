"""`ssotui logout` when Identity Center cannot revoke the token (unreachable, 5xx, throttled):
everything local is deleted all the same, one line says the token stays valid there and until
when (local time), and the exit status is 1: a script's `ssotui logout && ...` does not go on
as if the sign-in had ended. A token Identity Center already holds dead is no failure."""

from __future__ import annotations

import pytest

from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tui.aws.token_cache import token_path
from tui.local_time import local_time
from tui.models import SsoSession, Token
from tui.sim import Simulator
from tui.store import catalog_cache

pytestmark = pytest.mark.usefixtures("quick_retries")


def _not_revoked_line(err: str, token: Token) -> str:
    """The one line said, checked for what it must say."""
    (line,) = err.splitlines()
    assert line.startswith("Logged out of dev: could not revoke the token (")
    assert line.endswith(
        f"): it stays valid at Identity Center until {local_time(token.expires_at)}; "
        "cached token and catalog deleted."
    )
    # the token is gone here: a logout tried again cannot revoke it (was: "... try again later")
    assert "try again" not in line and "wait a minute" not in line, line
    return line


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_failed_revocation_deletes_everything_and_exits_1(
    sim: Simulator, session: SsoSession, token: Token, status: int, home: Home
) -> None:
    assert ssotui("list").status == 0  # a catalog cached too
    if status == 429:  # throttled: one call an hour, that one taken
        home.config_dir.mkdir(parents=True, exist_ok=True)  # and retried for a second, not 15
        (home.config_dir / "config.toml").write_text("request_deadline = 1\n", encoding="utf-8")
        sim.set(rate_limit=1 / 3600, burst=1)
        ssotui("list", "--refresh")
    else:
        sim.set(fail_every=1, fail_status=status)
    result = ssotui("logout")
    assert result.status == 1, result.err  # was: 0
    _not_revoked_line(result.err, token)
    assert sim.calls["Logout"] >= 1
    assert not token_path(here(), session).exists()
    assert not catalog_cache.cache_path(here(), session).exists()


def test_an_unreachable_identity_center_exits_1_and_says_where(
    sim: Simulator, session: SsoSession, token: Token
) -> None:
    assert ssotui("list").status == 0
    address = sim.url.removeprefix("http://")
    sim.stop()
    result = ssotui("logout")
    assert result.status == 1, result.err  # was: 0
    assert address in _not_revoked_line(result.err, token)
    assert not token_path(here(), session).exists()


def test_a_token_already_dead_at_identity_center_is_no_failure(
    sim: Simulator, session: SsoSession, token: Token
) -> None:
    sim.revoke_tokens()  # ended elsewhere (an administrator, `aws sso logout`)
    result = ssotui("logout")
    assert result.status == 0, result.err
    assert result.err == "Logged out of dev: cached token deleted.\n"
    assert not token_path(here(), session).exists()
