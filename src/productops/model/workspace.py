"""The workspace: every record of one product organisation, saved as a folder."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from datetime import tzinfo
from pathlib import Path
from typing import Any, ClassVar, Self, TypeVar

from pydantic import BaseModel, ValidationError, model_validator

from productops.errors import DataLoadError, RecordProblem

from ._base import ProductOpsModel, duplicates, field_error, resolve_tz
from ._io import (
    problems_from,
    read_json_file,
    record_identity,
    record_key,
    write_json_file,
)
from .delivery import Dependency, Incident, Sprint
from .feedback import Feedback, Initiative
from .kpi import KPI, Observation
from .people import RaciAssignment, Stakeholder, Team
from .process import Process
from .release import Release
from .risk import Risk
from .work import WorkItem

__all__ = ["Workspace", "load_records"]

FORMAT = "productops.workspace"
FORMAT_VERSION = 1
_HEADER_FILE = "workspace.json"

M = TypeVar("M", bound=BaseModel)


def _validate_records(
    model: type[M], raw: Iterable[object], *, source: str, tz: tzinfo | None
) -> tuple[list[M], list[RecordProblem]]:
    records: list[M] = []
    problems: list[RecordProblem] = []
    context = {"tz": tz}
    for position, item in enumerate(raw):
        try:
            records.append(model.model_validate(item, context=context))
        except ValidationError as exc:
            problems += problems_from(
                exc, source=source, position=position, key=record_key(item)
            )
    return records, problems


def load_records(
    path: str | Path, model: type[M], *, tz: tzinfo | str | None = None
) -> tuple[M, ...]:
    """Read records of one type from a JSON array file or a JSON Lines file.

    Every record is validated; if any is bad, one `DataLoadError` lists them all
    with their position, key and field.

    Parameters
    ----------
    path : str or Path
        A ``.json`` file holding an array of objects, or a ``.jsonl`` file with
        one object per line.
    model : type
        The record type, e.g. `WorkItem`.
    tz : tzinfo or str, optional
        Time zone for timestamps written without an offset (an IANA name such
        as ``"Europe/Berlin"``). Without it, such timestamps are errors.

    Returns
    -------
    tuple
        The records, in file order.

    Raises
    ------
    DataLoadError
        If the file cannot be read or parsed, or any record is invalid.
    ConfigurationError
        If `tz` names no known time zone.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> from productops import Team
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "teams.json").write_text(json.dumps([{"key": "a", "name": "A"}]))
    >>> load_records(folder / "teams.json", Team)
    (Team(key='a', name='A', lead=None, members=(), capacity=None, channel=None),)
    """
    path = Path(path)
    zone = resolve_tz(tz)
    raw, problems = read_json_file(path)
    if not problems and not isinstance(raw, list):
        problems = [
            RecordProblem(str(path), None, None, "", "expected a JSON array of records")
        ]
    if problems:
        raise DataLoadError(problems)
    records, problems = _validate_records(model, raw, source=str(path), tz=zone)
    if problems:
        raise DataLoadError(problems)
    return tuple(records)


class Workspace(ProductOpsModel):
    """Every record of one product organisation, in one immutable aggregate.

    Keys are unique within each collection. Save it as a folder of JSON files
    (one per collection, records in stored order, fields in model order, two-space
    indentation) with `save`, and read it back with `load`; save, load and save
    again gives byte-identical files.

    Examples
    --------
    >>> import tempfile
    >>> from productops import Team, Workspace
    >>> ws = Workspace(name="acme", teams=[Team(key="core", name="Core")])
    >>> folder = ws.save(tempfile.mkdtemp())
    >>> Workspace.load(folder) == ws
    True
    """

    COLLECTIONS: ClassVar[dict[str, type[ProductOpsModel]]] = {
        "work_items": WorkItem,
        "releases": Release,
        "risks": Risk,
        "kpis": KPI,
        "observations": Observation,
        "stakeholders": Stakeholder,
        "teams": Team,
        "raci": RaciAssignment,
        "feedback": Feedback,
        "initiatives": Initiative,
        "dependencies": Dependency,
        "sprints": Sprint,
        "incidents": Incident,
    }
    """Collection name -> record type; each is saved as ``<name>.json``."""

    name: str = "workspace"
    """A label for the workspace."""
    description: str = ""
    """What it holds, in words."""
    process: Process | None = None
    """The workflow the work items move through."""
    work_items: tuple[WorkItem, ...] = ()
    """Work items with their status history."""
    releases: tuple[Release, ...] = ()
    """Releases with gates and deployments."""
    risks: tuple[Risk, ...] = ()
    """The risk register."""
    kpis: tuple[KPI, ...] = ()
    """KPI definitions."""
    observations: tuple[Observation, ...] = ()
    """Measured KPI values."""
    stakeholders: tuple[Stakeholder, ...] = ()
    """People to keep informed or involved."""
    teams: tuple[Team, ...] = ()
    """Delivery teams."""
    raci: tuple[RaciAssignment, ...] = ()
    """RACI assignments."""
    feedback: tuple[Feedback, ...] = ()
    """Customer feedback."""
    initiatives: tuple[Initiative, ...] = ()
    """Things being prioritised."""
    dependencies: tuple[Dependency, ...] = ()
    """Dependencies between records."""
    sprints: tuple[Sprint, ...] = ()
    """Sprints of the teams."""
    incidents: tuple[Incident, ...] = ()
    """Production incidents."""

    @model_validator(mode="after")
    def _check_unique(self) -> Self:
        problems = []
        for name in self.COLLECTIONS:
            twice = duplicates(
                record_identity(record) for record in getattr(self, name)
            )
            if twice:
                problems.append(f"{name}: listed more than once: {twice}")
        if problems:
            raise field_error(self, problems)
        return self

    def counts(self) -> dict[str, int]:
        """Return the number of records in each collection, in collection order."""
        return {name: len(getattr(self, name)) for name in self.COLLECTIONS}

    def check_references(self) -> list[RecordProblem]:
        """List every reference to a key that is not in the workspace.

        Each record validates itself on creation; this checks the links between
        collections (a release's scope names work items, a risk its releases, a
        RACI row a stakeholder, a dependency its two ends...; the full list is
        `productops.model._references.REFERENCES`). A dangling reference can be
        legitimate (an issue of a project not synced), so it is reported, never
        raised or repaired; ``productops validate`` prints them.

        Returns
        -------
        list of RecordProblem
            One per dangling reference: `source` is the collection, `position`
            the record's index, `field` the dotted path (``"scope.3"``).

        Examples
        --------
        >>> from productops import Risk, Workspace
        >>> ws = Workspace(risks=[Risk(key="R-1", title="t", releases=("2031.1",))])
        >>> [(p.key, p.field) for p in ws.check_references()]
        [('R-1', 'releases.0')]
        """
        from ._references import check_references

        return check_references(self)

    # -- persistence -------------------------------------------------------------

    def save(self, folder: str | Path) -> Path:
        """Write the workspace to `folder` as JSON files and return the folder.

        Writes ``workspace.json`` (format, name, description, process) and one
        ``<collection>.json`` array per collection, empty ones included.
        Existing files of those names are replaced; other files are left alone.

        Parameters
        ----------
        folder : str or Path
            Created if missing.

        Returns
        -------
        Path
            The folder written.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        header = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "name": self.name,
            "description": self.description,
            "process": (
                None if self.process is None else self.process.model_dump(mode="json")
            ),
        }
        write_json_file(folder / _HEADER_FILE, header)
        for name in self.COLLECTIONS:
            records = [record.model_dump(mode="json") for record in getattr(self, name)]
            write_json_file(folder / f"{name}.json", records)
        return folder

    @classmethod
    def load(cls, folder: str | Path, *, tz: tzinfo | str | None = None) -> Workspace:
        """Read a workspace folder written by `save` (or by hand).

        Collections whose file is missing are empty. Every record is validated,
        and all problems in all files are reported together. Other JSON files
        are reported as unknown, except hidden ones (``.productops-sync.json``,
        where ``productops sync`` keeps its progress).

        Parameters
        ----------
        folder : str or Path
            The folder holding ``workspace.json``.
        tz : tzinfo or str, optional
            Time zone for timestamps written without an offset. Without it,
            such timestamps are errors.

        Returns
        -------
        Workspace
            The workspace.

        Raises
        ------
        DataLoadError
            Listing every bad record (file, position, key, field), every
            unparseable file and every unknown ``.json`` file in the folder.
        ConfigurationError
            If `tz` names no known time zone.
        """
        folder = Path(folder)
        zone = resolve_tz(tz)
        header_path = folder / _HEADER_FILE
        if not header_path.is_file():
            raise DataLoadError(
                [RecordProblem(str(header_path), None, None, "", "no workspace here")]
            )
        problems: list[RecordProblem] = []
        data: dict[str, Any] = {}
        header, header_problems = read_json_file(header_path)
        problems += header_problems
        if not header_problems:
            problems += _header_problems(header, str(header_path))
            if isinstance(header, dict):
                data |= {k: header[k] for k in ("name", "description") if k in header}
                if header.get("process") is not None:
                    data["process"] = header["process"]
        if "process" in data:
            processes, process_problems = _validate_records(
                Process, [data["process"]], source=str(header_path), tz=zone
            )
            problems += [_as_field(p, "process") for p in process_problems]
            data["process"] = processes[0] if processes else None
        known = {_HEADER_FILE} | {f"{name}.json" for name in cls.COLLECTIONS}
        problems += [
            RecordProblem(str(path), None, None, "", "unknown collection file")
            for path in sorted(folder.glob("*.json*"))
            if path.suffix in (".json", ".jsonl")
            and path.name not in known
            and not path.name.startswith(".")  # tools' own state, e.g. sync cursors
        ]
        for name, model in cls.COLLECTIONS.items():
            path = folder / f"{name}.json"
            if not path.exists():
                continue
            raw, file_problems = read_json_file(path)
            if not file_problems and not isinstance(raw, list):
                file_problems = [
                    RecordProblem(str(path), None, None, "", "expected a JSON array")
                ]
            problems += file_problems
            if file_problems:
                continue
            records, record_problems = _validate_records(
                model, raw, source=str(path), tz=zone
            )
            problems += record_problems + _duplicate_problems(records, str(path))
            data[name] = records
        if problems:
            raise DataLoadError(problems)
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise DataLoadError(
                problems_from(exc, source=str(folder), position=None, key=None)
            ) from None


