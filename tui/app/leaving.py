"""Quitting at once: worker threads still waiting on Identity Center are left behind.

`asyncio.run`, which `App.run` uses, waits on its way out for every thread of the loop's
default executor, where thread workers run: a quit while a call hangs on a bad network (up to
`request_deadline`, 15 s) left a blank terminal and no prompt until it answered. The CLI ends
the process with `os._exit` once the picker is gone, so a thread still running then is cut off:
work that is nearly done (a favourite being saved, a refreshed token being written) gets
`QUIT_GRACE` to finish; a call still waiting on the network does not hold the prompt longer.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

QUIT_GRACE = 1.0  # seconds the threads still running at a quit get to finish
_PREFIX = "ssotui-picker-worker"


class LeftBehind(ThreadPoolExecutor):
    """The loop's default executor: shutting it down waits `QUIT_GRACE` at most."""

    def __init__(self) -> None:
        super().__init__(thread_name_prefix=_PREFIX)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=False, cancel_futures=cancel_futures)
        if not wait:
            return
        deadline = time.monotonic() + QUIT_GRACE
        for thread in threading.enumerate():
            if thread.name.startswith(_PREFIX):
                thread.join(max(0.0, deadline - time.monotonic()))
