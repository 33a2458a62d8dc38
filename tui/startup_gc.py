"""The garbage collector waits while ssotui starts: a command until it begins its work, the
picker until it has drawn.

Starting allocates a few hundred thousand objects that live as long as the picker does
(modules, Textual's styles and widgets, the catalog's rows). The cyclic collector walked them
again and again on the way: 35-40 ms of the start with 1,000 cached accounts and 50-70 ms with
10,000 on the 2-core dev box (timed with `gc.callbacks`). Reference counting still frees
everything else meanwhile. Once the first screen is drawn, what the start built is frozen
(`gc.freeze`: never walked again, as the main screen already does with long lists; merely
turning the collector back on would make its next pass walk all of it, ~25 ms just after the
first picture) and the collector runs as usual. When the picker closes, all of it is unfrozen,
so that a process that builds many pickers (the tests) can collect each one.

A command (`tui.cli.run`) waits the same way from its first line until its work begins, after
its imports, the command line and config.toml: 29 passes of the collector over what the
imports built were ~4 % of a `credential-process` that finds its credentials kept (its whole
work). What the start built is frozen there too, so a command that then runs for long (a
catalog fetch, `exec --renew`) never walks it again.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Turn the collector off for the start (nothing to do when it is off already)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Freeze what the start built and turn the collector back on (once; only after `pause`)."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def release() -> None:
    """The picker is closing: its objects (and everything frozen) can be collected again."""
    resume()
    gc.unfreeze()
