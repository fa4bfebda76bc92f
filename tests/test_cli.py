"""The productops command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

from click.testing import CliRunner

import productops as po
from productops.cli import main


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_demo_prints_a_summary_of_every_section() -> None:
    code, out, _ = invoke("demo")
    assert code == 0
    demo = po.datasets.load_demo()
    for title in (
        "Records",
        "Work items by status",
        "Releases",
        "Top open risks",
        "KPIs",
    ):
        assert title in out
    records_row = next(line for line in out.splitlines() if "work_items" in line)
    assert str(len(demo.work_items)) in records_row
    for release in demo.releases:
        assert release.key in out


def test_demo_prints_flow_and_forecast_sections() -> None:
    code, out, _ = invoke("demo")
    assert code == 0
    assert "Flow as of" in out
    assert "Bottleneck: 'Ready for QA' (queue)" in out
    assert "When will 2026.2 be done?" in out
    assert "chance that the open scope is done by then" in out
    assert "What if 'In QA' had 3 servers instead of 2?" in out


def test_demo_prints_readiness_dora_and_stakeholder_sections() -> None:
    code, out, _ = invoke("demo")
    assert code == 0
    demo = po.datasets.load_demo()
    verdicts = {
        r.key: po.release.readiness(r, demo, seed=1).verdict.value.replace("_", " ")
        for r in demo.releases
    }
    for key, verdict in verdicts.items():
        row = next(line for line in out.splitlines() if line.startswith(f"│ {key} "))
        assert verdict in row
    assert "2026.2 blockers: required security gate 'Penetration test' failed" in (
        " ".join(out.split())
    )
    assert "Delivery: DORA four keys" in out
    metrics = po.kpi.dora(
        [d for r in demo.releases for d in r.deployments],
        incidents=demo.incidents,
        work_items=demo.work_items,
    )
    rate = next(line for line in out.splitlines() if "change failure rate" in line)
    assert f"{metrics.change_failure_rate.rate:.1%}" in rate
    assert "Stakeholders: communication plan" in out
    assert "RACI: every deliverable has one Accountable" in " ".join(out.split())


def test_demo_out_writes_the_report_and_a_loadable_workspace(tmp_path: Path) -> None:
    code, out, _ = invoke("demo", "--out", str(tmp_path / "out"))
    assert code == 0
    assert "Saved the workspace to" in out
    assert po.Workspace.load(tmp_path / "out" / "workspace") == po.datasets.load_demo()
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    markdown = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    expected = po.report.build(po.datasets.load_demo())
    assert html == expected.html
    assert markdown == expected.markdown
    playbook = (tmp_path / "out" / "playbook.md").read_text(encoding="utf-8")
    demo = po.datasets.load_demo()
    assert demo.process is not None
    assert playbook == po.report.playbook(demo.process, teams=demo.teams)


def test_report_from_a_workspace_folder(tmp_path: Path) -> None:
    small = po.datasets.load_demo().evolve(initiatives=(), kpis=(), observations=())
    small.save(tmp_path / "ws")
    code, out, _ = invoke(
        "report", "--workspace", str(tmp_path / "ws"), "--out", str(tmp_path / "r")
    )
    assert code == 0, out
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert html == po.report.build(small).html
    assert "Wrote" in out


def test_report_from_an_event_log(tmp_path: Path) -> None:
    csv = tmp_path / "events.csv"
    csv.write_text(
        "case:concept:name,concept:name,time:timestamp\n"
        "A,To Do,2024-03-01T09:00:00Z\n"
        "A,Doing,2024-03-02T09:00:00Z\n"
        "A,Done,2024-03-04T09:00:00Z\n"
        "B,To Do,2024-03-01T10:00:00Z\n"
        "B,Doing,2024-03-03T10:00:00Z\n"
        "C,To Do,2024-03-02T10:00:00Z\n",
        encoding="utf-8",
    )
    code, out, _ = invoke("report", "--events", str(csv), "--out", str(tmp_path / "r"))
    assert code == 0, out
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "Flow health" in html
    assert "Release readiness" not in html


def test_report_needs_exactly_one_source(tmp_path: Path) -> None:
    code, _, err = invoke("report", "--out", str(tmp_path / "r"))
    assert code == 2
    assert "exactly one of --workspace DIR or --events FILE.csv" in err


def test_schema_lists_the_record_types() -> None:
    code, out, _ = invoke("schema")
    assert code == 0
    listed = [line.split()[0] for line in out.splitlines()]
    assert listed == list(po.model.RECORD_TYPES)


def test_schema_of_one_type_is_its_json_schema() -> None:
    code, out, _ = invoke("schema", "workitem")
    assert code == 0
    schema = json.loads(out)
    assert schema["title"] == "WorkItem"
    assert "history" in schema["properties"]


def test_schema_of_an_unknown_type_is_a_usage_error() -> None:
    code, _, err = invoke("schema", "Widget")
    assert code == 2
    assert "unknown type 'Widget'" in err


def test_schema_out_writes_every_type(tmp_path: Path) -> None:
    code, _, _ = invoke("schema", "--out", str(tmp_path))
    assert code == 0
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == sorted(f"{name}.schema.json" for name in po.model.RECORD_TYPES)


def test_validate_accepts_a_good_workspace(tmp_path: Path) -> None:
    po.Workspace(teams=[po.Team(key="t", name="T")]).save(tmp_path)
    code, out, _ = invoke("validate", str(tmp_path))
    assert code == 0
    assert out.startswith("OK:")
    assert "1 teams" in out


def test_validate_reports_every_bad_record_and_fails(tmp_path: Path) -> None:
    po.Workspace().save(tmp_path)
    bad = [{"key": "a"}, {"key": "b", "name": "B", "capacity": -1}]
    (tmp_path / "teams.json").write_text(json.dumps(bad), encoding="utf-8")
    code, _, err = invoke("validate", str(tmp_path))
    assert code == 1
    assert "2 problems" in err
    assert "'a'" in err
    assert "capacity" in err


def test_validate_warns_about_dangling_references(tmp_path: Path) -> None:
    po.Workspace(
        releases=[po.Release(key="R1", name="One", scope=("APP-1", "APP-9"))],
        risks=[po.Risk(key="K-1", title="t", releases=("R2",))],
    ).save(tmp_path)
    code, out, err = invoke("validate", str(tmp_path))
    assert code == 0
    assert "3 dangling references" in out
    lines = err.splitlines()
    assert lines == [
        "warning: releases record #0 (key='R1') field 'scope.0': refers to work "
        "item 'APP-1', which is not in the workspace",
        "warning: releases record #0 (key='R1') field 'scope.1': refers to work "
        "item 'APP-9', which is not in the workspace",
        "warning: risks record #0 (key='K-1') field 'releases.0': refers to "
        "release 'R2', which is not in the workspace",
    ]
    code, _, err = invoke("validate", "--strict", str(tmp_path))
    assert code == 1
    assert "3 dangling references" in err


def test_version_option() -> None:
    code, out, _ = invoke("--version")
    assert code == 0
    assert po.__version__ in out


class MemoryTracker:
    """A WorkTracker over demo items; records what it was asked."""

    name = "memory"
    calls: ClassVar[list[dict[str, object]]] = []

    def __init__(self, **settings: object) -> None:
        self.settings = settings
        self.demo = po.datasets.load_demo()

    def work_items(self, *, query=None, updated_since=None, progress=None):
        MemoryTracker.calls.append(
            {"query": query, "since": updated_since, **self.settings}
        )
        items = [
            i
            for i in self.demo.work_items[:30]
            if updated_since is None or (i.updated or i.created) >= updated_since
        ]
        for done, item in enumerate(items, start=1):
            if progress is not None:
                progress(
                    po.adapters.Progress("memory", "issues", done, len(items), done)
                )
            yield item

    def releases(self, *, project=None):
        return iter(self.demo.releases)

    def dependencies(self, *, query=None):
        return iter(())

    def process(self, *, project):
        return self.demo.process

    def create_item(self, *, project, title, type="story", **fields):
        raise NotImplementedError

    def transition(self, key, *, to_status):
        raise NotImplementedError

    def comment(self, key, text):
        raise NotImplementedError


def test_sync_writes_a_workspace_and_then_fetches_only_changes(tmp_path: Path) -> None:
    po.adapters.register("memory", MemoryTracker, replace=True)
    MemoryTracker.calls.clear()
    out = tmp_path / "synced"
    code, first, _ = invoke(
        "sync", "memory", "--out", str(out), "--project", "APP", "--set", "team=core"
    )
    assert code == 0
    assert "Fetched 30 work items (30 in" in first
    workspace = po.Workspace.load(out)
    assert len(workspace.work_items) == 30
    assert workspace.process == po.datasets.load_demo().process
    assert MemoryTracker.calls[0]["team"] == "core"
    assert MemoryTracker.calls[0]["since"] is None
    code, again, _ = invoke("sync", "memory", "--out", str(out))
    assert code == 0
    assert MemoryTracker.calls[1]["since"] is not None
    assert "(30 in" in again
    assert len(po.Workspace.load(out).work_items) == 30


def test_sync_reports_adapter_errors_without_a_traceback(tmp_path: Path) -> None:
    code, _, err = invoke("sync", "no-such-tool", "--out", str(tmp_path))
    assert code == 1
    assert "no adapter named 'no-such-tool'" in err
    code, _, err = invoke("sync", "memory", "--out", str(tmp_path), "--set", "x")
    assert code == 2
    assert "KEY=VALUE" in err
