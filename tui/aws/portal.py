"""The SSO portal API for one logged-in session: accounts, roles, role credentials, logout.

Every botocore failure becomes one SsotuiError line: 401 -> NotLoggedIn, 403/404 -> NoAccess,
unreachable, throttled or failing past retries -> ServiceError. Retries are done here, not in
botocore: a 429 goes back through the `Pacer` shared by every thread of the portal (it learns
the rate the service allows), 5xx and network failures get a few jittered retries. The access
token never appears in a message.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from tui.aws.clients import connection_error, portal_client
from tui.aws.throttle import Pacer
from tui.errors import NoAccess, NotLoggedIn, ServiceError, SsotuiError
from tui.logs import hide
from tui.models import Account, RoleCredentials, SsoSession, Token

if TYPE_CHECKING:
    from mypy_boto3_sso import SSOClient

    from tui.aws.portal_http import PortalHttpClient

T = TypeVar("T")

PAGE_SIZE = 100
# Retries per call. A throttled call is re-paced rather than backed off, so it gets many; an
# unreachable endpoint (3 attempts of a 2 s connect timeout) still fails within ~10 s.
THROTTLE_RETRIES = 20
SERVER_ERROR_RETRIES = 4
NETWORK_RETRIES = 2
BACKOFF_BASE = 0.25
BACKOFF_CAP = 4.0
_THROTTLE_CODES = {"TooManyRequestsException", "ThrottlingException", "Throttling"}


def _error_parts(exc: BaseException) -> tuple[str, int] | None:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    code = str(response.get("Error", {}).get("Code", ""))
    status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    return code, status


def is_throttled(exc: BaseException) -> bool:
    """True for a 429 / throttling answer."""
    parts = _error_parts(exc)
    return parts is not None and (parts[0] in _THROTTLE_CODES or parts[1] == 429)


def is_server_error(exc: BaseException) -> bool:
    """True for a 5xx answer."""
    parts = _error_parts(exc)
    return parts is not None and parts[1] >= 500


def is_network_error(exc: BaseException) -> bool:
    """True for a connection that failed, timed out or was dropped (worth another try)."""
    from tui.aws import portal_http as direct

    if isinstance(exc, direct.TransportError):
        return not isinstance(exc, direct.UntrustedCertificate | direct.UnreadableCaFile)
    import botocore.exceptions as bce

    return isinstance(exc, bce.ConnectionError | bce.HTTPClientError) and not isinstance(
        exc, bce.SSLError
    )


class Portal:
    """The SSO portal for one session and token; safe to share between threads."""

    def __init__(
        self,
        session: SsoSession,
        token: Token,
        *,
        client: SSOClient | PortalHttpClient | None = None,
        max_pool: int = 10,
        page_size: int = PAGE_SIZE,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self.session = session
        self._token = token.access_token
        self.client: SSOClient | PortalHttpClient = client or portal_client(
            session, max_pool=max_pool
        )
        self.page_size = page_size
        self._sleep = sleep
        self.pacer = Pacer(sleep=sleep)

    # -- error handling -------------------------------------------------------------------

    def _translate(self, exc: Exception, what: str, *, no_access: str | None = None) -> SsotuiError:
        network = connection_error(exc, self.client, self.session)
        if network is not None:
            return network
        parts = _error_parts(exc)
        if parts is None:
            return ServiceError(
                f"{what} failed for session {self.session.label} ({type(exc).__name__}): "
                "try again later"
            )
        code, status = parts
        if code == "UnauthorizedException" or status == 401:
            return NotLoggedIn(
                f"session {self.session.label} expired or was revoked: run `ssotui login`"
            )
        if code in {"ForbiddenException", "ResourceNotFoundException"} or (
            no_access and status in {403, 404}
        ):
            return NoAccess(no_access or f"no access to {what} (session {self.session.label})")
        if status in {403, 404}:  # not Identity Center's own answer: something else is there
            return ServiceError(
                f"{self.client.meta.endpoint_url} answered HTTP {status} to {what}, not like "
                f"Identity Center: check the sso_region of session {self.session.label} and any "
                "endpoint override"
            )
        if is_throttled(exc):
            return ServiceError(
                f"Identity Center kept throttling {what} (HTTP 429) for session "
                f"{self.session.label}: wait a minute and try again"
            )
        if status >= 500:
            return ServiceError(
                f"Identity Center failed {what} with HTTP {status} after retries (session "
                f"{self.session.label}): try again later"
            )
        return ServiceError(
            f"Identity Center refused {what} ({code or status}) for session "
            f"{self.session.label}: try `ssotui login --force`"
        )

    def _call(self, what: str, fn: Callable[[], T], *, no_access: str | None = None) -> T:
        """Run one portal call, paced, with retries; translate what still fails."""
        throttled = failed = dropped = 0
        while True:
            pace = self.pacer.wait(throttled)
            try:
                result = fn()
            except SsotuiError:
                raise
            except Exception as exc:
                if is_throttled(exc):
                    self.pacer.throttled(pace)
                    throttled += 1
                    if throttled <= THROTTLE_RETRIES:
                        continue
                elif is_server_error(exc) and failed < SERVER_ERROR_RETRIES:
                    failed += 1
                    self._backoff(failed)
                    continue
                elif is_network_error(exc) and dropped < NETWORK_RETRIES:
                    dropped += 1
                    self._backoff(dropped)
                    continue
                raise self._translate(exc, what, no_access=no_access) from None
            self.pacer.succeeded(pace)
            return result

    def _backoff(self, round_no: int) -> None:
        self._sleep(random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**round_no)))

    def _pages(self, what: str, fetch: Callable[..., Any]) -> Iterator[dict[str, Any]]:
        """Pages of a `nextToken` listing; a failed page is retried from where it stopped.

        (botocore's paginator cannot resume after an exception without re-listing what was
        already yielded, so the token is followed here.)
        """
        next_token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"accessToken": self._token, "maxResults": self.page_size}
            if next_token:
                kwargs["nextToken"] = next_token

            def one_page(kwargs: dict[str, Any] = kwargs) -> Any:
                return fetch(**kwargs)

            page = self._call(what, one_page)
            if not isinstance(page, dict):
                raise self._malformed(what)
            yield page
            token = page.get("nextToken")
            if not token or token == next_token:
                return
            next_token = str(token)

    # -- the API --------------------------------------------------------------------------

    def list_accounts(self) -> Iterator[list[Account]]:
        """Every account the user can reach, one list per ListAccounts page."""
        for page in self._pages("ListAccounts", self.client.list_accounts):
            try:
                yield [
                    Account(
                        account_id=str(item["accountId"]),
                        name=str(item.get("accountName") or item["accountId"]),
                        email=str(item.get("emailAddress") or ""),
                    )
                    for item in page.get("accountList", [])
                ]
            except (KeyError, TypeError, AttributeError):
                raise self._malformed("ListAccounts") from None

    def list_roles(self, account_id: str) -> tuple[str, ...]:
        """The role names the user can take in one account."""
        names: list[str] = []
        what = f"the roles of account {account_id}"
        fetch = partial(self.client.list_account_roles, accountId=account_id)
        for page in self._pages(what, fetch):
            try:
                names.extend(str(item["roleName"]) for item in page.get("roleList", []))
            except (KeyError, TypeError, AttributeError):
                raise self._malformed("ListAccountRoles") from None
        return tuple(sorted(set(names), key=str.casefold))

    def role_credentials(self, account: Account, role_name: str) -> RoleCredentials:
        """Short-lived credentials for one role (NoAccess when it is not assigned)."""
        response = self._call(
            f"role {role_name} in account {account.name} ({account.account_id})",
            lambda: self.client.get_role_credentials(
                roleName=role_name, accountId=account.account_id, accessToken=self._token
            ),
            no_access=(
                f"no access to role {role_name} in account {account.name} "
                f"({account.account_id}): the permission set is not (or no longer) assigned "
                "to you; ask your administrator, or run `ssotui list --refresh`"
            ),
        )
        try:
            creds: Any = response["roleCredentials"]
            hide(creds.get("secretAccessKey"), creds.get("sessionToken"))
            return RoleCredentials(
                account=account,
                role_name=role_name,
                access_key_id=str(creds["accessKeyId"]),
                secret_access_key=str(creds["secretAccessKey"]),
                session_token=str(creds["sessionToken"]),
                expiration=datetime.fromtimestamp(int(creds["expiration"]) / 1000, UTC),
                region=self.session.default_region,
                session_label=self.session.label,
            )
        except (KeyError, TypeError, ValueError, OverflowError):
            raise self._malformed("GetRoleCredentials") from None

    def logout(self) -> None:
        """End the portal session (the token stops working); a dead token is no error."""
        with contextlib.suppress(NotLoggedIn):
            self._call("Logout", lambda: self.client.logout(accessToken=self._token))

    def _malformed(self, operation: str) -> ServiceError:
        return ServiceError(
            f"Identity Center sent an unreadable {operation} answer (session "
            f"{self.session.label}): try again later"
        )
