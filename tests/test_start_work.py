"""What a command does before its work begins, where every millisecond is paid by each run:
`credential-process` runs once per AWS SDK client, and Terraform starts many."""

from __future__ import annotations

import os
import subprocess
import sys

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
