"""The standard library's `inspect`, loaded when something first uses it rather than when
`dataclasses` is imported.

`dataclasses` imports `inspect` (and with it `ast`, `dis`, `tokenize`, ...) for one thing: the
signature it writes as the docstring of a dataclass that has none. Every dataclass of ssotui has
a docstring, so a command never uses it, and loading it was ~20 M instructions of every
command that reads its settings: 8 % of a `credential-process` that finds its credentials kept
(which an AWS SDK runs for every client), 7 % of a cached `list`, 4 % of a `list --refresh`
(callgrind, instructions of the whole process, 300 accounts).

`install` puts a stand-in under the name until then: a module whose first attribute looked up
loads the real one (thread-safe; `from inspect import x` looks one up too) and takes its
attributes, so everything that imported the stand-in reads the real functions. The picker loads
it at once (Textual uses it), which changes nothing there. Only `tui.cli.run` installs it: a
process that imports ssotui's modules (the tests, the benchmark) gets `inspect` as usual.
"""

from __future__ import annotations

import _thread
import sys
import types
from typing import Any

NAME = "inspect"
_lock = _thread.allocate_lock()  # (`threading` is more to import than this saves)


class _OnFirstUse(types.ModuleType):
    """Stands for `inspect` until an attribute of it is looked up."""

    def __getattr__(self, name: str) -> Any:  # only for names not (yet) set here
        real = _load(self)
        try:
            return getattr(real, name)
        except AttributeError:
            raise AttributeError(f"module {NAME!r} has no attribute {name!r}") from None


def _load(stand_in: _OnFirstUse) -> types.ModuleType:
    with _lock:
        if sys.modules.get(NAME) is stand_in:
            del sys.modules[NAME]
        import inspect as real  # the module itself, now that the stand-in is out of the way

        stand_in.__dict__.update(vars(real))  # (its spec and file too: it reads as the real one)
        return real


def install() -> None:
    """Stand in for `inspect` when nothing has loaded it yet."""
    if NAME not in sys.modules:
        sys.modules[NAME] = _OnFirstUse(NAME, "loaded on first use (tui.lazy_inspect)")


def loaded() -> bool:
    """Whether the real `inspect` has been loaded."""
    module = sys.modules.get(NAME)
    return module is not None and not isinstance(module, _OnFirstUse)
