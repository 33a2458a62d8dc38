"""`ssotui list` with a cached catalog past `catalog_lifetime` and Identity Center out of reach
(VPN down, a laptop on a train, 5xx past retries): the cached catalog and one warning line,
rather than one error line and nothing; `--refresh`, no cache, or no login still fail."""

from __future__ import annotations

import json
import socket

import pytest

from tests.cli_helpers import Run
from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tui.aws.token_cache import token_path
from tui.models import SsoSession, Token
from tui.sim import Simulator

# The retries after a 5xx are the point here, not how long each waits (conftest).
pytestmark = pytest.mark.usefixtures("quick_retries")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def listed(sim: Simulator, token: Token, home: Home) -> str:
    """`list --json` as fetched while Identity Center was reachable, then the cache made stale
    (`catalog_lifetime = 0`)."""
    first = ssotui("list", "--json")
    assert first.status == 0, first.err
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "config.toml").write_text("catalog_lifetime = 0\n")
    return first.out


def _offline() -> dict[str, str]:
    return {"AWS_ENDPOINT_URL_SSO": f"http://127.0.0.1:{_closed_port()}"}


def _one_warning(run: Run) -> str:
    lines = run.err.splitlines()
    assert len(lines) == 1, run.err
    assert lines[0].startswith(
        "ssotui: warning: the catalog could not be brought up to date (cannot"
    )
    assert lines[0].endswith("showing the catalog cached just now")
    return lines[0]


def test_list_json_shows_the_stale_cache_when_identity_center_is_unreachable(
    listed: str,
) -> None:
    run = ssotui("list", "--json", env=_offline())
    assert run.status == 0, run.err
    assert json.loads(run.out) == json.loads(listed)  # stdout stays pure JSON
    _one_warning(run)


def test_list_shows_the_stale_cache_when_identity_center_is_unreachable(
    listed: str,
) -> None:
    run = ssotui("list", env=_offline())
    assert run.status == 0, run.err
    names = {row["accountName"] for row in json.loads(listed)}
    assert len(run.out.splitlines()) == len(json.loads(listed))
    assert all(any(name in line for name in names) for line in run.out.splitlines())
    _one_warning(run)


def test_list_shows_the_stale_cache_when_identity_center_answers_5xx(
    listed: str, sim: Simulator
) -> None:
    sim.set(fail_every=1, fail_status=503)
    run = ssotui("list", "--json")
    assert run.status == 0, run.err
    assert json.loads(run.out) == json.loads(listed)
    [line] = run.err.splitlines()
    assert line.startswith("ssotui: warning: the catalog could not be brought up to date (")
    assert "503" in line


def test_list_refresh_still_fails_when_identity_center_is_unreachable(listed: str) -> None:
    run = ssotui("list", "--refresh", env=_offline())
    assert run.status == 1
    assert run.out == ""
    [line] = run.err.splitlines()
    assert line.startswith("ssotui: cannot reach Identity Center")


def test_list_without_a_cache_still_fails_when_identity_center_is_unreachable(
    sim: Simulator, token: Token
) -> None:
    run = ssotui("list", env=_offline())
    assert run.status == 1
    assert run.out == ""
    assert len(run.err.splitlines()) == 1


def test_list_without_a_login_does_not_show_the_stale_cache(
    listed: str, session: SsoSession
) -> None:
    token_path(here(), session).unlink()
    run = ssotui("list", env=_offline())
    assert run.status == 1
    assert run.out == ""
    [line] = run.err.splitlines()
    assert "ssotui login" in line


def test_export_by_name_with_a_stale_cache_and_no_portal_fails_in_one_line(
    listed: str,
) -> None:
    row = json.loads(listed)[0]
    run = ssotui("export", row["accountName"], row["roleName"], env=_offline())
    assert run.status == 1
    assert run.out == ""
    [line] = run.err.splitlines()
    assert "cannot reach Identity Center" in line


def test_export_by_name_uses_kept_credentials_with_a_stale_cache_and_no_portal(
    listed: str,
) -> None:
    # The names resolved against the catalog only after a refresh it could not get: `export`
    # (and `credential_process`, run by botocore for each profile) failed offline although
    # the role credentials kept from a minute ago had most of an hour left.
    row = json.loads(listed)[0]
    online = ssotui("export", row["accountId"], row["roleName"], "--format", "json")
    assert online.status == 0, online.err
    run = ssotui("export", row["accountName"], row["roleName"], "--format", "json", env=_offline())
    assert run.status == 0, run.err
    assert json.loads(run.out)["AccessKeyId"] == json.loads(online.out)["AccessKeyId"]
    assert run.err == ""
