"""Write the README's screenshots (`python -m tui.screenshots [--out DIR]`).

Drives the same App as `ssotui demo` (built by `make_app`, against the simulator with the demo
organisation) with keys, headless at a fixed size, and saves SVGs of the login screen, the
main screen with a filter typed, its help screen (`?`), the action menu, and the first-run set-up
form.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SIZE = (100, 30)


async def _wait(pilot: Any, predicate: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + 15
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


async def _shoot(out: Path) -> list[Path]:
    from textual.widgets import Input

    from tui.app import make_app
    from tui.app.widgets.big_code import BigCode
    from tui.demo import demo_world
    from tui.store.settings import Settings
    from tui.workspace import Context

    written: list[Path] = []

    def save(app: Any, name: str) -> None:
        for field in app.screen.query(Input):
            field.cursor_blink = False  # the cursor shows in every picture
        path = out / name
        app.save_screenshot(filename=path.name, path=str(path.parent))
        written.append(path)

    with demo_world(approve="manual", latency=0.0) as world:
        context = Context(Settings(), environ=dict(os.environ))  # the demo world's
        sessions = context.sessions()
        app = make_app(sessions=sessions, session=sessions[0], open_browser=False, context=context)
        async with app.run_test(size=SIZE) as pilot:

            def login_code() -> str:
                codes = app.screen.query(BigCode)
                return codes.first().code if codes else ""

            await _wait(pilot, login_code, "the login code")
            await pilot.pause(0.3)
            save(app, "login.svg")
            world.sim.approve()

            def loaded() -> bool:
                main: Any = app.screen
                model = getattr(main, "model", None)
                return model is not None and len(model.accounts) > 0 and not model.progress.loading

            await _wait(pilot, loaded, "the catalog")
            await pilot.press(*"prod-pay", "ctrl+f", "escape")  # a favourite, to show ★
            await pilot.press(*"prod")
            await pilot.pause(0.3)
            save(app, "main.svg")
            await pilot.press("question_mark")  # every key of the main screen
            await pilot.pause(0.3)
            save(app, "help.svg")
            await pilot.press("escape", "enter", "enter")
            await pilot.pause(0.3)
            save(app, "actions.svg")
            await pilot.press("escape")

        # First run: nothing configured yet, so the picker starts with the set-up form.
        config = Path(os.environ["AWS_CONFIG_FILE"])
        config.rename(config.with_name("config.demo"))
        app = make_app(sessions=[], open_browser=False, settings=Settings())
        async with app.run_test(size=SIZE) as pilot:

            def regions_loaded() -> bool:
                return bool(getattr(app.screen, "regions", ()))

            await _wait(pilot, regions_loaded, "the set-up form")
            await pilot.press(*"https://acme.awsapps.com/start", "enter")
            await pilot.pause(0.3)
            save(app, "setup.svg")
    return written


def main(argv: list[str] | None = None) -> int:
    """Write the SVGs and print where."""
    parser = argparse.ArgumentParser(prog="python -m tui.screenshots", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("screenshots"), help="output folder")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(_shoot(args.out)):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
