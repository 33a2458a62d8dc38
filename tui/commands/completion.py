"""Shell completion: the script `ssotui completion SHELL` prints, and the answers it asks for.

argcomplete does the protocol: the script runs `ssotui` with `_ARGCOMPLETE` and the line being
typed in the environment; `tui.cli.main` sees it and calls `answer`, which walks the parser
(commands, options, choices) and calls `candidates` for session names, ACCOUNT and ROLE. Those
come from the AWS config file and the cached catalog only: no network call, no token needed, no
login, and nothing printed. Only these two paths import this module, and argcomplete.
"""

from __future__ import annotations

import argparse
import sys
from functools import cache
from typing import TYPE_CHECKING, Any, NoReturn

from argcomplete.completers import SuppressCompleter
from argcomplete.finders import CompletionFinder

if TYPE_CHECKING:
    from tui.models import Catalog
    from tui.workspace import Context

SHELLS = ("bash", "zsh", "fish")
MOST_DESCRIBED = 2000  # account candidates offered with descriptions (see `_accounts`)


# argcomplete's zsh script hands the answers to `_describe`, whose `compadd` keeps only those
# that start with the word typed, in its case: `prod` would never become `Prod-Payments`.
# ssotui has matched them in any case already (`_any_case_prefix`), so zsh takes them as they
# are (`compadd -U`), as bash and fish do.
_ZSH_DESCRIBE = '_describe "${words[1]}" completions "${nosort[@]}" "${nospace[@]}"'


def script(shell: str) -> str:
    """The completion script for `shell` (argcomplete's, matching in any case in zsh too)."""
    from argcomplete.shell_integration import shellcode

    code: str = shellcode(["ssotui"], shell=shell)
    if shell == "zsh":
        code = code.replace(_ZSH_DESCRIBE, _ZSH_DESCRIBE + " -U")
    return code


def completion(args: argparse.Namespace, context: Context) -> int:
    """`ssotui completion SHELL`: print the script that hooks ssotui into the shell."""
    sys.stdout.write(script(args.shell))
    return 0


def _any_case_prefix(candidate: str, prefix: str) -> bool:
    return candidate.casefold().startswith(prefix.casefold())


class Finder(CompletionFinder):
    """argcomplete's finder, with duplicates removed in linear time (its own way takes 0.4 s
    for 10,000 accounts)."""

    def filter_completions(self, completions: list[str]) -> list[str]:
        return list(dict.fromkeys(completions))


def answer(parser: argparse.ArgumentParser, **finder: Any) -> NoReturn:
    """Answer the shell's completion request on the descriptor it reads, then exit.
    (`finder`: more of argcomplete's options, e.g. `exit_method` for a test.)"""
    # Options are offered once a `-` is typed; values with no completer of their own (a
    # profile name, a URL) get none, rather than file names.
    Finder()(
        parser,
        always_complete_options=False,
        validator=_any_case_prefix,
        default_completer=SuppressCompleter(),
        **finder,
    )
    raise SystemExit(0)  # argcomplete exits itself; this is for a request it would not answer


def _option(parsed: argparse.Namespace, name: str) -> str | None:
    """An option as typed so far, after the command or before it (`tui.cli` keeps the two
    apart until it settles them)."""
    value = getattr(parsed, name, None) or getattr(parsed, "before_" + name, None)
    return value if isinstance(value, str) else None


@cache
def _context() -> Context:
    # Loaded only when a candidate needs it: completing a command or an option never does.
    from tui.workspace import Context

    return Context.load()


@cache
def _catalog(session: str | None, start_url: str | None, sso_region: str | None) -> Catalog | None:
    context = _context()
    chosen = context.session(name=session, start_url=start_url, sso_region=sso_region)
    return context.workspace(chosen).cached_catalog()


def _cached_catalog(parsed: argparse.Namespace) -> Catalog | None:
    """The catalog cached for the session the line names (or the default one), read once."""
    return _catalog(
        _option(parsed, "session"), _option(parsed, "start_url"), _option(parsed, "sso_region")
    )


def _sessions() -> dict[str, str]:
    return {
        s.name: s.start_url
        for s in _context().sessions()
        if s.name is not None and s.name.isprintable()
    }


def _accounts(prefix: str, parsed: argparse.Namespace) -> dict[str, str] | list[str]:
    """Account names (an account id when the prefix is digits) that begin with `prefix` in any
    case, each with the other as its description; a name the shell cannot take as typed
    (control characters) is left out. More than MOST_DESCRIBED of them come without
    descriptions: zsh lines descriptions up in a time that grows faster than their number
    (20,000 accounts took 1.7 s to offer, and 0.6 s without), and nobody reads that many."""
    catalog = _cached_catalog(parsed)
    if catalog is None:
        return {}
    offered: dict[str, str]
    if prefix.isdigit():
        offered = {a.account_id: a.name if a.name.isprintable() else "" for a in catalog.accounts}
    else:
        # An account with no name is offered by its id (with no description to repeat it).
        named = sorted(catalog.accounts, key=lambda a: (a.label.casefold(), a.account_id))
        offered = {a.label: a.account_id if a.name else "" for a in named if a.label.isprintable()}
    if prefix:
        folded = prefix.casefold()
        offered = {
            key: about for key, about in offered.items() if key.casefold().startswith(folded)
        }
    return offered if len(offered) <= MOST_DESCRIBED else list(offered)


def _roles(parsed: argparse.Namespace) -> list[str]:
    """The roles of the ACCOUNT typed before (of every account it could mean, when several)."""
    from tui.errors import NotFound
    from tui.workspace.select import find_account

    typed = _option(parsed, "account")
    catalog = _cached_catalog(parsed) if typed else None  # no ACCOUNT yet: it comes first
    if catalog is None or typed is None:
        return []
    try:
        accounts = [find_account(catalog, typed)]
    except NotFound:
        wanted = typed.casefold()
        accounts = [a for a in catalog.accounts if wanted in a.name.casefold()]
    roles = {r for a in accounts for r in catalog.roles_of(a.account_id) if r.isprintable()}
    return sorted(roles, key=str.casefold)


def candidates(kind: str, prefix: str, parsed: argparse.Namespace) -> dict[str, str] | list[str]:
    """What may be typed for `kind` ("session", "account", "role"); nothing when it cannot
    be known without asking the network (no session settled, no cached catalog)."""
    try:
        if kind == "session":
            return _sessions()
        if kind == "account":
            return _accounts(prefix, parsed)
        if kind == "role":
            return _roles(parsed)
    except Exception:  # a completion never fails loudly: the shell just offers nothing
        return []
    return []
