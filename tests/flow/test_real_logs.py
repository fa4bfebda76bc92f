"""The engine against an established process-mining tool on real event logs.

The expected numbers were computed once by pm4py (dev-only; AGPL, never a
dependency) with `benchmarks/reference_pm4py.py`, and committed as test data.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from productops.flow import EventLog, dfg

DATA = Path(__file__).resolve().parent.parent / "data" / "flow"


def reference(name: str) -> dict:
    return json.loads((DATA / f"pm4py_{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=["receipt", "helpdesk"])
def case(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[EventLog, dict]:
    expected = reference(request.param)
    columns = expected["columns"]
    path = tmp_path_factory.mktemp("logs") / f"{request.param}.csv"
    with gzip.open(DATA / f"{request.param}.csv.gz") as packed, path.open("wb") as out:
        shutil.copyfileobj(packed, out)
    log = EventLog.from_csv(
        path,
        item=columns["case"],
        status=columns["activity"],
        timestamp=columns["timestamp"],
        duplicates="keep",  # pm4py keeps exact duplicates: so must we, to compare
    )
    return log, expected


def test_log_size_matches(case: tuple[EventLog, dict]) -> None:
    log, expected = case
    assert len(log) == expected["events"]
    assert len(log.items) == expected["cases"]
    assert all(p.action == "kept" for p in log.problems)


def test_directly_follows_counts_match_exactly(case: tuple[EventLog, dict]) -> None:
    log, expected = case
    graph = dfg(log)
    ours = {(a, b): data["count"] for a, b, data in graph.edges(data=True)}
    theirs = {(e["source"], e["target"]): e["count"] for e in expected["edges"]}
    assert ours == theirs
    assert graph.graph["start_activities"] == expected["start_activities"]
    assert graph.graph["end_activities"] == expected["end_activities"]


def test_edge_durations_match(case: tuple[EventLog, dict]) -> None:
    log, expected = case
    graph = dfg(log)
    for edge in expected["edges"]:
        data = graph.edges[edge["source"], edge["target"]]
        assert data["mean_seconds"] == pytest.approx(
            edge["mean_seconds"], rel=1e-6, abs=1e-9
        )
        assert data["median_seconds"] == pytest.approx(
            edge["median_seconds"], rel=1e-6, abs=1e-9
        )
