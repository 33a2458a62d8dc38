"""Signing in to the AWS console as a role, over real HTTP (`tui.aws.console.console_url`).

The login URL is built against the simulator's federation endpoint (reached through
`AWS_ENDPOINT_URL_SIGNIN`, as a user would point it elsewhere) and followed: the simulator
redirects to the Destination only for a sign-in token it made from credentials it issued.
What goes on the wire is read off a recording server; each refusal is one line with no secret.
"""

from __future__ import annotations

import http.client
import io
import json
import logging
import os
import socket
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest

from tests.conftest import here
from tests.finishing import PATIENCE, finished
from tests.http_recorder import Answer, recording
from tests.made_up import made_up_credentials
from tui import debug_mode
from tui.aws import federation
from tui.aws.console import (
    ConsoleRequest,
    console_url,
    shortcut_url,
)
from tui.aws.federation import TIMEOUT
from tui.aws.portal import Portal
from tui.debug_log import RedactingFormatter
from tui.errors import ServiceError
from tui.models import Account, RoleCredentials, SsoSession, Token
from tui.sim import Simulator
from tui.sim.certificate import server_context
from tui.store.settings import load_settings
from tui.workspace import Context

START_URL = "https://acme.awsapps.com/start"
SIGNIN_TOKEN = "sIgNiNtOkEn-" + "x" * 40


