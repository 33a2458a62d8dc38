"""The credentials the killed writers of test_kill_writer write, in a module of their own so that
a writer process starts without importing pytest and the test fixtures."""

from __future__ import annotations

from datetime import UTC, datetime

from tui.models import Account, RoleCredentials


def creds(n: int) -> RoleCredentials:
    """Two sets of credentials that differ in every secret and in length."""
    return RoleCredentials(
        account=Account(account_id="123456789012", name="acme"),
        role_name="Admin",
        access_key_id=f"ASIAKILLTEST{n}",
        secret_access_key=f"secret-{n}" * (n + 1),
        session_token=f"token-{n}-" * (200 + 50 * n),
        expiration=datetime(2030, 1, 1, tzinfo=UTC),
    )
