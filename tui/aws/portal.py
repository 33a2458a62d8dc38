"""The SSO portal API for one logged-in session: accounts, roles, role credentials, logout.

Every failure becomes one SsotuiError line: 401 -> NotLoggedIn (for a call about one account,
only when ListAccounts answers 401 too: `Portal._unauthorized_for`), 403/404 -> NoAccess (for
the roles of one account, and its 400 InvalidRequestException too: AccountRefused),
unreachable, throttled or failing past retries or past the deadline -> ServiceError. The
client (direct or botocore, `tui.aws.clients.portal_client`) raises only the transport's own
errors (`tui.aws.transport`), and those are all the Portal reads. Retries are done here: a 429
goes back through the `Pacer` shared by every thread of the portal (it learns the rate the
service allows), 5xx and network failures get a few jittered retries, a refused call that was
told when to call again (`Retry-After`) waits that long before its next attempt (as botocore
does; a time past its deadline is said at once), and all the attempts of one call together get
a deadline (`tui.aws.deadline`). A listing whose page tokens go round
ends where a token repeats (PageRepeated, with what came before); one that goes on past
`max_pages`, or that sends page after page with nothing new, fails; a later page refused for
its page token (expired, say) starts the listing again from its first page, once. The
access token never appears in a message.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from tui.aws.call_log import timed
from tui.aws.call_switch import CallSwitch
from tui.aws.clients import portal_client
from tui.aws.deadline import CallDeadlines
from tui.aws.members import required_text, shown_text, text
from tui.aws.throttle import Pacer
from tui.aws.transport import (
    CallFailed,
    ConnectTimeout,
    PortalClient,
    ReadTimeout,
    Refused,
    TransportError,
    failure_line,
    redirected,
)
from tui.errors import (
    AccountRefused,
    NoAccess,
    NotLoggedIn,
    PageRepeated,
    ServiceError,
    SsotuiError,
)
from tui.logs import hide
from tui.logs import said as service_said
from tui.models import Account, RoleCredentials, SsoSession, Token, name_order, utcnow
from tui.text import counted, printable

PAGE_SIZE = 100
# Seconds all the attempts of one call may take together (`request_deadline` in config.toml).
DEFAULT_DEADLINE = 15.0
# Pages of one listing. 10,000 accounts are 100 pages of 100, but the model lets the service
# send fewer than asked, down to one a page (a second Identity Center sent 1-3): a cap that
# stopped a large organisation listed in small pages would fail it every time. Pages that keep
# listing something new are a large listing, so the cap only bounds one that invents ids.
MAX_PAGES = 100_000
# Pages in a row that list nothing new (empty, or only what earlier pages listed) and still
# point to a next one: a service may send a few (a page is allowed to hold nothing), but a run
# this long is a listing that never ends; the user would otherwise wait for `MAX_PAGES`.
STALE_PAGES_IN_A_ROW = 50
# Retries per call. A throttled call is re-paced rather than backed off, so it gets many; an
# unreachable endpoint (3 attempts of a 2 s connect timeout) still fails within ~10 s.
THROTTLE_RETRIES = 20
SERVER_ERROR_RETRIES = 4
NETWORK_RETRIES = 2
BACKOFF_BASE = 0.25
BACKOFF_CAP = 4.0
# The backoffs' jitter comes from a generator of ssotui's own: a call still retrying on a thread
# nobody waits for (a fetch cut short) leaves the process's `random` to whoever else uses it.
_jitter = random.Random()
SHORTEST_ATTEMPT = 0.05  # seconds: less time left than this is no attempt worth sending
# Identity Center's answers for what the user may not have, or what is not there.
NOT_YOURS = frozenset({"ForbiddenException", "ResourceNotFoundException"})
# Identity Center's own refusals of one account's roles, and what the catalog notes for it: the
# service's answer about that account (an assignment removed, an account being closed, an id
# it will not take), which the same call again would get too.
ACCOUNT_REFUSALS = {
    "ForbiddenException": "no access to its roles",
    "ResourceNotFoundException": "no access to its roles",
    "InvalidRequestException": "Identity Center refused to list its roles",
}


# The longest a permission set's session lasts (IAM Identity Center: 1 to 12 hours). Role
# credentials said to last longer are taken to end then: kept, exported and written as lasting
# no longer, so that every consumer (botocore's credential_process, AWS_CREDENTIAL_EXPIRATION,
# ssotui's own cache) fetches new ones by then rather than use dead ones for a century.
LONGEST_ROLE_SESSION = timedelta(hours=12)
# The members of GetRoleCredentials' roleCredentials that a consumer needs, each not empty
_CREDENTIAL_MEMBERS = ("accessKeyId", "secretAccessKey", "sessionToken")
# An `expiration` below this is read as seconds since 1970, not the model's milliseconds: as
# milliseconds it is before March 1973, which no credentials issued today end at; as seconds
# it reaches the year 5138. A service that sends seconds so gets credentials that work, not
# "check this computer's clock" of a clock that is right.
SECONDS_BELOW = 10**11
# An `expiration` (milliseconds since 1970, seconds read as such) before this (2001-09-09) is
# no expiry any clock explains: 0 or less, or a JSON true botocore read as 1.
EARLIEST_EXPIRATION_MS = 10**12


def expiry_checked(creds: RoleCredentials, stated_ms: int, fetched_at: datetime) -> RoleCredentials:
    """`creds` with their expiry no later than LONGEST_ROLE_SESSION after `fetched_at`;
    ServiceError for an `expiration` before EARLIEST_EXPIRATION_MS: no expiry at all, which no
    clock explains."""
    if stated_ms < EARLIEST_EXPIRATION_MS:
        raise ServiceError(
            f"Identity Center gave credentials for role {creds.role_name} in account "
            f"{creds.account.label_with_id} with no usable expiry (expiration {stated_ms}): "
            "nothing was kept; try again later"
        )
    latest = fetched_at + LONGEST_ROLE_SESSION
    return creds if creds.expiration <= latest else replace(creds, expiration=latest)


def _throttle_words(refused: Refused) -> str:
    """How a throttle was said: "HTTP 429", or the status and code ("HTTP 503 SlowDown")."""
    if refused.status == 429 or not refused.throttled:
        return "HTTP 429"
    return f"HTTP {refused.status} {printable(refused.code)}".rstrip()


def _wait_asked(failure: CallFailed | None) -> float | None:
    """The seconds a throttle or a 503 asked the client to wait before calling again
    (`Refused.retry_after`); None for any other failure, or when it did not say."""
    if isinstance(failure, Refused) and (failure.throttled or failure.status == 503):
        return failure.retry_after
    return None


class _PageRefused(Exception):
    """A later page of a listing was refused for what it asked (`failure`): see `_pages`."""

    def __init__(self, failure: Refused) -> None:
        super().__init__(f"HTTP {failure.status} {failure.code}")
        self.failure = failure


def _about_the_page(failure: Refused) -> bool:
    """Whether a refused later page may be the page token's doing (expired, or no longer the
    service's): a 4xx but a 401 (the login) or a 429 (the rate), which say the same of any
    call."""
    return (
        400 <= failure.status < 500
        and not failure.throttled
        and failure.status != 401
        and failure.code != "UnauthorizedException"
    )


def clock_checked(creds: RoleCredentials, now: datetime) -> RoleCredentials:
    """`creds` as they came, unless they had expired by this computer's clock (`now`) on
    arrival: then ServiceError saying to check the clock. Only a clock ahead of Identity
    Center's by more than their lifetime does that; every consumer would refuse them (botocore:
    "the refreshed credentials are still expired"), and each run would fetch them anew."""
    if creds.expiration > now:
        return creds
    raise ServiceError(
        f"Identity Center gave credentials for role {creds.role_name} in account "
        f"{creds.account.label_with_id} that expired at {creds.expiration:%Y-%m-%d %H:%M:%S} "
        f"UTC, before this computer's clock ({now:%Y-%m-%d %H:%M:%S} UTC): check this "
        "computer's clock and time zone settings"
    )


def _names(listed: Any, key: str) -> set[str]:
    """The names (`key`) of the items of one page, as far as it holds any; what else it holds
    is for the caller to read (or refuse)."""
    if not isinstance(listed, list):
        return set()
    return {str(item[key]) for item in listed if isinstance(item, dict) and item.get(key)}


class Portal:
    """The SSO portal for one session and token; safe to share between threads.

    One Portal is meant for one piece of work (a command, a catalog fetch, a retry the user
    asked for): what it learns on the way (the rate the service allows, that it answers
    nothing at the moment) serves that piece of work.

    `deadline`: seconds one call may take, all its attempts together (the `request_deadline`
    setting), measured by `clock` (backoffs waited with `sleep`). `max_pages`: pages one
    listing may have before it is stopped. `switch`: lets the work's owner hold or stop the
    calls (`tui.aws.call_switch`); time held is not counted against a call's deadline.
    `throttle_retries`: how often a throttled call is tried again (fewer for work that is
    tried again later anyway, a background renewal). `client`: the client to call through,
    else the one `portal_client` chooses under `environ` (the caller's environment).
    """

    def __init__(
        self,
        session: SsoSession,
        token: Token,
        *,
        environ: Mapping[str, str] | None = None,
        client: PortalClient | None = None,
        max_pool: int = 10,
        page_size: int = PAGE_SIZE,
        deadline: float = DEFAULT_DEADLINE,
        max_pages: int = MAX_PAGES,
        sleep: Callable[[float], object] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        switch: CallSwitch | None = None,
        throttle_retries: int = THROTTLE_RETRIES,
    ) -> None:
        self.session = session
        self.throttle_retries = throttle_retries
        self._token = token.access_token
        if client is None:
            if environ is None:
                raise TypeError("a Portal needs a client or the environment to choose one")
            client = portal_client(session, environ=environ, max_pool=max_pool)
        self.client: PortalClient = client
        self.page_size = page_size
        self.max_pages = max_pages
        self.deadlines = CallDeadlines(
            deadline, rate=lambda: self.pacer.rate, clock=clock, sleep=sleep
        )
        self.pacer = Pacer(sleep=self.deadlines.wait_in_queue)
        self._last_failure: CallFailed | None = None  # of any thread: why calls are failing
        self._last_failure_at = 0.0  # ... and when (`clock`)
        self.switch = switch
        # ListAccounts asked whether the login works after a 401 about one account
        # (`_unauthorized_for`): one check at a time, and what the last ones found.
        self._login_check = threading.Lock()
        self._checks_begun = 0
        self._login_seen_working = 0  # the number of the last check ListAccounts answered
        self._login_lost = False

    # -- error handling -------------------------------------------------------------------

    def _translate(
        self,
        exc: CallFailed,
        what: str,
        *,
        no_access: str | None = None,
        account_id: str | None = None,
    ) -> SsotuiError:
        """The one line for a call that failed. `no_access`: the NoAccess line for a 403/404;
        `account_id`: the call lists that account's roles (its refusals are AccountRefused)."""
        if not isinstance(exc, Refused):
            return failure_line(exc, self.session) or self._failed(what, exc)
        code, status = exc.code, exc.status
        # (a code that is only the status again is none: botocore's stand-in for a missing one)
        named = bool(code) and code != str(status)
        if code == "UnauthorizedException" or (status == 401 and named):
            return NotLoggedIn(
                f"session {self.session.label} expired or was revoked: run `ssotui login`"
            )
        if not named and 400 <= status < 500 and status not in {403, 404} and not exc.throttled:
            # Identity Center names every refusal: one without a name is something else's (a
            # 401 too: not its word on the login, which stays)
            who = "a proxy asking for a login" if status == 407 else "a proxy or gateway in the way"
            return ServiceError(
                f"{exc.endpoint} answered HTTP {status} to {what} without an error name, not "
                f"like Identity Center ({who}?): check any proxy (HTTPS_PROXY, NO_PROXY) and "
                f"endpoint override of session {self.session.label}"
            )
        note = ACCOUNT_REFUSALS.get(code or "")
        if account_id is not None and note is not None and 400 <= status < 500:
            return AccountRefused(
                f"Identity Center refused to list the roles of account {account_id} ({code}, "
                f"session {self.session.label}): it is shown without roles until a refresh "
                "lists them; ask your administrator if you should have access",
                note=f"{note} ({code})",
            )
        label = self.session.label
        said = service_said(exc.message)
        if no_access and (code in NOT_YOURS or status in {403, 404}):
            return NoAccess(no_access)
        if code in NOT_YOURS:  # ListAccounts: no such user at the portal, or access to nothing
            return NoAccess(
                f"Identity Center refused {what} ({code}{said}) for session {label}: check "
                f"that its sso_start_url and sso_region are your organisation's, or ask your "
                "administrator whether your user may use the access portal"
            )
        if 300 <= status < 400:
            return redirected(
                what, exc.endpoint or "?", status, "AWS_ENDPOINT_URL_SSO", self.session
            )
        if status in {403, 404}:  # not Identity Center's own answer: something else is there
            told = f" ({code}{said})" if named else ""
            return ServiceError(
                f"{exc.endpoint} answered HTTP {status}{told} to {what}, not like Identity "
                f"Center: check the sso_region of session {label} and any endpoint override"
            )
        if exc.throttled:
            return ServiceError(
                f"Identity Center kept throttling {what} ({_throttle_words(exc)}) for session "
                f"{self.session.label}: wait a minute and try again"
            )
        if exc.server_error:
            return ServiceError(
                f"Identity Center failed {what} with HTTP {status} after retries (session "
                f"{self.session.label}): try again later"
            )
        # Only a 401 (above) is about the token: a new login changes nothing for the rest
        if code == "InvalidRequestException" and no_access:  # a role or account it will not take
            return ServiceError(
                f"Identity Center refused {what} as an invalid request ({code}{said}) for session "
                f"{label}: run `ssotui list --refresh` to check"
            )
        return ServiceError(
            f"Identity Center refused {what} ({code or f'HTTP {status}'}{said}) for session "
            f"{label}: try again later, and report it if it persists"
        )

    def _failed(self, what: str, exc: BaseException) -> ServiceError:
        return ServiceError(
            f"{what} failed for session {self.session.label} ({type(exc).__name__}): "
            "try again later"
        )

    def _out_of_time(self, what: str, last: CallFailed | None, attempts: int = 0) -> SsotuiError:
        """The line for a call that used up its deadline, or gave up at once after another
        did; `last`: the last failure this call met, if any; `attempts`: how many failed."""
        seconds = f"{self.deadlines.seconds:g} s"
        label = self.session.label
        # A call that waited its turn all along saw nothing itself: what the others met says
        # why (a throttling storm paces every call into the queue), not that it was refused.
        seen = last or self._last_failure
        hint = _wait_asked(seen)
        if isinstance(seen, Refused) and hint is not None and hint >= self.deadlines.seconds:
            return self._asked_to_wait(what, seen, hint)  # the service's word, not the deadline
        if isinstance(last, Refused) and last.throttled:
            return ServiceError(
                f"Identity Center kept throttling {what} ({_throttle_words(last)}) for {seconds} "
                f"(session {label}): wait a minute and try again"
            )
        if attempts == 0 and isinstance(seen, Refused):
            if seen.throttled and self._throttling():
                return ServiceError(
                    f"Identity Center kept throttling the calls of session {label} "
                    f"({_throttle_words(seen)}), so the call for {what} was not sent: wait a "
                    "minute and try again"
                )
            if seen.server_error:
                # what happened, not the deadline: a call after one that gave up is not sent
                return ServiceError(
                    f"Identity Center was failing calls with HTTP {seen.status} (session "
                    f"{label}), so {what} was not sent: try again later"
                )
        if isinstance(last, Refused) and last.server_error:
            # what happened, not the deadline: the retries stop when the next backoff would
            # not fit
            tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
            return ServiceError(
                f"Identity Center failed {what} with HTTP {last.status} on {tries} in "
                f"{self.deadlines.spent():.1f} s (session {label}): try again later"
            )
        if last is None and self.deadlines.ran_late():
            # its turn in the pacer's line came after its deadline, and no call was answered
            # meanwhile: the calls before it got no answer in time (not a 429 since)
            return ServiceError(
                f"Identity Center at {self.client.meta.endpoint_url} answered no call in time "
                f"(session {label}), so the call for {what} was not sent within {seconds}: try "
                "again later, or allow longer with `request_deadline` in config.toml"
            )
        throttled = isinstance(seen, Refused) and seen.throttled
        if (
            last is None
            and seen is not None
            and not isinstance(seen, ReadTimeout | ConnectTimeout)
            and not throttled
        ):
            # not sent, after another call gave up: what that one was told (an unreadable
            # answer, a refusal), not a deadline this call never met
            return self._translate(seen, what)
        if last is None or isinstance(last, ReadTimeout | ConnectTimeout):
            return ServiceError(
                f"Identity Center at {self.client.meta.endpoint_url} did not answer {what} within "
                f"{seconds} (session {label}): try again later, or allow longer with "
                "`request_deadline` in config.toml"
            )
        return self._translate(last, what)  # what the call that gave up was told

    def _throttling(self) -> bool:
        """Whether the last failure of any call (`_last_failure`, a 429) came after the last
        answer: the service throttles still, rather than answers slowly."""
        return not self.deadlines.answered_since(self._last_failure_at)

    # -- one call -------------------------------------------------------------------------

    def _call(
        self,
        what: str,
        operation: str,
        params: dict[str, Any],
        *,
        no_access: str | None = None,
        first: Callable[[], bool] | None = None,
        account_id: str | None = None,
        later_page: bool = False,
    ) -> dict[str, Any]:
        """Run one portal call, paced, with retries, within the deadline; translate what
        still fails. `first`: once it says True, the call goes to the front of the pacer's
        line (the roles of the account the user looks at). `no_access`, `account_id`: see
        `_translate`. `later_page`: the call asks for a later page of a listing (it carries a
        page token): a refusal that is not about the login or the rate is `_PageRefused`."""
        if not self.deadlines.begin():  # a call just gave up unanswered: no use trying
            raise self._out_of_time(what, None)
        try:
            return self._attempts(what, operation, params, no_access, first, account_id, later_page)
        except ServiceError:  # not NotLoggedIn, NoAccess, ConfigError: those say it all
            self.deadlines.gave_up()
            raise

    def _attempts(
        self,
        what: str,
        operation: str,
        params: dict[str, Any],
        no_access: str | None,
        first: Callable[[], bool] | None,
        account_id: str | None,
        later_page: bool = False,
    ) -> dict[str, Any]:
        deadlines = self.deadlines
        tries: Counter[str] = Counter()
        last: CallFailed | None = None
        while True:
            self._held()
            pace = self.pacer.wait(tries["throttled"], first)
            self._held()  # a hold that began while this call waited for its turn
            left = deadlines.left()
            if deadlines.ran_late() or left < SHORTEST_ATTEMPT:
                raise self._out_of_time(what, last, tries.total())
            try:
                result = timed(
                    operation,
                    partial(
                        self.client.call, operation, timeout=left, accessToken=self._token, **params
                    ),
                )
            except SsotuiError:
                raise
            except CallFailed as exc:
                last = self._last_failure = exc
                self._last_failure_at = deadlines.now()
                if isinstance(exc, Refused) and not (exc.throttled or exc.server_error):
                    deadlines.got_through()  # a refusal: the service is there and answering
                if self._another_try(what, exc, tries, pace):
                    continue
                if isinstance(exc, ReadTimeout) and deadlines.left() < deadlines.seconds / 4:
                    # silent until the deadline was all but spent (attempts ended short of it
                    # by the client's own timeouts): said as every call the deadline ended
                    raise self._out_of_time(what, exc, tries.total()) from None
                if later_page and isinstance(exc, Refused) and _about_the_page(exc):
                    raise _PageRefused(exc) from None
                raise self._translate(
                    exc, what, no_access=no_access, account_id=account_id
                ) from None
            except Exception as exc:  # not the transport's: a bug, still one line for the user
                raise self._failed(what, exc) from None
            self.pacer.succeeded(pace)
            deadlines.got_through()
            return result

    def _asked_to_wait(self, what: str, cause: Refused, seconds: float) -> ServiceError:
        """The line for a call the service (`cause`) asked not to send again for `seconds`,
        longer than a call may take: said at once, rather than after the deadline."""
        from tui.durations import span

        doing = (
            f"is throttling {what}"
            if cause.throttled
            else f"answered {what} with HTTP {cause.status}"
        )
        return ServiceError(
            f"Identity Center {doing} and asked for no call for the next "
            f"{span(timedelta(seconds=math.ceil(seconds)))} (session {self.session.label}): "
            "try again then"
        )

    def _asked_past_deadline(self, what: str, cause: Refused, seconds: float) -> ServiceError:
        """The line for a throttled call the service (`cause`) asked to wait `seconds` more,
        past what is left of its deadline: the time it actually took, and the service's word."""
        from tui.durations import span

        return ServiceError(
            f"Identity Center kept throttling {what} ({_throttle_words(cause)}) for "
            f"{self.deadlines.spent():.1f} s, then asked for no call for the next "
            f"{span(timedelta(seconds=math.ceil(seconds)))}, past the {self.deadlines.seconds:g} "
            f"s a call may take (session {self.session.label}): "
            "wait a minute and try again"
        )

    def _held(self) -> None:
        """Wait while the owner holds the calls (raises CallsStopped once it stops them)."""
        if self.switch is not None:
            self.deadlines.held(self.switch.wait_for_go())

    def _another_try(self, what: str, exc: CallFailed, tries: Counter[str], pace: int) -> bool:
        """Whether `exc` is worth another attempt; the pacing or backoff before it is done.
        A refusal that says when to call again (`_wait_asked`) is waited out first; one past
        the deadline ends the call (past any deadline: said as the service's word)."""
        if isinstance(exc, Refused) and exc.throttled:
            self.pacer.throttled(pace)
            kind, limit = "throttled", self.throttle_retries
        elif isinstance(exc, Refused) and exc.server_error:
            kind, limit = "failed", SERVER_ERROR_RETRIES
        elif isinstance(exc, TransportError) and exc.retryable:
            kind, limit = "dropped", NETWORK_RETRIES
        else:
            return False
        tries[kind] += 1
        if tries[kind] > limit:
            return False
        hint = _wait_asked(exc)
        if isinstance(exc, Refused) and hint is not None:
            if self.deadlines.pause(hint):
                return True  # and then for the pacer, as any retry
            if hint >= self.deadlines.seconds:
                raise self._asked_to_wait(what, exc, hint)
            if exc.throttled:
                raise self._asked_past_deadline(what, exc, hint)
            raise self._out_of_time(what, exc, tries.total())
        if kind != "throttled":  # a 429 waits for the pacer instead
            delay = _jitter.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2 ** tries[kind]))
            if not self.deadlines.pause(delay):
                raise self._out_of_time(what, exc, tries.total())
        return True

    def _pages(
        self,
        what: str,
        operation: str,
        params: dict[str, Any],
        items: str,
        key: str,
        first: Callable[[], bool] | None = None,
        account_id: str | None = None,
        restart: Callable[[], object] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Pages of a `nextToken` listing (`items`: the member that holds each page's items,
        `key`: the member that names an item); a failed page is retried from where it stopped.

        A later page refused for what it asks (an InvalidRequestException or a 404 for its
        page token: expired, or no longer the service's) starts the listing again from its
        first page, once, after `restart` (the caller forgets what the pages gave it so far);
        refused again, the listing fails (ServiceError): the answer is about the page, not
        about the account or the user, and another try later may list it all.
        """
        try:
            yield from self._listing(what, operation, params, items, key, first, account_id)
            return
        except _PageRefused:
            pass  # --debug shows the refused call (`tui.aws.call_log`), then the first page
        if restart is not None:
            restart()
        try:
            yield from self._listing(what, operation, params, items, key, first, account_id)
        except _PageRefused as refused:
            failure = refused.failure
            raise ServiceError(
                f"Identity Center refused a later page of {what} ({failure.code or failure.status}"
                f"{service_said(failure.message)}), again after starting over from the first page "
                f"(session {self.session.label}): try again later"
            ) from None

    def _listing(
        self,
        what: str,
        operation: str,
        params: dict[str, Any],
        items: str,
        key: str,
        first: Callable[[], bool] | None,
        account_id: str | None,
    ) -> Iterator[dict[str, Any]]:
        """One pass of `_pages`, from the first page; `_PageRefused` for a later page refused.

        (botocore's paginator cannot resume after an exception without re-listing what was
        already yielded, so the token is followed here.) Every token is remembered: one that
        comes back means the listing goes round, and PageRepeated ends it after the pages
        already yielded. Past `max_pages`, or after `STALE_PAGES_IN_A_ROW` pages that list
        nothing new yet point to another, it fails (ServiceError).
        """
        next_token: str | None = None
        seen: set[str] = set()
        named: set[str] = set()  # the items listed so far, by `key`
        stale = 0
        for _page_number in range(1, self.max_pages + 1):
            kwargs = {**params, "maxResults": self.page_size, "nextToken": next_token}
            page = self._call(
                what,
                operation,
                kwargs,
                first=first,
                account_id=account_id,
                later_page=next_token is not None,
            )
            yield page
            try:
                token = text(page.get("nextToken"))
            except TypeError:
                raise self._malformed(operation) from None
            if not token:
                return
            before = len(named)
            named.update(_names(page.get(items), key))
            stale = 0 if len(named) > before else stale + 1
            if stale >= STALE_PAGES_IN_A_ROW:
                raise ServiceError(
                    f"Identity Center sent {stale} pages in a row of {what} that listed nothing "
                    f"new, each pointing to another (session {self.session.label}): stopped; "
                    "try again later"
                )
            next_token = token
            if next_token in seen:
                # the service's own answer, not a failure: a page of its listing points back
                # to an earlier one; what came before stands
                raise self._repeated(what, "the list stops there, with what came before")
            seen.add(next_token)
        raise ServiceError(
            f"Identity Center had still more pages of {what} after {self.max_pages:,} (session "
            f"{self.session.label}): stopped; try again later"
        )

    # -- the API --------------------------------------------------------------------------

    def list_accounts(self, *, first: Callable[[], bool] | None = None) -> Iterator[list[Account]]:
        """Every account the user can reach, one list per ListAccounts page (`first`: see
        `_call`); after the pages before one that repeats, PageRepeated."""
        listed: set[str] = set()  # ids: a page may list an account an earlier one did
        pages = self._pages("ListAccounts", "ListAccounts", {}, "accountList", "accountId", first)
        try:
            for page in pages:
                try:
                    # Every member of AccountInfo is optional in the model: an entry without an
                    # id names no account that roles or credentials could be asked for, and is
                    # passed over rather than failing the whole list.
                    accounts = [
                        Account(
                            account_id=account_id,
                            name=shown_text(item.get("accountName")),
                            email=shown_text(item.get("emailAddress")),
                        )
                        for item in page.get("accountList") or []
                        if (account_id := text(item.get("accountId")))
                    ]
                except (KeyError, TypeError, AttributeError):
                    raise self._malformed("ListAccounts") from None
                listed.update(a.account_id for a in accounts)
                yield accounts
        except PageRepeated:
            raise self._repeated(
                "the accounts list",
                f"it stops at the {counted(len(listed), 'account')} listed before it",
            ) from None

    def list_roles(
        self, account_id: str, *, first: Callable[[], bool] | None = None
    ) -> tuple[str, ...]:
        """The role names the user can take in one account (`first`: see `_call`);
        AccountRefused when Identity Center refuses that account; a 401 is NotLoggedIn only
        when ListAccounts confirms it (`_unauthorized_for`)."""
        what = f"the roles of account {account_id}"
        try:
            return self._list_roles(account_id, what, first)
        except NotLoggedIn as lost:
            raise self._unauthorized_for(what, lost) from None

    def _list_roles(
        self, account_id: str, what: str, first: Callable[[], bool] | None
    ) -> tuple[str, ...]:
        names: list[str] = []
        pages = self._pages(
            what,
            "ListAccountRoles",
            {"accountId": account_id},
            "roleList",
            "roleName",
            first,
            account_id,
            restart=names.clear,
        )
        try:
            for page in pages:
                try:
                    # roleName is optional in RoleInfo: an entry without one names no role
                    names.extend(
                        name
                        for item in page.get("roleList") or []
                        if (name := text(item.get("roleName")))
                    )
                except (KeyError, TypeError, AttributeError):
                    raise self._malformed("ListAccountRoles") from None
        except PageRepeated:
            found = tuple(sorted(set(names), key=name_order))
            listed = f"{len(found)} role" + ("" if len(found) == 1 else "s")
            raise self._repeated(
                what,
                f"the account shows the {listed} listed before it",
                note=f"Identity Center repeated a page of its roles: {listed} listed before it",
                found=found,
            ) from None
        return tuple(sorted(set(names), key=name_order))

    def role_credentials(self, account: Account, role_name: str) -> RoleCredentials:
        """Short-lived credentials for one role (NoAccess when it is not assigned; a 401 is
        NotLoggedIn only when ListAccounts confirms it, `_unauthorized_for`)."""
        what = f"role {role_name} in account {account.label_with_id}"
        try:
            response = self._call(
                what,
                "GetRoleCredentials",
                {"roleName": role_name, "accountId": account.account_id},
                no_access=(
                    f"no access to role {role_name} in account {account.label_with_id}: the "
                    "permission set is not (or no longer) assigned to you; ask your "
                    "administrator, or run `ssotui list --refresh`"
                ),
            )
        except NotLoggedIn as lost:
            raise self._unauthorized_for(what, lost) from None
        try:
            creds: Any = response["roleCredentials"]
            hide(creds.get("secretAccessKey"), creds.get("sessionToken"))
            stated = creds["expiration"]
            if isinstance(stated, bool):  # no time: int() would make it 1 ms after 1970
                raise TypeError("a boolean where a time belongs")
            stated_ms = int(stated)
            if 0 < stated_ms < SECONDS_BELOW:
                stated_ms *= 1000
            fetched = RoleCredentials(
                account=account,
                role_name=role_name,
                access_key_id=required_text(creds["accessKeyId"]),
                secret_access_key=required_text(creds["secretAccessKey"]),
                session_token=required_text(creds["sessionToken"]),
                expiration=datetime.fromtimestamp(stated_ms / 1000, UTC),
                region=self.session.default_region,
                session_label=self.session.label,
            )
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError, OSError):
            # (AttributeError: roleCredentials no object; OSError: a date the platform cannot
            # hold)
            raise self._malformed("GetRoleCredentials") from None
        # An empty key is none to every consumer: botocore then takes the next credentials in
        # its chain (a [default] profile, an instance role), and a command would run as those.
        empty = [key for key in _CREDENTIAL_MEMBERS if not str(creds[key]).strip()]
        if empty:
            raise ServiceError(
                f"Identity Center gave credentials for role {role_name} in account "
                f"{account.label_with_id} with an empty {' and '.join(empty)}: nothing was kept "
                "or run; try again later"
            )
        now = utcnow()
        return clock_checked(expiry_checked(fetched, stated_ms, now), now)

    def _unauthorized_for(self, what: str, lost: NotLoggedIn) -> SsotuiError:
        """What a 401 to a call about one account (`what`) means: `lost` (the login is over,
        and the door renews or drops the token) only when ListAccounts, which is about no
        account, answers 401 too; else a failure of that account, the token kept. A service may
        answer 401 for one account (its access just removed) while the login works: the token
        file is the AWS CLI's too, and botocore never deletes it on a 401. One ListAccounts
        asked after a 401 answers for every 401 that came before it began.
        """
        checked = self._checks_begun  # the checks begun before this 401 say nothing of it
        works = "while ListAccounts still worked"
        with self._login_check:
            if self._login_lost:
                return lost
            if self._login_seen_working <= checked:  # no check since the 401: ask
                self._checks_begun += 1
                number = self._checks_begun
                try:
                    self._call("ListAccounts", "ListAccounts", {"maxResults": 1})
                except NotLoggedIn:
                    self._login_lost = True
                    return lost
                except SsotuiError:  # no answer either way: the token is kept all the same
                    works = "and ListAccounts, asked whether the login still works, failed"
                else:
                    self._login_seen_working = number
        return ServiceError(
            f"Identity Center answered 401 (unauthorized) to {what} {works} (session "
            f"{self.session.label}): try again later, and if it persists ask your "
            "administrator about your access to that account"
        )

    def logout(self) -> bool:
        """End the portal session (the token stops working): True; False when the service says
        the token was already dead (401), which is no error."""
        try:
            self._call("Logout", "Logout", {})
        except NotLoggedIn:
            return False
        return True

    def _repeated(
        self, what: str, kept: str, *, note: str = "", found: tuple[str, ...] = ()
    ) -> PageRepeated:
        """The line for a listing that goes round (`kept`: what the user is shown of it)."""
        return PageRepeated(
            f"Identity Center repeated a page of {what} (session {self.session.label}): {kept}; "
            "run `ssotui list --refresh` later",
            note=note or f"Identity Center repeated a page of {what}",
            found=found,
        )

    def _malformed(self, operation: str) -> ServiceError:
        return ServiceError(
            f"Identity Center sent an unreadable {operation} answer (session "
            f"{self.session.label}): try again later"
        )
