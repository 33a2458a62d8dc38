"""Profile names made from service names: one rule for `populate` and `write-profile`.

`profile_name_part` makes a name safe; `plan_profiles` names populate's profiles (one per
account and role, from a template, clashes made unique) and skips the roles that an INI file
cannot hold; `clash_names` are the names a clash gets, in populate and write-profile alike.

A profile name must read back the same from an INI header (`[name]` in the credentials file,
`[profile name]` in the config file, which botocore splits as a shell would), work as a shell
word (`AWS_PROFILE=name`), and be one every SDK takes: the JavaScript SDK v3 reads a
`[profile NAME]` only when NAME is ASCII letters, digits and `_ - @ + . % : /`, and silently
skips any other ("Profile Kraków-QA.Admin was not found"). So names keep ASCII letters and
digits and `_ + . @ -`; a Latin letter with an accent loses it (`Kraków` is `Krakow`,
`Zürich` `Zurich`, `Straße` `Strasse`); every other run of characters (spaces, quotes,
brackets, slashes, `=` and `,`, letters of other scripts, control characters) becomes one `-`,
and `-` and `.` are trimmed from both ends. An account name with no ASCII letter or digit left
(`東京`) gives the account id instead (see `profile_name`).

A name the user gives `write-profile` is taken as it is, but for what the JavaScript SDK v3
reads as another profile or none, in a `[NAME]` of the credentials file: from whitespace and
`#` or `;` on, a comment, so that the keys below are the previous profile's (`[dev #2]` after
`[prod]` gave `prod` the role's keys), and `[__proto__]`, for which it refuses the whole file
(`check_sdk_profile_name`). Any other name with whitespace is to it a section of another kind
(`[my prof]`): that profile alone is missing there, and `sdk_profile_name_note` says so.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final

from tui.errors import ConfigError, SsotuiError
from tui.models import Account, Catalog
from tui.text import printable

DEFAULT_TEMPLATE = "{account}.{role}"

# What every SDK reads in a profile name (the JavaScript SDK's `[\w\-@+.%:/]`, ASCII), less
# `% : /`, which are not safe in every shell and file name.
_UNSAFE: Final = re.compile(r"[^A-Za-z0-9_+.@-]+")

# Latin letters that have no decomposition into an ASCII letter and a mark.
_LATIN: Final = str.maketrans(
    {
        "ß": "ss", "ẞ": "SS", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Ø": "O", "ø": "o",
        "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ð": "D", "ð": "d", "Þ": "Th", "þ": "th",
        "ı": "i", "Ħ": "H", "ħ": "h",
    }
)  # fmt: skip


_COMMENT_IN_JS: Final = re.compile(r"\s[#;]")


def check_sdk_profile_name(name: str) -> None:
    """Refuse a profile name for the credentials file that makes the JavaScript SDK read other
    profiles wrong (see the module's docstring); SsotuiError, one line."""
    if _COMMENT_IN_JS.search(name):
        raise SsotuiError(
            f"profile name {printable(name)!r} holds a space before # or ;, from which the AWS "
            "SDK for JavaScript reads a comment, and takes the keys below for the profile "
            "above's; choose another"
        )
    if name == "__proto__":
        raise SsotuiError(
            "profile name '__proto__' makes the AWS SDK for JavaScript refuse the whole "
            "credentials file; choose another"
        )


def sdk_profile_name_note(name: str) -> str:
    """What an SDK makes of a profile name with whitespace (`[my prof]`), else ""."""
    if not any(c.isspace() for c in name):
        return ""
    return (
        f"the AWS SDK for JavaScript finds no profile {printable(name)!r} (a name with a "
        f"space); for Node.js tools, name it without one, such as "
        f"{printable('-'.join(name.split()))!r}"
    )


def _ascii(text: str) -> str:
    """`text` with compatibility forms spelt out (`ﬁ`, full-width `Ａ`) and accents and other
    marks dropped, so a Latin letter is its ASCII letter; other letters stay as they are."""
    if text.isascii():
        return text  # nothing to spell out or drop (nearly every name: 12,500 roles in 0.6 s)
    spelt = unicodedata.normalize("NFKD", text).translate(_LATIN)
    return "".join(c for c in spelt if not unicodedata.category(c).startswith("M"))


def profile_name_part(text: str) -> str:
    """`text` (an account name, a role name, a template's result) made safe as a profile name
    or a part of one; "" when nothing usable is left."""
    return _UNSAFE.sub("-", _ascii(text)).strip("-.")


@dataclass(frozen=True)
class Profile:
    """One profile of the managed block."""

    name: str
    account_id: str
    role_name: str


@dataclass(frozen=True)
class SkippedProfile:
    """A role populate wrote no profile for, and why (its values would not read back)."""

    account: Account
    role_name: str
    reason: str  # e.g. "the role name has a line break"

    @property
    def warning(self) -> str:
        """One line for the user, names made safe for the terminal."""
        return (
            f"skipped the profile for role '{printable(self.role_name)}' of account "
            f"{printable(self.account.label_with_id)}: "
            f"{self.reason}, which the AWS config file cannot hold"
        )


@dataclass(frozen=True)
class ProfilePlan:
    """The profiles populate writes, and the roles it skips."""

    profiles: list[Profile]
    skipped: list[SkippedProfile]


def profile_name(
    account: Account, role: str, *, template: str = DEFAULT_TEMPLATE, prefix: str = ""
) -> str:
    """The profile name of (`account`, `role`): `template` filled with the safe parts of the
    account name, role name and account id, after `prefix`; when the account name has no
    ASCII letter or digit, `<prefix><account id>.<role>`. "" when nothing usable is left.

    Raises ConfigError for a template that uses other fields than {account}, {role} and
    {account_id}.
    """
    account_part = profile_name_part(account.name)
    id_part = profile_name_part(account.account_id)
    role_part = profile_name_part(role)
    try:
        filled = template.format(account=account_part, role=role_part, account_id=id_part)
    except (KeyError, IndexError, ValueError) as exc:
        raise ConfigError(
            f"profile_template {template!r} is invalid ({exc}); "
            "use {account}, {role} and {account_id}"
        ) from None
    name = profile_name_part(prefix + filled) if account_part else ""
    return name or profile_name_part(f"{prefix}{id_part}.{role_part}")


def clash_name(name: str, account_id: str, index: int) -> str:
    """The `index`th name for `name` in account `account_id` when names clash: 0 is `name`,
    1 `<name>-<account id>`, and n after that `<name>-<account id>-n`."""
    if index == 0:
        return name
    base = f"{name}-{profile_name_part(account_id) or 'account'}"
    return base if index == 1 else f"{base}-{index}"


def clash_names(name: str, account_id: str) -> Iterator[str]:
    """`clash_name`'s names for `name`, in order, without end."""
    return (clash_name(name, account_id, index) for index in itertools.count())


def clash_index(candidate: str, name: str, account_id: str) -> int | None:
    """Which of `clash_name`'s names for `name` `candidate` is, or None when none."""
    if candidate == name:
        return 0
    base = clash_name(name, account_id, 1)
    if candidate == base:
        return 1
    count = candidate.removeprefix(base + "-") if candidate.startswith(base + "-") else ""
    if count.isascii() and count.isdigit() and not count.startswith("0") and int(count) >= 2:
        return int(count)
    return None


def _unwritable(what: str, value: str) -> str | None:
    """Why `key = value` would not read back as `value` in an INI file, or None."""
    if not value:
        return f"the {what} is empty"
    if "\r" in value or "\n" in value:
        return f"the {what} has a line break"
    if printable(value) != value:
        return f"the {what} holds control characters"
    if value != value.strip():
        return f"the {what} starts or ends with a space"
    return None


def plan_profiles(
    catalog: Catalog,
    *,
    template: str = DEFAULT_TEMPLATE,
    prefix: str = "",
    taken: Iterable[str] = (),
) -> ProfilePlan:
    """A profile per (account, role), named from `template`; collisions get `-<account id>`.

    `taken` are names used outside the block (the user's own profiles): a generated name that
    would clash with one of them is disambiguated the same way, never overwritten. A role whose
    name or account id cannot be written as an INI value (a line break, a control character,
    padding spaces) is skipped and reported in `skipped`.
    """
    wanted: list[tuple[str, str, str]] = []
    skipped: list[SkippedProfile] = []
    for account, role in catalog.pairs():
        reason = _unwritable("role name", role) or _unwritable("account id", account.account_id)
        if reason:
            skipped.append(SkippedProfile(account, role, reason))
            continue
        name = profile_name(account, role, template=template, prefix=prefix)
        if not name:
            skipped.append(
                SkippedProfile(account, role, "no ASCII letter or digit is left for a profile name")
            )
            continue
        wanted.append((name, account.account_id, role))
    counts: dict[str, int] = {}
    for name, _, _ in wanted:
        counts[name.casefold()] = counts.get(name.casefold(), 0) + 1
    blocked = {t.casefold() for t in taken}
    used = blocked | {name.casefold() for name, _, _ in wanted if counts[name.casefold()] == 1}
    out = []
    for name, account_id, role in wanted:
        if counts[name.casefold()] > 1 or name.casefold() in blocked:
            # `-<account id>` may still clash (two roles of one account that sanitise alike,
            # or a name that is taken too): then count on until it is free.
            clashes = itertools.islice(clash_names(name, account_id), 1, None)
            name = next(n for n in clashes if n.casefold() not in used)
            used.add(name.casefold())
        out.append(Profile(name, account_id, role))
    return ProfilePlan(out, skipped)


def profile_names(
    catalog: Catalog,
    *,
    template: str = DEFAULT_TEMPLATE,
    prefix: str = "",
    taken: Iterable[str] = (),
) -> list[Profile]:
    """The profiles of `plan_profiles` (the skipped roles left out)."""
    return plan_profiles(catalog, template=template, prefix=prefix, taken=taken).profiles
