"""Notebook experience: ``to_pandas()``, ``_repr_html_`` and short reprs (issue 8).

Every public result class with ``to_records()`` is built from the demo workspace
(or, where the demo holds no input for it, from its docstring example) and
checked for a DataFrame of the same shape, a well-formed and escaped HTML repr,
and a plain repr that does not dump arrays.
"""

from __future__ import annotations

import dataclasses
import functools
import html
import importlib
import inspect
import pickle
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from productops import flow, forecast, kpi, people, release, report, scoring
from productops._tabular import (
    RAG_HEX,
    Markup,
    Tabular,
    format_value,
    html_table,
    inline_bar,
    rag_badge,
)
from productops.adapters.confluence import ConfluencePage, Publication
from productops.adapters.slack import SlackPost
from productops.datasets import DEMO_AS_OF, load_demo
from productops.model import Workspace
from productops.scoring import risk
from productops.testing import SlackPosted

SCRIPT = "<script>alert(1)</script>"

# -- shared demo inputs (built once) ---------------------------------------------------


@functools.cache
def _ws() -> Workspace:
    return load_demo()


@functools.cache
def _log() -> flow.EventLog:
    return flow.EventLog.from_work_items(_ws().work_items)


@functools.cache
def _report() -> flow.FlowReport:
    return flow.analyze(_log(), _ws().process, as_of=DEMO_AS_OF)


@functools.cache
def _model() -> forecast.ProcessModel:
    return forecast.learn(_log(), _ws().process, as_of=DEMO_AS_OF)


@functools.cache
def _simulation() -> forecast.SimulationResult:
    return forecast.simulate(_model(), items=150, replications=3, seed=1)


def _observations(key: str) -> list[Any]:
    return [o for o in _ws().observations if o.kpi == key and o.segment is None]


def _kpi_key() -> str:
    return _ws().kpis[0].key


def _tree() -> kpi.DriverTree:
    return kpi.driver_tree({"revenue": ("product", ["users", "arpu"])})


def _comparison() -> forecast.Comparison:
    state = next(s.name for s in _model().states if s.capacity)
    more = forecast.Scenario(capacity={state: 10})
    other = forecast.simulate(_model(), more, items=150, replications=3, seed=1)
    return other.compare(_simulation())


def _critical_path() -> flow.CriticalPath:
    ws = _ws()
    graph = flow.dependency_graph(
        ws.work_items, dependencies=ws.dependencies, process=ws.process
    )
    return flow.critical_path(graph, duration=lambda _node, _data: 1.0)


def _sensitivity() -> scoring.Sensitivity:
    sized = [i for i in _ws().initiatives if i.business_value and i.job_size]
    items = {
        "key": [i.key for i in sized],
        "value": [i.business_value for i in sized],
        "size": [i.job_size for i in sized],
    }
    return scoring.sensitivity(
        items, weights={"value": 1, "size": -1}, top=5, trials=200, seed=1
    )


def _burndown() -> risk.Burndown:
    moments = [datetime(2026, m, 1, tzinfo=UTC) for m in range(1, 7)]
    return risk.burndown(_ws().risks, as_of=moments, undated="exclude")


