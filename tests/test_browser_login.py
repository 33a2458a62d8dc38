"""Browser login (authorization code with PKCE) against the simulator, over real HTTP.

The "browser" is tests/fake_browser.py run through BROWSER: it fetches the authorize URL and
follows the simulator's redirect to ssotui's loopback listener, as a browser does.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
import botocore.session
import botocore.tokens
import pytest

from tests.browser_support import open_here
from tests.cli_helpers import ssotui
from tests.conftest import Home, here
from tests.fake_browser import use_fake_browser
from tui.aws import loopback
from tui.aws.browser_login import BrowserAuthorization, start_browser_login
from tui.aws.flow_choice import Flow
from tui.aws.login import DeviceAuthorization
from tui.aws.login_flows import FallingBack, LoginEvent, log_in
from tui.aws.token_cache import (
    Registration,
    load_registration,
    load_token,
    registration_path,
    token_path,
)
from tui.errors import LoginCancelled, LoginFailed, ServiceError
from tui.models import SsoSession, utcnow
from tui.sim import Simulator
from tui.sim.headless import open_headless
from tui.store.secret_file import write_secret_file


def quiet(_event: LoginEvent) -> None:
    """An announce that shows nothing."""


def browser_url(events: list[LoginEvent]) -> str:
    return next(e.url for e in events if isinstance(e, BrowserAuthorization))


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def test_browser_login_end_to_end(
    session: SsoSession, sim: Simulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    browser = use_fake_browser(monkeypatch, tmp_path, probe="1")
    events: list[LoginEvent] = []
    token = log_in(here(), session, announce=events.append, open_url=open_here)
    # The browser was sent to the simulator's authorize page, as botocore builds it ...
    url = browser_url(events)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == sim.url and parts.path == "/authorize"
    names = [pair.split("=")[0] for pair in parts.query.split("&")]
    assert names == [
        "response_type",
        "client_id",
        "redirect_uri",
        "state",
        "code_challenge_method",
        "scopes",
        "code_challenge",
    ]
    query = parse_qs(parts.query)
    assert query["response_type"] == ["code"] and query["code_challenge_method"] == ["S256"]
    assert query["scopes"] == ["sso:account:access"]
    redirect = urlsplit(query["redirect_uri"][0])
    assert redirect.hostname == "127.0.0.1" and redirect.path == "/oauth/callback"
    # ... came back to the listener, which said the page can be closed, then stopped.
    [visit] = browser.visits()
    assert visit["status"] == 200 and visit["final"] == "/oauth/callback"
    assert "close this window" in str(visit["body"])
    assert visit["probe"] == 404  # any other path of the listener
    assert not listening(int(redirect.port or 0))
    assert "Authorize" in sim.calls and sim.calls["CreateToken"] == 1
    # The token is in the AWS CLI's cache with its refresh token, usable at the portal.
    assert load_token(here(), session) == token and token.refresh_token
    data = json.loads(token_path(here(), session).read_text())
    assert data["clientId"] == token.client_id and data["refreshToken"] == token.refresh_token
    registration = load_registration(here(), session, browser=True)
    assert registration is not None and registration.for_browser
    assert registration.grant_types == ("authorization_code", "refresh_token")
    assert load_registration(here(), session) is None  # botocore's key: the device code's
    accounts = boto3.client("sso", region_name=sim.region).list_accounts(
        accessToken=token.access_token
    )
    assert accounts["accountList"]
    # Not announced, not shown: the verifier, the code, the tokens.
    assert not [e for e in events if isinstance(e, FallingBack)]
    assert token.access_token not in repr(events)


def test_registration_is_reused_and_a_valid_token_kept(
    session: SsoSession, sim: Simulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    browser = use_fake_browser(monkeypatch, tmp_path)
    first = log_in(here(), session, announce=quiet, open_url=open_here)
    assert log_in(here(), session, announce=quiet, open_url=open_here) == first  # valid: no browser
    second = log_in(here(), session, announce=quiet, force=True, open_url=open_here)
    assert second.access_token != first.access_token and second.client_id == first.client_id
    assert sim.calls["RegisterClient"] == 1 and len(browser.visits()) == 2


def test_botocore_refreshes_a_token_the_browser_flow_cached(
    session: SsoSession,
    sim: Simulator,
    home: Home,
    sso_config: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    use_fake_browser(monkeypatch, tmp_path)
    token = log_in(here(), session, announce=quiet, open_url=open_here)
    # Make the cached token due for a refresh (inside botocore's 15-minute window).
    data = json.loads(token_path(here(), session).read_text())
    data["expiresAt"] = "2000-01-01T00:00:00Z"
    token_path(here(), session).write_text(json.dumps(data))
    account = next(a for a in sim.org.accounts if a.roles and not a.roles[0].forbidden)
    with sso_config.open("a") as f:
        f.write(
            "[profile work]\nsso_session = dev\n"
            f"sso_account_id = {account.account_id}\nsso_role_name = {account.roles[0].name}\n"
        )
    creds = boto3.session.Session(profile_name="work").get_credentials()
    assert creds is not None and creds.get_frozen_credentials().access_key.startswith("ASIA")
    written = json.loads(token_path(here(), session).read_text())
    assert written["refreshToken"] != token.refresh_token  # botocore refreshed it
    assert written["accessToken"] != token.access_token


def test_manual_approval_on_the_page(
    session: SsoSession, sim: Simulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sim.set(approve="manual")
    browser = use_fake_browser(monkeypatch, tmp_path, click="approve")
    assert log_in(here(), session, announce=quiet, open_url=open_here).access_token
    [visit] = browser.visits()
    assert visit["page"] == 200 and visit["status"] == 200


@pytest.mark.parametrize("how", ["knob", "click"])
def test_denied_in_the_browser(
    session: SsoSession,
    sim: Simulator,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    how: str,
) -> None:
    sim.set(approve="deny" if how == "knob" else "manual")
    use_fake_browser(monkeypatch, tmp_path, click="deny")
    with pytest.raises(LoginFailed) as err:
        log_in(here(), session, announce=quiet, open_url=open_here)
    assert err.value.message == (
        "the login to session dev was denied in the browser: run `ssotui login` again to retry"
    )
    assert load_token(here(), session) is None and sim.calls["CreateToken"] == 0


def test_error_in_the_callback(
    session: SsoSession, sim: Simulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    browser = use_fake_browser(monkeypatch, tmp_path, "error")
    with pytest.raises(LoginFailed) as err:
        log_in(here(), session, announce=quiet, open_url=open_here)
    assert "(server_error)" in err.value.message and "\n" not in err.value.message
    assert browser.visits()[0]["status"] == 200
    assert load_token(here(), session) is None


def test_wrong_state_is_ignored_until_the_timeout(
    session: SsoSession, sim: Simulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    browser = use_fake_browser(monkeypatch, tmp_path, "wrong-state")
    with pytest.raises(LoginFailed) as err:
        log_in(here(), session, announce=quiet, browser_timeout=1.5, open_url=open_here)
    assert err.value.message.startswith(
        "the browser did not come back within 1.5 seconds for session dev"
    )
    assert "--use-device-code" in err.value.message
    assert browser.visits()[0]["status"] == 400
    assert load_token(here(), session) is None and sim.calls["CreateToken"] == 0


def test_listener_that_cannot_bind_falls_back_to_the_device_code(
    session: SsoSession, sim: Simulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    browser = use_fake_browser(monkeypatch, tmp_path, "record")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        monkeypatch.setattr(loopback, "PORT", taken.getsockname()[1])
        events: list[LoginEvent] = []
        token = log_in(
            here(), session, announce=events.append, sleep=lambda _s: None, open_url=open_here
        )
    [fallback] = [e for e in events if isinstance(e, FallingBack)]
    assert fallback.reason.startswith("cannot listen on 127.0.0.1 for the browser's answer")
    assert token.access_token and sim.calls["StartDeviceAuthorization"] == 1
    assert "Authorize" not in sim.calls
    assert [v["url"] for v in browser.visits()] == [
        e.verification_uri_complete for e in events if hasattr(e, "verification_uri_complete")
    ]


def test_no_browser_started_falls_back_to_the_device_code(
    session: SsoSession, sim: Simulator
) -> None:
    events: list[LoginEvent] = []
    asked: list[str] = []

    def cannot_open(url: str) -> bool:  # BROWSER=false, say
        asked.append(url)
        return False

    token = log_in(here(), session, announce=events.append, open_url=cannot_open)
    assert token.access_token and sim.calls["StartDeviceAuthorization"] == 1
    assert FallingBack("no browser could be started") in events
    # the device code is not sent to the browser that just failed, nor said to open there
    [device] = [e for e in events if isinstance(e, DeviceAuthorization)]
    assert asked == [browser_url(events)] and not device.browser_opens


def test_create_token_refused(
    session: SsoSession, sim: Simulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sim.set(code_lifetime=0)  # the code is dead by the time ssotui redeems it
    browser = use_fake_browser(monkeypatch, tmp_path)
    with pytest.raises(LoginFailed) as err:
        log_in(here(), session, announce=quiet, open_url=open_here)
    assert err.value.message == (
        "the sign-in to session dev expired before ssotui could use it: run `ssotui login` again"
    )
    # the page came before CreateToken: it said "You are logged in", the terminal the opposite
    [visit] = browser.visits()
    assert "logged in" not in str(visit["body"]) and "says whether it worked" in str(visit["body"])
    assert load_token(here(), session) is None


def test_unreadable_create_token_answer(
    session: SsoSession, sim: Simulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sim.set(malformed={"CreateToken"})
    use_fake_browser(monkeypatch, tmp_path)
    with pytest.raises(ServiceError, match="cannot read"):
        log_in(here(), session, announce=quiet, open_url=open_here)
    assert load_token(here(), session) is None


def test_cancelled_while_waiting_closes_the_listener(session: SsoSession, sim: Simulator) -> None:
    pending = start_browser_login(here(), session)
    port = int(
        urlsplit(parse_qs(urlsplit(pending.authorization.url).query)["redirect_uri"][0]).port or 0
    )
    assert listening(port)
    with pytest.raises(LoginCancelled):
        pending.wait(cancelled=lambda: True)
    assert not listening(port)
    assert load_token(here(), session) is None


def _botocore_refreshes(home: Home, token_file: Path) -> dict[str, str]:
    """The token file after botocore's SSOTokenProvider loaded it expired (so refreshed it with
    the clientId/clientSecret the file holds), as the AWS CLI and the SDKs do."""
    cached = json.loads(token_file.read_text())
    cached["expiresAt"] = "2000-01-01T00:00:00Z"
    token_file.write_text(json.dumps(cached))
    provider = botocore.tokens.SSOTokenProvider(botocore.session.Session(profile="work"))
    loaded = provider.load_token()
    assert loaded is not None
    access_token = loaded.get_frozen_token().token  # refreshes now
    refreshed: dict[str, str] = json.loads(token_file.read_text())
    assert access_token == refreshed["accessToken"] != cached["accessToken"]
    assert refreshed["clientId"] == cached["clientId"]
    return refreshed


def test_browser_flow_then_device_code_then_browser_flow(
    session: SsoSession,
    sim: Simulator,
    home: Home,
    sso_config: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Each flow registers its own client (the service refuses the other flow's), kept in a
    file of its own: switching flows reuses both."""
    home.write_config(
        sso_config.read_text() + "\n[profile work]\nsso_session = dev\n"
        "sso_account_id = 111111111111\nsso_role_name = Admin\n"
    )
    use_fake_browser(monkeypatch, tmp_path)
    tokens = []
    for flow in ((), ("--use-device-code",), (), ("--use-device-code",)):
        result = ssotui("login", "--force", *flow)
        assert result.status == 0, result.err
        tokens.append(json.loads(token_path(here(), session).read_text()))
    browser, device, browser_again, device_again = (t["clientId"] for t in tokens)
    assert browser != device and browser_again == browser and device_again == device
    assert sim.calls["Authorize"] == 2 and sim.calls["StartDeviceAuthorization"] == 2
    # was 4: each login of the other flow replaced the one registration file
    assert sim.calls["RegisterClient"] == 2
    # The device code registration is where every AWS CLI's device login looks.
    registration = load_registration(here(), session)
    assert registration is not None and registration.client_id == device
    # botocore refreshes the token of either flow with the registration it names.
    _botocore_refreshes(home, token_path(here(), session))  # the device code login's
    ok = ssotui("login", "--force")
    assert ok.status == 0, ok.err
    assert _botocore_refreshes(home, token_path(here(), session))["clientId"] == browser
    assert sim.calls["RegisterClient"] == 2


