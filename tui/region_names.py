"""What an AWS region name looks like (`eu-west-1`, `us-gov-west-1`, `eusc-de-east-1`): one rule
for `--region`, config.toml's `default_region` and the console, since a region becomes part of a
host name and of the environment a child gets."""

from __future__ import annotations

import re

# Compiled on first use (`re` keeps it), as tui.text's: config.toml is read at every start.
_REGION = r"[a-z]{2,5}(-[a-z]+)+-\d{1,2}"


def is_region_name(text: str) -> bool:
    """True when `text` is shaped like a region name (whole: no trailing line break)."""
    return re.fullmatch(_REGION, text) is not None
