"""`--debug` lines for the portal calls: which call, the HTTP status (or what failed), how long.

One line per attempt (a retried call shows each try), through the `ssotui.portal` logger, so
`--debug`'s redacting formatter sees it like every other line; the call's arguments (the token
among them) are never part of it. Without `--debug` it costs one check per call, and `logging`
is not even imported.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from tui.debug_mode import debugging

T = TypeVar("T")


def _answered(result: Any) -> str:
    """The status of a successful answer, from its `ResponseMetadata` as both clients (botocore's
    and the direct one) give it; "HTTP 2xx" only for an answer that carries none."""
    meta = result.get("ResponseMetadata") if isinstance(result, dict) else None
    status = meta.get("HTTPStatusCode") if isinstance(meta, dict) else None
    return f"HTTP {status}" if status else "HTTP 2xx"


def _failed(exc: BaseException) -> str:
    """What a failed attempt got: an HTTP status and error code, or the kind of failure."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = response.get("Error", {}).get("Code")
        if status or code:
            return " ".join(
                str(part) for part in (f"HTTP {status}" if status else "", code) if part
            )
    status = getattr(exc, "status", None)
    if isinstance(status, int):
        return f"HTTP {status}"
    return type(exc).__name__


def timed(operation: str, call: Callable[[], T]) -> T:
    """Make one portal call (`call()`) and log it: `operation`, status, milliseconds."""
    if not debugging():
        return call()
    import logging

    log = logging.getLogger("ssotui.portal")
    start = time.perf_counter()
    try:
        result = call()
    except BaseException as exc:
        log.debug("%s: %s after %.0f ms", operation, _failed(exc), _ms(start))
        raise
    log.debug("%s: %s in %.0f ms", operation, _answered(result), _ms(start))
    return result


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000
