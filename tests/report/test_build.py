"""The report builder: sections, well-formed self-contained HTML, Markdown twin."""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

from hypothesis import given
from hypothesis import strategies as st

from productops import datasets, flow, forecast, release
from productops.errors import InvalidInputError
from productops.model import KPI, Observation, Risk, Workspace
from productops.report import _build
from productops.report._build import (
    Report,
    ReportContext,
    ReportSection,
    build,
    render_section,
    summary_messages,
)

DEMO_KEYS = [
    "flow",
    "forecast",
    "readiness",
    "risks",
    "kpis",
    "backlog",
    "roadmap",
    "feedback",
    "dora",
    "stakeholders",
]
TRIALS = 2_000


@functools.cache
def demo() -> Workspace:
    return datasets.load_demo()


@functools.cache
def demo_report() -> Report:
    return build(demo(), trials=TRIALS)


_VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr"}


class _Checker(HTMLParser):
    """Record tags, attributes and nesting errors of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.starts: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts.append((tag, dict(attrs)))
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> _Checker:
    checker = _Checker()
    checker.feed(page)
    checker.close()
    return checker


def markdown_tables(text: str) -> list[list[list[str]]]:
    """Split GFM tables into rows of cells (escaped pipes stay in cells)."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
            current.append([c.strip() for c in cells])
        elif current:
            tables.append(current)
            current = []
    return tables


# --- sections -----------------------------------------------------------------


def test_demo_has_every_section_in_order() -> None:
    report = demo_report()
    assert [s.key for s in report.sections] == DEMO_KEYS
    assert report.skipped == ()


def test_as_of_defaults_to_the_flow_reports() -> None:
    assert demo_report().as_of == flow.analyze(demo()).as_of


def test_empty_workspace_has_no_sections_and_still_renders() -> None:
    report = build(Workspace())
    assert report.sections == ()
    assert len(report.skipped) == len(_build.SECTIONS)
    assert report.as_of == datetime(1970, 1, 1, tzinfo=UTC)
    checker = parse(report.html)
    assert checker.errors == []
    assert checker.stack == []
    assert "no data" in report.markdown


def test_work_items_only_give_just_the_flow_section() -> None:
    workspace = Workspace(work_items=demo().work_items)
    report = build(workspace, trials=TRIALS)
    assert [s.key for s in report.sections] == ["flow"]
    assert "discovered" in report.sections[0].markdown
    assert "stakeholders" in report.skipped


def test_kpis_without_observations_give_a_table_and_no_chart() -> None:
    workspace = Workspace(kpis=(KPI(key="k", name="Signups", target=10),))
    report = build(workspace, as_of=datetime(2026, 1, 1, tzinfo=UTC))
    (section,) = report.sections
    assert section.key == "kpis"
    assert section.charts == ()
    assert markdown_tables(section.markdown)[0][2][0] == "Signups"


def test_flow_section_shows_the_reports_headline_numbers() -> None:
    summary = flow.analyze(demo()).summary()
    section = demo_report().sections[0]
    rows = dict(row for row in markdown_tables(section.markdown)[1][2:])
    assert rows["WIP now"] == str(summary["in_progress"]) == "60"
    assert rows["delivered"] == str(summary["delivered"])
    assert f"Bottleneck: {summary['bottleneck'].state}." in section.markdown
    assert [c.name for c in section.charts] == [
        "flow-process",
        "flow-cfd",
        "flow-cycle-time",
        "flow-aging-wip",
    ]


def test_forecast_matches_release_confidence_with_the_same_seed() -> None:
    report = flow.analyze(demo())
    summer = next(r for r in demo().releases if r.key == "2026.2")
    expected = forecast.release_confidence(summer, report, trials=TRIALS, seed=1)
    text = demo_report().sections[1].markdown
    for level, day in expected.forecast.percentiles().items():
        assert f"| {level:g} % | {day:%Y-%m-%d} |" in text
    assert f"{len(expected.open_items)} open items" in text
    # only open releases: 2026.1 is released
    assert "2026.1" not in text


def test_readiness_lists_every_reason_of_every_open_release() -> None:
    section = demo_report().sections[2]
    for key in ("2026.2", "2026.3"):
        result = release.readiness(key, demo(), seed=1, trials=TRIALS)
        verdict = result.verdict.value.replace("_", " ").upper()
        assert f"{key} {result.name}: {verdict}" in section.markdown
        text = "".join(parse(section.html).text)
        for reason in result.reasons:
            assert reason.message in text
    assert "not judged: 2026.1" in section.markdown


