"""`python -m tui.bench.login_bench [--repeats N]`: how long ssotui's own part of a login takes.

Against the local simulator (approve="auto", the simulator's headless browser following the
redirect), so the figures are ssotui's work plus loopback HTTP, not a person's click: the time
to a browser page that can be opened, and whole logins with each flow.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import time
from collections.abc import Callable

from tui.aws.browser_login import BrowserLogin, start_browser_login
from tui.aws.flow_choice import Flow
from tui.aws.login_flows import LoginEvent, log_in
from tui.aws.token_cache import registration_path
from tui.bench.table import Section, machine, render, seconds
from tui.bench.workspace import open_workspace
from tui.paths import Paths
from tui.sim import Organisation
from tui.sim.headless import open_headless


def _quiet(_event: LoginEvent) -> None:
    """Show nothing."""


def _median(repeats: int, run: Callable[[], object], before: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        before()
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    """Print the login figures."""
    parser = argparse.ArgumentParser(prog="python -m tui.bench.login_bench")
    parser.add_argument("--repeats", type=int, default=15, help="runs per figure (median)")
    args = parser.parse_args(argv)
    section = Section("login against the local simulator (median)")
    with open_workspace(Organisation.generate(accounts=5)) as ws:
        session = ws.session
        here = Paths.from_environ(os.environ)

        def forget_registration() -> None:
            with contextlib.suppress(FileNotFoundError):
                registration_path(here, session, browser=True).unlink()

        def browser_login() -> object:
            return log_in(here, session, force=True, announce=_quiet, open_url=open_headless)

        def device_login() -> object:
            return log_in(
                here, session, flow=Flow.DEVICE_CODE, force=True, announce=_quiet, open_url=None
            )

        pending: list[BrowserLogin] = []

        def page_ready() -> None:
            pending.append(start_browser_login(here, session))

        def close_pending() -> None:
            while pending:
                pending.pop().close()

        browser_login()  # a browser registration in the cache
        section.add(
            "browser page ready to open (listener bound, URL built)",
            seconds(_median(args.repeats, page_ready, close_pending)),
        )
        close_pending()
        section.add(
            "browser login, registration cached",
            seconds(_median(args.repeats, browser_login, lambda: None)),
        )
        section.add(
            "browser login, new registration",
            seconds(_median(args.repeats, browser_login, forget_registration)),
        )
        device_login()
        section.add(
            "device code login (interval 0), registration cached",
            seconds(_median(args.repeats, device_login, lambda: None)),
        )
    print(machine())
    print(render([section]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
