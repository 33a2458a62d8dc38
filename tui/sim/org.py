"""The organisation a simulator serves: accounts, their roles, generated or read from a file.

File format (JSON, UTF-8), also what :meth:`Organisation.to_dict` writes::

    {
      "accounts": [
        {
          "accountId": "123456789012",
          "accountName": "acme-prod-payments",
          "emailAddress": "aws+acme-prod-payments@example.com",
          "roles": [
            "AdministratorAccess",
            {"name": "Billing", "forbidden": true}
          ]
        }
      ]
    }

``accountId`` is 12 digits and unique; ``accountName`` and ``emailAddress`` are required; a
role is a permission-set name or an object with ``name`` and optional ``forbidden`` (its
GetRoleCredentials answers 403 ForbiddenException although ListAccountRoles lists it). An
account may have no roles.

Hostile names (the ``hostile_names`` knob of :meth:`Organisation.generate`, or
:meth:`Organisation.with_hostile_names`, or ``python -m tui.sim --hostile-names``) add accounts
whose names, e-mails and roles hold what a real directory may hand out and a terminal must
never obey: escape sequences (window title, clear screen, OSC 52 clipboard), a C1 control, a
line break, a NUL, CJK text, a bidi override, padding spaces. See ``HOSTILE_ACCOUNTS``.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PERMISSION_SETS = (
    "AdministratorAccess",
    "ReadOnlyAccess",
    "PowerUserAccess",
    "ViewOnlyAccess",
    "Billing",
    "DataScientist",
    "DatabaseAdministrator",
    "NetworkAdministrator",
    "SecurityAudit",
    "SupportUser",
    "SystemAdministrator",
    "DeveloperAccess",
    "PlatformEngineer",
    "IncidentResponder",
)

_COMPANIES = ("acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "tyrell")
_STAGES = ("prod", "staging", "dev", "sandbox", "qa", "shared", "test", "perf", "dr")
_TEAMS = (
    "payments",
    "identity",
    "search",
    "checkout",
    "analytics",
    "platform",
    "networking",
    "logging",
    "security",
    "data-lake",
    "ml",
    "billing",
    "mobile",
    "web",
    "infra",
    "audit",
    "backup",
    "edge",
    "ledger",
    "growth",
)
UNICODE_NAMES = (
    "Zürich Analytics",
    "東京 sandbox",
    "São Paulo Data",
    "Kraków QA",
    "Ωmega Research",
    "Málaga Édition",
    "Москва staging",
    "서울 platform",
)

# (account name, e-mail, roles): each one something a terminal, a file or a shell must survive.
HOSTILE_ACCOUNTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "x\x1b]0;TITLE\x07\x1b[2J",  # retitles the window, clears the screen
        "title\x1b[2J@hostile.example.com",
        ("\x1b]52;c;ZXZpbA==\x07clip", "ReadOnlyAccess"),  # OSC 52: "evil" on the clipboard
    ),
    (
        "fake\nrow",  # a line break: a fake extra row in a list
        "row@hostile.example.com",
        ("Admin\n000000000000  fake  AdministratorAccess", "ReadOnlyAccess"),
    ),
    ("nul\x00byte", "nul@hostile.example.com", ("Nul\x00Role", "ReadOnlyAccess")),
    ("\x9b2J c1 control", "c1@hostile.example.com", ("ReadOnlyAccess",)),  # C1 CSI
    ("東京 本番環境", "tokyo@hostile.example.com", ("管理者", "ReadOnlyAccess")),  # two cells each
    ("bidi \u202etxt.exe", "bidi@hostile.example.com", ("\u202eAdmin", "ReadOnlyAccess")),
    ("  padded  ", "padded@hostile.example.com", (" Admin ", "ReadOnlyAccess")),
)


@dataclass(frozen=True, slots=True)
class SimRole:
    """A permission set assigned in an account; ``forbidden`` ones are listed but refused."""

    name: str
    forbidden: bool = False


@dataclass(slots=True)
class SimAccount:
    """An AWS account of the organisation and the roles the simulated user has in it."""

    account_id: str
    name: str
    email: str
    roles: list[SimRole] = field(default_factory=list)

    def role(self, name: str) -> SimRole | None:
        """The role called ``name`` (exact match), or None."""
        return next((r for r in self.roles if r.name == name), None)


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug or "account"


class Organisation:
    """An ordered list of accounts with lookup by id."""

    def __init__(self, accounts: list[SimAccount]) -> None:
        ids = [a.account_id for a in accounts]
        if len(set(ids)) != len(ids):
            raise ValueError("organisation has duplicate account ids")
        self.accounts = accounts
        self._by_id = {a.account_id: a for a in accounts}

    def __len__(self) -> int:
        return len(self.accounts)

    def __repr__(self) -> str:
        return f"Organisation({len(self.accounts)} accounts)"

    def account(self, account_id: str) -> SimAccount | None:
        """The account with this 12-digit id, or None."""
        return self._by_id.get(account_id)

    def by_name(self, name: str) -> SimAccount:
        """The account with this exact name (KeyError when none)."""
        for account in self.accounts:
            if account.name == name:
                return account
        raise KeyError(name)

    def with_hostile_names(self, seed: int = 0) -> Organisation:
        """This organisation plus the accounts of ``HOSTILE_ACCOUNTS`` (new unique ids)."""
        rng = random.Random(f"hostile-{seed}")
        taken = set(self._by_id)
        added: list[SimAccount] = []
        for name, email, roles in HOSTILE_ACCOUNTS:
            account_id = f"{rng.randrange(10**11, 10**12):012d}"
            while account_id in taken:
                account_id = f"{rng.randrange(10**11, 10**12):012d}"
            taken.add(account_id)
            added.append(SimAccount(account_id, name, email, [SimRole(r) for r in roles]))
        return Organisation([*self.accounts, *added])

    @classmethod
    def generate(
        cls,
        accounts: int,
        seed: int = 0,
        roles_per_account: tuple[int, int] = (1, 4),
        *,
        hostile_names: bool = False,
    ) -> Organisation:
        """A deterministic organisation of ``accounts`` accounts.

        Includes unicode account names, one account with no roles (when there are at least 2
        accounts) and one forbidden role (when there are at least 5 accounts). With
        ``hostile_names``, the accounts of ``HOSTILE_ACCOUNTS`` come after those.
        """
        if hostile_names:
            return cls.generate(accounts, seed, roles_per_account).with_hostile_names(seed)
        if accounts < 0:
            raise ValueError("accounts must be >= 0")
        low, high = roles_per_account
        rng = random.Random(seed)
        ids: set[int] = set()
        names: set[str] = set()
        result: list[SimAccount] = []
        unicode_every = 5 if accounts < 200 else 37
        unicode_used = 0
        no_roles_at = 1 if accounts >= 2 else -1
        forbidden_at = 3 if accounts >= 5 else -1
        for index in range(accounts):
            account_id = rng.randrange(10**11, 10**12)
            while account_id in ids:
                account_id = rng.randrange(10**11, 10**12)
            ids.add(account_id)
            if index % unicode_every == unicode_every - 1 or (index == 2 and accounts >= 3):
                base = UNICODE_NAMES[unicode_used % len(UNICODE_NAMES)]
                unicode_used += 1
                name = base if base not in names else f"{base} {unicode_used}"
            else:
                name = f"{rng.choice(_COMPANIES)}-{rng.choice(_STAGES)}-{rng.choice(_TEAMS)}"
            suffix = 2
            unique = name
            while unique in names:
                unique = f"{name}-{suffix}"
                suffix += 1
            names.add(unique)
            count = rng.randint(low, high) if high >= low else 0
            role_names = rng.sample(PERMISSION_SETS, min(count, len(PERMISSION_SETS)))
            if index == no_roles_at:
                role_names = []
            elif index == forbidden_at and not role_names:
                role_names = ["ReadOnlyAccess"]
            roles = [SimRole(r) for r in role_names]
            if index == forbidden_at:
                roles.append(SimRole("RestrictedAdmin", forbidden=True))
            email = f"aws+{_slug(unique)}@{_slug(unique).split('-')[0]}.example.com"
            result.append(SimAccount(f"{account_id:012d}", unique, email, roles))
        return cls(result)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Organisation:
        """Build from the JSON structure described in the module docstring."""
        raw = data.get("accounts") if isinstance(data, dict) else None
        if not isinstance(raw, list):
            raise ValueError('organisation JSON needs an "accounts" list')
        accounts: list[SimAccount] = []
        for n, item in enumerate(raw):
            if not isinstance(item, dict):
                raise ValueError(f"account #{n} is not an object")
            account_id = str(item.get("accountId", ""))
            if not re.fullmatch(r"\d{12}", account_id):
                raise ValueError(f"account #{n}: accountId must be 12 digits")
            name, email = item.get("accountName"), item.get("emailAddress")
            if not isinstance(name, str) or not isinstance(email, str):
                raise ValueError(f"account #{n}: accountName and emailAddress are required")
            roles: list[SimRole] = []
            for role in item.get("roles", []):
                if isinstance(role, str):
                    roles.append(SimRole(role))
                elif isinstance(role, dict) and isinstance(role.get("name"), str):
                    roles.append(SimRole(role["name"], bool(role.get("forbidden", False))))
                else:
                    raise ValueError(f"account #{n}: a role is a name or {{'name': ...}}")
            accounts.append(SimAccount(account_id, name, email, roles))
        return cls(accounts)

    @classmethod
    def from_file(cls, path: str | Path) -> Organisation:
        """Read an organisation from a JSON file (format in the module docstring)."""
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        return cls.from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """The JSON structure :meth:`from_dict` reads."""
        return {
            "accounts": [
                {
                    "accountId": a.account_id,
                    "accountName": a.name,
                    "emailAddress": a.email,
                    "roles": [
                        {"name": r.name, "forbidden": True} if r.forbidden else r.name
                        for r in a.roles
                    ],
                }
                for a in self.accounts
            ]
        }