def test_a_browser_registration_under_botocores_key_is_moved_to_ssotuis_and_reused(
    session: SsoSession, sim: Simulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A browser registration under botocore's key (an earlier ssotui's, or the AWS CLI
    2.22+'s: the files are alike) while ssotui has none of its own: the next login of either
    flow moves it to ssotui's browser key, where a CLI before 2.22 never takes it for its device
    code, and ssotui's browser logins keep reusing it."""
    use_fake_browser(monkeypatch, tmp_path)
    first = log_in(here(), session, announce=quiet, open_url=open_here)
    registration_path(here(), session, browser=True).rename(
        registration_path(here(), session)
    )  # as before
    device = log_in(
        here(), session, flow=Flow.DEVICE_CODE, announce=quiet, force=True, open_url=None
    )
    moved = load_registration(here(), session, browser=True)
    assert moved is not None and moved.client_id == first.client_id
    at_botocores = load_registration(here(), session)
    assert at_botocores is not None and not at_botocores.for_browser
    assert at_botocores.client_id == device.client_id != first.client_id
    again = log_in(here(), session, announce=quiet, force=True, open_url=open_here)
    # was 3: the device login wrote over the browser registration, the browser login made anew
    assert again.client_id == first.client_id and sim.calls["RegisterClient"] == 2


def test_a_browser_registration_of_the_aws_cli_is_left_where_it_is_once_ssotui_has_its_own(
    session: SsoSession, sim: Simulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With a usable browser registration of ssotui's own, one the AWS CLI 2.22+ keeps under
    botocore's key stays there: the CLI reuses it rather than register a client at each
    login after an ssotui one."""
    use_fake_browser(monkeypatch, tmp_path)
    ours = log_in(here(), session, announce=quiet, open_url=open_here)
    cli_made = Registration(
        "cli-client",
        "cli-secret",
        utcnow() + timedelta(days=80),
        ("sso:account:access",),
        ("authorization_code", "refresh_token"),
    )
    write_secret_file(registration_path(here(), session), json.dumps(_as_the_cli_writes(cli_made)))
    log_in(here(), session, announce=quiet, open_url=open_here)  # the token kept
    again = log_in(
        here(), session, announce=quiet, force=True, browser_timeout=5, open_url=open_here
    )
    left = load_registration(here(), session)
    assert left is not None and left.client_id == "cli-client"
    assert again.client_id == ours.client_id and sim.calls["RegisterClient"] == 1


def _as_the_cli_writes(registration: Registration) -> dict[str, object]:
    """The JSON the AWS CLI 2.22+ writes for a browser registration (`SSOTokenFetcherAuth`)."""
    return {
        "clientId": registration.client_id,
        "clientSecret": registration.client_secret,
        "expiresAt": registration.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "scopes": list(registration.scopes or ()),
        "grantTypes": list(registration.grant_types or ()),
    }


def test_headless_browser_of_the_simulator(session: SsoSession, sim: Simulator) -> None:
    """What `demo` can use where no browser exists: the browser flow still ends by itself."""
    events: list[LoginEvent] = []
    token = log_in(here(), session, announce=events.append, open_url=open_headless)
    assert token.access_token and any(isinstance(e, BrowserAuthorization) for e in events)
    assert sim.calls["StartDeviceAuthorization"] == 0


def _callback(port: int, query: str, host: str | None = None) -> tuple[int, str]:
    """What the listener answers a GET of its callback (with that Host header, if any)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", f"/oauth/callback?{query}", headers={"Host": host} if host else {})
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def test_a_dripping_connection_is_cut_off_and_does_not_hold_the_login(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A connection sending its request a byte at a time (slowloris) is closed after
    REQUEST_TIMEOUT in all: it was kept as long as each byte came within the socket timeout,
    with its thread, even after the login ended."""
    monkeypatch.setattr(loopback, "REQUEST_TIMEOUT", 0.5)
    with loopback.CallbackListener("right") as listener:
        drip = socket.create_connection(("127.0.0.1", listener.port), timeout=2)
        drip.sendall(b"GET /oauth/callback?state=right&code=")
        # a byte every 0.1 s keeps the socket timeout from ever firing: only the bound on the
        # whole request cuts it. Waited for up to half the 10 s default: the 0.5 s set here
        # cut it, whatever the load, or it was not cut at all.
        give_up = time.monotonic() + loopback.REQUEST_TIMEOUT * 10
        cut = False
        while time.monotonic() < give_up and not cut:
            try:
                drip.sendall(b"x")
                time.sleep(0.1)
            except OSError:
                cut = True
        drip.close()
        assert cut
        # the real browser still gets its page, and the login its code
        assert _callback(listener.port, "state=right&code=real")[0] == 200
        result = listener.wait(2)
    assert result is not None and result.code == "real"


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example"])
def test_a_callback_naming_another_host_is_not_found_and_the_login_goes_on(host: str) -> None:
    """DNS rebinding: a web page whose name resolves to 127.0.0.1 reaches the listener with its
    own name as Host. It is answered 404, as any stranger, and never ends the login (it did,
    given the state: a login with the attacker's code), while the browser's callback, naming
    127.0.0.1 or localhost, still does."""
    with loopback.CallbackListener("right") as listener:
        port = listener.port
        status, body = _callback(port, "state=right&code=evil", host.format(port=port))
        assert status == 404 and "Not found." in body
        assert listener.wait(0.2) is None
        assert _callback(port, "state=wrong&code=x", f"localhost:{port}")[0] == 400
        assert _callback(port, "state=right&code=real", f"127.0.0.1:{port}")[0] == 200
        result = listener.wait(2)
    assert result is not None and result.code == "real"


def test_the_callback_asked_twice_shows_the_same_page_both_times() -> None:
    """A browser that asks for the redirect twice (a prefetch, then the navigation the user
    sees; a reload while the login finishes) showed the second time "This page does not
    belong to the login ssotui is waiting for", on the login that had just worked. Each visit
    now gets the first one's page, and only the first one counts."""
    with loopback.CallbackListener("right") as listener:
        first = _callback(listener.port, "state=right&code=real")
        again = _callback(listener.port, "state=right&code=real")
        result = listener.wait(2)
        assert _callback(listener.port, "state=wrong&code=x")[0] == 400
    assert first[0] == again[0] == 200 and first[1] == again[1]
    assert "back to the terminal" in first[1]
    assert result is not None and result.code == "real"


def test_an_error_callback_asked_twice_says_the_same_both_times() -> None:
    with loopback.CallbackListener("right") as listener:
        first = _callback(listener.port, "state=right&error=access_denied&error_description=no")
        again = _callback(listener.port, "state=right&error=access_denied&error_description=no")
        result = listener.wait(2)
    assert first == again and first[0] == 200
    assert "access_denied" in first[1] and "back to the terminal" in first[1]
    assert result is not None and result.error == "access_denied"
