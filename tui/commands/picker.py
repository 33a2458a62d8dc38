"""`ssotui` (the full-screen picker), `ssotui demo`, and picking a role for `exec`, `export`
and `console` (pick first, then act). The one place the command line starts the picker."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.commands.terminal import on_a_terminal, picker_can_open
from tui.errors import AlreadySaid, SsotuiError, UsageError
from tui.workspace import Context

if TYPE_CHECKING:
    from tui.app.pick import Picked
    from tui.models import SsoSession
    from tui.store.settings import Settings


def _needs_a_terminal(context: Context) -> None:
    if not on_a_terminal():
        raise SsotuiError(
            "the picker needs a terminal; use `ssotui list`, `ssotui export` or `ssotui exec`"
        )
    if not picker_can_open(context):
        raise SsotuiError(
            "the picker cannot draw on a TERM=dumb terminal; use `ssotui list`, or `ssotui "
            "export` or `ssotui exec` with ACCOUNT and ROLE"
        )


def _open_picker(
    args: argparse.Namespace, context: Context, **pick: Any
) -> tuple[object, SsoSession | None, int]:
    """Build the picker as the options say, run it, and return what `app.run()` returns,
    with the session it ended on: (result, session). `pick`: `pick_for`, `initial_filter`."""
    from tui.errors import ConfigError

    sessions = context.sessions()
    chosen: SsoSession | None = None
    # With no session configured at all (and none asked for), the picker starts with set-up,
    # where one can be set up.
    asked = args.session or args.start_url or args.sso_region
    if sessions or asked or not context.can_add_session():
        try:
            chosen = context.session(
                name=args.session, start_url=args.start_url, sso_region=args.sso_region
            )
        except ConfigError:
            if args.session or args.start_url or len(sessions) < 2:
                raise
    from tui.app import make_app

    app = make_app(
        sessions=sessions,
        session=chosen,
        open_browser=not args.no_browser,
        use_device_code=args.use_device_code,
        refresh=args.refresh,
        force=args.force,
        context=context,
        **pick,
    )
    result = app.run()
    session: SsoSession | None = getattr(app, "session", None) or chosen
    return result, session, app.return_code or 0


def picker(args: argparse.Namespace, context: Context) -> int:
    """`ssotui`: the full-screen picker; prints what the `p` action asked for after it closes.

    With no SSO session configured, it starts with a set-up form that writes one.
    """
    _needs_a_terminal(context)
    result, _session, status = _open_picker(args, context)
    if isinstance(result, str) and result:
        print(result, flush=True)
    return status


# What the picker is opened to do for each command that can pick first.
_PICK_FOR = {"exec": "subshell", "export": "print", "console": "console"}


def pick_role(
    args: argparse.Namespace, context: Context, *, pick_for: str, initial_filter: str | None
) -> Picked | None:
    """Open the picker for `ssotui PICK_FOR` (its accounts filtered to `initial_filter`); the
    role Enter was pressed on, with its session and region, or None when the user quit.

    The picker's contract (tui/app/pick.py): `make_app(..., pick_for=Action,
    initial_filter=str|None)`; `app.run()` returns a `Picked(session, account, role, region)`,
    or None when the user left without a choice.
    """
    from tui.app.pick import Action, Picked

    _needs_a_terminal(context)
    # `export --copy` prints nothing: its Enter copies (and says so), with no note for a
    # standard output on the terminal, which only printed keys need (tui/app/print_note.py)
    does = "copy" if pick_for == "export" and getattr(args, "copy", False) else _PICK_FOR[pick_for]
    result, _session, status = _open_picker(
        args, context, pick_for=Action(does), initial_filter=initial_filter
    )
    if status:  # not a quit: a script (`timeout`) must tell "killed" from "the user left"
        if status <= 128:  # a bug, whose line the picker said as it closed: not a second one
            raise AlreadySaid(_ended_by(status), exit_code=status)
        raise SsotuiError(f"{_ended_by(status)}; nothing picked, nothing done", exit_code=status)
    return result if isinstance(result, Picked) else None


def _ended_by(status: int) -> str:
    """What ended the picker with exit status `status` other than a quit: a signal (SIGTERM:
    143, SIGHUP: 129), else a failure it has said on the screen already."""
    from tui.signal_names import known_signal

    name = known_signal(status - 128) if status > 128 else None
    return f"the picker was ended by {name}" if name else "the picker failed"


def demo(args: argparse.Namespace, context: Context) -> int:
    """`ssotui demo`: the picker against the built-in simulator; touches no real AWS file.

    The demo has its one session of its own: a session option is refused (exit 2) rather
    than ignored, so no one believes the demo ran against the session they named."""
    given = [
        "--" + name.replace("_", "-")
        for name in ("session", "start_url", "sso_region")
        if getattr(args, name, None) is not None
    ]
    if given:
        one = len(given) == 1
        raise UsageError(
            f"{' and '.join(given)} {'does' if one else 'do'} not apply to `ssotui demo`, "
            "which always uses its own session (`demo`) against the built-in simulator: run "
            f"`ssotui demo` without {'it' if one else 'them'}"
        )
    if not picker_can_open(context):
        raise SsotuiError("the demo needs a terminal it can draw on: run `ssotui demo` in one")
    from tui.demo import run_demo

    return run_demo(open_browser=False)


def theme_problem(settings: Settings, config_file: Path) -> str | None:
    """What the picker says of config.toml's `theme` (read from `config_file`) when it has no
    such theme, else None (for `ssotui doctor`: the picker's own line, from the one place that
    words it)."""
    from tui.app.themes import default_theme, theme_names, unknown_theme

    return unknown_theme(settings.theme or "", default_theme(), theme_names(), config_file)
