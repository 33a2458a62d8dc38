"""Whose profile each section of the credentials file is, by ssotui's marker comment, and the
name `write-profile` gives a role there.

The marker (`# written by ssotui for account A, role R…`) names the account id and the role
exactly: each character outside `[A-Za-z0-9_+.@-]` is percent-encoded (its UTF-8 bytes, `%` as
`%25`), so `Admin=1`, `Admin,1` and `Admin-1`, whose profile names are all `acme.Admin-1`, are
three roles here (`Admin%3D1`, `Admin%2C1`, `Admin-1`). An ordinary name is written as it is,
as every ssotui wrote it, so the markers of older files still name their roles.

An older ssotui wrote the role made safe as a profile name instead (`Admin=1` as `Admin-1`, a
name with nothing left as `-`). Such a marker is read as what it says, the role `Admin-1`:
it cannot be told from the marker of a role `Admin-1`, and taking it for `Admin=1`'s would hand
`Admin-1`'s profile to another role, the very switch this prevents. So after an upgrade the
next write of `Admin=1` goes to a name of its own (which it keeps), the old profile keeps its
keys until they expire or `logout --purge` takes it out, and a write of a role `Admin-1` takes
it as its own, as before.

The name: `<account name>.<role name>` (`profile_names.profile_name`, populate's rule), and when
ssotui's marker there names another account or role, the names populate gives a clash
(`profile_names.clash_names`: `<name>-<account id>`, then `-2`, `-3`…): the first of them that
this role already has, else the first that no marker gives another role.
"""

from __future__ import annotations

import re
import string
from typing import Final

from tui.export import ini_sections
from tui.export.profile_names import clash_index, clash_name, clash_names, profile_name
from tui.models import Account

MARKER: Final = "# written by ssotui"
_KEPT: Final = frozenset(string.ascii_letters + string.digits + "_+.@-")
_MARKED_ROLE: Final = re.compile(r" for account (\S*), role ([^,;\s]*)")

Owner = tuple[str, str]  # (account id, role) as a marker names them


def marker_part(text: str) -> str:
    """`text` (an account id, a role name) as the marker names it: as it is when every
    character is one a profile name keeps, else each other character percent-encoded."""
    if _KEPT.issuperset(text):
        return text
    # surrogatepass: a lone surrogate (JSON may carry one) has bytes of its own too
    return "".join(
        c if c in _KEPT else "".join(f"%{b:02X}" for b in c.encode("utf-8", "surrogatepass"))
        for c in text
    )


def owner_of(account_id: str, role: str) -> Owner:
    """What the marker of `role` in `account_id` names."""
    return marker_part(account_id), marker_part(role)


def marker_owner(line: str) -> Owner | None:
    """(account id, role) a marker line names, or None when it names none."""
    match = _MARKED_ROLE.search(line)
    return (match.group(1), match.group(2)) if match else None


def owners(text: str) -> dict[str, Owner]:
    """Profile name -> what ssotui's marker names, for the sections of `text` (a credentials
    file) that have one (the first such section of a name)."""
    found: dict[str, Owner] = {}
    for section in ini_sections.parse_sections(text):
        if section.name in found:
            continue
        body = text[section.header_end : section.content_end]
        for line in body.splitlines():
            if line.strip().startswith(MARKER):
                owner = marker_owner(line)
                if owner is not None:
                    found[section.name] = owner
                break
    return found


def role_profile_name(account: Account, role: str, text: str = "") -> str:
    """The profile `write-profile` writes role `role` of `account` to in the credentials file
    `text`: the one of its names (see the module docstring) that is already this role's, else
    the first that ssotui wrote for no other account or role."""
    name = profile_name(account, role) or "ssotui"
    written = owners(text)
    mine = owner_of(account.account_id, role)
    held = [
        index
        for held_name, owner in written.items()
        if owner == mine and (index := clash_index(held_name, name, account.account_id)) is not None
    ]
    if held:
        return clash_name(name, account.account_id, min(held))
    return next(n for n in clash_names(name, account.account_id) if written.get(n, mine) == mine)
