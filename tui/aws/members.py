"""Members botocore's models call strings, read as the service sent them.

botocore's parser keeps a JSON value as it came (a number stays a number, `true` a boolean),
and `aws sso list-accounts` prints it so; its own consumers then refuse what is no string
(parameter validation when it is sent back, signing with a key). ssotui reads a JSON number as
its JSON text (an account id 123456789012 is the one a user reads and types) and nothing else as
text: a boolean, an object or a list is no id, role, key or token (`text` raises TypeError,
which the caller says as an unreadable answer), and no name or e-mail either (`shown_text`).
"""

from __future__ import annotations

import json


def text(value: object) -> str | None:
    """A string member's value: a JSON string as it is, a JSON number as its JSON text, None
    when null or absent; TypeError for anything else."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return json.dumps(value)
    raise TypeError(f"a JSON {type(value).__name__} where a string belongs")


def required_text(value: object) -> str:
    """`text` of a member the answer is of no use without (TypeError when null or absent)."""
    found = text(value)
    if found is None:
        raise TypeError("no value where a string belongs")
    return found


def shown_text(value: object) -> str:
    """`text` of a member that is only shown (a name, an e-mail): "" when it has none, null
    or a value no text (a boolean, an object)."""
    try:
        return text(value) or ""
    except TypeError:
        return ""
