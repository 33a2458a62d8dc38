"""The simulator's REST-JSON wire format: which request is which operation, and the answers.

Routes are those of botocore's ``sso`` and ``sso-oidc`` service models. Answers are JSON with a
request id; errors carry their name in the ``x-amzn-ErrorType`` header and ``{"message": ...}``
in the body (plus ``error``/``error_description`` for OIDC, as the real service sends). What
surrounds a call (counting, latency, rate limit, injected failures) is the Simulator's.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tui.sim.errors import SimError, oidc_error
from tui.sim.identity import Identity
from tui.sim.portal import Portal

ERROR_NAMESPACE = ":http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/"
TOKEN_HEADER = "x-amz-sso_bearer_token"

# (method, path) -> (operation name, is a portal call)
ROUTES: dict[tuple[str, str], tuple[str, bool]] = {
    ("POST", "/client/register"): ("RegisterClient", False),
    ("POST", "/device_authorization"): ("StartDeviceAuthorization", False),
    ("POST", "/token"): ("CreateToken", False),
    ("GET", "/assignment/accounts"): ("ListAccounts", True),
    ("GET", "/assignment/roles"): ("ListAccountRoles", True),
    ("GET", "/federation/credentials"): ("GetRoleCredentials", True),
    ("POST", "/logout"): ("Logout", True),
}


@dataclass
class Response:
    """What the handler writes back."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, data: dict[str, Any]) -> Response:
    """`data` as a JSON answer with a fresh request id."""
    headers = {"Content-Type": "application/json", "x-amzn-RequestId": str(uuid.uuid4())}
    return Response(status, json.dumps(data, ensure_ascii=False).encode(), headers)


def error_response(err: SimError) -> Response:
    """An error answer as botocore's rest-json parser reads it."""
    response = json_response(err.status, err.body())
    response.headers["x-amzn-ErrorType"] = err.error_type + ERROR_NAMESPACE
    return response


def call_operation(
    op: str,
    query: dict[str, str],
    headers: dict[str, str],
    body: bytes,
    now: float,
    *,
    identity: Identity,
    portal: Portal,
    verification_uri: Callable[[], str],
) -> dict[str, Any]:
    """Run operation `op` of a request (headers lower-cased) on the portal or the OIDC side.

    Raises :class:`SimError` for an answer that is an error; `verification_uri` gives the device
    page's address, asked only by StartDeviceAuthorization.
    """
    token = headers.get(TOKEN_HEADER)
    if op == "ListAccounts":
        return portal.list_accounts(token, query, now)
    if op == "ListAccountRoles":
        return portal.list_account_roles(token, query, now)
    if op == "GetRoleCredentials":
        return portal.get_role_credentials(token, query, now)
    if op == "Logout":
        return portal.logout(token, now)
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise oidc_error("InvalidRequestException", "request body is not a JSON object")
    if op == "RegisterClient":
        return identity.register_client(data, now)
    if op == "StartDeviceAuthorization":
        return identity.start_device_authorization(data, now, verification_uri())
    return identity.create_token(data, now)
