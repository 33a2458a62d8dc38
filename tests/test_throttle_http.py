"""A throttled catalog over real HTTP: every limiter shape refuses calls, no account is lost."""

from __future__ import annotations

import os

import pytest

from tui.aws.catalog import fetch_catalog
from tui.aws.portal import Portal
from tui.models import SsoSession, Token
from tui.sim import Organisation, Simulator

NEEDED = 6 + 30  # ListAccounts pages of 5, and one ListAccountRoles per account


@pytest.fixture
def org() -> Organisation:
    """Enough accounts for the limiter to bite."""
    return Organisation.generate(accounts=30, seed=11)


@pytest.mark.parametrize(
    ("limiter", "burst"),
    [("bucket", 1.0), ("bucket", 10.0), ("fixed-window", None), ("sliding-window", None)],
)
def test_no_account_is_lost_to_a_small_limiter(
    limiter: str, burst: float | None, sim: Simulator, session: SsoSession, token: Token
) -> None:
    # 10 calls/s: fixed 1 s windows of 20 held the 36 calls whenever the fetch straddled two
    # of them (CI), and then nothing was refused
    sim.set(rate_limit=10, limiter=limiter, burst=burst)
    sim.reset_calls()
    catalog = fetch_catalog(
        session, token, portal=Portal(session, token, page_size=5, environ=os.environ)
    )
    assert catalog.complete and not catalog.failed
    expected = {a.account_id: {r.name for r in a.roles} for a in sim.org.accounts}
    got = {a.account_id: set(catalog.roles_of(a.account_id)) for a in catalog.accounts}
    assert got == expected
    sent = sim.calls["ListAccounts"] + sim.calls["ListAccountRoles"]
    assert sent > NEEDED  # the limiter did refuse calls, and they were retried
