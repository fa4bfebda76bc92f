"""The shared HTTP core, the paginators, settings and the registry."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

import productops as po
from productops import adapters
from productops.adapters import _registry

Handler = Callable[[httpx.Request], httpx.Response]
TOKEN = "tok-1234-very-secret"


class Script:
    """A handler that answers from a list of responses, recording requests."""

    def __init__(self, *responses: httpx.Response | Exception) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def core(
    handler: Handler,
    *,
    rules: adapters.RateLimitRules | None = None,
    retry: adapters.RetryPolicy | None = None,
    sleeps: list[float] | None = None,
) -> adapters.HttpCore:
    recorded = sleeps if sleeps is not None else []
    return adapters.HttpCore(
        adapter="demo",
        base_url="https://127.0.0.1",
        headers={"Authorization": f"Bearer {TOKEN}"},
        rules=rules,
        retry=retry,
        secrets=[TOKEN],
        credential="token from PRODUCTOPS_DEMO_TOKEN",
        transport=httpx.MockTransport(handler),
        sleep=recorded.append,
    )


def test_429_is_retried_after_the_time_the_tool_asks() -> None:
    script = Script(
        httpx.Response(429, headers={"Retry-After": "3"}),
        httpx.Response(429, headers={"Retry-After": "1"}),
        httpx.Response(200, json={"ok": True}),
    )
    sleeps: list[float] = []
    assert core(script, sleeps=sleeps).json("GET", "/x") == {"ok": True}
    assert sleeps == [3.0, 1.0]
    assert len(script.requests) == 3


def test_5xx_is_retried_for_reads_with_backoff() -> None:
    script = Script(
        httpx.Response(503), httpx.Response(502), httpx.Response(200, json=1)
    )
    sleeps: list[float] = []
    policy = adapters.RetryPolicy(backoff=1.0, max_backoff=8.0)
    assert core(script, retry=policy, sleeps=sleeps).json("GET", "/x") == 1
    assert len(sleeps) == 2
    assert 0 <= sleeps[0] <= 1.0
    assert 0 <= sleeps[1] <= 2.0


def test_writes_are_not_retried_on_5xx_but_are_on_429() -> None:
    failing = Script(httpx.Response(503, json={"errorMessages": ["busy"]}))
    with pytest.raises(adapters.APIError, match="503") as info:
        core(failing).request("POST", "/issue", json={"a": 1})
    assert info.value.status_code == 503
    assert len(failing.requests) == 1
    limited = Script(httpx.Response(429), httpx.Response(201, json={"id": "1"}))
    assert core(limited).json("POST", "/issue", json={"a": 1}) == {"id": "1"}


def test_read_only_posts_can_opt_in_to_retries() -> None:
    script = Script(httpx.Response(503), httpx.Response(200, json=[]))
    assert core(script).json("POST", "/search", json={}, idempotent=True) == []


def test_exhausted_rate_limit_raises_with_retry_after() -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "2"}))
    policy = adapters.RetryPolicy(attempts=3)
    with pytest.raises(adapters.RateLimitedError) as info:
        core(script, retry=policy).request("GET", "/x")
    assert info.value.retry_after == 2.0
    assert len(script.requests) == 3


def test_a_wait_beyond_the_time_budget_is_not_taken() -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "3600"}))
    sleeps: list[float] = []
    policy = adapters.RetryPolicy(total=60)
    with pytest.raises(adapters.RateLimitedError, match="retry after 3600 s"):
        core(script, retry=policy, sleeps=sleeps).request("GET", "/x")
    assert sleeps == []
    assert len(script.requests) == 1


def test_401_names_the_credential_but_never_echoes_it() -> None:
    body = {"message": f"bad token {TOKEN}"}
    script = Script(httpx.Response(401, json=body))
    with pytest.raises(adapters.AuthenticationError) as info:
        core(script).request("GET", "/me")
    message = str(info.value)
    assert "token from PRODUCTOPS_DEMO_TOKEN" in message
    assert TOKEN not in message
    assert TOKEN not in info.value.body
    assert len(script.requests) == 1


def test_github_403_without_rate_limit_signals_is_a_permission_error() -> None:
    script = Script(httpx.Response(403, json={"message": "Resource not accessible"}))
    with pytest.raises(adapters.AuthenticationError, match="lack permission"):
        core(script, rules=adapters.GitHubRules()).request("GET", "/repos/o/r")
    assert len(script.requests) == 1


def test_github_primary_limit_waits_until_reset() -> None:
    clock = 1_000_000.0
    script = Script(
        httpx.Response(
            403,
            headers={
                "x-ratelimit-remaining": "0",
                "x-ratelimit-reset": str(int(clock) + 42),
            },
            json={"message": "API rate limit exceeded"},
        ),
        httpx.Response(200, json=[]),
    )
    sleeps: list[float] = []
    client = core(script, rules=adapters.GitHubRules(), sleeps=sleeps)
    client._policy.clock = lambda: clock
    client.request("GET", "/repos/o/r/issues")
    assert sleeps == [42.0]


def test_github_secondary_limit_waits_a_minute() -> None:
    script = Script(
        httpx.Response(
            403, json={"message": "You have exceeded a secondary rate limit"}
        ),
        httpx.Response(200, json=[]),
    )
    sleeps: list[float] = []
    core(script, rules=adapters.GitHubRules(), sleeps=sleeps).request("GET", "/x")
    assert sleeps == [60.0]


def test_404_is_not_found() -> None:
    with pytest.raises(adapters.NotFoundError, match="404"):
        core(Script(httpx.Response(404, json={"errorMessages": ["no"]}))).request(
            "GET", "/issue/X-1"
        )


def test_transport_failures_are_retried_then_wrapped() -> None:
    script = Script(httpx.ConnectError("refused"), httpx.Response(200, json=1))
    assert core(script).json("GET", "/x") == 1
    dead = Script(httpx.ConnectError("refused"))
    with pytest.raises(adapters.ConnectionFailedError, match="ConnectError") as info:
        core(dead, retry=adapters.RetryPolicy(attempts=2)).request("GET", "/x")
    assert isinstance(info.value.__cause__, httpx.ConnectError)


def test_malformed_json_names_the_request() -> None:
    script = Script(httpx.Response(200, content=b'{"issues": [1, 2'))
    with pytest.raises(
        adapters.ResponseFormatError, match=re.escape("GET https://127.0.0.1/x")
    ):
        core(script).json("GET", "/x")


@pytest.mark.parametrize(
    "url", ["http://jira.invalid", "ftp://127.0.0.1", "/relative", "https://"]
)
def test_only_https_except_loopback(url: str) -> None:
    with pytest.raises(adapters.AdapterConfigError):
        adapters.check_base_url(url, adapter="demo")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9", "http://localhost", "http://[::1]:80"]
)
def test_loopback_may_use_http(url: str) -> None:
    assert adapters.check_base_url(url, adapter="demo") == url


def test_logs_never_hold_the_secret(caplog: pytest.LogCaptureFixture) -> None:
    script = Script(httpx.Response(429), httpx.Response(200, json=1))
    with caplog.at_level(logging.DEBUG, logger="productops.adapters"):
        client = core(script)
        client.request("GET", f"/x?token={TOKEN}&page=2")
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "retrying" in text
    assert "token=***" in text
    assert TOKEN not in text


def test_redactor_hides_every_secret_and_secret_parameters() -> None:
    redact = adapters.Redactor(["abcd", "abcdef"])
    assert redact("abcdef abcd x?key=zz&sig=1") == "*** *** x?key=***&sig=***"


def test_gather_keeps_order_and_counts_requests() -> None:
    client = core(lambda request: httpx.Response(200, json=request.url.path))
    results = client.gather(
        [lambda n=n: client.json("GET", f"/{n}") for n in range(10)], concurrency=4
    )
    assert results == [f"/{n}" for n in range(10)]
    assert client.requests == 10


def test_async_core_retries_the_same_way() -> None:
    script = Script(
        httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200, json=7)
    )
    sleeps: list[float] = []

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    async def main() -> Any:
        async with adapters.AsyncHttpCore(
            adapter="demo",
            base_url="https://127.0.0.1",
            transport=httpx.MockTransport(script),
            sleep=record,
        ) as client:
            return await client.json("GET", "/x")

    assert asyncio.run(main()) == 7
    assert sleeps == [2.0]


def test_async_core_raises_mapped_errors() -> None:
    async def main() -> None:
        client = adapters.AsyncHttpCore(
            adapter="demo",
            base_url="https://127.0.0.1",
            transport=httpx.MockTransport(lambda r: httpx.Response(404)),
        )
        await client.request("GET", "/x")

    with pytest.raises(adapters.NotFoundError):
        asyncio.run(main())


# Paginators -------------------------------------------------------------------


def token_pages(count: int, size: int) -> Handler:
    """A Jira-like endpoint: records 0..count-1, `size` a page, with tokens."""

    def handler(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params.get("nextPageToken", "0"))
        stop = min(start + size, count)
        body: dict[str, Any] = {
            "issues": list(range(start, stop)),
            "isLast": stop >= count,
        }
        if stop < count:
            body["nextPageToken"] = str(stop)
        return httpx.Response(200, json=body)

    return handler


JIRA_PAGING = adapters.BodyToken(("issues",), ("nextPageToken",), "nextPageToken")
FIRST = adapters.PageRequest("GET", "/rest/api/3/search/jql", {"jql": "project = A"})


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 40), st.integers(1, 7))
def test_token_paging_yields_every_record_once(count: int, size: int) -> None:
    pages = adapters.paginate(core(token_pages(count, size)), JIRA_PAGING, FIRST)
    assert [item for page in pages for item in page.items] == list(range(count))


def test_a_429_mid_way_does_not_restart_paging() -> None:
    inner = token_pages(10, 3)
    calls = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 3:
            return httpx.Response(429, headers={"Retry-After": "0"})
        return inner(request)

    pages = list(adapters.paginate(core(flaky), JIRA_PAGING, FIRST))
    assert [item for page in pages for item in page.items] == list(range(10))
    assert calls["n"] == 5


def test_paging_resumes_from_a_saved_request() -> None:
    client = core(token_pages(10, 3))
    pages = adapters.paginate(client, JIRA_PAGING, FIRST)
    first = next(pages)
    saved = json.dumps(first.next.to_dict() if first.next else None)
    resumed = adapters.paginate(
        core(token_pages(10, 3)),
        JIRA_PAGING,
        FIRST,
        resume=adapters.PageRequest.from_dict(json.loads(saved)),
    )
    rest = [item for page in resumed for item in page.items]
    assert first.items + rest == list(range(10))


def test_a_page_pointing_back_is_an_error_not_a_loop() -> None:
    looping = core(
        lambda r: httpx.Response(200, json={"issues": [1], "nextPageToken": "same"})
    )
    with pytest.raises(adapters.ResponseFormatError, match="already fetched"):
        list(adapters.paginate(looping, JIRA_PAGING, FIRST))


def test_a_page_without_its_records_is_an_error() -> None:
    odd = core(lambda r: httpx.Response(200, json={"values": []}))
    with pytest.raises(adapters.ResponseFormatError, match="'issues'"):
        list(adapters.paginate(odd, JIRA_PAGING, FIRST))


def test_link_header_is_followed_verbatim() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/repos/o/r/issues":
            url = "https://127.0.0.1/repositories/9/issues?page=2&per_page=2"
            link = f'<{url}>; rel="next"'
            return httpx.Response(200, json=[1, 2], headers={"Link": link})
        assert request.url.path == "/repositories/9/issues"
        assert request.url.params["page"] == "2"
        return httpx.Response(200, json=[3])

    first = adapters.PageRequest("GET", "/repos/o/r/issues", {"per_page": 2})
    pages = adapters.paginate(core(handler), adapters.LinkHeader(), first)
    assert [item for page in pages for item in page.items] == [1, 2, 3]


def test_offset_paging_copes_with_short_pages() -> None:
    data = list(range(7))

    def handler(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params["startAt"])
        chunk = data[start : start + 2]  # the server returns fewer than asked
        return httpx.Response(
            200, json={"values": chunk, "total": len(data), "isLast": start + 2 >= 7}
        )

    first = adapters.PageRequest("GET", "/version", {"startAt": 0, "maxResults": 5})
    pages = adapters.paginate(core(handler), adapters.Offset(("values",)), first)
    assert [item for page in pages for item in page.items] == data


def test_graphql_cursor_paging() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        after = json.loads(request.content)["variables"].get("after")
        start = 0 if after is None else int(after)
        nodes = [{"id": n} for n in range(start, min(start + 2, 5))]
        more = start + 2 < 5
        return httpx.Response(
            200,
            json={
                "data": {
                    "issues": {
                        "nodes": nodes,
                        "pageInfo": {"hasNextPage": more, "endCursor": str(start + 2)},
                    }
                }
            },
        )

    first = adapters.PageRequest(
        "POST", "/graphql", {}, {"query": "q", "variables": {}}
    )
    pages = adapters.paginate(
        core(handler), adapters.GraphQLCursor(("data", "issues")), first
    )
    assert [node["id"] for page in pages for node in page.items] == [0, 1, 2, 3, 4]


# Settings ------------------------------------------------------------------------


class DemoSettings(adapters.AdapterSettings):
    adapter = "demo"
    base_url: str
    email: str
    token: SecretStr
    page_size: int = 50


def write_profile(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_arguments_beat_environment_beat_profile(tmp_path: Path) -> None:
    path = write_profile(
        tmp_path,
        '[default.demo]\nbase_url = "https://127.0.0.1:1"\nemail = "file@x"\n'
        'token = "from-file"\npage_size = 10\n',
    )
    settings = DemoSettings.resolve(
        {"email": "arg@x"},
        env={"PRODUCTOPS_DEMO_TOKEN": "from-env", "PRODUCTOPS_CONFIG": str(path)},
    )
    assert settings.email == "arg@x"
    assert settings.secret("token") == "from-env"
    assert settings.base_url == "https://127.0.0.1:1"
    assert settings.page_size == 10
    assert settings.sources["email"] == "argument"
    assert settings.sources["token"] == "environment variable PRODUCTOPS_DEMO_TOKEN"
    assert "[default.demo] base_url" in settings.sources["base_url"]


def test_profiles_are_selected_by_name(tmp_path: Path) -> None:
    path = write_profile(
        tmp_path,
        '[work.demo]\nbase_url = "https://127.0.0.1:2"\nemail = "w@x"\ntoken = "t"\n',
    )
    settings = DemoSettings.resolve(
        {}, env={"PRODUCTOPS_PROFILE": "work"}, config_file=path
    )
    assert settings.base_url == "https://127.0.0.1:2"


def test_missing_settings_say_where_to_set_them() -> None:
    with pytest.raises(adapters.AdapterConfigError) as info:
        DemoSettings.resolve(
            {"base_url": "https://127.0.0.1"}, env={}, config_file=None
        )
    message = str(info.value)
    assert "email: missing" in message
    assert "PRODUCTOPS_DEMO_TOKEN" in message


def test_a_bad_value_names_its_source_not_its_value() -> None:
    with pytest.raises(adapters.AdapterConfigError) as info:
        DemoSettings.resolve(
            {"base_url": "https://127.0.0.1", "email": "e", "token": TOKEN},
            env={"PRODUCTOPS_DEMO_PAGE_SIZE": "lots"},
            config_file=None,
        )
    assert "page_size (from environment variable PRODUCTOPS_DEMO_PAGE_SIZE)" in str(
        info.value
    )
    assert "lots" not in str(info.value)
    assert TOKEN not in str(info.value)


def test_secrets_never_show_in_reprs() -> None:
    settings = DemoSettings.resolve(
        {"base_url": "https://127.0.0.1", "email": "e", "token": TOKEN},
        env={},
        config_file=None,
    )
    assert TOKEN not in repr(settings)
    assert TOKEN not in str(settings.model_dump())
    assert TOKEN not in settings.model_dump_json()


def test_unknown_arguments_and_broken_files_are_errors(tmp_path: Path) -> None:
    with pytest.raises(adapters.AdapterConfigError, match="unknown settings"):
        DemoSettings.resolve({"tokne": "x"}, env={}, config_file=None)
    broken = write_profile(tmp_path, "[default.demo\n")
    with pytest.raises(adapters.AdapterConfigError, match="profile file"):
        DemoSettings.resolve({}, env={}, config_file=broken)


# Registry ------------------------------------------------------------------------


@pytest.fixture
def clean_registry() -> Iterator[None]:
    _registry._reset()
    yield
    _registry._reset()


@pytest.mark.usefixtures("clean_registry")
def test_third_party_adapters_are_found_through_entry_points() -> None:
    info = adapters.available()["example"]
    assert info.origin == "plugin productops-example-adapter"
    notifier = adapters.get("example", default_channel="#releases")
    assert isinstance(notifier, adapters.Notifier)
    notifier.notify("2026.2 is out")
    assert notifier.sent == [("#releases", "2026.2 is out")]


@pytest.mark.usefixtures("clean_registry")
def test_a_broken_plugin_warns_and_is_skipped() -> None:
    assert "example_broken" in adapters.available()
    with (
        pytest.warns(po.errors.PluginLoadWarning, match="failed to load"),
        pytest.raises(adapters.AdapterNotFoundError),
    ):
        adapters.get("example_broken")
    assert adapters.get("example").name == "example"


@pytest.mark.usefixtures("clean_registry")
def test_plugins_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRODUCTOPS_DISABLE_PLUGINS", "1")
    assert "example" not in adapters.available()
    with pytest.raises(
        adapters.AdapterNotFoundError, match="no adapter named 'example'"
    ):
        adapters.get("example")


@pytest.mark.usefixtures("clean_registry")
def test_register_refuses_a_clash_unless_told() -> None:
    class Mine:
        def __init__(self, **settings: Any) -> None:
            self.settings = settings

    with pytest.raises(adapters.AdapterError, match="exists already"):
        adapters.register("example", Mine)
    adapters.register("example", Mine, replace=True)
    assert isinstance(adapters.get("example"), Mine)
    with pytest.raises(adapters.AdapterError, match="lowercase"):
        adapters.register("Bad Name", Mine)


def test_registry_is_read_only() -> None:
    with pytest.raises(TypeError):
        adapters.registry["x"] = None  # type: ignore[index]


# -- deprecation notices (RFC 9745 Deprecation, RFC 8594 Sunset) ---------------------


def test_deprecated_endpoints_warn_once_with_dates_and_notice() -> None:
    headers = {
        "Deprecation": "@1688169599",
        "Sunset": "Sat, 01 Aug 2026 23:59:59 GMT",
        "Link": '<https://docs.example.invalid/changes>; rel="deprecation"',
    }
    script = Script(httpx.Response(200, json={}, headers=headers))
    import warnings

    with core(script) as client, warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        client.request("GET", "/old", params={"page": 1})
        client.request("GET", "/old", params={"page": 2})  # same endpoint: no repeat
    assert [w.category for w in seen] == [po.errors.DeprecatedAPIWarning]
    assert str(seen[0].message) == (
        "demo: GET /old is deprecated since 2023-06-30T23:59:59+00:00 and stops "
        "working on 2026-08-01T23:59:59+00:00; see https://docs.example.invalid/changes"
    )


def test_deprecation_true_and_sunset_alone_are_reported() -> None:
    script = Script(httpx.Response(200, json={}, headers={"Deprecation": "true"}))
    with (
        core(script) as client,
        pytest.warns(
            po.errors.DeprecatedAPIWarning, match=r"^demo: GET /a is deprecated$"
        ),
    ):
        client.request("GET", "/a")
    script = Script(httpx.Response(200, json={}, headers={"Sunset": "soon"}))
    with (
        core(script) as client,
        pytest.warns(po.errors.DeprecatedAPIWarning, match="stops working on soon"),
    ):
        client.request("GET", "/b")


def test_endpoints_without_notices_do_not_warn(
    recwarn: pytest.WarningsRecorder,
) -> None:
    with core(Script(httpx.Response(200, json={}))) as client:
        client.request("GET", "/fine")
    assert not [w for w in recwarn if issubclass(w.category, po.ProductOpsWarning)]
