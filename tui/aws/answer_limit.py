"""botocore's answers read no further than `MAX_ANSWER` bytes (SSO OIDC, and the portal where
botocore calls it).

botocore reads every answer whole into memory before its parser looks at it, and parsing a
huge one costs about three times its size: a wrong or hostile endpoint could make a login take
gigabytes. botocore has no setting for a limit, and no event between an answer's headers and
its body, so the client's HTTP session is wrapped: the request is sent as a streamed one (the
body left unread), then the body is read here up to the limit and handed on as botocore would
have read it. A `Content-Length` over the limit fails before a byte of the body is read.

A body shorter than its `Content-Length` is a connection that broke (botocore asks urllib3 not
to check, and parsed what came: nothing at all as "no accounts"). The body must also come whole
within the client's read timeout, however it arrives: botocore's timeout holds for each read
only, so a body that drips in a byte at a time would otherwise be read for ever. It is read as
it comes (`read1`), and the time looked at between reads.

Failures while reading become botocore's own exceptions, as botocore's session makes them, so
its retries and `tui.aws.botocore_errors` see what they always saw; an answer over the limit is
`AnswerTooLarge`, which neither retries.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

from tui.aws.transport import MAX_ANSWER, AnswerTooLarge

CHUNK = 64 * 1024  # bytes read at a time (what botocore's own read asks for)
# The variable that points each service's client elsewhere, named in the too-large line.
ENDPOINT_VARIABLES = {"sso": "AWS_ENDPOINT_URL_SSO", "sso-oidc": "AWS_ENDPOINT_URL_SSO_OIDC"}


class _ReadBody:
    """What botocore's AWSResponse reads a body from (`raw.stream()`): bytes already read."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, *_args: Any, **_kwargs: Any) -> Iterator[bytes]:
        yield self._body


class LimitedSession:
    """A botocore HTTP session (`client._endpoint.http_session`) whose answers' bodies are read
    up to `limit` bytes; everything else is the wrapped session's."""

    def __init__(
        self, inner: Any, *, variable: str, limit: int, seconds: float | None = None
    ) -> None:
        self._inner = inner
        self._variable = variable
        self._limit = limit
        self._seconds = seconds  # the body comes whole within this, from the request on

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def send(self, request: Any) -> Any:
        """Send `request` with the wrapped session, then read the answer's body (unless the
        operation streams its output) no further than the limit."""
        if request.stream_output:
            return self._inner.send(request)
        request.stream_output = True  # the wrapped session leaves the body unread
        until = None if self._seconds is None else time.monotonic() + self._seconds
        try:
            response = self._inner.send(request)
        finally:
            request.stream_output = False
        response.raw = _ReadBody(self._body(response.raw, request, until))  # what `.content` reads
        return response

    def _body(self, raw: Any, request: Any, until: float | None) -> bytes:
        """The whole body of `raw` (a urllib3 response), or AnswerTooLarge; a read timeout
        once `until` (time.monotonic) has passed before it is whole."""
        try:
            length = int(raw.headers.get("content-length", ""))
        except ValueError:
            length = None  # chunked, or up to the close
        body = bytearray()
        try:
            if length is not None and length > self._limit:
                raise self._too_large()
            for chunk in _as_it_comes(raw):
                body += chunk
                if len(body) > self._limit:
                    raise self._too_large()
                if until is not None and time.monotonic() > until:
                    raise _too_slow(request)
            if length is not None and len(body) < length and raw.status not in (204, 304):
                raise _cut_short(len(body), length)
        except AnswerTooLarge:
            _drop(raw)
            raise
        except Exception as exc:
            _drop(raw)
            raise _as_botocore(exc, request) from exc
        return bytes(body)

    def _too_large(self) -> AnswerTooLarge:
        # the endpoint is the client's: `from_botocore` names it, as for `MalformedResponse`
        return AnswerTooLarge(endpoint="", variable=self._variable, limit=self._limit)


def _as_it_comes(raw: Any) -> Iterator[bytes]:
    """The body of `raw` in the pieces that arrive (a urllib3 without `read1`: in CHUNKs)."""
    read1 = getattr(raw, "read1", None)
    if read1 is None:
        yield from raw.stream(CHUNK)
        return
    while chunk := read1(CHUNK):
        yield chunk


def _too_slow(request: Any) -> Exception:
    """urllib3's read timeout, for a body that did not come whole in time."""
    from urllib3.exceptions import ReadTimeoutError

    return ReadTimeoutError(None, request.url, "the answer did not come whole in time")  # type: ignore[arg-type]  # no pool to name


def _cut_short(read: int, length: int) -> Exception:
    """urllib3's word for a connection that ended before the `Content-Length` it gave: botocore
    reads answers with that check off, so an answer cut short was parsed as it was (an empty
    one as "no accounts")."""
    from urllib3.exceptions import ProtocolError

    return ProtocolError(f"the answer ended after {read} of {length} bytes")


def _drop(raw: Any) -> None:
    """Close the connection of an answer left unread (its pool opens a new one next time)."""
    with contextlib.suppress(Exception):  # closing a broken connection: nothing more to do
        raw.close()
        raw.release_conn()


def _as_botocore(exc: Exception, request: Any) -> Exception:
    """A failure while reading a body, as botocore's HTTP session raises it."""
    import botocore.exceptions as bce
    from urllib3.exceptions import ProtocolError, ReadTimeoutError, SSLError

    if isinstance(exc, ReadTimeoutError):
        return bce.ReadTimeoutError(endpoint_url=request.url, error=exc)
    if isinstance(exc, SSLError):
        return bce.SSLError(endpoint_url=request.url, error=exc)
    if isinstance(exc, ProtocolError):
        return bce.ConnectionClosedError(error=exc, request=request, endpoint_url=request.url)
    return bce.HTTPClientError(error=exc)


def limit_answers(client: Any, service: str) -> None:
    """Make `client` (a botocore client of `service`) read no answer past `MAX_ANSWER`, nor
    for longer than its read timeout.

    The HTTP session is botocore's private `client._endpoint.http_session`: a botocore that
    no longer has it leaves the client as it is (no limit), rather than breaking every login.
    """
    endpoint: Any = getattr(client, "_endpoint", None)  # no public way to the HTTP session
    inner = getattr(endpoint, "http_session", None)
    if inner is None or not callable(getattr(inner, "send", None)):
        return
    endpoint.http_session = LimitedSession(
        inner,
        variable=ENDPOINT_VARIABLES.get(service, "AWS_ENDPOINT_URL"),
        limit=MAX_ANSWER,
        seconds=getattr(client.meta.config, "read_timeout", None),
    )
