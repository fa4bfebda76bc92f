"""The files adapter: CSV, Excel and JSON tables, and Jira's CSV export.

The Jira sample `data/jira-cloud-export.csv` follows the column layout of a real
Jira Cloud "Export Excel CSV (all fields)" file: alexiskulash/insureco-ticket-import,
`demo-insureco-jira.csv` (commit 8f62ee8f4dbf4d2c93d9fe7910065ddd29bb436e), an
export of a Jira Cloud site. From it: the column order (Summary, Issue key, Issue
id, Issue Type, Status, Project ..., Created, Updated, Last Viewed, Resolved, ...,
Sprint, Custom field (Story Points), Custom field (Story point estimate), ...,
Comment, Parent, Parent key, Parent summary, Status Category, Status Category
Changed), dates such as ``25/Feb/26 10:17 PM``, estimates such as ``4.0``,
``Parent`` holding the parent's issue id beside ``Parent key``, repeated
``Watchers`` / ``Comment`` columns, and comments as ``date;account id;text``.
Repeated multi-value columns (``Labels``, ``Fix versions`` / ``Fix Version/s``,
``Sprint``, ``Outward issue link (Blocks)``) as Jira writes them are shown in
other public samples of real exports, e.g. shahil-rezolve/ganttor
`apps/ganttor/src/jira/import.test.ts` (commit
84300241ffeab6703581e7aab5a86fac3f547b39). Names, ids and text are made up.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from datetime import UTC, date, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import productops as po
from productops.adapters import files
from productops.errors import (
    AdapterNotFoundError,
    ConfigurationError,
    DataLoadError,
    DataRepairWarning,
    InvalidInputError,
)
from productops.flow import EventLog

from .. import strategies

openpyxl = pytest.importorskip("openpyxl")

DATA = Path(__file__).parent / "data"
JIRA_EXPORT = DATA / "jira-cloud-export.csv"

ITEM = po.WorkItem(
    key="APP-1",
    title="Export to CSV",
    status="Done",
    created=datetime(2024, 1, 2, 9, tzinfo=UTC),
    labels=["ui", "csv"],
    estimate=3,
    links=[po.Link(kind="blocks", target="APP-7")],
    history=[
        po.StatusChange(
            at=datetime(2024, 1, 3, 9, tzinfo=UTC),
            from_status="To Do",
            to_status="Done",
        )
    ],
)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding, newline="")
    return path


def messages(error: DataLoadError) -> list[str]:
    return [str(problem) for problem in error.problems]


def unique(
    strategy: st.SearchStrategy[po.ProductOpsModel], key: str
) -> st.SearchStrategy:
    return st.lists(strategy, max_size=3, unique_by=lambda record: getattr(record, key))


# -- layout and kinds ----------------------------------------------------------------


def test_work_items_are_written_as_a_table_and_a_history_table() -> None:
    layout = files.table_layout(po.WorkItem)
    assert list(layout) == ["work_items", "history"]
    assert layout["work_items"][:4] == ("key", "title", "type", "status")
    assert "history" not in layout["work_items"]
    assert layout["history"] == ("key", "at", "from_status", "to_status", "author")


def test_workspace_layout_has_a_sheet_per_collection_and_child_table() -> None:
    layout = files.table_layout("workspace")
    assert list(layout)[:4] == ["workspace", "work_items", "history", "releases"]
    assert set(po.Workspace.COLLECTIONS) < set(layout)


@pytest.mark.parametrize("kind", ["items", po.Process, 3])
def test_an_unknown_kind_is_an_invalid_input(kind: object, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="is not a kind of record"):
        files.read_csv(tmp_path / "x.csv", kind)  # type: ignore[call-overload]


# -- CSV round trips -----------------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(items=unique(strategies.work_items(), "key"))
def test_work_items_with_history_round_trip_through_csv(
    items: list[po.WorkItem],
) -> None:
    with TemporaryDirectory() as folder:
        main, history = Path(folder) / "items.csv", Path(folder) / "history.csv"
        files.write_csv(items, main, history=history, kind=po.WorkItem)
        assert files.read_csv(main, po.WorkItem, history=history) == tuple(items)


@settings(max_examples=15, deadline=None)
@given(risks=unique(strategies.risks(), "key"))
def test_risks_with_mitigations_round_trip_through_csv(risks: list[po.Risk]) -> None:
    with TemporaryDirectory() as folder:
        main, mitigations = Path(folder) / "risks.csv", Path(folder) / "m.csv"
        files.write_csv(risks, main, mitigations=mitigations, kind="risks")
        assert files.read_csv(main, po.Risk, mitigations=mitigations) == tuple(risks)


@pytest.mark.parametrize(
    ("kind", "strategy"),
    [
        (po.KPI, unique(strategies.kpis(), "key")),
        (
            po.Observation,
            st.lists(strategies.observations("nps"), max_size=4, unique_by=repr),
        ),
        (po.Initiative, unique(strategies.initiatives(), "key")),
        (po.Release, unique(strategies.releases(), "key")),
        (po.Feedback, unique(strategies.feedback(), "key")),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_records_round_trip_through_csv(
    kind: type[po.ProductOpsModel], strategy: st.SearchStrategy
) -> None:
    @settings(max_examples=12, deadline=None)
    @given(records=strategy)
    def round_trip(records: list[po.ProductOpsModel]) -> None:
        with TemporaryDirectory() as folder:
            path = files.write_csv(records, Path(folder) / "t.csv", kind=kind)
            assert files.read_csv(path, kind) == tuple(records)

    round_trip()


def test_every_collection_of_the_demo_round_trips_through_csv(tmp_path: Path) -> None:
    demo = po.datasets.load_demo()
    for name in po.Workspace.COLLECTIONS:
        path = tmp_path / f"{name}.csv"
        child = {}
        if name == "work_items":
            child = {"history": tmp_path / "history.csv"}
        elif name == "risks":
            child = {"mitigations": tmp_path / "mitigations.csv"}
        files.write_csv(getattr(demo, name), path, **child)
        assert files.read_csv(path, name, **child) == getattr(demo, name), name


def test_csv_cells_are_plain_text(tmp_path: Path) -> None:
    path = files.write_csv([ITEM], tmp_path / "i.csv", history=False)
    header, row = path.read_text(encoding="utf-8").splitlines()
    cells = dict(zip(header.split(","), row.split(","), strict=True))
    assert cells["created"] == "2024-01-02T09:00:00Z"
    assert cells["labels"] == "ui; csv"
    assert cells["links"] == "blocks: APP-7"
    assert cells["estimate"] == "3.0"
    assert cells["custom_fields"] == ""


def test_a_list_holding_a_semicolon_is_written_as_json(tmp_path: Path) -> None:
    item = ITEM.evolve(labels=["a;b", "c"], history=[])
    path = files.write_csv([item], tmp_path / "i.csv")
    assert '"[""a;b"", ""c""]"' in path.read_text(encoding="utf-8")
    assert files.read_csv(path, po.WorkItem)[0].labels == ("a;b", "c")


# -- CSV writing rules ---------------------------------------------------------------


def test_writing_items_with_history_needs_a_history_file_or_false(
    tmp_path: Path,
) -> None:
    with pytest.raises(InvalidInputError, match="pass history="):
        files.write_csv([ITEM], tmp_path / "i.csv")
    path = files.write_csv([ITEM], tmp_path / "i.csv", history=False)
    assert files.read_csv(path, po.WorkItem)[0].history == ()


def test_history_is_only_for_work_items(tmp_path: Path) -> None:
    risk = po.Risk(key="R-1", title="Late")
    with pytest.raises(InvalidInputError, match="history= is for work_items"):
        files.write_csv([risk], tmp_path / "r.csv", history=tmp_path / "h.csv")


def test_records_of_mixed_types_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match=r"also got \['Risk'\]"):
        files.write_csv([ITEM, po.Risk(key="R-1", title="x")], tmp_path / "m.csv")


def test_an_empty_table_needs_its_kind(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="pass kind="):
        files.write_csv([], tmp_path / "e.csv")
    path = files.write_csv([], tmp_path / "e.csv", kind=po.KPI)
    assert path.read_text(encoding="utf-8").startswith("key,name,unit,direction")
    assert files.read_csv(path, po.KPI) == ()


def test_a_workspace_is_not_a_csv_table(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="write_excel or write_json"):
        files.write_csv(po.Workspace(), tmp_path / "w.csv")  # type: ignore[arg-type]


# -- CSV reading: headers ------------------------------------------------------------


def test_headers_match_case_insensitively_and_by_alias(tmp_path: Path) -> None:
    path = write(
        tmp_path / "items.csv",
        "Issue Key,Summary,Issue Type,State,Created At,Story Points,Fix Version/s\n"
        "APP-1,Export,Bug,In Progress,2024-01-02T09:00:00Z,5,2024.1; 2024.2\n",
    )
    (item,) = files.read_csv(path, po.WorkItem)
    assert (item.key, item.title, item.type, item.status) == (
        "APP-1",
        "Export",
        "Bug",
        "In Progress",
    )
    assert item.estimate == 5.0
    assert item.releases == ("2024.1", "2024.2")


def test_columns_renames_and_none_ignores_quietly(tmp_path: Path) -> None:
    path = write(
        tmp_path / "risks.csv",
        "Ref,Headline,Notes\nR-1,Vendor late,call them\n",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (risk,) = files.read_csv(
            path, po.Risk, columns={"ref": "key", "Headline": "title", "Notes": None}
        )
    assert (risk.key, risk.title) == ("R-1", "Vendor late")


def test_unknown_columns_are_ignored_with_one_warning_naming_them(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "k.csv", "key,name,Colour,Size\nnps,NPS,red,3\n")
    with pytest.warns(
        DataRepairWarning, match=r"2 unknown column\(s\) \['Colour', 'Size'\]"
    ):
        (kpi,) = files.read_csv(path, po.KPI)
    assert kpi.key == "nps"


def test_a_field_name_wins_over_an_alias(tmp_path: Path) -> None:
    path = write(
        tmp_path / "i.csv",
        "key,title,Summary,status,created\nA-1,real,alias,Done,2024-01-02T09:00:00Z\n",
    )
    with pytest.warns(DataRepairWarning, match="Summary"):
        (item,) = files.read_csv(path, po.WorkItem)
    assert item.title == "real"


def test_two_columns_for_one_field_are_an_error_unless_it_is_a_list(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "i.csv",
        "key,Title,title,status,created\nA-1,x,y,Done,2024-01-02T09:00:00Z\n",
    )
    with pytest.raises(DataLoadError, match=r"columns \['Title', 'title'\] all give"):
        files.read_csv(path, po.WorkItem)
    path = write(
        tmp_path / "j.csv",
        "key,title,status,created,Labels,Labels\nA-1,x,Done,2024-01-02T09:00:00Z,a,b\n",
    )
    assert files.read_csv(path, po.WorkItem)[0].labels == ("a", "b")


def test_a_missing_required_column_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "i.csv", "key,title\nA-1,x\n")
    with pytest.raises(DataLoadError) as caught:
        files.read_csv(path, po.WorkItem)
    (message,) = messages(caught.value)
    assert "required field(s) ['status', 'created']" in message


def test_columns_must_name_fields(tmp_path: Path) -> None:
    path = write(tmp_path / "i.csv", "key\nA\n")
    with pytest.raises(InvalidInputError, match=r"\['tittle'\] name no field"):
        files.read_csv(path, po.WorkItem, columns={"Name": "tittle"})


# -- CSV reading: cells and rows -----------------------------------------------------


def test_every_bad_row_is_listed_with_its_row_column_and_key(tmp_path: Path) -> None:
    items = write(
        tmp_path / "items.csv",
        "key,title,status,created,Story Points\n"
        "APP-1,ok,Done,2024-01-02T09:00:00Z,3\n"
        "\n"
        "APP-2,naive,Done,2024-01-02 09:00,2\n"
        "APP-3,negative,Done,2024-01-02T09:00:00Z,-1\n"
        "APP-1,again,Done,2024-01-02T09:00:00Z,\n",
    )
    history = write(
        tmp_path / "history.csv",
        "key,at,to_status\n"
        "APP-1,2024-01-03T09:00:00Z,Done\n"
        "APP-9,2024-01-03T09:00:00Z,Done\n"
        "APP-1,soon,Done\n",
    )
    with pytest.raises(DataLoadError) as caught:
        files.read_csv(items, po.WorkItem, history=history)
    assert messages(caught.value) == [
        f"{items} row 4 (key='APP-2') column 'created': timestamp has no timezone; "
        "give an offset (e.g. 'Z' or '+01:00') or load with an explicit tz=",
        f"{items} row 5 (key='APP-3') column 'Story Points': Input should be "
        "greater than or equal to 0",
        f"{items} row 6 (key='APP-1') column 'key': duplicate of row 2",
        f"{history} row 3 (key='APP-9') column 'key': no row with key 'APP-9' in "
        f"{items}",
        f"{history} row 4 (key='APP-1') column 'at': 'soon' is not an ISO 8601 or "
        "RFC 2822 timestamp",
    ]


def test_naive_timestamps_are_read_in_tz(tmp_path: Path) -> None:
    path = write(
        tmp_path / "f.csv", "key,source,created\nzd-1,zendesk,2024-02-01 08:00\n"
    )
    (feedback,) = files.read_csv(path, po.Feedback, tz="Europe/Berlin")
    assert feedback.created == datetime(2024, 2, 1, 7, tzinfo=UTC)


def test_enum_cells_read_case_insensitively_with_spaces(tmp_path: Path) -> None:
    path = write(
        tmp_path / "i.csv",
        "key,title,status,moscow,kano\nI-1,SSO,In Progress,Won't,Must-be\n",
    )
    (initiative,) = files.read_csv(path, po.Initiative)
    assert initiative.status is po.InitiativeStatus.IN_PROGRESS
    assert initiative.moscow is po.MoSCoW.WONT
    assert initiative.kano is po.KanoCategory.MUST_BE


def test_human_written_links_and_lists_are_read(tmp_path: Path) -> None:
    path = write(
        tmp_path / "i.csv",
        "key,title,status,created,links,labels\n"
        "A-1,x,Done,2024-01-02T09:00:00Z,blocks: A-2; relates to:B-1,ui;api ;\n",
    )
    (item,) = files.read_csv(path, po.WorkItem)
    assert item.links == (
        po.Link(kind="blocks", target="A-2"),
        po.Link(kind="relates to", target="B-1"),
    )
    assert item.labels == ("ui", "api")


def test_a_link_without_a_kind_is_a_bad_row(tmp_path: Path) -> None:
    path = write(
        tmp_path / "i.csv",
        "key,title,status,created,links\nA-1,x,Done,2024-01-02T09:00:00Z,A-2\n",
    )
    with pytest.raises(DataLoadError, match="should read 'kind: KEY'"):
        files.read_csv(path, po.WorkItem)


def test_bad_json_in_a_json_column_is_a_bad_row(tmp_path: Path) -> None:
    path = write(
        tmp_path / "i.csv",
        "key,title,status,created,custom_fields\n"
        'A-1,x,Done,2024-01-02T09:00:00Z,"{""a"": }"\n',
    )
    with pytest.raises(DataLoadError, match=r"row 2 .* not valid JSON"):
        files.read_csv(path, po.WorkItem)


def test_semicolons_a_bom_and_crlf_are_understood(tmp_path: Path) -> None:
    path = write(
        tmp_path / "k.csv",
        "Key;Name;Green;Red\r\nnps;Net promoter;40;20\r\n",
        encoding="utf-8-sig",
    )
    (kpi,) = files.read_csv(path, po.KPI)
    assert (kpi.key, kpi.green, kpi.red) == ("nps", 40.0, 20.0)


def test_a_row_longer_than_the_header_is_a_bad_row(tmp_path: Path) -> None:
    path = write(tmp_path / "k.csv", "key,name\nnps,NPS,extra\n")
    with pytest.raises(DataLoadError, match=r"row 2 .*3 cells but the header only 2"):
        files.read_csv(path, po.KPI)


@pytest.mark.parametrize(
    ("text", "message"), [("", "empty file"), (b"\xff\xfe", "not valid utf-8")]
)
def test_unreadable_files_are_load_errors(
    tmp_path: Path, text: str | bytes, message: str
) -> None:
    path = tmp_path / "k.csv"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    with pytest.raises(DataLoadError, match=message):
        files.read_csv(path, po.KPI)
    with pytest.raises(DataLoadError, match="cannot read"):
        files.read_csv(tmp_path / "missing.csv", po.KPI)


# -- event logs ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_log() -> EventLog:
    return EventLog.from_work_items(po.datasets.load_demo().work_items[:60])


def same_events(left: EventLog, right: EventLog) -> bool:
    return (
        left.items == right.items
        and left.states == right.states
        and np.array_equal(left.time, right.time)
        and np.array_equal(left.state, right.state)
        and np.array_equal(left.item_starts, right.item_starts)
    )


def test_an_event_log_round_trips_through_csv(
    tmp_path: Path, demo_log: EventLog
) -> None:
    path = files.write_csv(demo_log, tmp_path / "events.csv")
    assert path.read_bytes().startswith(
        b"item,status,timestamp,type,team,priority,assignee,estimate\r\n"
    )
    log = files.read_csv(path, EventLog)
    assert same_events(log, demo_log)
    assert log.attributes["team"].tolist() == demo_log.attributes["team"].tolist()


def test_an_event_log_round_trips_through_excel_and_json(
    tmp_path: Path, demo_log: EventLog
) -> None:
    excel = files.read_excel(files.write_excel(demo_log, tmp_path / "e.xlsx"), "events")
    assert same_events(excel, demo_log)
    assert (
        excel.attributes["estimate"].tolist()
        == demo_log.attributes["estimate"].tolist()
    )
    for name in ("e.json", "e.jsonl"):
        log = files.read_json(files.write_json(demo_log, tmp_path / name), EventLog)
        assert same_events(log, demo_log)


def test_a_history_table_reads_as_an_event_log(tmp_path: Path) -> None:
    path = write(
        tmp_path / "h.csv",
        "key,at,from_status,to_status\n"
        "A-1,2024-01-01T09:00:00Z,To Do,Doing\n"
        "A-1,2024-01-02T09:00:00Z,Doing,Done\n",
    )
    log = files.read_csv(path, "events")
    assert [state for state, _ in log.history("A-1")] == ["Doing", "Done"]


def test_event_columns_are_renamed_and_the_rest_become_attributes(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "e.csv",
        "Case,Activity,When,Resource\nc1,register,2024-01-01 09:00,ann\n",
    )
    log = files.read_csv(path, "events", columns={"When": "timestamp"}, tz="UTC")
    assert log.items == ("c1",)
    assert log.attributes["Resource"].tolist() == ["ann"]


def test_an_event_log_without_a_status_column_is_a_load_error(tmp_path: Path) -> None:
    path = write(tmp_path / "e.csv", "item,timestamp\nc1,2024-01-01T09:00:00Z\n")
    with pytest.raises(DataLoadError, match=r"required field\(s\) \['status'\]"):
        files.read_csv(path, "events")


# -- Excel ---------------------------------------------------------------------------


@settings(max_examples=6, deadline=None)
@given(items=unique(strategies.work_items(), "key"))
def test_work_items_with_history_round_trip_through_excel(
    items: list[po.WorkItem],
) -> None:
    with TemporaryDirectory() as folder:
        path = files.write_excel(items, Path(folder) / "i.xlsx", kind=po.WorkItem)
        assert files.read_excel(path, po.WorkItem) == tuple(items)


@settings(max_examples=4, deadline=None)
@given(workspace=strategies.workspaces())
def test_a_workspace_round_trips_through_excel(workspace: po.Workspace) -> None:
    with TemporaryDirectory() as folder:
        path = files.write_excel(workspace, Path(folder) / "w.xlsx")
        assert files.read_excel(path, po.Workspace) == workspace


def test_excel_cells_keep_their_types_and_the_workbook_records_utc(
    tmp_path: Path,
) -> None:
    risk = po.Risk(
        key="R-1",
        title="=SUM(A1) is not a formula",
        likelihood=2,
        impact=3,
        probability=0.1 + 0.2,
        cost=1000,
        raised_at=datetime(2024, 3, 1, 10, 30, tzinfo=ZoneInfo("Europe/Berlin")),
        closed_at=None,
        review_date=date(2024, 6, 1),
        mitigations=[po.Mitigation(description="Second vendor", due=date(2024, 4, 1))],
    )
    path = files.write_excel([risk], tmp_path / "r.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["risks"]
    row = {cell.value: sheet.cell(2, cell.column).value for cell in sheet[1]}
    assert row["raised_at"] == datetime(2024, 3, 1, 9, 30)  # UTC, without zone
    assert row["review_date"] == datetime(2024, 6, 1)
    assert row["likelihood"] == 2
    assert row["title"] == "=SUM(A1) is not a formula"
    assert row["probability"] == "0.30000000000000004"  # 17 digits: kept as text
    assert book["mitigations"]["A2"].value == "R-1"
    assert [p.value for p in book.custom_doc_props.props] == ["UTC"]
    book.close()
    assert files.read_excel(path, po.Risk) == (risk,)


def test_sub_millisecond_times_and_control_characters_survive_excel(
    tmp_path: Path,
) -> None:
    item = ITEM.evolve(
        title="tab\x0bstop and a literal _x000B_",
        created=datetime(2024, 1, 2, 9, 0, 0, 123456, tzinfo=UTC),
        history=[],
    )
    path = files.write_excel([item], tmp_path / "i.xlsx")
    assert files.read_excel(path, po.WorkItem) == (item,)


def test_text_longer_than_an_excel_cell_is_refused(tmp_path: Path) -> None:
    items = [ITEM.evolve(key=f"A-{n}", title="x" * 40_000) for n in (1, 2)]
    with pytest.raises(InvalidInputError) as caught:
        files.write_excel(items, tmp_path / "i.xlsx")
    assert "2 cell(s) cannot be written" in str(caught.value)
    assert "sheet 'work_items' row 3 column 'title': 40,000 characters" in str(
        caught.value
    )


def test_a_tz_other_than_utc_contradicts_our_own_workbook(tmp_path: Path) -> None:
    path = files.write_excel([ITEM], tmp_path / "i.xlsx")
    assert files.read_excel(path, po.WorkItem, tz="UTC") == (ITEM,)
    with pytest.raises(ConfigurationError, match="Leave tz= out"):
        files.read_excel(path, po.WorkItem, tz="Europe/Berlin")


def hand_made_workbook(
    path: Path, rows: list[list[object]], title: str = "Sheet"
) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_a_hand_made_workbook_needs_tz_for_its_date_times(tmp_path: Path) -> None:
    path = hand_made_workbook(
        tmp_path / "f.xlsx",
        [
            ["Key", "Source", "Created", "Rating", "Kind"],
            [101, "survey", datetime(2024, 2, 1, 8), 9, "NPS"],
            [102, "survey", 45323.5, 4, "csat"],  # an Excel serial date-time
        ],
    )
    with pytest.raises(DataLoadError) as caught:
        files.read_excel(path, po.Feedback)
    assert [p.position for p in caught.value.problems] == [2, 3]
    assert "Sheet" in caught.value.problems[0].source
    first, second = files.read_excel(path, po.Feedback, tz="Europe/London")
    assert first.key == "101"
    assert first.created == datetime(2024, 2, 1, 8, tzinfo=UTC)
    assert second.created == datetime(2024, 2, 1, 12, tzinfo=UTC)


def test_the_sheet_is_chosen_by_name_or_the_only_one(tmp_path: Path) -> None:
    path = hand_made_workbook(tmp_path / "k.xlsx", [["key", "name"], ["nps", "NPS"]])
    assert files.read_excel(path, po.KPI)[0].key == "nps"
    files.write_excel(
        po.Workspace(kpis=[po.KPI(key="a", name="A")]), tmp_path / "w.xlsx"
    )
    assert files.read_excel(tmp_path / "w.xlsx", "kpis", sheet="kpis")[0].key == "a"
    with pytest.raises(DataLoadError, match="no sheet 'Risks'"):
        files.read_excel(tmp_path / "w.xlsx", po.Risk, sheet="Risks")


def test_unknown_sheets_of_a_workspace_are_named_in_a_warning(tmp_path: Path) -> None:
    path = files.write_excel(po.Workspace(name="acme"), tmp_path / "w.xlsx")
    book = openpyxl.load_workbook(path)
    book.create_sheet("pivot")
    book.save(path)
    with pytest.warns(DataRepairWarning, match=r"ignored sheet\(s\) \['pivot'\]"):
        assert files.read_excel(path, "workspace").name == "acme"


def test_a_file_that_is_no_workbook_is_a_load_error(tmp_path: Path) -> None:
    path = write(tmp_path / "x.xlsx", "key,name\n")
    with pytest.raises(DataLoadError, match="not an Excel workbook"):
        files.read_excel(path, po.KPI)


def test_without_openpyxl_excel_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(
        AdapterNotFoundError, match=r"pip install 'productops\[excel\]'"
    ):
        files.write_excel([ITEM], tmp_path / "i.xlsx")
    with pytest.raises(AdapterNotFoundError, match="openpyxl"):
        files.read_excel(tmp_path / "i.xlsx", po.WorkItem)


def test_importing_the_module_imports_neither_openpyxl_nor_pandas() -> None:
    code = (
        "import sys, productops, productops.adapters.files; "
        "print(sorted(m for m in ('openpyxl', 'pandas') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# -- JSON ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["teams.json", "teams.jsonl"])
def test_records_round_trip_through_json(tmp_path: Path, name: str) -> None:
    teams = (po.Team(key="core", name="Core", members=["ann"]),)
    path = files.write_json(teams, tmp_path / name)
    assert files.read_json(path, po.Team) == teams


def test_json_files_have_the_workspace_format(tmp_path: Path) -> None:
    path = files.write_json([ITEM], tmp_path / "work_items.json")
    assert json.loads(path.read_text(encoding="utf-8")) == [
        ITEM.model_dump(mode="json")
    ]
    folder = files.write_json(po.Workspace(work_items=[ITEM]), tmp_path / "ws")
    assert files.read_json(folder, "workspace").work_items == (ITEM,)


# -- Jira CSV export -----------------------------------------------------------------


@pytest.fixture(scope="module")
def jira_items() -> dict[str, po.WorkItem]:
    items = files.read_jira_csv(JIRA_EXPORT, tz="Europe/Berlin")
    return {item.key: item for item in items}


def test_jira_rows_become_work_items_in_file_order(
    jira_items: dict[str, po.WorkItem],
) -> None:
    assert list(jira_items) == [f"APP-{n}" for n in range(1, 7)]
    story = jira_items["APP-2"]
    assert (story.title, story.type, story.status) == (
        "Pay with a saved card",
        "Story",
        "Done",
    )
    assert (story.assignee, story.priority, story.source) == ("Ann Lee", "High", "jira")
    assert story.history == ()


def test_jira_dates_are_read_in_the_exporting_users_zone(
    jira_items: dict[str, po.WorkItem],
) -> None:
    story = jira_items["APP-2"]
    assert story.created == datetime(2024, 2, 1, 8, 15, tzinfo=UTC)  # 9:15 AM CET
    assert story.resolved == datetime(2024, 2, 12, 15, 45, tzinfo=UTC)  # 4:45 PM
    assert jira_items["APP-4"].created == datetime(2024, 2, 4, 23, 15, tzinfo=UTC)
    assert jira_items["APP-5"].created == datetime(2024, 2, 6, 11, 0, tzinfo=UTC)


def test_jira_repeated_columns_become_lists(
    jira_items: dict[str, po.WorkItem],
) -> None:
    story = jira_items["APP-2"]
    assert story.labels == ("checkout", "payments")
    assert jira_items["APP-4"].labels == ("checkout", "safari", "regression")
    assert story.releases == ("2024.2", "2024.3")
    assert story.custom_fields["Sprint"] == ["APP Sprint 3", "APP Sprint 4"]
    assert jira_items["APP-6"].custom_fields["Sprint"] == ["APP Sprint 4"]


def test_jira_links_parents_and_estimates(jira_items: dict[str, po.WorkItem]) -> None:
    assert jira_items["APP-2"].links == (
        po.Link(kind="blocks", target="APP-3"),
        po.Link(kind="blocks", target="APP-4"),
    )
    assert jira_items["APP-3"].links == (po.Link(kind="is blocked by", target="APP-2"),)
    assert jira_items["APP-5"].links == (po.Link(kind="relates to", target="OPS-12"),)
    assert jira_items["APP-2"].parent == "APP-1"
    assert jira_items["APP-6"].parent == "APP-2"
    assert jira_items["APP-1"].parent is None
    assert jira_items["APP-2"].estimate == 5.0
    assert jira_items["APP-4"].estimate is None


def test_jira_columns_named_in_keep_go_to_custom_fields(
    jira_items: dict[str, po.WorkItem],
) -> None:
    assert jira_items["APP-2"].custom_fields == {
        "Issue id": "10002",
        "Project key": "APP",
        "Reporter": "Dana Okafor",
        "Resolution": "Done",
        "Status Category": "Done",
        "Sprint": ["APP Sprint 3", "APP Sprint 4"],
        "Components": ["Payments"],
    }
    assert jira_items["APP-3"].custom_fields["Due date"] == "29/Feb/24"


def test_a_jira_parent_given_by_issue_id_is_looked_up(tmp_path: Path) -> None:
    path = write(
        tmp_path / "j.csv",
        "Summary,Issue key,Issue id,Status,Created,Parent\n"
        "Epic,A-1,100,To Do,01/Feb/24 8:00 AM,\n"
        "Story,A-2,101,To Do,01/Feb/24 8:00 AM,100\n"
        "Sub,A-3,102,To Do,01/Feb/24 8:00 AM,999\n",
    )
    _, story, sub = files.read_jira_csv(path, tz="UTC")
    assert story.parent == "A-1"
    assert (sub.parent, sub.custom_fields["Parent id"]) == (None, "999")


def test_jira_story_points_fall_back_to_the_company_managed_column(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "j.csv",
        "Summary,Issue key,Status,Created,Custom field (Story Points)\n"
        "x,A-1,To Do,01/Feb/2024 8:00 AM,8\n",
    )
    assert files.read_jira_csv(path, tz="UTC")[0].estimate == 8.0
    with pytest.raises(DataLoadError, match="no column 'Points' for story_points"):
        files.read_jira_csv(path, tz="UTC", story_points="Points")


def test_jira_statuses_are_checked_against_a_process() -> None:
    process = po.Process.kanban_default()
    with pytest.raises(DataLoadError) as caught:
        files.read_jira_csv(JIRA_EXPORT, tz="UTC", process=process)
    found = [(p.position, p.key, p.field) for p in caught.value.problems]
    assert found == [(5, "APP-4", "Status")]  # 'To Do'; In Review etc. are states
    assert "'To Do' is not a state of process 'kanban'" in str(caught.value)


def test_every_bad_jira_row_is_listed(tmp_path: Path) -> None:
    path = write(
        tmp_path / "j.csv",
        "Summary,Issue key,Status,Created,Updated\n"
        "ok,A-1,To Do,01/Feb/24 8:00 AM,\n"
        "x,,To Do,01/Feb/24 8:00 AM,\n"
        "x,A-3,To Do,31/Feb/24 8:00 AM,\n"
        "x,A-4,To Do,01/Mär/24 8:00 AM,01/02/2024\n"
        "x,A-1,To Do,01/Feb/24 13:00 PM,\n",
    )
    with pytest.raises(DataLoadError) as caught:
        files.read_jira_csv(path, tz="UTC")
    found = [(p.position, p.key, p.field) for p in caught.value.problems]
    assert found == [
        (3, None, "Issue key"),
        (4, "A-3", "Created"),
        (5, "A-4", "Created"),
        (5, "A-4", "Updated"),
        (6, "A-1", "Created"),
        (6, "A-1", "Issue key"),
    ]
    assert messages(caught.value) == [
        f"{path} row 3 column 'Issue key': empty; every row needs the issue's key",
        f"{path} row 4 (key='A-3') column 'Created': '31/Feb/24 8:00 AM': day is "
        "out of range for month",
        f"{path} row 5 (key='A-4') column 'Created': 'Mär' in '01/Mär/24 8:00 AM' "
        "is not an English month abbreviation",
        f"{path} row 5 (key='A-4') column 'Updated': '01/02/2024' is neither "
        "Jira's date format ('01/Feb/24 8:00 AM') nor ISO 8601; export with "
        "Jira's language set to English",
        f"{path} row 6 (key='A-1') column 'Created': hour 13 in "
        "'01/Feb/24 13:00 PM' is not on a 12-hour clock",
        f"{path} row 6 (key='A-1') column 'Issue key': duplicate of row 2",
    ]


def test_jira_dates_in_24_hours_four_digit_years_and_iso(tmp_path: Path) -> None:
    path = write(
        tmp_path / "j.csv",
        "Summary,Issue key,Status,Created,Updated,Resolved\n"
        "x,A-1,Done,01/feb/2024 18:05,2024-02-02T10:00:00+01:00,02/Feb/99 12:00 AM\n",
    )
    (item,) = files.read_jira_csv(path, tz="UTC")
    assert item.created == datetime(2024, 2, 1, 18, 5, tzinfo=UTC)
    assert item.updated == datetime(2024, 2, 2, 9, tzinfo=UTC)
    assert item.resolved == datetime(1999, 2, 2, 0, tzinfo=UTC)


def test_jira_exports_with_a_bom_and_semicolons_are_read(tmp_path: Path) -> None:
    path = write(
        tmp_path / "j.csv",
        "Summary;Issue key;Status;Created;Labels;Labels\n"
        "x;A-1;To Do;01/Feb/24 8:00 AM;a b;c\n",
        encoding="utf-8-sig",
    )
    assert files.read_jira_csv(path, tz="UTC")[0].labels == ("a", "b", "c")


def test_a_file_that_is_not_a_jira_export_says_so(tmp_path: Path) -> None:
    path = write(tmp_path / "j.csv", "key,title\nA-1,x\n")
    with pytest.raises(DataLoadError, match="not a Jira CSV export"):
        files.read_jira_csv(path, tz="UTC")


def test_jira_needs_a_time_zone() -> None:
    with pytest.raises(InvalidInputError, match="tz="):
        files.read_jira_csv(JIRA_EXPORT, tz=None)  # type: ignore[arg-type]


# -- formula injection (OWASP "CSV Injection") -----------------------------------------


def _cells(path: Path) -> list[list[str]]:
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_escape_formulas_prefixes_cells_a_spreadsheet_would_run(tmp_path: Path) -> None:
    titles = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "- a list", "plain", "-5", "+1.5"]
    items = [
        po.WorkItem(
            key=f"A-{i}", title=t, status="Done", created="2024-01-01T00:00:00Z"
        )
        for i, t in enumerate(titles)
    ]
    path = files.write_csv(items, tmp_path / "items.csv", escape_formulas=True)
    written = [row[1] for row in _cells(path)[1:]]
    assert written == [
        "'=1+1",
        "'+SUM(A1)",
        "'-2+3",
        "'@cmd",
        "'- a list",
        "plain",
        "-5",
        "+1.5",
    ]
    plain = files.write_csv(items, tmp_path / "plain.csv")
    assert files.read_csv(plain, po.WorkItem) == tuple(items)  # off: exact round trip


def test_escape_formulas_covers_child_tables_and_event_logs(tmp_path: Path) -> None:
    item = po.WorkItem(
        key="A-1",
        title="t",
        status="=Done",
        created="2024-01-01T00:00:00Z",
        history=[{"at": "2024-01-02T00:00:00Z", "to_status": "=Done"}],
    )
    files.write_csv(
        [item],
        tmp_path / "items.csv",
        history=tmp_path / "history.csv",
        escape_formulas=True,
    )
    assert _cells(tmp_path / "history.csv")[1][3] == "'=Done"
    log = EventLog.from_work_items([item])
    files.write_csv(log, tmp_path / "events.csv", escape_formulas=True)
    assert _cells(tmp_path / "events.csv")[1][1] == "'=Done"


@given(st.text(min_size=1, max_size=20))
@settings(max_examples=60)
def test_no_escaped_cell_starts_like_a_formula(title: str) -> None:
    item = po.WorkItem(
        key="A-1",
        title=title.strip() or "x",
        status="Done",
        created="2024-01-01T00:00:00Z",
    )
    with TemporaryDirectory() as folder:
        path = files.write_csv([item], Path(folder) / "i.csv", escape_formulas=True)
        for cell in _cells(path)[1]:
            if cell.startswith(("=", "+", "-", "@", "\t", "\r")):
                float(cell)  # only numbers may start so
