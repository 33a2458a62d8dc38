"""`inspect` waits until something uses it (`tui.lazy_inspect`): a command's start does not load
it, and whatever uses it gets the real module, from any thread."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# Runs the `ssotui` program (`tui.cli.run`) with a handler that says, once the command's work
# would begin, whether `inspect` has been loaded.
_START = """
import tui.cli
from tui import lazy_inspect

def handler_of(command):
    def handler(args, context):
        print(lazy_inspect.loaded(), flush=True)
        return 0
    return handler

tui.cli._handler = handler_of
tui.cli.run()
"""

# After the stand-in is installed: what the modules that use `inspect` get.
_USES = """
import sys
from tui import lazy_inspect

lazy_inspect.install()
import dataclasses
import inspect as first_import

assert not lazy_inspect.loaded()

@dataclasses.dataclass(frozen=True)
class Undocumented:
    name: str
    size: int = 0

# dataclasses writes the signature as the docstring of a class without one, as it always does
assert Undocumented.__doc__ == "Undocumented(name: str, size: int = 0)", Undocumented.__doc__
assert lazy_inspect.loaded()
import inspect
from inspect import signature

assert inspect is sys.modules["inspect"] and inspect.__file__.endswith("inspect.py")
assert first_import.signature is signature is inspect.signature
assert first_import.__spec__ is inspect.__spec__
try:
    first_import.no_such_thing
except AttributeError as exc:
    assert "no_such_thing" in str(exc)
else:
    raise AssertionError("no AttributeError")
print("ok")
"""

_THREADS = """
import threading
from tui import lazy_inspect

lazy_inspect.install()
import inspect as stand_in

start = threading.Barrier(8)
got = []

def use():
    start.wait()
    got.append(stand_in.isfunction(use))

threads = [threading.Thread(target=use) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
import inspect
assert got == [True] * 8 and stand_in.isfunction is inspect.isfunction, got
print("ok")
"""


def _python(code: str, *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


@pytest.mark.parametrize(
    "words",
    [
        ["credential-process", "prod", "Admin"],
        ["list", "--refresh"],
        ["export", "prod", "Admin"],
    ],
)
def test_a_command_starts_without_loading_inspect(words: list[str]) -> None:
    assert _python(_START, *words) == "False"


def test_what_uses_inspect_gets_the_real_module() -> None:
    assert _python(_USES) == "ok"


def test_threads_that_first_use_it_together_all_get_it() -> None:
    assert _python(_THREADS) == "ok"
