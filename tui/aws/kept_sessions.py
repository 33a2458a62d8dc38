"""What one read of the AWS config file found, in the form kept beside its sections.

After `ssotui populate` on a large organisation the config file holds a profile per role
(15,000 for 5,000 accounts with 3 roles each), and rebuilding the sessions from its sections
cost every command ~90 ms. What `tui.aws.sessions` derives is kept instead, in
`tui.store.config_reads`' file (same key, same rules on what is kept), as a few flat lists:
one table of the sessions found, and each field of the read as names and values (a value
that is a session is its place in the table, so the same session stays the same object).

The kept form is tagged with `rules()`, a digest of the code that derives it: a kept read is
used only by the ssotui that wrote it, so a change to how sessions are read never meets a read
kept under the old rules. A field of a type this form cannot carry keeps nothing.
"""

from __future__ import annotations

import dataclasses
import os
from functools import cache
from pathlib import Path
from typing import Any

from tui import digests, models
from tui.models import SsoSession
from tui.paths import Paths
from tui.store import config_reads

_SESSION_FIELDS = tuple(f.name for f in dataclasses.fields(SsoSession))


@cache
def rules() -> str:
    """A digest of the code that reads sessions from the config file ("" when it cannot be
    read: then nothing is kept)."""
    here = Path(__file__).parent
    digest = digests.sha256()
    try:
        for source in (here / "sessions.py", Path(__file__), Path(models.__file__)):
            digest.update(source.read_bytes())
    except OSError:
        return ""
    return digest.hexdigest()


def load(paths: Paths, path: Path, info: os.stat_result) -> dict[str, Any] | None:
    """The fields of the read kept (in `paths`' cache folder) for the config file at `path`
    when `info` matches; else None."""
    if not config_reads.worth_keeping(info) or not rules():
        return None
    form = config_reads.load_read(paths, path, info, rules())
    try:
        return _decoded(form) if isinstance(form, dict) else None
    except (KeyError, IndexError, TypeError, ValueError):
        return None


def form(fields: dict[str, Any]) -> tuple[str, Any] | None:
    """(rules, the kept form of `fields`) for `config_reads.save`; None when a field is of a
    type the form cannot carry or the rules are unknown."""
    if not rules():
        return None
    table: list[SsoSession] = []
    places: dict[int, int] = {}

    def place(session: SsoSession) -> int:
        if id(session) not in places:
            places[id(session)] = len(table)
            table.append(session)
        return places[id(session)]

    encoded: dict[str, Any] = {}
    for name, value in fields.items():
        if isinstance(value, list) and all(isinstance(v, SsoSession) for v in value):
            encoded[name] = ["sessions", [place(v) for v in value]]
        elif isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
            encoded[name] = ["names", list(value), list(value.values())]
        elif isinstance(value, dict) and all(isinstance(v, SsoSession) for v in value.values()):
            encoded[name] = ["named sessions", list(value), [place(v) for v in value.values()]]
        else:
            return None
    sessions = [[getattr(s, f) for f in _SESSION_FIELDS] for s in table]
    return rules(), {"table": sessions, "fields": encoded}


def _decoded(form: dict[str, Any]) -> dict[str, Any]:
    table: list[SsoSession] = []
    for row in form["table"]:
        values: dict[str, Any] = {
            f: tuple(v) if isinstance(v, list) else v
            for f, v in zip(_SESSION_FIELDS, row, strict=True)
        }
        table.append(SsoSession(**values))
    fields: dict[str, Any] = {}
    for name, (kind, *parts) in form["fields"].items():
        if kind == "sessions":
            fields[name] = [table[i] for i in parts[0]]
        elif kind == "names":
            fields[name] = dict(zip(parts[0], parts[1], strict=True))
        elif kind == "named sessions":
            fields[name] = dict(zip(parts[0], [table[i] for i in parts[1]], strict=True))
        else:
            raise ValueError(kind)
    return fields
