"""The domain never loads Textual; light commands never load Textual or boto3."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

DOMAIN = [
    "tui.models",
    "tui.text",
    "tui.aws.sessions",
    "tui.aws.session_choice",
    "tui.aws.clients",
    "tui.aws.token_cache",
    "tui.aws.login",
    "tui.aws.login_flows",
    "tui.aws.browser_login",
    "tui.aws.flow_choice",
    "tui.browser",
    "tui.aws.tokens",
    "tui.aws.portal",
    "tui.aws.transport",
    "tui.aws.deadline",
    "tui.aws.portal_http",
    "tui.aws.portal_botocore",
    "tui.aws.botocore_errors",
    "tui.aws.catalog",
    "tui.workspace.select",
    "tui.export.env",
    "tui.export.formats",
    "tui.export.subshell",
    "tui.export.credentials_file",
    "tui.export.clipboard",
    "tui.export.ini_sections",
    "tui.export.aws_config",
    "tui.workspace.setup",
    "tui.commands.doctor",
    "tui.logs",
    "tui.debug_mode",
    "tui.log_redaction",
    "tui.store.files",
    "tui.store.settings",
    "tui.store.catalog_cache",
    "tui.store.state",
    "tui.sim",
    "tui.serve",
    "tui.commands.resolve",
    "tui.commands.session",
    "tui.commands.credentials",
    "tui.commands.setup",
    "tui.commands.picker",
    "tui.cli",
]


def _loaded_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


# One fresh interpreter, forked once per module: each child imports its module alone and says
# whether Textual came with it (one start-up of Python rather than one a module).
_EACH_ALONE = """
import os, sys
for module in sys.argv[1:]:
    pid = os.fork()
    if pid == 0:
        __import__(module)
        print(module, "textual" in sys.modules, flush=True)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if status != 0:
        print(module, "failed", flush=True)
"""


@pytest.fixture(scope="module")
def pulls_in_textual() -> dict[str, str]:
    out = subprocess.run(
        [sys.executable, "-c", _EACH_ALONE, *DOMAIN], capture_output=True, text=True, check=True
    ).stdout
    return dict(line.split(" ", 1) for line in out.splitlines())


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks one child a module")
@pytest.mark.parametrize("module", DOMAIN)
def test_domain_module_does_not_import_textual(
    module: str, pulls_in_textual: dict[str, str]
) -> None:
    assert pulls_in_textual[module] == "False", f"{module} pulled in Textual"


def test_sim_imports_nothing_of_the_rest() -> None:
    loaded = _loaded_after("import tui.sim")
    assert not {m for m in loaded if m.startswith("tui.") and not m.startswith("tui.sim")}


def test_the_credential_endpoint_loads_neither_boto3_nor_the_rest() -> None:
    loaded = _loaded_after("import tui.serve")
    assert not {"boto3", "botocore", "textual"} & loaded
    ours = {m for m in loaded if m.startswith("tui.")}
    small = {"tui.errors", "tui.logs", "tui.log_redaction", "tui.models", "tui.text", "tui.digests"}
    assert ours <= small | {"tui.export", "tui.export.env"} | {
        m for m in ours if m.startswith("tui.serve")
    }


def test_version_loads_neither_textual_nor_boto3() -> None:
    loaded = _loaded_after(
        "import sys\nfrom tui.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass"
    )
    assert "textual" not in loaded
    assert "boto3" not in loaded
    assert "botocore" not in loaded


def test_the_workspace_loads_nothing_only_a_logout_or_a_profile_needs() -> None:
    """Every command builds a `Workspace`; what a logout, a profile written or a region checked
    needs is loaded by those alone (each module or dataclass costs `credential-process`, which
    an AWS SDK runs for every client, start-up time)."""
    loaded = _loaded_after("import tui.workspace.workspace\nimport tui.commands.credentials")
    assert {"tui.workspace.workspace", "tui.workspace.login"} <= loaded
    only_some = {"tui.workspace.logout_report", "tui.export.credentials_file", "tui.aws.regions"}
    assert not only_some & loaded
