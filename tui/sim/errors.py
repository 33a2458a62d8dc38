"""Service errors the simulator answers with, as the real service sends them."""

from __future__ import annotations

# The OAuth error code the real SSO OIDC service puts in the body's "error" member.
_OAUTH_CODES = {
    "AuthorizationPendingException": "authorization_pending",
    "SlowDownException": "slow_down",
    "AccessDeniedException": "access_denied",
    "ExpiredTokenException": "expired_token",
    "InvalidGrantException": "invalid_grant",
    "InvalidClientException": "invalid_client",
    "InvalidRequestException": "invalid_request",
    "InvalidScopeException": "invalid_scope",
    "UnsupportedGrantTypeException": "unsupported_grant_type",
    "UnauthorizedClientException": "unauthorized_client",
    "InternalServerException": "server_error",
}


class SimError(Exception):
    """An error response: HTTP status, `x-amzn-ErrorType` name and message."""

    def __init__(self, status: int, error_type: str, message: str, *, oidc: bool = False) -> None:
        super().__init__(f"{status} {error_type}: {message}")
        self.status = status
        self.error_type = error_type
        self.message = message
        self.oidc = oidc

    def body(self) -> dict[str, str]:
        """The JSON body: `message`, plus OAuth `error`/`error_description` for OIDC."""
        body = {"message": self.message}
        if self.oidc:
            body["error"] = _OAUTH_CODES.get(self.error_type, "invalid_request")
            body["error_description"] = self.message
        return body


def oidc_error(error_type: str, message: str, status: int = 400) -> SimError:
    """An SSO OIDC error (400 unless told)."""
    return SimError(status, error_type, message, oidc=True)


def portal_error(status: int, error_type: str, message: str) -> SimError:
    """An SSO portal error."""
    return SimError(status, error_type, message)
