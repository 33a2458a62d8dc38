"""Pick first, then act: `ssotui exec`, `export` and `console` with no ACCOUNT/ROLE on a
terminal open the picker, and the command acts on the role picked there.

The picker is faked (as tests/test_app_setup.py does) to hold the command line to its contract
with the picker: `make_app(..., pick_for=Action, initial_filter=...)`, and `app.run()` returns
a `Picked(session, account, role, region)` or None; the rest is the real command against the
simulator.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.app_support import log_in
from tests.cli_helpers import ssotui
from tests.conftest import here
from tui.app.pick import Picked
from tui.aws.session_choice import chosen_session
from tui.aws.sessions import load_sessions
from tui.cli import main
from tui.export.subshell import SubshellPlan, run
from tui.models import Account, SsoSession, Token
from tui.sim import Organisation, SimAccount


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@dataclass
class FakePicker:
    """Stands in for `tui.app.make_app`: records how the picker was built, answers `run()`."""

    answer: object = None
    built: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, **kwargs: Any) -> FakePicker:
        self.built.append(kwargs)
        self.session = kwargs["session"]
        return self

    return_code = 0

    def run(self) -> object:
        if isinstance(self.answer, tuple):  # (account, role) picked in the session it opened on
            account, role = self.answer
            return Picked(self.session, account, role)
        return self.answer


@pytest.fixture
def picker(monkeypatch: pytest.MonkeyPatch) -> FakePicker:
    """The fake picker in place of the real one."""
    fake = FakePicker()
    monkeypatch.setattr("tui.app.make_app", fake)
    return fake


@dataclass
class Ran:
    status: int
    out: str
    err: str


class _Became(BaseException):  # not caught by main, as SystemExit is not
    """`exec`'s command ended (run as a child: it cannot take this test process's place)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _become_a_child(plan: SubshellPlan) -> NoReturn:
    raise _Became(run(plan).status)


def at_a_terminal(*argv: str) -> Ran:
    """`ssotui ARGV` in this process, with stdin and stderr a terminal (stdout captured).
    `exec`'s command, which takes ssotui's process (`tui.export.subshell.become`), runs as a
    child here, so as not to replace the test run."""
    out, err = io.StringIO(), _Terminal()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdin", _Terminal())
        patch.setattr("sys.stdout", out)
        patch.setattr("sys.stderr", err)
        patch.setattr("tui.export.subshell.become", _become_a_child)
        try:
            status = main(list(argv))
        except _Became as became:
            status = became.status
    return Ran(status, out.getvalue(), err.getvalue())


def _usable(org: Organisation) -> tuple[Account, str]:
    sim = next(a for a in org.accounts if any(not r.forbidden for r in a.roles))
    return Account(sim.account_id, sim.name, sim.email), next(
        r.name for r in sim.roles if not r.forbidden
    )


def _shared_fragment(org: Organisation) -> tuple[str, list[SimAccount]]:
    """A word found in the names of several accounts (ACCOUNT that matches more than one)."""
    words = {w for a in org.accounts for w in a.name.casefold().split("-") if len(w) > 2}
    for word in sorted(words):
        matching = [a for a in org.accounts if word in a.name.casefold()]
        if 2 <= len(matching) < len(org.accounts):
            return word, matching
    raise AssertionError("the organisation has no shared name fragment")


def test_export_with_nothing_typed_picks_then_prints_the_picked_role(
    picker: FakePicker, token: Token, org: Organisation
) -> None:
    account, role = _usable(org)
    picker.answer = (account, role)
    ran = at_a_terminal("export", "--format", "sh")
    assert ran.status == 0, ran.err
    (built,) = picker.built
    assert built["pick_for"] == "print" and built["initial_filter"] is None
    assert isinstance(built["session"], SsoSession) and built["session"].name == "dev"
    assert f"export SSOTUI_ACCOUNT_ID={account.account_id}\n" in ran.out
    assert f"export SSOTUI_ROLE_NAME={role}\n" in ran.out
    assert re.search(r"^export AWS_ACCESS_KEY_ID=ASIA", ran.out, re.M)


def test_an_account_matching_several_opens_the_picker_filtered_to_it(
    picker: FakePicker, token: Token, org: Organisation
) -> None:
    fragment, matching = _shared_fragment(org)
    chosen = next(a for a in matching if any(not r.forbidden for r in a.roles))
    role = next(r.name for r in chosen.roles if not r.forbidden)
    picker.answer = (Account(chosen.account_id, chosen.name, chosen.email), role)
    # ACCOUNT alone, and ACCOUNT ROLE where ACCOUNT is ambiguous: both open the picker.
    for argv in (["export", fragment], ["export", fragment, role]):
        ran = at_a_terminal(*argv)
        assert ran.status == 0, ran.err
        assert picker.built[-1]["initial_filter"] == fragment
        assert picker.built[-1]["pick_for"] == "print"
        assert f"SSOTUI_ACCOUNT_ID={chosen.account_id}" in ran.out
    # A typed ACCOUNT and ROLE that match one role need no picker.
    account, role = _usable(org)
    assert at_a_terminal("export", account.account_id, role).status == 0
    assert len(picker.built) == 2


