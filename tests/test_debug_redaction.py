"""`--debug` masks secrets by structure: whole, even when they hold `"`, `\\` or `'`.

The simulator appends a tail of quotes and backslashes, with marker words between them, to
every secret it hands out (`secret_suffix`); botocore then logs them escaped once or twice
(JSON inside a bytes repr). No marker word, and no part of a secret, may reach the log.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from tests.cli_helpers import Run, ssotui
from tests.conftest import here
from tui import debug_log, logs
from tui.aws.session_choice import chosen_session
from tui.aws.token_cache import token_path
from tui.sim import Simulator

SUFFIX = '"SFXQ\\SFXB\'SFXA\\"SFXE'
MARKERS = ("SFXQ", "SFXB", "SFXA", "SFXE")
SECRET_FIELDS = {"accessToken", "refreshToken", "clientSecret", "secretAccessKey", "sessionToken"}


def _walk(data: Any) -> list[tuple[str, Any]]:
    if isinstance(data, dict):
        return [(k, v) for k, v in data.items()] + [p for v in data.values() for p in _walk(v)]
    return []


@pytest.fixture
def handed_out(sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Every secret the simulator sends (each ends in SUFFIX)."""
    sim.set(secret_suffix=SUFFIX, interval=0)
    seen: set[str] = set()
    original = sim.dispatch

    def recording(method: str, target: str, headers: dict[str, str], body: bytes) -> Any:
        response = original(method, target, headers, body)
        try:
            data = json.loads(response.body or b"{}")
        except ValueError:
            return response
        seen.update(v for k, v in _walk(data) if k in SECRET_FIELDS and isinstance(v, str))
        return response

    monkeypatch.setattr(sim, "dispatch", recording)
    return seen


def leaks(text: str, secrets: set[str]) -> list[str]:
    """Marker words, and 12-character pieces of a secret's random part, found in `text`."""
    found = [m for m in MARKERS if m in text]
    for secret in secrets:
        head = secret[: -len(SUFFIX)]
        found += [head[:6] + "…" for i in range(0, len(head) - 12, 12) if head[i : i + 12] in text]
    return found


def test_botocore_debug_log_masks_secrets_with_quotes_and_backslashes(
    portal_client_kind: str, sim: Simulator, sso_config: Path, handed_out: set[str]
) -> None:
    account = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r.name for r in account.roles if not r.forbidden)
    runs: list[Run] = [ssotui("login", "--no-browser", "--debug")]
    assert runs[0].status == 0, runs[0].err
    runs.append(ssotui("list", "--refresh", "--debug"))
    runs.append(ssotui("exec", account.account_id, role, "--debug", "--", "true"))
    exported = ssotui("export", account.account_id, role, "--format", "json", "--debug")
    assert json.loads(exported.out)["SecretAccessKey"].endswith(SUFFIX)  # really in there
    runs.append(Run(exported.status, "", exported.err))  # stdout is what the user asked for
    sim.expire_tokens()  # the refresh path: CreateToken with the refresh token and secret
    runs.append(ssotui("list", "--refresh", "--debug"))
    sim.expire_tokens()  # the logout's own renewal: Logout 401, CreateToken, Logout again
    runs.append(ssotui("logout", "--debug"))
    assert "token revoked" in runs[-1].err
    assert all(run.status == 0 for run in runs), [run.err[-300:] for run in runs]
    log = "".join(run.out + run.err for run in runs)
    if portal_client_kind == "botocore":
        assert "botocore.parsers DEBUG Response body" in log  # the bodies really were logged
    assert len(handed_out) >= 5
    assert leaks(log, handed_out) == []
    assert logs.MASK in log


def record(msg: str, *args: Any) -> str:
    formatter = debug_log.RedactingFormatter("%(message)s")
    return formatter.format(logging.LogRecord("botocore.x", logging.DEBUG, "", 0, msg, args, None))


SECRET = "SECA\"SECB\\SECC'SECD-0123456789"


def test_structure_masks_headers_bodies_and_query_parameters() -> None:
    params = {
        "url": f"https://portal/x?role_name=Admin&access_token={SECRET}&account_id=1",
        "headers": {"x-amz-sso_bearer_token": SECRET, "Authorization": f"Bearer {SECRET}"},
        "body": json.dumps({"clientSecret": SECRET, "nested": {"refreshToken": SECRET}}).encode(),
    }
    text = record("Making request with params: %s", params)
    body = record("Response body:\n%r", json.dumps({"secretAccessKey": SECRET}).encode())
    signin = record("GET %s", f"https://signin/federation?Action=login&SigninToken={SECRET}")
    for line in (text, body, signin):
        assert not any(part in line for part in ("SECA", "SECB", "SECC", "SECD")), line
        assert logs.MASK in line
    assert "role_name=Admin" in text and "account_id=1" in text  # the rest is kept


def test_registered_secrets_are_masked_in_every_printed_form() -> None:
    secret = "registered\"sec\\ret'-9876543210"
    logs.hide(secret)
    escaped = json.dumps(secret)
    for shown in (repr(secret), repr(secret.encode()), escaped, repr(escaped.encode())):
        line = record("value %s", shown)
        assert "9876543210" not in line and "sec" not in line, line


def test_debug_shows_the_status_each_portal_call_got_and_no_token(
    portal_client_kind: str, sim: Simulator, sso_config: Path
) -> None:
    sim.set(interval=0)
    assert ssotui("login", "--no-browser").status == 0
    access_token = json.loads(token_path(here(), chosen_session(here())[0]).read_text())[
        "accessToken"
    ]
    result = ssotui("list", "--refresh", "--debug")
    assert result.status == 0, result.err
    calls = [line for line in result.err.splitlines() if "ssotui.portal DEBUG" in line]
    assert any("ListAccounts: HTTP 200 in " in line for line in calls), calls
    assert any("ListAccountRoles: HTTP 200 in " in line for line in calls), calls
    assert "HTTP 2xx" not in result.err  # was the direct client's every line
    assert access_token not in result.out + result.err
