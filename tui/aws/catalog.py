"""The catalog: every account and role of a session, fetched as a pipeline, cached on disk.

ListAccounts pages are sequential by nature; each account's ListAccountRoles is submitted to a
bounded thread pool as soon as its page arrives, through one shared Portal (one connection
pool, one pacer for throttling), while the next page is already being fetched. A failure in one
account is recorded with its reason and the rest are kept; Identity Center's own refusal of
one account (`AccountRefused`) is recorded apart, as an answer (the account has no roles, and
is not retried before the next fetch), and so is a listing that goes round (`PageRepeated`:
an account keeps the roles listed before the repeat; a ListAccounts that repeats a page ends
there, its accounts kept, `Catalog.accounts_cut` saying so); a 401 that ListAccounts gives
too aborts the whole fetch with NotLoggedIn (one about an account alone fails that account).
Progress is reported as events, on the calling thread, for the picker to stream. The roles
of the account the user looks at (`tui.aws.roles_first`) go before the others, and a page of
accounts before any role call waiting for the pacer.

A refresh does not wait for the pages to learn what it already knows: the last catalog names
the accounts, so their roles are asked for from the start, beside the first page (`look_ahead`).
An account the pages then list takes the answer already on its way; one they no longer list
has its answer dropped; one new since is asked for when its page arrives. The roles of an
account are always its roles at this refresh, and the events keep their order (an account's
page, then its roles). Over TLS this also opens the connections while the first page is on its
way, rather than all at once when it arrives.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from typing import TYPE_CHECKING, Generic, TypeVar

from tui.aws.portal import Portal
from tui.errors import AccountRefused, NotLoggedIn, PageRepeated, SsotuiError
from tui.models import Account, Catalog, SsoSession, Token, name_order, utcnow

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

    from tui.aws.call_switch import CallSwitch
    from tui.aws.catalog_events import EventHandler, Paced
    from tui.aws.roles_first import RolesFirst

# Measured on the 2-core dev box (fetch only, own process, simulator in another, 40 ms per
# call, median of 5, direct portal client): 300 accounts: 32 workers 0.47 s, 64: 0.28 s,
# 96: 0.24 s, 128: 0.23 s, 256: 0.24 s (floor 0.17 s); 1,000 accounts: 32: 1.40 s, 64: 0.74 s,
# 96: 0.56 s, 128: 0.53 s, 256: 0.57 s (floor 0.47 s). Past ~96 the gain is noise and the load
# on the service grows. `concurrent_requests` in config.toml changes it.
DEFAULT_CONCURRENCY = 96
DEFAULT_DEADLINE = 15.0  # seconds one portal call may take (`request_deadline`)
# Throttled, the pace is said again when it has changed by this much (it moves by a percent or
# two at every answer), and looked at this often while no answer comes (a limiter shut tight).
PACE_CHANGE = 0.1
PACE_LOOK = 1.0  # seconds

T = TypeVar("T")


class _RolePipeline:
    """ListAccountRoles for accounts as they arrive, with results drained on the caller.

    Accounts wait in order for a free worker, but the one `first` names (the account the
    user looks at) is taken before them, and its call waiting for the pacer goes to the
    front of the pacer's line. One worker task per account asked for: none is lost.
    """

    def __init__(
        self,
        portal: Portal,
        pool: ThreadPoolExecutor,
        emit: EventHandler,
        previous: Catalog | None,
        first: RolesFirst | None = None,
    ) -> None:
        self.portal = portal
        self.pool = pool
        self.emit = emit
        self.previous = previous
        self.first = first
        self.roles: dict[str, tuple[str, ...]] = {}
        self.failed: dict[str, str] = {}
        self.refused: dict[str, str] = {}
        self.incomplete: dict[str, str] = {}
        self._done: queue.Queue[tuple[str, Future[tuple[str, ...]]]] = queue.Queue()
        self._pending = 0
        self._ahead: dict[str, Future[tuple[str, ...]]] = {}  # asked before any page listed it
        self._waiting: dict[str, Future[tuple[str, ...]]] = {}  # for a worker, in order
        self._lock = threading.Lock()
        self._pace_said: Paced | None = None

    def look_ahead(self, accounts: Iterable[Account]) -> None:
        """Ask for the roles of accounts known from before, ahead of the pages that list them."""
        for account in accounts:
            if account.account_id not in self._ahead:
                self._ahead[account.account_id] = self._ask(account.account_id)

    def submit(self, accounts: Iterable[Account]) -> None:
        """The roles of accounts a page listed: the answer asked for ahead, else a new call."""
        for account in accounts:
            future = self._ahead.pop(account.account_id, None)
            if future is None:
                future = self._ask(account.account_id)
            future.add_done_callback(partial(self._finished, account.account_id))
            self._pending += 1

    def _ask(self, account_id: str) -> Future[tuple[str, ...]]:
        """The roles of `account_id`, listed by the next free worker (in order, but the
        account looked at first)."""
        from concurrent.futures import Future

        with self._lock:
            future = self._waiting.get(account_id)
            if future is not None:  # asked already, not started: one call answers both
                return future
            future = self._waiting[account_id] = Future()
        self.pool.submit(self._list_next)
        return future

    def _list_next(self) -> None:
        """A worker's task: list the roles of the account looked at, if it waits, else of
        the one that has waited longest."""
        first = self.first
        with self._lock:
            wanted = first.account_id if first is not None else None
            account_id = wanted if wanted in self._waiting else next(iter(self._waiting))
            future = self._waiting.pop(account_id)
        if not future.set_running_or_notify_cancel():  # asked ahead and no longer wanted
            return
        try:
            hurry = None if first is None else partial(first.wants, account_id)
            future.set_result(self.portal.list_roles(account_id, first=hurry))
        except BaseException as exc:  # handed over, raised on the draining thread
            future.set_exception(exc)

    def learnt(self) -> bool:
        """Whether Identity Center answered for any account's roles (listed, refused, or
        listed in part): False when every listing failed."""
        return any(account_id not in self.failed for account_id in self.roles)

    def drop_ahead(self) -> None:
        """The pages are all in: what was asked ahead for accounts they did not list is not
        wanted (not yet sent: not sent at all; answered: ignored, whatever it said)."""
        for future in self._ahead.values():
            future.cancel()
        self._ahead.clear()

    def _finished(self, account_id: str, future: Future[tuple[str, ...]]) -> None:
        self._done.put((account_id, future))

    def say_pace(self) -> None:
        """`Paced` when the portal is first throttled, then when its pace has changed; in a
        storm (every call refused so far) once, as a wait, its back-off being no pace allowed;
        when it is over and no pace is known yet, that nothing is throttled now."""
        from tui.aws.catalog_events import Paced

        pacer, said = self.portal.pacer, self._pace_said
        rate, waiting = pacer.rate, pacer.backing_off
        if waiting:
            news = said is None or not said.waiting
        elif rate is None:
            news = said is not None and said.throttled
        else:
            before = said.rate if said is not None and not said.waiting else None
            news = before is None or abs(rate - before) >= PACE_CHANGE * before
        if news:
            self._pace_said = Paced(None if waiting else rate, waiting=waiting)
            self.emit(self._pace_said)

    def drain(self, *, wait: bool) -> None:
        """Handle finished lookups: all of them (wait) or those already done."""
        from tui.aws.catalog_events import RolesFailed, RolesIncomplete, RolesLoaded, RolesRefused

        while self._pending:
            self.say_pace()
            try:
                account_id, future = self._done.get(block=wait, timeout=PACE_LOOK)
            except queue.Empty:
                if wait:  # nothing came back for a while: the pace may have changed
                    continue
                return
            self._pending -= 1
            exc = future.exception()
            if exc is None:
                roles = future.result()
                self.roles[account_id] = roles
                self.emit(RolesLoaded(account_id, roles))
            elif isinstance(exc, NotLoggedIn):
                raise exc
            elif isinstance(exc, AccountRefused):
                # Identity Center's own answer: the roles known from before are not shown as
                # if the user still had them, and asking again at once would get it again.
                self.roles[account_id] = ()
                self.refused[account_id] = exc.note
                self.emit(RolesRefused(account_id, exc.note))
            elif isinstance(exc, PageRepeated):
                # the service's answer too: the roles listed before the repeat are what it
                # gives, and asking again at once would go round again
                self.roles[account_id] = exc.found
                self.incomplete[account_id] = exc.note
                self.emit(RolesIncomplete(account_id, exc.found, exc.note))
            elif isinstance(exc, SsotuiError):
                self.failed[account_id] = exc.message
                if self.previous is not None:
                    self.roles[account_id] = self.previous.roles_of(account_id)
                self.emit(RolesFailed(account_id, exc.message))
            else:
                raise exc


def _always() -> bool:
    return True


class _ReadAhead(Generic[T]):
    """The items of `pages`, fetched on a thread of their own from the moment this is built.

    ListAccounts pages are the pipeline's critical path: the first is asked for before the
    worker pool exists, and each next one the moment the last arrives, not after its accounts
    have been handed to the workers (which cost a page about 30 ms here). Throttled, a page
    call waiting for the pacer goes to the front of its line (`fetch_catalog` asks so), not
    behind the role calls of the accounts already listed: until a page arrives its accounts
    are not even shown. `close` stops it.
    """

    def __init__(self, pages: Iterator[T]) -> None:
        self._pages = pages
        self._box: queue.Queue[tuple[list[T], BaseException | None]] = queue.Queue()
        self._stop = threading.Event()
        threading.Thread(target=self._produce, name="ssotui-accounts", daemon=True).start()

    def _produce(self) -> None:
        try:
            for page in self._pages:
                self._box.put(([page], None))
                if self._stop.is_set():
                    return
        except BaseException as exc:  # handed over, raised on the reading thread
            self._box.put(([], exc))
        else:
            self._box.put(([], None))  # the end

    def read(self, idle: Callable[[], object]) -> Iterator[T]:
        """The pages as they come; while none does, `idle` every PACE_LOOK seconds (a page
        throttled for seconds: the pace, or the wait of a storm, is said meanwhile)."""
        while True:
            try:
                items, error = self._box.get(timeout=PACE_LOOK)
            except queue.Empty:
                idle()
                continue
            if error is not None:
                raise error
            if not items:
                return
            yield items[0]

    def close(self) -> None:
        """Ask for no further page."""
        self._stop.set()


def _sorted(accounts: Iterable[Account]) -> tuple[Account, ...]:
    return tuple(sorted(accounts, key=lambda a: (name_order(a.label), a.account_id)))


def _run(
    portal: Portal,
    concurrency: int,
    emit: EventHandler,
    previous: Catalog | None,
    fill: Callable[[_RolePipeline], None],
    first: RolesFirst | None = None,
) -> _RolePipeline:
    from concurrent.futures import ThreadPoolExecutor  # here: after the first request left

    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="ssotui-roles")
    pipeline = _RolePipeline(portal, pool, emit, previous, first)
    try:
        fill(pipeline)
        pipeline.drain(wait=True)
    finally:
        # Nothing wanted is left: idle workers end on their own, and one still waiting on an
        # answer nobody wants (asked ahead, for an account no longer listed) is not waited for.
        pool.shutdown(wait=False, cancel_futures=True)
    return pipeline


def fetch_catalog(
    session: SsoSession,
    token: Token,
    *,
    on_event: EventHandler | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    previous: Catalog | None = None,
    portal: Portal | None = None,
    environ: Mapping[str, str] | None = None,
    deadline: float = DEFAULT_DEADLINE,
    switch: CallSwitch | None = None,
    first: RolesFirst | None = None,
) -> Catalog:
    """Fetch every account and its roles, pipelined; failures per account are recorded.

    `previous` (the last cached catalog) names the accounts whose roles are asked for ahead
    of their pages, and supplies the roles of an account whose listing failed this time (not
    when Identity Center refused it: the account is then `refused`, without roles).
    `first` names the account whose roles to list before the others (`tui.aws.roles_first`).
    Raises NotLoggedIn on a 401, ServiceError when ListAccounts itself fails, CallsStopped
    when `switch` (`tui.aws.call_switch`: the caller holds or stops the calls) was stopped.
    Without `portal`, one is made for `environ`, the caller's environment.
    """
    concurrency = max(1, concurrency)
    portal = portal or Portal(
        session, token, environ=environ, max_pool=concurrency, deadline=deadline, switch=switch
    )
    emit: EventHandler = on_event or (lambda _event: None)
    accounts: dict[str, Account] = {}
    cut = ""  # why the accounts listing stopped early (a page repeated), "" when it did not

    pages = _ReadAhead(portal.list_accounts(first=_always))

    def fill(pipeline: _RolePipeline) -> None:
        nonlocal cut
        if previous is not None:
            pipeline.look_ahead(previous.accounts)
        # The events' classes are made here, once the calls are on their way: six dataclasses
        # (~6 ms) that nothing needs before the first page is back.
        from tui.aws.catalog_events import AccountsPage

        try:
            for page in pages.read(pipeline.say_pace):
                # an account a page lists twice, or an earlier page listed, is announced once
                new = list({a.account_id: a for a in page if a.account_id not in accounts}.values())
                accounts.update((a.account_id, a) for a in new)
                emit(AccountsPage(tuple(new)))
                pipeline.submit(new)
                pipeline.drain(wait=False)
        except PageRepeated as exc:  # the accounts listed before it stand, with their roles
            cut = exc.message
        pipeline.drop_ahead()

    try:
        pipeline = _run(portal, concurrency, emit, previous, fill, first)
    finally:
        pages.close()
    fetched_at = utcnow()
    if previous is not None and pipeline.failed and not pipeline.learnt():
        # not one account's roles answered (a throttling storm): the roles shown are the
        # previous catalog's, and so is their age ("catalog 3h ago", not "just now")
        fetched_at = previous.fetched_at
    return Catalog(
        accounts=_sorted(accounts.values()),
        roles=pipeline.roles,
        fetched_at=fetched_at,
        failed=pipeline.failed,
        complete=not pipeline.failed,
        refused=pipeline.refused,
        incomplete=pipeline.incomplete,
        accounts_cut=cut,
    )


def retry_failed(
    session: SsoSession,
    token: Token,
    catalog: Catalog,
    *,
    on_event: EventHandler | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    portal: Portal | None = None,
    environ: Mapping[str, str] | None = None,
    deadline: float = DEFAULT_DEADLINE,
    switch: CallSwitch | None = None,
    first: RolesFirst | None = None,
) -> Catalog:
    """List again the roles of the accounts that failed last time (`first`'s before the
    others); the rest is kept (the accounts Identity Center refused too: not asked again)."""
    if not catalog.failed:
        return catalog
    concurrency = max(1, min(concurrency, len(catalog.failed)))
    portal = portal or Portal(
        session, token, environ=environ, max_pool=concurrency, deadline=deadline, switch=switch
    )
    emit: EventHandler = on_event or (lambda _event: None)
    by_id = {a.account_id: a for a in catalog.accounts}
    retry = [by_id[aid] for aid in catalog.failed if aid in by_id]
    pipeline = _run(portal, concurrency, emit, catalog, lambda p: p.submit(retry), first)
    roles = dict(catalog.roles)
    roles.update(pipeline.roles)
    return Catalog(
        accounts=catalog.accounts,
        roles=roles,
        fetched_at=catalog.fetched_at,
        failed=pipeline.failed,
        complete=not pipeline.failed,
        refused={**catalog.refused, **pipeline.refused},
        incomplete={**catalog.incomplete, **pipeline.incomplete},
        accounts_cut=catalog.accounts_cut,
    )
