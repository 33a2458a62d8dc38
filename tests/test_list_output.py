"""`ssotui list` and `list --json` as a user reads them: the order of the pairs, names that only
differ by case or by how an accent is encoded, and names no terminal or encoding can show."""

from __future__ import annotations

import json
import unicodedata

import pytest

from tests.cli_helpers import ssotui
from tui.models import Token
from tui.sim import Organisation, Simulator
from tui.sim.org import SimAccount, SimRole

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
