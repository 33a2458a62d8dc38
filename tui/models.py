"""The domain's values: frozen dataclasses whose reprs never show a secret."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from operator import itemgetter

from tui import digests

DEFAULT_SCOPES: tuple[str, ...] = ("sso:account:access",)


def name_order(name: str) -> tuple[str, str]:
    """How account and role names are sorted for people: without regard to case or to how an
    accent is encoded (NFC, then casefold), and names that still tie by their exact text, so
    the order never depends on the order the service happened to list them in."""
    return unicodedata.normalize("NFC", name).casefold(), name


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (one place, so tests can reason about it)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class SsoSession:
    """Where to log in: an `[sso-session]` section, a legacy profile, or ad hoc flags.

    `name` is None for ad hoc (`--start-url`) and legacy sessions; the token cache key is then
    sha1(start URL), as the AWS CLI does.
    """

    name: str | None
    start_url: str
    region: str
    # what the device login registers for (the browser login: these, else DEFAULT_SCOPES);
    # () when `sso_registration_scopes` is set empty, as the AWS CLI then asks for none
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    # the region role credentials get when none is asked for: config.toml's `default_region`
    default_region: str | None = None
    # True when `sso_registration_scopes` is set: the AWS CLI's registration cache key uses it
    scopes_configured: bool = False

    @property
    def label(self) -> str:
        """How the session is named to the user."""
        return self.name or self.start_url

    @property
    def cache_key(self) -> str:
        """sha1 of the session name (or start URL): the AWS CLI v2 token cache file stem."""
        source = self.name if self.name is not None else self.start_url
        return digests.sha1(source.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Token:
    """An SSO access token as the AWS CLI v2 caches it; secrets are hidden from repr."""

    start_url: str
    region: str
    access_token: str = field(repr=False)
    expires_at: datetime
    client_id: str | None = field(default=None, repr=False)
    client_secret: str | None = field(default=None, repr=False)
    registration_expires_at: datetime | None = None
    refresh_token: str | None = field(default=None, repr=False)

    def expires_within(self, margin: timedelta, now: datetime | None = None) -> bool:
        """True when the token is expired or will be within `margin` (also for the earliest
        time a datetime holds, `0001-01-01T00:00:00Z`, the zero time some tools write)."""
        return self.expires_at <= (now or utcnow()) + margin

    @property
    def is_expired(self) -> bool:
        """True once the token can no longer be used."""
        return self.expires_within(timedelta(0))

    @property
    def can_refresh(self) -> bool:
        """True when a refresh token and a still-valid client registration are at hand."""
        if not (self.refresh_token and self.client_id and self.client_secret):
            return False
        return self.registration_expires_at is None or self.registration_expires_at > utcnow()


@dataclass(frozen=True, init=False)
class Account:
    """An AWS account the user can reach.

    `name` and `email` are what the service gave, "" when it gave none (both are optional in
    the portal's model); `label` is what a person is shown.
    """

    account_id: str
    name: str
    email: str = ""

    def __init__(self, account_id: str, name: str, email: str = "") -> None:
        # What a frozen dataclass's own __init__ does, without a call of object.__setattr__
        # per field: the picker builds every cached account at each start (10,000 of them
        # took half again as long).
        fields = self.__dict__
        fields["account_id"] = account_id
        fields["name"] = name
        fields["email"] = email

    @property
    def label(self) -> str:
        """How the account is named to the user: its name, or its id when it has none."""
        return self.name or self.account_id

    @property
    def label_with_id(self) -> str:
        """`name (id)` for messages; the id alone for an account with no name."""
        return f"{self.name} ({self.account_id})" if self.name else self.account_id


@dataclass(frozen=True)
class Role:
    """A role (permission set) the user can take in one account."""

    account_id: str
    role_name: str


@dataclass(frozen=True)
class RoleCredentials:
    """Short-lived role credentials; kept in memory only, secrets hidden from repr."""

    account: Account
    role_name: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)
    expiration: datetime
    region: str | None = None
    session_label: str = ""


@dataclass(frozen=True)
class Catalog:
    """Every account and its roles for one session, as last fetched (no secrets).

    `failed` maps an account id to the reason its roles could not be listed this time (a
    failure that may pass: 5xx, throttling, a timeout); such an account is kept with whatever
    roles were known, and retried. `refused` maps an account id to a note on Identity Center's
    own refusal to list its roles (`AccountRefused`): an answer, so the account is kept without
    roles, the catalog is still complete, and it is asked again at the next fetch only.
    `incomplete` maps an account id to a note on a listing of its roles that went round
    (`PageRepeated`): also an answer, the account kept with the roles listed before the repeat.
    `accounts_cut` is the line saying the accounts listing went round and stopped there (the
    accounts after it are missing), "" when it ended as it should.
    """

    accounts: tuple[Account, ...]
    roles: dict[str, tuple[str, ...]]
    fetched_at: datetime
    failed: dict[str, str] = field(default_factory=dict)
    complete: bool = True
    refused: dict[str, str] = field(default_factory=dict)
    incomplete: dict[str, str] = field(default_factory=dict)
    accounts_cut: str = ""

    def roles_of(self, account_id: str) -> tuple[str, ...]:
        """The role names of one account (empty when unknown)."""
        return self.roles.get(account_id, ())

    def pairs(self) -> list[tuple[Account, str]]:
        """Every (account, role) pair, sorted by account name then role name (`name_order`)."""
        # each name put in order once (a role name recurs across accounts), not once a pair
        role_order = {r: name_order(r) for roles in self.roles.values() for r in roles}
        keyed = [
            ((account_order, role_order[r]), (a, r))
            for a in self.accounts
            for account_order in [(name_order(a.label), a.account_id)]
            for r in self.roles_of(a.account_id)
        ]
        keyed.sort(key=itemgetter(0))
        return [pair for _, pair in keyed]

    def is_fresh(self, lifetime: timedelta, now: datetime | None = None) -> bool:
        """True while the catalog is younger than `lifetime` (and not from the future)."""
        age = (now or utcnow()) - self.fetched_at
        return timedelta(0) <= age < lifetime

    def refused_accounts(self) -> list[tuple[Account, str]]:
        """The accounts Identity Center refused, each with its note, sorted by name."""
        out = [
            (a, self.refused[a.account_id]) for a in self.accounts if a.account_id in self.refused
        ]
        out.sort(key=lambda pair: (name_order(pair[0].label), pair[0].account_id))
        return out

    def incomplete_accounts(self) -> list[tuple[Account, str]]:
        """The accounts whose roles are listed only in part, each with its note, by name."""
        out = [
            (a, self.incomplete[a.account_id])
            for a in self.accounts
            if a.account_id in self.incomplete
        ]
        out.sort(key=lambda pair: (name_order(pair[0].label), pair[0].account_id))
        return out

    def with_roles(self, account_id: str, roles: tuple[str, ...]) -> Catalog:
        """This catalog with one account's roles listed anew (no longer marked failed,
        refused or incomplete)."""
        failed = {aid: why for aid, why in self.failed.items() if aid != account_id}
        refused = {aid: why for aid, why in self.refused.items() if aid != account_id}
        incomplete = {aid: why for aid, why in self.incomplete.items() if aid != account_id}
        return replace(
            self,
            roles={**self.roles, account_id: roles},
            failed=failed,
            complete=not failed,
            refused=refused,
            incomplete=incomplete,
        )

    def with_incomplete(self, account_id: str, roles: tuple[str, ...], note: str) -> Catalog:
        """This catalog with one account's roles listed in part (`note` says why)."""
        updated = self.with_roles(account_id, roles)
        return replace(updated, incomplete={**updated.incomplete, account_id: note})

    def with_refused(self, account_id: str, note: str) -> Catalog:
        """This catalog with one account refused by Identity Center (`note`), without roles."""
        return replace(self.with_roles(account_id, ()), refused={**self.refused, account_id: note})
