"""What the credential endpoint answers: the container-credentials JSON, or an error JSON.

The success body is what botocore's `ContainerProvider` reads (`AccessKeyId`, `SecretAccessKey`,
`Token`, `Expiration`; `AccountId` is optional and read by botocore and the newer SDKs). Every
SDK takes any status but 200 as a failure: botocore shows the body in its error
("Received non 200 response 424 from container metadata: {...}"), the Go SDK decodes `code`
and `message` (case-insensitively) and the JavaScript SDK `Code` and `Message` of a 4xx answer.
So a failure carries its one-line message as `Message`, and a failed fetch is a 4xx: retrying
at once would not help (the login is gone, the role is not assigned, the portal kept failing
after ssotui's own retries), and the Go SDK does not retry a 4xx. A fetch still running is a
503: asking again in a moment may well work.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus

from tui.errors import NoAccess, NotLoggedIn, SsotuiError
from tui.export.env import iso_utc
from tui.models import RoleCredentials
from tui.serve.renewing import FetchPending

# A fetch that failed: the request was fine, what it depends on (the portal, the login) was not.
FETCH_FAILED = HTTPStatus.FAILED_DEPENDENCY


@dataclass(frozen=True)
class Answer:
    """A status and a JSON body, ready to send."""

    status: HTTPStatus
    body: bytes

    @property
    def is_success(self) -> bool:
        """True for the credentials themselves."""
        return self.status == HTTPStatus.OK


def _json(data: dict[str, str]) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode("utf-8")


def credentials_answer(creds: RoleCredentials) -> Answer:
    """The container-credentials JSON of `creds` (Expiration in ISO 8601 UTC, rounded down)."""
    return Answer(
        HTTPStatus.OK,
        _json(
            {
                "AccessKeyId": creds.access_key_id,
                "SecretAccessKey": creds.secret_access_key,
                "Token": creds.session_token,
                "Expiration": iso_utc(creds.expiration),
                "AccountId": creds.account.account_id,
            }
        ),
    )


def _one_line(text: str) -> str:
    """`text` with control characters (C0, DEL, C1) and line breaks replaced by spaces: account
    and role names come from the service, and an SDK may print the message to a terminal."""
    return "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)


def error_answer(status: HTTPStatus, code: str, message: str) -> Answer:
    """An error JSON: `Code` and `Message`, the one line the user will read."""
    return Answer(status, _json({"Code": code, "Message": _one_line(message)}))


def failure_line(exc: BaseException) -> str:
    """What a fetch that raised `exc` means to the user: its own message for an `SsotuiError`,
    a generic line (the exception's type only, never its text) for anything else."""
    if isinstance(exc, SsotuiError):
        return exc.message
    return (
        f"the credential endpoint failed unexpectedly ({type(exc).__name__}): "
        "leave this shell or command and start it again from ssotui"
    )


def fetch_failed(exc: BaseException, advice: Callable[[str], str] | None = None) -> Answer:
    """The answer for a fetch that raised `exc`, saying `failure_line(exc)`, its advice in the
    words of `advice` (the door's: the session options the user typed) when given."""
    line = failure_line(exc)
    message = f"ssotui: {advice(line) if advice is not None else line}"
    if isinstance(exc, FetchPending):
        return error_answer(HTTPStatus.SERVICE_UNAVAILABLE, "Pending", message)
    if isinstance(exc, SsotuiError):
        code = (
            "NotLoggedIn"
            if isinstance(exc, NotLoggedIn)
            else "NoAccess"
            if isinstance(exc, NoAccess)
            else "CredentialsUnavailable"
        )
        return error_answer(FETCH_FAILED, code, message)
    return error_answer(HTTPStatus.INTERNAL_SERVER_ERROR, "InternalError", message)
