"""A token's time left and a catalog's age read the same on the command line as in the picker
("59m", "2h 05m ago"), not "59 min" in `doctor` and "2 h ago" in a failed lookup's advice."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from pathlib import Path

import pytest

from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tui.app import clock
from tui.aws.sessions import load_sessions
from tui.models import utcnow
from tui.sim import Simulator
from tui.store import catalog_cache


@pytest.mark.usefixtures("quick_aws_cli")  # doctor asks `aws --version` at once
def test_doctor_says_the_tokens_time_left_as_the_status_line_does(
    sim: Simulator, sso_config: Path
) -> None:
    sim.set(token_lifetime=2 * 3600 + 6 * 60)  # "2h 05m" once a few seconds have gone by
    assert ssotui("login", "--no-browser").status == 0
    token_line = next(
        line for line in ssotui("doctor").out.splitlines() if line.startswith("[  ok] token")
    )
    # was "expires in 2 h 5 min"; "2h 04m" only if the two commands took over a minute
    assert re.search(r"expires in 2h 0[45]m, refreshable$", token_line), token_line


def test_a_failed_lookup_says_the_catalogs_age_as_the_status_line_does(
    sim: Simulator, sso_config: Path, home: Home
) -> None:
    assert ssotui("login", "--no-browser").status == 0
    assert ssotui("list").status == 0
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "config.toml").write_text("catalog_lifetime = 86400\n")  # still fresh
    session = load_sessions(here())[0]
    cached = catalog_cache.load(here(), session)
    assert cached is not None
    fetched_at = utcnow() - timedelta(hours=2, minutes=5, seconds=30)
    catalog_cache.save(here(), session, dataclasses.replace(cached, fetched_at=fetched_at))

    missed = ssotui("export", "no-such-account-xyz", "Admin")
    assert missed.status == 1
    # was "cached 2 h ago"
    assert re.search(r"\(the catalog was cached 2h 0[56]m ago: add --refresh", missed.err)
    assert clock.age(fetched_at) == "2h 05m ago"  # the picker's status line: "catalog 2h 05m ago"
