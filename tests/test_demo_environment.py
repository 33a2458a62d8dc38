"""`ssotui demo`: what the demo changes in the environment, and that it all comes back after."""

from __future__ import annotations

import os

import pytest

from tui.demo import demo_world


def test_the_users_aws_variables_are_hidden_in_the_demo_and_back_after_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "work")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAUSERSOWNKEY")
    before = dict(os.environ)
    with demo_world(approve="manual", latency=0.0):
        assert "AWS_PROFILE" not in os.environ and "AWS_ACCESS_KEY_ID" not in os.environ
    assert dict(os.environ) == before
