"""Quitting at once: the worker threads still waiting on Identity Center are left behind.

`asyncio.run`, which `App.run` uses, waits on its way out for every thread of the loop's
default executor, where thread workers run: a quit while a call hangs on a bad network (up to
`request_deadline`, 15 s) left a blank terminal and no prompt until it answered. Whatever those
threads still finish is of no use to a picker that is gone, and what they write (the catalog
cache) is written whole or not at all; the CLI ends the process with `os._exit` in any case.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor


class LeftBehind(ThreadPoolExecutor):
    """The loop's default executor: shutting it down never waits for its threads."""

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=False, cancel_futures=cancel_futures)