def test_section_tables_have_the_right_column_counts() -> None:
    tables = markdown_tables(demo_report().markdown)
    assert len(tables) >= 10
    for table in tables:
        width = len(table[0])
        assert all(len(row) == width for row in table), table[0]
        assert all(re.fullmatch(r"-{3}:?", cell) for cell in table[1])


# --- HTML ---------------------------------------------------------------------


def test_html_parses_with_balanced_tags() -> None:
    page = demo_report().html
    checker = parse(page)
    assert checker.errors == []
    assert checker.stack == []
    assert page.startswith("<!DOCTYPE html>\n")
    assert page.count("<!DOCTYPE") == 1
    assert "<?xml" not in page


def test_html_has_one_accessible_svg_per_chart_and_no_script() -> None:
    report = demo_report()
    page = report.html
    charts = report.charts
    assert len(charts) == 12
    assert page.count("<svg") == len(charts)
    assert "<script" not in page.lower()
    svgs = [attrs for tag, attrs in parse(page).starts if tag == "svg"]
    assert [a["aria-label"] for a in svgs] == [c.title for c in charts]
    assert all(a["role"] == "img" for a in svgs)
    for chart in charts:
        assert f"<title>{chart.title}</title>" in chart.svg


def test_html_has_no_external_assets() -> None:
    page = demo_report().html
    for tag, attrs in parse(page).starts:
        for name in ("src", "href", "xlink:href"):
            value = attrs.get(name) or ""
            if tag != "a":
                assert not re.match(r"(https?:)?//", value), (tag, value)
    assert "<link" not in page
    assert "@import" not in page
    assert "url(http" not in page


def test_ids_are_unique_across_inlined_charts() -> None:
    ids = [a["id"] for _, a in parse(demo_report().html).starts if "id" in a]
    assert len(ids) == len(set(ids))


def test_toc_links_every_section() -> None:
    report = demo_report()
    checker = parse(report.html)
    ids = {a.get("id") for _, a in checker.starts}
    toc = [str(a["href"]) for tag, a in checker.starts if tag == "a" and a.get("href")]
    assert toc == [f"#{s.key}" for s in report.sections]
    assert all(href.removeprefix("#") in ids for href in toc)


def test_html_head_declares_language_charset_and_print_style() -> None:
    page = demo_report().html
    assert '<html lang="en">' in page
    assert '<meta charset="utf-8">' in page
    assert "@media print" in page
    assert "break-before:page" in page
    assert "Data as of 2026-05-29" in page


def test_user_text_is_escaped_everywhere() -> None:
    evil = "<script>alert('x')</script> | & done"
    workspace = Workspace(
        risks=(Risk(key="R-1", title=evil, likelihood=3, impact=4, owner=evil),),
    )
    report = build(workspace, title=evil, as_of=datetime(2026, 1, 1, tzinfo=UTC))
    page = report.html
    assert "<script" not in page
    assert "&lt;script&gt;" in page
    assert "<script" not in report.markdown
    risk_table = markdown_tables(report.sections[0].markdown)[0]
    assert all(len(row) == 6 for row in risk_table)
    assert risk_table[2][1] == "&lt;script>alert('x')&lt;/script> \\| & done"


# --- Markdown and save ----------------------------------------------------------


def test_markdown_mirrors_the_html_sections_and_charts() -> None:
    report = demo_report()
    text = report.markdown
    for section in report.sections:
        assert f"\n## {section.title}\n" in text
    images = re.findall(r"!\[([^\]]*)\]\(([^)]+)\)", text)
    assert images == [(c.title, f"report_files/{c.name}.svg") for c in report.charts]


def test_save_writes_both_files_and_every_referenced_svg(tmp_path: Path) -> None:
    report = demo_report()
    page, twin = report.save(tmp_path / "out")
    assert page.read_text(encoding="utf-8") == report.html
    assert twin.read_text(encoding="utf-8") == report.markdown
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", report.markdown)
    assert links
    for link in links:
        svg = (twin.parent / link).read_text(encoding="utf-8")
        assert svg.startswith("<?xml")
        assert "<svg" in svg
        assert svg.rstrip().endswith("</svg>")


def test_same_seed_gives_identical_html() -> None:
    again = build(demo(), trials=TRIALS, seed=1)
    assert again.html == demo_report().html
    assert again.markdown == demo_report().markdown


# --- options, hooks, messages ---------------------------------------------------


def test_explicit_as_of_is_used() -> None:
    moment = datetime(2026, 4, 1, tzinfo=UTC)
    report = build(Workspace(work_items=demo().work_items[:40]), as_of=moment)
    assert report.as_of == moment
    assert "Flow health as of 2026-04-01" in report.markdown


