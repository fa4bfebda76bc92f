"""Tests of productops.release._notes (release notes).

There is no published worked example of release notes; the cases are built by
hand. Markdown escaping is checked by rendering with markdown-it-py (a
CommonMark implementation) and comparing the visible text with the title;
Confluence storage format (Atlassian, "Confluence Storage Format": XHTML-based
XML) is checked by parsing it with ``xml.etree.ElementTree``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from productops import InvalidInputError
from productops.datasets import load_demo
from productops.model import Process, Release, WorkItem
from productops.release._notes import (
    DEFAULT_GROUPS,
    ReleaseNotes,
    SkippedItem,
    release_notes,
)

CREATED = datetime(2024, 3, 1, tzinfo=UTC)
NASTY = "Fix *bold* _under_ [link](x) <b>tag</b> & co `tick` # 1. | ~"


def item(key: str, title: str, type_: str, **kw: object) -> WorkItem:
    fields: dict[str, object] = {"status": "Done", "resolved": CREATED, **kw}
    return WorkItem(
        key=key,
        title=title,
        type=type_,
        created=CREATED,
        url=f"https://track.example/browse/{key}",
        **fields,  # type: ignore[arg-type]
    )


ITEMS = [
    item("A-1", "Export to CSV", "story", assignee="ana", team="core"),
    item("A-2", "Dark mode", "Feature", assignee="bo", team="web"),
    item("A-3", "Faster search", "improvement", team="core"),
    item("A-4", "Upgrade SDK", "task", assignee="cy"),
    item("A-5", NASTY, "bug", assignee="ana", team="core"),
    item("A-6", "Rotate keys", "chore"),
    item("A-7", "Drop old tables", "tech-debt"),
    item("A-8", "Try new queue", "spike"),
    item("A-9", "Admin-only switch", "story", labels=("Internal",)),
    item("A-10", "Half done", "story", status="In Progress", resolved=None),
    item("A-11", "An epic", "epic"),
    item("A-12", "Shipped via fix version", "bug", releases=("r1",)),
    item("B-1", "Other release", "story"),
]
RELEASE = Release(
    key="r1",
    name="Spring <release> & co",
    version="2.0.0",
    target_date=date(2024, 3, 29),
    scope=(*[f"A-{n}" for n in range(1, 12)], "ZZ-404"),
)


def keys(notes: ReleaseNotes) -> dict[str, list[str]]:
    return {name: [i.key for i in items] for name, items in notes.sections.items()}


def test_customer_sections_group_by_type_in_scope_order():
    notes = release_notes(RELEASE, ITEMS)
    assert keys(notes) == {
        "New features": ["A-1", "A-2"],
        "Improvements": ["A-3", "A-4"],
        "Fixes": ["A-5", "A-12"],
    }


def test_customer_skips_are_reported_with_reasons():
    notes = release_notes(RELEASE, ITEMS)
    assert notes.skipped == (
        SkippedItem(
            "A-6", "type 'chore' goes to internal-only section 'Internal changes'"
        ),
        SkippedItem(
            "A-7", "type 'tech-debt' goes to internal-only section 'Internal changes'"
        ),
        SkippedItem(
            "A-8", "type 'spike' goes to internal-only section 'Internal changes'"
        ),
        SkippedItem("A-9", "labelled 'Internal'"),
        SkippedItem("A-10", "not done (status 'In Progress')"),
        SkippedItem("A-11", "type 'epic' is not mapped to a section"),
        SkippedItem("ZZ-404", "not in work_items"),
    )


def test_internal_shows_internal_items_and_sections():
    notes = release_notes(RELEASE, ITEMS, audience="internal")
    assert keys(notes) == {
        "New features": ["A-1", "A-2", "A-9"],
        "Improvements": ["A-3", "A-4"],
        "Fixes": ["A-5", "A-12"],
        "Internal changes": ["A-6", "A-7", "A-8"],
    }
    assert [s.key for s in notes.skipped] == ["A-10", "A-11", "ZZ-404"]


def test_include_all_keeps_undelivered_items():
    notes = release_notes(RELEASE, ITEMS, include="all")
    assert "A-10" in keys(notes)["New features"]


def test_customer_markdown_has_titles_only():
    text = release_notes(RELEASE, ITEMS).text
    assert text.startswith("# Release notes: Spring \\<release\\> \\& co\n\n")
    assert "Version 2.0.0, planned for 2024-03-29." in text
    assert "- Export to CSV\n" in text
    for secret in ("A-1", "ana", "core", "https://", "Internal", "Rotate keys"):
        assert secret not in text


def test_customer_markdown_exact_text():
    small = Release(
        key="r",
        name="R",
        version="1.0",
        scope=("A-1", "A-5"),
    )
    text = release_notes(small, ITEMS).text
    assert text == (
        "# Release notes: R\n\nVersion 1.0, date not set.\n\n"
        "## New features\n\n- Export to CSV\n\n"
        "## Fixes\n\n"
        r"- Fix \*bold\* \_under\_ \[link\](x) \<b\>tag\</b\> \& co "
        r"\`tick\` \# 1. \| \~"
    )


def test_internal_markdown_line_has_key_link_assignee_team():
    text = release_notes(RELEASE, ITEMS, audience="internal").text
    assert (
        "- [A-1](https://track.example/browse/A-1): Export to CSV "
        "(assignee: ana, team: core)\n" in text
    )
    assert "(assignee: unassigned, team: none)" in text


def test_markdown_renders_titles_verbatim():
    markdown_it = pytest.importorskip("markdown_it")
    for audience in ("customer", "internal"):
        text = release_notes(RELEASE, ITEMS, audience=audience).text
        tokens = markdown_it.MarkdownIt("commonmark").parse(text)
        inline = [t for t in tokens if t.type == "inline"]
        heading_text = "".join(
            c.content for c in inline[0].children if c.type == "text"
        )
        assert heading_text == "Release notes: Spring <release> & co"
        nasty = next(t for t in inline if "bold" in t.content)
        visible = "".join(c.content for c in nasty.children if c.type == "text")
        assert NASTY in visible


@given(
    st.text(alphabet=st.characters(codec="ascii", exclude_categories=["Cc"])).filter(
        str.strip
    )
)
def test_markdown_title_escaping_round_trips(title):
    markdown_it = pytest.importorskip("markdown_it")
    one = Release(key="r", name="R", scope=("X-1",))
    work = [item("X-1", title, "story")]
    text = release_notes(one, work).text
    tokens = markdown_it.MarkdownIt("commonmark").parse(text)
    last = [t for t in tokens if t.type == "inline"][-1]
    visible = "".join(c.content for c in last.children if c.type == "text")
    assert visible == " ".join(title.split())


def find(root: ET.Element, path: str) -> ET.Element:
    found = root.find(path)
    assert found is not None, path
    return found


def parse(text: str) -> ET.Element:
    return ET.fromstring(f"<root>{text}</root>")  # noqa: S314 - our own output


@pytest.mark.parametrize("audience", ["customer", "internal"])
def test_confluence_is_well_formed_and_escaped(audience):
    notes = release_notes(RELEASE, ITEMS, audience=audience, format="confluence")
    root = parse(notes.text)
    assert find(root, "h1").text == "Release notes: Spring <release> & co"
    assert find(root, "p").text == "Version 2.0.0, planned for 2024-03-29."
    headings = [h.text for h in root.findall("h2")]
    assert headings == list(notes.sections)
    lists = root.findall("ul")
    assert [len(ul.findall("li")) for ul in lists] == [
        len(v) for v in notes.sections.values()
    ]
    texts = ["".join(li.itertext()) for ul in lists for li in ul.findall("li")]
    assert any(NASTY in t for t in texts)
    assert "&amp;" in notes.text
    assert "<b>" not in notes.text


def test_confluence_customer_has_no_links_or_keys():
    text = release_notes(RELEASE, ITEMS, format="confluence").text
    root = parse(text)
    assert root.findall(".//a") == []
    assert "A-1" not in text


def test_confluence_internal_links_each_key():
    notes = release_notes(RELEASE, ITEMS, audience="internal", format="confluence")
    links = parse(notes.text).findall(".//a")
    assert [a.text for a in links] == [r["key"] for r in notes.to_records()]
    assert links[0].get("href") == "https://track.example/browse/A-1"
    li = find(parse(notes.text), "ul/li")
    assert "".join(li.itertext()) == ("A-1: Export to CSV (assignee: ana, team: core)")


def test_custom_groups_and_title():
    groups = {"bug": "Bug fixes", "story": "What's new"}
    notes = release_notes(RELEASE, ITEMS, groups=groups, title="v2 <notes>")
    assert list(notes.sections) == ["Bug fixes", "What's new"]
    assert notes.text.startswith("# v2 \\<notes\\>\n")
    assert SkippedItem("A-3", "type 'improvement' is not mapped to a section") in (
        notes.skipped
    )


def test_exclude_labels_is_configurable():
    notes = release_notes(RELEASE, ITEMS, exclude_labels=())
    assert "A-9" in keys(notes)["New features"]


def test_process_done_state_counts_as_delivered():
    process = Process.kanban_default()
    one = Release(
        key="r",
        name="R",
        scope=("X-1", "X-2"),
    )
    work = [
        item("X-1", "In done state", "story", resolved=None),
        item("X-2", "Reviewing", "story", status="In Review", resolved=None),
    ]
    notes = release_notes(one, work, process=process)
    assert keys(notes) == {"New features": ["X-1"]}
    assert notes.skipped == (SkippedItem("X-2", "not done (status 'In Review')"),)


def test_released_release_shows_release_date():
    shipped = RELEASE.evolve(status="released", released_at=CREATED)
    assert (
        "Version 2.0.0, released on 2024-03-01." in release_notes(shipped, ITEMS).text
    )


def test_empty_notes_say_so():
    empty = Release(key="r", name="R", scope=("A-10",))
    notes = release_notes(empty, ITEMS, format="confluence")
    assert notes.sections == {}
    assert parse(notes.text).findall("p")[-1].text == "No changes."
    assert "No changes." in release_notes(empty, ITEMS).text


def test_bad_options_are_all_named():
    with pytest.raises(InvalidInputError) as info:
        release_notes(RELEASE, ITEMS, audience="press", format="html")  # type: ignore[arg-type]
    assert "audience: 'press'" in str(info.value)
    assert "format: 'html'" in str(info.value)


def test_duplicate_work_item_keys_raise():
    with pytest.raises(InvalidInputError, match=r"keys given twice \['A-1'\]"):
        release_notes(RELEASE, [*ITEMS, ITEMS[0]])


def test_to_records_and_repr():
    notes = release_notes(RELEASE, ITEMS)
    records = notes.to_records()
    assert [r["key"] for r in records] == ["A-1", "A-2", "A-3", "A-4", "A-5", "A-12"]
    assert records[0]["section"] == "New features"
    assert repr(notes) == (
        "ReleaseNotes('r1', customer/markdown: New features 2, Improvements 2, "
        "Fixes 2; 7 skipped)"
    )


def test_default_groups_map_brief_types():
    assert DEFAULT_GROUPS["story"] == DEFAULT_GROUPS["feature"] == "New features"
    assert DEFAULT_GROUPS["bug"] == "Fixes"


def test_demo_release_2026_1():
    ws = load_demo()
    spring = next(r for r in ws.releases if r.key == "2026.1")
    notes = release_notes(spring, ws.work_items)
    # 151 scope items, all delivered: 103 stories and 48 bugs, none skipped.
    assert {k: len(v) for k, v in notes.sections.items()} == {
        "New features": 103,
        "Fixes": 48,
    }
    assert notes.skipped == ()
    assert notes.text.startswith(
        "# Release notes: Spring release\n\nVersion 2026.1.0, released on 2026-03-11.\n"
    )
    confluence = release_notes(
        spring, ws.work_items, audience="internal", format="confluence"
    )
    assert len(parse(confluence.text).findall(".//a")) == 151


def test_demo_release_2026_2_reports_undelivered_items():
    ws = load_demo()
    summer = next(r for r in ws.releases if r.key == "2026.2")
    notes = release_notes(summer, ws.work_items, process=ws.process)
    delivered = sum(len(v) for v in notes.sections.values())
    assert delivered + len(notes.skipped) == len(summer.scope) == 157
    assert delivered == 97
    assert all(s.reason.startswith("not done") for s in notes.skipped)
