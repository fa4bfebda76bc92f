"""FakeGitHub speaks GitHub's REST dialect: shapes, paging, ETags, limits, faults.

Shapes are checked against GitHub's OpenAPI description (github/rest-api-description
``api.github.com.2022-11-28`` at commit 0000036e42b5e7121c2b1ac244cb7bba1d2f3914:
the ``Labeled Issue Event``, ``Moved Column in Project Issue Event``, ``State Change
Issue Event``, ``Deployment`` and ``Deployment Status`` schemas) and the recorded
fixtures in ``shared/fixtures/api/github`` (octokit/fixtures).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

import productops as po
from productops.adapters.github import GitHubMapping
from productops.errors import InvalidInputError
from productops.testing._fake import Fault, Faults
from productops.testing._github import FakeGitHub
from tests.fixtures import API

FIXTURES = API / "github"
needs_fixtures = pytest.mark.skipif(
    not FIXTURES.is_dir(), reason="tests/data/api is missing"
)
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ISSUES = "/repos/octo-org/octo-repo/issues"


def item(number: int, status: str = "Open", **fields: Any) -> po.WorkItem:
    return po.WorkItem(
        key=f"APP-{number}",
        title=f"Item {number}",
        type="issue",
        status=status,
        created=T0 + timedelta(minutes=number),
        **fields,
    )


def fake_with(count: int, **kwargs: Any) -> FakeGitHub:
    return FakeGitHub(
        po.Workspace(work_items=[item(n) for n in range(1, count + 1)]), **kwargs
    )


def client(fake: FakeGitHub, **headers: str) -> httpx.Client:
    return httpx.Client(
        transport=fake.transport(), base_url=fake.base_url, headers=headers
    )


def fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return loaded


# -- shapes --------------------------------------------------------------------------


@needs_fixtures
def test_issues_have_the_recorded_fields() -> None:
    recorded = fixture("issues-list-page1.json")["response"]
    with client(fake_with(1)) as c:
        response = c.get(ISSUES)
    (issue,) = response.json()
    assert set(recorded["body"][0]) <= set(issue)
    for name in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"):
        assert response.headers[name].isdigit()
    assert set(recorded["headers"]) - {"link"} <= set(response.headers)
    assert issue["state"] == "open"
    assert issue["created_at"] == "2026-01-05T09:01:00Z"


@needs_fixtures
def test_releases_have_the_recorded_fields() -> None:
    recorded = fixture("releases-list.json")["response"]["body"][0]
    release = po.Release(
        key="v1.0.0",
        name="Version 1.0.0",
        status="released",
        released_at=T0,
        description="Initial release",
    )
    with client(FakeGitHub(po.Workspace(releases=[release]))) as c:
        (served,) = c.get("/repos/octo-org/octo-repo/releases").json()
    assert set(recorded) <= set(served)
    assert (served["tag_name"], served["draft"], served["published_at"]) == (
        "v1.0.0",
        False,
        "2026-01-05T09:00:00Z",
    )


def test_timeline_events_follow_the_openapi_schemas() -> None:
    history = [
        po.StatusChange(
            at=T0 + timedelta(hours=1), from_status="Open", to_status="Ready"
        ),
        po.StatusChange(
            at=T0 + timedelta(hours=2), from_status="Ready", to_status="Done"
        ),
    ]
    space = po.Workspace(work_items=[item(1, "Done", history=history)])
    with client(FakeGitHub(space)) as c:
        events = c.get(f"{ISSUES}/1/timeline").json()
    assert [(e["event"], e.get("label", {}).get("name")) for e in events] == [
        ("labeled", "status: Ready"),
        ("unlabeled", "status: Ready"),
        ("closed", None),
    ]
    required = {"id", "node_id", "url", "actor", "event", "commit_id", "commit_url"}
    required |= {"created_at", "performed_via_github_app"}
    assert all(required <= set(event) for event in events)
    assert set(events[0]["label"]) == {"name", "color"}
    assert events[2]["state_reason"] == "completed"


def test_project_column_events_carry_a_project_card() -> None:
    history = [
        po.StatusChange(
            at=T0 + timedelta(hours=1), from_status="Todo", to_status="Doing"
        )
    ]
    mapping = GitHubMapping(status_source="project_columns")
    space = po.Workspace(work_items=[item(1, "Doing", history=history)])
    with client(FakeGitHub(space, mapping=mapping)) as c:
        added, moved = c.get(f"{ISSUES}/1/timeline").json()
    assert added["event"] == "added_to_project"
    assert added["project_card"] == {"column_name": "Todo"}
    assert moved["event"] == "moved_columns_in_project"
    assert moved["project_card"] == {
        "column_name": "Doing",
        "previous_column_name": "Todo",
    }


def test_items_become_issues_numbered_by_their_keys() -> None:
    space = po.Workspace(
        work_items=[
            item(
                7, labels=("ux",), priority="High", estimate=3.0, releases=("2026.1",)
            ),
            item(3).evolve(key="OPS-X"),
            item(9).evolve(type="pull request"),
        ]
    )
    fake = FakeGitHub(space)
    assert (fake.number_of("APP-7"), fake.number_of("OPS-X")) == (7, 10)
    with client(fake) as c:
        issue = c.get(f"{ISSUES}/7").json()
        pull = c.get(f"{ISSUES}/9").json()
    assert [label["name"] for label in issue["labels"]] == [
        "ux",
        "priority: High",
        "estimate: 3.0",
    ]
    assert issue["milestone"]["title"] == "2026.1"
    assert "pull_request" in pull
    assert "pull_request" not in issue


def test_deployments_and_their_statuses() -> None:
    deployment = po.Deployment(
        key="DEP-4",
        service="api",
        environment="staging",
        deployed_at=T0,
        status="rolled_back",
        version="v2.0.0",
    )
    release = po.Release(key="r1", name="R1", deployments=[deployment])
    with client(FakeGitHub(po.Workspace(releases=[release]))) as c:
        (served,) = c.get("/repos/octo-org/octo-repo/deployments").json()
        statuses = c.get("/repos/octo-org/octo-repo/deployments/4/statuses").json()
        none = c.get("/repos/octo-org/octo-repo/deployments?environment=prod").json()
    assert (served["id"], served["ref"], served["environment"]) == (
        4,
        "v2.0.0",
        "staging",
    )
    assert served["payload"] == {"service": "api"}
    assert [s["state"] for s in statuses] == ["in_progress", "success", "failure"]
    assert none == []


# -- paging, filters, conditional requests -------------------------------------------


def test_link_headers_page_through_repositories_by_id() -> None:
    fake = fake_with(5, faults=Faults(page_size=2))
    with client(fake) as c:
        first = c.get(ISSUES, params={"per_page": 50, "state": "all"})
        second = c.get(first.links["next"]["url"])
        last = c.get(first.links["last"]["url"])
    assert len(first.json()) == 2
    assert first.links["next"]["url"] == (
        "http://localhost/repositories/1000/issues?per_page=50&state=all&page=2"
    )
    assert set(second.links) == {"next", "last", "prev", "first"}
    assert set(last.links) == {"prev", "first"}
    assert len(last.json()) == 1


def test_per_page_is_capped_at_100() -> None:
    with client(fake_with(120)) as c:
        assert len(c.get(ISSUES, params={"per_page": 500}).json()) == 100
        assert len(c.get(ISSUES).json()) == 30


def test_filters_state_since_sort_and_direction() -> None:
    space = po.Workspace(
        work_items=[
            item(1, updated=T0 + timedelta(days=3)),
            item(2, "Done", updated=T0 + timedelta(days=1)),
            item(3, updated=T0 + timedelta(days=2), labels=("ux",)),
        ]
    )
    with client(FakeGitHub(space)) as c:

        def numbers(**params: str) -> list[int]:
            return [issue["number"] for issue in c.get(ISSUES, params=params).json()]

        assert numbers() == [3, 1]
        assert numbers(state="closed") == [2]
        assert numbers(state="all", sort="updated", direction="asc") == [2, 3, 1]
        assert numbers(state="all", since="2026-01-07T09:00:00Z") == [3, 1]
        assert numbers(labels="ux") == [3]
        invalid = c.get(ISSUES, params={"state": "any"})
    assert invalid.status_code == 422
    assert invalid.json()["message"] == "Validation Failed"


def test_a_matching_etag_answers_304_and_spends_no_budget() -> None:
    fake = fake_with(2)
    with client(fake) as c:
        first = c.get(ISSUES)
        again = c.get(ISSUES, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert (
        again.headers["x-ratelimit-remaining"] == first.headers["x-ratelimit-remaining"]
    )
    assert fake.rate_limit_remaining == 4999


# -- auth, errors, rate limits, faults -----------------------------------------------


def test_a_wrong_token_gets_githubs_401_body() -> None:
    fake = fake_with(1, token="s3cret")
    with client(fake, Authorization="Bearer nope") as c:
        refused = c.get(ISSUES)
    with client(fake, Authorization="token s3cret") as c:
        accepted = c.get(ISSUES)
    assert refused.status_code == 401
    assert refused.json() == {
        "message": "Bad credentials",
        "documentation_url": "https://docs.github.com/rest",
        "status": "401",
    }
    assert accepted.status_code == 200
    assert fake.requests[0].auth_scheme == "Bearer"


def test_other_repositories_and_issues_are_not_found() -> None:
    with client(fake_with(1)) as c:
        assert c.get("/repos/octo-org/other/issues").status_code == 404
        assert c.get(f"{ISSUES}/99").json()["message"] == "Not Found"


@needs_fixtures
@pytest.mark.parametrize(
    ("kind", "status", "name"),
    [
        ("primary", 403, "rate-limited-primary-403.json"),
        ("secondary", 403, "rate-limited-secondary-403.json"),
        ("429", 429, "rate-limited-secondary-403.json"),
    ],
)
def test_rate_limits_answer_githubs_bodies_and_headers(
    kind: str, status: int, name: str
) -> None:
    recorded = fixture(name)["response"]
    fake = fake_with(
        1,
        rate_limit=kind,  # type: ignore[arg-type]
        faults=Faults(rate_limit_every=2, retry_after=30),
        clock=lambda: 1_000_000.0,
    )
    with client(fake) as c:
        assert c.get(ISSUES).status_code == 200
        refused = c.get(ISSUES)
    assert refused.status_code == status
    assert refused.json()["message"] == recorded["body"]["message"]
    if kind == "primary":
        assert refused.headers["x-ratelimit-remaining"] == "0"
        assert refused.headers["x-ratelimit-reset"] == "1000030"
        assert "retry-after" not in refused.headers
    else:
        assert refused.headers["retry-after"] == "30"
        assert refused.headers["x-ratelimit-remaining"] != "0"


def test_server_errors_malformed_bodies_and_drops_follow_the_faults() -> None:
    fake = fake_with(
        1, faults=Faults(error_burst=(1, 1), malformed_at=(2,), drop_at=(3,))
    )
    with client(fake) as c:
        assert c.get(ISSUES).status_code == 502
        with pytest.raises(json.JSONDecodeError):
            c.get(ISSUES).json()
        with pytest.raises(httpx.RemoteProtocolError):
            c.get(ISSUES)
        assert c.get(ISSUES).status_code == 200
    assert [r.fault for r in fake.requests] == [
        Fault.SERVER_ERROR,
        Fault.MALFORMED,
        Fault.DROP,
        None,
    ]


def test_an_unknown_rate_limit_kind_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="rate_limit"):
        FakeGitHub(rate_limit="tertiary")  # type: ignore[arg-type]


# -- writes --------------------------------------------------------------------------


def test_writes_change_the_issue_and_its_timeline() -> None:
    now = [T0.timestamp() + 86400]
    fake = FakeGitHub(clock=lambda: now[0])
    with client(fake, Authorization="Bearer t") as c:
        created = c.post(ISSUES, json={"title": "Export", "labels": ["ux"]})
        missing = c.post(ISSUES, json={"body": "no title"})
        now[0] += 60
        closed = c.patch(
            f"{ISSUES}/1",
            json={"state": "closed", "state_reason": "not_planned", "labels": []},
        )
        commented = c.post(f"{ISSUES}/1/comments", json={"body": "Won't fix"})
        events = c.get(f"{ISSUES}/1/timeline").json()
    assert created.status_code == 201
    assert created.headers["location"].endswith("/repos/octo-org/octo-repo/issues/1")
    assert missing.status_code == 422
    assert (closed.json()["state"], closed.json()["state_reason"]) == (
        "closed",
        "not_planned",
    )
    assert commented.status_code == 201
    assert [e["event"] for e in events] == [
        "labeled",
        "unlabeled",
        "closed",
        "commented",
    ]
    assert events[-1]["body"] == "Won't fix"


# -- server mode and GitHub Enterprise Server ----------------------------------------


def test_served_over_http_with_and_without_the_api_v3_prefix() -> None:
    fake = fake_with(3, faults=Faults(page_size=2))
    with fake.serve() as url, httpx.Client(base_url=url) as c:
        enterprise = c.get("/api/v3/repos/octo-org/octo-repo/issues")
        plain = c.get(ISSUES)
    assert url.startswith("http://127.0.0.1:")
    assert [i["number"] for i in enterprise.json()] == [3, 2]
    assert [i["number"] for i in plain.json()] == [3, 2]
    assert enterprise.json()[0]["url"] == f"{url}/api/v3{ISSUES}/3"
    assert plain.json()[0]["url"] == f"{url}{ISSUES}/3"
    assert enterprise.links["next"]["url"].startswith(
        f"{url}/api/v3/repositories/1000/"
    )


def test_the_repr_names_the_repository() -> None:
    assert repr(fake_with(2)).startswith("<FakeGitHub octo-org/octo-repo issues=2")
