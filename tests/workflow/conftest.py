"""One uninterrupted, online-free demo run shared by the modules that only read its outputs
(test_reconcile, and test_offline as the run its offline outputs must equal)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.workflow.helpers.demo import copy_project, run_ok


@pytest.fixture(scope="session")
def shared_demo(tmp_path_factory) -> Path:
    """The results folder of a plain demo run; tests must not write into its project."""
    return run_ok(copy_project(tmp_path_factory.mktemp("shared_demo")))
