"""Role credentials nobody issued, for tests that write, hand on or must not leak them."""

from __future__ import annotations

from datetime import timedelta

from tui.models import Account, RoleCredentials, utcnow


def made_up_credentials() -> RoleCredentials:
    """Credentials nobody issued (easy to spot if they leak): Admin in account prod
    (111122223333), an hour left."""
    return RoleCredentials(
        account=Account("111122223333", "prod"),
        role_name="Admin",
        access_key_id="ASIAMADEUPKEYID00001",
        secret_access_key="MadeUpSecretKey/+abcdefghijklmnopqrstuvw",
        session_token="IQoJMadeUpSessionToken+/=" + "t" * 60,
        expiration=utcnow() + timedelta(hours=1),
    )
