"""`report.build` on the demo workspace, against its parts measured alone.

Run by hand (not a test)::

    python benchmarks/bench_report.py

Issue 8 asks for ``productops demo --out DIR`` (report.html and report.md) in under
30 s. This times the whole build and, in the same run, its two largest parts on
their own: the flow analysis with its headline numbers (done once and shared by
every section) and drawing
plus serialising the charts (the flow report's CFD, scatter and aging WIP, each as
SVG). The ratio says how much of the build is charts and flow versus the other
engines.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable

from productops import datasets, flow, report


def best_of(function: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    ws = datasets.load_demo()
    analysed = flow.analyze(ws)

    def charts() -> None:
        for draw in (
            report.cfd_chart,
            report.cycle_time_scatter,
            report.aging_wip_chart,
        ):
            draw(analysed).savefig(io.StringIO(), format="svg")

    build = best_of(lambda: report.build(ws))
    analysis = best_of(lambda: flow.analyze(ws).summary())
    three_charts = best_of(charts)
    built = report.build(ws)
    print(
        f"report.build(load_demo()): {build:.2f} s best of 3 "
        f"({len(built.sections)} sections, {len(built.charts)} charts, "
        f"{len(built.html) / 1024:.0f} KB of HTML); target < 30 s"
    )
    print(
        f"  flow.analyze + summary: {analysis:.2f} s  (build / analyze = "
        f"{build / analysis:.1f}x)"
    )
    print(
        f"  3 flow charts as SVG:    {three_charts:.2f} s  (per chart "
        f"{three_charts / 3:.2f} s; {len(built.charts)} charts ~ "
        f"{three_charts / 3 * len(built.charts):.1f} s of the build)"
    )


if __name__ == "__main__":
    main()