def test_exec_runs_its_command_after_the_picker_closed(
    picker: FakePicker, token: Token, org: Organisation, tmp_path: Path
) -> None:
    account, role = _usable(org)
    picker.answer = (account, role)
    seen = tmp_path / "seen"
    command = f'echo "$SSOTUI_ACCOUNT_ID $SSOTUI_ROLE_NAME $AWS_REGION" > {seen}'
    ran = at_a_terminal("exec", "--region", "eu-north-1", "--", "sh", "-c", command)
    assert ran.status == 0, ran.err
    assert picker.built[0]["pick_for"] == "subshell"
    assert seen.read_text().split() == [account.account_id, role, "eu-north-1"]


def test_console_signs_in_as_the_picked_role(
    picker: FakePicker, token: Token, org: Organisation
) -> None:
    account, role = _usable(org)
    picker.answer = (account, role)
    ran = at_a_terminal("console", "--print")
    assert ran.status == 0, ran.err
    assert picker.built[0]["pick_for"] == "console"
    assert parse_qs(urlsplit(ran.out.strip()).query)["Action"] == ["login"]


def test_an_answer_with_the_session_and_region_the_picker_chose_is_read_too(
    picker: FakePicker, token: Token, org: Organisation
) -> None:
    account, role = _usable(org)
    picker.answer = Picked(chosen_session(here())[0], account, role, "eu-west-3")
    ran = at_a_terminal("export", "--format", "sh")
    assert ran.status == 0, ran.err
    assert "export AWS_REGION=eu-west-3\n" in ran.out and f"SSOTUI_ROLE_NAME={role}" in ran.out


def test_quitting_the_picker_does_nothing(picker: FakePicker, token: Token) -> None:
    picker.answer = None
    ran = at_a_terminal("export")
    assert (ran.status, ran.out) == (130, "")
    assert "nothing picked" in ran.err


def test_without_a_terminal_account_and_role_are_needed(sso_config: Path, token: Token) -> None:
    for command in ("exec", "export", "console"):
        result = ssotui(command)
        assert result.status == 2, (command, result.err)
        assert f"`ssotui {command}` needs ACCOUNT and ROLE" in result.err
    only_account = ssotui("export", "acme")
    assert only_account.status == 2


def test_without_a_terminal_an_ambiguous_account_is_one_line(
    sso_config: Path, token: Token, org: Organisation
) -> None:
    fragment, matching = _shared_fragment(org)
    result = ssotui("export", fragment, "Admin")
    assert result.status == 1
    assert f"matches {len(matching)} accounts" in result.err
    assert result.err.strip().count("\n") == 0


def test_a_dumb_terminal_gets_one_line_not_a_picker_drawn_in_escape_sequences(
    picker: FakePicker, token: Token, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TERM=dumb (Emacs' shell buffer, some IDE consoles) cannot show a full-screen app: both
    `ssotui` and pick-first act as without a terminal, and a typed role still works."""
    monkeypatch.setenv("TERM", "dumb")
    picker.answer = _usable(org)
    ran = at_a_terminal()
    assert ran.status == 1 and "TERM=dumb" in ran.err
    assert ran.err.strip().count("\n") == 0
    ran = at_a_terminal("export")
    assert ran.status == 2 and "`ssotui export` needs ACCOUNT and ROLE" in ran.err
    fragment, _matching = _shared_fragment(org)
    assert at_a_terminal("export", fragment, "Admin").status == 1  # ambiguous: one line
    assert picker.built == []
    account, role = _usable(org)
    ran = at_a_terminal("export", account.account_id, role)
    assert ran.status == 0 and f"SSOTUI_ROLE_NAME={role}" in ran.out


def test_after_a_switch_of_session_in_the_picker_the_advice_names_the_session_picked_in(
    picker: FakePicker, token: Token, org: Organisation, sso_config: Path
) -> None:
    """`ssotui export --session dev`, then ctrl+s to session `other` in the picker: a failure
    of the role picked there advised `ssotui list --refresh --session dev`, which lists
    another session's roles (and a login offered went to dev)."""
    with sso_config.open("a") as config:
        config.write(
            f"[sso-session other]\nsso_start_url = {token.start_url}\nsso_region = {token.region}\n"
        )
    other = next(s for s in load_sessions(here()) if s.name == "other")
    log_in(other)
    sim = next(a for a in org.accounts if any(r.forbidden for r in a.roles))
    role = next(r.name for r in sim.roles if r.forbidden)
    picker.answer = Picked(other, Account(sim.account_id, sim.name, sim.email), role)
    ran = at_a_terminal("export", "--session", "dev")
    assert ran.status == 1, ran.err
    assert f"no access to role {role}" in ran.err
    assert "run `ssotui list --refresh --session other`" in ran.err, ran.err


def test_export_copy_picks_to_copy_so_its_enter_says_copy_and_keeps_no_note_for_stdout(
    picker: FakePicker, token: Token, org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ssotui export --copy` prints no key: its pick was one "to print" (Enter said "Export",
    and the note for standard output on the terminal held Enter back for nothing)."""
    copied: list[str] = []
    monkeypatch.setattr(
        "tui.export.clipboard.copy", lambda text, _env, **_: copied.append(text) or "pyperclip"
    )
    account, role = _usable(org)
    picker.answer = (account, role)
    ran = at_a_terminal("export", "--copy")
    assert ran.status == 0, ran.err
    (built,) = picker.built
    assert built["pick_for"] == "copy"
    assert "AWS_ACCESS_KEY_ID" not in ran.out and "AWS_ACCESS_KEY_ID" in copied[0]
