"""What `log_out` did (`LogoutReport`), for the door to say.

Apart from `tui.workspace.login`, which every command loads (the `Workspace` is built on it):
only a logout makes this class, so the other commands do not pay for it (~0.5 ms of start-up,
as every dataclass).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class LogoutReport:
    """What `log_out` did, for the door to say."""

    revoked: bool  # Logout ended the sign-in (with the cached token, or one renewed from it)
    problem: str = ""  # why the token could not be revoked at the service
    token_expires: datetime | None = None  # until when an unrevoked token stays valid there
    # the access token had expired: what was (or was not) revoked is its refresh token's sign-in
    refresh_token_only: bool = False
    token_deleted: bool = False
    token_problem: str = ""  # why the cached token could not be deleted (it is still there)
    catalog_deleted: bool = False
    credentials_deleted: int = 0  # role credentials kept between runs
    purged: tuple[str, ...] = ()
    purge_problem: str = ""  # why the profiles ssotui wrote could not be removed (file kept)
    # why the session's catalog or kept role credentials in ssotui's cache folder stayed
    cache_problem: str = ""
    # role credentials the AWS CLI cached for this session's profiles (`tui.aws.cli_role_cache`)
    cli_credentials_deleted: int = 0
    cli_credentials_failed: tuple[tuple[Path, str], ...] = ()  # (file, why) left behind
    cli_folders_unsearched: tuple[tuple[Path, str], ...] = ()  # (folder, why) not looked in
