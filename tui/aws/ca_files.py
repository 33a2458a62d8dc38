"""Which CA file TLS is verified with, and which setting named it: botocore's choice, once.

botocore takes `AWS_CA_BUNDLE`, then `ca_bundle` in the profile it reads (`AWS_DEFAULT_PROFILE`,
`AWS_PROFILE`, else `[default]`; the shared credentials file's section of that name overrides
the config file's), then `REQUESTS_CA_BUNDLE`, else its default bundle (certifi's, else its
own). A setting that is there but empty is refused by botocore (1.40 and later; before, it
turned verification off): here it is a CA file that cannot be used, never no check at all.

Every TLS connection ssotui makes itself asks `chosen_ca_file`: the direct portal client
(`tui.aws.portal_http`, through `tui.aws.clients`), the console sign-in (`tui.aws.federation`),
the reading of a botocore TLS failure (`tui.aws.botocore_errors`) and `ssotui doctor`; and
`unusable_line` is the one line each says when that file cannot be used.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.aws.sessions import config_sections, profile_map
from tui.errors import ConfigError
from tui.paths import Paths

if TYPE_CHECKING:
    import ssl


@dataclass(frozen=True)
class CaFile:
    """The CA file to verify with (`path`) and what named it (`setting`: "AWS_CA_BUNDLE",
    "ca_bundle in [default] of the AWS config file", "REQUESTS_CA_BUNDLE"), None for the
    default bundle."""

    path: str
    setting: str | None = None

    @property
    def empty(self) -> bool:
        """Named by a setting that holds nothing (botocore refuses it)."""
        return not self.path.strip()


def default_ca_file() -> str:
    """botocore's default bundle: certifi's, else its own (found, not imported: both keep
    cacert.pem beside their code)."""
    import importlib.util

    for package in ("certifi", "botocore"):
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin is not None:
            return os.path.join(os.path.dirname(spec.origin), "cacert.pem")
    raise RuntimeError("botocore is not installed")  # it is a dependency: cannot happen


# The last answer of `_profile_setting`, kept while the files are unchanged: the portal's
# client asks for every piece of work, and an AWS config of thousands of profiles takes
# ~0.1 s to read.
_last: tuple[tuple[Any, ...], tuple[str, str] | None] | None = None
_lock = threading.Lock()


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _wanted_profile(environ: Mapping[str, str]) -> str:
    """The profile botocore reads: the first of `AWS_DEFAULT_PROFILE`, `AWS_PROFILE` that is
    set, else `default`."""
    wanted = environ.get("AWS_DEFAULT_PROFILE")
    if wanted is None:
        wanted = environ.get("AWS_PROFILE")
    return wanted or "default"


def _profile_setting(environ: Mapping[str, str]) -> tuple[str, str] | None:
    """(where, path) of `ca_bundle` in the profile botocore reads, or None."""
    global _last
    paths = Paths.from_environ(environ)  # the files botocore reads in `environ`
    config_file = paths.aws_config_file
    credentials_file = paths.aws_credentials_file
    wanted = _wanted_profile(environ)
    key = (wanted, config_file, _stamp(config_file), credentials_file, _stamp(credentials_file))
    with _lock:
        if _last is not None and _last[0] == key:
            return _last[1]
    try:
        config = profile_map(config_sections(paths, config_file)).get("profiles", {})
        credentials = config_sections(paths, credentials_file)
    except ConfigError:
        return None  # botocore cannot read it either: the call fails before TLS
    if wanted not in config and wanted not in credentials:
        wanted = "default"  # ssotui's botocore session falls back to no profile at all
    in_config = "default" if wanted == "default" else f"profile {wanted}"
    found: list[tuple[str, dict[str, Any]]] = [
        (f"[{wanted}] of the shared credentials file", credentials.get(wanted, {})),
        (f"[{in_config}] of the AWS config file", config.get(wanted, {})),
    ]
    answer = next(
        (
            (f"ca_bundle in {where}", values["ca_bundle"])
            for where, values in found
            if isinstance(values.get("ca_bundle"), str)
        ),
        None,
    )
    with _lock:
        _last = (key, answer)
    return answer


def chosen_ca_file(environ: Mapping[str, str]) -> CaFile:
    """The CA file botocore verifies TLS with under `environ`, and the setting that named it,
    in botocore's order (see the module's docstring)."""
    if "AWS_CA_BUNDLE" in environ:
        return CaFile(environ["AWS_CA_BUNDLE"], "AWS_CA_BUNDLE")
    in_profile = _profile_setting(environ)
    if in_profile is not None:
        where, path = in_profile
        return CaFile(path, where)
    if "REQUESTS_CA_BUNDLE" in environ:
        return CaFile(environ["REQUESTS_CA_BUNDLE"], "REQUESTS_CA_BUNDLE")
    return CaFile(default_ca_file())


def tls_context(ca: CaFile) -> ssl.SSLContext | None:
    """A TLS context that verifies with `ca` alone, as strictly as botocore's does; None when
    it cannot be used (empty, missing, unreadable, not PEM, a folder: botocore takes no folder).

    Not `ssl.create_default_context`: from Python 3.13 it also sets VERIFY_X509_STRICT, which
    refuses CA certificates botocore and the AWS CLI accept (a TLS-inspecting proxy's CA whose
    basic constraints are not marked critical, say): the portal and the console sign-in failed
    where the login, through botocore, worked."""
    import ssl

    if ca.empty:
        return None  # an empty cafile would quietly mean the system's CAs
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # certificate and host name checked
    try:
        context.load_verify_locations(cafile=ca.path)
    except (OSError, ValueError):
        return None
    keylog = os.environ.get("SSLKEYLOGFILE")  # as botocore and create_default_context honour it
    if keylog and not sys.flags.ignore_environment:
        context.keylog_filename = keylog
    return context


def unusable_line(ca: CaFile, what: str) -> str:
    """The line for a CA file that cannot be used to check `what`'s certificate."""
    setting = ca.setting or "AWS_CA_BUNDLE"
    if ca.empty:
        return (
            f"{setting} is set but empty, so there is no CA file to check {what}'s certificate "
            "with: name your CA file there or unset it"
        )
    return (
        f"cannot read the CA file {ca.path} to check {what}'s certificate: fix {setting} or "
        "unset it"
    )
