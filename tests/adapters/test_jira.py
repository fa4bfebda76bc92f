"""The Jira adapter against FakeJira: mapping, sync and resume, faults, writes."""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import productops as po
from productops.adapters import Progress
from productops.adapters.jira import (
    SYSTEM_FIELDS,
    JiraAdapter,
    JiraCursor,
    JiraSettings,
    adf,
    status_category,
)
from productops.errors import (
    AdapterConfigError,
    AdapterError,
    APIError,
    AuthenticationError,
    InvalidInputError,
    ResponseFormatError,
)
from productops.testing import FakeJira, Faults
from tests import strategies

SEARCH = "/rest/api/3/search/jql"
BULK = "/rest/api/3/changelog/bulkfetch"


@pytest.fixture(autouse=True)
def _no_user_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """Keep a developer's PRODUCTOPS_* variables and profile file out of the tests."""
    for name in list(os.environ):
        if name.startswith("PRODUCTOPS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PRODUCTOPS_CONFIG", str(tmp_path / "none.toml"))


@pytest.fixture(scope="module")
def demo() -> po.Workspace:
    return po.datasets.load_demo()


@pytest.fixture(scope="module")
def small(demo: po.Workspace) -> po.Workspace:
    """The demo's first 80 issues (APP-1 to APP-80): quick to serve and sync."""
    return po.Workspace(
        process=demo.process,
        work_items=demo.work_items[:80],
        releases=demo.releases,
        teams=demo.teams,
    )


def connect(
    fake: FakeJira,
    *,
    sleeps: list[float] | None = None,
    transport: httpx.BaseTransport | None = None,
    **settings: Any,
) -> JiraAdapter:
    email, token = fake.credentials
    if fake.mode == "datacenter":
        settings.setdefault("mode", "datacenter")
    else:
        settings.setdefault("email", email)
    return JiraAdapter(
        base_url=fake.base_url,
        token=token,
        transport=transport or fake.transport(),
        sleep=(sleeps if sleeps is not None else []).append,
        **settings,
    )


def to_the_second(item: po.WorkItem) -> po.WorkItem:
    """Bulk changelogs give history times in epoch seconds (as the API specifies)."""
    if not any(change.at.microsecond for change in item.history):
        return item
    return item.evolve(
        history=[
            change.evolve(at=change.at.replace(microsecond=0))
            for change in item.history
        ]
    )


def by_key(items: Any) -> dict[str, po.WorkItem]:
    return {item.key: item for item in items}


def expected(fake: FakeJira) -> dict[str, po.WorkItem]:
    return {item.key: to_the_second(item) for item in fake.workspace_view().work_items}


def paths(fake: FakeJira) -> list[str]:
    return [f"{r.method} {r.path}" for r in fake.requests]


def renumbered(demo: po.Workspace, count: int) -> po.Workspace:
    """`count` issues: copies of the demo's, renumbered, each copy a week later."""
    items = []
    copy = 0
    while len(items) < count:
        shift = timedelta(days=7 * copy)
        offset = copy * len(demo.work_items)
        number = {
            item.key: f"APP-{offset + i + 1}" for i, item in enumerate(demo.work_items)
        }
        items.extend(
            item.evolve(
                key=number[item.key],
                created=item.created + shift,
                updated=None if item.updated is None else item.updated + shift,
                resolved=None if item.resolved is None else item.resolved + shift,
                parent=None,
                links=[],
                history=[c.evolve(at=c.at + shift) for c in item.history],
            )
            for item in demo.work_items[: count - len(items)]
        )
        copy += 1
    return po.Workspace(process=demo.process, work_items=items, teams=demo.teams)


# -- settings and construction ---------------------------------------------------------


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRODUCTOPS_JIRA_TOKEN", "env-token-1234")
    monkeypatch.setenv("PRODUCTOPS_JIRA_PAGE_SIZE", "50")
    settings = JiraSettings.resolve(
        {"base_url": "https://127.0.0.1", "email": "bot@example.com"}
    )
    assert settings.page_size == 50
    assert settings.sources["token"] == "environment variable PRODUCTOPS_JIRA_TOKEN"
    assert "env-token-1234" not in repr(settings)


