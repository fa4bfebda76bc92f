"""Contract tests: every request the Jira adapter sends is one the Jira spec allows.

Two things are checked against the pinned Jira Cloud platform OpenAPI description
(``tests/data/specs/jira-cloud-platform.subset.json``, cut from Atlassian's
published description by ``make_jira_subset.py``; read once per session) and the
recorded fixtures (``tests/data/api/jira/*.json``):

- every request of a session that uses every adapter method, in both modes,
  matches a path template and method of the spec, uses only the query
  parameters the operation declares, is not a deprecated operation (Data
  Center's ``GET /rest/api/2/search`` excepted: it is the Server API), and has
  a JSON body valid against the operation's request schema;
- the fixtures' response bodies parse through the adapter's mapping.

Data Center requests (``/rest/api/2``) are checked against the same resources
of the v3 description, which the v2 API shares apart from text bodies.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

import productops as po
from productops.adapters import _jira_models as jm
from productops.adapters.jira import JiraAdapter
from productops.errors import APIError
from productops.testing import FakeJira, Faults, RecordedRequest
from tests.fixtures import API, JIRA_SPEC

FIXTURES = API / "jira"
SPEC = JIRA_SPEC
needs_fixtures = pytest.mark.skipif(
    not FIXTURES.is_dir(), reason="tests/data/api is missing"
)
needs_spec = pytest.mark.skipif(
    not SPEC.is_file(), reason="the Jira OpenAPI subset is missing"
)


@pytest.fixture(autouse=True)
def _no_user_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("PRODUCTOPS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PRODUCTOPS_CONFIG", str(tmp_path / "none.toml"))


# -- the spec --------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    template: str
    method: str
    query: frozenset[str]
    deprecated: bool
    body_schema: dict[str, Any] | None


@dataclass
class Spec:
    operations: list[tuple[re.Pattern[str], Operation]]
    validator: Callable[[dict[str, Any]], Any]

    def match(self, method: str, path: str) -> Operation:
        found = [
            (template.count("{"), operation)
            for pattern, operation in self.operations
            if operation.method == method
            and pattern.fullmatch(path)
            and (template := operation.template)
        ]
        assert found, f"{method} {path} is not in the Jira spec"
        return min(found, key=lambda pair: pair[0])[1]


@pytest.fixture(scope="session")
def spec() -> Spec:
    """The Jira Cloud OpenAPI description, indexed by path template (read once)."""
    if not SPEC.is_file():
        pytest.skip("the Jira OpenAPI spec is not next to the checkout")
    jsonschema = pytest.importorskip("jsonschema")
    referencing = pytest.importorskip("referencing")
    document = json.loads(SPEC.read_text(encoding="utf-8"))
    operations = []
    for template, item in document["paths"].items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method == "parameters":
                continue
            parameters = [*shared, *operation.get("parameters", [])]
            query = frozenset(p["name"] for p in parameters if p.get("in") == "query")
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            pattern = re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)))
            operations.append(
                (
                    pattern,
                    Operation(
                        template,
                        method.upper(),
                        query,
                        bool(operation.get("deprecated")),
                        schema,
                    ),
                )
            )
    resource = referencing.Resource.from_contents(
        document, default_specification=referencing.jsonschema.DRAFT202012
    )
    registry = referencing.Registry().with_resource("urn:jira", resource)

    def validator(schema: dict[str, Any]) -> Any:
        rebased = json.loads(json.dumps(schema).replace('"#/', '"urn:jira#/'))
        return jsonschema.Draft202012Validator(rebased, registry=registry)

    return Spec(operations, validator)


def check(
    spec: Spec, request: RecordedRequest, *, datacenter: bool = False
) -> Operation:
    path = request.path
    if datacenter:
        assert path.startswith("/rest/api/2/"), path
        path = "/rest/api/3/" + path.removeprefix("/rest/api/2/")
    operation = spec.match(request.method, path)
    legacy_search = datacenter and operation.template == "/rest/api/3/search"
    assert not operation.deprecated or legacy_search, (
        f"{request.method} {request.path} is deprecated"
    )
    unknown = set(request.query) - operation.query
    assert not unknown, f"{request.method} {request.path}: unknown parameters {unknown}"
    if request.json is not None:
        assert operation.body_schema is not None, f"{request.path} takes no body"
        body = request.json
        if datacenter and request.path.endswith("/comment"):
            body = {**body, "body": {"type": "doc", "version": 1, "content": []}}
        errors = [
            e.message for e in spec.validator(operation.body_schema).iter_errors(body)
        ]
        assert not errors, f"{request.method} {request.path}: {errors}"
    return operation


def session(fake: FakeJira, **settings: Any) -> None:
    """Use every method of the adapter once."""
    email, token = fake.credentials
    if fake.mode == "cloud":
        settings["email"] = email
    else:
        settings["mode"] = "datacenter"
    adapter = JiraAdapter(
        base_url=fake.base_url,
        token=token,
        transport=fake.transport(),
        sleep=lambda _: None,
        **settings,
    )
    first = adapter.sync(project="APP")
    adapter.sync(project="APP", cursor=first.cursor)
    list(adapter.work_items(query="status = Done", project="APP"))
    list(
        adapter.work_items(
            project="APP", updated_since=datetime(2026, 1, 1, tzinfo=UTC)
        )
    )
    list(adapter.releases(project="APP"))
    list(adapter.dependencies(project="APP"))
    adapter.process(project="APP")
    created = adapter.create_item(
        project="APP",
        title="Contract",
        type="Story",
        description="Checked\nagainst the spec.",
        labels=["contract"],
        priority="High",
        estimate=2,
        releases=["2026.3"],
        parent="APP-1",
        team="growth",
    )
    adapter.transition(created.key, to_status="Ready")
    adapter.comment(created.key, "Thanks.")


@pytest.fixture(scope="module")
def small() -> po.Workspace:
    demo = po.datasets.load_demo()
    return po.Workspace(
        process=demo.process,
        work_items=demo.work_items[:60],
        releases=demo.releases,
        teams=demo.teams,
    )


@needs_spec
def test_every_cloud_request_is_in_the_spec(spec: Spec, small: po.Workspace) -> None:
    fake = FakeJira(small, faults=Faults(page_size=10))
    session(fake)
    used = {check(spec, request).template for request in fake.requests}
    assert {
        "/rest/api/3/search/jql",
        "/rest/api/3/changelog/bulkfetch",
        "/rest/api/3/search/approximate-count",
        "/rest/api/3/field",
        "/rest/api/3/myself",
        "/rest/api/3/project/{projectIdOrKey}/version",
        "/rest/api/3/project/{projectIdOrKey}/statuses",
        "/rest/api/3/issue",
        "/rest/api/3/issue/{issueIdOrKey}",
        "/rest/api/3/issue/{issueIdOrKey}/transitions",
        "/rest/api/3/issue/{issueIdOrKey}/comment",
    } <= used
    assert "/rest/api/3/search" not in used


@needs_spec
def test_every_data_center_request_is_in_the_spec(
    spec: Spec, small: po.Workspace
) -> None:
    fake = FakeJira(small, mode="datacenter", faults=Faults(page_size=10))
    session(fake)
    used = {check(spec, r, datacenter=True).template for r in fake.requests}
    assert "/rest/api/3/search" in used
    assert "/rest/api/3/changelog/bulkfetch" not in used


@needs_spec
def test_the_checker_catches_what_the_spec_forbids(spec: Spec) -> None:
    def recorded(method: str, path: str, query: Any = None, body: Any = None) -> Any:
        return RecordedRequest(1, method, path, query or {}, body, 200, None, None)

    with pytest.raises(AssertionError, match="deprecated"):
        check(spec, recorded("GET", "/rest/api/3/search", {"jql": "x"}))
    with pytest.raises(AssertionError, match="unknown parameters"):
        check(spec, recorded("GET", "/rest/api/3/field", {"colour": "red"}))
    with pytest.raises(AssertionError, match="not in the Jira spec"):
        check(spec, recorded("GET", "/rest/api/3/nothing/here"))
    with pytest.raises(AssertionError, match="greater than the maximum of 10000"):
        check(
            spec,
            recorded(
                "POST",
                "/rest/api/3/changelog/bulkfetch",
                body={"issueIdsOrKeys": ["1"], "maxResults": 20000},
            ),
        )


# -- the fixtures ----------------------------------------------------------------------


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


FIELDS = [
    {"id": "summary", "name": "Summary", "custom": False},
    {"id": "status", "name": "Status", "custom": False},
]


def answering(routes: dict[str, Callable[[httpx.Request], httpx.Response]]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        for path, answer in routes.items():
            if request.url.path == path:
                return answer(request)
        return httpx.Response(404, json={"errorMessages": ["no such resource"]})

    return httpx.MockTransport(handler)


def adapter(transport: httpx.MockTransport, **settings: Any) -> JiraAdapter:
    settings.setdefault("email", "bot@example.com")
    return JiraAdapter(
        base_url="https://127.0.0.1",
        token="fixture-token",
        transport=transport,
        sleep=settings.pop("sleep", lambda _: None),
        **settings,
    )


@needs_fixtures
def test_the_search_fixtures_parse_and_map() -> None:
    first, last = fixture("search-jql-page1.json"), fixture("search-jql-last-page.json")
    bulk = fixture("changelog-bulkfetch.json")

    def search(request: httpx.Request) -> httpx.Response:
        token = json.loads(request.content).get("nextPageToken")
        page = last if token == first["response"]["body"]["nextPageToken"] else first
        return httpx.Response(200, json=page["response"]["body"])

    transport = answering(
        {
            "/rest/api/3/field": lambda r: httpx.Response(200, json=FIELDS),
            "/rest/api/3/search/jql": search,
            "/rest/api/3/changelog/bulkfetch": lambda r: httpx.Response(
                200,
                json=(
                    {"issueChangeLogs": []}
                    if "nextPageToken" in json.loads(r.content)
                    else bulk["response"]["body"]
                ),
            ),
        }
    )
    items = list(adapter(transport).work_items(query="project = EX"))
    assert [(i.key, i.status, i.type) for i in items] == [
        ("ED-1", "In Progress", "Task"),
        ("ED-2", "In Progress", "Task"),
    ]
    one = items[0]
    assert one.created == datetime(2023, 6, 24, 19, 24, 50, tzinfo=UTC)
    assert one.updated == datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)  # "updated": 1
    assert (one.assignee, one.labels, one.releases) == (
        "Mia Krystof",
        ("checkout",),
        ("New Version 1",),
    )
    # Cloud reads histories from bulkfetch only (its fixture is about issue 10100,
    # field changes, not statuses); the embedded, truncated changelog is not used.
    assert one.history == ()


@needs_fixtures
def test_an_embedded_changelog_maps_in_data_center_mode() -> None:
    first, last = fixture("search-jql-page1.json"), fixture("search-jql-last-page.json")
    issues = first["response"]["body"]["issues"] + last["response"]["body"]["issues"]
    page = {"startAt": 0, "maxResults": 50, "total": 2, "issues": issues}
    transport = answering(
        {
            "/rest/api/2/field": lambda r: httpx.Response(200, json=FIELDS),
            "/rest/api/2/search": lambda r: httpx.Response(200, json=page),
        }
    )
    items = list(adapter(transport, mode="datacenter").work_items(query="project = EX"))
    (change,) = items[0].history
    assert (change.from_status, change.to_status, change.author) == (
        "To Do",
        "In Progress",
        "Mia Krystof",
    )
    assert change.at == datetime(2023, 6, 25, 10, tzinfo=UTC)
    assert items[1].history == ()


@needs_fixtures
def test_the_changelog_fixtures_parse() -> None:
    bulk = jm.BULK_PAGES.validate_python(
        fixture("changelog-bulkfetch.json")["response"]["body"]
    )
    histories = bulk["issueChangeLogs"][0]["changeHistories"]
    assert histories[0]["created"] == datetime(2017, 4, 13, 8, 0, 29, tzinfo=UTC)
    assert bulk["nextPageToken"] == "UxAQBFRF"
    values = fixture("issue-changelog.json")["response"]["body"]["values"]
    (first, _) = jm.HISTORIES.validate_python(values)
    assert first["created"] == datetime(1970, 1, 18, 6, 27, 50, 429000, tzinfo=UTC)
    assert first["items"][0]["from"] is None


@needs_fixtures
def test_the_versions_fixture_maps_to_releases() -> None:
    body = fixture("project-versions.json")["response"]["body"]

    def versions(request: httpx.Request) -> httpx.Response:
        if int(request.url.params["startAt"]) == 0:
            return httpx.Response(200, json=body)
        return httpx.Response(200, json={"values": [], "isLast": True})

    transport = answering({"/rest/api/3/project/PR/version": versions})
    releases = list(adapter(transport).releases(project="PR"))
    assert [(r.key, r.status, r.target_date) for r in releases] == [
        ("New Version 1", po.ReleaseStatus.RELEASED, date(2010, 7, 6)),
        ("Next Version", po.ReleaseStatus.PLANNED, None),
    ]
    assert releases[0].released_at == datetime(2010, 7, 6, tzinfo=UTC)
    assert releases[1].description == "Minor Bugfix version"


@needs_fixtures
def test_the_429_fixture_is_waited_out() -> None:
    limited = fixture("rate-limited-429.json")["response"]
    answers = iter(
        [
            httpx.Response(
                limited["status"], headers=limited["headers"], json=limited["body"]
            ),
            httpx.Response(200, json={"issues": [], "isLast": True}),
        ]
    )
    waits: list[float] = []
    transport = answering(
        {
            "/rest/api/3/field": lambda r: httpx.Response(200, json=FIELDS),
            "/rest/api/3/search/jql": lambda r: next(answers),
        }
    )
    jira = adapter(transport, sleep=waits.append)
    assert list(jira.work_items(query="project = EX")) == []
    assert waits == [5.0]  # its Retry-After


@needs_fixtures
def test_the_410_fixture_explains_the_removed_search() -> None:
    gone = fixture("error-410-legacy-search-removed.json")["response"]
    transport = answering(
        {
            "/rest/api/2/field": lambda r: httpx.Response(200, json=FIELDS),
            "/rest/api/2/search": lambda r: httpx.Response(
                gone["status"], headers=gone["headers"], json=gone["body"]
            ),
        }
    )
    with pytest.raises(APIError) as caught:
        list(adapter(transport, mode="datacenter").work_items(query="project = EX"))
    assert caught.value.status_code == 410
    message = str(caught.value)
    assert "/rest/api/3/search/jql" in message
    assert "mode='cloud'" in message
