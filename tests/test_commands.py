"""The analysis subcommands: flow, forecast, score, risk, kpi."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

import productops as po
from productops import flow, forecast, kpi, release, scoring
from productops._commands import (
    COMMANDS,
    flow_command,
    forecast_command,
    kpi_command,
    risk_command,
    score_command,
)
from productops.model import InitiativeStatus
from productops.scoring import risk as risks

BY_NAME = {command.name: command for command in COMMANDS}


@pytest.fixture(scope="module")
def demo() -> po.Workspace:
    return po.datasets.load_demo()


@pytest.fixture(scope="module")
def report(demo: po.Workspace) -> flow.FlowReport:
    return flow.analyze(demo)


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory, demo: po.Workspace) -> Path:
    folder = tmp_path_factory.mktemp("ws")
    demo.save(folder)
    return folder


START = datetime(2024, 1, 1, 9, tzinfo=UTC)


@pytest.fixture
def events(tmp_path: Path) -> Path:
    """30 items To Do -> Doing -> Done, one a day; 25 done; one unreadable row."""
    lines = ["key,state,when,team"]
    for i in range(30):
        start, team = START + timedelta(days=i), "a" if i % 2 else "b"
        lines.append(f"K-{i},To Do,{start.isoformat()},{team}")
        lines.append(f"K-{i},Doing,{(start + timedelta(days=1)).isoformat()},{team}")
        if i < 25:
            done = start + timedelta(days=3, hours=i % 5)
            lines.append(f"K-{i},Done,{done.isoformat()},{team}")
    lines.append("K-99,Doing,not a time,a")
    path = tmp_path / "log.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(command: click.Command, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(command, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def records(command: click.Command, *args: str) -> list[dict[str, Any]]:
    code, out, err = run(command, *args, "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert isinstance(rows, list)
    return rows


def by_metric(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {row["metric"]: row["value"] for row in rows}


# -- every command, every format ------------------------------------------------

CASES = [
    ("flow", ["--demo"]),
    ("flow", ["--demo", "--table", "aging"]),
    ("forecast", ["--demo", "--items", "20", "--seed", "1", "--trials", "500"]),
    ("forecast", ["--demo", "--release", "2026.2", "--seed", "1", "--trials", "500"]),
    ("score", ["--demo", "--sensitivity", "--trials", "200"]),
    ("risk", ["--demo"]),
    ("risk", ["--demo", "--release", "2026.2"]),
    ("kpi", ["--demo"]),
    ("kpi", ["--demo", "--kpi", "nps"]),
    ("kpi", ["--demo", "--dora"]),
]


@pytest.mark.parametrize(("name", "args"), CASES)
def test_json_and_csv_carry_the_same_rows(name: str, args: list[str]) -> None:
    rows = records(BY_NAME[name], *args)
    assert rows
    code, out, _ = run(BY_NAME[name], *args, "--format", "csv")
    assert code == 0
    table = list(csv.DictReader(io.StringIO(out)))
    assert len(table) == len(rows)
    assert list(table[0]) == list(rows[0])
    first = rows[0]
    for column, value in first.items():
        if isinstance(value, str | int) and not isinstance(value, bool):
            assert table[0][column] == str(value)


@pytest.mark.parametrize(("name", "args"), CASES)
def test_table_format_prints_a_titled_table(name: str, args: list[str]) -> None:
    code, out, _ = run(BY_NAME[name], *args)
    assert code == 0
    assert "┏" in out
    assert len(out.splitlines()) > 4


def test_out_writes_the_file_instead_of_stdout(tmp_path: Path) -> None:
    target = tmp_path / "risks.json"
    code, out, _ = run(risk_command, "--demo", "--format", "json", "--out", str(target))
    assert code == 0
    assert out == ""
    assert json.loads(target.read_text(encoding="utf-8")) == records(
        risk_command, "--demo"
    )


def test_table_out_is_plain_text(tmp_path: Path) -> None:
    target = tmp_path / "kpis.txt"
    code, _, _ = run(kpi_command, "--demo", "--out", str(target))
    assert code == 0
    text = target.read_text(encoding="utf-8")
    assert "KPIs: status and signals" in text
    assert "\x1b[" not in text


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: str(c.name))
def test_help_shows_examples(command: click.Command) -> None:
    code, out, _ = run(command, "--help")
    assert code == 0
    assert "Examples:" in out
    assert out.count(f"productops {command.name} ") >= 3


# -- data sources and their errors ------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: str(c.name))
def test_no_data_source_is_a_usage_error(command: click.Command) -> None:
    extra = ["--items", "3"] if command is forecast_command else []
    code, _, err = run(command, *extra)
    assert code == 2
    assert "--workspace DIR or --demo" in err


def test_a_saved_workspace_gives_the_demo_numbers(saved: Path) -> None:
    for command in (risk_command, kpi_command, score_command):
        assert records(command, "--workspace", str(saved)) == records(command, "--demo")


def test_a_bad_workspace_lists_every_problem(tmp_path: Path) -> None:
    po.Workspace().save(tmp_path)
    bad = [{"key": "a"}, {"key": "b", "name": "B", "capacity": -1}]
    (tmp_path / "teams.json").write_text(json.dumps(bad), encoding="utf-8")
    code, out, err = run(risk_command, "--workspace", str(tmp_path))
    assert code == 1
    assert out == ""
    assert "2 problems while loading data" in err
    assert "'a'" in err
    assert "capacity" in err
    assert "Traceback" not in err


# -- flow -------------------------------------------------------------------------


def test_flow_summary_equals_the_library(report: flow.FlowReport) -> None:
    got = by_metric(records(flow_command, "--demo"))
    summary = report.summary()
    assert got["as_of"] == summary["as_of"].isoformat()
    assert got["items"] == summary["items"] == 410
    assert got["delivered"] == summary["delivered"]
    assert got["in_progress"] == summary["in_progress"]
    for level, days in summary["cycle_time_days"].items():
        assert got[f"cycle_time_days_p{level}"] == pytest.approx(days)
    assert got["throughput_per_week"] == pytest.approx(summary["throughput_per_week"])
    assert got["flow_efficiency"] == pytest.approx(summary["flow_efficiency"])
    assert got["bottleneck"] == "Ready for QA" == po.datasets.DEMO_BOTTLENECK
    assert got["bottleneck_reason"] == summary["bottleneck"].reason


def test_flow_table_shows_the_bottleneck_evidence(report: flow.FlowReport) -> None:
    code, out, _ = run(flow_command, "--demo")
    assert code == 0
    assert "Bottleneck: 'Ready for QA' (queue)" in " ".join(out.split())


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("cycle-time", lambda r: r.cycle_time.to_records()),
        ("aging", lambda r: r.aging_wip().to_records()),
        ("throughput", lambda r: r.throughput(freq="W").to_records()),
        ("time-in-state", lambda r: r.time_in_state().to_records()),
    ],
)
def test_flow_tables_equal_the_library(
    report: flow.FlowReport, table: str, expected: Any
) -> None:
    rows = records(flow_command, "--demo", "--table", table)
    want = expected(report)
    assert len(rows) == len(want)
    for got, row in zip(rows, want, strict=True):
        for column, value in row.items():
            if isinstance(value, float):
                assert got[column] == pytest.approx(value)
            elif isinstance(value, date):
                assert got[column] == value.isoformat()
            else:
                assert got[column] == value


def test_flow_bottlenecks_are_ranked_with_evidence(report: flow.FlowReport) -> None:
    rows = records(flow_command, "--demo", "--table", "bottlenecks")
    ranked = report.bottlenecks()
    assert [row["state"] for row in rows] == [b.state for b in ranked]
    assert rows[0]["category"] == "queue"
    assert rows[0]["growing"] is True
    assert rows[0]["items_now"] == ranked[0].items_now


def test_flow_filters_by_team_and_type(demo: po.Workspace) -> None:
    got = by_metric(
        records(flow_command, "--demo", "--team", "payments", "--type", "story")
    )
    want = flow.analyze(demo, team="payments", type="story").summary()
    assert got["items"] == want["items"] < 410
    assert got["delivered"] == want["delivered"]


def test_flow_as_of_moves_the_analysis_time(demo: po.Workspace) -> None:
    moment = datetime(2026, 3, 1, tzinfo=UTC)
    got = by_metric(records(flow_command, "--demo", "--as-of", "2026-03-01T00:00Z"))
    want = flow.analyze(demo, as_of=moment).summary()
    assert got["as_of"] == moment.isoformat()
    assert got["delivered"] == want["delivered"]


def test_flow_naive_as_of_is_a_usage_error() -> None:
    code, _, err = run(flow_command, "--demo", "--as-of", "2026-03-01T00:00")
    assert code == 2
    assert "--as-of" in err
    assert "no time zone" in err


def test_flow_naive_as_of_with_tz_is_read_in_that_zone() -> None:
    got = by_metric(
        records(
            flow_command, "--demo", "--as-of", "2026-03-01T00:00", "--tz", "Europe/Oslo"
        )
    )
    assert got["as_of"] == "2026-02-28T23:00:00+00:00"


def test_flow_reads_an_event_log_and_reports_dropped_rows(events: Path) -> None:
    code, out, err = run(
        flow_command,
        "--events",
        str(events),
        "--item-col",
        "key",
        "--status-col",
        "state",
        "--time-col",
        "when",
        "--format",
        "json",
    )
    assert code == 0
    log = flow.EventLog.from_csv(events, item="key", status="state", timestamp="when")
    want = flow.analyze(log).summary()
    got = by_metric(json.loads(out))
    assert got["items"] == want["items"] == 30
    assert got["delivered"] == want["delivered"] == 25
    assert got["cycle_time_days_p50"] == pytest.approx(want["cycle_time_days"][50])
    assert "1 rows dropped or repaired" in err
    assert "K-99" in err
    assert "discovered" in err


def test_flow_event_log_filtered_by_team(events: Path) -> None:
    args = ["--item-col", "key", "--status-col", "state", "--time-col", "when"]
    got = by_metric(
        records(flow_command, "--events", str(events), *args, "--team", "a")
    )
    assert got["items"] == 15


def test_flow_event_log_with_a_missing_column_is_a_usage_error(events: Path) -> None:
    code, _, err = run(flow_command, "--events", str(events), "--item-col", "id")
    assert code == 2
    assert "columns not found" in err
    assert "'key'" in err


# -- forecast ---------------------------------------------------------------------


def test_forecast_items_equals_when(report: flow.FlowReport) -> None:
    rows = records(forecast_command, "--demo", "--items", "30", "--seed", "1")
    want = forecast.when(30, report, seed=1).percentiles()
    assert {row["confidence"]: row["done_by"] for row in rows} == {
        level: day.isoformat() for level, day in want.items()
    }


def test_forecast_until_equals_how_many(report: flow.FlowReport) -> None:
    rows = records(
        forecast_command,
        "--demo",
        "--until",
        "2026-07-31",
        "--seed",
        "3",
        "--trials",
        "2000",
        "--window-days",
        "56",
    )
    want = forecast.how_many(
        date(2026, 7, 31), report, seed=3, trials=2000, window_days=56
    )
    assert {row["confidence"]: row["at_least"] for row in rows} == want.percentiles()


def test_forecast_release_equals_release_confidence(
    demo: po.Workspace, report: flow.FlowReport
) -> None:
    (row,) = records(forecast_command, "--demo", "--release", "2026.2", "--seed", "0")
    target = next(r for r in demo.releases if r.key == "2026.2")
    want = forecast.release_confidence(target, report, seed=0)
    assert row["probability"] == pytest.approx(want.probability)
    assert row["open_items"] == len(want.open_items)
    assert row["p85"] == want.forecast.percentiles()[85].isoformat()


def test_forecast_unknown_release_lists_the_known_ones(demo: po.Workspace) -> None:
    code, _, err = run(forecast_command, "--demo", "--release", "9999.9")
    assert code == 2
    assert "unknown release '9999.9'" in err
    for known in demo.releases:
        assert known.key in err


def test_forecast_needs_exactly_one_question() -> None:
    code, _, err = run(
        forecast_command, "--demo", "--items", "3", "--until", "2026-07-01"
    )
    assert code == 2
    assert "exactly one" in err


def test_forecast_from_an_event_log(events: Path) -> None:
    args = ["--item-col", "key", "--status-col", "state", "--time-col", "when"]
    rows = records(
        forecast_command, "--events", str(events), *args, "--items", "10", "--seed", "2"
    )
    log = flow.EventLog.from_csv(events, item="key", status="state", timestamp="when")
    want = forecast.when(10, flow.analyze(log), seed=2).percentiles()
    assert [row["done_by"] for row in rows] == [d.isoformat() for d in want.values()]


def test_forecast_release_needs_a_workspace(events: Path) -> None:
    args = ["--item-col", "key", "--status-col", "state", "--time-col", "when"]
    code, _, err = run(
        forecast_command, "--events", str(events), *args, "--release", "2026.2"
    )
    assert code == 2
    assert "--release needs" in err


def test_forecast_with_too_little_history_is_a_data_error() -> None:
    code, _, err = run(
        forecast_command, "--demo", "--items", "5", "--as-of", "2025-09-03T00:00Z"
    )
    assert code == 1
    assert err.startswith("error: ")
    assert "throughput" in err


# -- score ------------------------------------------------------------------------


def _backlog(demo: po.Workspace) -> list[po.Initiative]:
    return [
        i
        for i in demo.initiatives
        if i.status in (InitiativeStatus.IDEA, InitiativeStatus.PLANNED)
    ]


@pytest.mark.parametrize("method", ["rice", "wsjf", "reach * impact / effort"])
def test_score_equals_rank(demo: po.Workspace, method: str) -> None:
    rows = records(score_command, "--demo", "--by", method, "--top", "7")
    want = scoring.rank(_backlog(demo), by=method, missing="last").top(7)
    assert [(r["rank"], r["key"], r["score"]) for r in rows] == [
        (e.rank, e.label, e.score) for e in want
    ]


def test_score_all_ranks_every_initiative(demo: po.Workspace) -> None:
    rows = records(score_command, "--demo", "--all", "--top", "100")
    assert len(rows) == len(demo.initiatives)


def test_score_sensitivity_equals_the_library(demo: po.Workspace) -> None:
    rows = records(
        score_command, "--demo", "--sensitivity", "--top", "5", "--trials", "1000"
    )
    ranking = scoring.rank(_backlog(demo), by="rice", missing="last")
    scored = [e.item for e in ranking if e.score is not None]
    robust = scoring.sensitivity(
        scored,
        score="reach * impact * confidence / effort",
        top=5,
        vary_inputs={"effort": (0.7, 1.5), "reach": (0.8, 1.2)},
        trials=1000,
        seed=1,
    )
    for row in rows:
        assert row["p_top_5"] == pytest.approx(robust.probability(row["key"]))


def test_score_ice_is_refused_with_the_reason() -> None:
    code, _, err = run(score_command, "--demo", "--by", "ice")
    assert code == 2
    assert "no ease" in err


def test_score_with_a_bad_formula_is_a_data_error() -> None:
    code, _, err = run(score_command, "--demo", "--by", "reach * (")
    assert code == 1
    assert err.startswith("error: ")


def test_score_sensitivity_needs_an_uncertain_input() -> None:
    code, _, err = run(score_command, "--demo", "--by", "impact", "--sensitivity")
    assert code == 2
    assert "nothing uncertain" in err


# -- risk -------------------------------------------------------------------------


def test_risk_lists_open_risks_with_ratings_and_residual(demo: po.Workspace) -> None:
    rows = records(risk_command, "--demo")
    open_risks = [r for r in demo.risks if r.is_open]
    assert sorted(row["key"] for row in rows) == sorted(r.key for r in open_risks)
    scores = [row["score"] or 0 for row in rows]
    assert scores == sorted(scores, reverse=True)
    report = risks.residual_report(open_risks)
    left = {row.key: row.residual for row in report.rows}
    for row in rows:
        own = next(r for r in demo.risks if r.key == row["key"])
        assert row["rating"] == own.rating()
        assert row["exposure"] == own.expected_cost
        assert row["residual_score"] == left[own.key].score
        assert row["residual_exposure"] == left[own.key].exposure


def test_risk_all_includes_closed_risks(demo: po.Workspace) -> None:
    rows = records(risk_command, "--demo", "--all")
    assert len(rows) == len(demo.risks) == 12
    assert len(records(risk_command, "--demo", "--open")) == 9


def test_risk_release_equals_release_risks(demo: po.Workspace) -> None:
    rows = records(risk_command, "--demo", "--release", "2026.2")
    want = release.release_risks("2026.2", demo.risks).to_records()
    assert rows == json.loads(json.dumps(want))
    assert [row["key"] for row in rows][:3] == ["R-1", "R-2", "R-3"]


def test_risk_unknown_release_lists_the_known_ones() -> None:
    code, _, err = run(risk_command, "--demo", "--release", "nope")
    assert code == 2
    assert "known releases: " in err
    assert "2026.2" in err


# -- kpi --------------------------------------------------------------------------


def test_kpi_status_of_every_kpi(demo: po.Workspace) -> None:
    rows = records(kpi_command, "--demo")
    assert [row["kpi"] for row in rows] == [k.key for k in demo.kpis]
    for row, item in zip(rows, demo.kpis, strict=True):
        state = kpi.status(item, demo.observations)
        assert row["rag"] == state.rag
        assert row["value"] == state.value
        assert row["reason"] == state.reason


def test_kpi_one_kpi_has_trend_change_and_signals(demo: po.Workspace) -> None:
    (row,) = records(kpi_command, "--demo", "--kpi", "activation-rate")
    whole = [
        o for o in demo.observations if o.kpi == "activation-rate" and o.segment is None
    ]
    slope, delta, chart = kpi.trend(whole), kpi.change(whole), kpi.xmr(whole)
    assert row["trend"] == slope.direction
    assert row["p_value"] == pytest.approx(slope.p_value)
    assert row["slope"] == pytest.approx(slope.slope)
    assert row["latest"] == delta.latest
    assert row["change"] == pytest.approx(delta.absolute)
    assert row["ucl"] == pytest.approx(chart.ucl)
    assert len(row["signals"]) == len(chart.signals)


def test_kpi_unknown_key_lists_the_known_ones(demo: po.Workspace) -> None:
    code, _, err = run(kpi_command, "--demo", "--kpi", "happiness")
    assert code == 2
    assert "unknown KPI 'happiness'" in err
    for item in demo.kpis:
        assert item.key in err


def test_kpi_dora_equals_the_library(demo: po.Workspace) -> None:
    rows = records(kpi_command, "--demo", "--dora")
    metrics = kpi.dora(
        [d for r in demo.releases for d in r.deployments],
        incidents=demo.incidents,
        work_items=demo.work_items,
    )
    want = {row["metric"]: row for row in metrics.to_records()}
    assert [row["metric"] for row in rows] == list(want)
    for row in rows:
        assert row["value"] == pytest.approx(want[row["metric"]]["value"])
        assert row["band"] == want[row["metric"]]["band"]
        assert row["n"] == want[row["metric"]]["n"]


# -- registration and progress ------------------------------------------------------


def test_commands_register_on_a_group() -> None:
    group = click.Group("productops", commands=list(COMMANDS))
    result = CliRunner().invoke(group, ["risk", "--demo", "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == records(risk_command, "--demo")
    assert sorted(group.commands) == ["flow", "forecast", "kpi", "risk", "score"]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_spinner_shows_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from productops import _commands

    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with _commands._busy("Working"):
        pass
    assert "Working" in terminal.getvalue()
    plain = io.StringIO()
    monkeypatch.setattr(sys, "stderr", plain)
    with _commands._busy("Working"):
        pass
    assert plain.getvalue() == ""
