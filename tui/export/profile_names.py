"""Profile names made from service names: one rule for `populate` and `write-profile`.

A profile name must read back the same from an INI header (`[name]` in the credentials file,
`[profile name]` in the config file, which botocore splits as a shell would) and work as a shell
word (`AWS_PROFILE=name`). Letters and digits of any script are kept (`Kraków-QA`, `東京`), as
are `_ + = , . @ -`; every other run of characters (spaces, quotes, brackets, slashes, control
characters) becomes one `-`, and `-` and `.` are trimmed from both ends.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# \w is unicode-aware: letters, digits and marks of every script, and `_`.
_UNSAFE: Final = re.compile(r"[^\w+=,.@-]+")


def profile_name_part(text: str) -> str:
    """`text` (an account name, a role name, a template's result) made safe as a profile name
    or a part of one; "" when nothing usable is left."""
    return _UNSAFE.sub("-", unicodedata.normalize("NFC", text)).strip("-.")
