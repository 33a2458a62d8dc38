"""The signals a command run by `exec` starts with: the defaults, as from a shell, with and
without `--renew`. Python ignores SIGPIPE and SIGXFSZ for itself; a command that replaced
ssotui kept them ignored, so `yes | head -n 1` said "Broken pipe" and `kill -PIPE` did nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app_support import log_in, usable_role, with_roles
from tests.cli_helpers import ssotui
from tui.sim import Organisation, Simulator


@pytest.mark.parametrize("renew", [[], ["--renew"]], ids=["static", "renew"])
def test_a_pipeline_cut_short_ends_quietly(
    sim: Simulator, sso_config: Path, org: Organisation, renew: list[str]
) -> None:
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    run = ssotui("exec", *renew, account.account_id, role, "--", "sh", "-c", "yes | head -n 1")
    assert (run.status, run.out, run.err) == (0, "y\n", "")


@pytest.mark.parametrize("renew", [[], ["--renew"]], ids=["static", "renew"])
def test_a_command_ended_by_sigpipe_exits_141(
    sim: Simulator, sso_config: Path, org: Organisation, renew: list[str]
) -> None:
    log_in()
    account = with_roles(org)
    role = usable_role(account)
    run = ssotui("exec", *renew, account.account_id, role, "--", "sh", "-c", "kill -PIPE $$")
    # without --renew ssotui's process is the command's, which SIGPIPE ends: a shell says 141
    as_a_shell_says = 128 - run.status if run.status < 0 else run.status
    assert as_a_shell_says == 128 + 13, run.err
