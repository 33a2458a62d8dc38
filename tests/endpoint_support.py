"""Helpers for the credential endpoint tests: a fetch through the real portal client against the
simulator, one role to fetch, and a raw HTTP request to an endpoint."""

from __future__ import annotations

import http.client
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tests.conftest import here
from tui.aws.portal import DEFAULT_DEADLINE, Portal
from tui.aws.tokens import current_token
from tui.models import Account, RoleCredentials, SsoSession
from tui.serve import TOKEN_VAR, URI_VAR, CredentialEndpoint
from tui.sim import Simulator


def allowed_role(sim: Simulator) -> tuple[Account, str]:
    """The first account of the simulator with a role the user may take, and that role."""
    source = next(a for a in sim.org.accounts if any(not r.forbidden for r in a.roles))
    role = next(r.name for r in source.roles if not r.forbidden)
    return Account(source.account_id, source.name, source.email), role


def role_fetch(
    session: SsoSession,
    account: Account,
    role: str,
    served: list[RoleCredentials] | None = None,
    *,
    deadline: float = DEFAULT_DEADLINE,
) -> Callable[[], RoleCredentials]:
    """What the workspace passes: the current token of the session (refreshed when needed),
    then GetRoleCredentials within `deadline` seconds (`request_deadline`); every result is
    appended to `served` when given."""

    def fetch() -> RoleCredentials:
        portal = Portal(
            session, current_token(here(), session), deadline=deadline, environ=os.environ
        )
        creds = portal.role_credentials(account, role)
        if served is not None:
            served.append(creds)
        return creds

    return fetch


@dataclass
class Reply:
    """A status, the headers and the parsed JSON body of one answer."""

    status: int
    headers: dict[str, str]
    body: dict[str, Any]


def ask(
    endpoint: CredentialEndpoint,
    *,
    method: str = "GET",
    path: str | None = None,
    headers: dict[str, str] | None = None,
    token: str | None = "right",
    connection: http.client.HTTPConnection | None = None,
) -> Reply:
    """One request to `endpoint`: its path and token unless told otherwise (`token=None` sends
    no Authorization header, any other string but "right" is sent as it is)."""
    env = endpoint.environment()
    url = urlsplit(env[URI_VAR])
    sent = dict(headers or {})
    if token == "right":
        sent["Authorization"] = env[TOKEN_VAR]
    elif token is not None:
        sent["Authorization"] = token
    conn = connection or http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)
    try:
        conn.request(method, path if path is not None else url.path, headers=sent)
        response = conn.getresponse()
        raw = response.read()
        body = json.loads(raw) if raw else {}
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, body)
    finally:
        if connection is None:
            conn.close()
