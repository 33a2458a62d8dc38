"""A login while other programs use the same session: what it takes from the token file, and
when it steps aside (tui/aws/login_flows, login_lock, token_watch), without the picker."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import botocore.session
import botocore.tokens

from tests.conftest import here
from tests.threads import in_a_thread
from tui.aws import login, token_cache
from tui.aws.flow_choice import Flow
from tui.aws.login import DeviceAuthorization
from tui.aws.login_flows import LoginEvent, WaitingForOtherLogin, log_in
from tui.aws.login_lock import one_login_at_a_time, wanted_path
from tui.errors import LoginCancelled
from tui.models import SsoSession, Token, utcnow
from tui.sim import Simulator


def _until(predicate: Callable[[], object], what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.05)


def _device_login(session: SsoSession, events: list[LoginEvent], **kwargs: Any) -> Token:
    return log_in(
        here(),
        session,
        flow=Flow.DEVICE_CODE,
        announce=events.append,
        open_url=None,
        **kwargs,
    )


def _codes(events: list[LoginEvent]) -> list[str]:
    return [e.user_code for e in events if isinstance(e, DeviceAuthorization)]


def _botocore_refreshes(home_config: Path) -> str:
    """botocore (the AWS CLI, an SDK) refreshing the session's token in another process: the
    access token it saved."""
    text = home_config.read_text()
    if "[profile work]" not in text:
        home_config.write_text(
            text + "\n[profile work]\nsso_session = dev\nsso_account_id = 111111111111\n"
            "sso_role_name = Admin\n"
        )
    provider = botocore.tokens.SSOTokenProvider(botocore.session.Session(profile="work"))
    loaded = provider.load_token()
    assert loaded is not None
    return str(loaded.get_frozen_token().token)


def test_a_forced_login_is_not_ended_by_a_refresh_elsewhere(
    session: SsoSession, sim: Simulator, sso_config: Path
) -> None:
    """`ssotui login --force` (to log in afresh, say as another user) while botocore refreshes
    the token it replaces: the login still waits for its own approval."""
    log_in(here(), session, flow=Flow.DEVICE_CODE, open_url=None, announce=lambda _e: None)
    # botocore refreshes a token within 15 minutes of its end
    old = token_cache.load_token(here(), session)
    assert old is not None
    token_cache.save_token(
        here(), session, replace(old, expires_at=utcnow() + timedelta(minutes=10))
    )
    sim.set(approve="manual", interval=1)
    events: list[LoginEvent] = []
    thread, out = in_a_thread(lambda: _device_login(session, events, force=True))
    _until(lambda: _codes(events), "device code")
    refreshed = _botocore_refreshes(sso_config)
    time.sleep(2)  # the login looks at the token file between its polls, a second apart
    assert not out, "the forced login ended with the refreshed token"
    sim.approve(_codes(events)[0])
    thread.join(60)  # at once when it is done; a loaded machine may take a while
    assert isinstance(out[0], Token)
    assert out[0].access_token != refreshed


def test_a_login_waits_even_when_it_cannot_say_so(session: SsoSession, sim: Simulator) -> None:
    """The file a waiting login marks (`<key>.wanted`) cannot be opened (not a file, made
    unreadable): the login still waits for the one in progress and uses its token, instead of
    failing."""
    wanted = wanted_path(here(), session)
    wanted.parent.mkdir(parents=True, exist_ok=True)
    wanted.mkdir()  # what no open(O_RDWR) takes
    events: list[LoginEvent] = []
    with one_login_at_a_time(here(), session):  # the login in progress, which then gets its token
        thread, out = in_a_thread(lambda: _device_login(session, events))
        _until(lambda: events, "a word from the second login")
        time.sleep(0.3)  # a few polls of the lock
        assert events == [WaitingForOtherLogin("dev")]
        other = login.login(
            here(), session, open_browser=False, announce=lambda _a: None, sleep=lambda _s: None
        )
    thread.join(60)  # at once when it is done; a loaded machine may take a while
    assert not thread.is_alive()
    assert isinstance(out[0], Token), out
    assert out[0].access_token == other.access_token
    assert not _codes(events)  # no login of its own


def test_a_symlinked_wanted_file_is_not_followed(
    session: SsoSession, sim: Simulator, tmp_path: Path
) -> None:
    """`<key>.wanted` made a symlink (to a file of the user's, or to none yet): a waiting
    login neither creates nor locks what it points at, and still waits and uses the token."""
    target = tmp_path / "not-ssotuis"
    wanted = wanted_path(here(), session)
    wanted.parent.mkdir(parents=True, exist_ok=True)
    wanted.symlink_to(target)
    events: list[LoginEvent] = []
    with one_login_at_a_time(here(), session):
        thread, out = in_a_thread(lambda: _device_login(session, events))
        _until(lambda: events, "a word from the second login")
        time.sleep(0.3)
        login.login(
            here(), session, open_browser=False, announce=lambda _a: None, sleep=lambda _s: None
        )
    thread.join(60)  # at once when it is done; a loaded machine may take a while
    assert isinstance(out[0], Token), out
    assert not target.exists()


def test_a_login_that_gave_way_logs_in_itself_when_the_other_is_cancelled(
    session: SsoSession, sim: Simulator
) -> None:
    """The picker's login steps aside for `ssotui login` in a terminal; that one is cancelled
    (Ctrl+C) before approval: the picker's login starts its own again, once, and gets a token."""
    sim.set(approve="manual", interval=1)
    mine: list[LoginEvent] = []
    thread, out = in_a_thread(lambda: _device_login(session, mine, gives_way=True))
    _until(lambda: _codes(mine), "the picker's code")
    stop = threading.Event()
    theirs: list[LoginEvent] = []
    other, other_out = in_a_thread(  # Ctrl+C ends its wait at once, as the UI's Event does
        lambda: _device_login(session, theirs, cancelled=stop.is_set, sleep=stop.wait)
    )
    _until(lambda: _codes(theirs), "the terminal's own code")
    assert any(isinstance(e, WaitingForOtherLogin) for e in mine)
    stop.set()
    other.join(10)
    assert isinstance(other_out[0], LoginCancelled)
    _until(lambda: len(_codes(mine)) == 2, "the picker's second code")
    time.sleep(1.5)  # a loop would show more codes
    assert len(_codes(mine)) == 2
    sim.approve(_codes(mine)[1])
    thread.join(60)  # at once when it is done; a loaded machine may take a while
    assert isinstance(out[0], Token)
