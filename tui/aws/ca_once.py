"""botocore's clients read their CA file once, not once for every new connection.

botocore hands urllib3 the CA file's path for each connection pool, and urllib3 loads it into
the pool's shared TLS context again at every new connection (urllib3 issue 3623, open). With
OpenSSL 3 that is ~20 ms of CPU for the default bundle's 126 CAs, and slower still when
threads load into the same context at once: a catalog through botocore (behind a proxy, or
with `ca_bundle` in a profile) opens up to 96 connections, and took 2.7–5 s where the direct
client takes 0.6 s (`docs/speed-notes.md`, TLS).

`load_ca_once(client)` loads the file into each pool's context itself, once per context, and
clears the pool's path so urllib3 does not load it again. The checks are the same: the context
still requires a certificate signed by a CA of that file, for the host name asked for. It uses
two private parts, botocore's `client._endpoint.http_session._setup_ssl_cert` and urllib3's
`pool.conn_kw["ssl_context"]`; where either is missing (another botocore or urllib3), it leaves
the client as it is (tests/test_sim_tls.py notices).
"""

from __future__ import annotations

import threading
import weakref
from typing import Any


def load_ca_once(client: Any) -> None:
    """Make botocore `client`'s connections share one loading of the CA file per TLS context."""
    http_session: Any = getattr(getattr(client, "_endpoint", None), "http_session", None)
    setup = getattr(http_session, "_setup_ssl_cert", None)
    if setup is None:
        return
    loaded: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()
    lock = threading.Lock()

    def setup_once(conn: Any, url: str, verify: Any) -> None:
        setup(conn, url, verify)
        ca_file = getattr(conn, "ca_certs", None)
        conn_kw = getattr(conn, "conn_kw", None)
        context = conn_kw.get("ssl_context") if isinstance(conn_kw, dict) else None
        if not ca_file or context is None:
            return
        with lock:
            files = loaded.setdefault(context, set())
            if ca_file not in files:
                try:
                    context.load_verify_locations(cafile=ca_file)
                except (OSError, ValueError):
                    return  # urllib3 tries it itself, and fails as it always did
                files.add(ca_file)
        conn.ca_certs = None  # loaded: urllib3 need not load it again

    http_session._setup_ssl_cert = setup_once
