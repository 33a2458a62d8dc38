"""`ssotui list | head -1`: a reader that goes away ends the listing quietly, as `ls | head`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.app_support import log_in
from tui.sim import Organisation


@pytest.fixture
def org() -> Organisation:
    """Enough accounts that the listing outgrows the pipe's buffer (64 KiB)."""
    return Organisation.generate(accounts=1500, seed=3)


@pytest.mark.parametrize("flags", ["", "--json"])
def test_a_closed_pipe_ends_quietly(sim: object, sso_config: Path, flags: str) -> None:
    log_in()
    script = f'"{sys.executable}" -m tui list {flags} | head -1; echo "status=${{PIPESTATUS[0]}}"'
    run = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, env=dict(os.environ), timeout=120
    )
    assert run.stdout.strip().endswith("status=0"), run.stdout[-200:]
    assert run.stderr == ""