def test_custom_fields_from_the_environment_are_split_at_commas(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PRODUCTOPS_JIRA_CUSTOM_FIELDS", "Severity, Budget")
    settings = JiraSettings.resolve(
        {"base_url": "https://127.0.0.1", "email": "a@b.c", "token": "t0k3n-value"}
    )
    assert settings.custom_fields == ("Severity", "Budget")


def test_a_missing_token_says_where_to_set_it() -> None:
    with pytest.raises(AdapterConfigError, match="PRODUCTOPS_JIRA_TOKEN"):
        JiraAdapter(base_url="https://127.0.0.1", email="bot@example.com")


def test_cloud_mode_needs_the_email() -> None:
    with pytest.raises(
        AdapterConfigError, match=r"email: missing.*PRODUCTOPS_JIRA_EMAIL"
    ):
        JiraAdapter(base_url="https://127.0.0.1", token="t0k3n-value")


def test_plain_http_to_a_remote_host_is_refused() -> None:
    with pytest.raises(AdapterConfigError, match="https"):
        JiraAdapter(base_url="http://jira.invalid", email="a@b.c", token="t0k3n-value")


def test_the_adapter_is_a_work_tracker(small: po.Workspace) -> None:
    adapter = connect(FakeJira(small))
    assert isinstance(adapter, po.adapters.WorkTracker)
    assert "secret-token" not in repr(adapter) + repr(adapter.settings)


# -- reading ---------------------------------------------------------------------------


def test_work_items_equal_the_fakes_data(small: po.Workspace) -> None:
    fake = FakeJira(small)
    items = list(connect(fake).work_items(project="APP"))
    assert len(items) == len(small.work_items)
    assert by_key(items) == expected(fake)


def test_search_uses_the_enhanced_endpoint_with_explicit_fields(
    small: po.Workspace,
) -> None:
    fake = FakeJira(small)
    list(connect(fake).work_items(project="APP"))
    searches = [r for r in fake.requests if r.path == SEARCH and r.json]
    assert searches
    assert all(r.method == "POST" for r in searches)
    assert all("expand" not in r.json for r in searches)
    assert all(r.json["fields"] for r in searches)  # never the ids-only default
    pages = [r for r in searches if r.json["maxResults"] > 1]
    assert all(set(SYSTEM_FIELDS) <= set(r.json["fields"]) for r in pages)
    assert not [p for p in paths(fake) if p.endswith("/search")]


def test_histories_come_from_bulk_changelogs_of_status_only(
    small: po.Workspace,
) -> None:
    fake = FakeJira(small)
    list(connect(fake).work_items(project="APP"))
    bulks = [r.json for r in fake.requests if r.path == BULK]
    assert bulks
    assert all(body["fieldIds"] == ["status"] for body in bulks)
    assert all(1 <= len(body["issueIdsOrKeys"]) <= 1000 for body in bulks)


def test_issues_with_many_histories_come_complete() -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    statuses = ["To Do", "In Progress"] * 60
    item = po.WorkItem(
        key="APP-1",
        title="Ping-pong",
        status=statuses[-1],
        created=start,
        history=[
            po.StatusChange(
                at=start + timedelta(hours=i), from_status=a, to_status=b, author="ann"
            )
            for i, (a, b) in enumerate(pairwise(statuses), 1)
        ],
    )
    fake = FakeJira(po.Workspace(work_items=[item]), faults=Faults(page_size=7))
    (got,) = connect(fake).work_items(project="APP")
    assert len(got.history) == 119
    assert got.history == item.history


def test_a_query_is_kept_and_anded_with_the_project(small: po.Workspace) -> None:
    fake = FakeJira(small)
    items = list(connect(fake).work_items(project="APP", query="status = Done"))
    assert {i.status for i in items} == {"Done"}
    assert fake.requests[1].json["jql"] == (
        'project = "APP" AND status = Done ORDER BY updated ASC, key ASC'
    )


def test_an_unbounded_query_is_refused_before_any_request(small: po.Workspace) -> None:
    fake = FakeJira(small)
    with pytest.raises(InvalidInputError, match="no restriction"):
        list(connect(fake).work_items())
    assert fake.requests == ()


def test_updated_since_is_sent_in_the_accounts_time_zone(small: po.Workspace) -> None:
    fake = FakeJira(small)
    adapter = connect(fake, timezone="Europe/Berlin")
    since = datetime(2025, 11, 3, 10, 0, 30, tzinfo=UTC)
    list(adapter.work_items(project="APP", updated_since=since))
    jql = next(r.json["jql"] for r in fake.requests if r.path == SEARCH)
    assert 'updated >= "2025-11-03 11:00"' in jql


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2024, 1, 31, 10, 0, tzinfo=UTC), "2024-01-31 11:00"),
        # 02:08 happens twice in Berlin that night; as the first one it could be
        # read as the second, an hour late: the bound moves back an hour.
        (datetime(2024, 10, 27, 0, 8, tzinfo=UTC), "2024-10-27 01:08"),
        (datetime(2024, 10, 27, 1, 8, tzinfo=UTC), "2024-10-27 02:08"),
        (datetime(2024, 3, 31, 1, 30, tzinfo=UTC), "2024-03-31 03:30"),
    ],
)
def test_jql_dates_are_never_later_than_meant(
    small: po.Workspace, moment: datetime, text: str
) -> None:
    fake = FakeJira(small)
    adapter = connect(fake, timezone="Europe/Berlin")
    list(adapter.work_items(project="APP", updated_since=moment))
    jql = next(r.json["jql"] for r in fake.requests if r.path == SEARCH)
    assert f'updated >= "{text}"' in jql


