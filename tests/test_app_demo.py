"""`ssotui demo`: a sample organisation that looks like a real company, in a throw-away world."""

from __future__ import annotations

import os
from pathlib import Path

from textual.widgets import Static

from tests.app_support import SIZE, async_test, login_code, wait_until
from tests.conftest import here
from tui.aws.sessions import load_sessions
from tui.demo import DEMO_SESSION, demo_app, demo_organisation, demo_world


def test_the_demo_organisation_is_one_company_with_prod_accounts() -> None:
    org = demo_organisation()
    names = [a.name for a in org.accounts]
    assert len(names) == 40 and len(set(names)) == 40
    assert len({a.account_id for a in org.accounts}) == 40
    prod = [n for n in names if n.startswith("acme-prod-")]
    assert "acme-prod-payments" in prod and len(prod) >= 5
    assert {a.email.split("@")[1] for a in org.accounts} == {"acme.example.com"}
    assert all(a.email.isascii() for a in org.accounts)
    # The cases the picker must show well: unicode names, no roles, a role that is refused.
    assert any(not n.isascii() for n in names)
    assert any(not a.roles for a in org.accounts)
    assert any(r.forbidden for a in org.accounts for r in a.roles)
    assert sum(len(a.roles) >= 2 for a in org.accounts) >= 30
    assert demo_organisation().to_dict() == org.to_dict()  # the same every time


def test_the_demo_world_is_temporary_and_points_at_the_simulator(home: object) -> None:
    before = dict(os.environ)
    with demo_world(approve="manual", latency=0.0) as world:
        assert Path(os.environ["HOME"]).is_relative_to(world.root)
        assert Path(os.environ["AWS_CONFIG_FILE"]).is_relative_to(world.root)
        (session,) = load_sessions(here())
        assert session.name == DEMO_SESSION
        assert session.start_url == world.sim.start_url
        assert os.environ["AWS_ENDPOINT_URL_SSO"] == world.sim.url
    assert dict(os.environ) == before
    assert not world.root.exists()


@async_test
async def test_the_demos_login_says_it_approves_by_itself(home: object) -> None:
    """The demo's login said "Open this page and confirm the code" while the simulator
    approves it by itself: a new user went looking for a page to confirm on."""
    with demo_world(approve="manual", latency=0.0):
        app = demo_app()
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: login_code(app), "the login code")
            how = str(app.screen.query_one("#login-how", Static).render())
            assert "the demo approves by itself in a moment" in how, how
