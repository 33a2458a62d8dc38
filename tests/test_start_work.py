"""What a command does before its work begins, where every millisecond is paid by each run:
`credential-process` runs once per AWS SDK client, and Terraform starts many."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# Runs `ssotui list` as the `ssotui` program does (`tui.cli.run`), with a handler that says
# what the collector was doing during the start and when the work begins.
_PROBE = """
import gc
import tui.cli

start = []

def handler_of(command):
    start.append(gc.isenabled())
    def handler(args, context):
        print(start[0], gc.isenabled(), gc.get_freeze_count() > 0, flush=True)
        return 0
    return handler

tui.cli._handler = handler_of
tui.cli.run()
"""


def test_the_collector_waits_for_the_start_and_runs_for_the_work() -> None:
    """The start (imports, command line, config.toml) allocates what lives as long as the
    process: the collector neither walks it while it is built nor ever after, and it is on
    for the command's work (a catalog fetch, `exec --renew` may run for hours)."""
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, "list"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    during_start, during_work, start_frozen = out.stdout.split()
    assert during_start == "False"
    assert during_work == "True"
    assert start_frozen == "True"


# Lines read by the parser of the one command they name, and lines that only look as if they
# named one (an option's value, an abbreviation, help, a usage error).
_LINES = [
    ["credential-process", "prod", "Admin"],
    ["credential-process", "--session", "dev", "123456789012", "Admin", "--region", "eu-west-1"],
    ["--session", "dev", "credential-process", "prod", "Admin"],
    ["--session=dev", "--debug", "export", "prod", "Admin", "--format", "fish"],
    ["--session", "list", "credential-process", "prod", "Admin"],
    ["--session", "list", "list"],
    ["--sess", "list", "credential-process", "prod", "Admin"],
    ["--start-url", "https://x.awsapps.com/start", "--sso-region", "eu-west-1", "list", "--json"],
    ["--refresh", "list"],
    ["--force", "list"],
    ["--refresh", "credential-process", "prod", "Admin"],
    ["--use-device-code", "login", "--force"],
    ["list", "--ref"],
    ["list", "--bogus"],
    ["lst"],
    ["credential-process"],
    ["credential-process", "prod"],
    ["credential-process", "-h"],
    ["exec", "-h"],
    ["exec", "prod", "--region", "eu-west-1", "Admin", "--", "aws", "s3", "ls"],
    ["export", "prod", "Admin", "--", "aws"],
    ["export", "--", "-team", "-Admin"],
    ["export", "prod", "-Admin"],
    ["exec", "--", "-team", "-Admin", "--", "-x"],
    ["console", "prod", "Admin", "--print", "--copy"],
    ["write-profile", "prod", "Admin", "--profile", "p"],
    ["populate", "--dry-run", "--prefix", "x-"],
    ["completion", "zsh"],
    ["completion", "tcsh"],
    ["--session"],
    ["--session", "-x", "list"],
    ["--debug"],
    ["-h"],
    ["--version"],
    ["--debug", "--version", "list"],
    [],
    ["demo", "--session", "x"],
    ["logout", "--purge"],
    ["doctor", "list"],
]


def _read(argv: list[str]) -> tuple[object, str, str]:
    """What `tui.cli.parse` made of `argv`: its namespace or its exit status, and what it
    printed."""
    import contextlib
    import io

    from tui.cli import parse

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            result: object = sorted(vars(parse(argv)).items())
        except SystemExit as exc:
            result = ("exit", exc.code)
    return result, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("argv", _LINES, ids=" ".join)
