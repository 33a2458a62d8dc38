"""Who may ask the credential endpoint: checks on the Host and Authorization headers.

The endpoint listens on 127.0.0.1 only, so only this computer reaches it. A web page open in a
browser on this computer could still send requests there, through a name of its own that it
points at 127.0.0.1 (DNS rebinding): the Host check refuses every name but 127.0.0.1 and
localhost. Every other local process, and such a page, lacks the Authorization token, which
only the child's environment holds; it is compared in constant time.
"""

from __future__ import annotations

import hmac
from http import HTTPStatus


def host_allowed(hosts: list[str], port: int) -> bool:
    """True when exactly one Host header names 127.0.0.1 or localhost, with no port or ours."""
    if len(hosts) != 1:
        return False
    name, colon, given_port = hosts[0].strip().rpartition(":")
    if not colon:
        name, given_port = given_port, str(port)
    return name.lower() in ("127.0.0.1", "localhost") and given_port == str(port)


def authorization_refusal(values: list[str], token: str) -> HTTPStatus | None:
    """None when exactly one Authorization header holds `token`; 401 when there is none, 403
    when it is wrong (or given twice)."""
    if not values:
        return HTTPStatus.UNAUTHORIZED
    if len(values) != 1:
        return HTTPStatus.FORBIDDEN
    # Bytes, not str: compare_digest refuses a str with non-ASCII characters.
    given = values[0].encode("utf-8", "surrogateescape")
    if hmac.compare_digest(given, token.encode("ascii")):
        return None
    return HTTPStatus.FORBIDDEN
