"""Shell completion: the script `ssotui completion SHELL` prints, and the answers it asks for.

argcomplete does the protocol: the script runs `ssotui` with `_ARGCOMPLETE` and the line being
typed in the environment; `tui.cli.main` sees it and calls `answer`, which walks the parser
(commands, options, choices) and calls `candidates` for session names, ACCOUNT and ROLE. Those
come from the AWS config file and the cached catalog only: no network call, no token needed, no
login, and nothing printed. Only these two paths import this module, and argcomplete.
"""

from __future__ import annotations

import argparse
import os
import sys
from functools import cache
from typing import TYPE_CHECKING, Any, NoReturn

from argcomplete.completers import SuppressCompleter
from argcomplete.finders import CompletionFinder

from tui.commands.operands import operands, unmarked

if TYPE_CHECKING:
    from tui.store.catalog_cache import CachedCatalog
    from tui.workspace import Context

SHELLS = ("bash", "zsh", "fish")
# Every character argcomplete escapes for one shell or another (`quote_completions`): a name
# with none of them is the same quoted.
_QUOTED = frozenset("\\();<>|&!`$*?[]{} \t\n\"':")
MOST_DESCRIBED = 2000  # account candidates offered with descriptions (see `_accounts`)
_TYPED = "\0typed"  # the word being typed, as `Finder` hands the line to `operands`


# argcomplete's zsh script hands the answers to `_describe`, whose `compadd` keeps only those
# that start with the word typed, in its case: `prod` would never become `Prod-Payments`.
# ssotui has matched them in any case already (`_any_case_prefix`), so zsh takes them as they
# are (`compadd -U`), as bash and fish do.
_ZSH_DESCRIBE = '_describe "${words[1]}" completions "${nosort[@]}" "${nospace[@]}"'


# In a word begun with a quote, zsh hands a completion function the line with that word's
# quotes taken out of BUFFER: argcomplete then read `export "qa has ` as ACCOUNT `qa has`
# and an empty ROLE, and `-U` put a role name in place of the account. The word goes back in
# escaped instead (`qa\ has\ `), as if typed so, which zsh completes right.
_ZSH_ASKS = 'COMP_LINE="$BUFFER" \\\n            COMP_POINT="$CURSOR"'
_ZSH_ASKS_WHOLE_WORD = 'COMP_LINE="$line" \\\n            COMP_POINT="$point"'
_ZSH_WHOLE_WORD = """local completions
        local line="$BUFFER" point="$CURSOR"
        if [[ -n "${compstate[quote]-}" ]]; then
            local start=$(( CURSOR - ${#PREFIX} )) word="${(q)PREFIX}"
            line="${BUFFER[1,start]}${word}${BUFFER[CURSOR+1,-1]}"
            point=$(( start + ${#word} ))
        fi"""


def script(shell: str) -> str:
    """The completion script for `shell` (argcomplete's, matching in any case in zsh too, and
    taking a word begun with a quote as one word there)."""
    from argcomplete.shell_integration import shellcode

    code: str = shellcode(["ssotui"], shell=shell)
    if shell == "zsh":
        code = code.replace(_ZSH_DESCRIBE, _ZSH_DESCRIBE + " -U")
        code = code.replace("local completions", _ZSH_WHOLE_WORD, 1)
        code = code.replace(_ZSH_ASKS, _ZSH_ASKS_WHOLE_WORD, 1)
    return code


def completion(args: argparse.Namespace, context: Context) -> int:
    """`ssotui completion SHELL`: print the script that hooks ssotui into the shell."""
    sys.stdout.write(script(args.shell))
    return 0


def _any_case_prefix(candidate: str, prefix: str) -> bool:
    return candidate.casefold().startswith(unmarked(prefix).casefold())


