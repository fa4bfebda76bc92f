"""Cross-collection references of a workspace: which keys point at nothing.

Each record type validates itself; this checks the links between collections (a
release's scope names work items, a risk names releases, a RACI row names a
stakeholder...). A dangling reference is often legitimate (an issue of another
project, a release not synced yet), so it is reported, never repaired or raised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ..errors import RecordProblem

if TYPE_CHECKING:
    from .workspace import Workspace

__all__ = ["REFERENCES", "check_references"]

_WORK = ("work_items",)
_ANY = ("work_items", "initiatives", "releases")

REFERENCES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("work_items", "parent", ("work_items", "initiatives")),
    ("work_items", "releases", ("releases",)),
    ("work_items", "links.target", _WORK),
    ("releases", "scope", _WORK),
    ("releases", "teams", ("teams",)),
    ("releases", "deployments.items", _WORK),
    ("releases", "deployments.caused_incidents", ("incidents",)),
    ("risks", "releases", ("releases",)),
    ("risks", "items", ("work_items", "initiatives")),
    ("observations", "kpi", ("kpis",)),
    ("raci", "stakeholder", ("stakeholders",)),
    ("raci", "deliverable", (*_ANY, "kpis")),
    ("feedback", "initiatives", ("initiatives",)),
    ("initiatives", "feedback", ("feedback",)),
    ("initiatives", "items", _WORK),
    ("dependencies", "upstream", _ANY),
    ("dependencies", "downstream", _ANY),
    ("sprints", "team", ("teams",)),
    ("sprints", "committed", _WORK),
    ("sprints", "added", _WORK),
    ("incidents", "caused_by", ("deployments",)),
    ("incidents", "items", _WORK),
)
"""(collection, dotted field, collections its keys must be in), one per link.

``deployments`` means the deployments inside the workspace's releases.
"""

_NOUN = {
    "work_items": "work item",
    "initiatives": "initiative",
    "releases": "release",
    "teams": "team",
    "incidents": "incident",
    "kpis": "KPI",
    "stakeholders": "stakeholder",
    "feedback": "feedback record",
    "deployments": "deployment",
}


def _values(record: Any, path: list[str], field: str) -> Iterator[tuple[str, str]]:
    """Yield (dotted position, key) for every key at `path` inside `record`."""
    value = getattr(record, path[0])
    rest = path[1:]
    if value is None:
        return
    if isinstance(value, tuple):
        for index, element in enumerate(value):
            where = f"{field}.{index}"
            if rest:
                yield from _values(element, rest, where + "." + rest[0])
            else:
                yield where, str(element)
    elif rest:
        yield from _values(value, rest, field + "." + rest[0])
    else:
        yield field, str(value)


def check_references(workspace: Workspace) -> list[RecordProblem]:
    """List every reference from one collection to a key that is not there.

    The links checked are `REFERENCES`: for example a release's ``scope``
    must name work items, a risk's ``releases`` releases, an observation's
    ``kpi`` a KPI, a dependency's ends work items, initiatives or releases.

    Parameters
    ----------
    workspace : Workspace
        The records to check.

    Returns
    -------
    list of RecordProblem
        One per dangling reference, in collection and record order: `source`
        is the collection, `position` the record's index, `key` its key and
        `field` the dotted path of the reference (``"scope.3"``).

    Examples
    --------
    >>> from productops import Release, Workspace
    >>> ws = Workspace(releases=[Release(key="R1", name="One", scope=("APP-9",))])
    >>> [problem] = check_references(ws)
    >>> problem.source, problem.key, problem.field
    ('releases', 'R1', 'scope.0')
    >>> problem.message
    "refers to work item 'APP-9', which is not in the workspace"
    """
    keys: dict[str, set[str]] = {
        name: {str(getattr(record, "key", "")) for record in getattr(workspace, name)}
        for name in workspace.COLLECTIONS
    }
    keys["deployments"] = {
        deployment.key
        for release in workspace.releases
        for deployment in release.deployments
    }
    problems: list[RecordProblem] = []
    for collection, dotted, targets in REFERENCES:
        known: Callable[[str], bool] = _member_of([keys[t] for t in targets])
        path = dotted.split(".")
        for position, record in enumerate(getattr(workspace, collection)):
            for field, key in _values(record, path, path[0]):
                if known(key):
                    continue
                noun = " or ".join(_NOUN[t] for t in targets)
                problems.append(
                    RecordProblem(
                        collection,
                        position,
                        getattr(record, "key", None),
                        field,
                        f"refers to {noun} {key!r}, which is not in the workspace",
                    )
                )
    order = {name: i for i, name in enumerate(workspace.COLLECTIONS)}
    problems.sort(key=lambda p: (order[p.source], p.position or 0))
    return problems


def _member_of(sets: Iterable[set[str]]) -> Callable[[str], bool]:
    groups = list(sets)
    return lambda key: any(key in group for group in groups)