def test_updated_since_filters_exactly(small: po.Workspace) -> None:
    fake = FakeJira(small)
    view = expected(fake)
    since = sorted(i.updated for i in view.values() if i.updated)[-40]
    items = list(connect(fake).work_items(project="APP", updated_since=since))
    want = {k for k, i in view.items() if i.updated and i.updated >= since}
    assert {i.key for i in items} == want


def test_progress_is_reported_per_page(small: po.Workspace) -> None:
    fake = FakeJira(small, faults=Faults(page_size=10))
    reports: list[Progress] = []
    list(connect(fake).work_items(project="APP", progress=reports.append))
    assert [r.done for r in reports] == sorted(r.done for r in reports)
    assert reports[-1].done >= len(small.work_items)
    assert reports[-1].total is not None
    assert reports[-1].requests == len(fake.requests)


def test_an_item_is_read_with_its_history(small: po.Workspace) -> None:
    fake = FakeJira(small)
    assert to_the_second(connect(fake).item("APP-1")) == expected(fake)["APP-1"]


def test_keys_cannot_reach_other_resources(small: po.Workspace) -> None:
    fake = FakeJira(small)
    with pytest.raises(po.errors.NotFoundError):
        connect(fake).item("../field")  # one path segment, not a way up
    assert [r.status for r in fake.requests] == [200, 404]  # /field, then the issue


def test_data_center_mode(small: po.Workspace) -> None:
    fake = FakeJira(small, mode="datacenter", faults=Faults(page_size=100))
    items = list(connect(fake).work_items(project="APP"))
    assert by_key(items) == by_key(fake.workspace_view().work_items)
    assert {r.path for r in fake.requests} == {
        "/rest/api/2/field",
        "/rest/api/2/search",
    }
    assert {r.auth_scheme for r in fake.requests} == {"Bearer"}
    assert all("startAt" in r.query for r in fake.requests if r.path.endswith("search"))


def test_data_center_completes_truncated_changelogs(small: po.Workspace) -> None:
    fake = FakeJira(small, mode="datacenter")
    inner = fake.transport()

    def truncate(request: httpx.Request) -> httpx.Response:
        response = inner.handle_request(request)
        if request.url.path != "/rest/api/2/search":
            return response
        body = json.loads(response.content)
        for issue in body["issues"]:
            issue["changelog"]["histories"] = issue["changelog"]["histories"][:1]
        return httpx.Response(200, json=body)

    items = list(
        connect(fake, transport=httpx.MockTransport(truncate)).work_items(project="APP")
    )
    assert by_key(items) == by_key(fake.workspace_view().work_items)
    tails = [r for r in fake.requests if r.path.startswith("/rest/api/2/issue/")]
    assert tails
    assert all(r.query["expand"] == "changelog" for r in tails)


