"""A self-signed certificate for the simulator to speak HTTPS on 127.0.0.1, as the real portal
does (every new connection costs a TLS handshake). Clients trust it through `AWS_CA_BUNDLE`.

Made at run time by the `openssl` command: RSA 2048, as the certificates of AWS endpoints, for
IP 127.0.0.1 and localhost (and any other names asked for, e.g. the real endpoints' names for a
client that can only be pointed here through a proxy), valid two days. Nothing new to install.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Sequence
from pathlib import Path


class NoOpenssl(RuntimeError):
    """There is no `openssl` command here to make a certificate with."""


def self_signed(folder: Path, names: Sequence[str] = ()) -> tuple[Path, Path]:
    """Write `cert.pem` and `key.pem` into `folder` (made if missing); returns their paths.
    The certificate is for 127.0.0.1, localhost and the DNS `names` given."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise NoOpenssl("no openssl command to make a certificate with")
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = folder / "cert.pem", folder / "key.pem"
    alt_names = ",".join(["IP:127.0.0.1", "DNS:localhost", *(f"DNS:{name}" for name in names)])
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
        + ["-addext", f"subjectAltName={alt_names}"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    key.chmod(0o600)
    return cert, key


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    """The server side of TLS with that certificate."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context
