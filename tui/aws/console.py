"""The AWS console as a role: where to sign in, where to land, and the one-time login URL.

    request = ConsoleRequest(region="eu-west-1", service="s3")      # UsageError when bad
    url = console_url(creds, request, start_url=..., environ=os.environ)
    link = shortcut_url(start_url, account_id, role_name, request)   # no credentials needed

`console_url` trades the role's credentials for a sign-in token at the federation endpoint of
the region's partition (`tui.aws.federation`) and builds
`<endpoint>?Action=login&Issuer=<start URL>&Destination=<url>&SigninToken=<token>`. That URL
signs anyone who opens it in for 15 minutes: it is registered with `tui.logs.hide` and never
put in an exception. `shortcut_url` is the access portal's own link, which signs in through
the browser's portal session instead.

The endpoint is the one AWS lists for AWS Sign-In in each region (`signin.aws.amazon.com` for
us-east-1, `<region>.signin.aws.amazon.com` elsewhere, the GovCloud and China hosts), unless
`AWS_ENDPOINT_URL_SIGNIN` names a base URL, which wins as botocore's service endpoint variables
do (and is ignored, as there, under `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import SplitResult, quote, urlencode, urlsplit

from tui.aws.federation import TIMEOUT, get_signin_token
from tui.errors import ConfigError, UsageError
from tui.logs import hide
from tui.models import RoleCredentials
from tui.region_names import is_region_name

SIGNIN_ENDPOINT_VAR = "AWS_ENDPOINT_URL_SIGNIN"
IGNORE_ENDPOINTS_VAR = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"
MIN_DURATION, MAX_DURATION = 900, 43200  # seconds: what getSigninToken accepts
DEFAULT_SERVICE = "console"


@dataclass(frozen=True)
class Partition:
    """The hosts of one AWS partition: sign-in and console."""

    name: str
    signin_host: str
    console_host: str
    # the region whose sign-in endpoint is the bare host; None: every region uses the bare host
    bare_signin_region: str | None


_GOVCLOUD = Partition(
    "aws-us-gov", "signin.amazonaws-us-gov.com", "console.amazonaws-us-gov.com", "us-gov-west-1"
)
_CHINA = Partition("aws-cn", "signin.amazonaws.cn", "console.amazonaws.cn", None)
_COMMERCIAL = Partition("aws", "signin.aws.amazon.com", "console.aws.amazon.com", "us-east-1")
_PARTITIONS = (  # GovCloud first: its names also start with "us-"
    (re.compile(r"^us-gov-[a-z]+-\d+$"), _GOVCLOUD),
    (re.compile(r"^cn-[a-z]+-\d+$"), _CHINA),
    (re.compile(r"^(us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d+$"), _COMMERCIAL),
)
_SERVICE = re.compile(r"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$")


def _shown(text: str, limit: int = 80) -> str:
    """What the user gave, kept on one line and short."""
    flat = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def partition_of(region: str) -> Partition | None:
    """The partition of a well-formed region name, or None outside commercial, China, GovCloud.

    Raises `UsageError` for a string that is not a region name at all (it would become part of
    a host name)."""
    if not is_region_name(region):
        raise UsageError(f"'{_shown(region)}' is not an AWS region name (like eu-west-1)")
    return next((p for pattern, p in _PARTITIONS if pattern.fullmatch(region)), None)


def _unknown_partition(region: str, what: str, fix: str) -> ConfigError:
    return ConfigError(
        f"ssotui knows no {what} for region {region} (outside the commercial, China and "
        f"GovCloud partitions): {fix}"
    )


def signin_endpoint(region: str | None, environ: Mapping[str, str]) -> str:
    """The federation endpoint (`https://…/federation`) for `region` (None: us-east-1's).

    Raises `ConfigError` when `AWS_ENDPOINT_URL_SIGNIN` is not an http(s) base URL or the
    region is outside the known partitions, `UsageError` when it is no region name."""
    override = _override(environ)
    if override is not None:
        return override
    if region is None:
        return f"https://{_COMMERCIAL.signin_host}/federation"
    partition = partition_of(region)
    if partition is None:
        raise _unknown_partition(region, "sign-in endpoint", f"set {SIGNIN_ENDPOINT_VAR}")
    bare = partition.bare_signin_region is None or region == partition.bare_signin_region
    host = partition.signin_host if bare else f"{region}.{partition.signin_host}"
    return f"https://{host}/federation"


def _override(environ: Mapping[str, str]) -> str | None:
    """`AWS_ENDPOINT_URL_SIGNIN` + `/federation`, or None when unset or ignored."""
    if environ.get(IGNORE_ENDPOINTS_VAR, "").strip().lower() == "true":
        return None
    value = environ.get(SIGNIN_ENDPOINT_VAR, "").strip()
    if not value:
        return None
    parts = _url_parts(value)
    if (
        parts is None
        or parts.scheme not in {"http", "https"}
        or not parts.hostname
        or parts.query
        or parts.fragment
    ):
        raise ConfigError(
            f"{SIGNIN_ENDPOINT_VAR} is '{_shown(value)}', not an http(s) base URL: fix or unset it"
        )
    return value.rstrip("/") + "/federation"


def check_service(service: str) -> str:
    """`service` as a console path (`s3`, `systems-manager`, `codesuite/codebuild`), lower-cased.

    Raises `UsageError` for anything else (a full URL, `..`, spaces, a query)."""
    path = service.strip().lower()
    if not _SERVICE.fullmatch(path):
        raise UsageError(
            f"--service '{_shown(service)}' is not a console service path (like s3, ec2 or "
            "systems-manager): for a full address use --destination URL"
        )
    return path


def _url_parts(url: str) -> SplitResult | None:
    """`url` split, or None when it is no URL at all: a space, a control character or a byte
    that was not UTF-8 on the command line in it, an unclosed `[`, a port that is no port
    number (urlsplit raises ValueError for the last two, and `.port` only when asked)."""
    if any(c.isspace() or unicodedata.category(c) in ("Cc", "Cs") for c in url):
        return None
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        return None
    return parts


def check_destination(url: str) -> str:
    """`url` as given, when it is an https URL with a host; else `UsageError`."""
    parts = _url_parts(url)
    if parts is None or parts.scheme != "https" or not parts.hostname:
        raise UsageError(f"--destination must be an https:// URL, not '{_shown(url)}'")
    return url


def check_duration(duration: int | None) -> int | None:
    """`duration` (seconds) when getSigninToken accepts it; else `UsageError` naming the range."""
    if duration is None:
        return None
    if isinstance(duration, bool) or not MIN_DURATION <= duration <= MAX_DURATION:
        raise UsageError(
            f"--duration must be between {MIN_DURATION} and {MAX_DURATION} seconds (15 minutes "
            f"to 12 hours), not {duration}"
        )
    return duration


def console_home(region: str | None, service: str = DEFAULT_SERVICE) -> str:
    """`https://<region>.console.<partition host>/<service>/home?region=<region>`."""
    if region is None:
        return f"https://{_COMMERCIAL.console_host}/{service}/home"
    partition = partition_of(region)
    if partition is None:
        raise _unknown_partition(region, "console address", "give --destination URL")
    return f"https://{region}.{partition.console_host}/{service}/home?region={region}"


@dataclass(frozen=True)
class ConsoleRequest:
    """Where in the console to land, checked when made (before any credentials are fetched).

    `region`: `--region`, else the `default_region` setting, else the Identity Center region.
    `service` (default `console`) or `destination` (an https URL, as given); `duration` in
    seconds (900–43200) or None for the credentials' own lifetime.
    Raises `UsageError` (exit 2) for a bad service, destination, duration or region name, and
    `ConfigError` for a region outside the known partitions without `destination`.
    """

    region: str | None
    service: str | None = None
    destination: str | None = None
    duration: int | None = None

    def __post_init__(self) -> None:
        if self.service is not None and self.destination is not None:
            raise UsageError("give --service or --destination, not both")
        if self.service is not None:
            object.__setattr__(self, "service", check_service(self.service))
        if self.destination is not None:
            check_destination(self.destination)
        check_duration(self.duration)
        if self.region is not None:
            partition_of(self.region)
        _ = self.target  # a region without a console address fails now, not after a fetch

    @property
    def target(self) -> str:
        """The Destination: `destination` as given, else the console home of the service."""
        if self.destination is not None:
            return self.destination
        return console_home(self.region, self.service or DEFAULT_SERVICE)

    @property
    def chose_target(self) -> bool:
        """True when the user named a service or destination (the shortcut then carries it)."""
        return self.service is not None or self.destination is not None


def signin_request(
    region: str | None,
    environ: Mapping[str, str],
    *,
    service: str | None = None,
    destination: str | None = None,
    duration: int | None = None,
) -> ConsoleRequest:
    """A `ConsoleRequest` for a sign-in URL, its sign-in endpoint checked too (`environ`), so
    that all a region outside the known partitions needs is said at once, before credentials
    are fetched: `--destination` and `AWS_ENDPOINT_URL_SIGNIN` (`ConfigError`)."""
    try:
        request = ConsoleRequest(region, service, destination, duration)
    except ConfigError:  # no console address: an unknown partition, and no destination
        if region is not None and _override(environ) is None:
            raise _unknown_partition(
                region,
                "console address or sign-in endpoint",
                f"give --destination URL and set {SIGNIN_ENDPOINT_VAR}",
            ) from None
        raise
    signin_endpoint(request.region, environ)
    return request


def login_url(endpoint: str, *, issuer: str, destination: str, signin_token: str) -> str:
    """`<endpoint>?Action=login&Issuer=…&Destination=…&SigninToken=…` (every value encoded)."""
    query = urlencode(
        [
            ("Action", "login"),
            ("Issuer", issuer),
            ("Destination", destination),
            ("SigninToken", signin_token),
        ],
        quote_via=quote,
    )
    return f"{endpoint}?{query}"


def console_url(
    creds: RoleCredentials,
    request: ConsoleRequest,
    *,
    start_url: str,
    environ: Mapping[str, str],
    timeout: float = TIMEOUT,
) -> str:
    """The login URL that opens the console as `creds`' role (a secret for 15 minutes).

    Calls getSigninToken once. Raises `ConfigError` (a bad `AWS_ENDPOINT_URL_SIGNIN`, a
    region outside the known partitions) before any call, and `ServiceError` when the
    endpoint refuses (400, 5xx), answers nonsense, cannot be reached or is silent for
    `timeout` seconds (all of its answer). No message holds a secret.
    """
    endpoint = signin_endpoint(request.region, environ)
    token = get_signin_token(
        endpoint, creds, duration=request.duration, environ=environ, timeout=timeout
    )
    url = login_url(endpoint, issuer=start_url, destination=request.target, signin_token=token)
    hide(url, quote(token, safe=""))
    return url


def shortcut_url(
    start_url: str, account_id: str, role_name: str, request: ConsoleRequest | None = None
) -> str:
    """The access portal's link `<start URL>/#/console?account_id=…&role_name=…` (+ the
    `destination` when the request names a service or destination). It holds no secret and
    needs no call: the browser's own portal sign-in opens the console."""
    base = start_url.split("#", 1)[0].rstrip("/")
    query = [("account_id", account_id), ("role_name", role_name)]
    if request is not None and request.chose_target:
        query.append(("destination", request.target))
    return f"{base}/#/console?{urlencode(query, quote_via=quote)}"