FACTORIES: dict[str, Callable[[], Any]] = {
    "CriticalPath": _critical_path,
    "DurationSample": lambda: _report().cycle_time,
    "Table": lambda: _report().wip(),
    "Backtest": lambda: forecast.backtest(_model(), _log(), replications=3, seed=1),
    "Comparison": _comparison,
    "ProcessModel": _model,
    "SimulationResult": _simulation,
    "WhenForecast": lambda: forecast.when(30, _report(), seed=1),
    "HowManyForecast": lambda: forecast.how_many(
        date(2026, 7, 1), _report(), start=date(2026, 6, 2), seed=1
    ),
    "ReleaseConfidence": lambda: forecast.release_confidence(
        _ws().releases[2], _report(), seed=1
    ),
    "BurnUp": lambda: kpi.burn_up(
        _ws().sprints[1], _ws().work_items, process=_ws().process
    ),
    "Ces": lambda: kpi.ces([7, 6, 5, 6, 2]),
    "Change": lambda: kpi.change(_observations(_kpi_key()), kpi=_kpi_key()),
    "Contribution": lambda: kpi.contribution(
        _tree(), {"users": 100, "arpu": 10}, {"users": 120, "arpu": 11}
    ),
    "Csat": lambda: kpi.csat([5, 4, 3, 2, 4]),
    "Demand": lambda: kpi.demand(_ws().feedback, _ws().initiatives),
    "DoraBands": lambda: kpi.dora_bands(2024),
    "DoraMetrics": lambda: kpi.dora(
        [d for r in _ws().releases for d in r.deployments],
        incidents=_ws().incidents,
        work_items=_ws().work_items,
    ),
    "DriverSensitivity": lambda: kpi.driver_sensitivity(
        _tree(), {"users": 100, "arpu": 10}
    ),
    "KpiStatus": lambda: kpi.status(
        _ws().kpis[0], _ws().observations, as_of=DEMO_AS_OF
    ),
    "Nps": lambda: kpi.nps([f for f in _ws().feedback if f.kind == "nps"]),
    "SeasonalNaive": lambda: kpi.seasonal_naive(
        _observations(_kpi_key()), season=4, horizon=4, kpi=_kpi_key()
    ),
    "SprintHistory": lambda: kpi.sprint_history(
        _ws().sprints, _ws().work_items, team="payments", last=6
    ),
    "SprintReport": lambda: kpi.sprint_report(
        _ws().sprints[1], _ws().work_items, process=_ws().process
    ),
    "Themes": lambda: kpi.themes(_ws().feedback),
    "Trend": lambda: kpi.trend(_observations(_kpi_key()), kpi=_kpi_key()),
    "XmRChart": lambda: kpi.xmr(_observations(_kpi_key())),
    "CommunicationPlan": lambda: people.communication_plan(_ws().stakeholders),
    "Message": lambda: people.message_from(release.readiness("2026.2", _ws())),
    "RaciCheck": lambda: people.check_raci(_ws().raci),
    "StakeholderGrid": lambda: people.grid(_ws().stakeholders),
    "CalendarCheck": lambda: release.calendar_conflicts(
        _ws().releases, dependencies=_ws().dependencies, work_items=_ws().work_items
    ),
    "Readiness": lambda: release.readiness("2026.2", _ws()),
    "ReleaseNotes": lambda: release.release_notes(
        _ws().releases[0], _ws().work_items, process=_ws().process
    ),
    "ReleaseRiskRollup": lambda: release.release_risks("2026.2", _ws().risks),
    "Timeline": lambda: release.timeline(_ws().releases),
    "Ranking": lambda: scoring.rank(
        _ws().initiatives, by="business_value", missing="last"
    ),
    "Sensitivity": _sensitivity,
    "Burndown": _burndown,
    "DecisionAnalysis": lambda: risk.evaluate(
        risk.Decision(
            "d", [risk.Branch("a", risk.Outcome(1)), risk.Branch("b", risk.Outcome(2))]
        )
    ),
    "HeatMap": lambda: risk.heatmap(_ws().risks, matrix=risk.MATRIX_5X5),
    "ResidualReport": lambda: risk.residual_report(_ws().risks),
    "Rollup": lambda: risk.rollup(_ws().risks, by="category"),
    "Report": lambda: report.build(
        _ws().evolve(
            work_items=_ws().work_items[:80], releases=(), initiatives=(), kpis=()
        ),
        trials=500,
    ),
    "SlackPosted": lambda: SlackPosted("C1", "1767225601.000001", "hi", (), "api"),
    "SlackPost": lambda: SlackPost("C1", "1767225601.000001"),
    "ConfluencePage": lambda: ConfluencePage(
        "1", "Notes", "9", None, 1, "current", "u"
    ),
    "Publication": lambda: Publication(
        "created", ConfluencePage("1", "Notes", "9", None, 1, "current", "u"), 0
    ),
    "ScheduleRisk": lambda: risk.schedule_risk(
        {"design": (2, 3, 6), "build": (4, 6, 12), "docs": (1, 2, 3)},
        dependencies=[("design", "build"), ("design", "docs")],
        trials=500,
        seed=7,
    ),
}

