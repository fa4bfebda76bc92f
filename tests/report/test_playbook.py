"""The process playbook: a Markdown onboarding page."""

from __future__ import annotations

import re

from productops import datasets
from productops.model import Process, State, StateCategory, Team, Transition
from productops.report._playbook import playbook


def table_rows(page: str) -> list[list[str]]:
    rows = []
    for line in page.splitlines():
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
            rows.append([c.strip() for c in cells])
    return rows


def section(page: str, heading: str) -> str:
    return page.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]


def test_demo_process_has_one_row_per_state_in_order() -> None:
    workspace = datasets.load_demo()
    process = workspace.process
    assert process is not None
    page = playbook(process, teams=workspace.teams)
    rows = table_rows(page)
    assert all(len(row) == 8 for row in rows)
    assert [row[1] for row in rows[2:]] == list(process.state_names)
    by_state = {row[1]: row for row in rows[2:]}
    # WIP limits, categories and owners as recorded in the demo process
    assert by_state["In QA"][4] == "2"
    assert by_state["Ready for QA"][4] == "-"
    assert by_state["Ready"][2] == "queue"
    assert by_state["In QA"][7] == "Platform (lead mei.chen, #team-platform)"
    assert by_state["Backlog"][7] == "-"
    assert "Commitment point." in by_state["Ready"][3]
    assert "Delivery point." in by_state["Done"][3]


def test_entry_and_exit_follow_the_transitions() -> None:
    process = datasets.load_demo().process
    assert process is not None
    by_state = {row[1]: row for row in table_rows(playbook(process))[2:]}
    assert by_state["In Review"][5] == "In Progress"
    assert by_state["In Review"][6] == "In Progress, Ready for QA"
    assert by_state["Backlog"][5] == "start; Ready"
    moves_back = section(playbook(process), "The flow")
    assert "- Done -> In Progress" in moves_back
    assert "- Ready -> Backlog" in moves_back


def test_commitment_and_delivery_points_are_named() -> None:
    process = datasets.load_demo().process
    assert process is not None
    text = section(playbook(process), "Commitment and delivery")
    assert "**Commitment point: Ready.**" in text
    assert "**Delivery point: Done.**" in text
    assert "WIP limits: 4 states, 40 items in all" in text  # 12 + 16 + 10 + 2


def test_diagram_is_plain_text_in_process_order() -> None:
    process = datasets.load_demo().process
    assert process is not None
    page = playbook(process)
    diagram = page.split("```text\n", 1)[1].split("```", 1)[0]
    assert "mermaid" not in page.lower()
    boxes = re.findall(r"\[([^\]]+)\]", diagram)
    assert boxes == list(process.state_names)
    assert "[Ready] (queue, WIP 12)  <- commitment point" in diagram
    assert "[Done] (done)  <- delivery point" in diagram


def test_parallel_states_share_a_row_and_skips_are_listed() -> None:
    process = Process(
        states=(
            State(name="Todo", category=StateCategory.BACKLOG, order=0),
            State(name="Build", category=StateCategory.ACTIVE, order=1),
            State(name="Docs", category=StateCategory.ACTIVE, order=1),
            State(name="Check", category=StateCategory.QUEUE, order=2),
            State(name="Done", category=StateCategory.DONE, order=3),
        ),
        transitions=(
            Transition(source="Todo", target="Build"),
            Transition(source="Todo", target="Docs"),
            Transition(source="Build", target="Check"),
            Transition(source="Docs", target="Check"),
            Transition(source="Check", target="Done"),
            Transition(source="Todo", target="Done"),
        ),
    )
    page = playbook(process)
    assert "  [Build] (active)  |  [Docs] (active)" in page
    assert "- Todo -> Done" in section(page, "The flow")


def test_missing_information_is_listed() -> None:
    process = Process(
        states=(
            State(name="Open", category=StateCategory.BACKLOG),
            State(name="Closed", category=StateCategory.DONE),
        )
    )
    page = playbook(process)
    missing = section(page, "Not in the process record")
    assert "WIP limits (none set)" in missing
    assert "no transitions: every move is" in missing
    assert "no `owner_team` on any state" in missing
    assert "definition of ready, definition of done" in missing
    rows = table_rows(page)
    assert rows[2][5:7] == ["start; any state", "any state"]
    assert page.startswith("# Playbook: default\n")


def test_text_is_escaped_in_tables() -> None:
    process = Process(
        states=(
            State(name="To | Do", category=StateCategory.BACKLOG, owner_team="ops"),
            State(name="<b>Done</b>", category=StateCategory.DONE),
        )
    )
    team = Team(key="ops", name="Ops | Run")
    page = playbook(process, teams=[team], title="A <i>title</i>")
    rows = table_rows(page)
    assert all(len(row) == 8 for row in rows)
    assert rows[2][1] == "To \\| Do"
    assert rows[2][7] == "Ops \\| Run"
    assert "<b>" not in page.split("```")[0]
    assert page.startswith("# A &lt;i>title&lt;/i>\n")
