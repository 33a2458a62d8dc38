"""`--debug` logging to stderr with every token and secret redacted.

botocore's debug logs carry request headers and response bodies; the filter masks the values of
every secret-bearing field and any secret value registered with `hide`.
"""

from __future__ import annotations

import logging
import re
import threading

_SECRET_KEYS = (
    "accessToken|refreshToken|idToken|clientSecret|deviceCode|secretAccessKey|sessionToken"
    "|aws_secret_access_key|aws_session_token|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN"
    "|SecretAccessKey|SessionToken|x-amz-sso_bearer_token|Authorization|code_verifier"
    "|sessionKey|SigninToken"
)
# "key": "value" (JSON, with escaped or plain quotes), key=value, 'key': 'value' (dict reprs)
_PATTERNS = (
    re.compile(rf'(\\?["\'](?:{_SECRET_KEYS})\\?["\']\s*:\s*b?\\?["\'])([^"\'\\]+)', re.IGNORECASE),
    re.compile(rf"((?:{_SECRET_KEYS})\s*=\s*)([^\s,;&'\"]+)", re.IGNORECASE),
)
MASK = "<redacted>"

_known: set[str] = set()
_known_lock = threading.Lock()


def hide(*secrets: str | None) -> None:
    """Register secret values that must never appear in a log line."""
    with _known_lock:
        _known.update(s for s in secrets if s and len(s) >= 8)


def redact(text: str) -> str:
    """`text` with every secret field value and registered secret masked."""
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    with _known_lock:
        known = sorted(_known, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class RedactingFormatter(logging.Formatter):
    """A formatter whose output passes through `redact`."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup(debug: bool) -> None:
    """Send debug logs (ssotui's and botocore's) to stderr, redacted; quiet otherwise."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    if not debug:
        root.setLevel(logging.CRITICAL + 1)
        return
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for noisy in ("urllib3", "botocore.hooks", "botocore.loaders", "asyncio", "markdown_it"):
        logging.getLogger(noisy).setLevel(logging.INFO)
