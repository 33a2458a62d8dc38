"""`populate` run again over an organisation that changed: what the user is told, what the dry
run shows, and how long it takes on a big organisation."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

from tests.conftest import Home
from tui.export.aws_config import populate_profiles
from tui.models import Account, Catalog, SsoSession

SESSION = SsoSession(name="dev", start_url="https://example.awsapps.com/start", region="eu-west-1")
HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def catalog(accounts: int, roles: tuple[str, ...] = ("Admin", "ReadOnly", "PowerUser")) -> Catalog:
    listed = tuple(Account(f"{100000000000 + i}", f"team-{i}") for i in range(accounts))
    return Catalog(
        accounts=listed,
        roles={a.account_id: roles for a in listed},
        fetched_at=datetime(2030, 1, 1, tzinfo=UTC),
    )


def apply(old: str, diff: str) -> str:
    """`old` with a unified diff applied, as `patch` would (hunks checked line by line)."""
    lines = old.splitlines(keepends=True)
    out: list[str] = []
    at = 0
    body = diff.splitlines(keepends=True)[2:]
    for line in body:
        hunk = HUNK.match(line)
        if hunk:
            start = int(hunk.group(1)) - (0 if hunk.group(2) == "0" else 1)
            out += lines[at:start]
            at = start
        elif line[0] in " -":
            assert lines[at] == line[1:], f"line {at + 1} does not match the diff"
            at += 1
            if line[0] == " ":
                out.append(line[1:])
        else:
            out.append(line[1:])
    return "".join(out + lines[at:])


def test_a_dry_run_over_thousands_of_changed_profiles_is_quick_and_exact(home: Home) -> None:
    # A line-by-line difflib took ~5 s here (and 40 s for 9,000 profiles), also on a real
    # write, which computed the diff only to throw it away.
    big = catalog(1000)
    populate_profiles(SESSION, big, region="eu-west-1")
    before = home.aws_config.read_text()

    started = time.monotonic()
    result = populate_profiles(SESSION, big, region="eu-west-2", dry_run=True)
    took = time.monotonic() - started

    assert took < 1.5, f"a dry run of 3,000 changed profiles took {took:.1f} s"
    assert result.changed and result.count == 3000
    assert home.aws_config.read_text() == before
    changes = [line for line in result.diff.splitlines()[2:] if line[:1] in "+-"]
    assert changes.count("-region = eu-west-1") == changes.count("+region = eu-west-2") == 3000
    assert len(changes) == 6000
    after = populate_profiles(SESSION, big, region="eu-west-2")
    assert after.changed and after.diff == ""
    assert apply(before, result.diff) == home.aws_config.read_text()
