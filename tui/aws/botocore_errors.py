"""botocore's exceptions translated into the transport's own (`tui.aws.transport`).

The portal's botocore client (`tui.aws.portal_botocore`) raises what this gives, so the Portal
never sees a botocore type. The login and token code, which call SSO OIDC through botocore, can
call `from_botocore` too and then read one family of errors:

    failure = from_botocore(exc, client.meta.endpoint_url)
    if isinstance(failure, Refused): ...            # failure.code, failure.status
    elif failure is not None: raise failure_line(failure, session) from None
    else: raise                                     # not botocore's: a bug
"""

from __future__ import annotations

import os
import time

from tui.aws.ca_files import chosen_ca_file, tls_context
from tui.aws.proxies import chosen_proxy
from tui.aws.transport import (
    CallFailed,
    ConnectTimeout,
    Dropped,
    MalformedResponse,
    NotTls,
    ProxyUnreachable,
    ReadTimeout,
    Refused,
    Unreachable,
    UnreadableCaFile,
    UntrustedCertificate,
    masked,
    retry_after,
    tls_failure,
    tunnel_refused,
)


def from_botocore(exc: BaseException, endpoint: str) -> CallFailed | None:
    """`exc` (raised by a botocore client call to `endpoint`) as the transport's own type;
    None when it is neither an answer nor a network failure (e.g. a bad parameter: a bug)."""
    if isinstance(exc, CallFailed):  # raised inside botocore by our own hooks
        exc.endpoint = exc.endpoint or endpoint
        if isinstance(exc, Dropped) and not exc.proxy:  # named as botocore's own drops are
            proxy = chosen_proxy(endpoint, os.environ) if endpoint.startswith("http") else None
            if proxy is not None:
                exc.proxy, exc.setting = masked(proxy.url), proxy.setting
        return exc
    import botocore.exceptions as bce

    if isinstance(exc, bce.ClientError):
        error = exc.response.get("Error", {})
        metadata = exc.response.get("ResponseMetadata", {})
        status = metadata.get("HTTPStatusCode", 0)
        headers = {str(k).lower(): str(v) for k, v in (metadata.get("HTTPHeaders") or {}).items()}
        return Refused(
            exc.operation_name,
            int(status or 0),
            str(error.get("Code", "")),
            str(error.get("Message", "")),
            endpoint=endpoint,
            retry_after=retry_after(headers, time.time()),
        )
    from botocore.parsers import ResponseParserError

    detail = type(exc).__name__
    # RecursionError: an answer nested past the JSON parser's depth (botocore's error parser
    # reads a refusal's body without our hook before it)
    if isinstance(exc, ResponseParserError | RecursionError) or _in_the_parser(exc):
        return MalformedResponse(detail, endpoint=endpoint)
    if isinstance(exc, bce.ReadTimeoutError):
        return ReadTimeout(detail, endpoint=endpoint)
    if isinstance(exc, bce.ConnectTimeoutError):
        return ConnectTimeout(detail, endpoint=endpoint)
    if isinstance(exc, bce.EndpointConnectionError):
        return Unreachable(detail, endpoint=endpoint)
    if isinstance(exc, bce.SSLError):
        ca = chosen_ca_file(os.environ)  # what botocore verified with: its environment's
        if ca.setting is not None and tls_context(ca) is None:  # missing, unreadable, not PEM
            return UnreadableCaFile(ca.path, ca.setting, endpoint=endpoint)
        kind = tls_failure(str(exc))  # botocore says "SSL validation failed" for them all
        if kind == "not tls":
            return NotTls(f"{detail}: {exc}", endpoint=endpoint)
        if kind == "eof":
            return Unreachable(f"{detail}: {exc}", endpoint=endpoint)
        return UntrustedCertificate(  # its text says what failed
            f"{detail}: {exc}",
            endpoint=endpoint,
            ca_path=ca.path if ca.setting else "",
            ca_setting=ca.setting or "",
        )
    # the proxy botocore went through: its choice, from this process's environment
    proxy = chosen_proxy(endpoint, os.environ) if endpoint.startswith("http") else None
    if isinstance(exc, bce.ProxyConnectionError):
        return ProxyUnreachable(
            detail,
            endpoint=endpoint,
            proxy=masked(str(exc.kwargs.get("proxy_url", ""))),
            setting=proxy.setting if proxy else "",
            proxy_status=tunnel_refused(exc.kwargs.get("error", "")),
        )
    if isinstance(exc, bce.HTTPClientError | bce.ConnectionError):
        # a proxy that closes the connection before its answer looks the same: name it
        if proxy is None:
            return Dropped(detail, endpoint=endpoint)
        return Dropped(detail, endpoint=endpoint, proxy=masked(proxy.url), setting=proxy.setting)
    return None


def _in_the_parser(exc: BaseException) -> bool:
    """Whether `exc` came out of botocore's response parser uncaught: a member of another type
    than its model says (`int("soon")` for a long), which is an answer it cannot read."""
    if not isinstance(exc, ValueError | TypeError | AttributeError):
        return False
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.replace("\\", "/").endswith("botocore/parsers.py"):
            return True
        tb = tb.tb_next
    return False
