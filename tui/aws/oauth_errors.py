"""SSO OIDC errors named only in OAuth's form, read as the model's exceptions.

botocore names an error by the `x-amzn-ErrorType` header, `__type` or `code` in the body; a
service that follows RFC 6749 (5.2) and RFC 8628 (3.5) alone sends `{"error": "slow_down"}`,
which botocore reads as an error named "400", so a device login would end at its first
"not yet". Such an answer gets the header of the exception whose `error` member botocore's
sso-oidc model documents with that value, before botocore parses it; an answer that names its
error any way botocore reads is left as it is.
"""

from __future__ import annotations

import json
from typing import Any

# The `error` value each exception of botocore's sso-oidc model documents.
EXCEPTIONS = {
    "access_denied": "AccessDeniedException",
    "authorization_pending": "AuthorizationPendingException",
    "expired_token": "ExpiredTokenException",
    "server_error": "InternalServerException",
    "invalid_client": "InvalidClientException",
    "invalid_client_metadata": "InvalidClientMetadataException",
    "invalid_grant": "InvalidGrantException",
    "invalid_redirect_uri": "InvalidRedirectUriException",
    "invalid_request": "InvalidRequestException",
    "invalid_scope": "InvalidScopeException",
    "slow_down": "SlowDownException",
    "unauthorized_client": "UnauthorizedClientException",
    "unsupported_grant_type": "UnsupportedGrantTypeException",
}
_ERROR_TYPE = "x-amzn-ErrorType"
_NAMED_IN_BODY = ("__type", "code", "Code")  # what botocore reads in the body, besides


def name_oauth_error(response_dict: dict[str, Any], **_: Any) -> None:
    """botocore's `before-parse` hook on the SSO OIDC client: an error answer named only by its
    OAuth `error` member gets the `x-amzn-ErrorType` of its exception."""
    if int(response_dict.get("status_code") or 0) < 400:
        return
    headers = response_dict.get("headers")
    if headers is None or _ERROR_TYPE in headers:  # botocore's headers ignore case
        return
    try:
        body = json.loads(response_dict.get("body") or b"")
    except (ValueError, RecursionError):
        return
    if not isinstance(body, dict) or any(key in body for key in _NAMED_IN_BODY):
        return
    error = body.get("error")
    if isinstance(error, str) and error in EXCEPTIONS:
        headers[_ERROR_TYPE] = EXCEPTIONS[error]
