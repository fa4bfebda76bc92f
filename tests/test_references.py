"""Workspace.check_references: every link between collections that points at nothing."""

from __future__ import annotations

import functools

import pytest

import productops as po
from productops.model._references import REFERENCES


@functools.cache
def demo() -> po.Workspace:
    return po.datasets.load_demo()


def test_the_demo_has_no_dangling_reference() -> None:
    assert demo().check_references() == []


def _broken(collection: str, dotted: str) -> tuple[po.Workspace, str]:
    """The demo with one reference of `collection`.`dotted` to a missing key."""
    ws = demo()
    missing = "MISSING-1"
    head, *rest = dotted.split(".")
    records = list(getattr(ws, collection))
    index = next(
        i
        for i, record in enumerate(records)
        if not rest or getattr(record, head)  # a record with something to break
    )
    record = records[index]
    value = getattr(record, head)
    if rest:  # a field of the first element of a tuple of sub-records
        element = value[0].evolve(
            **{
                rest[0]: (missing,)
                if isinstance(getattr(value[0], rest[0]), tuple)
                else missing
            }
        )
        changed = record.evolve(**{head: (element, *value[1:])})
        field = f"{head}.0.{rest[0]}" + (
            ".0" if isinstance(getattr(value[0], rest[0]), tuple) else ""
        )
    elif isinstance(value, tuple):
        changed = record.evolve(**{head: (missing,)})
        field = f"{head}.0"
    else:
        changed = record.evolve(**{head: missing})
        field = head
    records[index] = changed
    return ws.evolve(**{collection: tuple(records)}), field


@pytest.mark.parametrize(
    ("collection", "dotted"),
    [(collection, dotted) for collection, dotted, _ in REFERENCES],
    ids=[f"{c}.{d}" for c, d, _ in REFERENCES],
)
def test_each_link_reports_a_missing_key(collection: str, dotted: str) -> None:
    ws, field = _broken(collection, dotted)
    problems = ws.check_references()
    mine = [p for p in problems if p.source == collection and p.field == field]
    assert len(mine) == 1, problems
    assert "'MISSING-1', which is not in the workspace" in mine[0].message
    # Nothing else is reported, except references that pointed at what we replaced.
    assert all("MISSING-1" in p.message or p.source != collection for p in problems)


def test_problems_come_in_collection_then_record_order() -> None:
    ws = po.Workspace(
        releases=[
            po.Release(key="R2", name="Two", scope=("X-2",)),
            po.Release(key="R1", name="One", scope=("X-1",)),
        ],
        work_items=[
            po.WorkItem(
                key="A-1",
                title="a",
                status="Done",
                created="2024-01-01T00:00:00Z",
                releases=("R9",),
            ),
        ],
    )
    found = [(p.source, p.position, p.field) for p in ws.check_references()]
    assert found == [
        ("work_items", 0, "releases.0"),
        ("releases", 0, "scope.0"),
        ("releases", 1, "scope.0"),
    ]


def test_dependencies_may_link_work_items_initiatives_or_releases() -> None:
    ws = demo()
    item, initiative, release = ws.work_items[0], ws.initiatives[0], ws.releases[0]
    deps = (
        po.Dependency(upstream=item.key, downstream=initiative.key),
        po.Dependency(upstream=release.key, downstream=item.key),
    )
    assert ws.evolve(dependencies=deps).check_references() == []
