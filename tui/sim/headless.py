"""A browser for machines without one: visits a URL in a thread, following its redirects.

`ssotui demo` can give `open_headless` to the browser login as its `open_url`: with the
simulator's approve="auto", `/authorize` redirects at once to ssotui's loopback listener, so the
browser flow runs (and can be shown) headless, over SSH or with `BROWSER=true`.
"""

from __future__ import annotations

import contextlib
import threading
import urllib.request

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def open_headless(url: str) -> bool:
    """Visit `url` in the background (as `open_url` would in a browser); always True."""

    def visit() -> None:
        with contextlib.suppress(Exception), _OPENER.open(url, timeout=30) as answer:
            answer.read()

    threading.Thread(target=visit, name="ssotui-sim-browser", daemon=True).start()
    return True
