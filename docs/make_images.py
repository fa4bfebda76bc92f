"""Regenerate the chart images of the tutorial, ``docs/images/*.svg``.

Run from anywhere with matplotlib installed (``pip install -e '.[plot]'``)::

    python docs/make_images.py

Every chart is drawn from the demo workspace with fixed seeds, so the files
change only when the data or a chart changes. Text is kept as text
(``svg.fonttype = "none"``) and the SVG metadata carries no date, which keeps
each file small (well under 150 KB) and the diffs readable.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from productops import flow, forecast, kpi, people, report, scoring
from productops.datasets import DEMO_AS_OF, load_demo
from productops.model import InitiativeStatus, Workspace

if TYPE_CHECKING:
    from matplotlib.figure import Figure

IMAGES = Path(__file__).resolve().parent / "images"
MAX_BYTES = 150_000


def _flow_report(ws: Workspace) -> flow.FlowReport:
    log = flow.EventLog.from_work_items(ws.work_items, process=ws.process)
    return flow.analyze(log, ws.process, as_of=DEMO_AS_OF)


def charts(ws: Workspace) -> dict[str, Callable[[], Figure]]:
    """Return the tutorial's charts by file stem, each drawn when called.

    Parameters
    ----------
    ws : Workspace
        The demo workspace (`productops.datasets.load_demo`).

    Returns
    -------
    dict of str to callable
        ``{"cfd": ..., "cycle-time-scatter": ..., ...}``; each callable returns
        a matplotlib Figure.
    """
    flow_report = _flow_report(ws)
    summer = next(r for r in ws.releases if r.name == "Summer release")
    churn = [o for o in ws.observations if o.kpi == "logo-churn" and o.segment is None]
    backlog = [
        i
        for i in ws.initiatives
        if i.status in (InitiativeStatus.IDEA, InitiativeStatus.PLANNED)
    ]

    def release_forecast() -> Figure:
        confidence = forecast.release_confidence(summer, flow_report, seed=1)
        return report.forecast_chart(confidence.forecast, target=summer.target_date)

    def churn_chart() -> Figure:
        return report.control_chart(
            kpi.xmr(churn),
            dates=[o.period_end for o in churn],
            title="Logo churn, weekly",
            unit="%",
        )

    def backlog_sensitivity() -> Figure:
        result = scoring.sensitivity(
            backlog,
            score="reach * impact * confidence / effort",
            top=5,
            vary_inputs={"effort": (0.7, 1.5), "reach": (0.8, 1.2)},
            trials=10_000,
            seed=1,
        )
        return report.sensitivity_chart(result, top=10)

    return {
        "cfd": lambda: report.cfd_chart(flow_report),
        "cycle-time-scatter": lambda: report.cycle_time_scatter(flow_report),
        "aging-wip": lambda: report.aging_wip_chart(flow_report),
        "release-forecast": release_forecast,
        "churn-control-chart": churn_chart,
        "risk-heatmap": lambda: report.risk_heatmap(ws.risks),
        "stakeholder-grid": lambda: report.stakeholder_grid_chart(
            people.grid(ws.stakeholders)
        ),
        "backlog-sensitivity": backlog_sensitivity,
    }


def main(folder: Path = IMAGES) -> list[Path]:
    """Draw every chart and write it to ``folder/<name>.svg``.

    Parameters
    ----------
    folder : Path, default ``docs/images``
        Where the SVG files go; created if missing.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    RuntimeError
        If a file is larger than 150 KB (too big to commit).
    """
    import matplotlib as mpl

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    too_big = []
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "productops"}):
        for name, draw in charts(load_demo()).items():
            path = folder / f"{name}.svg"
            draw().savefig(path, format="svg", metadata={"Date": None})
            written.append(path)
            if path.stat().st_size > MAX_BYTES:
                too_big.append(f"{path.name} ({path.stat().st_size:,} bytes)")
    if too_big:
        msg = f"larger than {MAX_BYTES:,} bytes: {', '.join(too_big)}"
        raise RuntimeError(msg)
    return written


if __name__ == "__main__":
    main()