PUBLIC_MODULES = [
    "productops",
    "productops.flow",
    "productops.forecast",
    "productops.kpi",
    "productops.people",
    "productops.release",
    "productops.report",
    "productops.scoring",
    "productops.scoring.risk",
    "productops.model",
    "productops.adapters",
    "productops.adapters.slack",
    "productops.adapters.confluence",
    "productops.testing",
]


@functools.cache
def _instance(name: str) -> Any:
    return FACTORIES[name]()


def _parse(markup: str) -> ET.Element:
    """Parse `markup` as XML inside a wrapper: fails unless it is well-formed."""
    return ET.fromstring(f"<div>{markup}</div>")  # noqa: S314  (our own output)


def _text(markup: str) -> str:
    return "".join(_parse(markup).itertext())


# -- coverage of the public API --------------------------------------------------------


def _public_tabular_classes() -> dict[str, type]:
    found: dict[str, type] = {}
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if inspect.isclass(obj) and callable(getattr(obj, "to_records", None)):
                found[obj.__name__] = obj
    return found


def test_every_public_class_with_to_records_has_a_factory() -> None:
    public = _public_tabular_classes()
    assert set(public) - set(FACTORIES) == set()
    assert len(public) >= 40


def test_every_public_class_with_to_records_is_tabular() -> None:
    for cls in _public_tabular_classes().values():
        assert issubclass(cls, Tabular), cls


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_factory_builds_the_named_class(name: str) -> None:
    assert type(_instance(name)).__name__ == name


# -- to_pandas -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_to_pandas_matches_to_records(name: str) -> None:
    result = _instance(name)
    records = result.to_records()
    frame = result.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == len(records)
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(record))
    assert list(frame.columns) == list(columns)


def test_to_pandas_without_pandas_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import builtins

    real_import = builtins.__import__

    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "pandas":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(
        ImportError, match=re.escape("pip install 'productops[pandas]'")
    ):
        _instance("KpiStatus").to_pandas()


# -- HTML reprs ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_repr_html_is_well_formed(name: str) -> None:
    markup = _instance(name)._repr_html_()
    root = _parse(markup)
    assert root.find(".//table") is not None
    assert "<script" not in markup.lower()


def _default_html() -> list[str]:
    """Factories whose class keeps `Tabular`'s own HTML table."""
    return [
        name
        for name in sorted(FACTORIES)
        if type(_instance(name))._repr_html_ is Tabular._repr_html_
    ]


@pytest.mark.parametrize("name", _default_html())
def test_repr_html_shows_at_most_twenty_rows(name: str) -> None:
    result = _instance(name)
    n = len(result.to_records())
    rows = _parse(result._repr_html_()).findall(".//tbody/tr")
    assert len(rows) == min(n, 20) + (n > 20)
    if n > 20:
        assert f"… {n - 20:,} more rows" in _text(result._repr_html_())


def test_kpi_status_html_escapes_and_shows_the_numbers() -> None:
    status = dataclasses.replace(_instance("KpiStatus"), kpi=SCRIPT, reason=SCRIPT)
    markup = status._repr_html_()
    assert "<script>" not in markup
    assert html.escape(SCRIPT) in markup
    text = _text(markup)
    assert SCRIPT in text  # shown to the reader as text
    assert format_value(status.value) in text
    assert format_value(status.target) in text
    assert status.rag in text
    assert RAG_HEX[status.rag] in markup


