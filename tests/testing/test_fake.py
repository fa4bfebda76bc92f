"""The generic fake service: routing, faults, request log, transport and server."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import threading
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from productops.errors import InvalidInputError
from productops.testing import (
    FakeHTTPError,
    FakeRequest,
    FakeService,
    FakeTransport,
    Fault,
    Faults,
    route,
)
from productops.testing import _fake as fake_module

SECRET = "s3cr3t-value"


class Notes(FakeService):
    """A tiny service: notes by id, created by POST, listed in pages."""

    name = "notes"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.notes: dict[int, str] = {}

    def check_auth(self, request: FakeRequest) -> bool:
        return request.headers.get("authorization") == f"Bearer {SECRET}"

    @route("GET", "/notes")
    def list_notes(self, request: FakeRequest) -> httpx.Response:
        size = self.faults.cap(request.int_param("per_page", 10), limit=50)
        start = request.int_param("start", 0)
        ids = sorted(self.notes)[start : start + size]
        return self.json_response({"notes": [self.notes[i] for i in ids]})

    @route("POST", "/notes")
    def add_note(self, request: FakeRequest) -> httpx.Response:
        body = request.json()
        if not isinstance(body, dict) or "text" not in body:
            raise FakeHTTPError(422, "text is required", errors={"text": "missing"})
        note_id = len(self.notes) + 1
        self.notes[note_id] = body["text"]
        return self.json_response({"id": note_id}, status=201)

    @route("GET", "/notes/{note_id:[0-9]+}")
    def get_note(self, request: FakeRequest) -> httpx.Response:
        note_id = int(request.path_params["note_id"])
        if note_id not in self.notes:
            raise FakeHTTPError(404, f"no note {note_id}")
        return self.json_response({"id": note_id, "text": self.notes[note_id]})

    @route("GET", "/boom")
    def boom(self, request: FakeRequest) -> httpx.Response:
        msg = "handler bug"
        raise RuntimeError(msg)


HEADERS = {"Authorization": f"Bearer {SECRET}"}


def client_for(fake: FakeService, **kwargs: Any) -> httpx.Client:
    return httpx.Client(
        transport=fake.transport(), base_url=fake.base_url, headers=HEADERS, **kwargs
    )


@pytest.fixture
def notes() -> Notes:
    fake = Notes()
    fake.notes = {1: "one", 2: "two", 3: "three"}
    return fake


# -- routing ---------------------------------------------------------------------


def test_route_passes_path_parameters(notes: Notes) -> None:
    with client_for(notes) as client:
        assert client.get("/notes/2").json() == {"id": 2, "text": "two"}


def test_trailing_slash_is_ignored(notes: Notes) -> None:
    with client_for(notes) as client:
        assert client.get("/notes/2/").status_code == 200


def test_unknown_route_answers_404_in_the_error_shape(notes: Notes) -> None:
    with client_for(notes) as client:
        response = client.get("/nothing/here")
    assert response.status_code == 404
    assert response.json() == {"message": "Notes has no route for /nothing/here"}


def test_known_path_with_other_method_answers_405_with_allow(notes: Notes) -> None:
    with client_for(notes) as client:
        response = client.delete("/notes")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


def test_route_regex_placeholder_rejects_other_segments(notes: Notes) -> None:
    with client_for(notes) as client:
        assert client.get("/notes/abc").status_code == 404


def test_handler_error_answers_in_the_error_shape(notes: Notes) -> None:
    with client_for(notes) as client:
        response = client.post("/notes", json={})
    assert response.status_code == 422
    assert response.json() == {
        "message": "text is required",
        "errors": {"text": "missing"},
    }


def test_invalid_json_body_answers_400(notes: Notes) -> None:
    with client_for(notes) as client:
        response = client.post("/notes", content=b"{not json")
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["message"]


def test_writes_change_state_for_later_reads(notes: Notes) -> None:
    with client_for(notes) as client:
        created = client.post("/notes", json={"text": "four"}).json()
        assert client.get(f"/notes/{created['id']}").json()["text"] == "four"


def test_subclass_routes_include_inherited_ones() -> None:
    class MoreNotes(Notes):
        @route("GET", "/count")
        def count(self, request: FakeRequest) -> httpx.Response:
            return self.json_response({"count": len(self.notes)})

    fake = MoreNotes()
    with client_for(fake) as client:
        assert client.get("/count").json() == {"count": 0}
        assert client.get("/notes").json() == {"notes": []}


# -- auth and the request log ----------------------------------------------------


def test_refused_credentials_answer_401(notes: Notes) -> None:
    with httpx.Client(
        transport=notes.transport(),
        base_url=notes.base_url,
        headers={"Authorization": "Bearer wrong"},
    ) as client:
        response = client.get("/notes")
    assert response.status_code == 401
    assert response.json() == {"message": "Bad credentials"}


def test_request_log_records_what_was_asked(notes: Notes) -> None:
    with client_for(notes) as client:
        client.get("/notes", params=[("tag", "a"), ("tag", "b"), ("per_page", "2")])
        client.post("/notes", json={"text": "x"})
    first, second = notes.requests
    assert (first.number, first.method, first.path) == (1, "GET", "/notes")
    assert first.query == {"tag": "a,b", "per_page": "2"}
    assert (first.status, first.fault, first.auth_scheme) == (200, None, "Bearer")
    assert (second.method, second.json, second.status) == ("POST", {"text": "x"}, 201)


def test_request_log_and_reprs_never_hold_the_credentials(notes: Notes) -> None:
    with client_for(notes) as client:
        client.get("/notes")
        client.get("/nothing")
    assert SECRET not in repr(notes.requests)
    assert SECRET not in repr(notes)
    request = FakeRequest(1, "GET", "/x", headers=httpx.Headers(HEADERS))
    assert SECRET not in repr(request)


def test_clear_requests_keeps_counting(notes: Notes) -> None:
    with client_for(notes) as client:
        client.get("/notes")
        notes.clear_requests()
        client.get("/notes")
    assert [r.number for r in notes.requests] == [2]
    assert notes.request_count == 2


# -- faults ------------------------------------------------------------------------


def reference_fault(faults: Faults, number: int) -> Fault | None:
    """The documented rule, written out plainly."""
    if number in faults.drop_at:
        return Fault.DROP
    if faults.error_burst and (
        faults.error_burst[0] <= number < sum(faults.error_burst)
    ):
        return Fault.SERVER_ERROR
    if faults.rate_limit_every and number % faults.rate_limit_every == 0:
        return Fault.RATE_LIMITED
    if number in faults.malformed_at or (
        faults.malformed_every and number % faults.malformed_every == 0
    ):
        return Fault.MALFORMED
    return None


knobs = st.builds(
    Faults,
    rate_limit_every=st.none() | st.integers(1, 9),
    error_burst=st.none() | st.tuples(st.integers(1, 30), st.integers(1, 5)),
    malformed_every=st.none() | st.integers(1, 9),
    malformed_at=st.lists(st.integers(1, 40), max_size=3).map(tuple),
    drop_at=st.lists(st.integers(1, 40), max_size=3).map(tuple),
)


@given(faults=knobs)
def test_faults_follow_the_request_numbers(faults: Faults) -> None:
    for number in range(1, 41):
        assert faults.fault_for(number) == reference_fault(faults, number)


@settings(max_examples=25)
@given(faults=knobs)
def test_the_same_faults_fire_on_every_run(faults: Faults) -> None:
    runs = []
    for _ in range(2):
        fake = Notes(faults=dataclasses.replace(faults, retry_after=0))
        with client_for(fake) as client:
            for _ in range(12):
                with contextlib.suppress(httpx.RemoteProtocolError):
                    client.get("/notes")
        runs.append([(r.number, r.fault, r.status) for r in fake.requests])
    assert runs[0] == runs[1]
    assert [fault for _n, fault, _s in runs[0]] == [
        reference_fault(faults, n) for n in range(1, 13)
    ]


def test_invalid_faults_list_every_problem() -> None:
    with pytest.raises(InvalidInputError) as caught:
        Faults(page_size=0, latency=-1, rate_limit_every=-2, retry_after=-1,
               error_burst=(0, 1), drop_at=(0,))  # fmt: skip
    message = str(caught.value)
    for name in (
        "page_size",
        "latency",
        "rate_limit_every",
        "retry_after",
        "error_burst",
        "drop_at",
    ):
        assert f"{name}:" in message


def test_faults_accept_lists_and_stay_hashable() -> None:
    faults = Faults(drop_at=[3], malformed_at=[1, 2])  # type: ignore[arg-type]
    assert faults.drop_at == (3,)
    assert hash(faults) == hash(Faults(drop_at=(3,), malformed_at=(1, 2)))


def test_rate_limit_every_nth_answers_429_with_retry_after(notes: Notes) -> None:
    notes.faults = Faults(rate_limit_every=3, retry_after=2)
    with client_for(notes) as client:
        responses = [client.get("/notes") for _ in range(7)]
    assert [r.status_code for r in responses] == [200, 200, 429, 200, 200, 429, 200]
    assert responses[2].headers["retry-after"] == "2"


def test_error_burst_answers_consecutive_5xx(notes: Notes) -> None:
    notes.faults = Faults(error_burst=(2, 3))
    with client_for(notes) as client:
        codes = [client.get("/notes").status_code for _ in range(6)]
    assert codes == [200, 502, 502, 502, 200, 200]


def test_faulted_writes_have_no_effect(notes: Notes) -> None:
    notes.faults = Faults(rate_limit_every=1)
    with client_for(notes) as client:
        assert client.post("/notes", json={"text": "x"}).status_code == 429
    assert len(notes.notes) == 3


def test_malformed_answer_is_a_200_with_invalid_json(notes: Notes) -> None:
    notes.faults = Faults(malformed_at=(2,))
    with client_for(notes) as client:
        good = client.get("/notes")
        bad = client.get("/notes")
    assert bad.status_code == 200
    assert bad.content == good.content[: len(good.content) // 2]
    with pytest.raises(json.JSONDecodeError):
        bad.json()
    assert notes.requests[1].fault is Fault.MALFORMED


def test_malformed_empty_answer_is_still_invalid_json() -> None:
    class Empty(FakeService):
        @route("DELETE", "/x")
        def delete(self, request: FakeRequest) -> httpx.Response:
            return self.empty_response()

    fake = Empty(faults=Faults(malformed_every=1))
    with httpx.Client(transport=fake.transport(), base_url=fake.base_url) as client:
        response = client.delete("/x")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_dropped_connection_raises_remote_protocol_error(notes: Notes) -> None:
    notes.faults = Faults(drop_at=(2,))
    with client_for(notes) as client:
        client.get("/notes")
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/notes")
        assert client.get("/notes").status_code == 200
    assert [(r.number, r.status, r.fault) for r in notes.requests][1] == (
        2,
        None,
        Fault.DROP,
    )


def test_page_size_caps_what_the_client_asks_for(notes: Notes) -> None:
    notes.faults = Faults(page_size=2)
    with client_for(notes) as client:
        assert client.get("/notes", params={"per_page": 50}).json() == {
            "notes": ["one", "two"]
        }


def test_latency_sleeps_before_each_request(
    notes: Notes, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(fake_module.time, "sleep", slept.append)
    notes.faults = Faults(latency=0.25)
    with client_for(notes) as client:
        client.get("/notes")
        client.get("/notes/1")
    assert slept == [0.25, 0.25]


# -- async -------------------------------------------------------------------------


def test_transport_is_a_mock_transport(notes: Notes) -> None:
    assert isinstance(notes.transport(), httpx.MockTransport)
    assert isinstance(notes.transport(), FakeTransport)


def test_async_client_gets_the_same_answers(
    notes: Notes, monkeypatch: pytest.MonkeyPatch
) -> None:
    waited: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waited.append(seconds)

    monkeypatch.setattr(fake_module.anyio, "sleep", fake_sleep)
    notes.faults = Faults(latency=0.5, drop_at=(3,))

    async def run() -> list[Any]:
        async with httpx.AsyncClient(
            transport=notes.transport(), base_url=notes.base_url, headers=HEADERS
        ) as client:
            first = (await client.get("/notes/1")).json()
            created = (await client.post("/notes", json={"text": "a"})).status_code
            with pytest.raises(httpx.RemoteProtocolError):
                await client.get("/notes")
            return [first, created]

    assert asyncio.run(run()) == [{"id": 1, "text": "one"}, 201]
    assert waited == [0.5, 0.5, 0.5]


# -- the real server ---------------------------------------------------------------


def test_server_and_transport_answer_identically() -> None:
    calls = [
        ("GET", "/notes", {"per_page": "2"}, None),
        ("GET", "/notes/3", {}, None),
        ("POST", "/notes", {}, {"text": "new"}),
        ("GET", "/notes/9", {}, None),
        ("GET", "/missing", {}, None),
    ]
    served, local = Notes(), Notes()
    served.notes = {1: "a", 2: "b", 3: "c"}
    local.notes = dict(served.notes)
    answers = []
    with served.serve() as base_url:
        for fake, transport in ((served, None), (local, local.transport())):
            with httpx.Client(
                base_url=base_url, headers=HEADERS, transport=transport
            ) as client:
                answers.append(
                    [
                        (r.status_code, r.content, r.headers["content-type"])
                        for r in (
                            client.request(method, path, params=params, json=body)
                            for method, path, params, body in calls
                        )
                    ]
                )
            assert len(fake.requests) == len(calls)
    assert answers[0] == answers[1]


def test_server_reads_chunked_bodies(notes: Notes) -> None:
    def chunks() -> Any:
        yield b'{"text":'
        yield b' "chunked"}'

    with (
        notes.serve() as base_url,
        httpx.Client(base_url=base_url, headers=HEADERS) as client,
    ):
        created = client.post("/notes", content=chunks())
        assert created.status_code == 201
        assert client.get(f"/notes/{created.json()['id']}").json()["text"] == "chunked"


def test_server_drops_the_connection(notes: Notes) -> None:
    notes.faults = Faults(drop_at=(1,))
    with (
        notes.serve() as base_url,
        httpx.Client(base_url=base_url, headers=HEADERS) as client,
    ):
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/notes")
        assert client.get("/notes").status_code == 200


def test_server_turns_a_handler_bug_into_a_500(notes: Notes) -> None:
    with (
        notes.serve() as base_url,
        httpx.Client(base_url=base_url, headers=HEADERS) as client,
    ):
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"message": "RuntimeError: handler bug"}


def test_transport_lets_a_handler_bug_propagate(notes: Notes) -> None:
    with client_for(notes) as client, pytest.raises(RuntimeError, match="handler bug"):
        client.get("/boom")


def test_server_stops_listening_when_the_block_ends(notes: Notes) -> None:
    with notes.serve() as base_url:
        assert base_url.startswith("http://127.0.0.1:")
    with httpx.Client(base_url=base_url) as client, pytest.raises(httpx.ConnectError):
        client.get("/notes")


def test_server_closes_idle_keep_alive_connections_on_exit(notes: Notes) -> None:
    client = httpx.Client(headers=HEADERS)
    try:
        with notes.serve() as base_url:
            assert client.get(f"{base_url}/notes").status_code == 200
        # the pooled connection was closed by the server: a new request fails
        with pytest.raises(httpx.TransportError):
            client.get(f"{base_url}/notes")
    finally:
        client.close()


def test_concurrent_requests_get_unique_consecutive_numbers(notes: Notes) -> None:
    errors: list[BaseException] = []

    def worker(base_url: str) -> None:
        try:
            with httpx.Client(base_url=base_url, headers=HEADERS) as client:
                for index in range(15):
                    client.post("/notes", json={"text": str(index)})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    with notes.serve() as base_url:
        threads = [threading.Thread(target=worker, args=(base_url,)) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert sorted(r.number for r in notes.requests) == list(range(1, 91))
    assert sorted(notes.notes) == list(range(1, 94))