def test_a_line_is_read_as_the_whole_parser_reads_it(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the command the line names is built, and nothing a user sees changes: the values
    read, the usage errors and -h pages, word for word."""
    import tui.cli

    monkeypatch.setenv("COLUMNS", "100")
    quick = _read(argv)
    monkeypatch.setattr(tui.cli, "named_command", lambda words: None)
    assert quick == _read(argv)


def test_only_the_command_named_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    import tui.cli

    built: list[str] = []
    made = argparse._SubParsersAction.add_parser

    def add_parser(self: argparse._SubParsersAction, name: str, **kwargs: object) -> object:
        built.append(name)
        return made(self, name, **kwargs)

    monkeypatch.setattr(argparse._SubParsersAction, "add_parser", add_parser)
    tui.cli.parse(["--session", "dev", "credential-process", "prod", "Admin"])
    assert built == ["credential-process"]


def test_the_digests_are_hashlibs() -> None:
    import hashlib

    from tui import digests

    for data in (b"", b"dev", "sso-session Zürich".encode(), bytes(range(256)) * 9):
        assert digests.sha1(data).hexdigest() == hashlib.sha1(data).hexdigest()
        assert digests.sha256(data).digest() == hashlib.sha256(data).digest()
    whole = digests.sha256()
    whole.update(b"one ")
    whole.update(b"two")
    assert whole.hexdigest() == hashlib.sha256(b"one two").hexdigest()


def test_a_credential_process_loads_no_openssl() -> None:
    """hashlib loads OpenSSL and sets up all its algorithms; the names of cache files need
    two, which Python has built in (`tui.digests`)."""
    import importlib.util

    if importlib.util.find_spec("_sha1") is None or not (
        importlib.util.find_spec("_sha256") or importlib.util.find_spec("_sha2")
    ):
        pytest.skip("this Python hashes with OpenSSL alone")
    path = (
        "tui.cli tui.workspace.workspace tui.commands.credentials tui.store.credentials_cache "
        "tui.store.sign_ins tui.store.config_reads tui.aws.kept_sessions tui.aws.token_cache"
    )
    probe = f"import sys\nimport {', '.join(path.split())}\nprint('hashlib' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == ["False"]


def test_ascii_names_are_measured_as_rich_measures_them_without_loading_it() -> None:
    """`ssotui list` aligns its columns by terminal cells; names in ASCII or accented Latin
    (most) are measured without importing Rich, a cell a character as Rich counts them."""
    from rich.cells import cell_len

    from tui.text import cell_width, printable

    for code in range(128):
        shown = printable(chr(code))
        assert cell_width(chr(code)) == cell_len(shown)
    probe = (
        "import sys\nfrom tui.text import cell_width, pad\n"
        "assert cell_width('prod-payments') == 13 and pad('ab', 4) == 'ab  '\n"
        "assert cell_width('Kraków QA') == 9 and pad('Ñandú', 7) == 'Ñandú  '\n"
        "print('rich' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == ["False"]


def test_a_picker_on_a_fresh_cached_catalog_makes_no_fetch_event_classes() -> None:
    """Six dataclasses that only a running fetch sends: the picker, which fetches nothing
    while its cached catalog is fresh, shows its rows without making them."""
    probe = (
        "import sys\nimport tui.app.app, tui.app.model, tui.app.session_work\n"
        "print('tui.aws.catalog_events' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == ["False"]


# `ssotui list` as `ssotui` runs it, with a handler that says which modules the start loaded.
_LOADED_PROBE = """
import sys
import tui.cli

def handler_of(command):
    def handler(args, context):
        print(type(sys.modules["inspect"]).__name__, "ast" in sys.modules, "dis" in sys.modules)
        return 0
    return handler

tui.cli._handler = handler_of
tui.cli.run()
"""


def test_a_command_starts_without_loading_inspect() -> None:
    """`dataclasses` imports `inspect` (with `ast` and `dis`) for classes without a docstring;
    the start of a command defines dataclasses but never loads it (`tui.lazy_inspect`)."""
    out = subprocess.run(
        [sys.executable, "-c", _LOADED_PROBE, "list"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["_Later", "False", "False"]


_DEFERRED_PROBE = """
import sys, threading
from tui import lazy_inspect

lazy_inspect.defer()
import dataclasses
import inspect

@dataclasses.dataclass
class Pair:
    account: str
    role: int = 0

print(Pair.__doc__)
from inspect import isclass
print(isclass(Pair), str(inspect.signature(Pair)), sys.modules["inspect"].isclass is isclass)
"""

_THREADS_PROBE = """
import sys, threading
from tui import lazy_inspect

lazy_inspect.defer()
import inspect

start = threading.Barrier(16)
found = []

def look():
    start.wait()
    found.append(inspect.isfunction(look))

threads = [threading.Thread(target=look) for _ in range(16)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(found.count(True), sys.modules["inspect"].__name__, type(sys.modules["inspect"]).__name__)
"""


def test_inspect_loaded_later_is_inspect() -> None:
    """What binds the stand-in gets the real module's attributes at its first use: a dataclass
    without a docstring gets the one `dataclasses` writes, `from inspect import` works, and
    16 threads that use it first at the same moment all get it."""
    out = subprocess.run(
        [sys.executable, "-c", _DEFERRED_PROBE], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "Pair(account: str, role: int = 0)",
        "True (account: str, role: int = 0) -> None True",
    ]
    out = subprocess.run(
        [sys.executable, "-c", _THREADS_PROBE], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["16", "inspect", "module"]