def test_custom_fields_are_named_and_points_and_team_are_found() -> None:
    item = po.WorkItem(
        key="OPS-1",
        title="Capacity",
        status="Open",
        created=datetime(2024, 1, 1, tzinfo=UTC),
        estimate=5,
        team="core",
        custom_fields={"Severity": "S2", "Budget": {"eur": 1200.5}, "Empty": None},
    )
    fake = FakeJira(
        po.Workspace(work_items=[item]), story_points_field="customfield_10028"
    )
    (got,) = connect(fake).work_items(project="OPS")
    assert got.estimate == 5.0
    assert got.team == "core"
    assert got.custom_fields == {"Severity": "S2", "Budget": {"eur": 1200.5}}


def test_custom_fields_can_be_chosen_or_switched_off() -> None:
    item = po.WorkItem(
        key="OPS-1",
        title="t",
        status="Open",
        created=datetime(2024, 1, 1, tzinfo=UTC),
        custom_fields={"Severity": "S2", "Budget": 3},
    )
    fake = FakeJira(po.Workspace(work_items=[item]))
    (some,) = connect(fake, custom_fields=("severity",)).work_items(project="OPS")
    (none,) = connect(fake, custom_fields=()).work_items(project="OPS")
    assert some.custom_fields == {"Severity": "S2"}
    assert none.custom_fields == {}
    with pytest.raises(AdapterConfigError, match="Nope"):
        list(connect(fake, custom_fields=("Nope",)).work_items(project="OPS"))


def test_releases(demo: po.Workspace) -> None:
    fake = FakeJira(demo, faults=Faults(page_size=1))
    releases = list(connect(fake).releases(project="APP"))
    assert [(r.key, r.status) for r in releases] == [
        ("2026.1", po.ReleaseStatus.RELEASED),
        ("2026.2", po.ReleaseStatus.PLANNED),
        ("2026.3", po.ReleaseStatus.PLANNED),
    ]
    assert releases[0].released_at == datetime(2026, 3, 11, tzinfo=UTC)
    assert releases[1].target_date == demo.releases[1].target_date


def test_dependencies_are_the_blocks_links_once_each(small: po.Workspace) -> None:
    fake = FakeJira(small)
    view = fake.workspace_view().work_items
    want = {
        (item.key, link.target)
        for item in view
        for link in item.links
        if link.kind == "blocks"
    }
    done = {item.key for item in view if item.status == "Done"}
    dependencies = list(connect(fake).dependencies(project="APP"))
    assert {(d.upstream, d.downstream) for d in dependencies} == want
    assert len(dependencies) == len(want)
    for d in dependencies:
        resolved = d.status is po.DependencyStatus.RESOLVED
        assert resolved == (d.upstream in done)


def test_process_from_the_projects_statuses(
    demo: po.Workspace, small: po.Workspace
) -> None:
    fake = FakeJira(small)
    process = connect(fake).process(project="APP")
    assert [(s.name, s.category) for s in process.states] == [
        (s.name, s.category) for s in demo.process.states
    ]
    assert set(process.transitions) <= set(demo.process.transitions) | {
        po.Transition(source=c.from_status, target=c.to_status)
        for item in small.work_items
        for c in item.history
        if c.from_status
    }
    assert process.starts == ("Backlog",)


def test_process_start_states_come_from_observed_creations(
    small: po.Workspace,
) -> None:
    created_ready = po.WorkItem(
        key="APP-900",
        title="Born ready",
        status="In Progress",
        created=datetime(2024, 1, 1, tzinfo=UTC),
        history=[
            {
                "at": datetime(2024, 1, 2, tzinfo=UTC),
                "from_status": "Ready",
                "to_status": "In Progress",
            }
        ],
    )
    process = connect(FakeJira(small)).process(project="APP", items=[created_ready])
    assert process.transitions == (po.Transition(source="Ready", target="In Progress"),)
    assert "Ready" in process.start_states
    assert "Backlog" in process.start_states  # nothing observed reaches it


def test_process_categories_can_be_overridden(demo: po.Workspace) -> None:
    process = connect(FakeJira(demo)).process(
        project="APP", categories={"In Review": "queue"}, items=()
    )
    assert process.category_of("In Review") is po.StateCategory.QUEUE
    assert process.transitions == ()