def role_credentials(sim: Simulator, session: SsoSession, token: Token) -> RoleCredentials:
    """Fresh credentials of the first role the simulator lets the user take."""
    account = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r.name for r in account.roles if not r.forbidden)
    portal = Portal(session, token, environ=os.environ)
    return portal.role_credentials(Account(account.account_id, account.name), role)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def follow(url: str) -> tuple[int, str | None]:
    """GET `url` once, without following a redirect: (status, Location)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    try:
        conn.request("GET", f"{parts.path}?{parts.query}")
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Location")
    finally:
        conn.close()


# --- signing in, against the simulator -------------------------------------------------------


def test_the_login_url_signs_in_and_lands_on_the_destination(
    sim: Simulator, session: SsoSession, token: Token
) -> None:
    creds = role_credentials(sim, session, token)
    sim.reset_calls()
    request = ConsoleRequest("eu-west-1", service="s3")
    url = console_url(creds, request, start_url=session.start_url, environ=os.environ)

    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == sim.url and parts.path == "/federation"
    query = parse_qsl(parts.query, keep_blank_values=True)
    assert [k for k, _ in query] == ["Action", "Issuer", "Destination", "SigninToken"]
    values = dict(query)
    assert values["Action"] == "login"
    assert values["Issuer"] == session.start_url
    assert values["Destination"] == (
        "https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1"
    )
    assert "%3A%2F%2F" in parts.query  # the URLs inside are encoded, not left raw
    assert sim.calls["getSigninToken"] == 1
    assert sim.calls["GetRoleCredentials"] == 0

    assert follow(url) == (302, values["Destination"])
    assert sim.calls["login"] == 1
    # a sign-in token the simulator did not make does not sign in
    forged = url.replace(values["SigninToken"][-8:], "AAAAAAAA")
    assert follow(forged) == (400, None)


def test_a_duration_and_a_destination_reach_the_sign_in(
    sim: Simulator, session: SsoSession, token: Token
) -> None:
    creds = role_credentials(sim, session, token)
    target = "https://eu-west-1.console.aws.amazon.com/lambda/home#/functions"
    request = ConsoleRequest("eu-west-1", destination=target, duration=43200)
    url = console_url(creds, request, start_url=session.start_url, environ=os.environ)
    assert follow(url) == (302, target)
    signin_token = parse_qs(urlsplit(url).query)["SigninToken"][0]
    assert sim.federation.tokens[signin_token].session_duration == 43200


def test_the_request_is_a_form_post_with_the_session_json() -> None:
    creds = made_up_credentials()
    answer = Answer(200, json.dumps({"SigninToken": SIGNIN_TOKEN}).encode())
    with recording(answer) as server:
        environ = {"AWS_ENDPOINT_URL_SIGNIN": server.url}
        for duration in (None, 3600):
            request = ConsoleRequest("us-east-1", duration=duration)
            url = console_url(creds, request, start_url=START_URL, environ=environ)
            assert url.startswith(f"{server.url}/federation?Action=login&Issuer=")
            assert url.endswith(f"&SigninToken={SIGNIN_TOKEN}")
        first, second = server.requests
    for sent in (first, second):
        assert sent.method == "POST" and sent.target == "/federation"  # nothing in the URL
        assert sent.headers["content-type"].startswith("application/x-www-form-urlencoded")
        assert sent.headers["user-agent"].startswith("ssotui/")
    form = {k: v[0] for k, v in parse_qs(first.body.decode()).items()}
    assert set(form) == {"Action", "Session"}  # no SessionDuration unless asked for
    assert form["Action"] == "getSigninToken"
    assert json.loads(form["Session"]) == {
        "sessionId": creds.access_key_id,
        "sessionKey": creds.secret_access_key,
        "sessionToken": creds.session_token,
    }
    assert parse_qs(second.body.decode())["SessionDuration"] == ["3600"]


def test_the_shortcut_needs_no_call(sim: Simulator, session: SsoSession, token: Token) -> None:
    sim.reset_calls()
    start = session.start_url
    link = shortcut_url(start + "/", "111122223333", "Admin+Ops@x", ConsoleRequest("eu-west-1"))
    assert link == f"{start}/#/console?account_id=111122223333&role_name=Admin%2BOps%40x"
    link = shortcut_url(start, "111122223333", "Admin", ConsoleRequest("eu-west-1", service="s3"))
    assert link == (
        f"{start}/#/console?account_id=111122223333&role_name=Admin&destination="
        "https%3A%2F%2Feu-west-1.console.aws.amazon.com%2Fs3%2Fhome%3Fregion%3Deu-west-1"
    )
    link = shortcut_url(
        start, "111122223333", "Admin", ConsoleRequest(None, destination="https://x.example/a")
    )
    assert link.endswith("&destination=https%3A%2F%2Fx.example%2Fa")
    assert shortcut_url(start, "111122223333", "Admin").endswith("role_name=Admin")
    assert sum(sim.calls.values()) == 0


# --- the endpoint refuses, or is not there: one line each -----------------------------------


def test_expired_credentials_are_refused_in_one_line(
    sim: Simulator, session: SsoSession, token: Token
) -> None:
    creds = role_credentials(sim, session, token)
    sim.expire_credentials()
    with pytest.raises(ServiceError) as err:
        console_url(creds, ConsoleRequest("eu-west-1"), start_url=START_URL, environ=os.environ)
    assert err.value.message == (
        f"the AWS sign-in endpoint {sim.url}/federation refused the credentials of role "
        f"{creds.role_name} in account {creds.account.account_id} (HTTP 400): they expired or "
        "are not valid there; run it again"
    )


def test_credentials_nobody_issued_are_refused(sim: Simulator) -> None:
    request = ConsoleRequest("eu-west-1", duration=3600)
    with pytest.raises(ServiceError) as err:
        console_url(made_up_credentials(), request, start_url=START_URL, environ=os.environ)
    assert "(HTTP 400)" in err.value.message
    assert err.value.message.endswith("; run it again, or without --duration")
    assert sim.calls["getSigninToken"] == 1


def test_a_failing_endpoint_is_one_line(sim: Simulator, session: SsoSession, token: Token) -> None:
    creds = role_credentials(sim, session, token)
    sim.set(signin_fail_status=503)
    with pytest.raises(ServiceError) as err:
        console_url(creds, ConsoleRequest("eu-west-1"), start_url=START_URL, environ=os.environ)
    assert err.value.message == (
        f"the AWS sign-in endpoint {sim.url}/federation failed with HTTP 503: try again later"
    )


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        pytest.param(  # a captive portal or a proxy's login page, with 200
            Answer(
                200, b"\n <html>Log in to the guest Wi-Fi</html>", (("Content-Type", "text/html"),)
            ),
            "{url}/federation answered getSigninToken with a web page, not like the AWS sign-in "
            "endpoint (a network login page in the way?): check AWS_ENDPOINT_URL_SIGNIN and your "
            "proxy settings (HTTPS_PROXY, NO_PROXY)",
            id="html",
        ),
        pytest.param(
            Answer(200, b"OK", (("Content-Type", "text/plain"),)),
            "{url}/federation answered getSigninToken with an answer that is not JSON, not like "
            "the AWS sign-in endpoint (a network login page in the way?): check "
            "AWS_ENDPOINT_URL_SIGNIN and your proxy settings (HTTPS_PROXY, NO_PROXY)",
            id="not-json",
        ),
        pytest.param(  # json.loads gives up with RecursionError, not ValueError
            Answer(200, b"[" * 60_000),
            "{url}/federation answered getSigninToken with an answer that is not JSON, not like "
            "the AWS sign-in endpoint (a network login page in the way?): check "
            "AWS_ENDPOINT_URL_SIGNIN and your proxy settings (HTTPS_PROXY, NO_PROXY)",
            id="nested-too-deep",
        ),
        pytest.param(
            Answer(200, b'{"SigninToken": 12345}'),
            "the AWS sign-in endpoint {url}/federation sent an answer ssotui cannot read (no "
            "sign-in token): try again later",
            id="number-token",
        ),
        pytest.param(
            Answer(200, b'["SigninToken"]'),
            "the AWS sign-in endpoint {url}/federation sent an answer ssotui cannot read (no "
            "sign-in token): try again later",
            id="not-an-object",
        ),
        pytest.param(
            Answer(200, b'{"SigninToken": ""}'),
            "the AWS sign-in endpoint {url}/federation sent an answer ssotui cannot read (no "
            "sign-in token): try again later",
            id="empty-token",
        ),
        pytest.param(  # these made a login URL that failed only in the browser
            Answer(200, b'{"SigninToken": "   "}'),
            "the AWS sign-in endpoint {url}/federation sent an answer ssotui cannot read (no "
            "sign-in token): try again later",
            id="blank-token",
        ),
        pytest.param(
            Answer(200, b'{"SigninToken": "abc\\ndef\\u001b[2J"}'),
            "the AWS sign-in endpoint {url}/federation sent an answer ssotui cannot read (no "
            "sign-in token): try again later",
            id="control-characters-in-token",
        ),
        pytest.param(
            Answer(302, b"", (("Location", "https://login.example/"),)),
            "{url}/federation answered HTTP 302 to getSigninToken, not like the AWS sign-in "
            "endpoint: check AWS_ENDPOINT_URL_SIGNIN and your proxy settings "
            "(HTTPS_PROXY, NO_PROXY)",
            id="redirect",
        ),
        pytest.param(  # was "not like the AWS sign-in endpoint: check AWS_ENDPOINT_URL_SIGNIN"
            Answer(429, b"Rate exceeded", (("Retry-After", "30"),)),
            "the AWS sign-in endpoint {url}/federation is throttling (HTTP 429): wait a minute and "
            "try again",
            id="throttled",
        ),
        pytest.param(
            Answer(404, b"not found"),
            "{url}/federation answered HTTP 404 to getSigninToken, not like the AWS sign-in "
            "endpoint: check AWS_ENDPOINT_URL_SIGNIN and your proxy settings "
            "(HTTPS_PROXY, NO_PROXY)",
            id="not-found",
        ),
    ],
)
def test_an_answer_that_is_no_sign_in_token_is_one_line(answer: Answer, message: str) -> None:
    with recording(answer) as server:
        environ = {"AWS_ENDPOINT_URL_SIGNIN": server.url}
        with pytest.raises(ServiceError) as err:
            console_url(
                made_up_credentials(),
                ConsoleRequest("eu-west-1"),
                start_url=START_URL,
                environ=environ,
            )
        assert len(server.requests) == 1
    assert err.value.message == message.format(url=server.url)


def test_an_unreachable_endpoint_is_one_line_at_once() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(ServiceError) as err:
        # at once: a refused connection is neither retried nor waited on to its deadline
        finished(
            lambda: console_url(
                made_up_credentials(),
                ConsoleRequest("eu-west-1"),
                start_url=START_URL,
                environ={"AWS_ENDPOINT_URL_SIGNIN": url},
            ),
            what="a sign-in to a closed port",
            within=TIMEOUT / 2,
        )
    assert err.value.message == (
        f"cannot reach the AWS sign-in endpoint {url}/federation: check your network and proxy "
        "settings (HTTPS_PROXY, NO_PROXY)"
    )


def test_a_silent_endpoint_gives_up_at_the_deadline() -> None:
    timeout = 0.5
    with recording(hang=True) as server:
        started = time.monotonic()
        with pytest.raises(ServiceError) as err:
            finished(
                lambda: console_url(
                    made_up_credentials(),
                    ConsoleRequest("eu-west-1"),
                    start_url=START_URL,
                    environ={"AWS_ENDPOINT_URL_SIGNIN": server.url},
                    timeout=timeout,
                ),
                what="a sign-in to a silent endpoint",
                within=timeout + PATIENCE,
            )
        elapsed = time.monotonic() - started
        asked = len(server.requests)
    assert elapsed >= timeout  # waited it out (a lower bound: load only adds to it)
    assert asked == 1  # one wait of the deadline, not one per attempt
    assert err.value.message == (
        f"the AWS sign-in endpoint {server.url}/federation did not answer within {timeout:g} s: "
        "try again later, or allow longer with `request_deadline` in config.toml"
    )


def test_the_proxy_of_the_environment_is_used_unless_no_proxy(sim: Simulator) -> None:
    request = ConsoleRequest("eu-west-1")
    proxy = f"http://127.0.0.1:{closed_port()}"
    environ = {"AWS_ENDPOINT_URL_SIGNIN": sim.url, "HTTP_PROXY": proxy}
    with pytest.raises(ServiceError, match="cannot reach the AWS sign-in endpoint"):
        console_url(made_up_credentials(), request, start_url=START_URL, environ=environ)
    assert sim.calls["getSigninToken"] == 0  # it went to the (dead) proxy
    with pytest.raises(ServiceError, match=r"\(HTTP 400\)"):
        console_url(
            made_up_credentials(),
            request,
            start_url=START_URL,
            environ={**environ, "NO_PROXY": "localhost,127.0.0.1"},
        )
    assert sim.calls["getSigninToken"] == 1


# --- TLS: verified, against the CA file the environment names ------------------------------


def test_tls_is_verified_against_aws_ca_bundle(
    tls_certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    cert, key = tls_certificate
    context = server_context(cert, key)
    answer = Answer(200, json.dumps({"SigninToken": SIGNIN_TOKEN}).encode())
    request = ConsoleRequest("eu-west-1")
    with recording(answer, tls=context) as server:
        environ = {"AWS_ENDPOINT_URL_SIGNIN": server.url, "HOME": os.environ["HOME"]}
        with pytest.raises(ServiceError) as err:
            console_url(made_up_credentials(), request, start_url=START_URL, environ=environ)
        assert err.value.message == (
            f"the TLS certificate of {server.url}/federation is not trusted here: if your "
            "network inspects TLS, set AWS_CA_BUNDLE to your organisation's CA file"
        )
        assert server.requests == []  # refused before anything was sent

        for variable in ("AWS_CA_BUNDLE", "REQUESTS_CA_BUNDLE"):
            trusted = {**environ, variable: str(cert)}
            url = console_url(made_up_credentials(), request, start_url=START_URL, environ=trusted)
            assert url.endswith(SIGNIN_TOKEN)

        missing = tmp_path / "missing.pem"
        with pytest.raises(ServiceError) as err:
            console_url(
                made_up_credentials(),
                request,
                start_url=START_URL,
                environ={**environ, "AWS_CA_BUNDLE": str(missing)},
            )
        assert err.value.message == (
            f"cannot read the CA file {missing} to check the AWS sign-in endpoint's "
            "certificate: fix AWS_CA_BUNDLE or unset it"
        )
        assert len(server.requests) == 2


@pytest.mark.parametrize(
    ("environ", "config", "setting"),
    [
        ({"AWS_CA_BUNDLE": ""}, "", "AWS_CA_BUNDLE"),
        ({"REQUESTS_CA_BUNDLE": " "}, "", "REQUESTS_CA_BUNDLE"),
        ({}, "[default]\nca_bundle =\n", "ca_bundle in [default] of the AWS config file"),
    ],
)
def test_a_ca_setting_left_empty_is_refused_by_name_as_botocore_refuses_it(
    tls_certificate: tuple[Path, Path],
    tmp_path: Path,
    environ: dict[str, str],
    config: str,
    setting: str,
) -> None:
    # botocore refuses it rather than go on to the next setting (older versions turned
    # verification off): the sign-in took the next file, here one that trusts the endpoint.
    cert, key = tls_certificate
    (tmp_path / "config").write_text(config)
    answer = Answer(200, json.dumps({"SigninToken": SIGNIN_TOKEN}).encode())
    with recording(answer, tls=server_context(cert, key)) as server:
        handed = {
            "HOME": os.environ["HOME"],  # this test's, never the user's
            "AWS_ENDPOINT_URL_SIGNIN": server.url,
            "AWS_CONFIG_FILE": str(tmp_path / "config"),
            "REQUESTS_CA_BUNDLE": str(cert),
            **environ,
        }
        with pytest.raises(ServiceError) as err:
            console_url(
                made_up_credentials(),
                ConsoleRequest("eu-west-1"),
                start_url=START_URL,
                environ=handed,
            )
        assert err.value.message == (
            f"{setting} is set but empty, so there is no CA file to check the AWS sign-in "
            "endpoint's certificate with: name your CA file there or unset it"
        )
        assert server.requests == []


# --- secrets: the URL and the credentials in no message and no log line ---------------------


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """`--debug` logging as the command line sets it up (redacting formatter), into a buffer."""
    debug_mode.setup(True)
    out = io.StringIO()
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and isinstance(
            handler.formatter, RedactingFormatter
        ):
            handler.setStream(out)
    try:
        yield out
    finally:
        debug_mode.setup(False)


def test_no_secret_in_a_message_or_a_debug_line(
    sim: Simulator,
    session: SsoSession,
    token: Token,
    debug_log: io.StringIO,
) -> None:
    creds = role_credentials(sim, session, token)
    request = ConsoleRequest("eu-west-1", service="s3", duration=3600)
    url = console_url(creds, request, start_url=session.start_url, environ=os.environ)
    signin_token = parse_qs(urlsplit(url).query)["SigninToken"][0]
    secrets = {
        "url": url,
        "sign-in token": signin_token,
        "secret key": creds.secret_access_key,
        "session token": creds.session_token,
    }
    # a line that would carry the URL is redacted (it was registered with `hide`)
    logging.getLogger("ssotui.test").debug("would open %s", url)

    failures: list[BaseException] = []
    for knobs in ({"signin_fail_status": 500}, {"signin_fail_status": None}):
        sim.set(**knobs)
        if knobs["signin_fail_status"] is None:
            sim.expire_credentials()
        with pytest.raises(ServiceError) as err:
            console_url(creds, request, start_url=session.start_url, environ=os.environ)
        failures.append(err.value)
    with recording(hang=True) as server:
        with pytest.raises(ServiceError) as err:
            console_url(
                creds,
                request,
                start_url=session.start_url,
                environ={"AWS_ENDPOINT_URL_SIGNIN": server.url},
                timeout=0.3,
            )
        failures.append(err.value)

    log = debug_log.getvalue()
    assert "getSigninToken at" in log and "would open" in log  # the debug log really ran
    said = log + "".join("".join(traceback.format_exception(e)) + repr(e) for e in failures)
    said += repr(creds) + repr(request)
    leaked = [what for what, value in secrets.items() if value in said]
    assert not leaked, f"leaked: {leaked}"


def test_without_request_deadline_the_sign_in_call_is_given_15_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The default deadline reaches the sign-in call from an empty config.toml, and the user is
    told it, without waiting it out: the exchange's watch is told its seconds, and fires at once
    (the real watch ending a silent endpoint in time is the test above)."""
    told: list[float] = []

    class AtOnce(federation._Watch):
        def __init__(self, seconds: float) -> None:
            told.append(seconds)
            super().__init__(0)

    monkeypatch.setattr(federation, "_Watch", AtOnce)
    session = SsoSession("dev", START_URL, "eu-west-1")
    with recording(hang=True) as server:
        environ = {"AWS_ENDPOINT_URL_SIGNIN": server.url}
        handoff = (
            Context(settings=load_settings(here().config_file), environ=environ)
            .workspace(session)
            .handoff
        )
        with pytest.raises(ServiceError) as err:
            finished(
                lambda: handoff.console_url(made_up_credentials(), ConsoleRequest("eu-west-1")),
                what="a sign-in to a silent endpoint",
            )
    assert told == [TIMEOUT] == [15]
    assert err.value.message == (
        f"the AWS sign-in endpoint {server.url}/federation did not answer within 15 s: "
        "try again later, or allow longer with `request_deadline` in config.toml"
    )
