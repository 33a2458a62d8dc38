"""A 429 storm before anything got through: the status line and `list`'s progress line say the
fetch is throttled and waits, not a pace Identity Center never allowed ("throttled to 20 calls/s"
was the storm's back-off, one call every 50 ms)."""

from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Any

from tests.pacing import Clock
from tui.app.model import CatalogModel
from tui.app.widgets.status import StatusLine
from tui.aws.catalog import _RolePipeline, fetch_catalog
from tui.aws.catalog_events import AccountsPage, CatalogEvent, Paced
from tui.aws.throttle import Pacer
from tui.models import SsoSession, Token
from tui.sim import Simulator

WAITING = "throttled: waiting for Identity Center to let a call through"


def _pipeline(pacer: Pacer, said: list[CatalogEvent]) -> _RolePipeline:
    portal: Any = SimpleNamespace(pacer=pacer)
    return _RolePipeline(portal, pool=None, emit=said.append, previous=None)  # type: ignore[arg-type]


def test_a_storm_is_said_as_a_wait_then_as_over_once_a_call_gets_through() -> None:
    clock = Clock(100.0)
    pacer = Pacer(clock=clock, sleep=lambda s: setattr(clock, "now", clock.now + s))
    said: list[CatalogEvent] = []
    pipeline = _pipeline(pacer, said)
    pacer.throttled(pacer.wait())  # a 429 before anything got through
    pipeline.say_pace()
    assert pacer.rate is not None  # its back-off, not a pace allowed
    for _ in range(3):  # refused again: the back-off changes, nothing new to say
        pacer.throttled(pacer.wait())
        pipeline.say_pace()
    assert [event.words() for event in said if isinstance(event, Paced)] == [WAITING]
    model = CatalogModel()
    model.start_fetch()
    model.apply(said[-1])
    status = StatusLine("dev")
    status.progress = model.progress
    assert WAITING in [part.full for part in status.parts()]
    assert not [part.full for part in status.parts() if "calls/s" in part.full]
    pacer.succeeded(pacer.wait())  # through at last: no pace known until the next 429
    pipeline.say_pace()
    assert isinstance(said[-1], Paced) and not said[-1].throttled
    model.apply(said[-1])
    status.progress = model.progress
    assert not [part.full for part in status.parts() if "throttled" in part.full]


def test_a_storm_on_the_first_page_of_accounts_is_said_while_it_waits(
    sim: Simulator, session: SsoSession, token: Token
) -> None:
    """Refused from the first call, the accounts listing waited seconds for its first page
    saying nothing but "loading accounts…": the pace was said only between role listings."""
    sim.set(rate_limit=0.4, limiter="empty-bucket")  # the first call gets through after ~2.5 s
    events: list[CatalogEvent] = []

    def seen(event: CatalogEvent) -> None:
        events.append(event)
        if isinstance(event, AccountsPage):
            sim.set(rate_limit=None)  # (the rest of the fetch need not crawl)

    fetch_catalog(session, token, on_event=seen, concurrency=2, environ=os.environ)
    first_page = next(n for n, e in enumerate(events) if isinstance(e, AccountsPage))
    said = [e for e in events[:first_page] if isinstance(e, Paced)]
    assert said and said[0].words() == WAITING
