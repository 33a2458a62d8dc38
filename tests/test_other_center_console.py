"""`ssotui console --print` against a second federation endpoint (`tests/other_center.py`).

Its getSigninToken answers as a real endpoint may: extra members beside `SigninToken`, HTML
error pages with 400 or 403, a 5xx, a slow answer. Each failure is one line, exit 1, and no
secret; the endpoint comes from `AWS_ENDPOINT_URL_SIGNIN` whatever the region's partition.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.app_support import log_in
from tests.cli_helpers import Run
from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tests.other_center import REGION, START_URL, OtherCenter
from tests.other_center_support import reached
from tui.aws.session_choice import chosen_session


@pytest.fixture
def center(monkeypatch: pytest.MonkeyPatch, home: Home) -> Iterator[OtherCenter]:
    """The other server as Identity Center and sign-in endpoint; logged in to `other`."""
    with reached(OtherCenter(), monkeypatch, home) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL_SIGNIN", server.base + "/")
        log_in(chosen_session(here())[0])
        yield server


def _secrets(center: OtherCenter) -> list[str]:
    session = json.loads(center.signins[-1]["Session"])
    return [session["sessionKey"], session["sessionToken"]]


def _failed(run: Run, center: OtherCenter) -> str:
    assert run.status == 1 and run.out == ""
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.err
    assert not any(secret in run.err for secret in _secrets(center))
    return lines[0]


@pytest.mark.parametrize("extra", [{}, {"Expiration": 1, "Note": {"a": [None]}}])
def test_the_printed_url_carries_the_sign_in_token(center: OtherCenter, extra: dict) -> None:
    center.federation_extra = extra
    run = ssotui("console", "Prod", "Admin", "--print")
    assert run.status == 0, run.err
    url = urlsplit(run.out.strip())
    assert f"{url.scheme}://{url.netloc}{url.path}" == center.base + "/federation"
    query = parse_qs(url.query)
    assert query["Action"] == ["login"] and query["Issuer"] == [START_URL]
    assert query["SigninToken"][0].startswith("other-signin-")
    assert query["Destination"] == [
        f"https://{REGION}.console.aws.amazon.com/console/home?region={REGION}"
    ]
    [form] = center.signins
    assert form["Action"] == "getSigninToken" and "SessionDuration" not in form
    assert json.loads(form["Session"])["sessionId"].startswith("ASIAOTHER")
    assert run.out.strip() not in run.err


@pytest.mark.parametrize(
    ("region", "host"),
    [
        ("us-gov-west-1", "us-gov-west-1.console.amazonaws-us-gov.com"),
        ("cn-north-1", "cn-north-1.console.amazonaws.cn"),
        ("ap-southeast-2", "ap-southeast-2.console.aws.amazon.com"),
    ],
)
def test_durations_and_regions_reach_the_sign_in(
    center: OtherCenter, home: Home, region: str, host: str
) -> None:
    # a session of that partition: credentials work only in their own partition's regions
    home.write_config(f"[sso-session other]\nsso_start_url = {START_URL}\nsso_region = {region}\n")
    run = ssotui("console", "Prod", "Admin", "--print", "--region", region, "--duration", "43200")
    assert run.status == 0, run.err
    destination = parse_qs(urlsplit(run.out.strip()).query)["Destination"][0]
    assert destination == f"https://{host}/console/home?region={region}"
    assert center.signins[-1]["SessionDuration"] == "43200"


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        ((400, "text/html", b"<html><h1>Invalid credentials parameter</h1></html>"), "HTTP 400"),
        ((403, "text/html", b"<html>Forbidden</html>"), "HTTP 403"),
        ((503, "text/html", b"<html>Service Unavailable</html>"), "HTTP 503"),
        ((200, "text/html", b"<html>captive portal</html>"), "HTTPS_PROXY, NO_PROXY"),
        ((200, "application/json", b'{"SigninToken": null}'), "cannot read"),
        ((200, "application/json", b'{"signinToken": "lower-case"}'), "cannot read"),
    ],
)
def test_a_refusal_is_one_line_without_secrets(
    center: OtherCenter, answer: tuple[int, str, bytes], said: str
) -> None:
    center.federation_answer = answer
    line = _failed(ssotui("console", "Prod", "Admin", "--print", "--duration", "3600"), center)
    assert said in line and center.base in line


def test_a_slow_answer_is_waited_for(center: OtherCenter) -> None:
    center.federation_delay = 2.0
    run = ssotui("console", "Prod", "Admin", "--print")
    assert run.status == 0, run.err
    assert "SigninToken=other-signin-" in run.out
