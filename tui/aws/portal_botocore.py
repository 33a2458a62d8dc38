"""The SSO portal through botocore, for wherever ssotui's direct client must not be used.

The one place botocore is called for the portal: each call's botocore exception becomes the
transport's own (`tui.aws.botocore_errors`), so the Portal reads the same types as from the
direct client. botocore takes its timeouts from the client's config, so an attempt that must
end sooner (the Portal's deadline is near) goes through a client built with a shorter read
timeout: halves of the usual one, so at most a handful are ever built.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tui.aws.botocore_errors import from_botocore
from tui.aws.transport import PortalClient

if TYPE_CHECKING:
    from mypy_boto3_sso import SSOClient

SHORTEST = 0.05  # seconds: no client with a shorter read timeout is built
_METHODS = {
    "ListAccounts": "list_accounts",
    "ListAccountRoles": "list_account_roles",
    "GetRoleCredentials": "get_role_credentials",
    "Logout": "logout",
}


class BotocorePortalClient(PortalClient):
    """A botocore `sso` client (one attempt per call) as a `PortalClient`. Thread-safe.

    `shorter(seconds)` gives the same client with that read timeout (cached by its maker);
    without it every attempt waits as long as `client` does.
    """

    def __init__(
        self,
        client: SSOClient,
        *,
        read_timeout: float,
        shorter: Callable[[float], SSOClient] | None = None,
    ) -> None:
        self._client = client
        self._shorter = shorter
        self.meta = client.meta
        self.read_timeout = read_timeout

    def call(
        self, operation: str, *, timeout: float | None = None, **params: Any
    ) -> dict[str, Any]:
        """One botocore call; `None` parameters are left out, as botocore wants."""
        client = self._client
        if timeout is not None and timeout < self.read_timeout and self._shorter is not None:
            ends = time.monotonic() + timeout
            self._within(timeout)  # building it takes a moment: then take the one that fits
            client = self._within(ends - time.monotonic())
        method = getattr(client, _METHODS[operation])
        try:
            answer: dict[str, Any] = method(
                **{name: value for name, value in params.items() if value is not None}
            )
        except Exception as exc:
            failure = from_botocore(exc, self.meta.endpoint_url)
            if failure is None:
                raise
            raise failure from None  # botocore's exception holds the request: not kept
        return answer

    def _within(self, timeout: float) -> SSOClient:
        assert self._shorter is not None
        seconds = self.read_timeout
        while seconds > timeout and seconds / 2 >= SHORTEST:
            seconds /= 2
        return self._shorter(seconds)