@pytest.mark.parametrize(
    ("name", "key", "color", "category", "guessed"),
    [
        ("To Do", "new", None, po.StateCategory.BACKLOG, False),
        ("In Progress", "indeterminate", None, po.StateCategory.ACTIVE, False),
        ("Ready for QA", "indeterminate", None, po.StateCategory.QUEUE, False),
        ("Waiting for customer", "indeterminate", None, po.StateCategory.QUEUE, False),
        ("Closed", "done", None, po.StateCategory.DONE, False),
        ("In Progress", "in-flight", "yellow", po.StateCategory.ACTIVE, True),
        ("Resolved", None, None, po.StateCategory.DONE, True),
        ("Open", None, None, po.StateCategory.BACKLOG, True),
        ("Doing", None, None, po.StateCategory.ACTIVE, True),
    ],
)
def test_status_categories(
    name: str, key: str | None, color: str | None, category: Any, guessed: bool
) -> None:
    assert status_category(name, key, color=color) == (category, guessed)


def test_adf_paragraphs_and_line_breaks() -> None:
    doc = adf("One\ntwo\n\nThree")
    assert doc["type"] == "doc"
    assert [p["type"] for p in doc["content"]] == ["paragraph", "paragraph"]
    assert doc["content"][0]["content"] == [
        {"type": "text", "text": "One"},
        {"type": "hardBreak"},
        {"type": "text", "text": "two"},
    ]


# -- sync, cursor, resume --------------------------------------------------------------


def test_sync_then_incremental_sync(small: po.Workspace) -> None:
    fake = FakeJira(small)
    adapter = connect(fake)
    first = adapter.sync(project="APP")
    assert by_key(first.items) == expected(fake)
    assert first.cursor.finished
    assert adapter.sync(project="APP", cursor=first.cursor).items == ()
    adapter.transition("APP-6", to_status="Ready")
    again = adapter.sync(project="APP", cursor=first.cursor)
    assert [item.key for item in again.items] == ["APP-6"]
    assert again.items[0].history[-1].to_status == "Ready"


@pytest.mark.parametrize("concurrency", [1, 2, 16])
def test_any_concurrency_gives_the_same_result(
    small: po.Workspace, concurrency: int
) -> None:
    fake = FakeJira(small, faults=Faults(page_size=7))
    store = Store()
    result = connect(fake, concurrency=concurrency).sync(
        project="APP", checkpoint=store
    )
    assert by_key(result.items) == store.items == expected(fake)
    assert [pair[1] for pair in store.delivered] == sorted(
        pair[1] for pair in store.delivered
    )  # delivered in `updated` order, whatever ran side by side


def test_the_cursor_round_trips_through_json(small: po.Workspace) -> None:
    result = connect(FakeJira(small)).sync(project="APP")
    text = result.cursor.model_dump_json()
    assert JiraCursor.model_validate_json(text) == result.cursor
    assert json.loads(text)["high_water"]


def test_a_cursor_of_another_query_is_refused(small: po.Workspace) -> None:
    adapter = connect(FakeJira(small))
    cursor = adapter.sync(project="APP").cursor
    with pytest.raises(InvalidInputError, match="belongs to the query"):
        adapter.sync(query="key = APP-1", cursor=cursor)


class KilledError(Exception):
    """A sync killed half-way."""


class Store:
    """What a caller keeps: items upserted by key, and the last cursor."""

    def __init__(self, *, kill_at: int | None = None, before: bool = False) -> None:
        self.items: dict[str, po.WorkItem] = {}
        self.delivered: list[tuple[str, datetime | None]] = []
        self.cursor: JiraCursor | None = None
        self.calls = 0
        self.kill_at = kill_at
        self.before = before

    def __call__(self, items: tuple[po.WorkItem, ...], cursor: JiraCursor) -> None:
        self.calls += 1
        if self.calls == self.kill_at and self.before:
            raise KilledError
        self.items.update(by_key(items))
        self.delivered += [(item.key, item.updated) for item in items]
        self.cursor = JiraCursor.model_validate_json(cursor.model_dump_json())
        if self.calls == self.kill_at:
            raise KilledError


