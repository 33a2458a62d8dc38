"""What each command's `-h` page says: one sentence on what it does, and examples.

`tui.cli` builds the parser; the words people read on `ssotui COMMAND -h` live here, one entry
per command, so a new command's page is written next to the others.
"""

from __future__ import annotations


class Page:
    """One command's help: `summary` in the list of commands, `does` atop its page.

    (A plain class: `ssotui --version` and `credential-process` load this module, and
    dataclasses would add to their start-up.)
    """

    __slots__ = ("summary", "does", "examples")

    def __init__(self, *, summary: str, does: str, examples: tuple[str, ...] = ()) -> None:
        self.summary = summary
        self.does = does
        self.examples = examples

    @property
    def epilog(self) -> str:
        """The examples, one a line, as the page shows them under its options."""
        if not self.examples:
            return ""
        return "examples:\n" + "\n".join(f"  {line}" for line in self.examples)


PROGRAM = Page(
    summary="",
    does=(
        "Pick an AWS account and role from IAM Identity Center and use it. With no\n"
        "command: the full-screen picker. The session options and --debug go before or\n"
        "after the command."
    ),
    examples=(
        "ssotui                                  # the picker",
        "ssotui configure                        # first time: add your start URL",
        "ssotui exec                             # pick a role, then a shell with it",
        'eval "$(ssotui export prod Admin)"      # credentials into this shell',
        "ssotui --session acme list              # another session (or: list --session)",
        "ssotui COMMAND -h                       # what a command does, with examples",
    ),
)

