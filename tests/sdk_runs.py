"""What a program built on an AWS SDK printed (tests/js, tests/go): the credentials its
provider gave, or the error it raised, as the last line of JSON on its stdout."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


def last_json(out: str) -> dict[str, Any]:
    """The last line of a program's output, read as JSON."""
    lines = out.strip().splitlines()
    if not lines:
        return {"error": "(the program printed nothing)"}
    data: dict[str, Any] = json.loads(lines[-1])
    return data


@dataclass
class SdkRun:
    """What the SDK's provider gave: the credentials, or the error it raised."""

    status: int
    answer: dict[str, Any]
    err: str

    @classmethod
    def of(cls, status: int, out: str, err: str) -> SdkRun:
        """The run whose stdout is `out`: its last line is the answer."""
        return cls(status, last_json(out), err)

    @property
    def creds(self) -> dict[str, Any]:
        """The credentials, asserted to have been given."""
        assert self.status == 0 and "error" not in self.answer, (self.answer, self.err[-2000:])
        return self.answer

    @property
    def error(self) -> str:
        """The provider's error message, asserted to have been raised."""
        assert self.status == 1 and "error" in self.answer, (self.answer, self.err[-2000:])
        return str(self.answer["error"])
