"""Reading SSO OIDC answers: a CreateToken answer as a Token, a refusal as one clear line.

Shared by both login flows and the token refresh, so none of them imports another.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tui.aws.clients import connection_error
from tui.aws.transport import redirected
from tui.errors import LoginFailed, ServiceError, SsotuiError
from tui.logs import hide
from tui.models import SsoSession, Token, utcnow

# Refusals in botocore's sso-oidc model that mean "later", not "misconfigured": botocore's
# retries take neither SlowDownException nor a 500 past its attempts.
_BUSY = frozenset({"SlowDownException", "InternalServerException"})


def error_code(exc: BaseException) -> str:
    """The service's error name (`InvalidGrantException`, ...) of a botocore ClientError."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def login_failure(exc: Exception, client: Any, session: SsoSession, what: str) -> SsotuiError:
    """Turn a botocore failure during a login into one clear line."""
    network = connection_error(exc, client, session)
    if network is not None:
        return network
    status = getattr(exc, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    if isinstance(status, int) and 300 <= status < 400:
        endpoint = str(getattr(client.meta, "endpoint_url", "") or "?")
        return redirected(what, endpoint, status, "AWS_ENDPOINT_URL_SSO_OIDC", session)
    code = error_code(exc)
    if isinstance(status, int) and status >= 500 and code not in _BUSY:
        # past botocore's retries; without an error name botocore names it by the status
        named = "" if code in ("", str(status)) else f" ({code})"
        return ServiceError(
            f"Identity Center failed {what} of session {session.label} with HTTP {status}"
            f"{named}: try again in a minute with `ssotui login`"
        )
    if code in _BUSY:  # the service is overloaded or failing, not the session misconfigured
        return ServiceError(
            f"Identity Center is too busy for {what} of session {session.label} ({code}): "
            "wait a minute, then run `ssotui login` again"
        )
    if code:
        from tui.aws.sessions import inline_comment

        fix = inline_comment(session) or "check the session's sso_start_url and sso_region"
        return LoginFailed(
            f"Identity Center refused {what} for session {session.label} ({code}): {fix}, then "
            "run `ssotui login` again"
        )
    return ServiceError(f"{what} failed for session {session.label}: {type(exc).__name__}")


def token_from_response(
    session: SsoSession,
    response: Any,
    *,
    client_id: str,
    client_secret: str,
    registration_expires_at: datetime | None,
    refresh_token: str | None = None,
) -> Token:
    """A cacheable Token from a CreateToken answer (ServiceError when it is unreadable)."""
    try:
        hide(response.get("accessToken"), response.get("refreshToken"))
        return Token(
            start_url=session.start_url,
            region=session.region,
            access_token=str(response["accessToken"]),
            # whole seconds: what the cache keeps is what the caller gets
            expires_at=(utcnow() + timedelta(seconds=int(response["expiresIn"]))).replace(
                microsecond=0
            ),
            client_id=client_id,
            client_secret=client_secret,
            registration_expires_at=registration_expires_at,
            refresh_token=response.get("refreshToken") or refresh_token,
        )
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError):  # e.g. 10**15 s
        raise ServiceError(
            f"Identity Center sent an unreadable CreateToken answer for session "
            f"{session.label}: try again later"
        ) from None
