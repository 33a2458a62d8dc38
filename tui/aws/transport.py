"""The portal transport's boundary: what a portal client offers, and what it raises.

Two clients make the portal calls: ssotui's own (`tui.aws.portal_http`) and botocore's
(`tui.aws.portal_botocore`, which translates botocore's exceptions at the one place it calls
botocore). Both are `PortalClient`s and both raise only the `CallFailed` family below, so the
Portal reads one set of types whichever client is in use:

- `Refused`: an answer that is an error (HTTP status, error code, message);
- `MalformedResponse`: a 2xx answer ssotui cannot read;
- `TransportError` and its kinds: no answer at all (connect, read, TLS, proxy, CA file), or
  one far larger than Identity Center's (`AnswerTooLarge`, never read whole).

`failure_line` gives the one line a user reads for a failure that is not a refusal; what a
refusal means depends on the call, so the Portal (or the login code) says it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from tui.errors import ServiceError
from tui.models import SsoSession

# The error codes botocore retries as throttling (`botocore.retries.standard`'s
# `ThrottledRetryableChecker`), whatever the status: a service behind another front door may
# name a throttle `SlowDown` (with a 400 or a 503) rather than with the model's 429.
THROTTLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
# The longest wait a `Retry-After` is taken at (a day): a later time is no time to wait for.
LONGEST_RETRY_AFTER = 86400.0
# The largest answer read from Identity Center (portal or SSO OIDC), in bytes. Its answers are a
# few KB: a page of at most 100 accounts (a 12-digit id, a name of up to 50 characters, an
# e-mail of up to 64) is under 25 KB, a token or role credentials a few KB. Even a service that
# ignored maxResults and sent 50,000 accounts in one page (~10 MB) fits. Past it, the body is
# not read on: held whole and parsed, it cost about three times its size in memory (a 300 MB
# answer from a wrong or hostile endpoint took ~940 MB).
MAX_ANSWER = 16 * 1024 * 1024


class CallFailed(Exception):
    """One call to Identity Center gave nothing ssotui can use. `endpoint`: where it went."""

    def __init__(self, detail: str, *, endpoint: str = "") -> None:
        super().__init__(detail)
        self.endpoint = endpoint


class Refused(CallFailed):
    """The endpoint answered with an error: HTTP `status`, error `code` and its `message`,
    read as botocore's rest-json parser reads them; `retry_after`: the seconds it asked to be
    left alone for (`retry_after`), None when it did not say."""

    def __init__(
        self,
        operation: str,
        status: int,
        code: str,
        message: str,
        *,
        endpoint: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{operation}: HTTP {status} {code}", endpoint=endpoint)
        self.operation = operation
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after

    @property
    def throttled(self) -> bool:
        """A 429 or a throttling error code: slow down and try again."""
        return self.status == 429 or self.code in THROTTLE_CODES

    @property
    def server_error(self) -> bool:
        """A 5xx: the service failed this time; another try may work."""
        return self.status >= 500


def retry_after(headers: Mapping[str, str], now: float) -> float | None:
    """The seconds an answer asks the client to wait before calling again, from `headers`
    (names in lower case): botocore's `x-amz-retry-after` (milliseconds), else HTTP's
    `Retry-After` (seconds, or a date: RFC 9110 10.2.3), against `now` (time.time()). None
    when neither says, or says it in no form these take; 0 for a time gone by; at most
    `LONGEST_RETRY_AFTER`."""
    seconds: float | None = None
    milliseconds = (headers.get("x-amz-retry-after") or "").strip()
    said = (headers.get("retry-after") or "").strip()
    if _whole(milliseconds):
        seconds = int(milliseconds[:15]) / 1000  # a longer one is longer than the longest
    elif _whole(said):
        seconds = float(int(said[:12]))
    elif said:
        moment = http_date(said)
        if moment is None:
            return None
        seconds = moment.timestamp() - now
    if seconds is None:
        return None
    return min(max(0.0, seconds), LONGEST_RETRY_AFTER)


def http_date(text: str) -> datetime | None:
    """An HTTP date's moment (`Date`, `Retry-After`), aware, in any of the three forms RFC 9110
    (5.6.7) has a recipient accept: IMF-fixdate, RFC 850 and asctime, which names no zone and
    is GMT (as is RFC 5322's "-0000"; a date read as local time was off by the zone's offset).
    None when it is no date."""
    from email.utils import parsedate_to_datetime

    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _whole(text: str) -> bool:
    """Whether `text` is a whole number written in ASCII digits (HTTP's `1*DIGIT`)."""
    return text.isascii() and text.isdigit()


class MalformedResponse(CallFailed):
    """Identity Center answered 2xx with a body that is not a JSON object.

    botocore's JSON parser quietly turns a body that is not JSON into an empty result, which
    would read as "no accounts"; this makes it an error instead.
    """


class WebPage(MalformedResponse):
    """Identity Center "answered" 2xx with a web page (HTML): a network login page, a proxy's
    page, a web site where the endpoint should be."""


def not_json(body: bytes, endpoint: str = "") -> MalformedResponse:
    """The failure for a 2xx `body` that is not JSON: `WebPage` when it reads as HTML."""
    if body.lstrip()[:1] == b"<":
        return WebPage("the response body is a web page", endpoint=endpoint)
    return MalformedResponse("the response body is not JSON", endpoint=endpoint)


class TransportError(CallFailed):
    """The exchange itself failed: no answer to read. `retryable`: another try may work."""

    retryable: ClassVar[bool] = True


class ConnectTimeout(TransportError):
    """No connection within the connect timeout."""


class Unreachable(TransportError):
    """The endpoint's name did not resolve or nothing accepted the connection."""


class ReadTimeout(TransportError):
    """Connected, but no answer within the read timeout."""


class Dropped(TransportError):
    """The connection broke during the exchange. `proxy`: the proxy it went through (its
    credentials masked), "" for none; `setting`: what named it (`tui.aws.proxies.Proxy`)."""

    def __init__(
        self, detail: str, *, endpoint: str = "", proxy: str = "", setting: str = ""
    ) -> None:
        super().__init__(detail, endpoint=endpoint)
        self.proxy = proxy
        self.setting = setting


# The portal operations whose answer is a JSON object of members (botocore's `sso` model gives
# each an output shape with a body); Logout's has none, and its answer no body.
ANSWERED_IN_BODY = frozenset({"ListAccounts", "ListAccountRoles", "GetRoleCredentials"})


def empty_answer(
    operation: str, status: int, headers: Mapping[str, str], body: bytes, *, endpoint: str
) -> CallFailed | None:
    """What an answer of `operation` with no body is, read by either client (`headers`: looked
    up by lower-case name); None when it has a body or needs none.

    Identity Center answers ListAccounts, ListAccountRoles and GetRoleCredentials with a JSON
    object, `{"accountList": []}` when there is nothing to list. A 2xx with no body at all is
    not that answer, though botocore's parser reads it as an empty one ("no accounts"):
    - with no length given (no `Content-Length`, not chunked), the body was to end at the
      close, so a connection that broke right after the headers, or inside them (read as
      their end, as `http.client` reads it), looks just like it: `Dropped`, tried again;
    - with a length of 0 (or a 204), something other than Identity Center answered (a proxy,
      a captive portal): `MalformedResponse`.
    """
    if not 200 <= status < 300 or operation not in ANSWERED_IN_BODY or body.strip():
        return None
    chunked = "chunked" in (headers.get("transfer-encoding") or "").lower()
    if status != 204 and not chunked and headers.get("content-length") is None:
        return Dropped("the answer ended before its body", endpoint=endpoint)
    return MalformedResponse(f"an empty answer to {operation}", endpoint=endpoint)


class ProxyUnreachable(TransportError):
    """The proxy between ssotui and Identity Center could not be reached, or refused to connect
    to it (botocore only). `proxy`: its URL, with any user and password masked; `setting`:
    what named it (`tui.aws.proxies.Proxy`), "" when not known; `proxy_status`: its answer to
    CONNECT (407: it wants credentials), None when there was none.
    """

    def __init__(
        self,
        detail: str,
        *,
        endpoint: str = "",
        proxy: str = "",
        setting: str = "",
        proxy_status: int | None = None,
    ) -> None:
        super().__init__(detail, endpoint=endpoint)
        self.proxy = proxy
        self.setting = setting
        self.proxy_status = proxy_status


# how http.client and urllib3 report a proxy's answer other than 200 to CONNECT
_TUNNEL_REFUSED = re.compile(r"Tunnel connection failed: (\d{3})")


def tunnel_refused(error: object) -> int | None:
    """The status a proxy answered CONNECT with, read from a connection error's text; None
    when the error says no such answer."""
    found = _TUNNEL_REFUSED.search(str(error))
    return int(found.group(1)) if found else None


def proxy_variable(endpoint: str) -> str:
    """The variable that names the proxy for `endpoint`."""
    return "HTTPS_PROXY" if endpoint.startswith("https:") else "HTTP_PROXY"


def masked(url: str) -> str:
    """`url` with the user and password it may hold (a proxy's) shown as `***:***`; a proxy
    may be written without its `http://`, as urllib and botocore accept it. Read as text, not
    parsed: a password holding an unencoded `/`, `?` or `#` ends a parsed host early, and
    would be shown whole."""
    scheme, sep, rest = url.partition("://") if "://" in url else ("", "", url)
    if "@" not in rest:
        return url
    return f"{scheme}{sep}***:***@{rest.rpartition('@')[2]}"


class AnswerTooLarge(TransportError):
    """The answer is longer than `limit` bytes (`MAX_ANSWER`): not Identity Center's, and not
    read on. `variable`: the setting that points ssotui at the endpoint
    (`AWS_ENDPOINT_URL_SSO`, `AWS_ENDPOINT_URL_SSO_OIDC`)."""

    retryable = False

    def __init__(self, *, endpoint: str, variable: str, limit: int = MAX_ANSWER) -> None:
        super().__init__(f"an answer over {limit} bytes", endpoint=endpoint)
        self.variable = variable
        self.limit = limit


def size_text(count: int) -> str:
    """A byte count as a user reads it: `16 MiB`, `64 KiB`, `900 bytes`."""
    for unit, size in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= size and count % size == 0:
            return f"{count // size} {unit}"
    return f"{count} bytes"


class UntrustedCertificate(TransportError):
    """The TLS handshake failed: the server's certificate is not trusted here. `problem`, read
    from the TLS library's words: "expired" (or not yet valid), "host" (for another name), or
    "" (signed by no CA trusted here, or any other failure). `ca_path`, `ca_setting`: the CA
    file checked with and the setting that named it (`tui.aws.ca_files.CaFile`), "" for the
    default bundle."""

    retryable = False

    def __init__(
        self, detail: str, *, endpoint: str = "", ca_path: str = "", ca_setting: str = ""
    ) -> None:
        super().__init__(detail, endpoint=endpoint)
        self.ca_path = ca_path
        self.ca_setting = ca_setting

    @property
    def problem(self) -> str:
        """What is wrong with the certificate, as far as the failure says."""
        text = str(self).lower()
        if "certificate has expired" in text or "certificate is not yet valid" in text:
            return "expired"
        # OpenSSL's words, then urllib3's (it checks the name itself for botocore)
        host_words = ("hostname mismatch", "ip address mismatch", "doesn't match", "subjectaltname")
        if any(words in text for words in host_words):
            return "host"
        return ""


class NotTls(TransportError):
    """What answered the TLS handshake is not TLS: a plain HTTP server on an https:// address,
    or a captive portal or proxy in the way. Another try gets the same."""

    retryable = False


def tls_failure(text: str) -> str:
    """What a failed TLS handshake's error text says, whichever client failed (OpenSSL's words,
    as `ssl` and urllib3 quote them): "not tls" (the answer is not TLS), "eof" (the connection
    ended mid-handshake: a firewall, a reset server), or "" (the certificate, or anything
    else)."""
    lowered = text.lower()
    not_tls = ("wrong version number", "packet length too long", "record layer failure")
    if any(words in lowered for words in not_tls):
        return "not tls"
    if "eof occurred in violation of protocol" in lowered or "unexpected eof" in lowered:
        return "eof"
    return ""


class UnreadableCaFile(TransportError):
    """The CA file to verify with cannot be read; `variable` is where the user named it."""

    retryable = False

    def __init__(self, path: str, variable: str = "AWS_CA_BUNDLE", *, endpoint: str = "") -> None:
        super().__init__(f"cannot read the CA file {path}", endpoint=endpoint)
        self.path = path
        self.variable = variable


class PortalClient:
    """What the Portal calls: the four operations of botocore's `sso` model.

    `call` is the one method a client implements; `timeout` caps how long this one attempt may
    wait (connect and answer), None for the client's own timeouts. The named methods take
    botocore's parameter names, so a client reads like botocore's `sso` client.
    """

    meta: Any  # `meta.endpoint_url`, as on a botocore client
    read_timeout: float  # seconds one attempt waits for an answer, unless `timeout` is less

    def call(
        self, operation: str, *, timeout: float | None = None, **params: Any
    ) -> dict[str, Any]:
        """Make one call; raises only `CallFailed` (and its kinds) for what went wrong."""
        raise NotImplementedError

    def list_accounts(
        self, *, accessToken: str, maxResults: int | None = None, nextToken: str | None = None
    ) -> dict[str, Any]:
        """ListAccounts: one page of the accounts the token can reach."""
        return self.call(
            "ListAccounts", accessToken=accessToken, maxResults=maxResults, nextToken=nextToken
        )

    def list_account_roles(
        self,
        *,
        accessToken: str,
        accountId: str,
        maxResults: int | None = None,
        nextToken: str | None = None,
    ) -> dict[str, Any]:
        """ListAccountRoles: one page of the roles the token can take in an account."""
        return self.call(
            "ListAccountRoles",
            accessToken=accessToken,
            accountId=accountId,
            maxResults=maxResults,
            nextToken=nextToken,
        )

    def get_role_credentials(
        self, *, roleName: str, accountId: str, accessToken: str
    ) -> dict[str, Any]:
        """GetRoleCredentials: short-lived credentials for one role."""
        return self.call(
            "GetRoleCredentials", roleName=roleName, accountId=accountId, accessToken=accessToken
        )

    def logout(self, *, accessToken: str) -> dict[str, Any]:
        """Logout: end the portal session of the token."""
        return self.call("Logout", accessToken=accessToken)


# The variables that point ssotui (and botocore) at another portal or SSO OIDC address.
_PORTAL_VARIABLES = "AWS_ENDPOINT_URL_SSO or AWS_ENDPOINT_URL_SSO_OIDC"


def tls_line(exc: NotTls | UntrustedCertificate, service: str, variables: str) -> str:
    """The one line for a TLS handshake with `service` ("Identity Center", "the AWS sign-in
    endpoint") that failed at `exc.endpoint`, an address `variables` may have set: the same
    words for the portal, the login and the console sign-in."""
    endpoint = exc.endpoint or "?"
    if isinstance(exc, NotTls):
        return (
            f"{endpoint} did not answer in TLS, as {service} does: check the address in "
            f"{variables} (http:// for a plain HTTP server), or whether your network wants you "
            "to sign in first"
        )
    if exc.problem == "expired":
        return (
            f"the TLS certificate of {endpoint} has expired, or this machine's clock is wrong: "
            "check the clock; if it is right, whatever presents that certificate (an endpoint "
            f"set in {variables}, or a proxy that inspects TLS) must renew it"
        )
    if exc.problem == "host":
        return (
            f"the TLS certificate of {endpoint} is for another host name: check the address "
            f"in {variables} (it must be a name the certificate is for) and any proxy that "
            "inspects TLS"
        )
    if exc.ca_setting:
        return (
            f"the TLS certificate of {endpoint} is signed by no CA in {exc.ca_path}, the file "
            f"{exc.ca_setting} names: put the CA that signed it in that file (your "
            f"organisation's, if your network inspects TLS), or unset {exc.ca_setting}"
        )
    return (
        f"the TLS certificate of {endpoint} is not trusted here: if your network inspects "
        "TLS, set AWS_CA_BUNDLE to your organisation's CA file"
    )


def failure_line(exc: CallFailed, session: SsoSession) -> ServiceError | None:
    """The one line for a call that got no usable answer; None for a refusal (the caller
    knows what a refusal of its call means)."""
    endpoint = exc.endpoint or "?"
    if isinstance(exc, Refused):
        return None
    if isinstance(exc, AnswerTooLarge):
        return ServiceError(
            f"the answer from {endpoint} is larger than {size_text(exc.limit)}, far more than "
            f"Identity Center sends: check {exc.variable}"
        )
    if isinstance(exc, WebPage):
        return ServiceError(
            f"{endpoint} answered with a web page, not like Identity Center (a network login "
            f"page or a proxy in the way?): check your network, proxy and {_where(endpoint)}"
        )
    if isinstance(exc, MalformedResponse):
        return ServiceError(
            f"Identity Center at {endpoint} sent a response ssotui cannot read: try again later"
        )
    if isinstance(exc, UnreadableCaFile):
        from tui.aws.ca_files import CaFile, unusable_line

        return ServiceError(unusable_line(CaFile(exc.path, exc.variable), "Identity Center"))
    if isinstance(exc, ReadTimeout):
        return ServiceError(
            f"Identity Center at {endpoint} did not answer in time (session {session.label}): "
            "try again later"
        )
    if isinstance(exc, ConnectTimeout | Unreachable):
        return ServiceError(
            f"cannot reach Identity Center at {endpoint} (session {session.label}, region "
            f"{session.region}): check your network, proxy and {_where(endpoint)}"
        )
    if isinstance(exc, NotTls | UntrustedCertificate):
        return ServiceError(tls_line(exc, "Identity Center", _PORTAL_VARIABLES))
    if isinstance(exc, ProxyUnreachable):
        return proxy_failure(
            "Identity Center", endpoint, exc.proxy, exc.proxy_status, setting=exc.setting
        )
    if isinstance(exc, Dropped) and exc.proxy:
        return ServiceError(
            f"the connection to Identity Center at {endpoint} through the proxy {exc.proxy} "
            f"failed: try again later; if it keeps failing, check "
            f"{exc.setting or proxy_variable(endpoint)} and NO_PROXY"
        )
    return ServiceError(f"the connection to Identity Center at {endpoint} failed: try again later")


def _where(endpoint: str) -> str:
    """What decides `endpoint`, for the user to check: the sso_region for an AWS address,
    else the setting that named it."""
    if _is_aws_address(endpoint):
        return "the session's sso_region"
    return (
        "the address you set for it (AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL_SSO_OIDC, "
        "AWS_ENDPOINT_URL or an endpoint_url)"
    )


def redirected(
    what: str, endpoint: str, status: int, variable: str, session: SsoSession
) -> ServiceError:
    """The line for an endpoint that answered `what` with a redirect (HTTP 3xx): Identity Center
    never redirects, so the address is wrong (an override in `variable`, the region, a proxy or a
    captive portal), and logging in again would not help. Nothing follows the redirect: a
    bearer token must not travel on to wherever it points."""
    return ServiceError(
        f"{endpoint} answered {what} with a redirect (HTTP {status}), which Identity Center "
        f"never does: check {variable} (or AWS_ENDPOINT_URL), the sso_region of session "
        f"{session.label} and any proxy in the way"
    )


def proxy_failure(
    what: str, endpoint: str, proxy_url: str, status: int | None, *, setting: str = ""
) -> ServiceError:
    """The line for a proxy in the way of `what` at `endpoint`: which proxy (`proxy_url`, its
    credentials masked), what it answered to CONNECT (`status`) and which setting to fix:
    `setting`, what named the proxy (a variable, or the system's settings), else the variable
    for `endpoint`'s scheme."""
    from tui.aws.proxies import SYSTEM

    variable = setting or proxy_variable(endpoint)
    proxy = f"the proxy {proxy_url}" if proxy_url else "the proxy"
    if status == 407 and "@" in proxy_url:
        return ServiceError(
            f"{proxy} refused the user name and password in {variable} (HTTP 407) on the way "
            f"to {what} at {endpoint}: check them (characters such as @ : / "
            "percent-encoded)"
        )
    if status == 407:
        # a proxy from the system's settings gets no password from urllib or botocore
        where = (
            f"set {proxy_variable(endpoint)} to"
            if variable == SYSTEM
            else f"put them in {variable} as"
        )
        return ServiceError(
            f"{proxy} wants a user name and password to reach {what} at {endpoint} "
            f"(HTTP 407): {where} http://USER:PASSWORD@HOST:PORT (characters "
            "such as @ : / percent-encoded)"
        )
    if status is not None:
        return ServiceError(
            f"{proxy} refused to connect to {what} at {endpoint} (HTTP {status}): "
            f"ask your network team to allow it, or exempt it with NO_PROXY"
        )
    return ServiceError(
        f"cannot reach {what} at {endpoint} through {proxy}: check {variable} and NO_PROXY"
    )


# The domains of AWS's own endpoints (commercial, China, dual-stack, ISO); any other address
# was set by the user, and sso_region has nothing to do with it.
_AWS_DOMAINS = (
    ".amazonaws.com",
    ".amazonaws.com.cn",
    ".api.aws",
    ".amazonwebservices.com.cn",
    ".c2s.ic.gov",
    ".sc2s.sgov.gov",
)


def _is_aws_address(endpoint: str) -> bool:
    """Whether `endpoint` is one of AWS's own (derived from sso_region), not one set by hand."""
    from urllib.parse import urlsplit

    try:
        host = (urlsplit(endpoint).hostname or "").rstrip(".")
    except ValueError:
        return False
    return host.endswith(_AWS_DOMAINS)
