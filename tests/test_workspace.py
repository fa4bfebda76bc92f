"""Saving and loading workspaces and record files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import ValidationError

import productops as po

from . import strategies


def read_all(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


GOOD_ITEM = {
    "key": "APP-1",
    "title": "ok",
    "status": "Done",
    "created": "2024-01-02T09:00:00Z",
}


def test_save_writes_a_header_and_every_collection(tmp_path: Path) -> None:
    folder = po.Workspace(name="acme").save(tmp_path / "ws")
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(
        ["workspace.json"] + [f"{n}.json" for n in po.Workspace.COLLECTIONS]
    )
    header = json.loads((folder / "workspace.json").read_text())
    assert header == {
        "format": "productops.workspace",
        "version": 1,
        "name": "acme",
        "description": "",
        "process": None,
    }
    assert json.loads((folder / "work_items.json").read_text()) == []


@settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(workspace=strategies.workspaces())
def test_save_load_save_is_byte_identical(
    tmp_path_factory: pytest.TempPathFactory, workspace: po.Workspace
) -> None:
    first = workspace.save(tmp_path_factory.mktemp("first"))
    loaded = po.Workspace.load(first)
    assert loaded == workspace
    second = loaded.save(tmp_path_factory.mktemp("second"))
    assert read_all(first) == read_all(second)


def test_demo_workspace_round_trips_byte_identically(tmp_path: Path) -> None:
    demo = po.datasets.load_demo()
    first = demo.save(tmp_path / "a")
    loaded = po.Workspace.load(first)
    assert loaded == demo
    second = loaded.save(tmp_path / "b")
    assert read_all(first) == read_all(second)


def test_three_bad_records_are_all_reported(tmp_path: Path) -> None:
    folder = po.Workspace().save(tmp_path)
    write(
        folder / "work_items.json",
        [
            GOOD_ITEM,
            GOOD_ITEM | {"key": "APP-2", "created": "2024-01-02T09:00:00"},
            GOOD_ITEM | {"key": "APP-3"},
            GOOD_ITEM | {"key": "APP-4", "estimate": -2},
            {k: v for k, v in GOOD_ITEM.items() if k != "status"} | {"key": "APP-5"},
        ],
    )
    with pytest.raises(po.DataLoadError) as caught:
        po.Workspace.load(folder)
    problems = caught.value.problems
    assert [(p.position, p.key, p.field) for p in problems] == [
        (1, "APP-2", "created"),
        (3, "APP-4", "estimate"),
        (4, "APP-5", "status"),
    ]
    assert all(p.source.endswith("work_items.json") for p in problems)
    message = str(caught.value)
    assert message.startswith("3 problems while loading data:")
    for key in ("APP-2", "APP-4", "APP-5"):
        assert key in message


def test_problems_in_several_files_are_reported_together(tmp_path: Path) -> None:
    folder = po.Workspace().save(tmp_path)
    write(folder / "teams.json", [{"key": "t", "name": "T", "size": 4}])
    write(
        folder / "risks.json",
        [{"key": "r", "title": "R", "likelihood": 9, "impact": 2}],
    )
    (folder / "kpis.json").write_text("[{]", encoding="utf-8")
    write(folder / "notes.json", [])
    with pytest.raises(po.DataLoadError) as caught:
        po.Workspace.load(folder)
    found = {(Path(p.source).name, p.field) for p in caught.value.problems}
    assert found == {
        ("teams.json", "size"),
        ("risks.json", "likelihood"),
        ("kpis.json", ""),
        ("notes.json", ""),
    }
    kpi_problem = next(
        p for p in caught.value.problems if p.source.endswith("kpis.json")
    )
    assert "line 1 column 3" in kpi_problem.message


def test_duplicate_keys_are_reported_with_their_positions(tmp_path: Path) -> None:
    folder = po.Workspace().save(tmp_path)
    write(
        folder / "work_items.json",
        [
            GOOD_ITEM,
            GOOD_ITEM | {"key": "APP-2"},
            GOOD_ITEM,
            GOOD_ITEM | {"key": "APP-2"},
        ],
    )
    write(
        folder / "raci.json",
        [{"deliverable": "R1", "stakeholder": "ann", "role": "accountable"}] * 2,
    )
    with pytest.raises(po.DataLoadError) as caught:
        po.Workspace.load(folder)
    found = [
        (Path(p.source).name, p.position, p.key, p.field, p.message)
        for p in caught.value.problems
    ]
    assert found == [
        ("work_items.json", 2, "APP-1", "key", "duplicate of record #0"),
        ("work_items.json", 3, "APP-2", "key", "duplicate of record #1"),
        ("raci.json", 1, None, "", "duplicate of record #0"),
    ]


def test_duplicates_in_a_workspace_built_directly_name_the_collection() -> None:
    team = po.Team(key="t", name="T")
    dependency = po.Dependency(upstream="a", downstream="b")
    with pytest.raises(ValidationError) as caught:
        po.Workspace(teams=[team, team], dependencies=[dependency, dependency])
    assert sorted(tuple(e["loc"]) for e in caught.value.errors()) == [
        ("dependencies",),
        ("teams",),
    ]


def test_jsonl_files_in_a_workspace_folder_are_reported(tmp_path: Path) -> None:
    folder = po.Workspace().save(tmp_path)
    (folder / "work_items.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(po.DataLoadError, match="unknown collection file"):
        po.Workspace.load(folder)


def test_header_is_checked(tmp_path: Path) -> None:
    folder = po.Workspace().save(tmp_path)
    header = json.loads((folder / "workspace.json").read_text())
    write(folder / "workspace.json", header | {"version": 99, "owner": "me"})
    with pytest.raises(po.DataLoadError) as caught:
        po.Workspace.load(folder)
    assert sorted(p.field for p in caught.value.problems) == ["owner", "version"]


def test_bad_process_in_header_names_the_nested_field(tmp_path: Path) -> None:
    folder = po.Workspace().save(tmp_path)
    header = json.loads((folder / "workspace.json").read_text())
    process = po.Process.kanban_default().model_dump(mode="json")
    process["transitions"][0]["target"] = "Nowhere"
    write(folder / "workspace.json", header | {"process": process})
    with pytest.raises(po.DataLoadError) as caught:
        po.Workspace.load(folder)
    assert [p.field for p in caught.value.problems] == ["process.transitions.0.target"]


def test_missing_folder_or_header_is_a_data_load_error(tmp_path: Path) -> None:
    with pytest.raises(po.DataLoadError, match="no workspace here"):
        po.Workspace.load(tmp_path)


def test_missing_collection_files_mean_empty_collections(tmp_path: Path) -> None:
    folder = po.Workspace(teams=[po.Team(key="t", name="T")]).save(tmp_path)
    (folder / "work_items.json").unlink()
    loaded = po.Workspace.load(folder)
    assert loaded.work_items == ()
    assert loaded.teams[0].key == "t"


def test_naive_timestamps_load_with_an_explicit_tz(tmp_path: Path) -> None:
    folder = po.Workspace().save(tmp_path)
    write(folder / "work_items.json", [GOOD_ITEM | {"created": "2024-07-01 12:00:00"}])
    with pytest.raises(po.DataLoadError, match="no timezone"):
        po.Workspace.load(folder)
    loaded = po.Workspace.load(folder, tz="Europe/Berlin")
    assert loaded.work_items[0].created == datetime(2024, 7, 1, 10, tzinfo=UTC)


def test_unknown_tz_is_a_configuration_error(tmp_path: Path) -> None:
    folder = po.Workspace().save(tmp_path)
    with pytest.raises(po.ConfigurationError, match="Mars/Olympus"):
        po.Workspace.load(folder, tz="Mars/Olympus")


def test_load_records_reads_json_arrays(tmp_path: Path) -> None:
    path = write(tmp_path / "items.json", [GOOD_ITEM, GOOD_ITEM | {"key": "APP-2"}])
    records = po.load_records(path, po.WorkItem)
    assert [r.key for r in records] == ["APP-1", "APP-2"]


def test_load_records_reads_json_lines_and_reports_every_bad_line(
    tmp_path: Path,
) -> None:
    path = tmp_path / "items.jsonl"
    lines = [
        json.dumps(GOOD_ITEM),
        "",
        "{not json",
        json.dumps(GOOD_ITEM | {"key": "APP-2"}),
        "[1, 2",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(po.DataLoadError) as caught:
        po.load_records(path, po.WorkItem)
    assert [p.position for p in caught.value.problems] == [2, 4]
    path.write_text("\n".join(lines[:2] + lines[3:4]), encoding="utf-8")
    assert [r.key for r in po.load_records(path, po.WorkItem)] == ["APP-1", "APP-2"]


def test_load_records_rejects_a_non_array(tmp_path: Path) -> None:
    path = write(tmp_path / "items.json", {"items": []})
    with pytest.raises(po.DataLoadError, match="expected a JSON array"):
        po.load_records(path, po.WorkItem)


def test_load_records_reports_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(po.DataLoadError, match="cannot read"):
        po.load_records(tmp_path / "missing.json", po.WorkItem)


def test_data_load_error_is_a_productops_error() -> None:
    assert issubclass(po.DataLoadError, po.ProductOpsError)
    error = po.DataLoadError(
        [
            po.RecordProblem("a.json", 0, None, "", "x"),
            po.RecordProblem("a.json", None, None, "f", "y"),
        ]
    )
    assert str(error).splitlines() == [
        "2 problems while loading data:",
        "  - a.json record #0: x",
        "  - a.json field 'f': y",
    ]


def test_counts_lists_every_collection() -> None:
    workspace = po.Workspace(teams=[po.Team(key="t", name="T")])
    counts = workspace.counts()
    assert list(counts) == list(po.Workspace.COLLECTIONS)
    assert counts["teams"] == 1
    assert sum(counts.values()) == 1


def test_observations_measured_twice_are_rejected() -> None:
    at = datetime(2024, 1, 1, tzinfo=UTC)
    twice = [
        po.Observation(kpi="k", value=1, at=at),
        po.Observation(kpi="k", value=2, at=at),
    ]
    with pytest.raises(ValidationError, match=r"observations\n  listed more than once"):
        po.Workspace(observations=twice)
    other_segment = [twice[0], twice[1].evolve(segment="EU")]
    assert len(po.Workspace(observations=other_segment).observations) == 2
