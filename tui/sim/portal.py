"""SSO portal side of the simulator: ListAccounts, ListAccountRoles, GetRoleCredentials, Logout.

Pages are ``page_size`` items unless ``max_result`` (1..100) asks for fewer or more; the
``next_token`` is opaque to clients. Not thread-safe by itself: the server holds its lock.
"""

from __future__ import annotations

import base64
import secrets
import string
from dataclasses import dataclass
from typing import Any

from tui.sim.errors import portal_error
from tui.sim.identity import Identity
from tui.sim.knobs import LATER_PAGE_ERRORS, Knobs
from tui.sim.org import Organisation, SimAccount

_KEY_CHARS = string.ascii_uppercase + string.digits


def _page(
    items: list[Any],
    query: dict[str, str],
    default_size: int,
    kind: str,
    tokens: str = "end",
    cap: int | None = None,
) -> tuple[list[Any], str | None]:
    """Slice one page out of ``items``; returns the page and the next token (or None).

    ``cap``: the most items a page holds, whatever ``max_result`` asks.
    ``tokens``: "end" (the last page has none), "loop" (the last page's token points back to
    the second page, or the first) or "endless" (the last page again, a new token each time).
    """
    size = default_size
    if "max_result" in query:
        try:
            size = int(query["max_result"])
        except ValueError:
            size = 0
        if not 1 <= size <= 100:
            raise portal_error(400, "InvalidRequestException", "max_result must be 1..100")
    if cap is not None:
        size = min(size, cap)
    start = 0
    if query.get("next_token"):
        try:
            prefix, _, rest = base64.urlsafe_b64decode(query["next_token"]).decode().partition(":")
            start = int(rest.partition(":")[0])
        except (ValueError, UnicodeDecodeError):
            prefix, start = "", -1
        if prefix != kind or not 0 <= start <= len(items):
            raise portal_error(400, "InvalidRequestException", "Invalid next token")
    end = start + size
    token = None
    if end < len(items):
        token = _token(kind, end)
    elif tokens == "loop":
        token = _token(kind, size if size < len(items) else 0)
    elif tokens == "endless":
        token = _token(kind, start, secrets.token_hex(4))
    return items[start:end], token


@dataclass(frozen=True)
class IssuedCredentials:
    """Role credentials GetRoleCredentials handed out (the federation endpoint checks them)."""

    secret_access_key: str
    session_token: str
    expires_at: float


def _token(kind: str, offset: int, salt: str = "") -> str:
    plain = f"{kind}:{offset}" + (f":{salt}" if salt else "")
    return base64.urlsafe_b64encode(plain.encode()).decode()


