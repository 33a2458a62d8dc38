"""Every token and secret masked in `--debug` log lines (`tui.debug_mode` turns them on).

botocore's debug logs carry request headers, URLs and response bodies. Each record is masked in
three passes: by structure first (`tui.log_redaction`: the values of secret-bearing keys,
headers and query parameters in the log call's arguments, JSON bodies parsed), so a secret
holding `"` or `\\` is masked whole; then every secret registered with `hide`, in each form a log
may print it (as is, JSON-escaped, in a str or bytes repr, URL-quoted); then, on the final text,
the values of secret-bearing fields by pattern, for text no structure describes. `said` gives
the service's own words for a refusal, masked so, as a line may show them.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from urllib.parse import quote, quote_plus

SECRET_KEYS = (
    "accessToken|refreshToken|idToken|clientSecret|deviceCode|secretAccessKey|sessionToken"
    "|aws_secret_access_key|aws_session_token|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN"
    "|SecretAccessKey|SessionToken|x-amz-sso_bearer_token|Authorization|code_verifier"
    "|sessionKey|SigninToken"
)
# Names only a structure gives a meaning to: the authorization code and PKCE verifier of
# CreateToken, OAuth's own spellings, and the federation endpoint's query parameters.
STRUCTURE_KEYS = frozenset(
    {"code", "codeVerifier", "client_secret", "refresh_token", "access_token"}
    | {"Session", "SigninToken", "sessionId", "sessionKey"}
)
MASK = "<redacted>"
# "key": "value" (JSON, with escaped or plain quotes), key=value, 'key': 'value' (dict reprs).
# A value runs to the next separator, quotes and escapes included: over-masking a line is fine.
# A value the structure pass already masked is left as it is.


@functools.cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    """Compiled when a debug line is first written: most runs never log at all."""
    return (
        re.compile(
            rf'(\\?["\'](?:{SECRET_KEYS})\\?["\']\s*:\s*b?\\?["\'])(?!{MASK})((?:\\.|[^\s,;}}\]])+)',
            re.IGNORECASE,
        ),
        re.compile(rf"((?:{SECRET_KEYS})\s*=\s*)(?!{MASK})([^\s,;&]+)", re.IGNORECASE),
    )


_known: set[str] = set()  # every printed form of the secrets below
_unexpanded: set[str] = set()  # secrets registered since the forms were last worked out
_known_lock = threading.Lock()


def printed_forms(secret: str) -> set[str]:
    """`secret` as a log line may show it: as is, JSON-escaped, inside a str or bytes repr
    (also of JSON), URL-quoted."""
    escaped = json.dumps(secret)[1:-1]
    forms = {
        secret,
        escaped,
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
        repr(secret.encode("utf-8", "surrogateescape"))[2:-1],
        repr(escaped.encode("utf-8"))[2:-1],
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
    }
    return {form for form in forms if len(form) >= 8}


def hide(*secrets: str | None) -> None:
    """Register secret values that must never appear in a log line."""
    with _known_lock:  # cheap: the forms are worked out only when a line is to be masked
        _unexpanded.update(s for s in secrets if s and len(s) >= 8)


def mask_known(text: str) -> str:
    with _known_lock:
        while _unexpanded:
            _known.update(printed_forms(_unexpanded.pop()))
        known = sorted(_known, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def redact(text: str) -> str:
    """`text` with every registered secret and every secret field value masked."""
    # Whole registered secrets first: a pattern that masked only their start would hide them.
    text = mask_known(text)
    for pattern in _patterns():
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text


SAID_LENGTH = 160  # characters of the service's own message shown with a refusal


def said(message: object) -> str:
    """The service's own words for a refusal nothing else explains, as they may be shown: ": "
    and one line, control characters replaced, every known secret masked (an endpoint may echo
    the token), at most `SAID_LENGTH` characters; "" when it said nothing (or no text)."""
    if not isinstance(message, str):
        return ""
    from tui.text import printable

    text = " ".join(redact(printable(message)).split())
    if len(text) > SAID_LENGTH:
        text = text[: SAID_LENGTH - 1] + "…"
    return f": {text}" if text else ""
