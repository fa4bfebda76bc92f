"""The Confluence adapter against FakeConfluence, recorded samples and the v2 spec.

The contract test checks every request of a session against the pinned subset
of Atlassian's Confluence Cloud v2 OpenAPI description
(``tests/data/specs/confluence-cloud-v2.subset.json``, cut by
``make_confluence_subset.py``), as ``test_jira_contract.py`` does for Jira.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import productops as po
from productops.adapters import DocumentSink
from productops.adapters.confluence import (
    ConfluenceAdapter,
    ConfluencePage,
    ConfluenceSettings,
    Publication,
    storage,
)
from productops.errors import (
    AdapterConfigError,
    APIError,
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    ResponseFormatError,
)
from productops.release import release_notes
from productops.testing import FakeConfluence, Faults, RecordedRequest
from tests.fixtures import API, DATA

SAMPLE = API / "confluence" / "pages-list.json"
SPEC = DATA / "specs" / "confluence-cloud-v2.subset.json"
ROOT = (
    '<root xmlns:ac="http://atlassian.com/content" '
    'xmlns:ri="http://atlassian.com/resource/identifier">{}</root>'
)


@pytest.fixture(autouse=True)
def _no_user_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("PRODUCTOPS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PRODUCTOPS_CONFIG", str(tmp_path / "none.toml"))


def adapter(fake: FakeConfluence, **settings: Any) -> ConfluenceAdapter:
    email, token = fake.credentials
    settings.setdefault("space", "PO")
    return ConfluenceAdapter(
        base_url=fake.base_url,
        email=email,
        token=token,
        transport=fake.transport(),
        sleep=lambda _: None,
        **settings,
    )


def well_formed(fragment: str) -> ET.Element:
    return ET.fromstring(ROOT.format(fragment))  # noqa: S314 - our own output


# -- settings and protocol -------------------------------------------------------------


def test_adapter_is_a_document_sink() -> None:
    assert isinstance(adapter(FakeConfluence()), DocumentSink)


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRODUCTOPS_CONFLUENCE_TOKEN", "env-secret-token")
    monkeypatch.setenv("PRODUCTOPS_CONFLUENCE_SPACE", "ENG")
    resolved = ConfluenceSettings.resolve(
        {"base_url": "https://127.0.0.1/wiki", "email": "a@example.com"}
    )
    assert resolved.base_url == "https://127.0.0.1"
    assert resolved.space == "ENG"
    assert resolved.sources["token"] == (
        "environment variable PRODUCTOPS_CONFLUENCE_TOKEN"
    )


def test_missing_email_names_where_to_set_it() -> None:
    with pytest.raises(AdapterConfigError, match="PRODUCTOPS_CONFLUENCE_EMAIL"):
        ConfluenceAdapter(base_url="https://127.0.0.1", token="t")


def test_plain_http_is_refused_off_loopback() -> None:
    with pytest.raises(AdapterConfigError, match="https"):
        ConfluenceAdapter(
            base_url="http://example.invalid", email="a@example.com", token="t"
        )


def test_no_space_is_a_config_error() -> None:
    fake = FakeConfluence()
    email, token = fake.credentials
    wiki = ConfluenceAdapter(
        base_url=fake.base_url, email=email, token=token, transport=fake.transport()
    )
    with pytest.raises(AdapterConfigError, match="PRODUCTOPS_CONFLUENCE_SPACE"):
        wiki.publish("T", "x")


def test_unknown_space_key_is_reported() -> None:
    with pytest.raises(NotFoundError, match="no space with the key 'NOPE'"):
        adapter(FakeConfluence()).space_id("NOPE")


def test_space_key_is_resolved_once() -> None:
    fake = FakeConfluence(spaces=("PO", "ENG"))
    wiki = adapter(fake)
    assert wiki.space_id("ENG") == wiki.space_id("ENG") == "98766"
    assert [r.path for r in fake.requests] == ["/wiki/api/v2/spaces"]
    assert fake.requests[0].query == {"keys": "ENG"}


# -- publishing ------------------------------------------------------------------------


def test_create_update_then_unchanged_republish() -> None:
    fake = FakeConfluence()
    wiki = adapter(fake)
    first = wiki.publish_page("Plan", "# Plan\n\nv1")
    assert first.action == "created"
    assert first.page.version == 1
    assert first.url == "http://localhost/wiki/spaces/PO/pages/1002/Plan"
    second = wiki.publish_page("Plan", "# Plan\n\nv2")
    assert (second.action, second.page.version, second.page.id) == (
        "updated",
        2,
        first.page.id,
    )
    fake.clear_requests()
    third = wiki.publish_page("Plan", "# Plan\n\nv2")
    # Same body: the stored storage body is compared, nothing is written.
    assert third.action == "unchanged"
    assert third.page.version == 2
    assert all(r.method == "GET" for r in fake.requests)
    stored = fake.stored("Plan")
    assert stored.version == 2
    assert stored.versions == (
        "<h1>Plan</h1>\n<p>v1</p>\n",
        "<h1>Plan</h1>\n<p>v2</p>\n",
    )


def test_update_sends_current_version_plus_one() -> None:
    fake = FakeConfluence()
    page_id = fake.add_page("PO", "Plan", "<p>a</p>")
    fake.edit(page_id, "<p>b</p>")
    fake.edit(page_id, "<p>c</p>")
    adapter(fake).publish("Plan", "<p>d</p>", format="storage")
    put = next(r for r in fake.requests if r.method == "PUT")
    assert put.path == f"/wiki/api/v2/pages/{page_id}"
    assert put.json["version"] == {"number": 4}
    assert put.json["body"] == {"representation": "storage", "value": "<p>d</p>"}
    assert fake.stored("Plan").version == 4


def test_publish_returns_the_page_url_from_links() -> None:
    url = adapter(FakeConfluence()).publish("Q3 plan", "x")
    assert url == "http://localhost/wiki/spaces/PO/pages/1002/Q3+plan"


def test_new_page_goes_under_the_home_page_by_default() -> None:
    fake = FakeConfluence()
    adapter(fake).publish("Plan", "x")
    post = next(r for r in fake.requests if r.method == "POST")
    assert "parentId" not in post.json
    assert fake.stored("Plan").parent_id == fake.stored("PO Home").id


def test_explicit_parent_and_default_parent_setting() -> None:
    fake = FakeConfluence()
    parent = fake.add_page("PO", "Releases", "<p/>")
    adapter(fake).publish("2026.3", "x", parent=parent)
    assert fake.stored("2026.3").parent_id == parent
    adapter(fake, parent=parent).publish("2026.4", "x")
    assert fake.stored("2026.4").parent_id == parent


def test_existing_page_under_another_parent_is_moved() -> None:
    fake = FakeConfluence()
    parent = fake.add_page("PO", "Archive", "<p/>")
    adapter(fake).publish("Plan", "x")
    result = adapter(fake).publish_page("Plan", "x", parent=parent)
    assert result.action == "updated"
    assert fake.stored("Plan").parent_id == parent
    put = next(r for r in fake.requests if r.method == "PUT")
    assert put.json["parentId"] == parent


def test_publish_in_another_space_by_key() -> None:
    fake = FakeConfluence(spaces=("PO", "ENG"))
    adapter(fake).publish("Plan", "x", space="ENG")
    assert fake.stored("Plan").space_key == "ENG"


def test_bad_arguments_are_named_together() -> None:
    with pytest.raises(InvalidInputError) as info:
        adapter(FakeConfluence()).publish(" ", "x", format="html")  # type: ignore[arg-type]
    assert "title" in str(info.value)
    assert "format: 'html'" in str(info.value)


def test_version_conflict_is_reread_and_retried_once() -> None:
    fake = FakeConfluence()
    wiki = adapter(fake)
    wiki.publish("Plan", "v1")
    fake.race(1)
    result = wiki.publish_page("Plan", "v2")
    assert (result.action, result.conflicts) == ("updated", 1)
    # v1, the other user's edit, then ours on top of it.
    assert fake.stored("Plan").version == 3
    assert fake.stored("Plan").body == "<p>v2</p>\n"
    statuses = [(r.method, r.status) for r in fake.requests if r.method != "GET"]
    assert statuses[-2:] == [("PUT", 409), ("PUT", 200)]


def test_persistent_version_conflict_is_a_clear_error() -> None:
    fake = FakeConfluence()
    wiki = adapter(fake)
    wiki.publish("Plan", "v1")
    fake.race(2)
    with pytest.raises(APIError, match="409 version conflict") as info:
        wiki.publish("Plan", "v2")
    assert info.value.status_code == 409
    assert "Edited by someone else" in fake.stored("Plan").body


def test_conflict_then_same_body_is_unchanged() -> None:
    fake = FakeConfluence()
    wiki = adapter(fake)
    wiki.publish("Plan", "v1")
    fake.race(1)
    page_id = fake.stored("Plan").id
    # The "other user" of the race writes a fixed body; publish exactly it.
    result = wiki.publish_page(
        "Plan", "<p>Edited by someone else.</p>", format="storage"
    )
    assert (result.action, result.conflicts) == ("unchanged", 1)
    assert fake.stored("Plan").id == page_id


def test_other_api_errors_pass_through() -> None:
    fake = FakeConfluence()
    with pytest.raises(APIError) as info:
        adapter(fake).publish("Plan", "<p>open", format="storage")
    assert info.value.status_code == 400


def test_publish_release_notes_in_storage_format() -> None:
    demo = po.datasets.load_demo()
    release = demo.releases[0]
    notes = release_notes(release, demo.work_items, format="confluence")
    fake = FakeConfluence()
    url = adapter(fake).publish(f"Release {release.name}", notes.text, format="storage")
    assert url.startswith("http://localhost/wiki/spaces/PO/pages/")
    assert fake.stored(f"Release {release.name}").body == notes.text


def test_rate_limits_and_server_errors_are_retried() -> None:
    waits: list[float] = []
    fake = FakeConfluence(faults=Faults(rate_limit_every=3, retry_after=2))
    email, token = fake.credentials
    wiki = ConfluenceAdapter(
        base_url=fake.base_url,
        email=email,
        token=token,
        space="PO",
        transport=fake.transport(),
        sleep=waits.append,
    )
    wiki.publish("Plan", "v1")
    wiki.publish("Plan", "v2")
    assert fake.stored("Plan").version == 2
    assert 2.0 in [round(w) for w in waits]


# -- reading and paging ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("link_header", "body_links"), [(True, True), (True, False), (False, True)]
)
def test_pages_follow_the_cursor(link_header: bool, body_links: bool) -> None:
    fake = FakeConfluence(link_header=link_header, body_links=body_links)
    titles = [f"Page {n}" for n in range(7)]
    for title in titles:
        fake.add_page("PO", title, f"<p>{title}</p>")
    pages = list(adapter(fake, page_size=3).pages())
    assert [p.title for p in pages] == ["PO Home", *titles]
    lists = [r for r in fake.requests if r.path == "/wiki/api/v2/pages"]
    assert len(lists) == 3
    assert all("cursor" in r.query for r in lists[1:])
    assert pages[1].body == "<p>Page 0</p>"


def test_page_size_fault_caps_pages() -> None:
    fake = FakeConfluence(faults=Faults(page_size=2))
    for n in range(3):
        fake.add_page("PO", f"P{n}", "<p/>")
    assert len(list(adapter(fake).pages())) == 4
    assert sum(r.path == "/wiki/api/v2/pages" for r in fake.requests) == 2


def test_pages_filtered_by_title() -> None:
    fake = FakeConfluence()
    fake.add_page("PO", "Plan", "<p/>")
    fake.add_page("PO", "Other", "<p/>")
    assert [p.title for p in adapter(fake).pages(title="Plan")] == ["Plan"]


def test_recorded_sample_page_shape_parses() -> None:
    sample = json.loads(SAMPLE.read_text(encoding="utf-8"))
    recorded = sample["response"]
    second = {"results": [], "_links": {"base": recorded["body"]["_links"]["base"]}}
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        if "cursor" in request.url.params:
            return httpx.Response(200, json=second)
        return httpx.Response(
            200, json=recorded["body"], headers={"link": recorded["headers"]["link"]}
        )

    wiki = ConfluenceAdapter(
        base_url="https://127.0.0.1",
        email="a@example.com",
        token="t",
        transport=httpx.MockTransport(handler),
    )
    pages = list(wiki.pages("98765"))
    assert pages == [
        ConfluencePage(
            id="1234567",
            title="Q3 Release plan",
            space_id="98765",
            parent_id="1234000",
            version=3,
            status="current",
            url="https://your-domain.atlassian.net/wiki/spaces/PO/pages/1234567/Q3+Release+plan",
            body="<p>Scope and dates</p>",
        )
    ]
    # The relative next link is followed under the site, with its own query.
    assert seen[1].path == "/wiki/api/v2/pages"
    assert seen[1].params["cursor"].startswith("eyJ")


def test_bad_records_are_all_named() -> None:
    body = {
        "results": [
            {"id": "1", "title": "A", "spaceId": "9", "status": "current"},
            {
                "id": "2",
                "title": 5,
                "spaceId": "9",
                "status": "current",
                "version": {"number": 1},
                "_links": {"webui": "/x"},
            },
        ],
        "_links": {},
    }
    wiki = ConfluenceAdapter(
        base_url="https://127.0.0.1",
        email="a@example.com",
        token="t",
        transport=httpx.MockTransport(lambda r: httpx.Response(200, json=body)),
    )
    with pytest.raises(ResponseFormatError) as info:
        list(wiki.pages("9"))
    text = str(info.value)
    assert "page 1: missing or wrong type: version.number, _links.webui" in text
    assert "page 2: missing or wrong type: title" in text


def test_page_by_id() -> None:
    fake = FakeConfluence()
    page_id = fake.add_page("PO", "Plan", "<p>x</p>")
    page = adapter(fake).page(page_id)
    assert (page.title, page.version, page.body) == ("Plan", 1, "<p>x</p>")


def test_results_have_records_and_readable_reprs() -> None:
    result = adapter(FakeConfluence()).publish_page("Plan", "x")
    assert isinstance(result, Publication)
    assert repr(result).startswith("Publication(action='created', id='1002'")
    row = result.to_records()[0]
    assert row["action"] == "created"
    assert row["version"] == 1
    assert "body" not in row


# -- secrets ---------------------------------------------------------------------------


def test_secrets_never_in_repr_logs_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="productops")
    fake = FakeConfluence(token="right-token-value")
    secret = "wrong-secret-token-value"
    basic = base64.b64encode(f"bot@example.com:{secret}".encode()).decode()
    wiki = ConfluenceAdapter(
        base_url=fake.base_url,
        email="bot@example.com",
        token=secret,
        space="PO",
        transport=fake.transport(),
    )
    with pytest.raises(AuthenticationError) as info:
        wiki.publish("Plan", "x")
    texts = [repr(wiki), repr(wiki.settings), str(info.value), repr(info.value)]
    texts += [str(info.value.body), caplog.text]
    texts += [json.dumps(r.json) for r in fake.requests]
    for text in texts:
        assert secret not in text
        assert basic not in text
    assert "API token from argument for bot@example.com" in str(info.value)
    assert fake.requests[0].auth_scheme == "Basic"


# -- Markdown to storage ---------------------------------------------------------------


def test_markdown_becomes_well_formed_storage() -> None:
    text = (
        "# Title & more\n\nA *b* **c** `d` ~~e~~ [link](https://example.invalid/?a=1&b=2)"
        "\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\n---\n\nline  \nbreak\n\n"
        "![chart](report_files/flow.svg)\n\n![logo](https://example.invalid/l.png)"
        "\n\n> quote\n\n1. one\n2. two\n"
    )
    root = well_formed(storage(text))
    tags = {element.tag for element in root.iter()}
    assert {"h1", "em", "strong", "code", "span", "a", "table", "hr", "br"} <= tags
    span = root.find(".//span")
    assert span is not None
    assert span.get("style") == "text-decoration: line-through;"
    images = root.findall(".//{http://atlassian.com/content}image")
    assert images[0][0].get("{http://atlassian.com/resource/identifier}filename") == (
        "flow.svg"
    )
    assert images[1][0].get("{http://atlassian.com/resource/identifier}value") == (
        "https://example.invalid/l.png"
    )


def test_raw_html_is_escaped() -> None:
    out = storage('<script>alert("x")</script>\n\nHi <b onclick="x">there</b>')
    assert "<script" not in out
    assert "<b " not in out
    assert "&lt;script&gt;" in out
    well_formed(out)


def test_javascript_links_are_not_links() -> None:
    out = storage("[x](javascript:alert(1))")
    assert "href" not in out


def test_fenced_code_becomes_the_code_macro() -> None:
    out = storage("```python\nif a < b and c > d:\n    x = ']]>'\n```\n")
    root = well_formed(out)
    macro = root.find("{http://atlassian.com/content}structured-macro")
    assert macro is not None
    assert macro.get("{http://atlassian.com/content}name") == "code"
    parameter = macro.find("{http://atlassian.com/content}parameter")
    assert parameter is not None
    assert parameter.text == "python"
    body = macro.find("{http://atlassian.com/content}plain-text-body")
    assert body is not None
    assert body.text == "if a < b and c > d:\n    x = ']]>'\n"
    assert "<![CDATA[" in out


def test_code_without_or_with_odd_language_has_no_language() -> None:
    for text in ("```\nx\n```", '```"><x\nx\n```', "    indented\n"):
        out = storage(text)
        assert "ac:parameter" not in out
        well_formed(out)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_becomes_well_formed_storage(text: str) -> None:
    well_formed(storage(text))


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_code_text_survives_the_macro(code: str) -> None:
    code = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff\r]", "", code)
    fence = "~" * 40
    root = well_formed(storage(f"{fence}\n{code}\n{fence}\n"))
    body = root.find(".//{http://atlassian.com/content}plain-text-body")
    assert body is not None
    assert body.text == code + "\n"


# -- contract against the OpenAPI description ------------------------------------------


@dataclass(frozen=True)
class Operation:
    template: str
    method: str
    query: frozenset[str]
    body_schema: dict[str, Any] | None


@pytest.fixture(scope="module")
def spec() -> tuple[list[tuple[re.Pattern[str], Operation]], Any]:
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
            body = operation.get("requestBody", {})
            if "$ref" in body:
                body = document["components"]["requestBodies"][
                    body["$ref"].rsplit("/", 1)[-1]
                ]
            schema = body.get("content", {}).get("application/json", {}).get("schema")
            pattern = re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)))
            operations.append(
                (pattern, Operation(template, method.upper(), query, schema))
            )
    resource = referencing.Resource.from_contents(
        document, default_specification=referencing.jsonschema.DRAFT202012
    )
    registry = referencing.Registry().with_resource("urn:confluence", resource)

    def validator(schema: dict[str, Any]) -> Any:
        # The page body is ``oneOf`` a flat and a nested shape whose properties
        # are all optional, so any body matches both and ``oneOf`` always
        # fails: it is read as ``anyOf``; `check` then holds the body to the
        # flat shape's keys (``representation``, ``value``).
        text = json.dumps(schema).replace('"oneOf"', '"anyOf"')
        rebased = json.loads(text.replace('"#/', '"urn:confluence#/'))
        return jsonschema.Draft202012Validator(rebased, registry=registry)

    return operations, validator


def check(
    spec: tuple[list[tuple[re.Pattern[str], Operation]], Any], request: RecordedRequest
) -> Operation:
    operations, validator = spec
    assert request.path.startswith("/wiki/api/v2/"), request.path
    path = request.path.removeprefix("/wiki/api/v2")
    found = [
        op
        for pattern, op in operations
        if op.method == request.method and pattern.fullmatch(path)
    ]
    assert found, f"{request.method} {path} is not in the Confluence spec"
    operation = min(found, key=lambda op: op.template.count("{"))
    unknown = set(request.query) - operation.query
    assert not unknown, f"{request.method} {path}: unknown parameters {unknown}"
    if request.json is not None:
        assert operation.body_schema is not None, f"{path} takes no body"
        errors = [
            e.message
            for e in validator(operation.body_schema).iter_errors(request.json)
        ]
        assert not errors, f"{request.method} {path}: {errors}"
        allowed = set(operation.body_schema.get("properties", {}))
        assert set(request.json) <= allowed, set(request.json) - allowed
        assert set(request.json["body"]) == {"representation", "value"}
        assert set(request.json) >= set(operation.body_schema.get("required", []))
    return operation


def test_every_request_matches_the_spec(
    spec: tuple[list[tuple[re.Pattern[str], Operation]], Any],
) -> None:
    fake = FakeConfluence(spaces=("PO", "ENG"))
    parent = fake.add_page("PO", "Releases", "<p/>")
    for n in range(4):
        fake.add_page("PO", f"Old {n}", "<p/>")
    wiki = adapter(fake, page_size=2)
    wiki.publish("Plan", "# Plan\n\n```sql\nselect 1\n```")
    wiki.publish("Plan", "# Plan v2", parent=parent)
    wiki.publish("Plan", "# Plan v2", parent=parent)
    fake.race(1)
    wiki.publish("Plan", "# Plan v3")
    wiki.publish("Notes", "<p>n</p>", space="ENG", format="storage")
    list(wiki.pages())
    wiki.page(parent)
    used = {check(spec, request).template for request in fake.requests}
    assert used == {"/spaces", "/pages", "/pages/{id}"}
    methods = {(r.method, r.path.count("/")) for r in fake.requests}
    assert ("POST", 4) in methods
    assert ("PUT", 5) in methods


def mock_adapter(handler: Any) -> ConfluenceAdapter:
    return ConfluenceAdapter(
        base_url="https://127.0.0.1/wiki/",
        email="a@example.com",
        token="t",
        space="PO",
        transport=httpx.MockTransport(handler),
        sleep=lambda _: None,
    )


PAGE = {
    "id": "7",
    "title": "Plan",
    "spaceId": "9",
    "status": "current",
    "parentId": None,
    "version": {"number": 4},
    "_links": {"webui": "/spaces/PO/pages/7/Plan"},
}


def test_update_errors_other_than_409_pass_through() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/spaces"):
            return httpx.Response(200, json={"results": [{"id": "9", "key": "PO"}]})
        if request.method == "GET":
            return httpx.Response(200, json={"results": [PAGE], "_links": {}})
        return httpx.Response(404, json={"errors": [{"status": 404}]})

    with pytest.raises(NotFoundError):
        mock_adapter(handler).publish("Plan", "x")


def test_answers_without_body_keep_the_body_sent() -> None:
    sent: list[Any] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/spaces"):
            return httpx.Response(200, json={"results": [{"id": "9", "key": "PO"}]})
        if request.method == "GET":
            return httpx.Response(200, json={"results": [], "_links": {}})
        sent.append(json.loads(request.content))
        return httpx.Response(200, json=PAGE)

    with mock_adapter(handler) as wiki:
        result = wiki.publish_page("Plan", "x")
        assert wiki.requests == 3
    assert result.page.body == "<p>x</p>\n"
    # No _links.base in the answer: the site's /wiki is the base.
    assert result.url == "https://127.0.0.1/wiki/spaces/PO/pages/7/Plan"
    assert sent[0]["spaceId"] == "9"


def test_spaces_answer_without_results_is_a_format_error() -> None:
    wiki = mock_adapter(lambda r: httpx.Response(200, json={"oops": 1}))
    with pytest.raises(ResponseFormatError, match="no list at 'results'"):
        wiki.space_id()


def test_record_that_is_not_an_object_is_named() -> None:
    body = {"results": ["nope"], "_links": {}}
    wiki = mock_adapter(lambda r: httpx.Response(200, json=body))
    with pytest.raises(ResponseFormatError, match="page #0: not an object"):
        list(wiki.pages("9"))
