"""Every Python block in the guides runs, and prints what its `#>` lines say."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDES = sorted(
    [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "docs").glob("*/*.md")]
)
BLOCK = re.compile(r"^(<!-- skip -->\n)?```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks(path: Path) -> list[str]:
    return [
        code
        for skip, code in BLOCK.findall(path.read_text(encoding="utf-8"))
        if not skip
    ]


def expected_output(code: str) -> list[str] | None:
    lines = [
        line.strip()[2:].strip()
        for line in code.splitlines()
        if line.strip().startswith("#>")
    ]
    return lines or None


@pytest.mark.parametrize(
    "path",
    [path for path in GUIDES if python_blocks(path)],
    ids=lambda path: str(path.relative_to(ROOT)),
)
def test_guide_code_runs(path: Path, tmp_path: Path) -> None:
    namespace: dict[str, object] = {"__name__": "__docs__"}
    previous = Path.cwd()
    os.chdir(tmp_path)
    try:
        for number, code in enumerate(python_blocks(path), start=1):
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                # dont_inherit: run as a reader would, without this file's
                # `from __future__ import annotations`.
                block = compile(
                    code, f"{path.name} block {number}", "exec", dont_inherit=True
                )
                exec(block, namespace)  # noqa: S102
            expected = expected_output(code)
            if expected is not None:
                printed = [line.strip() for line in buffer.getvalue().splitlines()]
                assert printed == expected, f"{path.name} block {number}"
    finally:
        os.chdir(previous)
