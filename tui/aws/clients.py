"""botocore clients for the SSO portal and SSO OIDC: unsigned, in the session's SSO region.

The user's `AWS_PROFILE`, static keys and `[default]` region never matter: the clients carry no
credentials and name their region. Endpoint overrides are left to botocore, so
`AWS_ENDPOINT_URL_SSO`, `AWS_ENDPOINT_URL_SSO_OIDC` and `[services]` sections work exactly as
they do for the AWS CLI (that is how tests and `demo` reach the simulator). botocore clients
are thread-safe, so one client per (service, region, settings) is built and shared.

`SSOTUI_READ_TIMEOUT` (seconds, default 10, from the environment the caller hands in) sets how
long one attempt waits for an answer: longer for a slow proxy, shorter for the tests of a
service that hangs. The Portal may give an attempt less (its call's deadline is near).
`portal_client` gives the portal's client, direct or botocore's; both raise only the transport's
own errors (`tui.aws.transport`).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from tui import __version__
from tui.aws.answer_limit import limit_answers
from tui.aws.ca_once import load_ca_once
from tui.aws.transport import (
    MalformedResponse,
    PortalClient,
    WebPage,
    empty_answer,
    failure_line,
    not_json,
)
from tui.errors import ConfigError, ServiceError
from tui.models import SsoSession
from tui.paths import Paths, aws_config_file, aws_credentials_file

if TYPE_CHECKING:
    import botocore.session
    from mypy_boto3_sso import SSOClient
    from mypy_boto3_sso_oidc import SSOOIDCClient

    from tui.aws.ca_files import CaFile

# Total attempts per call inside botocore (adaptive mode) for OIDC and by default. The Portal
# asks for 1 and paces and retries itself (tui.aws.throttle).
MAX_ATTEMPTS = 3
# Three connect attempts of 2 s plus backoff stay under ~10 s when nothing answers.
CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 10.0
READ_TIMEOUT_VAR = "SSOTUI_READ_TIMEOUT"
DEFAULT_POOL = 10

_lock = threading.Lock()
_building = threading.Lock()
_clients: dict[tuple[Any, ...], Any] = {}
T = TypeVar("T")
_MAX_CACHED = 16


_BOM = b"\xef\xbb\xbf"


def _check_json(response_dict: dict[str, Any], operation_model: Any = None, **_: Any) -> None:
    """botocore's `before-parse` hook: a 2xx body that is not a JSON object is an error (its
    parser would read no JSON as an empty answer, and fail on other JSON with its own
    AttributeError); of an operation with no output (Logout), whose body botocore does not
    read, only a web page is (not Identity Center's answer). A UTF-8 byte order mark before the
    JSON is dropped, as RFC 8259 lets a parser do and ssotui's own client does: botocore's
    parser took such an answer for no JSON, so a listing for an empty one."""
    body = response_dict.get("body") or b""
    if isinstance(body, bytes) and body.startswith(_BOM):
        body = response_dict["body"] = body[len(_BOM) :]
    if 200 <= int(response_dict.get("status_code") or 0) < 300 and body.strip():
        if operation_model is not None and operation_model.output_shape is None:
            if isinstance(page := not_json(body), WebPage):
                raise page
            return
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):  # nested past the parser's depth
            raise not_json(body) from None
        if not isinstance(parsed, dict):
            raise MalformedResponse("the response body is not a JSON object")


def _check_portal_answer(
    response_dict: dict[str, Any], operation_model: Any = None, **_: Any
) -> None:
    """The portal's `before-parse` hook: a 2xx with no body to a call that lists or gives
    credentials is no answer (`tui.aws.transport.empty_answer`), not an empty one."""
    if operation_model is None:
        return
    empty = empty_answer(
        operation_model.name,
        int(response_dict.get("status_code") or 0),
        response_dict.get("headers") or {},
        response_dict.get("body") or b"",
        endpoint="",  # the client's: `from_botocore` names it
    )
    if empty is not None:
        raise empty


def _check_shape(response_dict: dict[str, Any], operation_model: Any = None, **_: Any) -> None:
    """The portal's and SSO OIDC's `before-parse` hook: a 2xx answer the model's output shape
    does not fit (`_fits`) is unreadable, said as such, not as the botocore parser's own
    AttributeError, TypeError or ValueError."""
    if operation_model is None:
        return
    status = int(response_dict.get("status_code") or 0)
    body = response_dict.get("body") or b""
    if 200 <= status < 300 and body.strip() and operation_model.output_shape is not None:
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):
            return  # `_check_json` says so
        if not _fits(operation_model.output_shape, parsed):
            # botocore's parser fails on these with an AttributeError or TypeError of its own
            raise MalformedResponse(f"the {operation_model.name} answer is not of its shape")


def _fits(shape: Any, value: Any) -> bool:
    """Whether `value` has the structures and lists the model's `shape` says, and a number
    where it says integer or long (botocore's parser takes `int(value)`, and fails with its own
    ValueError or TypeError otherwise). A member sent as null is one left out; other scalars
    are taken as they come, as botocore takes them."""
    if value is None:
        return True
    if shape.type_name in ("integer", "long"):
        try:
            int(value)
        except (ValueError, TypeError, OverflowError):  # OverflowError: a JSON Infinity
            return False
        return True
    if shape.type_name == "structure":
        members = shape.members
        return isinstance(value, dict) and all(
            _fits(members[name], item) for name, item in value.items() if name in members
        )
    if shape.type_name == "list":
        return isinstance(value, list) and all(_fits(shape.member, item) for item in value)
    return True


def default_read_timeout(environ: Mapping[str, str]) -> float:
    """Seconds to wait for an answer: `SSOTUI_READ_TIMEOUT` of `environ` when it is a positive
    number."""
    try:
        value = float(environ.get(READ_TIMEOUT_VAR, ""))
    except ValueError:
        return READ_TIMEOUT
    return value if 0 < value < float("inf") else READ_TIMEOUT


def _fingerprint() -> tuple[Any, ...]:
    """What, outside the arguments, decides how botocore builds a client: botocore reads this
    process's environment and the files it names itself, so the key is made of those."""
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_")))
    stamps: list[tuple[int, int] | None] = []
    # the two files botocore reads, as it reads them (not every path: this runs at each lookup)
    for path in (aws_config_file(os.environ), aws_credentials_file(os.environ)):
        try:
            st = path.stat()
            stamps.append((st.st_mtime_ns, st.st_size))
        except OSError:
            stamps.append(None)
    return (env, os.environ.get("HOME"), tuple(stamps))


def _refused_file(path: Path, what: str) -> ConfigError | None:
    """The one line for a file botocore refused: what is wrong with it, as `configure` and
    `write-profile` say it; None when it reads well now (botocore read it half-way through a
    rewrite in place, as `aws configure set` makes: `tui.store.rewrites`)."""
    from tui.aws.sessions import config_sections

    try:  # (ssotui's cache folder of this process's environment, as botocore read the file)
        config_sections(Paths.from_environ(os.environ), path, what=what)
    except ConfigError as exc:
        return exc
    return None


def _botocore_session() -> botocore.session.Session:
    """A botocore session that reads the user's config for endpoints only.

    A profile named by AWS_PROFILE that does not exist would make botocore fail; ssotui needs
    no profile, so it then falls back to none.
    """
    import botocore.exceptions

    try:
        return _botocore_session_once()
    except botocore.exceptions.ConfigParseError as exc:
        # botocore also parses the shared credentials file: name the one it refused
        # botocore read this process's environment
        path = str(exc.kwargs.get("path", aws_config_file(os.environ)))
        what = "AWS config file"
        if path == str(aws_credentials_file(os.environ)):
            what = "shared credentials file"
        refusal = _refused_file(Path(path), what)
    if refusal is not None:
        raise refusal
    try:  # read half-way through a rewrite, and whole now: once more
        return _botocore_session_once()
    except botocore.exceptions.ConfigParseError:
        raise ConfigError(
            f"the {what} {path} is malformed: fix it; the AWS CLI cannot read it either"
        ) from None


def _botocore_session_once() -> botocore.session.Session:
    """`_botocore_session`, botocore's ConfigParseError left to the caller."""
    import botocore.exceptions
    import botocore.session
    from botocore.tokens import TokenProviderChain

    try:
        session = botocore.session.Session()
        wanted = session.get_config_variable("profile")
        if wanted and wanted not in session.available_profiles:
            # ignore AWS_PROFILE / AWS_DEFAULT_PROFILE: no profile at all, [default] if any
            session = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
        session.get_scoped_config()  # parse the config now, so errors surface here
        # The portal takes the token as a parameter; botocore's own bearer-token lookup (which
        # fails on a profile with a dangling sso_session) is not wanted here.
        session.register_component("token_provider", TokenProviderChain(providers=[]))
    except botocore.exceptions.ConfigParseError:
        raise
    except botocore.exceptions.BotoCoreError as exc:
        raise ConfigError(f"botocore cannot use the AWS config: {exc}") from None
    return session


def _client(
    service: Literal["sso", "sso-oidc"],
    region: str,
    *,
    attempts: int,
    max_pool: int,
    connect_timeout: float,
    read_timeout: float,
) -> Any:
    key = (service, region, attempts, max_pool, connect_timeout, read_timeout, _fingerprint())
    build = partial(
        _build_client,
        service,
        region,
        attempts=attempts,
        max_pool=max_pool,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    )
    return _remembered(key, build)


def _build_client(
    service: Literal["sso", "sso-oidc"],
    region: str,
    *,
    attempts: int,
    max_pool: int,
    connect_timeout: float,
    read_timeout: float,
) -> Any:
    import botocore.exceptions
    from botocore import UNSIGNED
    from botocore.config import Config

    _usable_ca_setting(os.environ)  # botocore's clients read this process's environment
    config = Config(
        region_name=region,
        signature_version=UNSIGNED,
        retries={
            "mode": "adaptive" if attempts > 1 else "standard",
            "total_max_attempts": attempts,
        },
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_pool_connections=max_pool,
        user_agent_extra=f"ssotui/{__version__}",
    )
    try:
        # botocore directly: boto3 adds nothing to these clients but ~0.1 s of imports
        client = _botocore_session().create_client(service, config=config)
    except botocore.exceptions.BotoCoreError as exc:
        raise ConfigError(f"cannot set up the {service} client for {region}: {exc}") from None
    except ValueError as exc:  # e.g. "Invalid endpoint" for an AWS_ENDPOINT_URL_* that is no URL
        raise ConfigError(
            f"cannot set up the {service} client for {region}: {exc}; check the AWS_ENDPOINT_URL* "
            "variables and endpoint settings"
        ) from None
    load_ca_once(client)
    client.meta.events.register("before-parse", _check_json)
    client.meta.events.register("before-parse", _check_shape)
    if service == "sso":
        client.meta.events.register("before-parse", _check_portal_answer)
    if service == "sso-oidc":
        from tui.aws.oauth_errors import name_oauth_error

        client.meta.events.register("before-parse", name_oauth_error)
    limit_answers(client, service)
    return client


def identity_center_region(session: SsoSession) -> str:
    """The session's `sso_region`, which every client that reaches Identity Center is built for
    (botocore's SSO and SSO OIDC clients, ssotui's direct portal client): ConfigError, saying
    so, for one that ends in what reads as a comment. botocore refuses any region with a space
    in it, but its line does not say why there is one; the direct client, where an endpoint
    override gives its address, would call with it all the same."""
    from tui.aws.sessions import inline_comment

    note = inline_comment(session, ("sso_region",))
    if note is not None:
        raise ConfigError(note)
    return session.region


def _usable_ca_setting(environ: Mapping[str, str]) -> CaFile:
    """The CA file botocore's clients verify with under `environ`; ConfigError for a setting
    left empty, which botocore refuses (older versions turned verification off instead)."""
    from tui.aws.ca_files import chosen_ca_file, unusable_line

    ca = chosen_ca_file(environ)
    if ca.empty:
        raise ConfigError(unusable_line(ca, "Identity Center"))
    return ca


def _remembered(key: tuple[Any, ...], build: Callable[[], T]) -> T:
    """The client cached under `key`, else `build()`'s, cached (the oldest goes past 16)."""
    with _lock:
        cached: T | None = _clients.get(key)
    if cached is not None:
        return cached
    with _building:  # threads that want the same new client wait for one to build it
        with _lock:
            built: T | None = _clients.get(key)
        if built is not None:
            return built
        client = build()
        with _lock:
            if len(_clients) >= _MAX_CACHED:
                _clients.pop(next(iter(_clients)))
            kept: T = _clients.setdefault(key, client)
            return kept


def sso_client(
    session: SsoSession,
    *,
    max_pool: int = DEFAULT_POOL,
    attempts: int = MAX_ATTEMPTS,
    connect_timeout: float = CONNECT_TIMEOUT,
    read_timeout: float | None = None,
) -> SSOClient:
    """The SSO portal client (ListAccounts, ListAccountRoles, GetRoleCredentials, Logout).

    `attempts` 1 leaves every retry to the caller (the Portal paces and retries itself);
    `read_timeout` None is `default_read_timeout` of this process's environment, which
    botocore reads too.
    """
    client: SSOClient = _client(
        "sso",
        identity_center_region(session),
        attempts=attempts,
        max_pool=max_pool,
        connect_timeout=connect_timeout,
        read_timeout=default_read_timeout(os.environ) if read_timeout is None else read_timeout,
    )
    return client


def portal_client(
    session: SsoSession, *, environ: Mapping[str, str], max_pool: int = DEFAULT_POOL
) -> PortalClient:
    """The client the Portal calls through: ssotui's direct one where the endpoint is plain
    (`tui.aws.endpoints`), else botocore's with one attempt per call (the Portal paces and
    retries itself). Either raises only the transport's own errors (`tui.aws.transport`).
    `environ`: the caller's environment (the process's snapshot, which botocore's clients
    read as the process's own); it decides the route, the read timeout and the CA file."""
    from tui.aws.endpoints import portal_endpoint

    read_timeout = default_read_timeout(environ)
    url = portal_endpoint(identity_center_region(session), environ)
    if url is None:
        from tui.aws.portal_botocore import BotocorePortalClient

        def within(seconds: float) -> SSOClient:
            return sso_client(
                session,
                max_pool=max_pool,
                attempts=1,
                connect_timeout=min(CONNECT_TIMEOUT, seconds),
                read_timeout=seconds,
            )

        return BotocorePortalClient(within(read_timeout), read_timeout=read_timeout, shorter=within)
    from tui.aws.portal_http import PortalHttpClient

    # botocore's choice for its own clients, as `environ` decides it
    ca = _usable_ca_setting(environ) if url.startswith("https:") else None
    return _remembered(
        ("direct", url, max_pool, read_timeout, ca),
        lambda: PortalHttpClient(
            url,
            max_pool=max_pool,
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=read_timeout,
            ca_file=ca,
        ),
    )


def oidc_client(
    session: SsoSession,
    *,
    connect_timeout: float = CONNECT_TIMEOUT,
    read_timeout: float | None = None,
) -> SSOOIDCClient:
    """The SSO OIDC client (RegisterClient, StartDeviceAuthorization, CreateToken)."""
    client: SSOOIDCClient = _client(
        "sso-oidc",
        identity_center_region(session),
        attempts=MAX_ATTEMPTS,
        max_pool=DEFAULT_POOL,
        connect_timeout=connect_timeout,
        read_timeout=default_read_timeout(os.environ) if read_timeout is None else read_timeout,
    )
    return client


def connection_error(exc: BaseException, client: Any, session: SsoSession) -> ServiceError | None:
    """One clear line for a network-level failure of a botocore call (or one of the transport's
    own errors), or None for anything else: an answer, or not botocore's."""
    endpoint = getattr(getattr(client, "meta", None), "endpoint_url", "?")
    from tui.aws.botocore_errors import from_botocore

    failure = from_botocore(exc, endpoint)
    return None if failure is None else failure_line(failure, session)


def clear_cache() -> None:
    """Forget every cached client (tests; after the config changed)."""
    with _lock:
        _clients.clear()
