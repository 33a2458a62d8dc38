"""`--debug` logging to stderr: a formatter that masks every secret (`tui.logs.redact`) in
records scrubbed by structure first (`tui.log_redaction`). Imported only with `--debug`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping

from tui.log_redaction import Scrubber
from tui.logs import MASK, SECRET_KEYS, STRUCTURE_KEYS, mask_known, redact


@functools.cache
def _scrubber() -> Scrubber:
    return Scrubber(frozenset(SECRET_KEYS.split("|")) | STRUCTURE_KEYS, MASK, mask_known)


def scrub_record(record: logging.LogRecord) -> logging.LogRecord:
    """A copy of `record` whose message and arguments hold no secret by structure."""
    copy = logging.makeLogRecord(record.__dict__)
    if isinstance(copy.args, Mapping):
        copy.args = _scrubber().scrub(copy.args)
    elif copy.args:
        copy.args = tuple(_scrubber().scrub(arg) for arg in copy.args)
    if not isinstance(copy.msg, str):
        copy.msg = _scrubber().scrub(copy.msg)
    return copy


class RedactingFormatter(logging.Formatter):
    """A formatter that scrubs each record by structure, then passes its text through `redact`."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(scrub_record(record)))


def start() -> None:
    """Debug lines of ssotui and botocore on stderr, redacted; the noisiest libraries less."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for noisy in ("urllib3", "botocore.hooks", "botocore.loaders", "asyncio", "markdown_it"):
        logging.getLogger(noisy).setLevel(logging.INFO)
