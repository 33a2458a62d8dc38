"""Reading SSO OIDC answers: a CreateToken answer as a Token, a refusal as one clear line.

Shared by both login flows and the token refresh, so none of them imports another.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from tui.aws.clients import connection_error
from tui.aws.members import text
from tui.aws.transport import redirected
from tui.errors import LoginFailed, ServiceError, SsotuiError
from tui.logs import hide, said
from tui.models import DEFAULT_SCOPES, SsoSession, Token, utcnow
from tui.text import printable

# Lifetimes botocore's sso-oidc model leaves optional, for an answer without them (RFC 6749
# 5.1 and RFC 8628 3.2 leave the default to the server): the token's is short, so a refresh
# or a login comes early rather than a refusal late (a 401 renews it anyway); the device
# code's is Identity Center's own (the service's ExpiredTokenException ends a shorter one).
ASSUMED_TOKEN_LIFETIME = timedelta(hours=1)
ASSUMED_DEVICE_CODE_LIFETIME = timedelta(minutes=10)
# A client secret that does not expire (RFC 7591 3.2.1: `clientSecretExpiresAt` 0), one with
# no expiry given, or one past what a date holds (seconds sent as milliseconds): kept until
# the service refuses it, as the AWS CLI cache can say (a time botocore reads as to come).
NO_EXPIRY = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)

# Refusals in botocore's sso-oidc model that mean "later", not "misconfigured": botocore's
# retries take neither SlowDownException nor a 500 past its attempts.
_BUSY = frozenset({"SlowDownException", "InternalServerException"})
# The `reason` of a refusal that names a KMS failure (`KMS_AccessDeniedException`, ...).
_KMS_REASON = re.compile(r"KMS_[A-Za-z0-9_]{1,60}")


def error_code(exc: BaseException) -> str:
    """The service's error name (`InvalidGrantException`, ...) of a botocore ClientError."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def service_words(exc: BaseException) -> str:
    """The service's own words for an SSO OIDC refusal, as a line may show them (`said`):
    `error_description`, the member botocore's sso-oidc model gives every error, else the
    `message` a service may send instead; "" when it said nothing."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return ""
    words = said(response.get("error_description"))
    return words or said(response.get("Error", {}).get("Message"))


def kms_refusal(exc: BaseException, session: SsoSession, what: str) -> ServiceError | None:
    """The line for a refusal whose `reason` (botocore's sso-oidc model: AccessDeniedException
    and InvalidRequestException) names a KMS failure: the customer managed key of the Identity
    Center instance is disabled, gone or closed to it. Nothing the user does mends that, nor
    does the browser deny anything: an administrator must (a ServiceError: a refresh refused so
    keeps its token). None for any other refusal."""
    response = getattr(exc, "response", None)
    reason = response.get("reason") if isinstance(response, dict) else None
    if not isinstance(reason, str) or not _KMS_REASON.fullmatch(reason):
        return None
    return ServiceError(
        f"Identity Center cannot use the KMS key of its instance for {what} of session "
        f"{session.label} ({reason}): ask your Identity Center administrator to check that key "
        "and its key policy; logging in again will not help until then"
    )


def login_failure(exc: Exception, client: Any, session: SsoSession, what: str) -> SsotuiError:
    """Turn a botocore failure during a login into one clear line."""
    network = connection_error(exc, client, session)
    if network is not None:
        return network
    kms = kms_refusal(exc, session, what)
    if kms is not None:
        return kms
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
    if isinstance(status, int) and 400 <= status < 500 and code in ("", str(status)):
        # no error name (botocore names it by the status): Identity Center names every refusal
        endpoint = str(getattr(client.meta, "endpoint_url", "") or "?")
        who = "a proxy asking for a login" if status == 407 else "a proxy or gateway in the way"
        return ServiceError(
            f"{endpoint} answered HTTP {status} to {what} for session {session.label} without "
            f"an error name, not like Identity Center ({who}?): check any proxy (HTTPS_PROXY, "
            "NO_PROXY) and endpoint override, then run `ssotui login` again"
        )
    if code:
        from tui.aws.sessions import inline_comment

        fix = inline_comment(session) or (
            scopes_advice(session)
            if code == "InvalidScopeException"
            else region_advice(exc, session) or "check the session's sso_start_url and sso_region"
        )
        return LoginFailed(
            f"Identity Center refused {what} for session {session.label} ({code}"
            f"{service_words(exc)}): {fix}, then run `ssotui login` again"
        )
    return ServiceError(f"{what} failed for session {session.label}: {type(exc).__name__}")


def region_advice(exc: BaseException, session: SsoSession) -> str | None:
    """What to do about an InvalidRequestRegionException: what it asked for was issued in, and
    is only usable in, the `region` the answer names (botocore's sso-oidc model), so that is
    the region the session needs; None for another refusal or no region name."""
    from tui.region_names import is_region_name

    response = getattr(exc, "response", None)
    if error_code(exc) != "InvalidRequestRegionException" or not isinstance(response, dict):
        return None
    region = response.get("region")
    if not isinstance(region, str) or not is_region_name(region) or region == session.region:
        return None
    return (
        f"Identity Center says the login belongs to region {region}: make that the sso_region "
        f"of session {session.label} (now {printable(session.region)})"
    )


def scopes_advice(session: SsoSession) -> str:
    """What to check when Identity Center refuses the scopes asked for (InvalidScopeException,
    `invalid_scope` from the authorize page): `sso_registration_scopes` and what it holds."""
    if session.scopes_configured and session.scopes:
        held = printable(", ".join(session.scopes))
        return f"check sso_registration_scopes of session {session.label} ({held})"
    sets = "an empty" if session.scopes_configured else "no"
    return (
        f"session {session.label} sets {sets} sso_registration_scopes, so ssotui asks for "
        f"{', '.join(DEFAULT_SCOPES)}: set the scopes Identity Center grants"
    )


def lifetime(response: Any, member: str, assumed: timedelta) -> timedelta:
    """The `member` seconds of an answer, `assumed` when it has none (ValueError, TypeError or
    OverflowError when it is no number of seconds)."""
    value = response.get(member)
    return assumed if value is None else timedelta(seconds=int(value))


def token_lifetime(response: Any) -> timedelta:
    """How long a CreateToken answer's access token lasts: `expiresIn`, or the assumed hour
    when it has none or says none at all (0 or less: a token cached as expired when it came
    left a user nothing but `ssotui login` again, for ever, where it had no refresh token; the
    portal's 401 still ends one that does not last the hour)."""
    given = lifetime(response, "expiresIn", ASSUMED_TOKEN_LIFETIME)
    return given if given > timedelta(0) else ASSUMED_TOKEN_LIFETIME


def secret_expiry(value: Any) -> datetime:
    """When a registration's client secret expires: `clientSecretExpiresAt` (seconds since
    1970), NO_EXPIRY when it is absent, 0 or past the year 9999 (ValueError or TypeError when
    it is no number)."""
    seconds = None if value is None else int(value)
    if not seconds:
        return NO_EXPIRY
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (ValueError, OverflowError, OSError):
        return NO_EXPIRY if seconds > 0 else datetime.min.replace(tzinfo=UTC)


def carried_in_a_header(token: object) -> bool:
    """Whether `token` can be sent as it is in the portal's `x-amz-sso_bearer_token` header:
    printable ASCII, not empty, no space at either end (an HTTP header's value loses those). A
    login that kept any other said "Logged in", and then every call failed."""
    return (
        isinstance(token, str)
        and token.isascii()
        and token.isprintable()
        and token.strip() == token != ""
    )


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
        access_token = response["accessToken"]
        if not carried_in_a_header(access_token):
            raise ValueError("no access token a request can carry")
        return Token(
            start_url=session.start_url,
            region=session.region,
            access_token=access_token,
            # whole seconds: what the cache keeps is what the caller gets
            expires_at=(utcnow() + token_lifetime(response)).replace(microsecond=0),
            client_id=client_id,
            client_secret=client_secret,
            registration_expires_at=registration_expires_at,
            refresh_token=text(response.get("refreshToken")) or refresh_token,
        )
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError):  # e.g. 10**15 s
        raise ServiceError(
            f"Identity Center sent an unreadable CreateToken answer for session "
            f"{session.label}: try again later"
        ) from None