@pytest.mark.parametrize("before", [False, True])
@pytest.mark.parametrize("kill_at", [1, 3, 7])
def test_a_killed_sync_resumes_from_its_cursor(
    small: po.Workspace, kill_at: int, before: bool
) -> None:
    fake = FakeJira(small, faults=Faults(page_size=10, rate_limit_every=11))
    store = Store(kill_at=kill_at, before=before)
    with pytest.raises(KilledError):
        connect(fake).sync(project="APP", checkpoint=store)
    store.kill_at = None
    cursor = store.cursor
    assert cursor is None or not cursor.finished
    result = connect(fake).sync(project="APP", cursor=cursor, checkpoint=store)
    assert store.items == expected(fake)
    assert len(store.delivered) == len(set(store.delivered)) == len(small.work_items)
    assert result.cursor.finished


def test_an_expired_page_token_restarts_from_the_high_water_mark(
    small: po.Workspace,
) -> None:
    fake = FakeJira(small, faults=Faults(page_size=10))
    store = Store(kill_at=3)
    with pytest.raises(KilledError):
        connect(fake).sync(project="APP", checkpoint=store)
    assert store.cursor is not None
    saved = store.cursor.model_dump(mode="json")
    saved["pending"]["json"]["nextPageToken"] = "expired"
    cursor = JiraCursor.model_validate(saved)
    store.kill_at = None
    connect(fake).sync(project="APP", cursor=cursor, checkpoint=store)
    assert store.items == expected(fake)
    assert 400 in {r.status for r in fake.requests}


def test_an_issue_edited_during_a_sync_is_not_lost(small: po.Workspace) -> None:
    fake = FakeJira(small, faults=Faults(page_size=10))
    editor = connect(fake)
    store = Store()

    def edit_then_store(items: tuple[po.WorkItem, ...], cursor: JiraCursor) -> None:
        if store.calls == 1:  # APP-6 (Backlog) moves while the sync runs
            editor.transition("APP-6", to_status="Ready")
        store(items, cursor)

    first = connect(fake).sync(project="APP", checkpoint=edit_then_store)
    connect(fake).sync(project="APP", cursor=first.cursor, checkpoint=store)
    assert store.items == expected(fake)
    assert store.items["APP-6"].status == "Ready"


def test_5000_issues_through_429s_and_503s_come_back_exactly(
    demo: po.Workspace,
) -> None:
    fake = FakeJira(
        renumbered(demo, 5000), faults=Faults(rate_limit_every=7, error_burst=(12, 3))
    )
    sleeps: list[float] = []
    result = connect(fake, sleeps=sleeps).sync(project="APP")
    assert len(result.items) == 5000
    assert by_key(result.items) == expected(fake)
    statuses = [r.status for r in fake.requests]
    assert statuses.count(429) >= len(fake.requests) // 7 - 1
    assert statuses.count(503) == 3
    assert sleeps.count(1.0) >= statuses.count(429)  # Retry-After: 1, no real waits


# -- errors ----------------------------------------------------------------------------


def test_a_malformed_page_names_the_request(small: po.Workspace) -> None:
    fake = FakeJira(small, faults=Faults(page_size=10, malformed_every=5))
    store = Store()
    with pytest.raises(ResponseFormatError, match="not valid JSON") as caught:
        connect(fake).sync(project="APP", checkpoint=store)
    assert caught.value.request.startswith("POST http://localhost/rest/api/3/")
    assert caught.value.request in str(caught.value)
    fake.faults = Faults(page_size=10)
    connect(fake).sync(project="APP", cursor=store.cursor, checkpoint=store)
    assert store.items == expected(fake)


def test_issues_in_the_wrong_shape_are_all_named(small: po.Workspace) -> None:
    fake = FakeJira(small)
    inner = fake.transport()

    def break_two(request: httpx.Request) -> httpx.Response:
        response = inner.handle_request(request)
        if request.url.path != SEARCH:
            return response
        body = json.loads(response.content)
        for issue in body["issues"]:
            if issue["key"] in ("APP-1", "APP-2"):
                del issue["fields"]["status"]
        return httpx.Response(200, json=body)

    adapter = connect(fake, transport=httpx.MockTransport(break_two))
    with pytest.raises(ResponseFormatError) as caught:
        list(adapter.work_items(query="key in (APP-1, APP-2, APP-3)"))
    message = str(caught.value)
    assert "issue APP-1: field 'fields.status'" in message
    assert "issue APP-2: field 'fields.status'" in message
    assert "APP-3" not in message
    assert "POST http://localhost/rest/api/3/search/jql" in message


