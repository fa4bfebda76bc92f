"""Jira sync: productops' JiraAdapter against the `jira` package (pycontribs).

Run by hand (this is not a test), from the repository root::

    /work/venv/bin/python benchmarks/bench_jira_sync.py

Options: ``--issues`` (10000), ``--latency`` (0.02 seconds per request),
``--repeat`` (3; the contenders take turns going first, and the fastest run of
each is reported, with the medians), ``--concurrency`` (the adapter's setting,
8), ``--json PATH`` (also write the results).

The workload (issue: "sync 10,000 Jira issues with changelogs"): ``--issues`` work
items built from demo workspaces of successive seeds (renumbered ``APP-1``...;
links and parents follow), about six status changes each, served by ``FakeJira``
(Cloud mode) over real HTTP on 127.0.0.1 with ``Faults(latency=...)`` on every
request. The server runs in its own process, which also holds the workspace and
the expected answer, so that neither its work nor a large heap (garbage
collection) weighs on the process being measured. Both contenders talk to the
same server, one after the other, in the same run; before the first run, the
query both start with is asked once, because FakeJira sorts a query's issues the
first time it sees the query.

* **productops**: ``JiraAdapter(...).sync(project="APP")``, the whole call: field
  metadata, the search (time slices side by side after the first page), the bulk
  changelogs, mapping to validated ``WorkItem`` records.
* **jira 3.10.5** (``pip install jira==3.10.5``), as a careful user would: ``JIRA(
  server, basic_auth)`` (it asks ``/serverInfo``), then ``enhanced_search_issues(jql,
  maxResults=False, fields=<the same fields>, expand="changelog")`` (100 issues per
  page; an embedded changelog is capped at 40 histories), then, for every issue
  whose changelog ``total`` is larger than what came embedded, the complete
  changelog: ``jira.issue(key, fields="status", expand="changelog")`` and, past
  100 histories, ``GET /issue/{key}/changelog`` pages.

Measured: wall time around the call (``time.perf_counter``), CPU time of the
measuring process (``time.process_time``, the client's threads included) and of
the server process, and the requests the fake received (retries included).
Every run's result is checked against the fake's data: productops' work items
must equal ``FakeJira.workspace_view()`` (history times to the second: bulk
changelogs report epoch seconds), and the status changes pycontribs collected
must number the fake's, issue by issue.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import statistics
import time
from datetime import UTC, datetime
from typing import Any

import httpx

import productops as po
from productops import datasets
from productops.adapters.jira import SYSTEM_FIELDS, JiraAdapter
from productops.testing import FakeJira, Faults

JQL = 'project = "APP" ORDER BY updated ASC, key ASC'


def workspace(issues: int) -> po.Workspace:
    """Demo workspaces of successive seeds, renumbered into one project."""
    items: list[po.WorkItem] = []
    seed = 0
    while len(items) < issues:
        demo = datasets.load_demo(seed=datasets.DEMO_SEED + seed)
        offset = len(items)
        numbers = {
            item.key: f"APP-{offset + index + 1}"
            for index, item in enumerate(demo.work_items)
        }
        items.extend(
            item.evolve(
                key=numbers[item.key],
                parent=numbers.get(item.parent) if item.parent else None,
                links=[
                    {"kind": link.kind, "target": numbers[link.target]}
                    for link in item.links
                    if link.target in numbers
                ],
                url=None,
                source=None,
            )
            for item in demo.work_items[: issues - len(items)]
        )
        seed += 1
    keys = {item.key for item in items}
    items = [
        item.evolve(
            parent=item.parent if item.parent in keys else None,
            links=[link for link in item.links if link.target in keys],
        )
        for item in items
    ]
    demo = datasets.load_demo()
    return po.Workspace(
        name="bench",
        process=demo.process,
        work_items=items,
        releases=demo.releases,
        teams=demo.teams,
    )


def serve(issues: int, latency: float, pipe: Any) -> None:
    """The server process: build the fake, serve it until told to stop.

    The workspace and the expected answer live here, not in the measuring
    process: a large heap there would slow both contenders' garbage collection.
    """
    ws = workspace(issues)
    fake = FakeJira(ws, faults=Faults(latency=latency))
    with fake.serve() as base_url:
        pipe.send(
            (
                base_url,
                sum(len(item.history) for item in ws.work_items),
                max(len(item.history) for item in ws.work_items),
            )
        )
        while (command := pipe.recv()) != "stop":
            if command == "expected":
                view = fake.workspace_view(base_url=base_url).work_items
                pipe.send([item.model_dump_json() for item in view])
            else:
                pipe.send((time.process_time(), fake.request_count))


def warm_up(base_url: str) -> None:
    """Ask the fake once for the query both contenders start with.

    FakeJira sorts the issues matching a query the first time it sees the query
    and keeps the order; without this, whoever runs first would pay for both.
    """
    email, token = FakeJira(po.Workspace()).credentials
    with httpx.Client(base_url=base_url, auth=(email, token)) as client:
        client.post(
            "/rest/api/3/search/jql",
            json={"jql": JQL, "fields": ["updated"], "maxResults": 1},
        ).raise_for_status()


def run_productops(base_url: str, concurrency: int) -> dict[str, Any]:
    fake_email, fake_token = FakeJira(po.Workspace()).credentials
    started = time.perf_counter()
    with JiraAdapter(
        base_url=base_url,
        email=fake_email,
        token=fake_token,
        concurrency=concurrency,
    ) as jira:
        result = jira.sync(project="APP")
    elapsed = time.perf_counter() - started
    items = {item.key: item.model_dump_json() for item in result.items}
    if len(items) != len(result.items):
        items["(duplicates)"] = str(len(result.items) - len(items))
    return {"seconds": elapsed, "requests": result.requests, "items": items}


def run_pycontribs(base_url: str, fields: list[str]) -> dict[str, Any]:
    from jira import JIRA

    email, token = FakeJira(po.Workspace()).credentials
    started = time.perf_counter()
    client = JIRA(server=base_url, basic_auth=(email, token))
    issues = client.enhanced_search_issues(
        JQL, maxResults=False, fields=",".join(fields), expand="changelog"
    )
    changes: dict[str, int] = {}
    for issue in issues:
        log = issue.changelog
        histories = list(log.histories)
        if log.total > len(histories):
            full = client.issue(issue.key, fields="status", expand="changelog")
            histories = list(full.changelog.histories)
            if full.changelog.total > len(histories):
                histories = []
                start = 0
                while True:
                    page = (
                        client._get_json(  # no public method for the changelog endpoint
                            f"issue/{issue.key}/changelog",
                            params={"startAt": start, "maxResults": 100},
                        )
                    )
                    histories += page["values"]
                    start += len(page["values"])
                    if page.get("isLast", True) or not page["values"]:
                        break
                changes[issue.key] = sum(
                    1
                    for history in histories
                    for item in history["items"]
                    if item["field"] == "status"
                )
                continue
        changes[issue.key] = sum(
            1
            for history in histories
            for item in history.items
            if item.field == "status"
        )
    elapsed = time.perf_counter() - started
    client.close()
    return {"seconds": elapsed, "changes": changes}


def check(
    view: list[po.WorkItem], ours: dict[str, str], theirs: dict[str, int]
) -> tuple[bool, bool]:
    """Compare both results with the fake's data.

    History times are compared to the second: the bulk changelog API reports
    epoch seconds.
    """

    def seconds(item: po.WorkItem) -> str:
        return item.evolve(
            history=[
                change.evolve(at=change.at.replace(microsecond=0))
                for change in item.history
            ]
        ).model_dump_json()

    expected = {item.key: seconds(item) for item in view}
    counts = {item.key: len(item.history) for item in view}
    return ours == expected, theirs == counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()

    print(f"building the workspace: {args.issues} issues ...", flush=True)
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    server = context.Process(
        target=serve, args=(args.issues, args.latency, child), daemon=True
    )
    server.start()
    base_url, histories, longest = parent.recv()
    fields = [*SYSTEM_FIELDS, "customfield_10016", "customfield_10001"]
    ours: list[dict[str, Any]] = []
    theirs: list[dict[str, Any]] = []

    def server_state() -> tuple[float, int]:
        parent.send("state")
        cpu, count = parent.recv()
        return cpu, count

    def measured(run: Any, *arguments: Any) -> dict[str, Any]:
        cpu, count = server_state()
        client_cpu = time.process_time()
        row: dict[str, Any] = run(*arguments)
        row["client_cpu"] = time.process_time() - client_cpu
        after_cpu, after_count = server_state()
        row["server_cpu"] = after_cpu - cpu
        row["served"] = after_count - count
        return row

    try:
        warm_up(base_url)
        for round_number in range(args.repeat):
            runs = [
                (ours, run_productops, (base_url, args.concurrency)),
                (theirs, run_pycontribs, (base_url, fields)),
            ]
            for results, run, arguments in runs[:: 1 if round_number % 2 == 0 else -1]:
                results.append(measured(run, *arguments))
                gc.collect()
        parent.send("expected")
        view = [po.WorkItem.model_validate_json(text) for text in parent.recv()]
    finally:
        parent.send("stop")
        server.join(timeout=10)
    best_ours = min(ours, key=lambda r: r["seconds"])
    best_theirs = min(theirs, key=lambda r: r["seconds"])
    checks = [
        check(view, a["items"], b["changes"]) for a, b in zip(ours, theirs, strict=True)
    ]
    ours_ok = all(ok for ok, _ in checks)
    theirs_ok = all(ok for _, ok in checks)
    for row in ours:
        row.pop("items")
    for row in theirs:
        row.pop("changes")
    print(
        f"\n{args.issues} issues, {histories} status changes (longest history "
        f"{longest}), {args.latency * 1000:.0f} ms per request, loopback HTTP, "
        f"server in its own process; {args.repeat} run(s), fastest shown\n"
    )
    print(
        f"{'contender':<26}{'wall s':>9}{'requests':>10}{'issues/s':>10}"
        f"{'client CPU s':>14}{'server CPU s':>14}  complete"
    )
    for name, row, ok in (
        (f"productops (c={args.concurrency})", best_ours, ours_ok),
        ("jira 3.10.5 (pycontribs)", best_theirs, theirs_ok),
    ):
        print(
            f"{name:<26}{row['seconds']:>9.2f}{row['served']:>10}"
            f"{args.issues / row['seconds']:>10.0f}{row['client_cpu']:>14.2f}"
            f"{row['server_cpu']:>14.2f}"
            f"  {'yes' if ok else 'NO'}"
        )
    ratio = best_theirs["seconds"] / best_ours["seconds"]
    print(
        f"\nproductops is {ratio:.1f}x faster; requests: productops "
        f"{best_ours['served']}, pycontribs {best_theirs['served']} (as served by "
        "the fake, retries included)"
    )
    if len(ours) > 1:
        print(
            "median wall s: productops "
            f"{statistics.median(r['seconds'] for r in ours):.2f}, pycontribs "
            f"{statistics.median(r['seconds'] for r in theirs):.2f}"
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(
                {
                    "issues": args.issues,
                    "latency": args.latency,
                    "productops": best_ours,
                    "pycontribs": best_theirs,
                    "ratio": ratio,
                    "complete": {"productops": ours_ok, "pycontribs": theirs_ok},
                    "at": datetime.now(UTC).isoformat(timespec="seconds"),
                },
                handle,
                indent=2,
            )


if __name__ == "__main__":
    main()
