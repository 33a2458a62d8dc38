"""`ssotui list` and `list --json` as a user reads them: the order of the pairs, names that only
differ by case or by how an accent is encoded, and names no terminal or encoding can show."""

from __future__ import annotations

import json
import unicodedata

import pytest

from tests.cli_helpers import ssotui
from tests.conftest import Home, here
from tests.other_center import OtherAccount, OtherCenter
from tests.other_center_support import reached
from tui.aws.login import login
from tui.aws.session_choice import chosen_session
from tui.models import Token
from tui.sim import Organisation, Simulator
from tui.sim.org import SimAccount, SimRole
from tui.text import cell_width

NFC_A = unicodedata.normalize("NFC", "Café-a")
NFD_B = unicodedata.normalize("NFD", "Café-b")


@pytest.fixture
def org() -> Organisation:
    """Names a sort can get wrong: one accent composed, one decomposed; roles in two cases."""
    return Organisation(
        [
            SimAccount("100000000001", NFD_B, "b@example.com", [SimRole("Admin")]),
            SimAccount("100000000002", NFC_A, "a@example.com", [SimRole("Admin")]),
            SimAccount(
                "100000000003",
                "dev",
                "dev@example.com",
                [SimRole("b"), SimRole("B"), SimRole("a"), SimRole("admin"), SimRole("Admin")],
            ),
        ]
    )


def _order(env: dict[str, str] | None = None) -> list[tuple[str, str]]:
    result = ssotui("list", "--json", "--refresh", env=env)
    assert result.status == 0, result.err
    return [(row["accountName"], row["roleName"]) for row in json.loads(result.out)]


def test_the_order_is_the_same_in_every_run(sim: Simulator, token: Token) -> None:
    # Roles that differ only by case kept the order of a Python set, which changes with each
    # process's string hashing: `list` printed "b, B" in one run and "B, b" in the next.
    runs = {tuple(_order({"PYTHONHASHSEED": str(seed)})) for seed in range(8)}
    assert len(runs) == 1
    dev = [role for name, role in runs.pop() if name == "dev"]
    assert dev == ["a", "Admin", "admin", "B", "b"]


def test_an_accent_sorts_the_same_composed_or_decomposed(sim: Simulator, token: Token) -> None:
    # "Café-b" with a decomposed é (e + U+0301) came before "Café-a" with a composed one.
    assert [name for name, _ in _order()][:2] == [NFC_A, NFD_B]
    text = ssotui("list")
    assert [line.split()[0] for line in text.out.splitlines()][:2] == [
        "100000000002",
        "100000000001",
    ]


def test_a_lone_surrogate_in_a_name_breaks_nothing(
    monkeypatch: pytest.MonkeyPatch, home: Home
) -> None:
    # `"\ud800"` is valid JSON and AccountNameType any string: a name holding one made every
    # command that read the catalog fail with "unexpected error (UnicodeEncodeError)".
    odd = OtherAccount("111111111111", "bad\ud800name", "e\udfff@example.com", ["Admin"])
    plain = OtherAccount("222222222222", "plain", "p@example.com", ["Admin"])
    with reached(OtherCenter([odd, plain]), monkeypatch, home):
        login(
            here(),
            chosen_session(here())[0],
            open_browser=False,
            announce=print,
            sleep=lambda _s: None,
        )
        shown = ssotui("list")
        assert shown.status == 0, shown.err
        assert shown.out.splitlines()[0].split() == ["111111111111", "bad\ufffdname", "Admin"]
        exact = ssotui("list", "--json")
        assert exact.status == 0, exact.err
        assert [(r["accountName"], r["emailAddress"]) for r in json.loads(exact.out)][0] == (
            odd.name,
            odd.email,
        )
        assert ssotui("export", "bad", "Admin").status == 0


def test_one_very_long_name_does_not_push_every_role_off_the_screen(
    sim: Simulator, token: Token
) -> None:
    long = SimAccount("100000000009", "x" * 300, "e" * 240 + "@example.com", [SimRole("Admin")])
    sim.org = sim.portal.org = Organisation([*sim.org.accounts, long])
    rows = ssotui("list").out.splitlines()
    # was: every row padded to the 300-cell name, its role past the edge of any terminal
    assert all(len(row) < 100 for row in rows if "x" * 300 not in row)
    assert rows[-1] == f"100000000009  {'x' * 300}  Admin"  # whole, not cut
    starts = {cell_width(row[: row.rindex("  ")]) for row in rows[:-1]}
    assert len(starts) == 1  # the others still line up, in cells