def test_readiness_html_escapes_release_name_and_shows_reasons() -> None:
    ready = _instance("Readiness")
    reason = release.Reason(
        release.ReasonKind.GATE_FAILED, "blocker", SCRIPT, f"gate {SCRIPT} failed"
    )
    evil = dataclasses.replace(ready, name=SCRIPT, reasons=(reason, *ready.reasons))
    markup = evil._repr_html_()
    assert "<script>" not in markup
    text = _text(markup)
    assert SCRIPT in text
    assert evil.verdict.value.upper() in text
    assert f"{evil.probability:.0%}" in text
    assert all(r.message in text for r in evil.reasons[:19])
    assert "blocker" in text


def test_flow_report_html_has_headline_numbers_and_bottleneck() -> None:
    report = _report()
    summary = report.summary()
    text = _text(report._repr_html_())
    assert format_value(summary["items"]) in text
    assert format_value(summary["delivered"]) in text
    assert format_value(summary["cycle_time_days"][85]) in text
    assert f"{summary['flow_efficiency']:.1%}" in text
    assert "Bottleneck" in text
    assert summary["bottleneck"].state in text
    assert summary["bottleneck"].reason in text


def test_when_forecast_html_has_percentile_dates() -> None:
    forecast_ = _instance("WhenForecast")
    text = _text(forecast_._repr_html_())
    for level, day in forecast_.percentiles().items():
        assert f"{level} %" in text
        assert day.isoformat() in text


def test_how_many_forecast_html_and_repr() -> None:
    result = forecast.how_many(datetime(2026, 7, 1).date(), _report(), seed=1)
    text = _text(result._repr_html_())
    for level, count in result.percentiles().items():
        assert f"{level} %" in text
        assert format_value(count) in text
    assert len(repr(result)) < 300


def test_release_confidence_html_and_short_repr() -> None:
    frozen = next(r for r in _ws().releases if r.status == "frozen")
    result = forecast.release_confidence(frozen, _report(), seed=1, trials=2000)
    text = _text(result._repr_html_())
    assert f"{result.probability:.0%}" in text
    assert result.target_date.isoformat() in text
    assert result.forecast.percentiles()[85].isoformat() in text
    assert len(repr(result)) < 300
    assert f"{result.probability:.0%}" in repr(result)


def test_ranking_html_lists_best_first() -> None:
    ranking = _instance("Ranking")
    text = _text(ranking._repr_html_())
    best = ranking[0]
    assert best.label in text
    assert format_value(best.score) in text
    assert text.index(best.label) < text.index(ranking[1].label)


def test_heatmap_html_is_a_grid_of_counts() -> None:
    heat = _instance("HeatMap")
    root = _parse(heat._repr_html_())
    rows = root.findall(".//tr")
    assert len(rows) == heat.scale + 1
    cells = [[td.text or "" for td in row.findall("td")] for row in rows[:-1]]
    # first row shown is the highest likelihood
    expected = [
        ["" if c == 0 else str(c) for c in heat.counts[n]]
        for n in reversed(range(heat.scale))
    ]
    assert cells == expected
    assert sum(int(c) for row in cells for c in row if c) == heat.total


def test_heatmap_without_matrix_and_skipped_risks() -> None:
    heat = risk.heatmap(_ws().risks, only_open=False)
    assert heat.matrix is None
    evil = dataclasses.replace(heat, skipped=(SCRIPT,))
    markup = evil._repr_html_()
    assert "<script>" not in markup
    assert "1 risks not placed" in _text(markup)


def test_rollup_and_residual_html_have_totals() -> None:
    rollup = _instance("Rollup")
    text = _text(rollup._repr_html_())
    assert format_value(rollup.exposure) in text
    assert all((g.key or "") in text for g in rollup.groups)
    residual = _instance("ResidualReport")
    text = _text(residual._repr_html_())
    assert format_value(residual.inherent_exposure) in text
    assert format_value(residual.residual_exposure) in text


