"""FakeConfluence on its own: shapes, paging, versions, auth and faults over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from productops.errors import InvalidInputError
from productops.testing import FakeConfluence, Fault, Faults, StoredPage
from tests.fixtures import API

API_V2 = "/wiki/api/v2"
SAMPLE = API / "confluence" / "pages-list.json"


@pytest.fixture
def fake() -> FakeConfluence:
    return FakeConfluence(spaces=("PO", "ENG"))


@pytest.fixture
def client(fake: FakeConfluence) -> Iterator[httpx.Client]:
    with httpx.Client(
        transport=fake.transport(), base_url=fake.base_url, auth=fake.credentials
    ) as c:
        yield c


def body(value: str) -> dict[str, str]:
    return {"representation": "storage", "value": value}


def create(client: httpx.Client, title: str, **extra: object) -> httpx.Response:
    payload: dict[str, object] = {"spaceId": "98765", "status": "current"}
    payload["title"] = title
    payload |= {"body": body("<p>x</p>")} | extra
    return client.post(f"{API_V2}/pages", json=payload)


def test_spaces_have_ids_and_home_pages(client: httpx.Client) -> None:
    answer = client.get(f"{API_V2}/spaces", params={"keys": "ENG"}).json()
    assert [(s["id"], s["key"], s["homepageId"]) for s in answer["results"]] == [
        ("98766", "ENG", "1002")
    ]
    assert answer["_links"]["base"] == "http://localhost/wiki"


def test_page_shape_has_the_recorded_sample_keys(
    fake: FakeConfluence, client: httpx.Client
) -> None:
    fake.add_page("PO", "Q3 Release plan", "<p>Scope and dates</p>")
    recorded = json.loads(SAMPLE.read_text(encoding="utf-8"))["response"]["body"]
    answer = client.get(
        f"{API_V2}/pages",
        params={
            "space-id": "98765",
            "body-format": "storage",
            "title": "Q3 Release plan",
        },
    ).json()
    ours, theirs = answer["results"][0], recorded["results"][0]
    assert set(theirs) <= set(ours)
    assert set(theirs["version"]) <= set(ours["version"])
    assert ours["body"] == {
        "storage": {"representation": "storage", "value": "<p>Scope and dates</p>"}
    }
    assert ours["_links"]["webui"] == f"/spaces/PO/pages/{ours['id']}/Q3+Release+plan"
    assert ours["createdAt"].endswith(".000Z")


def test_body_is_left_out_without_body_format(
    fake: FakeConfluence, client: httpx.Client
) -> None:
    fake.add_page("PO", "Plan", "<p>x</p>")
    answer = client.get(f"{API_V2}/pages", params={"title": "Plan"}).json()
    assert answer["results"][0]["body"] == {}


def test_paging_has_link_header_and_body_links(
    fake: FakeConfluence, client: httpx.Client
) -> None:
    for n in range(4):
        fake.add_page("PO", f"P{n}", "<p/>")
    first = client.get(f"{API_V2}/pages", params={"space-id": "98765", "limit": 2})
    link = first.links["next"]["url"]
    assert link == first.json()["_links"]["next"]
    assert link.startswith("/wiki/api/v2/pages?")
    assert first.links["base"]["url"] == "http://localhost/wiki"
    titles = [p["title"] for p in first.json()["results"]]
    while "next" in first.links:
        first = client.get(first.links["next"]["url"])
        titles += [p["title"] for p in first.json()["results"]]
    assert titles == ["PO Home", "P0", "P1", "P2", "P3"]
    assert "next" not in first.json()["_links"]


def test_paging_links_can_be_switched_off() -> None:
    fake = FakeConfluence(link_header=False)
    for n in range(3):
        fake.add_page("PO", f"P{n}", "<p/>")
    with httpx.Client(
        transport=fake.transport(), base_url=fake.base_url, auth=fake.credentials
    ) as c:
        answer = c.get(f"{API_V2}/pages", params={"limit": 1})
    assert "link" not in answer.headers
    assert "next" in answer.json()["_links"]


def test_bad_limit_cursor_and_parameters_are_400(client: httpx.Client) -> None:
    assert client.get(f"{API_V2}/pages", params={"limit": 251}).status_code == 400
    assert client.get(f"{API_V2}/pages", params={"cursor": "%%%"}).status_code == 400
    answer = client.get(f"{API_V2}/pages", params={"space": "PO"})
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["code"] == "INVALID_REQUEST_PARAMETER"


def test_create_then_get(fake: FakeConfluence, client: httpx.Client) -> None:
    created = create(client, "Plan")
    assert created.status_code == 200
    page = created.json()
    assert page["version"]["number"] == 1
    assert page["parentId"] == "1001"  # the space's home page
    assert page["_links"]["base"] == "http://localhost/wiki"
    again = client.get(
        f"{API_V2}/pages/{page['id']}", params={"body-format": "storage"}
    )
    assert again.json()["body"]["storage"]["value"] == "<p>x</p>"
    assert fake.stored("Plan") == StoredPage(
        page["id"], "PO", "Plan", "1001", 1, "<p>x</p>", ("<p>x</p>",)
    )


def test_create_rejects_duplicates_and_bad_bodies(client: httpx.Client) -> None:
    assert create(client, "Plan").status_code == 200
    duplicate = create(client, "Plan")
    assert duplicate.status_code == 400
    assert "already exists" in duplicate.json()["errors"][0]["title"]
    assert create(client, "Bad", body=body("<p>open")).status_code == 400
    assert create(client, "").status_code == 400
    assert create(client, "X", spaceId="1").status_code == 404
    assert create(client, "Y", parentId="424242").status_code == 400


def test_update_needs_the_next_version(
    fake: FakeConfluence, client: httpx.Client
) -> None:
    page_id = fake.add_page("PO", "Plan", "<p>1</p>")
    payload = {
        "id": page_id,
        "status": "current",
        "title": "Plan",
        "body": body("<p>2</p>"),
        "version": {"number": 1},
    }
    stale = client.put(f"{API_V2}/pages/{page_id}", json=payload)
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["title"].endswith("Current version is: 1")
    payload["version"] = {"number": 2}
    ok = client.put(f"{API_V2}/pages/{page_id}", json=payload)
    assert ok.status_code == 200
    assert ok.json()["version"]["number"] == 2
    assert fake.stored("Plan").versions == ("<p>1</p>", "<p>2</p>")
    missing = client.put(f"{API_V2}/pages/{page_id}", json={"id": page_id})
    assert missing.status_code == 400
    assert client.put(f"{API_V2}/pages/999", json=payload).status_code == 404


def test_race_makes_the_next_update_conflict(
    fake: FakeConfluence, client: httpx.Client
) -> None:
    page_id = fake.add_page("PO", "Plan", "<p>1</p>")
    fake.race()
    payload = {
        "id": page_id,
        "status": "current",
        "title": "Plan",
        "body": body("<p>2</p>"),
        "version": {"number": 2},
    }
    assert client.put(f"{API_V2}/pages/{page_id}", json=payload).status_code == 409
    assert fake.stored("Plan").version == 2
    payload["version"] = {"number": 3}
    assert client.put(f"{API_V2}/pages/{page_id}", json=payload).status_code == 200


def test_edit_adds_a_version(fake: FakeConfluence) -> None:
    page_id = fake.add_page("PO", "Plan", "<p>1</p>")
    assert fake.edit(page_id, "<p>2</p>") == 2


def test_wrong_credentials_are_401_and_not_logged(fake: FakeConfluence) -> None:
    with httpx.Client(
        transport=fake.transport(),
        base_url=fake.base_url,
        auth=("bot@example.com", "no"),
    ) as c:
        answer = c.get(f"{API_V2}/spaces")
    assert answer.status_code == 401
    assert answer.json()["errors"][0]["code"] == "UNAUTHORIZED"
    assert fake.requests[-1].auth_scheme == "Basic"
    assert "no" not in repr(fake.requests[-1].query)


def test_faults_apply(fake: FakeConfluence, client: httpx.Client) -> None:
    fake.faults = Faults(rate_limit_every=2, retry_after=3, malformed_at=(3,))
    assert client.get(f"{API_V2}/spaces").status_code == 200
    limited = client.get(f"{API_V2}/spaces")
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "3"
    mangled = client.get(f"{API_V2}/spaces")
    with pytest.raises(ValueError, match=r"Expecting|Unterminated"):
        mangled.json()
    assert [r.fault for r in fake.requests] == [
        None,
        Fault.RATE_LIMITED,
        Fault.MALFORMED,
    ]


def test_duplicate_space_is_refused(fake: FakeConfluence) -> None:
    with pytest.raises(InvalidInputError, match="exists already"):
        fake.add_space("PO")


def test_stored_unknown_title_is_a_key_error(fake: FakeConfluence) -> None:
    with pytest.raises(KeyError):
        fake.stored("nope")


def test_serves_over_loopback_http(fake: FakeConfluence) -> None:
    with (
        fake.serve() as base_url,
        httpx.Client(base_url=base_url, auth=fake.credentials) as c,
    ):
        assert base_url.startswith("http://127.0.0.1:")
        answer = create(c, "Over the wire")
        assert answer.json()["_links"]["base"] == f"{base_url}/wiki"
    assert fake.stored("Over the wire").version == 1


def test_repr_names_spaces_and_pages(fake: FakeConfluence) -> None:
    assert repr(fake).startswith("<FakeConfluence spaces=['ENG', 'PO'] pages=2")


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ([1], 400),
        ({"spaceId": "98765", "title": "A"}, 400),
        ({"spaceId": "98765", "title": "A", "body": {"representation": "wiki"}}, 400),
        (
            {"spaceId": "98765", "title": "A", "body": {"storage": body("<p>n</p>")}},
            200,
        ),
    ],
)
def test_create_checks_the_body(
    client: httpx.Client, payload: object, status: int
) -> None:
    assert client.post(f"{API_V2}/pages", json=payload).status_code == status


def test_update_checks_id_and_title(fake: FakeConfluence, client: httpx.Client) -> None:
    page_id = fake.add_page("PO", "Plan", "<p>1</p>")
    fake.add_page("PO", "Other", "<p>1</p>")
    payload = {
        "id": "1",
        "status": "current",
        "title": "Plan",
        "body": body("<p>2</p>"),
        "version": {"number": 2},
    }
    url = f"{API_V2}/pages/{page_id}"
    assert client.put(url, json=[1]).status_code == 400
    assert client.put(url, json=payload).status_code == 400
    payload |= {"id": page_id, "title": "Other"}
    taken = client.put(url, json=payload)
    assert taken.status_code == 400
    assert "already exists" in taken.json()["errors"][0]["title"]
    assert fake.stored("Plan").version == 1
