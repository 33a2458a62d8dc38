"""A standard stream the user closed (`>&-`, `2>&-`, `<&-`) stays closed for the command of
`ssotui exec`, as `env`, `sudo` and `aws-vault exec` leave it: the command sees what the user
gave it, never /dev/null in its place (where its output would vanish without an error)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.app_support import log_in, usable_role, with_roles
from tui.sim import Organisation, Simulator

# Writes what each of the descriptors 0, 1, 2 is when it starts: "open" or "closed".
_SAYS_WHICH_ARE_OPEN = """
import os, sys
said = []
for fd in (0, 1, 2):
    try:
        os.fstat(fd)
        said.append("open")
    except OSError:
        said.append("closed")
open(sys.argv[1], "w").write(" ".join(said))
"""

# The redirections, and the descriptors they close.
_CLOSED = {"<&-": {0}, ">&-": {1}, "2>&-": {2}, ">&- 2>&-": {1, 2}, "<&- >&- 2>&-": {0, 1, 2}}


@pytest.mark.parametrize("renew", [False, True], ids=["exec", "exec --renew"])
@pytest.mark.parametrize("closing", list(_CLOSED))
def test_a_closed_stream_stays_closed_for_the_command(
    sim: Simulator,
    sso_config: Path,
    org: Organisation,
    tmp_path: Path,
    closing: str,
    renew: bool,
) -> None:
    log_in()
    account = with_roles(org)
    said = tmp_path / "said"
    words = [
        f'"{sys.executable}" -m tui exec',
        "--renew" if renew else "",
        account.account_id,
        usable_role(account),
        f'-- "{sys.executable}" -c "$CHILD" "{said}"',
        closing,
    ]
    run = subprocess.run(
        ["bash", "-c", " ".join(words)],
        env={**os.environ, "CHILD": _SAYS_WHICH_ARE_OPEN},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    expected = ["closed" if fd in _CLOSED[closing] else "open" for fd in (0, 1, 2)]
    assert said.read_text().split() == expected
