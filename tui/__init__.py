"""ssotui: a terminal account/role switcher for AWS IAM Identity Center (SSO)."""

__version__ = "0.1.0"
