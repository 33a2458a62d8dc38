"""Which proxy a request to a URL goes through, and which setting named it: botocore's choice.

botocore takes its proxies from `urllib.request` (`botocore.utils.get_environ_proxies`): none
when `proxy_bypass(host:port)` says so, else `getproxies()[scheme]`; `ALL_PROXY` is never used.
urllib reads the `<scheme>_proxy` variables (any case, the lower-case one winning, an empty
lower-case one unsetting the others, `HTTP_PROXY` ignored under CGI) with `NO_PROXY`; when
none is set, on macOS the system's network settings and on Windows the registry (Internet
Options) instead. The same is done here over the environment handed in, so the console sign-in
(`tui.aws.federation`) goes where botocore would, and the portal is left to botocore whenever
botocore would go through a proxy (`tui.aws.endpoints`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

SYSTEM = "the system's proxy settings"


@dataclass(frozen=True)
class Proxy:
    """The proxy a request goes through (`url`, as the setting wrote it) and what named it
    (`setting`: a variable such as "HTTPS_PROXY", or `SYSTEM`)."""

    url: str
    setting: str


def environment_proxies(environ: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """scheme -> (variable, proxy) of `environ`, as `urllib.request.getproxies_environment`
    reads this process's environment (scheme "no" is NO_PROXY)."""
    found: dict[str, tuple[str, str]] = {}
    # two passes, so that the lower-case variables win: any case first, then lower case only
    for name, value in environ.items():
        if value and name.lower().endswith("_proxy"):
            found[name.lower()[:-6]] = (name, value)
    if "REQUEST_METHOD" in environ:  # CGI: HTTP_PROXY may come from a client's Proxy header
        found.pop("http", None)
    for name, value in environ.items():
        if name.endswith("_proxy"):
            scheme = name.lower()[:-6]
            if value:
                found[scheme] = (name, value)
            else:
                found.pop(scheme, None)
    return found


# urllib's functions for the system's settings, on the platforms where it reads them
_SYSTEM_FUNCTIONS = {
    "darwin": ("getproxies_macosx_sysconf", "proxy_bypass_macosx_sysconf"),
    "win32": ("getproxies_registry", "proxy_bypass_registry"),  # urllib's `os.name == "nt"`
}


def _system_settings() -> tuple[Callable[[], dict[str, str]], Callable[[str], object]] | None:
    """(proxies, bypass) of the system's settings, where urllib reads them; else None."""
    names = _SYSTEM_FUNCTIONS.get(sys.platform)
    if names is None:
        return None
    import urllib.request  # only here: it brings http.client and `email`, ~10 ms

    return getattr(urllib.request, names[0]), getattr(urllib.request, names[1])


def _bypassed(bypass: Callable[[str], object], netloc: str) -> bool:
    import socket

    try:
        return bool(bypass(netloc))
    except (TypeError, socket.gaierror):  # as botocore's should_bypass_proxies allows
        return False


def chosen_proxy(url: str, environ: Mapping[str, str]) -> Proxy | None:
    """The proxy botocore would send a request to `url` through under `environ`, or None."""
    parts = urlsplit(url)
    found = environment_proxies(environ)
    if found:  # the variables alone, even when none is for this scheme (NO_PROXY alone)
        named = found.get(parts.scheme)
        if named is None:
            return None
        import urllib.request

        plain = {scheme: value for scheme, (_name, value) in found.items()}
        # the function botocore's `proxy_bypass` uses for them; typeshed does not list it
        bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
        if _bypassed(lambda host: bypass(host, plain), parts.netloc):
            return None
        return Proxy(named[1], named[0])
    system = _system_settings()
    if system is None:
        return None
    proxies, bypass = system
    if _bypassed(bypass, parts.netloc):
        return None
    value = proxies().get(parts.scheme)
    return Proxy(value, SYSTEM) if value else None