# -- plain reprs -----------------------------------------------------------------------


BIG = [
    "Backtest",
    "Burndown",
    "Comparison",
    "CriticalPath",
    "WhenForecast",
    "SimulationResult",
    "Ranking",
    "Rollup",
    "ResidualReport",
    "HeatMap",
    "Readiness",
    "Demand",
    "Themes",
    "SprintHistory",
    "Timeline",
    "CalendarCheck",
    "DoraMetrics",
    "Table",
    "DurationSample",
]


@pytest.mark.parametrize("name", BIG)
def test_repr_is_short(name: str) -> None:
    text = repr(_instance(name))
    assert len(text) < 300, text
    assert "array(" not in text


def test_flow_report_repr_is_short() -> None:
    assert len(repr(_report())) < 300


# -- the dataclasses still behave ------------------------------------------------------


@pytest.mark.parametrize(
    "name", [n for n in sorted(FACTORIES) if dataclasses.is_dataclass(_instance(n))]
)
def test_dataclass_replace_and_equality_still_work(name: str) -> None:
    result = _instance(name)
    copy = dataclasses.replace(result)
    assert type(copy) is type(result)
    if type(result).__eq__ is not object.__eq__:
        try:
            same = copy == result
        except ValueError:  # numpy array fields compare element-wise
            return
        assert same
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(result, dataclasses.fields(result)[0].name, None)


@pytest.mark.parametrize(
    "name", ["KpiStatus", "Readiness", "HeatMap", "Rollup", "Nps", "Trend"]
)
def test_slotted_results_pickle(name: str) -> None:
    result = _instance(name)
    assert not hasattr(result, "__dict__")
    assert pickle.loads(pickle.dumps(result)) == result  # noqa: S301


# -- helpers ---------------------------------------------------------------------------


def test_html_table_truncates_and_counts_the_rest() -> None:
    rows = [{"n": i} for i in range(25)]
    text = _text(html_table(rows, max_rows=20))
    assert "… 5 more rows" in text
    assert len(_parse(html_table(rows)).findall(".//tbody/tr")) == 21


def test_html_table_formats_numbers() -> None:
    row = {"int": 1234567, "small": 0.123456, "big": 98765.4, "none": None}
    cells = [td.text or "" for td in _parse(html_table([row])).iter("td")]
    assert cells == ["1,234,567", "0.1235", "98,765", ""]


def test_rag_badge_uses_the_report_palette() -> None:
    from productops.report._style import RAG_COLOURS

    assert dict(RAG_HEX) == dict(RAG_COLOURS)
    for colour in RAG_HEX:
        badge = rag_badge(colour)
        assert isinstance(badge, Markup)
        assert RAG_HEX[colour] in badge
        assert _text(badge) == colour
    assert RAG_HEX["grey"] in rag_badge(SCRIPT)
    assert "<script>" not in rag_badge("red", label=SCRIPT)


def test_inline_bar_width() -> None:
    assert "width:25.0%" in inline_bar(1, 4)
    assert "width:100.0%" in inline_bar(9, 4)
    assert "width:0.0%" in inline_bar(1, 0)
    _parse(inline_bar(1, 4))


def test_importing_tabular_does_not_load_matplotlib() -> None:
    import subprocess
    import sys

    code = (
        "import sys, productops, productops._tabular; "
        "from productops import flow, kpi, release, scoring, forecast; "
        "assert 'matplotlib' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["a", "<b>", "c&d", '"e"']),
            st.one_of(st.none(), st.integers(), st.floats(), st.text()),
        ),
        max_size=30,
    )
)
def test_html_table_is_always_well_formed_and_escaped(
    rows: list[dict[str, Any]],
) -> None:
    markup = html_table(rows, caption="<caption & more>")
    root = _parse(markup)
    body_rows = root.findall(".//tbody/tr")
    assert len(body_rows) == min(len(rows), 20) + (len(rows) > 20)
    assert "<b>" not in markup
