"""Turn the ACCOUNT and ROLE a user typed into one account and one role of the catalog.

Names from the service and what was typed appear in messages through `tui.text.printable`, so
an escape sequence in an account or role name never reaches the terminal.

ACCOUNT: an account id (12 digits, or whatever else the service sent), an exact account name
(unicode included), the same name in another case, or a case-insensitive fragment of exactly
one name. ROLE: the exact role name,
or the same name in another case when only one role matches. A name is compared as typed
first, then without the spaces around it (the service's names may have spaces of their own).
Anything else is a `NotFound` whose one line names what was typed and what would have worked.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from functools import partial
from operator import attrgetter

from tui.errors import Ambiguous, NotFound
from tui.models import Account, Catalog
from tui.text import printable, some_of

MAX_LISTED = 5
MAX_ROLES_LISTED = 12


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _norm(text: str) -> str:
    """Comparable form: NFC (so composed and decomposed accents agree), then casefold."""
    return _nfc(text).casefold()


def _shown(text: str) -> str:
    """A name (from the service) or what the user typed, safe for the terminal, on one line."""
    return printable(text)


def _label(account: Account) -> str:
    return _shown(account.label_with_id)


def _listing(accounts: Sequence[Account]) -> str:
    return some_of([_label(a) for a in accounts], MAX_LISTED)


def _ambiguous(text: str, accounts: Sequence[Account]) -> Ambiguous:
    ordered = sorted(accounts, key=lambda a: (_norm(a.label), a.account_id))
    # More of the name cannot tell apart names that are all the one typed but for case (or
    # all alike): say what can.
    if len({a.name for a in accounts}) == 1:
        advice = "they share the name: use the 12-digit account id"
    elif all(_norm(a.name) == _norm(text) for a in accounts):
        advice = "type the name in its exact case, or the 12-digit account id"
    else:
        advice = "type more of the name or the 12-digit account id"
    return Ambiguous(
        f"'{_shown(text)}' matches {len(accounts)} accounts: {_listing(ordered)}; {advice}"
    )


def _no_match(text: str, names: list[str], folded: list[str]) -> NotFound:
    """`names`: the accounts' names; `folded`: the same in comparable form (`_norm`)."""
    # here: only a name that matched nothing asks for suggestions
    from tui.workspace.suggestions import close_names

    by_norm = dict(zip(folded, names, strict=True))
    by_norm.pop("", None)  # an account with no name is named by its id, which matched nothing
    close = close_names(_norm(text), list(by_norm))
    if close:
        shown = [f"'{_shown(by_norm[c])}'" for c in close]
        listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
        hint = f"did you mean {listed}?"
    elif not names:
        hint = "this session has no accounts (run `ssotui list --refresh` to check)"
    else:
        hint = "run `ssotui list` to see your accounts"
    return NotFound(f"no account matches '{_shown(text)}'; {hint}")


def find_account(catalog: Catalog, text: str) -> Account:
    """The one account `text` names (id, exact name, other-case name or unique fragment)."""
    accounts = catalog.accounts
    ids = list(map(attrgetter("account_id"), accounts))
    names = list(map(attrgetter("name"), accounts))
    return find_among(ids, names, accounts.__getitem__, text)


def find_among(
    ids: list[str], names: list[str], account_at: Callable[[int], Account], text: str
) -> Account:
    """`find_account` over the accounts as columns: their ids and names, and `account_at(i)`,
    the i-th account, asked for only for the accounts that match (a cached catalog builds
    only those: `tui.store.catalog_cache.CachedCatalog`)."""
    wanted = text.strip()
    if not wanted:
        raise NotFound("no account given; pass an account id, name or part of a name")
    # Any id the service sent, not only 12 digits: the model's AccountIdType is any string,
    # and an account with an id of another shape and no name has nothing else to be named by.
    if wanted in ids:
        return account_at(ids.index(wanted))
    # Each way of matching is tried only when those before matched nothing, and the names are
    # brought to comparable form once, in C (`map`): a name that matches nothing is looked
    # for among them all, and there may be tens of thousands.
    the_one = partial(_the_one, account_at=account_at)
    # A name is compared as typed first: stray spaces are dropped only after, so a name that
    # has some of its own ("  padded  ") is not taken for another account's ("padded").
    if text != wanted and (one := the_one(text, _matching(names, text))):
        return one
    if one := the_one(wanted, _matching(names, wanted)):
        return one
    composed = list(map(partial(unicodedata.normalize, "NFC"), names))
    wanted_nfc = _nfc(wanted)
    if one := the_one(wanted, _matching(composed, wanted_nfc)):
        return one
    folded = list(map(str.casefold, composed))
    wanted_norm = wanted_nfc.casefold()
    if one := the_one(wanted, _matching(folded, wanted_norm)):
        return one
    if one := the_one(wanted, _matching(folded, wanted_norm, part=True)):
        return one
    raise _no_match(wanted, names, folded)


def _matching(keys: list[str], wanted: str, *, part: bool = False) -> list[int]:
    """Where in `keys` the key is `wanted` (holds it, with `part`). Nearly always there is none
    or one, which a search in C tells before any key is looked at in turn."""
    if part:
        if wanted not in "\n".join(keys):  # a false hit only costs the look in turn
            return []
        return [i for i, key in enumerate(keys) if wanted in key]
    if wanted not in keys:
        return []
    return [i for i, key in enumerate(keys) if key == wanted]


def _the_one(
    wanted: str, matches: list[int], *, account_at: Callable[[int], Account]
) -> Account | None:
    """The account when `matches` holds one; None when none; Ambiguous when several."""
    if len(matches) > 1:
        raise _ambiguous(wanted, [account_at(i) for i in matches])
    return account_at(matches[0]) if matches else None


def find_role(catalog: Catalog, account: Account, text: str, *, refreshed: bool = False) -> str:
    """The one role of `account` that `text` names: exact, else unique case-insensitive.
    `refreshed`: the catalog was fetched afresh as asked (--refresh): no advice names it."""
    wanted = text.strip()
    roles = catalog.roles_of(account.account_id)
    if not roles:
        reason = catalog.failed.get(account.account_id)
        if reason:  # its own advice is in the reason: what to do about that failure
            then = "" if refreshed else "; try again with --refresh"
            raise NotFound(
                f"the roles of {_label(account)} could not be listed ({_shown(reason)}){then}"
            )
        note = catalog.refused.get(account.account_id)
        if note:
            then = "" if refreshed else ", or try again with --refresh"
            raise NotFound(f"{_label(account)}: {_shown(note)}; ask your administrator{then}")
        raise NotFound(f"you have no roles in {_label(account)}; ask your administrator")
    for exact in (text, wanted):  # as typed first: a role name may have spaces of its own
        if exact in roles:
            return exact
    same = [r for r in roles if _norm(r.strip()) == _norm(wanted)]
    if len(same) == 1:
        return same[0]
    if same:
        raise NotFound(
            f"'{_shown(wanted)}' matches {len(same)} roles in {_label(account)}: "
            f"{', '.join(_shown(r) for r in sorted(same))}; type the exact name"
        )
    ordered = sorted(roles, key=str.casefold)
    shown = some_of([_shown(r) for r in ordered], MAX_ROLES_LISTED)
    partial = ""
    if account.account_id in catalog.failed:  # the roles listed before its listing failed
        partial = (
            f" (the list may be incomplete: {'try again later' if refreshed else 'try --refresh'})"
        )
    raise NotFound(f"no role '{_shown(wanted)}' in {_label(account)}; its roles: {shown}{partial}")
