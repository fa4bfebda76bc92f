"""Flow charts: structure (axes, labels, series), not pixels."""

from __future__ import annotations

import functools

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from productops import datasets, flow, report
from productops.errors import InvalidInputError


@functools.cache
def demo_report() -> flow.FlowReport:
    return flow.analyze(datasets.load_demo())


def test_cfd_has_one_band_per_state_in_process_order() -> None:
    r = demo_report()
    figure = report.cfd_chart(r)
    ax = figure.axes[0]
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == len(r.process.state_names)
    legend = [text.get_text() for text in ax.get_legend().texts]
    assert legend == list(r.cfd().columns)[1:]
    assert ax.get_title(loc="left") == "Cumulative flow"
    assert ax.get_ylabel() == "items"


def test_cfd_top_edge_is_everything_that_arrived() -> None:
    r = demo_report()
    ax = report.cfd_chart(r).axes[0]
    top = max(band.get_paths()[0].vertices[:, 1].max() for band in ax.collections)
    arrived = r.cfd()[r.process.state_names[0]]
    assert top == pytest.approx(float(arrived.max()))


def test_scatter_plots_every_delivered_item_and_the_percentiles() -> None:
    r = demo_report()
    ax = report.cycle_time_scatter(r).axes[0]
    points = ax.collections[0].get_offsets()
    assert len(points) == len(r.cycle_time)
    assert sorted(np.asarray(points)[:, 1]) == pytest.approx(sorted(r.cycle_time.days))
    expected = r.cycle_time.percentiles([50, 85, 95])
    heights = [line.get_ydata()[0] for line in ax.lines]
    assert heights == pytest.approx(list(expected.values()))
    labels = [line.get_label() for line in ax.lines]
    assert labels[0].startswith("50%")


def test_scatter_custom_levels_and_bad_levels() -> None:
    r = demo_report()
    assert len(report.cycle_time_scatter(r, levels=[70]).axes[0].lines) == 1
    with pytest.raises(InvalidInputError, match=r"levels: \[0, 100\]"):
        report.cycle_time_scatter(r, levels=[0, 50, 100])


def test_histogram_counts_every_item() -> None:
    r = demo_report()
    ax = report.cycle_time_histogram(r, bins=20).axes[0]
    heights = [patch.get_height() for patch in ax.patches]
    assert len(heights) == 20
    assert sum(heights) == len(r.cycle_time)
    assert len(ax.lines) == 3
    assert ax.get_xlabel() == "cycle time (days)"


def test_throughput_chart_draws_weekly_counts_and_median() -> None:
    r = demo_report()
    ax = report.throughput_chart(r).axes[0]
    weekly = r.throughput(freq="W")["delivered"]
    delivered, median = ax.lines
    assert list(delivered.get_ydata()) == list(weekly)
    assert median.get_ydata()[0] == np.median(weekly)
    assert ax.get_ylabel() == "items per week"
    daily = report.throughput_chart(r, freq="D").axes[0]
    assert len(daily.lines[0].get_ydata()) == len(r.days)


def test_aging_chart_places_each_item_in_its_state_column() -> None:
    r = demo_report()
    ax = report.aging_wip_chart(r).axes[0]
    aging = r.aging_wip()
    offsets = np.asarray(ax.collections[-1].get_offsets())
    assert len(offsets) == len(aging)
    ticks = [label.get_text() for label in ax.get_xticklabels()]
    order = [s for s in r.process.state_names if s in set(aging["state"])]
    assert ticks == order
    column = np.rint(offsets[:, 0]).astype(int)
    assert [ticks[i] for i in column] == list(aging["state"])
    assert sorted(offsets[:, 1]) == pytest.approx(sorted(aging["age_days"]))
    assert len(ax.patches) == 4  # the four percentile bands


def test_charts_draw_on_a_given_axes() -> None:
    r = demo_report()
    figure = Figure()
    left, right = figure.subplots(1, 2)
    assert report.cfd_chart(r, ax=left) is figure
    assert report.throughput_chart(r, ax=right, title="Per week") is figure
    assert right.get_title(loc="left") == "Per week"
    assert len(figure.axes) == 2
