"""Secrets masked by the structure that holds them, before a log line is formatted.

botocore logs the request it is about to send (a dict: URL with its query, headers, JSON body),
the prepared request (an object whose repr shows URL and headers) and the response body (bytes
of JSON). Masking the printed text by pattern fails on a secret holding `"` or `\\`: the
text shows it escaped once or twice (JSON inside a bytes repr), and a pattern stops at the
first escape. So `scrub` walks the log call's arguments instead: a mapping's value under a
secret key, a JSON document's value under a secret key (JSON text and bytes are parsed, masked
and written again), a URL's or a form's parameter with a secret name, and the URL and headers of
a prepared request, are replaced by the mask whatever they contain.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote_plus

MAX_DEPTH = 8  # botocore's request dicts nest a few levels; deeper is left as it is


class Scrubber:
    """Masks values under secret names (compared case-insensitively) in log arguments."""

    def __init__(self, secret_names: frozenset[str], mask: str, text: Callable[[str], str]):
        self._names = frozenset(n.lower() for n in secret_names)
        self._mask = mask
        self._text = text  # masks registered secret values in any other string

    def is_secret(self, name: object) -> bool:
        """True when a key, header or parameter called `name` holds a secret."""
        return isinstance(name, str | bytes) and _as_str(name).strip().lower() in self._names

    def scrub(self, value: Any, depth: int = 0) -> Any:
        """`value` with every secret it holds by structure replaced by the mask."""
        if depth > MAX_DEPTH:
            return value
        if isinstance(value, str):
            return self._string(value)
        if isinstance(value, bytes | bytearray):
            return self._bytes(bytes(value))
        if _is_prepared_request(value):
            return self._prepared_request(value, depth)
        if isinstance(value, Mapping) or _looks_like_headers(value):
            return {
                k: self._mask if self.is_secret(k) else self.scrub(v, depth + 1)
                for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return type(value)(self.scrub(v, depth + 1) for v in value)
        return value

    # -- strings and bytes -----------------------------------------------------------------

    def _string(self, text: str) -> str:
        stripped = text.strip()
        if stripped[:1] in ("{", "["):
            try:
                document = json.loads(stripped)
            except ValueError:
                pass
            else:
                return json.dumps(self._json(document), ensure_ascii=False)
        if "=" in text and not any(c.isspace() for c in stripped):
            return self._query(text)
        return self._text(text)

    def _bytes(self, data: bytes) -> bytes:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return data
        scrubbed = self._string(text)
        return data if scrubbed == text else scrubbed.encode("utf-8")

    def _json(self, document: Any) -> Any:
        if isinstance(document, dict):
            return {
                k: self._mask if self.is_secret(k) else self._json(v) for k, v in document.items()
            }
        if isinstance(document, list):
            return [self._json(v) for v in document]
        if isinstance(document, str):
            return self._text(document)
        return document

    def _query(self, text: str) -> str:
        """A URL's query, or a form body: parameters with secret names get the mask."""
        base, mark, query = text.partition("?") if "?" in text else ("", "", text)
        fragment = ""
        if "#" in query:
            query, fragment = query.split("#", 1)
            fragment = "#" + fragment
        parts = []
        for part in query.split("&"):
            name, equals, _value = part.partition("=")
            if equals and self.is_secret(unquote_plus(name)):
                parts.append(f"{name}={self._mask}")
            else:
                parts.append(part)
        return self._text(base + mark + "&".join(parts) + fragment)

    # -- botocore's objects ----------------------------------------------------------------

    def _prepared_request(self, request: Any, depth: int) -> str:
        """botocore's AWSPreparedRequest as its repr shows it, URL and headers scrubbed."""
        headers = self.scrub(request.headers, depth + 1)
        return (
            f"<AWSPreparedRequest stream_output={getattr(request, 'stream_output', None)}, "
            f"method={request.method}, url={self._string(str(request.url))}, headers={headers}>"
        )


def _as_str(value: str | bytes) -> str:
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def _is_prepared_request(value: object) -> bool:
    return all(hasattr(value, a) for a in ("method", "url", "headers")) and not isinstance(
        value, Mapping
    )


def _looks_like_headers(value: object) -> bool:
    """botocore's HTTPHeaders (an email Message) has items() but is no Mapping."""
    return callable(getattr(value, "items", None)) and callable(getattr(value, "keys", None))