def test_bad_options_are_reported_together() -> None:
    with pytest.raises(InvalidInputError, match=r"as_of: .*; trials: "):
        build(Workspace(), as_of=datetime(2026, 1, 1), trials=0)


def test_progress_names_each_section() -> None:
    seen: list[str] = []
    build(Workspace(), progress=seen.append)
    assert seen[:3] == ["flow", "forecast", "readiness"]
    assert len(seen) == len(_build.SECTIONS)


def test_sections_list_can_be_extended(monkeypatch: pytest.MonkeyPatch) -> None:
    def roadmap(ctx: ReportContext) -> ReportSection:
        return render_section("roadmap", "Roadmap", [f"{ctx.seed}"])

    monkeypatch.setattr(_build, "SECTIONS", [*_build.SECTIONS, roadmap])
    report = build(Workspace())
    assert [s.key for s in report.sections] == ["roadmap"]
    assert '<a href="#roadmap">Roadmap</a>' in report.html


def test_duplicate_section_keys_are_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def twice(ctx: ReportContext) -> list[ReportSection]:
        return [render_section("x", "X", []), render_section("x", "Y", [])]

    monkeypatch.setattr(_build, "SECTIONS", [twice])
    with pytest.raises(InvalidInputError, match="x"):
        build(Workspace())


def test_render_section_rejects_unsafe_keys() -> None:
    with pytest.raises(InvalidInputError, match="key"):
        render_section('a" onclick="x', "A", [])


def test_chart_names_are_file_safe_and_unique() -> None:
    from matplotlib.figure import Figure

    ctx = ReportContext(Workspace(), as_of=datetime(2026, 1, 1, tzinfo=UTC))
    figure = Figure()
    figure.add_subplot().plot([1, 2])
    first = ctx.chart(figure, "forecast-v1/2", "A")
    second = ctx.chart(figure, "forecast-v1/2", "B")
    assert (first.name, second.name) == ("forecast-v1-2", "forecast-v1-2-2")


def test_summary_messages_carry_the_worst_status() -> None:
    payloads = summary_messages(demo_report())
    header = payloads["slack"]["blocks"][0]["text"]["text"]
    assert header.startswith(":red_circle:")  # 2026.2 is no-go
    assert demo_report().title in header
    teams = payloads["teams"]
    assert teams["type"] == "message"
    assert teams["attachments"][0]["content"]["type"] == "AdaptiveCard"


def test_observations_after_as_of_are_ignored_in_kpi_signals() -> None:
    kpi = KPI(key="k", name="Signups", target=10)
    observations = tuple(
        Observation(kpi="k", value=v, at=datetime(2026, 1, d, tzinfo=UTC))
        for d, v in ((1, 10), (2, 11), (3, 10), (20, 99))
    )
    workspace = Workspace(kpis=(kpi,), observations=observations)
    report = build(workspace, as_of=datetime(2026, 1, 10, tzinfo=UTC))
    row = markdown_tables(report.markdown)[0][2]
    assert row[1] == "10"
    assert row[3] == "green"


@given(st.text())
def test_markdown_cells_never_break_a_table(text: str) -> None:
    section = render_section("t", "T", [_build._table(["a", "b"], [[text, "x"]])])
    (table,) = markdown_tables(section.markdown)
    assert [len(row) for row in table] == [2, 2, 2]
    assert "<" not in table[2][0]


def test_releases_without_target_date_are_named_not_forecast() -> None:
    from productops.model import Release, ReleaseStatus

    workspace = Workspace(
        work_items=demo().work_items,
        process=demo().process,
        releases=(Release(key="R9", name="Someday", status=ReleaseStatus.PLANNED),),
    )
    report = build(workspace, trials=TRIALS)
    forecast_section = next(s for s in report.sections if s.key == "forecast")
    assert "Not forecast: R9 (no target date)." in forecast_section.markdown
    assert forecast_section.charts == ()


def test_the_flow_report_is_computed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    original = flow.analyze

    def counting(*args: object, **kwargs: object) -> flow.FlowReport:
        calls.append(args)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(flow, "analyze", counting)
    workspace = Workspace(
        work_items=demo().work_items,
        process=demo().process,
        releases=demo().releases,
        risks=demo().risks,
    )
    report = build(workspace, trials=500)
    assert {"flow", "forecast", "readiness", "risks"} <= {
        s.key for s in report.sections
    }
    assert len(calls) == 1
