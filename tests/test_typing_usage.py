"""The typed usage examples in tests/typing/usage.py run (mypy checks them in CI)."""

from __future__ import annotations

from .typing import usage


def test_typed_usage_examples_run() -> None:
    usage.scoring_overloads()
    usage.workspace_and_flow()
    usage.ops_layer()
