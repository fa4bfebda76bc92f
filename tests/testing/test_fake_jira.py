"""FakeJira: Jira Cloud shapes checked against the fixtures and the OpenAPI spec."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import productops as po
from productops.errors import AdapterError, InvalidInputError
from productops.testing import FakeJira, Fault, Faults
from tests import strategies
from tests.fixtures import API, JIRA_SPEC

FIXTURES = API / "jira"
SPEC = JIRA_SPEC
needs_fixtures = pytest.mark.skipif(
    not FIXTURES.is_dir(), reason="tests/data/api is missing"
)
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def clock() -> datetime:
    return NOW


DEMO = po.datasets.load_demo()


def demo_fake(**kwargs: Any) -> FakeJira:
    return FakeJira(DEMO, clock=clock, **kwargs)


@pytest.fixture(scope="module")
def demo() -> FakeJira:
    """One fault-free demo fake shared by the tests that only read."""
    return demo_fake()


def client_for(fake: FakeJira, base_url: str | None = None) -> httpx.Client:
    return httpx.Client(
        transport=fake.transport(),
        base_url=base_url or fake.base_url,
        auth=fake.credentials,
    )


def items_like_demo(count: int, *, links: bool = False) -> list[dict[str, Any]]:
    """`count` work items copied round-robin from the demo, keyed APP-1 ..."""
    items = []
    for index in range(count):
        data = DEMO.work_items[index % len(DEMO.work_items)].model_dump()
        data["key"] = f"APP-{index + 1}"
        if not links:
            data["links"] = []
        items.append(data)
    return items


def workspace_of(items: list[dict[str, Any]], **kwargs: Any) -> po.Workspace:
    return po.Workspace(
        name="test",
        process=DEMO.process,
        releases=DEMO.releases,
        teams=DEMO.teams,
        work_items=items,
        **kwargs,
    )


def long_history_workspace(changes: int = 45) -> po.Workspace:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    states = ["Ready", "In Progress"]
    history = [
        po.StatusChange(
            at=start + timedelta(hours=index + 1),
            from_status=states[index % 2],
            to_status=states[(index + 1) % 2],
            author="ann",
        )
        for index in range(changes)
    ]
    item = po.WorkItem(
        key="APP-1",
        title="Ping-pong",
        status=history[-1].to_status,
        created=start,
        history=history,
    )
    other = po.WorkItem(key="APP-2", title="Calm", status="Ready", created=start)
    return po.Workspace(process=DEMO.process, work_items=[item, other])


# -- a small reference reader: what an adapter has to do -----------------------


class Reader:
    """Reads issues back into work items, retrying 429/503 and dropped connections."""

    def __init__(self, client: httpx.Client, *, attempts: int = 10) -> None:
        self.client = client
        self.attempts = attempts

    def call(self, method: str, url: str, **kwargs: Any) -> Any:
        for _ in range(self.attempts):
            try:
                response = self.client.request(method, url, **kwargs)
            except httpx.RemoteProtocolError:
                continue
            if response.status_code in (429, 503):
                assert int(response.headers["retry-after"]) >= 0
                continue
            response.raise_for_status()
            try:
                return response.json()
            except json.JSONDecodeError as exc:
                params = kwargs.get("params") or kwargs.get("json")
                msg = (
                    f"{method} {url} {params} returned malformed JSON "
                    f"(request {response.headers.get('x-arequestid')}): {exc}"
                )
                raise AdapterError(msg, adapter="jira") from exc
        msg = f"{method} {url} kept failing"
        raise AdapterError(msg, adapter="jira")

    def field_names(self) -> tuple[str, str, dict[str, str]]:
        story_points = team = ""
        custom: dict[str, str] = {}
        for field in self.call("GET", "/rest/api/3/field"):
            schema = field.get("schema", {})
            if schema.get("custom") == "com.pyxis.greenhopper.jira:jsw-story-points":
                story_points = field["id"]
            elif schema.get("type") == "team":
                team = field["id"]
            elif schema.get("custom", "").endswith(":readonlyfield"):
                custom[field["id"]] = field["name"]
        return story_points, team, custom

    def pages(
        self, jql: str, *, size: int = 100, token: str | None = None
    ) -> Iterator[tuple[list[dict[str, Any]], str | None]]:
        while True:
            params: dict[str, Any] = {
                "jql": jql,
                "fields": "*all",
                "expand": "changelog",
                "maxResults": size,
            }
            if token:
                params["nextPageToken"] = token
            page = self.call("GET", "/rest/api/3/search/jql", params=params)
            token = page.get("nextPageToken")
            yield page["issues"], token
            if page["isLast"]:
                assert token is None
                return

    def histories(self, issue: dict[str, Any]) -> list[dict[str, Any]]:
        changelog = issue["changelog"]
        if changelog["total"] <= len(changelog["histories"]):
            return list(changelog["histories"])
        found: list[dict[str, Any]] = []
        while True:
            page = self.call(
                "GET",
                f"/rest/api/3/issue/{issue['key']}/changelog",
                params={"startAt": len(found), "maxResults": 100},
            )
            found += page["values"]
            if page["isLast"]:
                return found

    def work_item(
        self, issue: dict[str, Any], names: tuple[str, str, dict[str, str]]
    ) -> po.WorkItem:
        story_points, team, custom = names
        fields = issue["fields"]
        links = [
            po.Link(kind=link["type"]["outward"], target=link["outwardIssue"]["key"])
            if "outwardIssue" in link
            else po.Link(kind=link["type"]["inward"], target=link["inwardIssue"]["key"])
            for link in fields["issuelinks"]
        ]
        histories = sorted(
            self.histories(issue), key=lambda h: (h["created"], int(h["id"]))
        )
        history = [
            po.StatusChange(
                at=entry["created"],
                from_status=change["fromString"],
                to_status=change["toString"],
                author=entry["author"]["displayName"] if "author" in entry else None,
            )
            for entry in histories
            for change in entry["items"]
            if change["field"] == "status"
        ]
        return po.WorkItem(
            key=issue["key"],
            title=fields["summary"],
            type=fields["issuetype"]["name"],
            status=fields["status"]["name"],
            created=fields["created"],
            updated=fields["updated"],
            resolved=fields["resolutiondate"],
            assignee=(fields["assignee"] or {}).get("displayName"),
            team=(fields[team] or {}).get("id"),
            priority=(fields["priority"] or {}).get("name"),
            labels=fields["labels"],
            estimate=fields[story_points],
            parent=(fields["parent"] or {}).get("key"),
            releases=[version["name"] for version in fields["fixVersions"]],
            links=links,
            url=f"http://localhost/browse/{issue['key']}",
            source="jira",
            custom_fields={
                name: fields[cid]
                for cid, name in custom.items()
                if fields.get(cid) is not None
            },
            history=history,
        )

    def read(self, jql: str = "project = APP ORDER BY key ASC", **kwargs: Any) -> Any:
        names = self.field_names()
        return {
            issue["key"]: self.work_item(issue, names)
            for page, _token in self.pages(jql, **kwargs)
            for issue in page
        }


# -- mapping and round trips ---------------------------------------------------


def in_jira_form(workspace: po.Workspace) -> po.Workspace:
    """What FakeJira holds of `workspace`, when links are one-sided or dangling."""
    return workspace.evolve(
        work_items=[
            item.evolve(url=f"http://localhost/browse/{item.key}", source="jira")
            for item in workspace.work_items
        ]
    )


def test_demo_workspace_round_trips_through_the_view(demo: FakeJira) -> None:
    assert demo.workspace_view() == in_jira_form(DEMO)


def test_demo_round_trips_through_http_and_a_reader(demo: FakeJira) -> None:
    with client_for(demo) as client:
        items = Reader(client).read()
    assert items == {item.key: item for item in in_jira_form(DEMO).work_items}


def ms(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


@st.composite
def jira_form_workspaces(draw: st.DrawFn) -> po.Workspace:
    """Hypothesis workspaces in the form Jira keeps: ms times, links both ways."""
    workspace = draw(strategies.workspaces())
    keys = {item.key for item in workspace.work_items}
    items = []
    for item in workspace.work_items:
        history = [change.evolve(at=ms(change.at)) for change in item.history]
        latest = max([ms(item.created), *(change.at for change in history)])
        links = list(
            dict.fromkeys(link for link in item.links if link.target not in keys)
        )
        items.append(
            item.evolve(
                created=ms(item.created),
                updated=ms(item.updated) or latest,
                resolved=ms(item.resolved),
                history=history,
                links=links,
                url=f"http://localhost/browse/{item.key}",
                source="jira",
                custom_fields={
                    k: v for k, v in item.custom_fields.items() if v is not None
                },
            )
        )
    # one symmetric link between the first two items, declared on both sides
    if len(items) >= 2:
        first, second = items[0], items[1]
        items[0] = first.evolve(
            links=[po.Link(kind="blocks", target=second.key), *first.links]
        )
        items[1] = second.evolve(
            links=[po.Link(kind="is blocked by", target=first.key), *second.links]
        )
    return workspace.evolve(work_items=items)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workspace=jira_form_workspaces())
def test_generated_workspaces_round_trip_unchanged(workspace: po.Workspace) -> None:
    fake = FakeJira(workspace, clock=clock)
    assert fake.workspace_view() == workspace
    if workspace.work_items:
        with client_for(fake) as client:
            items = Reader(client).read("project = APP", size=2)
        assert items == {item.key: item for item in workspace.work_items}


def test_view_adds_the_other_side_of_links_and_item_dependencies() -> None:
    items = items_like_demo(3)
    items[0]["links"] = [{"kind": "blocks", "target": "APP-2"}]
    workspace = workspace_of(
        items, dependencies=[po.Dependency(upstream="APP-3", downstream="APP-1")]
    )
    view = {item.key: item for item in FakeJira(workspace).workspace_view().work_items}
    assert [(link.kind, link.target) for link in view["APP-1"].links] == [
        ("blocks", "APP-2"),
        ("is blocked by", "APP-3"),
    ]
    assert [(link.kind, link.target) for link in view["APP-2"].links] == [
        ("is blocked by", "APP-1")
    ]
    assert [(link.kind, link.target) for link in view["APP-3"].links] == [
        ("blocks", "APP-1")
    ]


def test_symmetric_and_custom_link_kinds_appear_once() -> None:
    items = items_like_demo(2)
    items[0]["links"] = [
        {"kind": "relates to", "target": "APP-2"},
        {"kind": "follows", "target": "APP-2"},
    ]
    items[1]["links"] = [{"kind": "relates to", "target": "APP-1"}]
    fake = FakeJira(workspace_of(items))
    with client_for(fake) as client:
        links = client.get("/rest/api/3/issue/APP-2").json()["fields"]["issuelinks"]
        types = client.get("/rest/api/3/issueLinkType").json()["issueLinkTypes"]
    assert [(link["type"]["name"], link["inwardIssue"]["key"]) for link in links] == [
        ("Relates", "APP-1"),
        ("follows", "APP-1"),
    ]
    assert [t["name"] for t in types] == [
        "Blocks",
        "Cloners",
        "Duplicate",
        "Relates",
        "follows",
    ]


def test_ids_are_stable_and_derived_from_the_key(demo: FakeJira) -> None:
    one, two = demo, FakeJira(workspace_of(items_like_demo(3)))
    with client_for(one) as a, client_for(two) as b:
        first = a.get("/rest/api/3/issue/APP-2").json()
        second = b.get("/rest/api/3/issue/APP-2").json()
        by_id = a.get(f"/rest/api/3/issue/{first['id']}").json()
    assert first["id"] == second["id"]
    assert first["id"].isdigit()
    assert by_id["key"] == "APP-2"


def test_bad_keys_and_reserved_custom_fields_are_listed_together() -> None:
    workspace = po.Workspace(
        work_items=[
            po.WorkItem(key="app-1", title="", status="x", created=NOW),
            po.WorkItem(key="APP-01", title="", status="x", created=NOW),
            po.WorkItem(
                key="APP-2",
                title="",
                status="x",
                created=NOW,
                custom_fields={"customfield_10016": 1},
            ),
        ]
    )
    with pytest.raises(InvalidInputError) as caught:
        FakeJira(workspace)
    message = str(caught.value)
    assert "work_items[0] (key='app-1') field 'key'" in message
    assert "work_items[1] (key='APP-01') field 'key'" in message
    assert "work_items[2] (key='APP-2') field 'custom_fields'" in message


def test_invalid_settings_are_listed_together() -> None:
    with pytest.raises(InvalidInputError) as caught:
        FakeJira(
            DEMO,
            mode="server",  # type: ignore[arg-type]
            story_points_field="points",
            projects=["bad key"],
        )
    message = str(caught.value)
    assert "mode:" in message
    assert "story_points_field:" in message
    assert "projects:" in message


def test_repr_hides_the_token() -> None:
    fake = demo_fake(token="tok-123")
    assert "tok-123" not in repr(fake)
    assert "issues=410" in repr(fake)


def test_issue_fields_follow_the_documented_mapping(demo: FakeJira) -> None:
    item = DEMO.work_items[0]
    with client_for(demo) as client:
        fields = client.get(f"/rest/api/3/issue/{item.key}").json()["fields"]
    assert fields["summary"] == item.title
    assert fields["issuetype"]["name"] == item.type
    assert fields["status"]["name"] == item.status
    assert fields["status"]["statusCategory"]["key"] == "done"
    assert fields["created"] == item.created.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    assert fields["assignee"]["displayName"] == item.assignee
    assert "emailAddress" not in fields["assignee"]
    assert fields["customfield_10016"] == item.estimate
    assert fields["customfield_10001"]["id"] == item.team
    assert fields["customfield_10001"]["name"] == "Mobile"
    assert [v["name"] for v in fields["fixVersions"]] == list(item.releases)
    assert fields["parent"]["key"] == item.parent


@pytest.mark.parametrize(
    ("state", "category"),
    [
        ("Backlog", "new"),
        ("Ready", "indeterminate"),
        ("In Progress", "indeterminate"),
        ("Ready for QA", "indeterminate"),
        ("Done", "done"),
    ],
)
def test_state_categories_map_to_status_categories(
    state: str, category: str, demo: FakeJira
) -> None:
    with client_for(demo) as client:
        statuses = client.get("/rest/api/3/status").json()
    assert {s["name"]: s["statusCategory"]["key"] for s in statuses}[state] == category


def test_project_statuses_follow_the_process_order(demo: FakeJira) -> None:
    with client_for(demo) as client:
        per_type = client.get("/rest/api/3/project/APP/statuses").json()
    assert {entry["name"] for entry in per_type} == {"story", "bug", "task"}
    for entry in per_type:
        assert tuple(s["name"] for s in entry["statuses"]) == DEMO.process.state_names


def test_story_points_field_is_configurable() -> None:
    fake = demo_fake(story_points_field="customfield_10028")
    with client_for(fake) as client:
        fields = client.get("/rest/api/3/field").json()
        issue = client.get("/rest/api/3/issue/APP-1").json()
    points = next(f for f in fields if f["id"] == "customfield_10028")
    assert points["name"] == "Story Points"
    assert points["schema"]["type"] == "number"
    assert issue["fields"]["customfield_10028"] == DEMO.work_items[0].estimate


def test_custom_fields_are_served_under_their_own_field_ids() -> None:
    items = items_like_demo(2)
    items[0]["custom_fields"] = {"Severity": "S2", "customfield_10500": [1, 2]}
    fake = FakeJira(workspace_of(items))
    with client_for(fake) as client:
        fields = {f["name"]: f for f in client.get("/rest/api/3/field").json()}
        issue = client.get("/rest/api/3/issue/APP-1").json()["fields"]
        other = client.get("/rest/api/3/issue/APP-2").json()["fields"]
    severity = fields["Severity"]["id"]
    assert re.fullmatch(r"customfield_\d+", severity)
    assert issue[severity] == "S2"
    assert issue["customfield_10500"] == [1, 2]
    assert other[severity] is None


# -- search --------------------------------------------------------------------


def search(client: httpx.Client, **params: Any) -> httpx.Response:
    return client.get("/rest/api/3/search/jql", params=params)


def test_search_returns_ids_only_by_default(demo: FakeJira) -> None:
    with client_for(demo) as client:
        page = search(client, jql="key in (APP-1, APP-2) ORDER BY key").json()
    assert page["issues"] == [
        {"id": page["issues"][0]["id"]},
        {"id": page["issues"][1]["id"]},
    ]
    assert page["isLast"] is True
    assert "nextPageToken" not in page


def test_search_with_key_returns_id_and_key(demo: FakeJira) -> None:
    with client_for(demo) as client:
        page = search(client, jql="key = APP-3", fields="key").json()
    assert list(page["issues"][0]) == ["id", "key"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("summary,status", {"summary", "status"}),
        (["summary", "labels"], {"summary", "labels"}),
        ("*navigable,-description", "navigable"),
        ("*all", "all"),
        ("nonsense", set()),
    ],
)
def test_fields_parameter_selects_fields(
    fields: Any, expected: Any, demo: FakeJira
) -> None:
    with client_for(demo) as client:
        page = search(client, jql="key = APP-1", fields=fields).json()
        catalogue = client.get("/rest/api/3/field").json()
    every = {f["id"] for f in catalogue} - {"issuekey"}
    if expected == "all":
        expected = every
    elif expected == "navigable":
        expected = {f["id"] for f in catalogue if f["navigable"]} - {
            "issuekey",
            "description",
        }
    issue = page["issues"][0]
    assert set(issue.get("fields", {})) == expected


@pytest.mark.parametrize(
    ("jql", "keys"),
    [
        ("key in (APP-3, APP-1)", ["APP-1", "APP-3"]),
        ("key = app-2", ["APP-2"]),
        ("issuekey in (APP-2, APP-1)", ["APP-1", "APP-2"]),
        ("project = app AND key != APP-1 AND key in (APP-1, APP-2)", ["APP-2"]),
        ("project = APP AND key in (APP-1, APP-2, APP-3) ORDER BY key DESC",
         ["APP-3", "APP-2", "APP-1"]),
        ("project in (APP) and key not in (APP-1) and key in (APP-1, APP-2)",
         ["APP-2"]),
        ('updated >= "2026-05-29 00:00" AND updated < "2026-05-29 12:00" '
         "ORDER BY updated ASC, key ASC", "updated-window"),
        ('status = "Ready for QA"', "ready-for-qa"),
        ('status in ("ready for qa")', "ready-for-qa"),
        ("created < 2025/09/02", "created-first-day"),
        ("updated >= -1d", []),
    ],
)  # fmt: skip
def test_jql_subset_selects_and_orders(jql: str, keys: Any, demo: FakeJira) -> None:
    def updated_in_window(item: po.WorkItem) -> bool:
        assert item.updated is not None
        return (
            datetime(2026, 5, 29, tzinfo=UTC)
            <= item.updated
            < datetime(2026, 5, 29, 12, tzinfo=UTC)
        )

    if keys == "updated-window":
        window = [item for item in DEMO.work_items if updated_in_window(item)]
        window.sort(key=lambda item: (item.updated, int(item.key.split("-")[1])))
        keys = [item.key for item in window]
        assert keys
    elif keys == "ready-for-qa":
        keys = sorted(
            (i.key for i in DEMO.work_items if i.status == "Ready for QA"),
            key=lambda key: int(key.split("-")[1]),
        )
    elif keys == "created-first-day":
        keys = [
            i.key
            for i in DEMO.work_items
            if i.created < datetime(2025, 9, 2, tzinfo=UTC)
        ]
    with client_for(demo) as client:
        found = [
            issue["key"]
            for page, _ in Reader(client).pages(jql, size=100)
            for issue in page
        ]
    assert found == keys


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        ("", "Unbounded JQL queries are not allowed here"),
        ("ORDER BY key", "Unbounded JQL queries are not allowed here"),
        ("project = APP OR key = APP-1", "FakeJira does not support 'OR'"),
        ("assignee = ann", "FakeJira does not support searching on 'assignee'"),
        ("colour = red", "Field 'colour' does not exist"),
        ("project = NOPE", "The value 'NOPE' does not exist for the field 'project'."),
        ("status = Gone", "The value 'Gone' does not exist for the field 'status'."),
        ("issuekey = APP-99999", "An issue with key 'APP-99999' does not exist"),
        ("key = APP-99999", "An issue with key 'APP-99999' does not exist"),
        ('updated >= "yesterday"', "Date value 'yesterday' for field 'updated'"),
        ("project = APP ORDER BY summary", "Not able to sort using field 'summary'"),
        ("key in (APP-1", "Expecting ')' or ','"),
        ("project ~ APP", "The operator '~' is not supported"),
    ],
)
def test_bad_jql_answers_400_in_jiras_error_shape(
    jql: str, message: str, demo: FakeJira
) -> None:
    with client_for(demo) as client:
        response = search(client, jql=jql, fields="summary")
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == {}
    assert message in body["errorMessages"][0]


def test_unbounded_query_body_is_exactly_jiras(demo: FakeJira) -> None:
    with client_for(demo) as client:
        response = search(client, jql="order by key desc")
    assert response.json() == {
        "errorMessages": [
            "Unbounded JQL queries are not allowed here. Please add a search "
            "restriction to your query."
        ],
        "errors": {},
    }


def test_post_search_takes_the_body(demo: FakeJira) -> None:
    with client_for(demo) as client:
        first = client.post(
            "/rest/api/3/search/jql",
            json={
                "jql": "project = APP ORDER BY key",
                "fields": ["summary"],
                "maxResults": 3,
            },
        ).json()
        second = client.post(
            "/rest/api/3/search/jql",
            json={
                "jql": "project = APP ORDER BY key",
                "fields": ["summary"],
                "maxResults": 3,
                "nextPageToken": first["nextPageToken"],
            },
        ).json()
    keys = [issue["key"] for issue in first["issues"] + second["issues"]]
    assert keys == [f"APP-{n}" for n in range(1, 7)]


def small_fake(count: int = 7, **kwargs: Any) -> FakeJira:
    return FakeJira(workspace_of(items_like_demo(count)), clock=clock, **kwargs)


@pytest.mark.parametrize("size", range(1, 9))
@pytest.mark.parametrize("knob", ["maxResults", "page_size"])
@pytest.mark.parametrize("order", ["key ASC", "updated DESC", "created ASC"])
def test_paging_covers_every_issue_exactly_once(
    size: int, knob: str, order: str
) -> None:
    fake = small_fake(faults=Faults(page_size=size) if knob == "page_size" else None)
    asked = size if knob == "maxResults" else 100
    pages = []
    with client_for(fake) as client:
        for page, _token in Reader(client).pages(
            f"project = APP ORDER BY {order}", size=asked
        ):
            pages.append([issue["key"] for issue in page])
    keys = [key for page in pages for key in page]
    assert sorted(keys) == sorted(f"APP-{n}" for n in range(1, 8))
    assert len(pages) == math.ceil(7 / size)
    assert all(len(page) <= size for page in pages)


def test_page_size_is_capped_at_100_with_fields_and_5000_with_ids() -> None:
    fake = FakeJira(workspace_of(items_like_demo(150)))
    with client_for(fake) as client:
        with_fields = search(
            client, jql="project = APP", fields="summary", maxResults=500
        )
        ids_only = search(client, jql="project = APP", maxResults=500)
        too_many = search(client, jql="project = APP", maxResults=5001)
    assert len(with_fields.json()["issues"]) == 100
    assert len(ids_only.json()["issues"]) == 150
    assert too_many.status_code == 400


def test_page_token_belongs_to_its_query(demo: FakeJira) -> None:
    with client_for(demo) as client:
        token = search(client, jql="project = APP", maxResults=1).json()[
            "nextPageToken"
        ]
        other = search(client, jql="key in (APP-1, APP-2)", nextPageToken=token)
        garbage = search(client, jql="project = APP", nextPageToken="!!")
    assert other.status_code == 400
    assert garbage.status_code == 400


def test_keyset_token_survives_writes_between_pages() -> None:
    fake = small_fake(7)
    with client_for(fake) as client:
        jql = "project = APP ORDER BY updated ASC"
        first = search(client, jql=jql, fields="summary", maxResults=3).json()
        moved = first["issues"][0]["key"]
        target = client.get(f"/rest/api/3/issue/{moved}/transitions").json()
        client.post(
            f"/rest/api/3/issue/{moved}/transitions",
            json={"transition": {"id": target["transitions"][0]["id"]}},
        )
        rest = [
            issue["key"]
            for page, _ in Reader(client).pages(
                jql, size=3, token=first["nextPageToken"]
            )
            for issue in page
        ]
    seen = [issue["key"] for issue in first["issues"]] + rest
    assert set(seen) == {f"APP-{n}" for n in range(1, 8)}
    assert rest[-1] == moved  # it was updated last, so it comes again at the end


def test_search_changelog_is_the_40_newest_histories_newest_first() -> None:
    fake = FakeJira(long_history_workspace(45), clock=clock)
    with client_for(fake) as client:
        issue = search(client, jql="key = APP-1", fields="summary", expand="changelog")
        changelog = issue.json()["issues"][0]["changelog"]
        full = Reader(client).histories(issue.json()["issues"][0])
        single = client.get("/rest/api/3/issue/APP-1", params={"expand": "changelog"})
    created = [h["created"] for h in changelog["histories"]]
    assert (changelog["total"], changelog["maxResults"], len(created)) == (45, 40, 40)
    assert created == sorted(created, reverse=True)
    assert [h["created"] for h in full] == sorted(h["created"] for h in full)
    assert len(full) == 45
    assert full[-40:] == list(reversed(changelog["histories"]))
    assert len(single.json()["changelog"]["histories"]) == 45


@pytest.mark.parametrize("size", [1, 2, 7, 100])
def test_changelog_endpoint_pages_with_start_at(size: int) -> None:
    fake = FakeJira(long_history_workspace(45), clock=clock)
    values: list[dict[str, Any]] = []
    with client_for(fake) as client:
        while True:
            page = client.get(
                "/rest/api/3/issue/APP-1/changelog",
                params={"startAt": len(values), "maxResults": size},
            ).json()
            values += page["values"]
            assert ("nextPage" in page) is not page["isLast"]
            if page["isLast"]:
                break
    assert [int(v["id"]) for v in values] == sorted(int(v["id"]) for v in values)
    assert len(values) == 45


@pytest.mark.parametrize("size", [1, 3, 50, 1000])
def test_bulkfetch_pages_every_history_once(size: int) -> None:
    fake = demo_fake()
    keys = [item.key for item in DEMO.work_items[:20]]
    histories: list[tuple[str, str]] = []
    token = None
    with client_for(fake) as client:
        while True:
            body: dict[str, Any] = {
                "issueIdsOrKeys": keys,
                "fieldIds": ["status"],
                "maxResults": size,
            }
            if token:
                body["nextPageToken"] = token
            page = client.post("/rest/api/3/changelog/bulkfetch", json=body).json()
            histories += [
                (log["issueId"], history["id"])
                for log in page["issueChangeLogs"]
                for history in log["changeHistories"]
            ]
            token = page.get("nextPageToken")
            if token is None:
                break
    assert len(histories) == len(set(histories))
    assert len(histories) == sum(len(item.history) for item in DEMO.work_items[:20])


def test_bulkfetch_created_is_epoch_seconds(demo: FakeJira) -> None:
    item = DEMO.work_items[0]
    with client_for(demo) as client:
        page = client.post(
            "/rest/api/3/changelog/bulkfetch", json={"issueIdsOrKeys": [item.key]}
        ).json()
    created = [h["created"] for h in page["issueChangeLogs"][0]["changeHistories"]]
    assert created == [int(change.at.timestamp()) for change in item.history]


def test_bulkfetch_rejects_bad_requests_listing_every_field(demo: FakeJira) -> None:
    with client_for(demo) as client:
        response = client.post(
            "/rest/api/3/changelog/bulkfetch",
            json={"issueIdsOrKeys": [], "fieldIds": list("abcdefghijk")},
        )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"issueIdsOrKeys", "fieldIds"}


def test_legacy_search_is_gone_in_cloud(demo: FakeJira) -> None:
    with client_for(demo) as client:
        answers = [
            client.get("/rest/api/3/search", params={"jql": "project = APP"}),
            client.post("/rest/api/2/search", json={"jql": "project = APP"}),
        ]
    assert [a.status_code for a in answers] == [410, 410]


def test_approximate_count_counts(demo: FakeJira) -> None:
    with client_for(demo) as client:
        count = client.post(
            "/rest/api/3/search/approximate-count", json={"jql": "project = APP"}
        ).json()
    assert count == {"count": 410}


def test_versions_are_paged_filtered_and_counted(demo: FakeJira) -> None:
    with client_for(demo) as client:
        first = client.get(
            "/rest/api/3/project/APP/version", params={"maxResults": 2}
        ).json()
        second = client.get(
            "/rest/api/3/project/APP/version", params={"startAt": 2, "maxResults": 2}
        ).json()
        released = client.get(
            "/rest/api/3/project/APP/version",
            params={"status": "released", "expand": "issuesstatus"},
        ).json()
    names = [v["name"] for v in first["values"] + second["values"]]
    assert names == [release.key for release in DEMO.releases]
    assert (first["isLast"], second["isLast"], first["total"]) == (False, True, 3)
    (only,) = released["values"]
    assert only["name"] == "2026.1"
    in_release = [i for i in DEMO.work_items if "2026.1" in i.releases]
    assert sum(only["issuesStatusForFixVersion"].values()) == len(in_release)


# -- writes --------------------------------------------------------------------


def test_create_issue_then_read_it_back() -> None:
    fake = demo_fake()
    with client_for(fake) as client:
        created = client.post(
            "/rest/api/3/issue",
            json={
                "fields": {
                    "project": {"key": "APP"},
                    "summary": "New thing",
                    "issuetype": {"name": "bug"},
                    "labels": ["fresh"],
                    "priority": {"name": "High"},
                    "customfield_10016": 5,
                    "customfield_10001": {"id": "growth"},
                    "fixVersions": [{"name": "2026.3"}],
                }
            },
        )
        assert created.status_code == 201
        key = created.json()["key"]
        found = search(client, jql=f"key = {key}", fields="summary,status").json()
    assert key == "APP-411"
    assert found["issues"][0]["fields"]["status"]["name"] == "Backlog"
    item = fake.workspace_view().work_items[-1]
    assert (item.key, item.title, item.type, item.created) == (
        key,
        "New thing",
        "bug",
        NOW,
    )
    assert (item.labels, item.priority, item.estimate, item.team, item.releases) == (
        ("fresh",),
        "High",
        5.0,
        "growth",
        ("2026.3",),
    )


def test_create_issue_lists_every_bad_field(demo: FakeJira) -> None:
    with client_for(demo) as client:
        response = client.post(
            "/rest/api/3/issue",
            json={"fields": {"project": {"key": "NOPE"}, "colour": "red"}},
        )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {
        "project",
        "summary",
        "issuetype",
        "colour",
    }


def test_transition_moves_the_issue_and_records_history() -> None:
    fake = demo_fake()
    key = next(i.key for i in DEMO.work_items if i.status == "In QA")
    with client_for(fake) as client:
        available = client.get(f"/rest/api/3/issue/{key}/transitions").json()
        names = {t["name"]: t["id"] for t in available["transitions"]}
        assert set(names) == {"In Progress", "Done"}
        moved = client.post(
            f"/rest/api/3/issue/{key}/transitions",
            json={"transition": {"id": names["Done"]}},
        )
        refused = client.post(
            f"/rest/api/3/issue/{key}/transitions",
            json={"transition": {"id": names["Done"]}},
        )
        issue = client.get(
            f"/rest/api/3/issue/{key}", params={"expand": "changelog"}
        ).json()
    assert moved.status_code == 204
    assert refused.status_code == 400
    assert issue["fields"]["status"]["name"] == "Done"
    assert issue["fields"]["updated"] == "2026-06-01T12:00:00.000+0000"
    assert issue["fields"]["resolutiondate"] == "2026-06-01T12:00:00.000+0000"
    newest = issue["changelog"]["histories"][0]
    assert newest["author"]["displayName"] == "bot"
    assert [c["field"] for c in newest["items"]] == ["resolution", "status"]
    item = next(i for i in fake.workspace_view().work_items if i.key == key)
    assert (item.status, item.updated, item.resolved) == ("Done", NOW, NOW)
    assert item.history[-1] == po.StatusChange(
        at=NOW, from_status="In QA", to_status="Done", author="bot"
    )


def test_comment_in_adf_then_read_it_in_v2_as_text() -> None:
    fake = demo_fake()
    document = {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": "hi"}]}],
    }
    with client_for(fake) as client:
        added = client.post("/rest/api/3/issue/APP-5/comment", json={"body": document})
        plain = client.post("/rest/api/3/issue/APP-5/comment", json={"body": "hi"})
        v2 = client.post("/rest/api/2/issue/APP-5/comment", json={"body": "there"})
        v3_list = client.get("/rest/api/3/issue/APP-5/comment").json()
        v2_list = client.get("/rest/api/2/issue/APP-5/comment").json()
        issue = client.get("/rest/api/3/issue/APP-5", params={"fields": "updated"})
    assert (added.status_code, plain.status_code, v2.status_code) == (201, 400, 201)
    assert [c["body"] for c in v2_list["comments"]] == ["hi", "there"]
    assert v3_list["comments"][0]["body"] == document
    assert v3_list["comments"][1]["body"]["type"] == "doc"
    assert issue.json()["fields"]["updated"] == "2026-06-01T12:00:00.000+0000"


# -- faults, auth and modes ----------------------------------------------------


def test_wrong_or_missing_credentials_answer_401() -> None:
    fake = demo_fake()
    answers = []
    for auth in (("bot@example.com", "nope"), None):
        with httpx.Client(
            transport=fake.transport(), base_url=fake.base_url, auth=auth
        ) as client:
            answers.append(client.get("/rest/api/3/myself"))
    with httpx.Client(
        transport=fake.transport(),
        base_url=fake.base_url,
        headers={"Authorization": "Bearer secret-token"},
    ) as client:
        answers.append(client.get("/rest/api/3/myself"))
    for answer in answers:
        assert answer.status_code == 401
        assert answer.json() == {
            "errorMessages": ["Client must be authenticated to access this resource."],
            "errors": {},
        }
        assert answer.headers["x-seraph-loginreason"] == "AUTHENTICATED_FAILED"


def test_rate_limit_answers_carry_jiras_headers() -> None:
    fake = demo_fake(faults=Faults(rate_limit_every=4, retry_after=3))
    with client_for(fake) as client:
        answers = [client.get("/rest/api/3/myself") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["x-ratelimit-remaining"] for a in answers] == ["2", "1", "0", "0"]
    limited = answers[-1]
    assert limited.headers["retry-after"] == "3"
    assert limited.headers["x-ratelimit-reset"] == "2026-06-01T12:01Z"
    assert limited.headers["ratelimit-reason"] == "jira-burst-based"
    assert limited.json() == {"errorMessages": ["Rate limit exceeded."], "errors": {}}


def test_error_burst_answers_503_with_retry_after() -> None:
    fake = demo_fake(faults=Faults(error_burst=(2, 3), retry_after=0))
    with client_for(fake) as client:
        answers = [client.get("/rest/api/3/myself") for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 503, 503, 503, 200]
    assert answers[1].headers["retry-after"] == "0"


def big_fake(count: int, faults: Faults) -> FakeJira:
    return FakeJira(workspace_of(items_like_demo(count)), faults=faults, clock=clock)


def test_sync_through_429s_and_a_5xx_burst_equals_the_fakes_data() -> None:
    faults = Faults(rate_limit_every=7, error_burst=(4, 3), retry_after=0, page_size=50)
    fake = big_fake(1000, faults)
    with client_for(fake) as client:
        items = Reader(client).read()
    assert list(items.values()) == list(fake.workspace_view().work_items)
    statuses = [(r.status, r.fault) for r in fake.requests]
    assert statuses.count((429, Fault.RATE_LIMITED)) == len(statuses) // 7 >= 3
    assert statuses.count((503, Fault.SERVER_ERROR)) == 3
    assert statuses.count((200, None)) == 1 + 1000 // 50  # the fields, then pages


def test_a_killed_sync_resumes_from_its_saved_cursor() -> None:
    workspace = workspace_of(items_like_demo(400))
    jql = "project = APP ORDER BY key ASC"
    with client_for(FakeJira(workspace, clock=clock)) as client:
        reader = Reader(client)
        names = reader.field_names()
        first_half: list[po.WorkItem] = []
        cursor = None
        for index, (page, token) in enumerate(reader.pages(jql, size=50)):
            first_half += [reader.work_item(issue, names) for issue in page]
            cursor = token
            if index == 4:
                break  # killed here; the cursor was saved after the page
    resumed = FakeJira(workspace, clock=clock, faults=Faults(drop_at=(2, 5)))
    with client_for(resumed) as client:
        reader = Reader(client)
        rest = [
            reader.work_item(issue, names)
            for page, _ in reader.pages(jql, size=50, token=cursor)
            for issue in page
        ]
    assert len(first_half) == 250
    assert first_half + rest == list(resumed.workspace_view().work_items)


def test_a_malformed_page_is_an_adapter_error_naming_the_request() -> None:
    fake = demo_fake(faults=Faults(malformed_at=(3,)))
    with client_for(fake) as client, pytest.raises(AdapterError) as caught:
        Reader(client).read(size=100)
    assert "GET /rest/api/3/search/jql" in str(caught.value)
    assert "(request fake-3)" in str(caught.value)
    assert fake.requests[2].fault is Fault.MALFORMED


def test_datacenter_mode_serves_v2_search_with_offsets() -> None:
    fake = demo_fake(mode="datacenter")
    with httpx.Client(
        transport=fake.transport(),
        base_url=fake.base_url,
        headers={"Authorization": "Bearer secret-token"},
    ) as client:
        page = client.get(
            "/rest/api/2/search",
            params={"jql": "project = APP ORDER BY key", "startAt": 5, "maxResults": 3},
        ).json()
        info = client.get("/rest/api/2/serverInfo").json()
        v3 = client.get("/rest/api/3/myself")
        enhanced = client.get("/rest/api/2/search/jql", params={"jql": "project = APP"})
        issue = client.get("/rest/api/2/issue/APP-1", params={"expand": "changelog"})
    assert (page["startAt"], page["maxResults"], page["total"]) == (5, 3, 410)
    assert [i["key"] for i in page["issues"]] == ["APP-6", "APP-7", "APP-8"]
    assert info["deploymentType"] == "Server"
    assert (v3.status_code, enhanced.status_code) == (404, 404)
    histories = issue.json()["changelog"]["histories"]
    assert [h["created"] for h in histories] == sorted(h["created"] for h in histories)
    assignee = issue.json()["fields"]["assignee"]
    assert "accountId" not in assignee
    assert assignee["name"] == DEMO.work_items[0].assignee


def test_unknown_resources_answer_404_in_jiras_shape(demo: FakeJira) -> None:
    with client_for(demo) as client:
        missing_route = client.get("/rest/api/3/nothing")
        missing_issue = client.get("/rest/api/3/issue/APP-9999")
        missing_project = client.get("/rest/api/3/project/NOPE/version")
    assert missing_route.status_code == 404
    assert missing_route.json()["errorMessages"][0].startswith("FakeJira (cloud)")
    assert missing_issue.json() == {
        "errorMessages": [
            "Issue does not exist or you do not have permission to see it."
        ],
        "errors": {},
    }
    assert missing_project.status_code == 404


# -- transport and server ------------------------------------------------------

SAME_ANSWER_CALLS: list[tuple[str, str, dict[str, Any] | None, Any]] = [
    ("GET", "/rest/api/3/serverInfo", None, None),
    ("GET", "/rest/api/3/myself", None, None),
    ("GET", "/rest/api/3/field", None, None),
    (
        "GET",
        "/rest/api/3/search/jql",
        {"jql": "project = APP ORDER BY key", "fields": "*all", "expand": "changelog"},
        None,
    ),
    ("GET", "/rest/api/3/issue/APP-7/changelog", {"maxResults": 3}, None),
    ("POST", "/rest/api/3/changelog/bulkfetch", None, {"issueIdsOrKeys": ["APP-1"]}),
    ("GET", "/rest/api/3/project/APP/version", {"expand": "issuesstatus"}, None),
    ("GET", "/rest/api/3/search", {"jql": "project = APP"}, None),
    ("GET", "/rest/api/3/search/jql", {"jql": "order by key"}, None),
]


def test_transport_and_server_give_identical_answers() -> None:
    served, local = demo_fake(), demo_fake()
    with served.serve() as base_url:
        with httpx.Client(base_url=base_url, auth=served.credentials) as client:
            remote = [
                client.request(m, p, params=q, json=b)
                for m, p, q, b in SAME_ANSWER_CALLS
            ]
        with client_for(local, base_url=base_url) as client:
            in_process = [
                client.request(m, p, params=q, json=b)
                for m, p, q, b in SAME_ANSWER_CALLS
            ]
    for one, other in zip(remote, in_process, strict=True):
        assert (one.status_code, one.content) == (other.status_code, other.content)
        assert (
            one.headers["x-ratelimit-remaining"]
            == other.headers["x-ratelimit-remaining"]
        )


def test_pycontribs_jira_reads_issues_from_the_server() -> None:
    jira = pytest.importorskip("jira")
    fake = demo_fake()
    with fake.serve() as base_url:
        client = jira.JIRA(server=base_url, basic_auth=fake.credentials)
        try:
            issues = client.enhanced_search_issues(
                "project = APP ORDER BY key ASC",
                maxResults=False,
                fields="summary,status",
                expand="changelog",
            )
        finally:
            client.close()
    assert len(issues) == 410
    first = issues[0]
    assert (first.key, first.fields.summary) == ("APP-1", DEMO.work_items[0].title)
    histories = first.changelog.histories
    assert len(histories) == len(DEMO.work_items[0].history)
    assert histories[0].items[0].toString == DEMO.work_items[0].history[-1].to_status
    paths = [request.path for request in fake.requests]
    assert paths[:3] == [
        "/rest/api/2/serverInfo",
        "/rest/api/2/field",
        "/rest/api/2/search/jql",
    ]


# -- the fixtures: same keys and types -----------------------------------------


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def assert_same_shape(
    ours: Any,
    theirs: Any,
    path: str = "$",
    *,
    optional: frozenset[str] = frozenset(),
    any_type: frozenset[str] = frozenset(),
) -> None:
    """Same keys (except `optional` ones) and JSON types, recursively.

    A ``null`` in the fixture accepts any type; lists compare every element of
    ours with the first element of theirs.
    """
    if theirs is None or path in any_type:
        return
    if isinstance(theirs, dict):
        assert isinstance(ours, dict), path
        missing = set(theirs) - set(ours) - optional
        extra = set(ours) - set(theirs) - optional
        assert not missing, (path, missing)
        assert not extra, (path, extra)
        for key in set(ours) & set(theirs):
            assert_same_shape(
                ours[key],
                theirs[key],
                f"{path}.{key}",
                optional=optional,
                any_type=any_type,
            )
    elif isinstance(theirs, list):
        assert isinstance(ours, list), path
        if theirs:
            for element in ours:
                assert_same_shape(
                    element,
                    theirs[0],
                    f"{path}[]",
                    optional=optional,
                    any_type=any_type,
                )
    elif isinstance(theirs, bool):
        assert isinstance(ours, bool), (path, ours, theirs)
    elif isinstance(theirs, int | float):
        assert isinstance(ours, int | float), (path, ours, theirs)
        assert not isinstance(ours, bool), (path, ours, theirs)
    else:
        assert isinstance(ours, type(theirs)), (path, ours, theirs)


FIXTURE_FIELDS = (
    "summary,status,issuetype,project,assignee,created,updated,resolutiondate,"
    "fixVersions,labels"
)
# The fixtures' "updated": 1 comes from the spec's example; Jira sends a date string.
UPDATED_IS_A_STRING = frozenset({"$.issues[].fields.updated"})
# Hidden for users other than the authenticated one, as on privacy-minded sites.
EMAIL_IS_HIDDEN = frozenset({"emailAddress"})


@needs_fixtures
def test_search_pages_have_the_fixtures_shape(demo: FakeJira) -> None:
    page1 = fixture("search-jql-page1.json")["response"]["body"]
    last = fixture("search-jql-last-page.json")["response"]["body"]
    full = [
        item.key
        for item in DEMO.work_items
        if item.assignee and item.releases and item.history and item.resolved
    ][:2]
    params = {
        "jql": f"key in ({', '.join(full)}) ORDER BY updated ASC",
        "fields": FIXTURE_FIELDS,
        "expand": "changelog",
        "maxResults": 1,
    }
    with client_for(demo) as client:
        ours1 = search(client, **params).json()
        ours2 = search(client, **params, nextPageToken=ours1["nextPageToken"]).json()
    assert_same_shape(
        ours1, page1, optional=EMAIL_IS_HIDDEN, any_type=UPDATED_IS_A_STRING
    )
    assert_same_shape(
        ours2, last, optional=EMAIL_IS_HIDDEN, any_type=UPDATED_IS_A_STRING
    )
    assert isinstance(ours1["issues"][0]["fields"]["updated"], str)


@needs_fixtures
def test_changelog_page_has_the_fixtures_shape(demo: FakeJira) -> None:
    theirs = fixture("issue-changelog.json")["response"]["body"]
    with client_for(demo) as client:
        ours = client.get(
            "/rest/api/3/issue/APP-1/changelog", params={"startAt": 2, "maxResults": 2}
        ).json()
    assert_same_shape(ours, theirs, optional=EMAIL_IS_HIDDEN)


@needs_fixtures
def test_versions_page_has_the_fixtures_shape(demo: FakeJira) -> None:
    theirs = fixture("project-versions.json")["response"]["body"]
    with client_for(demo) as client:
        ours = client.get(
            "/rest/api/3/project/APP/version", params={"startAt": 0, "maxResults": 2}
        ).json()
    optional = frozenset(
        {"releaseDate", "userReleaseDate", "issuesStatusForFixVersion"}
    )
    assert_same_shape(ours, theirs, optional=optional)
    assert set(ours["values"][0]) == set(theirs["values"][0])


@needs_fixtures
def test_bulkfetch_has_the_fixtures_shape(demo: FakeJira) -> None:
    theirs = fixture("changelog-bulkfetch.json")["response"]["body"]
    with client_for(demo) as client:
        ours = client.post(
            "/rest/api/3/changelog/bulkfetch",
            json={
                "issueIdsOrKeys": ["APP-1", "APP-2"],
                "fieldIds": ["status"],
                "maxResults": 3,
            },
        ).json()
    # The spec's example item changes a field whose old and new ids are null and
    # leaves "from"/"to" out; status items carry both ids.
    optional = EMAIL_IS_HIDDEN | {"from", "to"}
    assert_same_shape(ours, theirs, optional=optional)
    assert "nextPageToken" in ours


@needs_fixtures
def test_legacy_search_answer_is_the_fixture(demo: FakeJira) -> None:
    recorded = fixture("error-410-legacy-search-removed.json")
    with client_for(demo) as client:
        ours = client.get("/rest/api/2/search", params=recorded["request"]["query"])
    assert ours.status_code == recorded["response"]["status"] == 410
    assert ours.json() == recorded["response"]["body"]


@needs_fixtures
def test_rate_limit_answer_has_the_fixtures_headers_and_body() -> None:
    recorded = fixture("rate-limited-429.json")["response"]
    fake = demo_fake(faults=Faults(rate_limit_every=1))
    with client_for(fake) as client:
        ours = search(client, jql="project = APP")
    assert ours.status_code == recorded["status"]
    assert set(recorded["headers"]) <= set(ours.headers)
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\dZ", ours.headers["x-ratelimit-reset"]
    )
    assert_same_shape(ours.json(), recorded["body"])


# -- the OpenAPI spec ----------------------------------------------------------


@pytest.fixture(scope="session")
def validate() -> Callable[[Any, str], None]:
    """Validate a body against a schema of the spec (read once per session)."""
    jsonschema = pytest.importorskip("jsonschema")
    referencing = pytest.importorskip("referencing")
    if not SPEC.is_file():
        pytest.skip("the Jira OpenAPI spec is not next to the checkout")
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    # The spec's bulkfetch example has epoch-second "created" values (as Jira
    # sends them), while its Changelog schema says date-time strings.
    spec["components"]["schemas"]["BulkChangelog"] = {
        **spec["components"]["schemas"]["Changelog"],
        "properties": {
            **spec["components"]["schemas"]["Changelog"]["properties"],
            "created": {"type": "integer"},
        },
    }
    spec["components"]["schemas"]["IssueChangeLog"]["properties"]["changeHistories"][
        "items"
    ] = {"$ref": "#/components/schemas/BulkChangelog"}
    resource = referencing.Resource.from_contents(
        spec, default_specification=referencing.jsonschema.DRAFT202012
    )
    registry = referencing.Registry().with_resource("urn:jira", resource)
    validators: dict[str, Any] = {}

    def check(body: Any, schema: str) -> None:
        if schema not in validators:
            reference = {"$ref": f"urn:jira#/components/schemas/{schema}"}
            if schema.startswith("array:"):
                reference = {
                    "type": "array",
                    "items": {"$ref": f"urn:jira#/components/schemas/{schema[6:]}"},
                }
            validators[schema] = jsonschema.Draft202012Validator(
                reference, registry=registry
            )
        errors = sorted(validators[schema].iter_errors(body), key=str)
        assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]

    return check


SPEC_CALLS: list[tuple[str, str, dict[str, Any] | None, Any, str]] = [
    (
        "GET",
        "/rest/api/3/search/jql",
        {
            "jql": "project = APP",
            "fields": "*all",
            "expand": "changelog",
            "maxResults": 60,
        },
        None,
        "SearchAndReconcileResults",
    ),
    (
        "GET",
        "/rest/api/3/search/jql",
        {"jql": "project = APP"},
        None,
        "SearchAndReconcileResults",
    ),
    (
        "POST",
        "/rest/api/3/search/jql",
        None,
        {"jql": "key = APP-1", "fields": ["summary"]},
        "SearchAndReconcileResults",
    ),
    ("GET", "/rest/api/3/issue/APP-12", {"expand": "changelog"}, None, "IssueBean"),
    (
        "GET",
        "/rest/api/3/issue/APP-12/changelog",
        {"maxResults": 2},
        None,
        "PageBeanChangelog",
    ),
    (
        "POST",
        "/rest/api/3/changelog/bulkfetch",
        None,
        {"issueIdsOrKeys": ["APP-1", "APP-2"], "maxResults": 5},
        "BulkChangelogResponseBean",
    ),
    ("GET", "/rest/api/3/field", None, None, "array:FieldDetails"),
    ("GET", "/rest/api/3/myself", None, None, "User"),
    ("GET", "/rest/api/3/serverInfo", None, None, "ServerInformation"),
    ("GET", "/rest/api/3/project/APP", None, None, "Project"),
    (
        "GET",
        "/rest/api/3/project/APP/statuses",
        None,
        None,
        "array:IssueTypeWithStatus",
    ),
    (
        "GET",
        "/rest/api/3/project/APP/version",
        {"expand": "issuesstatus", "maxResults": 2},
        None,
        "PageBeanVersion",
    ),
    ("GET", "/rest/api/3/status", None, None, "array:StatusDetails"),
    ("GET", "/rest/api/3/statuses/search", {"maxResults": 3}, None, "PageOfStatuses"),
    ("GET", "/rest/api/3/statuscategory", None, None, "array:StatusCategory"),
    ("GET", "/rest/api/3/issuetype", None, None, "array:IssueTypeDetails"),
    ("GET", "/rest/api/3/priority", None, None, "array:Priority"),
    ("GET", "/rest/api/3/issueLinkType", None, None, "IssueLinkTypes"),
    ("GET", "/rest/api/3/issue/APP-12/transitions", None, None, "Transitions"),
    ("GET", "/rest/api/3/issue/APP-12/comment", None, None, "PageOfComments"),
    (
        "POST",
        "/rest/api/3/search/approximate-count",
        None,
        {"jql": "project = APP"},
        "JQLCountResultsBean",
    ),
    ("GET", "/rest/api/3/search/jql", {"jql": "order by key"}, None, "ErrorCollection"),
    ("GET", "/rest/api/3/search", {"jql": "project = APP"}, None, "ErrorCollection"),
    ("GET", "/rest/api/3/issue/APP-0", None, None, "ErrorCollection"),
]


@pytest.mark.parametrize(
    ("method", "path", "params", "body", "schema"),
    SPEC_CALLS,
    ids=[f"{m} {p} {s}" for m, p, _q, _b, s in SPEC_CALLS],
)
def test_answers_validate_against_the_spec(
    validate: Callable[[Any, str], None],
    method: str,
    path: str,
    params: Any,
    body: Any,
    schema: str,
    demo: FakeJira,
) -> None:
    with client_for(demo) as client:
        response = client.request(method, path, params=params, json=body)
    validate(response.json(), schema)


def test_issue_field_values_validate_against_the_spec(
    validate: Callable[[Any, str], None],
    demo: FakeJira,
) -> None:
    with client_for(demo) as client:
        issues = search(
            client, jql="project = APP", fields="*all", maxResults=100
        ).json()["issues"]
    for issue in issues:
        fields = issue["fields"]
        validate(fields["status"], "StatusDetails")
        validate(fields["issuetype"], "IssueTypeDetails")
        validate(fields["priority"], "Priority")
        for version in fields["fixVersions"]:
            validate(version, "Version")
        if fields["assignee"] is not None:
            validate(fields["assignee"], "UserDetails")
        for link in fields["issuelinks"]:
            validate(link["type"], "IssueLinkType")
            validate(link.get("outwardIssue") or link["inwardIssue"], "LinkedIssue")


def test_writes_validate_against_the_spec(validate: Callable[[Any, str], None]) -> None:
    fresh = demo_fake()
    with client_for(fresh) as client:
        created = client.post(
            "/rest/api/3/issue",
            json={
                "fields": {
                    "project": {"key": "APP"},
                    "summary": "x",
                    "issuetype": {"name": "task"},
                }
            },
        ).json()
        comment = client.post(
            "/rest/api/3/issue/APP-1/comment",
            json={"body": {"type": "doc", "version": 1, "content": []}},
        ).json()
        refused = client.post("/rest/api/3/issue", json={"fields": {}}).json()
    validate(created, "CreatedIssue")
    validate(comment, "Comment")
    validate(refused, "ErrorCollection")


def test_relative_dates_follow_the_clock() -> None:
    now = [datetime(2026, 5, 30, tzinfo=UTC)]
    fake = FakeJira(DEMO, clock=lambda: now[0])
    with client_for(fake) as client:
        jql = "updated >= -1d"
        before = search(client, jql=jql, maxResults=1000).json()["issues"]
        now[0] = datetime(2030, 1, 1, tzinfo=UTC)
        after = search(client, jql=jql, maxResults=1000).json()["issues"]
    recent = [
        item
        for item in DEMO.work_items
        if item.updated is not None
        and item.updated >= datetime(2026, 5, 29, tzinfo=UTC)
    ]
    assert len(before) == len(recent) > 0
    assert after == []
