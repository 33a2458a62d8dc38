"""Odd but valid answers: the ``shapes`` knob, each a freedom botocore's models leave a service.

Every member of the portal's AccountInfo, RoleInfo and RoleCredentials is optional, as are
most members of the SSO OIDC answers; ``expiration`` is any long, ``expiresIn`` any integer,
``tokenType`` any string. The simulator answers the tidy way unless a test (or ``python -m
tui.sim --shape NAME``) names shapes here: each changes the answers of one operation (or all
of them) after the simulator has made them, and its own state stays as it was (credentials
said to be expired still work, a token said to last 0 seconds lasts ``token_lifetime``).
``account-ids-odd`` also reads its odd ids back in the requests that carry them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Answer = dict[str, Any]

HUGE_NAME_LENGTH = 10 * 1024  # characters of an `account-names-huge` name
SAME_NAME = "Shared"  # every account's name under `account-names-alike`
ODD_ID_PREFIX = "acct-"  # `account-ids-odd`: "acct-" and the twelve digits
FAR_FUTURE_SECONDS = 100 * 365 * 86400  # `credentials-far-future`: a century ahead
LONG_MAX = 2**63 - 1  # the largest `long` the model allows (milliseconds past any datetime)
INT_MAX = 2**31 - 1  # the largest `integer`


@dataclass(frozen=True)
class Call:
    """What a shape may look at: the time, the request's query, and a memory of earlier
    calls (one per simulator)."""

    now: float
    query: dict[str, str]
    memory: dict[str, Any]


@dataclass(frozen=True)
class Shape:
    """One odd answer: the operation it changes ("*": every JSON answer) and how."""

    operations: tuple[str, ...]
    says: str
    change: Callable[[Answer, Call], Answer]


def _accounts(edit: Callable[[int, dict[str, Any]], None]) -> Callable[[Answer, Call], Answer]:
    def change(answer: Answer, call: Call) -> Answer:
        for index, item in enumerate(answer.get("accountList") or []):
            edit(index, item)
        return answer

    return change


def _drop(member: str) -> Callable[[int, dict[str, Any]], None]:
    return lambda _index, item: item.pop(member, None)


def _set(
    member: str, value: Callable[[dict[str, Any]], Any]
) -> Callable[[int, dict[str, Any]], None]:
    def edit(_index: int, item: dict[str, Any]) -> None:
        item[member] = value(item)

    return edit


def _first_role_nameless(answer: Answer, call: Call) -> Answer:
    roles = answer.get("roleList") or []
    if roles:
        roles[0].pop("roleName", None)
    return answer


def _roles_twice(answer: Answer, call: Call) -> Answer:
    answer["roleList"] = [copy.deepcopy(r) for r in answer.get("roleList") or [] for _ in (1, 2)]
    return answer


def _previous_account_again(answer: Answer, call: Call) -> Answer:
    """Each page after the first begins with the last account of the page before (a listing
    that moved while it was read), so that account is listed on two pages."""
    last: dict[str, Any] = call.memory.setdefault("last account before", {})  # by next token
    token = call.query.get("next_token")
    if token and token in last:
        answer["accountList"] = [copy.deepcopy(last[token]), *answer.get("accountList", [])]
    listed = answer.get("accountList") or []
    if answer.get("nextToken") and listed:
        last[answer["nextToken"]] = copy.deepcopy(listed[-1])
    return answer


def _odd_ids(answer: Answer, call: Call) -> Answer:
    for item in (answer.get("accountList") or []) + (answer.get("roleList") or []):
        item["accountId"] = ODD_ID_PREFIX + item["accountId"]
    return answer


def _credentials(edit: Callable[[dict[str, Any], Call], None]) -> Callable[[Answer, Call], Answer]:
    def change(answer: Answer, call: Call) -> Answer:
        edit(answer["roleCredentials"], call)
        return answer

    return change


def _expiration(value: Callable[[Call], int]) -> Callable[[Answer, Call], Answer]:
    def edit(creds: dict[str, Any], call: Call) -> None:
        creds["expiration"] = value(call)

    return _credentials(edit)


def _member(member: str, value: Any) -> Callable[[Answer, Call], Answer]:
    def change(answer: Answer, call: Call) -> Answer:
        answer[member] = value(call) if callable(value) else value
        return answer

    return change


def _without(member: str) -> Callable[[Answer, Call], Answer]:
    def change(answer: Answer, call: Call) -> Answer:
        answer.pop(member, None)
        return answer

    return change


def _extra_members(answer: Answer, call: Call) -> Answer:
    """An unknown member beside every known one, at every level (a later model's)."""

    def add(value: Any) -> Any:
        if isinstance(value, dict):
            return {**{k: add(v) for k, v in value.items()}, "futureMember": {"nested": [1, None]}}
        if isinstance(value, list):
            return [add(v) for v in value]
        return value

    return add(answer)  # type: ignore[no-any-return]


SHAPES: dict[str, Shape] = {
    "accounts-nameless": Shape(
        ("ListAccounts",), "accounts without accountName", _accounts(_drop("accountName"))
    ),
    "accounts-without-email": Shape(
        ("ListAccounts",), "accounts without emailAddress", _accounts(_drop("emailAddress"))
    ),
    "account-names-empty": Shape(
        ("ListAccounts",), 'accountName ""', _accounts(_set("accountName", lambda _i: ""))
    ),
    "account-names-alike": Shape(
        ("ListAccounts",),
        f"every account named {SAME_NAME!r}",
        _accounts(_set("accountName", lambda _i: SAME_NAME)),
    ),
    "account-names-huge": Shape(
        ("ListAccounts",),
        f"account names of {HUGE_NAME_LENGTH} characters",
        _accounts(
            _set(
                "accountName",
                lambda item: (str(item.get("accountName")) + " " + "x" * HUGE_NAME_LENGTH)[
                    :HUGE_NAME_LENGTH
                ],
            )
        ),
    ),
    "account-on-two-pages": Shape(
        ("ListAccounts",),
        "the last account of a page again at the top of the next",
        _previous_account_again,
    ),
    "account-ids-odd": Shape(
        ("ListAccounts", "ListAccountRoles"),
        f"account ids {ODD_ID_PREFIX}DIGITS, not 12 digits (read back in requests)",
        _odd_ids,
    ),
    "roles-nameless": Shape(
        ("ListAccountRoles",), "the first role of each page without roleName", _first_role_nameless
    ),
    "roles-twice": Shape(("ListAccountRoles",), "every role listed twice", _roles_twice),
    "credentials-expired": Shape(
        ("GetRoleCredentials",),
        "expiration a minute ago",
        _expiration(lambda call: int((call.now - 60) * 1000)),
    ),
    "credentials-expiration-zero": Shape(
        ("GetRoleCredentials",), "expiration 0 (1970)", _expiration(lambda _call: 0)
    ),
    "credentials-far-future": Shape(
        ("GetRoleCredentials",),
        "expiration a century ahead",
        _expiration(lambda call: int((call.now + FAR_FUTURE_SECONDS) * 1000)),
    ),
    "credentials-expiration-huge": Shape(
        ("GetRoleCredentials",), "expiration the largest long", _expiration(lambda _call: LONG_MAX)
    ),
    "credentials-without-session-token": Shape(
        ("GetRoleCredentials",),
        "no sessionToken",
        _credentials(lambda creds, _call: creds.pop("sessionToken")),
    ),
    "credentials-empty": Shape(
        ("GetRoleCredentials",), "roleCredentials {}", _member("roleCredentials", {})
    ),
    "credentials-absent": Shape(
        ("GetRoleCredentials",), "no roleCredentials at all", _without("roleCredentials")
    ),
    "token-expires-zero": Shape(("CreateToken",), "expiresIn 0", _member("expiresIn", 0)),
    "token-expires-huge": Shape(
        ("CreateToken",), "expiresIn the largest integer", _member("expiresIn", INT_MAX)
    ),
    "token-without-refresh": Shape(("CreateToken",), "no refreshToken", _without("refreshToken")),
    "token-type-odd": Shape(("CreateToken",), 'tokenType "DPoP"', _member("tokenType", "DPoP")),
    "token-without-type": Shape(("CreateToken",), "no tokenType", _without("tokenType")),
    "client-expired": Shape(
        ("RegisterClient",),
        "clientSecretExpiresAt a minute ago",
        _member("clientSecretExpiresAt", lambda call: int(call.now - 60)),
    ),
    "device-without-interval": Shape(
        ("StartDeviceAuthorization",), "no interval (5 s by default)", _without("interval")
    ),
    "device-interval-zero": Shape(
        ("StartDeviceAuthorization",), "interval 0", _member("interval", 0)
    ),
    "device-interval-huge": Shape(
        ("StartDeviceAuthorization",), "interval the largest integer", _member("interval", INT_MAX)
    ),
    "device-without-complete-uri": Shape(
        ("StartDeviceAuthorization",),
        "no verificationUriComplete",
        _without("verificationUriComplete"),
    ),
    "extra-members": Shape(
        ("*",), "an unknown member at every level of every answer", _extra_members
    ),
}


def check(names: frozenset[str]) -> None:
    """ValueError for a name that is no shape."""
    unknown = sorted(names - set(SHAPES))
    if unknown:
        raise ValueError(
            f"unknown answer shape(s): {', '.join(unknown)}; known: {', '.join(SHAPES)}"
        )


def reshape(names: frozenset[str], operation: str, answer: Answer, call: Call) -> Answer:
    """`answer` of `operation` changed by every shape in `names` that changes it."""
    for name in sorted(names):
        shape = SHAPES[name]
        if operation in shape.operations or "*" in shape.operations:
            answer = shape.change(answer, call)
    return answer


def plain_query(names: frozenset[str], query: dict[str, str]) -> dict[str, str]:
    """The request's query as the simulator knows it: the odd account ids read back."""
    account_id = query.get("account_id", "")
    if "account-ids-odd" in names and account_id.startswith(ODD_ID_PREFIX):
        return {**query, "account_id": account_id[len(ODD_ID_PREFIX) :]}
    return query
