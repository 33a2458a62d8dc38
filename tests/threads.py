"""Running a blocking call beside the test: a login, a lock's holder."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def in_a_thread(run: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Run `run()` in a thread; its result (or exception) lands in the list."""
    out: list[Any] = []

    def target() -> None:
        try:
            out.append(run())
        except BaseException as exc:
            out.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, out