def _duplicate_problems(
    records: Sequence[BaseModel], source: str
) -> list[RecordProblem]:
    first_at: dict[Hashable, int] = {}
    problems = []
    for position, record in enumerate(records):
        identity = record_identity(record)
        if identity in first_at:
            key = getattr(record, "key", None)
            problems.append(
                RecordProblem(
                    source,
                    position,
                    key,
                    "key" if key is not None else "",
                    f"duplicate of record #{first_at[identity]}",
                )
            )
        else:
            first_at[identity] = position
    return problems


def _as_field(problem: RecordProblem, prefix: str) -> RecordProblem:
    field = f"{prefix}.{problem.field}" if problem.field else prefix
    return RecordProblem(problem.source, None, None, field, problem.message)


def _header_problems(header: object, source: str) -> list[RecordProblem]:
    if not isinstance(header, dict):
        return [RecordProblem(source, None, None, "", "expected a JSON object")]
    problems = []
    if header.get("format") != FORMAT:
        problems.append(
            RecordProblem(source, None, None, "format", f"expected {FORMAT!r}")
        )
    version = header.get("version")
    if version != FORMAT_VERSION:
        message = (
            f"format version {version!r} is not supported (this is {FORMAT_VERSION})"
        )
        problems.append(RecordProblem(source, None, None, "version", message))
    unknown = sorted(
        set(header) - {"format", "version", "name", "description", "process"}
    )
    problems += [
        RecordProblem(source, None, None, name, "unknown field") for name in unknown
    ]
    return problems