class Finder(CompletionFinder):
    """argcomplete's finder, with duplicates removed in linear time (its own way takes 0.4 s
    for 10,000 accounts)."""

    def filter_completions(self, completions: list[str]) -> list[str]:
        return list(dict.fromkeys(completions))

    def _get_completions(
        self,
        comp_words: list[str],
        cword_prefix: str,
        cword_prequote: str,
        last_wordbreak_pos: int | None,
    ) -> list[str]:
        """argcomplete's (a private method of argcomplete 3, read in 3.7), with the line
        read as `tui.cli.parse` reads it: the words after `--` (`exec`: after
        --end-of-options) are ACCOUNT and ROLE, even those that begin with "-" (argparse took
        `-team` for an option, and offered accounts again after it). The word being typed
        among them comes marked (`tui.commands.operands`): `candidates` then offers names that
        begin with "-" as they are, where elsewhere it offers them only in a form that works
        there. After exec's `--` it offers nothing (it offered accounts and options as the
        command to run), and the shell completes as it does by default."""
        words = comp_words[1:]
        command: list[str] = []
        if "--" in words:
            cut = words.index("--")
            words, command = words[:cut], [*words[cut + 1 :], _TYPED]
        else:
            words = [*words, _TYPED]
        read, still = operands(words, command)
        if _TYPED in still:  # after exec's `--`: a command to run, no ACCOUNT, ROLE nor option
            return []
        if read and read[-1].endswith(_TYPED) and read[-1] != _TYPED:  # an operand
            mark = read[-1].removesuffix(_TYPED)
            comp_words = [*comp_words[:1], *read[:-1]]
            cword_prefix = mark + cword_prefix
        done: list[str] = super()._get_completions(  # type: ignore[no-untyped-call]
            comp_words, cword_prefix, cword_prequote, last_wordbreak_pos
        )
        return done

    def quote_completions(
        self, completions: list[str], cword_prequote: str, last_wordbreak_pos: int | None
    ) -> list[str]:
        """argcomplete's quoting, with what it leaves for the shell to expand: bash read a `~`
        it left bare as a home folder (`~root` became `/root`, and so did `a=~root`) and a `#`
        at a word's start as a comment (the name was dropped); fish quotes what ssotui answers
        but for a `~` at the start, so a name that begins with one is left out there."""
        shell = os.environ.get("_ARGCOMPLETE_SHELL", "bash")
        if shell == "fish":
            completions = [c for c in completions if not c.startswith("~")]
        quoted = self._quoted(completions, cword_prequote, last_wordbreak_pos)
        if shell == "bash" and not cword_prequote:  # inside quotes both are plain characters
            quoted = [c.replace("~", "\\~").replace("#", "\\#") for c in quoted]
        return quoted

    def _quoted(
        self, completions: list[str], cword_prequote: str, last_wordbreak_pos: int | None
    ) -> list[str]:
        """argcomplete's quoting, handed only the names that hold something to quote: it tries
        each of 22 characters on every name (25 ms for 10,000 names, most of which hold none).
        One name gets a space after it, and a word cut at `:` or `=` is cut in every name:
        argcomplete then sees them all."""
        if len(completions) < 2 or last_wordbreak_pos is not None:
            whole: list[str] = super().quote_completions(
                completions, cword_prequote, last_wordbreak_pos
            )
            return whole
        some = [c for c in completions if not _QUOTED.isdisjoint(c)]
        if not some:
            return completions
        spacing, self.append_space = self.append_space, False  # several: none gets a space
        try:
            done = iter(super().quote_completions(some, cword_prequote, last_wordbreak_pos))
        finally:
            self.append_space = spacing
        return [c if _QUOTED.isdisjoint(c) else next(done) for c in completions]


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
def _columns(
    session: str | None, start_url: str | None, sso_region: str | None
) -> CachedCatalog | None:
    context = _context()
    chosen = context.session(name=session, start_url=start_url, sso_region=sso_region)
    return context.workspace(chosen).cached_columns()


def _cached_columns(parsed: argparse.Namespace) -> CachedCatalog | None:
    """The catalog cached for the session the line names (or the default one), read once, as
    the file's columns: no account is built (`tui.store.catalog_cache.CachedCatalog`)."""
    return _columns(
        _option(parsed, "session"), _option(parsed, "start_url"), _option(parsed, "sso_region")
    )


