"""The verification page a browser opens: shows the user code with Approve and Deny buttons."""

from __future__ import annotations

import html

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ssotui simulator sign-in</title>
<style>body{{font-family:sans-serif;max-width:32em;margin:4em auto;text-align:center}}
code{{font-size:2em;letter-spacing:.1em}}button{{font-size:1.2em;margin:.5em;padding:.3em 1em}}
</style></head><body>
<h1>ssotui simulator</h1>
{body}
</body></html>
"""

_FORM = """<p>Authorize the request with this code?</p>
<p><code>{code}</code></p>
<form method="post" action="/device">
<input type="hidden" name="user_code" value="{code}">
<button name="action" value="approve">Approve</button>
<button name="action" value="deny">Deny</button>
</form>
<p>Pending codes: {pending}</p>"""


def device_page(user_code: str, pending: list[str]) -> str:
    """The page for ``user_code`` (or for the pending codes when none is given)."""
    code = user_code or (pending[0] if pending else "")
    body = _FORM.format(code=html.escape(code), pending=html.escape(", ".join(pending) or "none"))
    return _PAGE.format(body=body)


def result_page(message: str) -> str:
    """The page shown after Approve or Deny."""
    return _PAGE.format(body=f"<p>{html.escape(message)}</p>")
