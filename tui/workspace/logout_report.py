"""What `log_out` did (`LogoutReport`), and the lines both doors say of it (`lines`): `ssotui
logout` on stderr, the picker's "Log out" in its notices.

Apart from `tui.workspace.login`, which every command loads (the `Workspace` is built on it):
only a logout makes this class, so the other commands do not pay for it (~0.5 ms of start-up,
as every dataclass).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tui.local_time import local_time
from tui.text import counted


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

    def lines(self, label: str, *, purge: bool = False) -> list[str]:
        """What the logout of session `label` did, one line each, as both doors say it;
        `purge`: the profiles ssotui wrote were to be removed."""
        said = [line] if (line := self._logged_out(label)) else []
        if self.cli_credentials_deleted:
            said.append(
                f"Removed {counted(self.cli_credentials_deleted, 'file')} of role credentials "
                "the AWS CLI cached for this session."
            )
        if self.purge_problem:
            said.append(f"ssotui: the profiles ssotui wrote were not removed: {self.purge_problem}")
        elif purge:
            purged = counted(len(self.purged), "profile")
            said.append(f"Removed {purged} ssotui wrote to the credentials file.")
        if self.token_problem:  # still there, and usable by any tool that reads it
            said.append(f"ssotui: {self.token_problem}")
        if self.cache_problem:
            said.append(f"ssotui: {self.cache_problem}")
        if self.purge_problem or self.token_problem or self.cache_problem:
            return said
        if self.cli_credentials_failed or self.cli_folders_unsearched:
            said.append(self._cli_cache_left())
        return said

    def failed(self) -> bool:
        """Whether something stayed (`ssotui logout` exits 1): a file, or the token's validity
        at Identity Center (not revoked there)."""
        if self.purge_problem or self.token_problem or self.cache_problem:
            return True
        if self.cli_credentials_failed or self.cli_folders_unsearched:
            return True
        # Not revoked (offline, 5xx, throttled): the token stays good at Identity Center until
        # it expires, for anyone who copied it, though every local copy is gone (the line says
        # until when). A token already dead there is no failure: `problem` is empty then.
        return bool(self.problem and not self.revoked)

    def _logged_out(self, label: str) -> str:
        """What `logout` did, in one line; a repeated logout says there was nothing to do. Empty
        when it did nothing because a cached token is in the way (`token_problem` says so)."""
        deleted = [
            what
            for what, done in (
                ("cached token", self.token_deleted),
                ("catalog", self.catalog_deleted),
                ("kept role credentials", self.credentials_deleted > 0),
            )
            if done
        ]
        if not (deleted or self.revoked or self.problem):
            if self.token_problem:
                return ""  # the line that says what is in the way is all there is to say
            return f"Not logged in to {label}: there was no cached token or catalog to delete."
        if self.revoked:
            revoked = "token revoked, "
        elif self.problem:
            if self.refresh_token_only:  # its access token had expired; the sign-in had not
                stays = "its refresh token stays valid at Identity Center until the sign-in ends"
            elif self.token_expires:
                stays = f"it stays valid at Identity Center until {local_time(self.token_expires)}"
            else:
                stays = "it stays valid at Identity Center"
            from tui.workspace.advice import without_retrying

            # deleted here, the token cannot be sent again: no "try again later" in its line
            problem = without_retrying(self.problem) if self.token_deleted else self.problem
            revoked = f"could not revoke the token ({problem}): {stays}; "
        else:
            revoked = ""
        listed = (
            ", ".join(deleted[:-1]) + " and " + deleted[-1]
            if len(deleted) > 1
            else "".join(deleted)
        )
        stayed = self.token_problem or self.cache_problem  # said on a line of its own
        gone = (
            f"{listed} deleted"
            if deleted
            else "nothing deleted"
            if stayed
            else "nothing cached to delete"
        )
        return f"Logged out of {label}: {revoked}{gone}."

    def _cli_cache_left(self) -> str:
        """The one line for role credentials of the AWS CLI's cache that could not be deleted, or
        for a cache folder that could not be looked in."""
        if not self.cli_credentials_failed:
            (folder, why), *_ = self.cli_folders_unsearched
            return (
                f"ssotui: could not look in {folder} ({why}) for role credentials the AWS CLI "
                "cached for this session, usable until they expire: let yourself read it and "
                "delete them by hand, or run `aws sso logout` (it deletes every session's)"
            )
        (path, why), *more = self.cli_credentials_failed
        others = f" and {len(more)} more there" if more else ""
        return (
            f"ssotui: could not delete {path}{others} ({why}): role credentials the AWS CLI cached "
            "for this session, usable until they expire; delete the file by hand"
        )
