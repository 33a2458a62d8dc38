"""`inspect` is loaded when something first uses it, not when `dataclasses` imports it.

`dataclasses` imports `inspect` (with `ast`, `dis`, `tokenize` and `linecache`) for one thing:
the docstring it writes for a dataclass that has none. Every command imports `dataclasses`
before its first portal call, so that import was on the path of each one, though no command
of ssotui uses `inspect`: 19 M instructions of a second `credential-process` (7 %), 15 M of a
`list --refresh` (whose thread pool still loads `tokenize` through `logging`). Textual does
use it, and loads it at its first use, as does `dataclasses` for a class without a
docstring.

Not `importlib.util.LazyLoader`: in Python 3.11 a second `import inspect` looks at the lazy
module's `__spec__`, which loads it, and its first attribute is not safe from two threads.
"""

from __future__ import annotations

import sys
import threading
import types
from typing import Any

_NAME = "inspect"
_lock = threading.Lock()


class _Later(types.ModuleType):
    """Stands in `sys.modules` for `inspect` until an attribute is asked for, then loads the
    real module, takes its attributes (for whoever bound this one) and hands it the place."""

    def __getattr__(self, name: str) -> Any:
        import importlib

        with _lock:
            if sys.modules.get(_NAME) is self:
                del sys.modules[_NAME]
        real = importlib.import_module(_NAME)  # a second thread waits for the first's import
        self.__dict__.update(vars(real))
        return getattr(real, name)


def defer() -> None:
    """Make `import inspect` bind a stand-in that loads it on its first attribute (nothing to
    do when it is loaded already)."""
    if _NAME in sys.modules:
        return
    from importlib.machinery import PathFinder

    stand_in = _Later(_NAME)
    stand_in.__spec__ = PathFinder.find_spec(_NAME)
    sys.modules[_NAME] = stand_in
