"""The AWS CLI v2 token cache: file names, keys, time formats, permissions, corrupt files."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import stat
from datetime import UTC, datetime, timedelta

import botocore.session
import botocore.tokens
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Home, here
from tui.aws import token_cache
from tui.aws.token_cache import (
    TIME_FORMAT,
    Registration,
    load_registration,
    load_token,
    parse_time,
    registration_path,
    save_registration,
    save_token,
    token_path,
    token_to_dict,
)
from tui.aws.tokens import current_token
from tui.errors import NotLoggedIn
from tui.models import SsoSession, Token

DEV = SsoSession("dev", "https://dev.awsapps.com/start", "eu-west-1", scopes_configured=True)
LEGACY = SsoSession(None, "https://old.awsapps.com/start", "us-east-1")
ZULU = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def _token(**changes: object) -> Token:
    values: dict[str, object] = {
        "start_url": DEV.start_url,
        "region": DEV.region,
        "access_token": "aoa-secret-access",
        "expires_at": datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC),
        "client_id": "cid",
        "client_secret": "csecret",
        "registration_expires_at": datetime(2030, 3, 1, tzinfo=UTC),
        "refresh_token": "aor-secret-refresh",
    }
    values.update(changes)
    return Token(**values)  # type: ignore[arg-type]


def test_paths_are_the_aws_clis(home: Home) -> None:
    assert token_path(here(), DEV) == home.sso_cache / f"{hashlib.sha1(b'dev').hexdigest()}.json"
    assert (
        token_path(here(), LEGACY).name
        == hashlib.sha1(LEGACY.start_url.encode()).hexdigest() + ".json"
    )
    # botocore's BaseSSOTokenFetcher._registration_cache_key: sha1 of json.dumps(sort_keys=True)
    expected = (
        '{"region": "eu-west-1", "scopes": ["sso:account:access"], "session_name": "dev", '
        '"startUrl": "https://dev.awsapps.com/start", "tool": "botocore"}'
    )
    assert registration_path(here(), DEV).stem == hashlib.sha1(expected.encode()).hexdigest()
    legacy = (
        '{"region": "us-east-1", "scopes": null, "session_name": null, '
        '"startUrl": "https://old.awsapps.com/start", "tool": "botocore"}'
    )
    assert registration_path(here(), LEGACY).stem == hashlib.sha1(legacy.encode()).hexdigest()


def test_written_like_the_aws_cli_and_read_back(home: Home) -> None:
    token = _token()
    save_token(here(), DEV, token)
    path = token_path(here(), DEV)
    data = json.loads(path.read_text())
    assert list(data) == [
        "startUrl",
        "region",
        "accessToken",
        "expiresAt",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
        "refreshToken",
    ]
    assert data["expiresAt"] == "2030-01-02T03:04:05Z"
    assert ZULU.match(data["registrationExpiresAt"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_token(here(), DEV) == token
    assert "secret" not in repr(load_token(here(), DEV))
    assert not list(path.parent.glob("*.tmp"))


def test_minimal_token_without_registration(home: Home) -> None:
    save_token(here(), DEV, _token(client_id=None, client_secret=None, refresh_token=None))
    data = json.loads(token_path(here(), DEV).read_text())
    assert set(data) == {"startUrl", "region", "accessToken", "expiresAt"}
    loaded = load_token(here(), DEV)
    assert loaded is not None and not loaded.can_refresh


@pytest.mark.parametrize(
    "text",
    [
        "2030-01-02T03:04:05Z",
        "2030-01-02T03:04:05UTC",
        "2030-01-02T03:04:05 UTC",
        "2030-01-02T03:04:05.000Z",
        "2030-01-02T03:04:05+00:00",
        "2030-01-02T04:04:05+01:00",
        "2030-01-01T22:04:05-05:00",
        "2030-01-02T03:04:05",
        "2030-01-02 03:04:05Z",
    ],
)
def test_time_forms_other_tools_write(text: str) -> None:
    assert parse_time(text) == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expired"),
    [("9999-12-31T23:59:59-01:00", False), ("0001-01-01T00:30:00+01:00", True)],
)
def test_a_time_past_what_utc_holds_is_the_last_or_first_moment(text: str, expired: bool) -> None:
    """botocore reads these (dateutil); ssotui said the token was unusable (out of range)."""
    from tui.models import Token

    moment = parse_time(text)
    token = Token(start_url="", region="us-east-1", access_token="t", expires_at=moment)
    assert token.is_expired is expired


def test_reads_a_cache_written_by_the_aws_cli(home: Home) -> None:
    home.sso_cache.mkdir(parents=True)
    token_path(here(), DEV).write_text(
        json.dumps(
            {
                "startUrl": DEV.start_url,
                "region": DEV.region,
                "accessToken": "aoaCLI",
                "expiresAt": "2030-01-02T03:04:05UTC",
                "clientId": "c",
                "clientSecret": "s",
                "registrationExpiresAt": "2030-03-01T00:00:00Z",
                "refreshToken": "r",
            }
        )
    )
    token = load_token(here(), DEV)
    assert token is not None and token.access_token == "aoaCLI" and token.can_refresh
    assert token.expires_at == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("odd", "refreshable"),
    [
        ({"clientId": 5}, False),
        ({"clientSecret": None, "refreshToken": None}, False),
        ({"refreshToken": ["r"]}, False),
        ({"registrationExpiresAt": "soon"}, False),
        ({"registrationExpiresAt": 1893456000}, False),
        ({"startUrl": None, "region": 7}, True),
    ],
)
def test_a_token_botocore_uses_is_used_whatever_its_refresh_members_hold(
    home: Home, odd: dict[str, object], refreshable: bool
) -> None:
    """botocore needs `accessToken` and `expiresAt`, and reads the other members only to
    refresh: a token whose refresh members another tool wrote oddly is used while valid, as
    botocore uses it (was: "unusable: run `ssotui login`"), and not refreshed."""
    home.write_config(
        f"[sso-session dev]\nsso_start_url = {DEV.start_url}\nsso_region = {DEV.region}\n"
        "[profile p]\nsso_session = dev\n"
    )
    data = {
        "startUrl": DEV.start_url,
        "region": DEV.region,
        "accessToken": "aoa-odd",
        "expiresAt": (datetime.now(UTC) + timedelta(hours=2)).strftime(TIME_FORMAT),
        "clientId": "c",
        "clientSecret": "s",
        "registrationExpiresAt": "2030-03-01T00:00:00Z",
        "refreshToken": "r",
        **odd,
    }
    home.sso_cache.mkdir(parents=True)
    token_path(here(), DEV).write_text(json.dumps(data))
    provider = botocore.tokens.SSOTokenProvider(botocore.session.Session(profile="p"))
    loaded = provider.load_token()
    assert loaded is not None and loaded.get_frozen_token().token == "aoa-odd"  # botocore's
    token = load_token(here(), DEV)
    assert token is not None and token.access_token == "aoa-odd"
    assert token.can_refresh is refreshable


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[]", "not a JSON object"),
        (b'{"expiresAt": "2030-01-01T00:00:00Z"}', "no accessToken"),
        (b'{"accessToken": "x"}', "no expiresAt"),
        (b'{"accessToken": "x", "expiresAt": "soon"}', "not a time"),
    ],
)
def test_corrupt_cache_is_one_clear_line(home: Home, content: bytes, why: str) -> None:
    home.sso_cache.mkdir(parents=True)
    token_path(here(), DEV).write_bytes(content)
    with pytest.raises(NotLoggedIn) as err:
        load_token(here(), DEV)
    message = err.value.message
    assert str(token_path(here(), DEV)) in message and why in message
    assert message.endswith("run `ssotui login`") and "\n" not in message


@pytest.mark.parametrize("seen", [b"", b'{"startUrl": "https://dev.awsap'])
def test_a_token_file_caught_mid_write_is_read_again(
    home: Home, monkeypatch: pytest.MonkeyPatch, seen: bytes
) -> None:
    # The JavaScript SDK (and older botocore) rewrites the file in place after a refresh:
    # a read between its truncation and its write saw "" or half a file, and ssotui said the
    # cache was unusable and to log in again.
    token = _token(expires_at=datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1))
    token_path(here(), DEV).parent.mkdir(parents=True)
    token_path(here(), DEV).write_bytes(seen)
    token_path(here(), DEV).chmod(0o600)

    def other_tool_finishes_writing() -> None:
        token_path(here(), DEV).write_text(json.dumps(token_to_dict(token)))

    monkeypatch.setattr(token_cache, "_pause", other_tool_finishes_writing, raising=False)
    assert current_token(here(), DEV) == token


def test_unreadable_cache_is_one_clear_line(home: Home) -> None:
    token_path(here(), DEV).mkdir(parents=True)  # a folder where the file should be
    with pytest.raises(NotLoggedIn, match="is a folder, not a file: move it away"):
        load_token(here(), DEV)
    token_path(here(), DEV).rmdir()
    token_path(here(), DEV).write_text('{"accessToken": "abc", "expiresAt": ')  # cut short
    with pytest.raises(NotLoggedIn, match=r"unusable \(not valid JSON\)"):
        load_token(here(), DEV)


def test_another_start_url_is_not_this_sessions_token(home: Home) -> None:
    save_token(here(), DEV, _token(start_url="https://elsewhere.awsapps.com/start"))
    assert load_token(here(), DEV) is None
    save_token(here(), DEV, _token(start_url=DEV.start_url + "/"))
    assert load_token(here(), DEV) is not None
    # the portal's address as the browser shows it, then pasted into the config (or taken out
    # of it since): the same portal, as the AWS CLI (which does not compare) keeps using it
    save_token(here(), DEV, _token(start_url=DEV.start_url + "/#/"))
    assert load_token(here(), DEV) is not None
    portal_page = dataclasses.replace(DEV, start_url=DEV.start_url + "/#/")
    save_token(here(), DEV, _token(start_url=DEV.start_url))
    assert load_token(here(), portal_page) is not None


def test_delete(home: Home) -> None:
    assert token_cache.delete_token(here(), DEV) is False
    save_token(here(), DEV, _token())
    assert token_cache.delete_token(here(), DEV) is True
    assert load_token(here(), DEV) is None


def test_registration_round_trip_and_aws_cli_form(home: Home) -> None:
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=80)
    save_registration(here(), DEV, Registration("cid", "sec", expires, ("sso:account:access",)))
    data = json.loads(registration_path(here(), DEV).read_text())
    assert data == {
        "clientId": "cid",
        "clientSecret": "sec",
        "expiresAt": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "scopes": ["sso:account:access"],
    }
    assert stat.S_IMODE(registration_path(here(), DEV).stat().st_mode) == 0o600
    loaded = load_registration(here(), DEV)
    assert loaded is not None and loaded.usable and loaded.client_id == "cid"


def test_a_browser_registration_is_kept_apart_from_botocores_key(home: Home) -> None:
    """A CLI before 2.22 takes whatever is under botocore's key for its device code login: a
    browser registration goes under a key of ssotui's own, same folder, form and mode."""
    expires = datetime.now(UTC).replace(microsecond=0) + timedelta(days=80)
    grants = ("authorization_code", "refresh_token")
    save_registration(
        here(), DEV, Registration("bid", "bsec", expires, ("sso:account:access",), grants)
    )
    assert not registration_path(here(), DEV).exists()
    key = (
        '{"flow": "authorization_code", "region": "eu-west-1", "scopes": ["sso:account:access"], '
        '"session_name": "dev", "startUrl": "https://dev.awsapps.com/start", "tool": "botocore"}'
    )
    path = home.sso_cache / f"{hashlib.sha1(key.encode()).hexdigest()}.json"
    assert registration_path(here(), DEV, browser=True) == path
    assert json.loads(path.read_text()) == {
        "clientId": "bid",
        "clientSecret": "bsec",
        "expiresAt": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "scopes": ["sso:account:access"],
        "grantTypes": ["authorization_code", "refresh_token"],
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = load_registration(here(), DEV, browser=True)
    assert loaded is not None and loaded.for_browser and loaded.client_id == "bid"
    assert load_registration(here(), DEV) is None


def test_registration_not_usable_near_expiry_and_its_flow(home: Home) -> None:
    soon = datetime.now(UTC) + timedelta(minutes=10)
    assert not Registration("c", "s", soon).usable
    later = datetime.now(UTC) + timedelta(days=10)
    browser = Registration("c", "s", later, grant_types=("authorization_code", "refresh_token"))
    assert browser.usable and browser.for_browser
    assert not Registration("c", "s", later).for_browser  # no grantTypes: the device code's
    registration_path(here(), DEV).parent.mkdir(parents=True)
    registration_path(here(), DEV).write_text("garbage")
    assert load_registration(here(), DEV) is None


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.binary(max_size=200)
    | st.dictionaries(
        st.sampled_from(["accessToken", "expiresAt", "startUrl", "refreshToken", "clientId"]),
        st.none() | st.integers() | st.text(max_size=30) | st.lists(st.integers(), max_size=2),
    ).map(lambda d: json.dumps(d).encode())
)
def test_any_cache_bytes_give_a_token_none_or_not_logged_in(
    home: Home, data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(token_cache, "_pause", lambda: None)  # no second look worth waiting for
    token_path(here(), DEV).parent.mkdir(parents=True, exist_ok=True)
    token_path(here(), DEV).write_bytes(data)
    try:
        load_token(here(), DEV)
    except NotLoggedIn as exc:
        assert "\n" not in exc.message
    registration_path(here(), DEV).write_bytes(data)
    load_registration(here(), DEV)  # never raises
