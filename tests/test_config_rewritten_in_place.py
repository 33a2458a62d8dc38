"""`~/.aws/config` read while another program rewrites it in place (`aws configure set`: emptied,
then written): the read is made again, and the command goes on as if it had read the file
before or after. A file that is really malformed still fails, with the same one line."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.app_support import log_in
from tests.aws_cli_support import aws_cli
from tests.cli_here import ssotui_here as ssotui
from tests.conftest import here
from tui.aws.sessions import load_sessions
from tui.sim import Simulator

PROFILE = "\n[profile extra]\nsso_session = dev\nregion = eu-west-1\n"
PAUSE = 0.01  # seconds the writer leaves the file empty, then cut short, each time


@contextmanager
def slow_rewrites(path: Path, emptied: threading.Event, read: threading.Event) -> Iterator[None]:
    """A writer that rewrites `path` in place as `aws configure set` does, only slower: it
    empties the file (then sets `emptied`), writes its first five bytes (a header cut short:
    malformed), then the rest; and again once `read` is set, until the block ends."""
    text = path.read_text()
    done = threading.Event()

    def rewrite() -> None:
        while not done.is_set():
            with open(path, "w", encoding="utf-8") as handle:
                emptied.set()
                done.wait(PAUSE)
                handle.write(text[:5])
                handle.flush()
                done.wait(PAUSE)
                handle.write(text[5:])
            read.wait()
            read.clear()

    writer = threading.Thread(target=rewrite, daemon=True)
    writer.start()
    try:
        yield
    finally:
        done.set()
        read.set()
        writer.join()


@pytest.mark.parametrize("command", ["list", "credential-process"])
def test_a_command_reading_the_config_mid_rewrite_reads_it_whole(
    sim: Simulator, sso_config: Path, command: str
) -> None:
    log_in()
    account = sim.org.accounts[0]
    role = next(r.name for r in account.roles if not r.forbidden)
    args = {"list": ("list",), "credential-process": (command, account.account_id, role)}
    emptied, read = threading.Event(), threading.Event()
    with slow_rewrites(sso_config, emptied, read):
        for _ in range(5):
            emptied.wait()
            emptied.clear()
            run = ssotui(*args[command])  # reads the file while it is empty or cut short
            read.set()
            assert run.status == 0, run.err  # was: "… is malformed", "no SSO session …"


def test_botocore_reading_it_mid_rewrite_is_given_the_whole_file(
    sim: Simulator, sso_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """botocore (the portal client `SSOTUI_PORTAL_CLIENT=botocore`, SSO OIDC) reads the file
    itself: a rewrite caught by its read is read again too. The rewrite starts as botocore
    opens the file: the first five bytes at once (a header cut short), the rest a moment
    later."""
    import botocore.configloader

    log_in()
    text = sso_config.read_text()
    real_parse = botocore.configloader.raw_config_parse
    started: list[threading.Thread] = []

    def rewritten_as_read(path: str, *args: object, **kwargs: object) -> object:
        if Path(path) == sso_config and not started:
            with open(sso_config, "w", encoding="utf-8") as handle:
                handle.write(text[:5])
            rest = threading.Timer(PAUSE * 3, lambda: sso_config.write_text(text))
            started.append(rest)
            rest.start()
        return real_parse(path, *args, **kwargs)

    monkeypatch.setattr(botocore.configloader, "raw_config_parse", rewritten_as_read)
    run = ssotui("list", "--refresh", env={"SSOTUI_PORTAL_CLIENT": "botocore"})
    for thread in started:
        thread.join()
    assert started  # botocore did read it
    assert run.status == 0, run.err  # was: "the AWS config file … is malformed: fix it"


def test_a_malformed_file_still_fails_with_its_line(sso_config: Path) -> None:
    sso_config.write_text("[sso-session dev\nsso_region = us-east-1\n")
    run = ssotui("list")
    assert run.status != 0
    assert run.err == (
        f"ssotui: the AWS config file {sso_config}, line 1 is malformed (a [section] header "
        "without its closing ]): fix it; the AWS CLI cannot read it either\n"
    )


def test_reads_during_aws_configure_set_all_find_the_session(
    sso_config: Path, tmp_path: Path
) -> None:
    """The real consumer: the AWS CLI's own `configure set`, four times, read all along."""
    aws = aws_cli("2")
    sso_config.write_text(sso_config.read_text() + PROFILE)
    finished = threading.Event()
    failures: list[str] = []

    def configure() -> None:
        try:
            for n in range(4):
                subprocess.run(
                    [aws, "configure", "set", "region", f"eu-west-{n % 3 + 1}", "--profile",
                     "extra"],
                    env={**os.environ, "AWS_CONFIG_FILE": str(sso_config)},
                    check=True, capture_output=True, timeout=60,
                )  # fmt: skip
        except subprocess.SubprocessError as exc:  # said by the test, not lost in a thread
            failures.append(repr(exc))
        finally:
            finished.set()

    writer = threading.Thread(target=configure, daemon=True)
    writer.start()
    reads = missed = 0
    while not finished.is_set():
        reads += 1
        if [s.name for s in load_sessions(here())] != ["dev"]:
            missed += 1
    writer.join()
    assert not failures, failures
    assert "eu-west-1" in sso_config.read_text()  # the AWS CLI did write it
    assert (reads, missed) == (reads, 0)
