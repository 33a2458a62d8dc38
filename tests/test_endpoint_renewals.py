"""The credential endpoint of `ssotui exec --renew` as the workspace builds it, against the
simulator: what a throttling Identity Center gets from a background renewal, how soon a login
done elsewhere is picked up, and what a slow fetch says it waits for."""

from __future__ import annotations

import os
import time

from tests.conftest import here
from tests.endpoint_support import allowed_role, ask
from tui.aws.login import login
from tui.aws.token_cache import token_path
from tui.models import SsoSession, Token
from tui.serve import CredentialEndpoint
from tui.sim import Simulator
from tui.store.settings import Settings
from tui.workspace import Context
from tui.workspace.session_token import RENEWAL_DEADLINE, RENEWAL_THROTTLE_RETRIES


def _endpoint(session: SsoSession, sim: Simulator) -> CredentialEndpoint:
    account, role = allowed_role(sim)
    return (
        Context(settings=Settings(), environ=dict(os.environ))
        .workspace(session)
        .credential_endpoint(account, role)
    )


def _log_in(session: SsoSession) -> Token:
    return login(
        here(), session, open_browser=False, announce=lambda _a: None, sleep=lambda _s: None
    )


def test_a_background_renewal_asks_a_throttling_identity_center_a_few_times_a_fetch(
    session: SsoSession, token: Token, sim: Simulator
) -> None:
    # Credentials of 14 minutes are renewed at once, in the background, while they are served.
    sim.set(credential_lifetime=14 * 60)
    with _endpoint(session, sim) as endpoint:
        first = endpoint.credentials()
        sim.set(rate_limit=0.01, burst=1)  # one call gets through, then 429s for a minute
        sim.reset_calls()
        fetched = endpoint.fetches
        started = time.monotonic()
        keys = set()
        while time.monotonic() - started < RENEWAL_DEADLINE + 2:
            reply = ask(endpoint)
            assert reply.status == 200  # the child never notices
            keys.add(reply.body["AccessKeyId"])
            time.sleep(0.1)
        renewals = endpoint.fetches - fetched
    assert first.access_key_id in keys or len(keys) == 1
    # The one renewal let through, then at most 1 + RENEWAL_THROTTLE_RETRIES calls a failing
    # one (a command's fetch: up to 21, ~1.4 a second for its 15 s).
    assert renewals >= 2
    assert sim.calls["GetRoleCredentials"] <= 1 + (renewals - 1) * (1 + RENEWAL_THROTTLE_RETRIES)


def test_a_lost_login_is_tried_again_when_a_login_is_saved_and_not_before(
    session: SsoSession, token: Token, sim: Simulator
) -> None:
    sim.set(credential_lifetime=30)  # renewed at every request
    with _endpoint(session, sim) as endpoint:
        endpoint.credentials()
        token_path(here(), session).unlink()  # `aws sso logout` elsewhere
        sim.reset_calls()
        assert ask(endpoint).status == 424
        fetched = endpoint.fetches
        for _ in range(5):
            reply = ask(endpoint)
            assert reply.status == 424 and reply.body["Code"] == "NotLoggedIn"
        assert endpoint.fetches == fetched
        _log_in(session)  # in another terminal
        after = ask(endpoint)  # at once, not after a wait
    assert after.status == 200 and after.body["AccessKeyId"].startswith("ASIA")
    assert endpoint.fetches == fetched + 1


def test_a_hanging_token_refresh_is_named_in_the_answer(
    session: SsoSession, sim: Simulator
) -> None:
    sim.set(token_lifetime=10 * 60)  # within the refresh window: every fetch renews it
    _log_in(session)
    sim.set(credential_lifetime=30)  # renewed at every request
    with _endpoint(session, sim) as endpoint:
        endpoint.credentials()
        sim.set(hang={"CreateToken:refresh_token"})
        reply = ask(endpoint)
        sim.set(hang=())
    assert reply.status == 503 and reply.body["Code"] == "Pending"
    assert reply.body["Message"] == (
        "ssotui: Identity Center has not given a renewed SSO token for session dev yet "
        "(slow to answer): try again in a moment"
    )


def test_a_slow_credentials_call_is_named_in_the_answer(
    session: SsoSession, token: Token, sim: Simulator
) -> None:
    account, role = allowed_role(sim)
    sim.set(credential_lifetime=30)  # renewed at every request
    with _endpoint(session, sim) as endpoint:
        endpoint.credentials()
        sim.set(hang={"GetRoleCredentials"})
        reply = ask(endpoint)
        sim.set(hang=())
    assert reply.status == 503
    assert f"has not given the credentials of role {role} in account" in reply.body["Message"]
    assert account.account_id in reply.body["Message"]
