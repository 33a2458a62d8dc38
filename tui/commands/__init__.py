"""What each sub-command does, one module per group; `tui.cli` imports only the one it runs.

Each command takes the parsed arguments and returns an exit status; expected failures are
raised as SsotuiError and turned into one line by `tui.cli.main`.
"""