def test_a_refused_token_is_named_but_never_shown(small: po.Workspace) -> None:
    fake = FakeJira(small)
    adapter = JiraAdapter(
        base_url=fake.base_url,
        email=fake.email,
        token="wrong-token-5678",
        transport=fake.transport(),
    )
    with pytest.raises(AuthenticationError) as caught:
        list(adapter.work_items(project="APP"))
    text = f"{caught.value} {caught.value.body}"
    assert "API token from argument for bot@example.com" in text
    assert "wrong-token-5678" not in text
    assert caught.value.status_code == 401


def test_a_403_says_the_credential_lacks_permission(small: po.Workspace) -> None:
    def forbidden(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, json={"errorMessages": ["No permission."]})

    adapter = connect(FakeJira(small), transport=httpx.MockTransport(forbidden))
    with pytest.raises(AuthenticationError, match="lack permission") as caught:
        adapter.item("APP-1")
    assert "secret-token" not in str(caught.value)


def test_the_removed_search_answers_a_clear_410(small: po.Workspace) -> None:
    fake = FakeJira(small)  # a Cloud site
    email, token = fake.credentials

    basic = base64.b64encode(f"{email}:{token}".encode()).decode()

    def as_basic(request: httpx.Request) -> httpx.Response:
        request.headers["Authorization"] = f"Basic {basic}"
        return fake.transport().handle_request(request)

    adapter = JiraAdapter(
        base_url=fake.base_url,
        token=token,
        mode="datacenter",
        transport=httpx.MockTransport(as_basic),
    )
    with pytest.raises(APIError, match="removed this search endpoint") as caught:
        list(adapter.work_items(project="APP"))
    assert caught.value.status_code == 410
    assert "mode='cloud'" in str(caught.value)


def test_cloud_mode_never_calls_the_removed_search(small: po.Workspace) -> None:
    fake = FakeJira(small, faults=Faults(page_size=10))
    adapter = connect(fake)
    adapter.sync(project="APP")
    list(adapter.dependencies(project="APP"))
    adapter.item("APP-1")
    assert not {r.path for r in fake.requests} & {
        "/rest/api/3/search",
        "/rest/api/2/search",
    }


# -- writes ----------------------------------------------------------------------------


def test_create_an_item(small: po.Workspace) -> None:
    fake = FakeJira(small)
    adapter = connect(fake)
    item = adapter.create_item(
        project="APP",
        title="Export to CSV",
        type="Story",
        description="As a user\nI want CSV.\n\nDone when it downloads.",
        labels=["csv"],
        priority="High",
        estimate=3,
        releases=["2026.3"],
        parent="APP-1",
    )
    assert (item.title, item.type, item.status) == ("Export to CSV", "Story", "Backlog")
    assert (item.labels, item.priority, item.estimate) == (("csv",), "High", 3.0)
    assert (item.releases, item.parent) == (("2026.3",), "APP-1")
    sent = next(
        r.json["fields"] for r in fake.requests if r.path == "/rest/api/3/issue"
    )
    assert sent["description"]["type"] == "doc"
    assert sent["customfield_10016"] == 3
    assert by_key(fake.workspace_view().work_items)[item.key] == item


def test_unknown_fields_are_refused_with_the_accepted_names(
    small: po.Workspace,
) -> None:
    with pytest.raises(InvalidInputError, match=r"unknown fields \['colour'\].*labels"):
        connect(FakeJira(small)).create_item(project="APP", title="t", colour="red")


def test_estimate_needs_a_story_points_field() -> None:
    item = po.WorkItem(
        key="OPS-1", title="t", status="Open", created=datetime(2024, 1, 1, tzinfo=UTC)
    )
    fake = FakeJira(po.Workspace(work_items=[item]), story_points_field="customfield_1")
    adapter = connect(fake, story_points_field="customfield_1")
    assert adapter.create_item(project="OPS", title="ok", estimate=2).estimate == 2.0
    with pytest.raises(AdapterConfigError, match="story points field 'Points'"):
        connect(fake, story_points_field="Points").item("OPS-1")


