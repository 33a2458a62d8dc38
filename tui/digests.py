"""SHA-1 and SHA-256, as hashlib's, without loading hashlib where Python has its own.

ssotui hashes a few short strings in every command (the AWS CLI's token file name, the keys
of its own cache files). `import hashlib` loads OpenSSL's libcrypto and sets up every
algorithm it offers: ~11 million instructions, 3-4 % of a `credential-process` that finds its
credentials kept. CPython's built-in modules give the same digests at a fraction of the
start, as the standard library's `random` does for SHA-512 ("hashlib is pretty heavy to load,
try lean internal module first"); where they are missing (a Python built to hash with OpenSSL
alone; `_sha256` is `_sha2` from Python 3.12), hashlib's are used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Protocol


class Digest(Protocol):
    """What ssotui uses of a hash object."""

    def update(self, data: bytes, /) -> None: ...

    def digest(self) -> bytes: ...

    def hexdigest(self) -> str: ...


def _constructor(name: str, lean: tuple[str, ...]) -> Callable[..., Digest]:
    for module in lean:
        try:
            made: Callable[..., Digest] = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError):
            continue
        return made
    import hashlib

    found: Callable[..., Digest] = getattr(hashlib, name)
    return found


sha1 = _constructor("sha1", ("_sha1",))
sha256 = _constructor("sha256", ("_sha256", "_sha2"))