class Portal:
    """The portal operations over an organisation, authorised by :class:`Identity`."""

    def __init__(self, org: Organisation, identity: Identity, knobs: Knobs) -> None:
        self.org = org
        self.identity = identity
        self.knobs = knobs
        self.issued: dict[str, IssuedCredentials] = {}  # access key id -> what was issued

    def list_accounts(self, token: str | None, query: dict[str, str], now: float) -> dict[str, Any]:
        """ListAccounts: one page of every account of the organisation."""
        self.identity.check_access(token, now)
        self._later_page_fault("ListAccounts", query, now)
        page, next_token = _page(
            self.org.accounts,
            query,
            self.knobs.page_size,
            "accounts",
            self._tokens("ListAccounts"),
            self.knobs.page_cap,
        )
        answer: dict[str, Any] = {
            "accountList": [
                {"accountId": a.account_id, "accountName": a.name, "emailAddress": a.email}
                for a in page
            ]
        }
        if next_token:
            answer["nextToken"] = next_token
        return answer

    def list_account_roles(
        self, token: str | None, query: dict[str, str], now: float
    ) -> dict[str, Any]:
        """ListAccountRoles: one page of the roles of ``account_id``."""
        self.identity.check_access(token, now)
        account = self._account(query)
        self._later_page_fault("ListAccountRoles", query, now, account.account_id)
        page, next_token = _page(
            account.roles,
            query,
            self.knobs.page_size,
            f"roles-{account.account_id}",
            self._tokens("ListAccountRoles", account.account_id),
            self.knobs.page_cap,
        )
        answer: dict[str, Any] = {
            "roleList": [{"roleName": r.name, "accountId": account.account_id} for r in page]
        }
        if next_token:
            answer["nextToken"] = next_token
        return answer

    def get_role_credentials(
        self, token: str | None, query: dict[str, str], now: float
    ) -> dict[str, Any]:
        """GetRoleCredentials: fresh temporary credentials; 403 for a forbidden role."""
        self.identity.check_access(token, now)
        account = self._account(query)
        role_name = query.get("role_name")
        if not role_name:
            raise portal_error(400, "InvalidRequestException", "role_name is required")
        role = account.role(role_name)
        if role is None:
            raise portal_error(404, "ResourceNotFoundException", "Could not find role")
        if role.forbidden:
            raise portal_error(403, "ForbiddenException", "No access")
        key_id = "ASIA" + "".join(secrets.choice(_KEY_CHARS) for _ in range(16))
        issued = IssuedCredentials(
            secret_access_key=secrets.token_urlsafe(30)[:40] + self.knobs.secret_suffix,
            session_token="IQoJb3JpZ2luX2VjE"
            + secrets.token_urlsafe(300)
            + self.knobs.secret_suffix,
            expires_at=now + self.knobs.credential_lifetime,
        )
        self.issued[key_id] = issued
        return {
            "roleCredentials": {
                "accessKeyId": key_id,
                "secretAccessKey": issued.secret_access_key,
                "sessionToken": issued.session_token,
                "expiration": int(issued.expires_at * 1000),
            }
        }

    def credentials_valid(
        self, access_key_id: str, secret_access_key: str, session_token: str, now: float
    ) -> bool:
        """True for credentials this portal issued that have not expired."""
        issued = self.issued.get(access_key_id)
        return (
            issued is not None
            and secrets.compare_digest(
                issued.secret_access_key.encode(), secret_access_key.encode()
            )
            and secrets.compare_digest(issued.session_token.encode(), session_token.encode())
            and now < issued.expires_at
        )

    def expire_credentials(self, now: float) -> None:
        """Make every role credential issued so far expired."""
        self.issued = {
            key: IssuedCredentials(c.secret_access_key, c.session_token, min(c.expires_at, now))
            for key, c in self.issued.items()
        }

    def logout(self, token: str | None, now: float) -> dict[str, Any]:
        """Logout: ends the sign-in the token belongs to."""
        self.identity.logout(token, now)
        return {}

    def _later_page_fault(
        self, operation: str, query: dict[str, str], now: float, account_id: str = ""
    ) -> None:
        """Answer a request for a later page of a listing in `later_page_faults` with
        `later_page_error`, while `later_page_fault_count` (counted down here) allows. An
        UnauthorizedException is the access token ending mid-listing: every access token
        issued so far expires with it (refresh tokens keep working), as `expire_tokens` does."""
        knobs = self.knobs
        names = {operation, f"{operation}:{account_id}"}
        if not query.get("next_token") or not names & knobs.later_page_faults:
            return
        if knobs.later_page_fault_count is not None:
            if knobs.later_page_fault_count == 0:
                return
            knobs.later_page_fault_count -= 1
        error = knobs.later_page_error
        if error == "UnauthorizedException":
            self.identity.expire_tokens(now)
            raise portal_error(401, error, "Session token expired")
        raise portal_error(LATER_PAGE_ERRORS[error], error, "Injected failure of a later page")

    def _tokens(self, operation: str, account_id: str = "") -> str:
        looping = self.knobs.looping_pages
        if operation in looping or f"{operation}:{account_id}" in looping:
            return "loop"
        return "endless" if operation in self.knobs.endless_pages else "end"

    def _account(self, query: dict[str, str]) -> SimAccount:
        account_id = query.get("account_id")
        if not account_id:
            raise portal_error(400, "InvalidRequestException", "account_id is required")
        account = self.org.account(account_id)
        if account is None:
            raise portal_error(404, "ResourceNotFoundException", "Could not find account")
        return account
