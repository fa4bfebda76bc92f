"""Reading, writing and checking records: shared by the workspace and the adapters.

Internal: `Workspace.load`/`save` and `productops.adapters.files` read and write
the same JSON, report problems the same way, and agree on what makes a record
unique in its collection.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from pydantic import BaseModel, ValidationError

from productops.errors import RecordProblem

from .delivery import Dependency
from .kpi import Observation
from .people import RaciAssignment

__all__ = [
    "field_path",
    "problems_from",
    "read_json_file",
    "record_identity",
    "record_key",
    "write_json_file",
]


def field_path(loc: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in loc)


def problems_from(
    error: ValidationError, *, source: str, position: int | None, key: str | None
) -> list[RecordProblem]:
    return [
        RecordProblem(
            source=source,
            position=position,
            key=key,
            field=field_path(detail["loc"]),
            message=detail["msg"].removeprefix("Value error, "),
        )
        for detail in error.errors(include_url=False, include_input=False)
    ]


def record_key(raw: object) -> str | None:
    if isinstance(raw, Mapping):
        key = raw.get("key")
        if isinstance(key, str):
            return key
    return None


def read_json_file(path: Path) -> tuple[Any, list[RecordProblem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return None, [RecordProblem(str(path), None, None, "", f"cannot read: {exc}")]
    if path.suffix == ".jsonl":
        rows: list[object] = []
        problems: list[RecordProblem] = []
        for number, line in enumerate(text.splitlines()):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                problems.append(
                    RecordProblem(
                        str(path), number, None, "", f"line {number + 1}: {exc.msg}"
                    )
                )
        return rows, problems
    try:
        return json.loads(text), []
    except json.JSONDecodeError as exc:
        message = f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        return None, [RecordProblem(str(path), None, None, "", message)]


def record_identity(record: BaseModel) -> Hashable:
    """Return what makes a record unique in its collection: its key, or contents."""
    if isinstance(record, Observation):
        return (
            record.kpi,
            record.at,
            record.period_start,
            record.period_end,
            record.segment,
        )
    if isinstance(record, RaciAssignment):
        return (record.deliverable, record.stakeholder, record.role.value)
    if isinstance(record, Dependency):
        return (record.upstream, record.downstream, record.kind.value)
    return cast(Hashable, getattr(record, "key"))  # noqa: B009  (every other record type)


def write_json_file(path: Path, data: object) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8", newline="\n")
