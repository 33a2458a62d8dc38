"""Throttling in shapes the simulator never takes, from a hand-made portal, through both portal
clients, as `ssotui list --refresh` meets it.

A limiter may say how long to wait: `Retry-After` (seconds, or an HTTP date; RFC 9110 10.2.3)
or botocore's `x-amz-retry-after` (milliseconds). Some limiters hold a client that calls again
sooner in the penalty box for longer: every call must wait until then, and a wait that would
not end before the call's deadline is said at once, in one line. And a throttle may be named
only by one of the error codes botocore retries as throttling (`SlowDown`), with a 400 or a 503.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.cli_here import ssotui_here as ssotui
from tests.conftest import Home, here
from tui.aws import clients
from tui.aws.endpoints import CHOICE_VAR
from tui.aws.session_choice import chosen_session
from tui.aws.token_cache import save_token
from tui.aws.transport import retry_after
from tui.models import Token, utcnow

ACCOUNTS = [{"accountId": f"{n:012d}", "accountName": f"acc{n}"} for n in range(1, 5)]
Answer = tuple[int, dict[str, str], Any]  # status, headers, JSON body ("" for none)


def _listing(path: str) -> Answer:
    if path.endswith("/assignment/accounts"):
        return 200, {}, {"accountList": ACCOUNTS}
    return 200, {}, {"roleList": [{"roleName": "Admin"}]}


class Portal:
    """A hand-made portal: `answer(path)` says what each call gets; `calls` records when each
    came (time.monotonic) and to which path."""

    def __init__(self) -> None:
        self.answer: Callable[[str], Answer] = _listing
        self.calls: list[tuple[float, str]] = []
        portal = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = urlsplit(self.path).path
                portal.calls.append((time.monotonic(), path))
                status, headers, body = portal.answer(path)
                data = json.dumps(body).encode() if body != "" else b""
                self.send_response(status)
                for key, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def paths(self) -> list[str]:
        return [path for _when, path in self.calls]


@pytest.fixture(params=["direct", "botocore"])
def portal(
    request: pytest.FixtureRequest, home: Home, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Portal]:
    """The hand-made portal, reached through AWS_ENDPOINT_URL_SSO, logged in to; calls get
    6 s each (`request_deadline`)."""
    if request.param == "botocore":
        monkeypatch.setenv(CHOICE_VAR, "botocore")
    else:
        monkeypatch.delenv(CHOICE_VAR, raising=False)
    server = Portal()
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", server.url)
    home.write_config(
        "[sso-session hand]\nsso_start_url = https://hand.example.com/start\n"
        "sso_region = eu-west-1\n"
    )
    home.config_dir.mkdir(parents=True, exist_ok=True)
    (home.config_dir / "config.toml").write_text("request_deadline = 6\n", encoding="utf-8")
    session = chosen_session(here())[0]
    token = Token(session.start_url, session.region, "hand-token", utcnow() + timedelta(hours=1))
    save_token(here(), session, token)
    clients.clear_cache()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()
        clients.clear_cache()


def _listed(out: str) -> set[str]:
    return {row["accountId"] for row in json.loads(out)}


def _in_seconds(seconds: int) -> str:
    return format_datetime(utcnow() + timedelta(seconds=seconds), usegmt=True)


@contextlib.contextmanager
def _penalty_box(
    portal: Portal, header: str, value: Callable[[], str], wait: float
) -> Iterator[None]:
    """The first call is refused with 429 and a hint to wait `wait` s; a call before that
    (`value`: the header's value) is refused again, and starts the wait over."""
    box: dict[str, float] = {}

    def answer(path: str) -> Answer:
        now = time.monotonic()
        if "until" not in box or now < box["until"]:
            box["until"] = now + wait
            return 429, {header: value()}, {"message": "Rate exceeded"}
        return _listing(path)

    portal.answer = answer
    yield


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("Retry-After", lambda: "2"),
        ("Retry-After", lambda: _in_seconds(3)),  # a date: whole seconds, so 2 to 3 s away
        ("x-amz-retry-after", lambda: "2000"),  # botocore's, in milliseconds
    ],
    ids=["seconds", "http-date", "x-amz-milliseconds"],
)
def test_a_limiter_that_says_when_is_not_called_before_then(
    portal: Portal, header: str, value: Callable[[], str]
) -> None:
    # Before: the refused call went again at once, and again (backoffs of at most a second),
    # each call starting the penalty over: the list failed after its deadline, "kept
    # throttling", though the limiter had said all along when it would answer.
    with _penalty_box(portal, header, value, wait=1.9):
        result = ssotui("list", "--json", "--refresh")
    assert (result.status, result.err) == (0, "")
    assert _listed(result.out) == {a["accountId"] for a in ACCOUNTS}
    refused_at = portal.calls[0][0]
    later = [when for when, _path in portal.calls[1:]]
    assert min(later) - refused_at >= 1.9  # not one call before the time it was told
    assert portal.paths().count("/assignment/accounts") == 2


