"""The GitHub adapter against FakeGitHub, the recorded fixtures and the OpenAPI.

Sources the shapes and the contract table come from:

- GitHub's OpenAPI description, github/rest-api-description
  ``descriptions/api.github.com/api.github.com.2022-11-28.yaml`` and its
  ``dereferenced/…deref.yaml`` twin, commit
  0000036e42b5e7121c2b1ac244cb7bba1d2f3914 (read through the search tools);
- ``shared/fixtures/api/github/*.json`` (octokit/fixtures recordings, see
  SOURCES.md);
- docs.github.com "Validating webhook deliveries" (github/docs
  ``content/webhooks/using-webhooks/validating-webhook-deliveries.md``, commit
  0c4564acdc9f8af1ae60f88e629476bbe88fc4e5) for the webhook test vector.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

import productops as po
from productops import adapters
from productops.adapters.github import (
    GitHubAdapter,
    GitHubCursor,
    GitHubMapping,
    GitHubSettings,
    RateLimitStatus,
    verify_webhook,
)
from productops.datasets import load_demo
from productops.testing._fake import Faults
from productops.testing._github import FakeGitHub
from tests.fixtures import API

TOKEN = "ghp_test-token-that-must-never-leak"
REPO = "octo-org/octo-repo"
FIXTURES = API / "github"
needs_fixtures = pytest.mark.skipif(
    not FIXTURES.is_dir(), reason="tests/data/api is missing"
)
APP = GitHubMapping(key_format="APP-{number}", deployment_key_format="DEP-{id}")
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def make(
    fake: FakeGitHub,
    *,
    sleeps: list[float] | None = None,
    retry: adapters.RetryPolicy | None = None,
    **values: Any,
) -> GitHubAdapter:
    values.setdefault("mapping", fake.mapping)
    values.setdefault("repositories", f"{fake.owner}/{fake.repo}")
    recorded = sleeps if sleeps is not None else []
    settings = GitHubSettings(token=TOKEN, base_url=fake.base_url, **values)
    return GitHubAdapter(
        settings=settings,
        transport=fake.transport(),
        sleep=recorded.append,
        retry=retry,
    )


def item(
    number: int,
    status: str = "Open",
    *,
    history: tuple[tuple[int, str, str], ...] = (),
    **fields: Any,
) -> po.WorkItem:
    """A work item created at T0 + number minutes; history as (minutes, from, to)."""
    created = T0 + timedelta(minutes=number)
    changes = [
        po.StatusChange(
            at=created + timedelta(minutes=minutes), from_status=a, to_status=b
        )
        for minutes, a, b in history
    ]
    last = changes[-1].at if changes else created
    return po.WorkItem(
        key=f"APP-{number}",
        title=f"Item {number}",
        status=status,
        created=created,
        updated=fields.pop("updated", last),
        source="github",
        history=changes,
        **fields,
    )


def workspace(count: int) -> po.Workspace:
    return po.Workspace(work_items=[item(n) for n in range(1, count + 1)])


def strip_url(work_item: po.WorkItem) -> po.WorkItem:
    return work_item.evolve(url=None)


# -- settings ------------------------------------------------------------------------


def test_settings_default_to_api_github_com_and_version_2022_11_28() -> None:
    settings = GitHubSettings(token=TOKEN, repositories=REPO)
    assert settings.base_url == "https://api.github.com"
    assert settings.api_version == "2022-11-28"
    assert settings.page_size == 100


def test_repositories_come_from_one_environment_variable() -> None:
    settings = GitHubSettings.resolve(
        {},
        env={
            "PRODUCTOPS_GITHUB_TOKEN": TOKEN,
            "PRODUCTOPS_GITHUB_REPOSITORIES": "octo-org/api, octo-org/web",
            "PRODUCTOPS_GITHUB_OVERLAP": "120",
            "PRODUCTOPS_GITHUB_MAPPING": '{"key_format": "{owner}/{repo}#{number}"}',
        },
        config_file=None,
    )
    assert settings.repositories == ("octo-org/api", "octo-org/web")
    assert settings.overlap == timedelta(seconds=120)
    assert settings.mapping.key("octo-org", "api", 3) == "octo-org/api#3"
    assert settings.sources["token"] == "environment variable PRODUCTOPS_GITHUB_TOKEN"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"repositories": "no-slash"}, "not 'owner/name'"),
        ({"repositories": ""}, "at least one repository"),
        ({"repositories": REPO, "page_size": 101}, "page_size"),
        ({"repositories": REPO, "mapping": {"key_format": "{id}"}}, "key_format"),
        ({"repositories": REPO, "mapping": {"closed_status": "Open"}}, "must differ"),
    ],
)
def test_bad_settings_name_the_setting_and_never_the_token(
    values: dict[str, Any], message: str
) -> None:
    with pytest.raises(adapters.AdapterConfigError, match=message) as info:
        GitHubSettings.resolve({"token": TOKEN, **values}, env={}, config_file=None)
    assert TOKEN not in str(info.value)


def test_plain_http_to_a_real_host_is_refused() -> None:
    with pytest.raises(adapters.AdapterConfigError, match="https"):
        GitHubAdapter(
            settings=GitHubSettings(
                token=TOKEN, repositories=REPO, base_url="http://github.invalid/api/v3"
            )
        )


def test_the_adapter_is_a_work_tracker_and_hides_its_token() -> None:
    fake = FakeGitHub()
    adapter = make(fake)
    assert isinstance(adapter, adapters.WorkTracker)
    assert TOKEN not in repr(adapter)
    assert TOKEN not in repr(adapter.settings)


def test_every_request_carries_the_documented_headers() -> None:
    seen: list[httpx.Headers] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers)
        return httpx.Response(200, json=[])

    adapter = GitHubAdapter(
        token=TOKEN,
        repositories=REPO,
        base_url="http://127.0.0.1",
        transport=httpx.MockTransport(handler),
    )
    list(adapter.releases())
    (headers,) = seen
    assert headers["accept"] == "application/vnd.github+json"
    assert headers["x-github-api-version"] == "2022-11-28"
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert headers["user-agent"].startswith("productops/")


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"key_format": "{repo}#{number}{unknown}"}, "unknown placeholders"),
        ({"key_format": "{repo}#{number"}, "key_format"),
        ({"status_label_prefix": ""}, "use None to switch off"),
        ({"open_status": " "}, "must not be empty"),
        ({"categories": {"Done": "active"}}, "closed status must be 'done'"),
        ({"categories": {"Open": "done"}}, "the open status is done"),
        ({"status_labels": {"wip": ""}}, "empty statuses"),
    ],
)
def test_mapping_rules_are_checked(rules: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        GitHubMapping.model_validate(rules)


def test_mapping_reads_labels_by_name_and_by_prefix() -> None:
    mapping = GitHubMapping(
        status_labels={"wip": "In Progress"}, team_label_prefix=None
    )
    parts = mapping.split_labels(
        ["wip", "estimate: big", "estimate: -1", "estimate: 5", "team: core", "type: "]
    )
    assert parts["statuses"] == ["In Progress"]
    assert parts["estimate"] == 5.0
    assert parts["team"] is None
    assert parts["labels"] == ["estimate: big", "estimate: -1", "team: core", "type: "]
    assert mapping.status_label("In Progress") == "wip"
    with pytest.raises(po.errors.InvalidInputError, match="no label maps"):
        GitHubMapping(status_label_prefix=None).status_label("In Review")
    with pytest.raises(po.errors.InvalidInputError, match="key_format"):
        mapping.parse_key("APP-1")


def test_settings_or_values_but_not_both() -> None:
    settings = GitHubSettings(token=TOKEN, repositories=REPO)
    with pytest.raises(adapters.AdapterConfigError, match="not both"):
        GitHubAdapter(settings=settings, page_size=10)
    with pytest.raises(ValueError, match="must not be negative"):
        GitHubSettings(token=TOKEN, repositories=REPO, overlap=-5)


# -- reading work items --------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> po.Workspace:
    return load_demo()


def test_demo_items_round_trip_with_their_history(demo: po.Workspace) -> None:
    items = demo.work_items[:60]
    fake = FakeGitHub(po.Workspace(work_items=items, process=demo.process), mapping=APP)
    got = {work_item.key: work_item for work_item in make(fake).work_items()}
    assert set(got) == {work_item.key for work_item in items}
    for original in items:
        expected = original.evolve(
            url=got[original.key].url,
            source="github",
            parent=None,
            links=(),
            releases=original.releases[:1],
        )
        assert got[original.key] == expected


def test_link_headers_are_followed_verbatim_to_repositories_by_id() -> None:
    fake = FakeGitHub(workspace(7), mapping=APP, faults=Faults(page_size=3))
    keys = [work_item.key for work_item in make(fake, history=False).work_items()]
    assert keys == [f"APP-{n}" for n in range(1, 8)]
    listed = [r for r in fake.requests if r.path.endswith("/issues")]
    assert [r.path for r in listed] == [
        "/repos/octo-org/octo-repo/issues",
        "/repositories/1000/issues",
        "/repositories/1000/issues",
    ]
    assert [r.query.get("page") for r in listed] == [None, "2", "3"]
    assert listed[1].query["sort"] == "updated"


def test_issues_are_read_oldest_update_first_with_since() -> None:
    fake = FakeGitHub(workspace(5), mapping=APP)
    since = T0 + timedelta(minutes=3)
    keys = [i.key for i in make(fake, history=False).work_items(updated_since=since)]
    assert keys == ["APP-3", "APP-4", "APP-5"]
    (request,) = fake.requests
    assert request.query == {
        "state": "all",
        "sort": "updated",
        "direction": "asc",
        "per_page": "100",
        "since": "2026-01-05T09:03:00Z",
    }


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("include", ["APP-1", "APP-2"]),
        ("exclude", ["APP-1"]),
        ("only", ["APP-2"]),
    ],
)
def test_pull_requests_can_be_included_left_out_or_read_alone(
    choice: str, expected: list[str]
) -> None:
    items = [item(1, type="issue"), item(2, type="pull request")]
    fake = FakeGitHub(po.Workspace(work_items=items), mapping=APP)
    got = list(make(fake, pull_requests=choice, history=False).work_items())
    assert [work_item.key for work_item in got] == expected
    assert all(
        work_item.type == ("pull request" if work_item.key == "APP-2" else "issue")
        for work_item in got
    )


def test_a_query_passes_documented_filters_and_refuses_others() -> None:
    items = [item(1, labels=("ux",)), item(2, labels=("api",))]
    fake = FakeGitHub(po.Workspace(work_items=items), mapping=APP)
    adapter = make(fake, history=False)
    assert [i.key for i in adapter.work_items(query="labels=ux")] == ["APP-1"]
    with pytest.raises(po.errors.InvalidInputError, match="unknown issue filters"):
        list(adapter.work_items(query="jql=project = APP"))


def test_progress_is_reported_after_every_page() -> None:
    fake = FakeGitHub(workspace(5), mapping=APP, faults=Faults(page_size=2))
    seen: list[adapters.Progress] = []
    list(make(fake, history=False).work_items(progress=seen.append))
    assert [(p.stage, p.done) for p in seen] == [
        ("issues", 2),
        ("issues", 4),
        ("issues", 5),
    ]
    assert seen[-1].requests == 3


def test_labels_give_type_priority_team_estimate_and_milestone_the_release() -> None:
    original = item(
        4,
        "In Review",
        history=((30, "Open", "Ready"), (90, "Ready", "In Review")),
        type="bug",
        priority="High",
        team="payments",
        estimate=2.5,
        labels=("ux", "quick-win"),
        releases=("2026.1",),
        assignee="ann",
    )
    fake = FakeGitHub(po.Workspace(work_items=[original]), mapping=APP)
    (got,) = make(fake).work_items()
    assert strip_url(got) == original
    assert [(c.from_status, c.to_status) for c in got.history] == [
        ("Open", "Ready"),
        ("Ready", "In Review"),
    ]


def test_project_columns_can_carry_the_status() -> None:
    mapping = APP.model_copy(update={"status_source": "project_columns"})
    mapping = GitHubMapping.model_validate(mapping.model_dump())
    original = item(1, "Done", history=((10, "Todo", "Doing"), (70, "Doing", "Done")))
    fake = FakeGitHub(po.Workspace(work_items=[original]), mapping=mapping)
    (got,) = make(fake).work_items()
    assert strip_url(got) == original
    events = [r for r in fake.requests if r.path.endswith("/timeline")]
    assert events, "the history came from the timeline"


def test_closed_as_not_planned_has_its_own_status() -> None:
    mapping = APP.model_copy(update={"not_planned_status": "Won't do"})
    mapping = GitHubMapping.model_validate(mapping.model_dump())
    original = item(1, "Won't do", history=((5, "Open", "Won't do"),))
    fake = FakeGitHub(po.Workspace(work_items=[original]), mapping=mapping)
    (got,) = make(fake).work_items()
    assert got.status == "Won't do"
    assert got.history[0].to_status == "Won't do"


statuses = st.from_regex(r"[A-Z][a-z]{2,7}( [A-Z][a-z]{2,7})?", fullmatch=True)
logins = st.from_regex(r"[a-z][a-z0-9-]{2,10}", fullmatch=True)
moments = st.integers(0, 10**9).map(
    lambda seconds: datetime(2015, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
)


@st.composite
def github_items(draw: st.DrawFn, number: int) -> po.WorkItem:
    """Work items in the subset of the model an issue can carry."""
    created = draw(moments)
    chain = draw(st.lists(statuses, min_size=1, max_size=5))
    chain = [s for i, s in enumerate(chain) if i == 0 or s != chain[i - 1]]
    at, history = created, []
    for previous, status in pairwise(chain):
        at += timedelta(seconds=draw(st.integers(1, 10**6)))
        history.append(
            po.StatusChange(
                at=at,
                from_status=previous,
                to_status=status,
                author=draw(st.none() | logins),
            )
        )
    tags = draw(st.lists(st.from_regex(r"[a-z]{3,8}", fullmatch=True), max_size=3))
    return po.WorkItem(
        key=f"APP-{number}",
        title=draw(
            st.text(
                st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                max_size=30,
            )
        ).strip(),
        type=draw(st.sampled_from(["issue", "story", "bug", "pull request"])),
        status=chain[-1],
        created=created,
        updated=at + timedelta(seconds=draw(st.integers(0, 10**5))),
        resolved=draw(st.none() | st.just(at)),
        assignee=draw(st.none() | logins),
        team=draw(st.none() | st.sampled_from(["payments", "growth"])),
        priority=draw(st.none() | st.sampled_from(["High", "P2"])),
        labels=tuple(dict.fromkeys(tags)),
        estimate=draw(
            st.none() | st.floats(0, 100, allow_nan=False, allow_infinity=False)
        ),
        releases=draw(st.sampled_from([(), ("2026.1",)])),
        source="github",
        history=history,
    )


@st.composite
def github_workspaces(draw: st.DrawFn) -> po.Workspace:
    count = draw(st.integers(1, 4))
    return po.Workspace(work_items=[draw(github_items(n)) for n in range(1, count + 1)])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(github_workspaces(), st.sampled_from(["labels", "project_columns"]))
def test_generated_workspaces_round_trip_unchanged(
    space: po.Workspace, source: str
) -> None:
    mapping = GitHubMapping(key_format="APP-{number}", status_source=source)  # type: ignore[arg-type]
    fake = FakeGitHub(space, mapping=mapping, faults=Faults(page_size=2))
    got = sorted(make(fake).work_items(), key=lambda work_item: work_item.key)
    assert [strip_url(work_item) for work_item in got] == sorted(
        space.work_items, key=lambda work_item: work_item.key
    )


@st.composite
def github_releases(draw: st.DrawFn) -> po.Workspace:
    """Releases and deployments in the subset GitHub can carry."""
    releases, number = [], 0
    for index in range(draw(st.integers(0, 3))):
        status = draw(st.sampled_from(["planned", "in_progress", "released"]))
        deployments = []
        for _ in range(draw(st.integers(0, 3))):
            number += 1
            deployments.append(
                po.Deployment(
                    key=f"DEP-{number}",
                    service=draw(st.sampled_from(["api", "web"])),
                    environment=draw(st.sampled_from(["production", "staging"])),
                    deployed_at=draw(moments),
                    status=draw(st.sampled_from(list(po.DeploymentStatus))),
                    version=draw(st.from_regex(r"v[0-9]\.[0-9]{1,2}", fullmatch=True)),
                    release=draw(st.none() | st.just(f"r{index}")),
                    items=tuple(f"APP-{n}" for n in draw(st.sets(st.integers(1, 9)))),
                )
            )
        releases.append(
            po.Release(
                key=f"r{index}",
                name=draw(statuses),
                version=f"r{index}",
                status=status,
                released_at=draw(moments) if status == "released" else None,
                description=draw(st.text(max_size=20)).strip(),
                deployments=deployments,
            )
        )
    return po.Workspace(releases=releases)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(github_releases())
def test_generated_releases_and_deployments_round_trip(space: po.Workspace) -> None:
    fake = FakeGitHub(space, mapping=APP, faults=Faults(page_size=2))
    adapter = make(fake)
    assert sorted(adapter.releases(), key=lambda r: r.key) == [
        release.evolve(deployments=()) for release in space.releases
    ]
    expected = [d for release in space.releases for d in release.deployments]
    got = sorted(adapter.deployments(), key=lambda d: int(d.key[4:]))
    assert got == expected


# -- conditional requests and incremental sync ---------------------------------------


def test_a_304_reuses_the_cached_page_and_spends_no_budget() -> None:
    fake = FakeGitHub(workspace(4), mapping=APP)
    adapter = make(fake)
    first = list(adapter.work_items())
    budget = fake.rate_limit_remaining
    second = list(adapter.work_items())
    assert second == first
    assert adapter.not_modified == 5  # the issue list and four timelines
    assert fake.rate_limit_remaining == budget
    conditional = [r for r in fake.requests if r.status == 304]
    assert len(conditional) == 5
    assert adapter.rate_limit is not None
    assert adapter.rate_limit.remaining == budget


def sync_all(
    adapter: GitHubAdapter, cursor: GitHubCursor | str | None = None
) -> tuple[list[po.WorkItem], str, list[bool]]:
    items: list[po.WorkItem] = []
    saved = cursor.to_json() if isinstance(cursor, GitHubCursor) else cursor
    flags = []
    for page in adapter.sync(saved):
        items += page.items
        saved = page.cursor.to_json()  # what a caller stores after each page
        flags.append(page.not_modified)
    assert saved is not None
    return items, saved, flags


def test_sync_reads_everything_then_only_what_changed() -> None:
    now = [T0.timestamp() + 86400]
    fake = FakeGitHub(
        workspace(7), mapping=APP, faults=Faults(page_size=3), clock=lambda: now[0]
    )
    adapter = make(fake)
    items, saved, _ = sync_all(adapter)
    assert [i.key for i in items] == [f"APP-{n}" for n in range(1, 8)]
    assert sync_all(adapter, saved)[0] == []  # the overlap re-read is de-duplicated
    moved = adapter.transition("APP-2", to_status="In Progress")
    changed, saved, _ = sync_all(adapter, saved)
    assert changed == [moved]
    assert changed[0].history[-1].to_status == "In Progress"
    state = GitHubCursor.from_json(saved).repositories[REPO]
    assert state.watermark == moved.updated
    assert state.next is None


def test_a_new_process_resumes_with_the_saved_etags() -> None:
    fake = FakeGitHub(workspace(3), mapping=APP)
    _, saved, _ = sync_all(make(fake))
    _, saved, _ = sync_all(make(fake), saved)  # moves since to the overlap window
    budget = fake.rate_limit_remaining
    items, _, flags = sync_all(make(fake), saved)  # nothing held in memory
    assert items == []
    assert flags == [True]
    assert fake.rate_limit_remaining == budget


def test_a_sync_killed_mid_way_resumes_at_the_next_page() -> None:
    fake = FakeGitHub(
        workspace(7), mapping=APP, faults=Faults(page_size=3, malformed_at=(2,))
    )
    adapter = make(fake, history=False)
    pages = adapter.sync()
    first = next(pages)
    with pytest.raises(adapters.ResponseFormatError, match="not valid JSON"):
        next(pages)
    rest, _, _ = sync_all(adapter, first.cursor)
    assert [i.key for i in first.items + tuple(rest)] == [
        f"APP-{n}" for n in range(1, 8)
    ]
    pages_asked = [r.query.get("page") for r in fake.requests]
    assert pages_asked == [None, "2", "2", "3"]


def test_a_cursor_that_is_not_json_is_refused() -> None:
    with pytest.raises(po.errors.InvalidInputError, match="not a GitHubCursor"):
        list(make(FakeGitHub()).sync('{"version": 9}'))


# -- faults --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "low", "high"),
    [("secondary", 7.0, 7.0), ("429", 7.0, 7.0), ("primary", 5.5, 7.0)],
)
def test_rate_limits_wait_as_github_asks_and_lose_nothing(
    kind: str, low: float, high: float
) -> None:
    fake = FakeGitHub(
        workspace(6),
        mapping=APP,
        rate_limit=kind,  # type: ignore[arg-type]
        faults=Faults(page_size=2, rate_limit_every=3, retry_after=7),
    )
    sleeps: list[float] = []
    keys = [i.key for i in make(fake, sleeps=sleeps, concurrency=1).work_items()]
    assert keys == [f"APP-{n}" for n in range(1, 7)]
    assert sleeps
    assert all(low <= wait <= high for wait in sleeps)
    refused = [r for r in fake.requests if r.status in (403, 429)]
    assert len(refused) == len(sleeps)


def test_a_rate_limit_that_outlasts_the_retries_is_raised() -> None:
    fake = FakeGitHub(workspace(1), mapping=APP, faults=Faults(rate_limit_every=1))
    with pytest.raises(adapters.RateLimitedError) as info:
        list(make(fake, retry=adapters.RetryPolicy(attempts=2)).work_items())
    assert info.value.status_code == 403
    assert info.value.retry_after == 1.0
    assert "secondary rate limit" in info.value.body


def test_server_errors_and_dropped_connections_are_retried() -> None:
    fake = FakeGitHub(
        workspace(4),
        mapping=APP,
        faults=Faults(page_size=2, error_burst=(2, 2), drop_at=(5,)),
    )
    sleeps: list[float] = []
    keys = [i.key for i in make(fake, sleeps=sleeps, concurrency=1).work_items()]
    assert keys == ["APP-1", "APP-2", "APP-3", "APP-4"]
    assert len(sleeps) == 3
    assert [r.fault for r in fake.requests if r.fault] == [
        "server_error",
        "server_error",
        "drop",
    ]


def test_a_malformed_body_is_an_error_not_a_partial_result() -> None:
    fake = FakeGitHub(workspace(2), mapping=APP, faults=Faults(malformed_at=(1,)))
    with pytest.raises(adapters.ResponseFormatError) as info:
        list(make(fake).work_items())
    assert "/repos/octo-org/octo-repo/issues" in info.value.request


def test_a_refused_token_names_its_source_never_its_value() -> None:
    fake = FakeGitHub(workspace(1), token="the-right-one")
    adapter = GitHubAdapter(
        token=TOKEN,
        repositories=REPO,
        base_url=fake.base_url,
        transport=fake.transport(),
    )
    with pytest.raises(adapters.AuthenticationError) as info:
        list(adapter.work_items())
    assert info.value.status_code == 401
    assert "token from argument" in str(info.value)
    assert TOKEN not in str(info.value)
    assert TOKEN not in info.value.body
    assert json.loads(info.value.body)["message"] == "Bad credentials"


def test_an_unknown_repository_is_not_found() -> None:
    fake = FakeGitHub(workspace(1))
    with pytest.raises(adapters.NotFoundError):
        list(make(fake, repositories="octo-org/missing").work_items())


def test_payloads_not_in_githubs_shape_list_every_bad_record() -> None:
    bad = [
        {"number": 1, "title": "a", "state": "open", "updated_at": "2026-01-01T00:00Z"},
        {"number": 2, "title": "b", "state": "open", "created_at": "soon"},
    ]
    adapter = GitHubAdapter(
        token=TOKEN,
        repositories=REPO,
        base_url="http://127.0.0.1",
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json=bad)),
    )
    with pytest.raises(adapters.ResponseFormatError) as info:
        list(adapter.work_items())
    message = str(info.value)
    assert "issue #0 (1) field created_at" in message
    assert "issue #1 (2) field created_at" in message
    assert "issue #1 (2) field updated_at" in message


def test_bad_queries_and_projects_are_refused() -> None:
    adapter = make(FakeGitHub(workspace(1)))
    with pytest.raises(po.errors.InvalidInputError, match="not name=value"):
        list(adapter.work_items(query="labels"))
    with pytest.raises(po.errors.InvalidInputError, match="names no repository"):
        list(adapter.releases(project="elsewhere"))


def test_a_deployment_payload_may_be_json_text() -> None:
    payload = json.dumps({"service": "billing", "items": ["APP-1", 7, ""]})

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/statuses"):
            return httpx.Response(
                200,
                json=[
                    {"id": 2, "state": "error", "created_at": "2026-01-01T10:05:00Z"},
                    {"id": 1, "state": "queued", "created_at": "2026-01-01T10:00:00Z"},
                ],
            )
        deployment = {"id": 9, "sha": "abc", "payload": payload}
        deployment["created_at"] = "2026-01-01T09:59:00Z"
        return httpx.Response(200, json=[deployment, {**deployment, "id": 10}])

    adapter = GitHubAdapter(
        token=TOKEN,
        repositories=REPO,
        base_url="http://127.0.0.1",
        transport=httpx.MockTransport(handler),
    )
    first, _ = adapter.deployments()
    assert (first.service, first.items, first.version) == ("billing", ("APP-1",), "abc")
    assert (first.status, first.environment) == (
        po.DeploymentStatus.FAILURE,
        "production",
    )


def test_a_link_header_pointing_back_is_an_error_not_a_loop() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        link = '<http://127.0.0.1/repositories/1/releases?page=1>; rel="next"'
        return httpx.Response(200, json=[], headers={"Link": link})

    adapter = GitHubAdapter(
        token=TOKEN,
        repositories=REPO,
        base_url="http://127.0.0.1",
        transport=httpx.MockTransport(handler),
    )
    with pytest.raises(adapters.ResponseFormatError, match="pointed back"):
        list(adapter.releases())


# -- writes --------------------------------------------------------------------------


@pytest.fixture
def clock() -> list[float]:
    return [T0.timestamp() + 86400]


def test_transition_moves_labels_closes_and_reopens(clock: list[float]) -> None:
    fake = FakeGitHub(
        po.Workspace(work_items=[item(1, type="issue", labels=("ux",))]),
        mapping=APP,
        clock=lambda: clock[0],
    )
    adapter = make(fake)
    clock[0] += 60
    assert adapter.transition("APP-1", to_status="In Progress").labels == ("ux",)
    clock[0] += 60
    done = adapter.transition("APP-1", to_status="Done")
    clock[0] += 60
    again = adapter.transition("APP-1", to_status="In Review")
    assert done.status == "Done"
    assert done.resolved is not None
    assert [(c.from_status, c.to_status) for c in again.history] == [
        ("Open", "In Progress"),
        ("In Progress", "Done"),
        ("Done", "In Review"),
    ]
    patches = [r.json for r in fake.requests if r.method == "PATCH"]
    assert patches == [
        {"labels": ["ux", "status: In Progress"]},
        {"labels": ["ux"], "state": "closed", "state_reason": "completed"},
        {
            "labels": ["ux", "status: In Review"],
            "state": "open",
            "state_reason": "reopened",
        },
    ]
    assert adapter.work_item("APP-1") == again


def test_create_item_and_comment(clock: list[float]) -> None:
    fake = FakeGitHub(mapping=APP, clock=lambda: clock[0])
    adapter = make(fake)
    created = adapter.create_item(
        project="octo-repo",
        title="Export to CSV",
        type="bug",
        priority="High",
        labels=["ux"],
        assignee="ann",
        body="Steps to reproduce...",
        status="Ready",
    )
    assert (created.key, created.type, created.priority, created.status) == (
        "APP-1",
        "bug",
        "High",
        "Ready",
    )
    assert created.labels == ("ux",)
    assert created.assignee == "ann"
    adapter.comment("APP-1", "Needs a design review")
    (posted,) = [r for r in fake.requests if r.path.endswith("/comments")]
    assert posted.json == {"body": "Needs a design review"}
    with pytest.raises(po.errors.InvalidInputError, match="estimat"):
        adapter.create_item(project="octo-repo", title="x", estimat=3)


def test_columns_cannot_be_moved_through_the_rest_api() -> None:
    mapping = GitHubMapping(status_source="project_columns", key_format="APP-{number}")
    adapter = make(FakeGitHub(workspace(1), mapping=mapping))
    with pytest.raises(adapters.AdapterError, match="project columns"):
        adapter.transition("APP-1", to_status="Doing")


def test_keys_must_name_one_configured_repository() -> None:
    fake = FakeGitHub(workspace(1))
    adapter = make(fake, repositories="octo-org/octo-repo other/octo-repo")
    with pytest.raises(po.errors.InvalidInputError, match="more than one"):
        adapter.comment("octo-repo#1", "hello")
    with pytest.raises(po.errors.InvalidInputError, match="key_format"):
        adapter.comment("APP-1", "hello")


# -- releases, deployments, dependencies, process ------------------------------------


def test_releases_and_deployments_round_trip() -> None:
    deployed = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    deployments = [
        po.Deployment(
            key=f"DEP-{n}",
            service="core-api",
            environment=environment,
            deployed_at=deployed + timedelta(hours=n),
            status=status,
            version=f"2.{n}.0",
            release="2026.1",
            items=("APP-1",) if n == 1 else (),
        )
        for n, environment, status in (
            (1, "production", po.DeploymentStatus.SUCCESS),
            (2, "staging", po.DeploymentStatus.FAILURE),
            (3, "production", po.DeploymentStatus.ROLLED_BACK),
        )
    ]
    releases = [
        po.Release(
            key="2026.1",
            name="Spring release",
            version="2026.1",
            status="released",
            released_at=deployed,
            description="Checkout and SSO",
            deployments=deployments,
        ),
        po.Release(key="2026.2", name="Summer", version="2026.2", status="planned"),
        po.Release(key="2026.3", name="Beta", version="2026.3", status="in_progress"),
    ]
    fake = FakeGitHub(po.Workspace(releases=releases), mapping=APP)
    adapter = make(fake)
    assert sorted(adapter.releases(), key=lambda r: r.key) == [
        release.evolve(deployments=()) for release in releases
    ]
    assert sorted(adapter.deployments(), key=lambda d: d.key) == deployments
    staging = list(adapter.deployments(environment="staging"))
    assert [d.key for d in staging] == ["DEP-2"]


def test_dependencies_come_from_blocked_by() -> None:
    items = [
        item(1, links=(po.Link(kind="is blocked by", target="APP-2"),)),
        item(2, "Done"),
        item(3, links=(po.Link(kind="blocks", target="APP-1"),)),
    ]
    fake = FakeGitHub(po.Workspace(work_items=items), mapping=APP)
    found = sorted(make(fake).dependencies(), key=lambda d: (d.downstream, d.upstream))
    assert [(d.upstream, d.downstream, d.status.value) for d in found] == [
        ("APP-2", "APP-1", "resolved"),
        ("APP-3", "APP-1", "open"),
    ]


def test_the_default_process_and_one_ordered_by_categories() -> None:
    items = [item(1, "In Review"), item(2, "Ready")]
    fake = FakeGitHub(po.Workspace(work_items=items), mapping=APP)
    process = make(fake).process(project=REPO)
    assert process.state_names == ("Open", "In Review", "Ready", "Done")
    assert process.state("Ready").category_guessed
    ordered = GitHubMapping(
        categories={"Ready": "queue", "In Review": "active"}  # type: ignore[dict-item]
    ).process(["status: In Review", "status: Ready"])
    assert ordered.state_names == ("Open", "Ready", "In Review", "Done")
    assert ordered.commitment_state == "Ready"
    assert not ordered.state("Ready").category_guessed


# -- real HTTP on the loopback interface, and GitHub Enterprise Server ---------------


def test_a_served_fake_under_api_v3_answers_real_http() -> None:
    fake = FakeGitHub(workspace(3), mapping=APP, faults=Faults(page_size=2))
    with fake.serve() as url:
        settings = GitHubSettings(
            token=TOKEN, repositories=REPO, base_url=f"{url}/api/v3", mapping=APP
        )
        with GitHubAdapter(settings=settings) as adapter:
            keys = [i.key for i in adapter.work_items()]
    assert keys == ["APP-1", "APP-2", "APP-3"]
    assert fake.requests[0].path == "/api/v3/repos/octo-org/octo-repo/issues"
    assert fake.requests[-1].path.startswith("/api/v3/")


# -- recorded fixtures and OpenAPI examples ------------------------------------------


def fixture(name: str) -> dict[str, Any]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    # Keep every request on the loopback interface.
    return json.loads(text.replace("https://api.github.com", "http://127.0.0.1"))


def replay(*responses: dict[str, Any]) -> Callable[[httpx.Request], httpx.Response]:
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        recorded = queue.pop(0) if len(queue) > 1 else queue[0]
        answer = recorded["response"]
        return httpx.Response(
            answer["status"], json=answer["body"], headers=answer["headers"]
        )

    return handler


@needs_fixtures
def test_fixture_issue_pages_parse_and_page_by_link_header() -> None:
    adapter = GitHubAdapter(
        token=TOKEN,
        repositories="octokit-fixture-org/paginate-issues",
        base_url="http://127.0.0.1",
        history=False,
        transport=httpx.MockTransport(
            replay(
                fixture("issues-list-page1.json"), fixture("issues-list-last-page.json")
            )
        ),
    )
    got = list(adapter.work_items())
    assert [i.key for i in got] == [
        "paginate-issues#13",
        "paginate-issues#12",
        "paginate-issues#11",
        "paginate-issues#1",
    ]
    assert {(i.status, i.type, i.created.isoformat()) for i in got} == {
        ("Open", "issue", "2017-10-10T16:00:00+00:00")
    }
    assert adapter.rate_limit == RateLimitStatus(
        5000, 4999, 1, datetime(2017, 10, 10, 16, tzinfo=UTC), "core"
    )


@needs_fixtures
def test_fixture_release_parses() -> None:
    adapter = GitHubAdapter(
        token=TOKEN,
        repositories="octokit-fixture-org/release-assets",
        base_url="http://127.0.0.1",
        transport=httpx.MockTransport(replay(fixture("releases-list.json"))),
    )
    (release,) = adapter.releases()
    assert release == po.Release(
        key="v1.0.0",
        name="Version 1.0.0",
        version="v1.0.0",
        status="released",
        released_at="2017-10-10T16:00:00Z",
        description="Initial release",
    )


@needs_fixtures
@pytest.mark.parametrize(
    ("name", "wait"),
    [("rate-limited-primary-403.json", 0.0), ("rate-limited-secondary-403.json", 60.0)],
)
def test_fixture_rate_limits_are_retried_after_githubs_wait(
    name: str, wait: float
) -> None:
    ok = {"response": {"status": 200, "headers": {}, "body": []}}
    sleeps: list[float] = []
    adapter = GitHubAdapter(
        token=TOKEN,
        repositories="octo-org/octo-repo",
        base_url="http://127.0.0.1",
        transport=httpx.MockTransport(replay(fixture(name), ok)),
        sleep=sleeps.append,
    )
    assert list(adapter.work_items()) == []
    assert sleeps == [wait]  # the primary fixture's reset lies in the past


# From the OpenAPI examples (deref.yaml): GET .../deployments/{deployment_id}
# ("default" example) and GET .../deployments/{deployment_id}/statuses.
SPEC_DEPLOYMENT = {
    "url": "http://127.0.0.1/repos/octocat/example/deployments/1",
    "id": 1,
    "node_id": "MDEwOkRlcGxveW1lbnQx",
    "sha": "a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d",
    "ref": "topic-branch",
    "task": "deploy",
    "payload": {},
    "original_environment": "staging",
    "environment": "production",
    "description": "Deploy request from hubot",
    "creator": {"login": "octocat", "id": 1},
    "created_at": "2012-07-20T01:19:13Z",
    "updated_at": "2012-07-20T01:19:13Z",
    "statuses_url": "http://127.0.0.1/repos/octocat/example/deployments/1/statuses",
    "repository_url": "http://127.0.0.1/repos/octocat/example",
    "transient_environment": False,
    "production_environment": True,
}
SPEC_STATUS = {
    "url": "http://127.0.0.1/repos/octocat/example/deployments/42/statuses/1",
    "id": 1,
    "node_id": "MDE2OkRlcGxveW1lbnRTdGF0dXMx",
    "state": "success",
    "creator": {"login": "octocat", "id": 1},
    "description": "Deployment finished successfully.",
    "environment": "production",
    "target_url": "https://example.com/deployment/42/output",
    "created_at": "2012-07-20T01:19:13Z",
    "updated_at": "2012-07-20T01:19:13Z",
    "deployment_url": "http://127.0.0.1/repos/octocat/example/deployments/42",
    "repository_url": "http://127.0.0.1/repos/octocat/example",
    "environment_url": "https://test-branch.lab.acme.com",
    "log_url": "https://example.com/deployment/42/output",
}
# The timeline example of issues/list-events-for-timeline (trimmed users).
SPEC_TIMELINE = [
    {
        "id": 6430295168,
        "event": "locked",
        "actor": {"login": "github"},
        "created_at": "2022-04-13T20:49:13Z",
        "lock_reason": None,
    },
    {
        "id": 6430296748,
        "event": "labeled",
        "actor": {"login": "github-product-roadmap"},
        "created_at": "2022-04-13T20:49:34Z",
        "label": {"name": "beta", "color": "99dd88"},
    },
    {
        "id": 6635165802,
        "event": "renamed",
        "actor": {"login": "github-product-roadmap"},
        "created_at": "2022-05-18T19:29:01Z",
        "rename": {"from": "a", "to": "b"},
    },
    {
        "id": 1130876857,
        "event": "commented",
        "user": {"login": "octocat"},
        "actor": {"login": "octocat"},
        "created_at": "2022-05-19T00:52:15Z",
        "body": "Shipped",
    },
]


def test_the_spec_deployment_example_maps_to_a_deployment() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/statuses"):
            return httpx.Response(200, json=[SPEC_STATUS])
        return httpx.Response(200, json=[SPEC_DEPLOYMENT])

    adapter = GitHubAdapter(
        token=TOKEN,
        repositories="octocat/example",
        base_url="http://127.0.0.1",
        transport=httpx.MockTransport(handler),
    )
    assert list(adapter.deployments()) == [
        po.Deployment(
            key="example/deployments/1",
            service="example",
            environment="production",
            deployed_at="2012-07-20T01:19:13Z",
            status="success",
            version="topic-branch",
        )
    ]


def test_the_spec_timeline_example_gives_history_from_a_status_label() -> None:
    issue = {
        "number": 493,
        "title": "Secret scanning",
        "state": "open",
        "labels": [{"name": "beta"}],
        "created_at": "2022-04-13T20:49:00Z",
        "updated_at": "2022-05-19T00:52:15Z",
    }

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/timeline"):
            return httpx.Response(200, json=SPEC_TIMELINE)
        return httpx.Response(200, json=[issue])

    adapter = GitHubAdapter(
        token=TOKEN,
        repositories="github/roadmap",
        base_url="http://127.0.0.1",
        mapping={"status_labels": {"beta": "Beta"}},
        transport=httpx.MockTransport(handler),
    )
    (got,) = adapter.work_items()
    assert got.status == "Beta"
    assert got.history == (
        po.StatusChange(
            at="2022-04-13T20:49:34Z",
            from_status="Open",
            to_status="Beta",
            author="github-product-roadmap",
        ),
    )


# -- the contract: every request matches a documented operation ----------------------

# Transcribed from api.github.com.2022-11-28.yaml (commit 0000036e42b5…): method,
# path, operationId, query parameters (path parameters aside), request body
# properties, required body properties. per_page/page are
# #/components/parameters/per-page and page; `exclude` is the inline timeline
# parameter; `since`, `labels`, `direction` are component parameters.
OPERATIONS: dict[tuple[str, str], tuple[str, set[str], set[str], set[str]]] = {
    ("GET", "/repos/{owner}/{repo}/issues"): (
        "issues/list-for-repo",
        {
            "milestone",
            "state",
            "assignee",
            "type",
            "creator",
            "mentioned",
            "issue_field_values",
            "labels",
            "sort",
            "direction",
            "since",
            "per_page",
            "page",
        },
        set(),
        set(),
    ),
    ("POST", "/repos/{owner}/{repo}/issues"): (
        "issues/create",
        set(),
        {
            "title",
            "body",
            "assignee",
            "milestone",
            "labels",
            "assignees",
            "issue_field_values",
            "type",
            "parent_issue_id",
        },
        {"title"},
    ),
    ("GET", "/repos/{owner}/{repo}/issues/{issue_number}"): (
        "issues/get",
        set(),
        set(),
        set(),
    ),
    ("PATCH", "/repos/{owner}/{repo}/issues/{issue_number}"): (
        "issues/update",
        set(),
        {
            "title",
            "body",
            "assignee",
            "state",
            "state_reason",
            "duplicate_issue_id",
            "milestone",
            "labels",
            "assignees",
            "issue_field_values",
            "type",
        },
        set(),
    ),
    ("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments"): (
        "issues/create-comment",
        set(),
        {"body"},
        {"body"},
    ),
    ("GET", "/repos/{owner}/{repo}/issues/{issue_number}/timeline"): (
        "issues/list-events-for-timeline",
        {"per_page", "page", "exclude"},
        set(),
        set(),
    ),
    ("GET", "/repos/{owner}/{repo}/issues/{issue_number}/dependencies/blocked_by"): (
        "issues/list-dependencies-blocked-by",
        {"per_page", "page"},
        set(),
        set(),
    ),
    ("GET", "/repos/{owner}/{repo}/labels"): (
        "issues/list-labels-for-repo",
        {"per_page", "page"},
        set(),
        set(),
    ),
    ("GET", "/repos/{owner}/{repo}/releases"): (
        "repos/list-releases",
        {"per_page", "page"},
        set(),
        set(),
    ),
    ("GET", "/repos/{owner}/{repo}/deployments"): (
        "repos/list-deployments",
        {"sha", "ref", "task", "environment", "per_page", "page"},
        set(),
        set(),
    ),
    ("GET", "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses"): (
        "repos/list-deployment-statuses",
        {"per_page", "page"},
        set(),
        set(),
    ),
}
ENUMS = {
    "state": {"open", "closed", "all"},
    "sort": {"created", "updated", "comments"},
    "direction": {"asc", "desc"},
}
PATCH_ENUMS = {
    "state": {"open", "closed"},
    "state_reason": {"completed", "not_planned", "duplicate", "reopened"},
}


def operation(method: str, path: str) -> tuple[str, set[str], set[str], set[str]]:
    path = path.removeprefix("/api/v3")
    # api.github.com's Link headers switch to /repositories/{id}/... (see
    # issues-list-page1.json); the adapter follows them verbatim.
    path = re.sub(r"^/repositories/[0-9]+", "/repos/{owner}/{repo}", path)
    path = re.sub(r"^/repos/[^/]+/[^/]+", "/repos/{owner}/{repo}", path)
    path = re.sub(r"/issues/[0-9]+", "/issues/{issue_number}", path)
    path = re.sub(r"/deployments/[0-9]+", "/deployments/{deployment_id}", path)
    assert (method, path) in OPERATIONS, (
        f"{method} {path} is not a documented operation"
    )
    return OPERATIONS[method, path]


def test_every_request_the_adapter_sends_is_a_documented_operation(
    demo: po.Workspace,
) -> None:
    space = po.Workspace(
        work_items=demo.work_items[:12], releases=demo.releases, process=demo.process
    )
    fake = FakeGitHub(space, mapping=APP, faults=Faults(page_size=5))
    adapter = make(fake)
    list(adapter.work_items(query="labels=ux&assignee=*"))
    saved = sync_all(adapter)[1]
    list(adapter.releases())
    list(adapter.deployments(environment="production"))
    list(adapter.dependencies(query="state=open"))
    adapter.process(project=REPO)
    created = adapter.create_item(project=REPO, title="New", labels=["ux"], body="b")
    adapter.transition(created.key, to_status="Done")
    adapter.transition(created.key, to_status="Open")
    adapter.comment(created.key, "hello")
    adapter.work_item(created.key)
    sync_all(adapter, saved)
    operations = set()
    for request in fake.requests:
        op_id, query, body, required = operation(request.method, request.path)
        operations.add(op_id)
        assert set(request.query) <= query, (op_id, request.query)
        for name, allowed in ENUMS.items():
            if name in request.query and request.method == "GET":
                assert request.query[name] in allowed
        if "per_page" in request.query:
            assert 1 <= int(request.query["per_page"]) <= 100
        if request.method in ("POST", "PATCH"):
            assert isinstance(request.json, dict)
            assert set(request.json) <= body, (op_id, request.json)
            assert required <= set(request.json)
            assert all(
                isinstance(label, str) for label in request.json.get("labels", [])
            )
        if request.method == "PATCH":
            for name, allowed in PATCH_ENUMS.items():
                if name in request.json:
                    assert request.json[name] in allowed
    assert len(operations) == len(OPERATIONS)


# -- webhooks ------------------------------------------------------------------------

SECRET = "It's a Secret to Everybody"
SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_webhook_signature_matches_githubs_documented_example() -> None:
    assert verify_webhook(SECRET, b"Hello, World!", SIGNATURE)
    assert verify_webhook(SecretStr(SECRET), b"Hello, World!", SIGNATURE)
    assert verify_webhook(
        SECRET.encode(),
        bytearray(b"Hello, World!"),
        SIGNATURE.upper().replace("SHA256", "sha256"),
    )


@pytest.mark.parametrize(
    ("secret", "body", "header"),
    [
        ("It's a secret to everybody", b"Hello, World!", SIGNATURE),
        (SECRET, b"Hello, World!!", SIGNATURE),
        (SECRET, b"Hello, World!", None),
        (SECRET, b"Hello, World!", ""),
        (SECRET, b"Hello, World!", SIGNATURE.replace("sha256", "sha1")),
        (SECRET, b"Hello, World!", SIGNATURE[:-2]),
        (SECRET, b"Hello, World!", "sha256=" + "é" * 64),
    ],
)
def test_webhook_deliveries_that_do_not_match_are_refused(
    secret: str, body: bytes, header: str | None
) -> None:
    assert verify_webhook(secret, body, header) is False


def test_webhook_verification_needs_raw_bytes_and_a_secret() -> None:
    with pytest.raises(TypeError, match="raw request body"):
        verify_webhook(SECRET, "Hello, World!", SIGNATURE)  # type: ignore[arg-type]
    with pytest.raises(adapters.AdapterConfigError, match="secret is empty"):
        verify_webhook("", b"Hello, World!", SIGNATURE)


@pytest.fixture
def no_plugins() -> Iterator[None]:
    from productops.adapters import _registry

    _registry._reset()
    yield
    _registry._reset()


@pytest.mark.usefixtures("no_plugins")
def test_the_registry_builds_it_by_name() -> None:
    adapters.register("github", GitHubAdapter, replace=True)
    fake = FakeGitHub(workspace(1), mapping=APP)
    adapter = adapters.get(
        "github",
        token=TOKEN,
        repositories=REPO,
        base_url=fake.base_url,
        mapping=APP,
        transport=fake.transport(),
    )
    assert [i.key for i in adapter.work_items()] == ["APP-1"]