def _shell_safe(offered: dict[str, str]) -> dict[str, str]:
    """`offered` without the candidates a shell could not take back as typed (control
    characters: a newline, an escape sequence), and with no such description shown."""
    return {
        key: about if about.isprintable() else ""
        for key, about in offered.items()
        if key.isprintable()
    }


def _sessions() -> dict[str, str]:
    return _shell_safe({s.name: s.start_url for s in _context().sessions() if s.name is not None})


def _accounts(
    prefix: str, parsed: argparse.Namespace, *, operand: bool = False
) -> dict[str, str] | list[str]:
    """Account names (an account id when the prefix is digits) that begin with `prefix` in any
    case, each with the other as its description; a name or id the shell cannot take as typed
    (control characters) is left out, and no such description is shown. More than
    MOST_DESCRIBED of them come without descriptions: zsh lines descriptions up in a time that
    grows faster than their number (20,000 accounts took 1.7 s to offer, and 0.6 s without),
    and nobody reads that many. A name that begins with "-" is offered by its id too (the
    name its description), but for an `operand` (after `--`): argparse would take it for an
    option."""
    cached = _cached_columns(parsed)
    if cached is None:
        return {}
    folded = prefix.casefold()
    offered: dict[str, str]
    if prefix.isdigit():
        offered = {
            account_id: name
            for account_id, name in zip(cached.ids, cached.names, strict=True)
            if account_id.casefold().startswith(folded)
        }
    else:
        # An account with no name is offered by its id (with no description to repeat it).
        labels = [
            name if name and (operand or name[0] != "-") else account_id
            for account_id, name in zip(cached.ids, cached.names, strict=True)
        ]
        matching = sorted(
            (key, account_id, label, name)
            for key, account_id, label, name in zip(
                map(str.casefold, labels), cached.ids, labels, cached.names, strict=True
            )
            if key.startswith(folded)
        )
        offered = {
            label: account_id if label == name else name for _, account_id, label, name in matching
        }
    offered = _shell_safe(offered)
    return offered if len(offered) <= MOST_DESCRIBED else list(offered)


def _roles(parsed: argparse.Namespace, *, operand: bool = False) -> list[str]:
    """The roles of the ACCOUNT typed before (of every account it could mean, when several);
    one that begins with "-" only as an `operand` (after `--`), where it can be taken."""
    from tui.errors import NotFound
    from tui.workspace.select import find_among

    typed = _option(parsed, "account")
    typed = typed and unmarked(typed)
    cached = _cached_columns(parsed) if typed else None  # no ACCOUNT yet: it comes first
    if cached is None or typed is None:
        return []
    try:
        found = find_among(cached.ids, cached.names, cached.account, typed)
        roles = set(cached.narrowed(found).roles_of(found.account_id))
    except NotFound:
        wanted = typed.casefold()
        meant = {cached.ids[i] for i, name in enumerate(cached.names) if wanted in name.casefold()}
        last = {account_id: i for i, account_id in enumerate(cached.ids)}  # as `whole` reads it
        roles = {r for account_id in meant for r in cached.roles[last[account_id]]}
    offered = (r for r in roles if r.isprintable() and (operand or not r.startswith("-")))
    return sorted(offered, key=str.casefold)


def candidates(kind: str, prefix: str, parsed: argparse.Namespace) -> dict[str, str] | list[str]:
    """What may be typed for `kind` ("session", "account", "role"); nothing when it cannot
    be known without asking the network (no session settled, no cached catalog). A marked
    `prefix` is a word after `--` (`Finder._get_completions`)."""
    operand = prefix != unmarked(prefix)
    prefix = unmarked(prefix)
    try:
        if kind == "session":
            return _sessions()
        if kind == "account":
            return _accounts(prefix, parsed, operand=operand)
        if kind == "role":
            return _roles(parsed, operand=operand)
    except Exception:  # a completion never fails loudly: the shell just offers nothing
        return []
    return []
