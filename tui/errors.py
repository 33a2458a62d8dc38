"""The one family of errors a user can cause or meet; the CLI and the UI show their message.

A message often names an account or a role, which come from the service and may hold anything:
it is kept on one line with control characters replaced (`tui.text.printable`), so no error
message can move the cursor, retitle the window or write the clipboard.
"""

from __future__ import annotations

from tui.text import printable


class SsotuiError(Exception):
    """An expected failure: `message` is one line that says what happened and what to do."""

    exit_code: int = 1

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        message = printable(message)
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class AlreadySaid(SsotuiError):
    """A failure whose one line is out already (the picker's, for a bug that ended it): the
    command ends with its exit status and says nothing more."""


class UsageError(SsotuiError):
    """The command line itself is wrong (exit 2)."""

    exit_code = 2


class ConfigError(SsotuiError):
    """A configuration file is missing, malformed or ambiguous."""


class NotLoggedIn(SsotuiError):
    """No usable token: the user has to run `ssotui login`."""


class NoToken(NotLoggedIn):
    """No token is cached at all (never logged in, or logged out): nothing went wrong."""


class LoginFailed(SsotuiError):
    """The login was denied, expired or could not start."""


class BrowserLoginUnavailable(LoginFailed):
    """The browser login cannot run here (no loopback listener, a service that registers no
    client for it): the device code runs instead. `reason` says why in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the browser login cannot run: {reason}")
        self.reason = reason


class LoginCancelled(LoginFailed):
    """The user cancelled a login while it waited (for the browser, or for another login)."""


class NoAccess(SsotuiError):
    """The portal refused role credentials (permission set not assigned)."""


class AccountRefused(NoAccess):
    """Identity Center refused to list the roles of one account with an answer of its own
    (403, 404, or 400 for that account: an assignment removed, an account being closed), to
    the first page of its roles; the same to a later page is about that page's token, and the
    listing starts again (`tui.aws.portal.Portal._pages`).

    An answer, not a failure another try at once would get past: the catalog keeps the account
    without roles and with `note` (what happened, without naming the account), and asks again
    at its next fetch, not at its next retry of failed accounts.
    """

    def __init__(self, message: str, *, note: str) -> None:
        super().__init__(message)
        self.note = printable(note)


class ServiceError(SsotuiError):
    """Identity Center was unreachable, throttled past retries or answered nonsense."""


class PageRepeated(ServiceError):
    """Identity Center sent, within one listing, a page token it had sent before: the listing
    goes round, and was stopped there. What came before is kept: `found`, the role names of an
    account listed before the repeat (empty for ListAccounts, whose pages were handed on as
    they came), and `note`, what happened, without naming the account.
    """

    def __init__(self, message: str, *, note: str, found: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.note = printable(note)
        self.found = found


class NotFound(SsotuiError):
    """An ACCOUNT or ROLE argument matched nothing, or more than one thing."""


class Ambiguous(NotFound):
    """An ACCOUNT argument matched several accounts (the picker can show them to choose)."""


class FileWriteError(SsotuiError):
    """A file could not be written safely; the old file is left as it was."""


class StaticKeysProfile(SsotuiError):
    """A profile holds long-lived keys (`aws_access_key_id` without `aws_session_token`):
    ssotui overwrites it only when told to (`--force`, or the picker's question)."""

    def __init__(self, message: str, *, profile: str, path: str) -> None:
        super().__init__(message)
        self.profile = profile
        self.path = path


def unexpected_error_line(error: BaseException | None) -> str:
    """The one line for a bug (an exception not of the SsotuiError family), by either door: its
    kind only, as a repr may carry secrets; the details are for `--debug`. A failed Textual
    worker is named by the error inside it."""
    inner = getattr(error, "error", None)  # (textual.worker.WorkerFailed; no Textual here)
    kind = type(inner if isinstance(inner, BaseException) else error).__name__
    return f"ssotui: unexpected error ({kind}); run again with --debug for details"