PAGES: dict[str, Page] = {
    "demo": Page(
        summary="the picker against a built-in simulator (no AWS needed)",
        does=(
            "Open the picker against a built-in Identity Center simulator with a sample\n"
            "organisation; it touches no AWS file and needs no AWS account."
        ),
        examples=("ssotui demo",),
    ),
    "login": Page(
        summary="log in to the SSO session (browser, or a device code)",
        does=(
            "Log in to the SSO session as `aws sso login` does: in the browser (PKCE) by\n"
            "default; with a device code over SSH, with --use-device-code or --no-browser.\n"
            "The token is shared with the AWS CLI. A valid cached token is reused, unless\n"
            "--force or it was granted before the session's sso_registration_scopes changed."
        ),
        examples=(
            "ssotui login",
            "ssotui login --use-device-code       # over SSH: open the URL on any device",
            "ssotui login --session acme --force  # a fresh login to another session",
        ),
    ),
    "logout": Page(
        summary="revoke the token, delete it, the catalog cache and kept credentials",
        does=(
            "Log out of the SSO session: revoke the token at Identity Center, then delete\n"
            "the cached token, the session's cached catalog, the role credentials kept\n"
            "between runs and those the AWS CLI cached for the session's roles in\n"
            "~/.aws/cli/cache (other sessions' stay)."
        ),
        examples=("ssotui logout", "ssotui logout --purge   # also the profiles ssotui wrote"),
    ),
    "list": Page(
        summary="every (account, role) pair",
        does=(
            "Print every account and role you can reach, one pair a line (id, name, role),\n"
            "from the cached catalog while it is fresh."
        ),
        examples=(
            "ssotui list",
            "ssotui list --refresh              # fetch the catalog afresh",
            "ssotui list --json | jq -r '.[].accountName' | sort -u",
        ),
    ),
    "exec": Page(
        summary="run a command (default: $SHELL) with role credentials",
        does=(
            "Run CMD (default: your shell) with the role's credentials in its environment\n"
            "and exit with its status. Without ACCOUNT and ROLE, on a terminal: pick them in\n"
            "the picker first (an ACCOUNT that matches several accounts opens it filtered)."
        ),
        examples=(
            "ssotui exec prod-payments Admin                # a subshell; `exit` to leave",
            "ssotui exec 123456789012 ReadOnly -- aws s3 ls # one command",
            "ssotui exec --renew prod Admin -- terraform apply",
            "ssotui exec                                    # pick, then a subshell",
            "ssotui exec prod --region eu-west-1            # pick among the prod accounts",
            "ssotui exec --end-of-options -team -Admin -- aws s3 ls  # leading - in names",
        ),
    ),
    "console": Page(
        summary="open the AWS console in the browser, signed in as the role",
        does=(
            "Sign in to the AWS console as the role: open the browser, or print or copy the\n"
            "sign-in link (a secret for 15 minutes). Without ACCOUNT and ROLE, on a\n"
            "terminal: pick them in the picker first."
        ),
        examples=(
            "ssotui console prod Admin --service s3",
            "ssotui console 123456789012 ReadOnly --print",
            "ssotui console prod Admin --shortcut   # the portal's link, no credentials",
            "ssotui console                         # pick, then open",
        ),
    ),
    "export": Page(
        summary="print (or copy) the credentials",
        does=(
            "Print the role's credentials as lines for your shell (or as JSON), or copy\n"
            "them. The lines also unset AWS_PROFILE, AWS_DEFAULT_PROFILE and\n"
            "AWS_SECURITY_TOKEN. Without ACCOUNT and ROLE, on a terminal: pick them in the\n"
            "picker first."
        ),
        examples=(
            'eval "$(ssotui export prod Admin)"                  # bash, zsh',
            "ssotui export prod Admin --format fish | source     # fish",
            "ssotui export prod Admin --copy                     # to the clipboard",
            'eval "$(ssotui export)"                             # pick, then export',
            'eval "$(ssotui export -- -team -Admin)"             # names that begin with -',
        ),
    ),
    "credential-process": Page(
        summary="credential_process JSON for ~/.aws/config; never prompts",
        does=(
            "Print the role's credentials as the JSON an AWS config `credential_process`\n"
            "expects. It never prompts: when not logged in it fails with one line."
        ),
        examples=(
            "[profile prod-admin]",
            "credential_process = ssotui credential-process prod-payments Admin",
            "credential_process = ssotui credential-process -- -team -Admin",
        ),
    ),
    "write-profile": Page(
        summary="write the credentials to a profile of the shared credentials file",
        does=(
            "Write the role's credentials to one profile of the shared credentials file\n"
            "(~/.aws/credentials); only that section changes. Run it again when they expire."
        ),
        examples=(
            "ssotui write-profile prod Admin --profile prod",
            "AWS_PROFILE=prod terraform plan                 # then use it",
            "ssotui write-profile prod Admin --region eu-west-1",
        ),
    ),
    "populate": Page(
        summary="write SSO profiles for every reachable role into the AWS config file",
        does=(
            "Write an SSO profile for every role you can reach into one managed block of the\n"
            "AWS config file; run it again any time. Nothing outside the block changes."
        ),
        examples=("ssotui populate --dry-run", "ssotui populate --region eu-west-1 --prefix sso-"),
    ),
    "configure": Page(
        summary="add an [sso-session] to the AWS config file, then log in",
        does=(
            "Add an [sso-session] to the AWS config file (asking for what is not given),\n"
            "then log in."
        ),
        examples=(
            "ssotui configure",
            "ssotui configure --session acme --sso-region eu-west-1 \\",
            "    --start-url acme.awsapps.com/start",
        ),
    ),
    "config": Page(
        summary="print ssotui's paths and effective settings",
        does=(
            "Print where ssotui reads and writes, and each setting in effect with where it\n"
            "comes from (default, config.toml, environment)."
        ),
        examples=("ssotui config",),
    ),
    "doctor": Page(
        summary="check the set-up; exit 1 if something fails",
        does=(
            "Check the set-up (AWS config, tokens, AWS CLI, clipboard, clock, permissions)\n"
            "and say what to fix; exit 1 when a check fails."
        ),
        examples=("ssotui doctor", "ssotui doctor --session acme"),
    ),
    "completion": Page(
        summary="print the shell completion script (bash, zsh or fish)",
        does=(
            "Print the script that makes your shell complete ssotui's commands, options,\n"
            "session names, and ACCOUNT and ROLE from the cached catalog (no network call).\n"
            "Create the folder first where it is missing (mkdir -p)."
        ),
        examples=(
            "ssotui completion bash > ~/.local/share/bash-completion/completions/ssotui",
            'eval "$(ssotui completion bash)"          # in ~/.bashrc, no bash-completion',
            "ssotui completion zsh > ~/.zfunc/_ssotui  # fpath+=~/.zfunc before compinit",
            "ssotui completion fish > ~/.config/fish/completions/ssotui.fish",
        ),
    ),
}