def test_a_limiter_that_says_wait_a_second_at_every_429_costs_the_others_no_time(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A token bucket (40 calls/s, bursts of 5) whose every 429 says "Retry-After: 1": only
    # the refused call waits that second, the others go on at the pace. (Had every call been
    # held a second at each 429, the answers would stop for a second at each refusal, and calls
    # waiting in line would spend their deadline on it.)
    accounts = [{"accountId": f"{n:012d}", "accountName": f"a{n}"} for n in range(1, 121)]
    monkeypatch.setattr(f"{__name__}.ACCOUNTS", accounts)
    lock, rate, burst = threading.Lock(), 40.0, 5.0
    bucket = {"tokens": burst, "at": time.monotonic()}
    answered: list[float] = []  # when each call got through

    def answer(path: str) -> Answer:
        with lock:
            now = time.monotonic()
            tokens = min(burst, bucket["tokens"] + (now - bucket["at"]) * rate)
            bucket["at"], bucket["tokens"] = now, max(0.0, tokens - 1)
            if tokens >= 1:
                answered.append(now)
        if tokens < 1:
            return 429, {"Retry-After": "1"}, {"message": "Rate exceeded"}
        return _listing(path)

    portal.answer = answer
    result = ssotui("list", "--json", "--refresh")
    assert (result.status, result.err) == (0, "")
    assert _listed(result.out) == {a["accountId"] for a in accounts}
    # Calls kept getting through while refused ones waited their second. A second's silence
    # comes once or twice, when every call in flight was refused together (the first burst);
    # held at each refusal, the fetch fell silent a second after every one of them. (The time
    # between answers, not the whole run's, which a loaded machine stretches.)
    gaps = [later - earlier for earlier, later in itertools.pairwise(answered)]
    assert len([gap for gap in gaps if gap >= 0.9]) <= 2, sorted(gaps)[-5:]


def test_a_wait_past_the_deadline_is_said_at_once_and_the_cache_kept(
    portal: Portal, home: Home
) -> None:
    assert ssotui("list", "--refresh").status == 0
    cache = next(home.cache_dir.rglob("*.json"))
    before = cache.read_bytes()
    portal.calls.clear()
    portal.answer = lambda _path: (429, {"Retry-After": "3600"}, {"message": "Rate exceeded"})
    started = time.monotonic()
    result = ssotui("list", "--refresh")
    took = time.monotonic() - started
    # Before: the call went again and again for its whole deadline (21 calls in 6 s), and
    # then said "wait a minute and try again", an hour early.
    assert result.status == 1
    assert result.err == (
        "ssotui: Identity Center is throttling ListAccounts and asked for no call for the next "
        "1h 00m (session hand): try again then\n"
    )
    # each call sent once: the first page, and the roles of the accounts known from before
    # (asked for beside it), all answered with the same hour
    assert portal.paths().count("/assignment/accounts") == 1
    assert len(portal.calls) <= 1 + len(ACCOUNTS)
    assert took < 3
    assert cache.read_bytes() == before  # the last good catalog kept
    cached = ssotui("list")
    assert (cached.status, cached.out.count("Admin")) == (0, len(ACCOUNTS))


@pytest.mark.parametrize(
    "hint", [{"Retry-After": "9" * 5000}, {"x-amz-retry-after": "9" * 5000}], ids=["s", "ms"]
)
def test_a_wait_longer_than_any_number_is_a_day(portal: Portal, hint: dict[str, str]) -> None:
    # Before: "ListAccounts failed for session hand (ValueError)": Python reads no number of
    # over 4,300 digits
    portal.answer = lambda _path: (429, hint, {"message": "Rate exceeded"})
    result = ssotui("list", "--refresh")
    assert (result.status, result.err) == (
        1,
        "ssotui: Identity Center is throttling ListAccounts and asked for no call for the next "
        "24h 00m (session hand): try again then\n",
    )


def test_a_503_that_says_come_back_in_an_hour_is_not_called_throttling(portal: Portal) -> None:
    # A portal down for maintenance may say when it is back (RFC 9110 15.6.4)
    portal.answer = lambda _path: (503, {"Retry-After": "3600"}, {"message": "Maintenance"})
    result = ssotui("list", "--refresh")
    assert result.status == 1
    assert result.err == (
        "ssotui: Identity Center answered ListAccounts with HTTP 503 and asked for no call for "
        "the next 1h 00m (session hand): try again then\n"
    )
    assert portal.paths() == ["/assignment/accounts"]


@pytest.mark.parametrize("status", [400, 503])
def test_slowdown_is_a_throttle_and_tried_again(portal: Portal, status: int) -> None:
    # Before: a 400 SlowDown failed the list at once ("refused ListAccounts (SlowDown: ...)
    # ... report it if it persists"); botocore retries SlowDown as a throttle.
    refusals = iter(range(3))

    def answer(path: str) -> Answer:
        if next(refusals, None) is not None:
            return status, {}, {"code": "SlowDown", "message": "Please reduce your request rate."}
        return _listing(path)

    portal.answer = answer
    result = ssotui("list", "--json", "--refresh")
    assert (result.status, result.err) == (0, "")
    assert _listed(result.out) == {a["accountId"] for a in ACCOUNTS}


def _deadline(home: Home, seconds: int) -> None:
    """Calls get `seconds` each (`request_deadline`), for a test that waits one out."""
    (home.config_dir / "config.toml").write_text(f"request_deadline = {seconds}\n")


def test_a_slowdown_storm_is_said_as_throttling(portal: Portal, home: Home) -> None:
    # Before: "Identity Center failed ListAccounts with HTTP 503 after retries": a failure,
    # where the service said it was slowing the user down.
    _deadline(home, 2)
    portal.answer = lambda _path: (503, {"x-amzn-ErrorType": "SlowDown"}, {"message": "slow"})
    result = ssotui("list", "--refresh")
    assert result.status == 1
    assert result.err == (
        "ssotui: Identity Center kept throttling ListAccounts (HTTP 503 SlowDown) for 2 s "
        "(session hand): wait a minute and try again\n"
    )


def test_a_storm_from_the_first_call_is_met_with_a_few_calls_a_second(
    portal: Portal, monkeypatch: pytest.MonkeyPatch, home: Home
) -> None:
    # A refresh of 120 known accounts while Identity Center throttles everything (a storm
    # another tool caused): the roles are asked for beside the first page, 97 calls at once.
    # Before: nothing was paced until something got through, and every refused call went
    # again at once (then after at most a second): ~1,200 calls in a 6 s deadline.
    accounts = [{"accountId": f"{n:012d}", "accountName": f"a{n}"} for n in range(1, 121)]
    monkeypatch.setattr(f"{__name__}.ACCOUNTS", accounts)
    assert ssotui("list", "--refresh").status == 0
    portal.calls.clear()
    _deadline(home, 3)
    portal.answer = lambda _path: (429, {}, {"message": "Rate exceeded"})
    started = time.monotonic()
    result = ssotui("list", "--refresh")
    took = time.monotonic() - started
    assert result.status == 1
    assert result.err.startswith("ssotui: Identity Center kept throttling ListAccounts")
    assert result.err.count("\n") == 1
    assert took < 3 + 2
    first_wave = 1 + min(96, len(accounts))
    assert len(portal.calls) <= first_wave + 3 * 3  # then a few a second


def test_a_wait_asked_past_the_deadline_says_the_time_spent_and_the_wait(
    portal: Portal, home: Home
) -> None:
    # Every call refused with "Retry-After: 2" and a 4 s deadline: the call waits 2 s, is
    # refused again, and 2 s more would pass its deadline. Before: "kept throttling
    # ListAccounts (HTTP 429) for 4 s", after 2 s, without the service's word.
    _deadline(home, 4)
    portal.answer = lambda _path: (429, {"Retry-After": "2"}, {"message": "Rate exceeded"})
    started = time.monotonic()
    result = ssotui("list", "--refresh")
    took = time.monotonic() - started
    assert result.status == 1
    assert result.err.startswith(
        "ssotui: Identity Center kept throttling ListAccounts (HTTP 429) for 2."
    )
    assert result.err.endswith(
        " s, then asked for no call for the next 2s, past the 4 s a call may take (session "
        "hand): wait a minute and try again\n"
    )
    assert took < 4


def test_a_refresh_whose_roles_all_fail_keeps_the_age_of_the_roles_it_shows(
    portal: Portal, home: Home
) -> None:
    # The accounts list, but every ListAccountRoles is throttled to its deadline. Before: the
    # catalog was saved with the roles from before and its age reset to now ("catalog just
    # now"), though not one role was listed this time.
    assert ssotui("list", "--refresh").status == 0
    cache = next(home.cache_dir.rglob("*.json"))
    before = json.loads(cache.read_text(encoding="utf-8"))["fetchedAt"]

    def answer(path: str) -> Answer:
        if path.endswith("/assignment/accounts"):
            return _listing(path)
        return 429, {}, {"message": "Rate exceeded"}

    portal.answer = answer
    _deadline(home, 2)
    result = ssotui("list", "--refresh")
    assert result.status != 0 and result.err.count("\n") == 1, result.err
    saved = json.loads(cache.read_text(encoding="utf-8"))
    assert saved["fetchedAt"] == before
    assert len(saved.get("failed") or {}) == len(ACCOUNTS)


@pytest.mark.parametrize("form", ["%a %b %d %H:%M:%S %Y", "%a, %d %b %Y %H:%M:%S -0000"])
def test_a_retry_after_date_naming_no_zone_is_gmt_whatever_this_computers_zone(
    monkeypatch: pytest.MonkeyPatch, form: str
) -> None:
    """HTTP's asctime form names no zone and is GMT (RFC 9110 5.6.7), as is RFC 5322's "-0000":
    such a date was read in this computer's zone, five hours off in New York (a wait of the
    longest allowed, a day, for a second's)."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        now = time.time()
        said = time.strftime(form, time.gmtime(now + 30))
        waited = retry_after({"retry-after": said}, now)
        assert waited is not None and 28 <= waited <= 31, (said, waited)
    finally:
        monkeypatch.undo()
        time.tzset()
