"""Reports and charts: pictures of flow, forecasts, risks, KPIs and people.

`build` turns a workspace into a `Report`: one self-contained HTML page (inline
SVG charts, no scripts, no external assets, printable) and a Markdown twin,
written by `Report.save`; `summary_messages` gives its Slack and Teams headline;
`playbook` renders a `Process` as an onboarding page. Extend the report by
adding a section builder to `SECTIONS` (see `render_section`).

Every chart function takes a result (a `FlowReport`, a forecast, a risk register,
…), draws it with one colour-blind-safe style on a new matplotlib figure or on the
`ax` you pass, and returns the `Figure`. matplotlib is needed only when a chart
is drawn: ``pip install 'productops[plot]'``.

Flow
    `cfd_chart`, `cycle_time_scatter`, `cycle_time_histogram`,
    `throughput_chart`, `aging_wip_chart`.
Process
    `process_chart`: the process graph, states coloured by their bottleneck
    score, edges by volume, rework in its own colour.
Forecasts, KPIs, risks, people, rankings
    `forecast_chart`, `control_chart`, `risk_heatmap`,
    `stakeholder_grid_chart`, `sensitivity_chart`.
Roadmap
    `roadmap_board` (Now / Next / Later) and `roadmap_timeline` (initiatives
    by quarter, releases and freeze windows).

Examples
--------
>>> from productops import datasets, flow, report
>>> fig = report.cycle_time_scatter(flow.analyze(datasets.load_demo()))
>>> fig.axes[0].get_title(loc="left")
'Cycle time'
"""

from __future__ import annotations

from ._build import (
    SECTIONS,
    Report,
    ReportChart,
    ReportContext,
    ReportSection,
    build,
    render_section,
    summary_messages,
)
from ._charts import (
    control_chart,
    forecast_chart,
    risk_heatmap,
    sensitivity_chart,
    stakeholder_grid_chart,
)
from ._flow_charts import (
    aging_wip_chart,
    cfd_chart,
    cycle_time_histogram,
    cycle_time_scatter,
    throughput_chart,
)
from ._graph_charts import process_chart
from ._playbook import playbook
from ._roadmap import roadmap_board, roadmap_timeline
from ._style import OKABE_ITO, RAG_COLOURS

__all__ = [
    "OKABE_ITO",
    "RAG_COLOURS",
    "Report",
    "ReportChart",
    "ReportContext",
    "ReportSection",
    "SECTIONS",
    "aging_wip_chart",
    "build",
    "cfd_chart",
    "control_chart",
    "cycle_time_histogram",
    "cycle_time_scatter",
    "forecast_chart",
    "playbook",
    "process_chart",
    "render_section",
    "risk_heatmap",
    "roadmap_board",
    "roadmap_timeline",
    "sensitivity_chart",
    "stakeholder_grid_chart",
    "summary_messages",
    "throughput_chart",
]