def test_a_create_is_not_retried_after_a_5xx(small: po.Workspace) -> None:
    fake = FakeJira(small)
    adapter = connect(fake)
    adapter.item("APP-1")  # field metadata is cached
    fake.faults = Faults(error_burst=(fake.request_count + 1, 1))
    with pytest.raises(APIError) as caught:
        adapter.create_item(project="APP", title="Once")
    assert caught.value.status_code == 503
    assert len([r for r in fake.requests if r.path == "/rest/api/3/issue"]) == 1


def test_a_create_is_retried_after_a_429(small: po.Workspace) -> None:
    fake = FakeJira(small)
    adapter = connect(fake)
    adapter.item("APP-1")
    fake.faults = Faults(rate_limit_every=fake.request_count + 1)
    item = adapter.create_item(project="APP", title="Twice asked, once made")
    created = [r for r in fake.requests if r.path == "/rest/api/3/issue"]
    assert [r.status for r in created] == [429, 201]
    assert item.title == "Twice asked, once made"


def test_transition_by_status_name(small: po.Workspace) -> None:
    fake = FakeJira(small)
    item = connect(fake).transition("APP-6", to_status="ready")
    assert item.status == "Ready"
    assert item.history[-1].from_status == "Backlog"
    assert item.history[-1].author == fake.display_name


def test_an_impossible_transition_lists_the_possible_ones(small: po.Workspace) -> None:
    with pytest.raises(AdapterError, match=r"cannot move to 'Done'.*'Ready' \(via"):
        connect(FakeJira(small)).transition("APP-6", to_status="Done")


def test_a_transition_to_the_current_status_changes_nothing(
    small: po.Workspace,
) -> None:
    fake = FakeJira(small)
    item = connect(fake).transition("APP-6", to_status="Backlog")
    assert item.status == "Backlog"
    assert not [
        r for r in fake.requests if r.method == "POST" and "transitions" in r.path
    ]


def test_comment_is_sent_as_adf(small: po.Workspace) -> None:
    fake = FakeJira(small)
    adapter = connect(fake)
    adapter.comment("APP-1", "Shipped.\n\nThanks all.")
    body = fake.requests[-1].json["body"]
    assert body == adf("Shipped.\n\nThanks all.")
    with pytest.raises(InvalidInputError):
        adapter.comment("APP-1", "  ")


def test_data_center_writes_plain_text(small: po.Workspace) -> None:
    fake = FakeJira(small, mode="datacenter")
    adapter = connect(fake)
    adapter.comment("APP-1", "Plain.")
    assert fake.requests[-1].path == "/rest/api/2/issue/APP-1/comment"
    assert fake.requests[-1].json == {"body": "Plain."}


# -- round trip ------------------------------------------------------------------------


def jira_items() -> st.SearchStrategy[list[po.WorkItem]]:
    keys = st.lists(st.integers(1, 400), min_size=1, max_size=6, unique=True)
    return keys.flatmap(
        lambda numbers: st.tuples(
            *(strategies.work_items(key=f"APP-{n}") for n in numbers)
        ).map(list)
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(items=jira_items(), page_size=st.integers(1, 4))
def test_generated_workspaces_round_trip(
    items: list[po.WorkItem], page_size: int
) -> None:
    fake = FakeJira(po.Workspace(work_items=items), faults=Faults(page_size=page_size))
    got = connect(fake).sync(project="APP")
    assert by_key(got.items) == expected(fake)
    for original in items:
        back = by_key(got.items)[original.key]
        assert back.status == original.status
        assert [c.to_status for c in back.history] == [
            c.to_status for c in original.history
        ]


def test_requests_counts_every_call_and_the_context_closes_the_client() -> None:
    # Moved from JiraAdapter.requests/close doctests when they went to HttpAdapter.
    fake = FakeJira(po.datasets.load_demo())
    email, token = fake.credentials
    jira = JiraAdapter(
        base_url=fake.base_url, email=email, token=token, transport=fake.transport()
    )
    _ = jira.item("APP-1")
    assert jira.requests == 3  # field metadata, the issue, its bulk changelog
    with JiraAdapter(
        base_url=fake.base_url, email=email, token=token, transport=fake.transport()
    ) as jira:
        assert jira.item("APP-2").key == "APP-2"
    assert jira._http._client.is_closed
