"""Tests of productops.kpi DORA four keys (`dora`, `dora_bands`).

There is no published worked example of computing the four keys from records;
the cases below are hand-computed from the definitions in DORA's four-keys
guide (https://dora.dev/guides/dora-metrics/). Band cells are the
2024 Accelerate State of DevOps table (see `DoraBands.caveats` for what was
confirmed), edges follow the documented rule: a value on a boundary belongs to
the worse level, gaps go to the nearest range on a log scale, and change
failure rate goes to the nearest level's typical rate (ties to the higher rate).
"""

from __future__ import annotations

import math
import statistics
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from productops import InvalidInputError
from productops.datasets import load_demo
from productops.kpi._dora import (
    LEVELS,
    DoraMetrics,
    dora,
    dora_bands,
)
from productops.model import Deployment, Incident, Process, WorkItem

BANDS = dora_bands(2024)
RANK = {level: rank for rank, level in enumerate(LEVELS)}


def at(day: int, hour: float = 12) -> datetime:
    return datetime(2024, 3, day, tzinfo=UTC) + timedelta(hours=hour)


def dep(
    key: str,
    day: int,
    hour: float = 12,
    *,
    service: str = "api",
    env: str = "production",
    **kw: Any,
) -> Deployment:
    return Deployment(
        key=key, service=service, environment=env, deployed_at=at(day, hour), **kw
    )


def item(key: str, created: datetime, *, status: str = "Done", **kw: Any) -> WorkItem:
    return WorkItem(key=key, title=key, status=status, created=created, **kw)


# -- scenario A: one service, a rollback, two items ------------------------------

DEPS_A = [
    dep("d1", 1, items=("A-1",)),
    dep("d2", 2, status="rolled_back", items=("A-2",)),
    dep("d3", 2, 15, items=("A-2",)),
    dep("d4", 5),
]
ITEMS_A = [item("A-1", at(1, 0)), item("A-2", at(1, 12)), item("A-3", at(1, 0))]


@pytest.fixture
def metrics_a() -> DoraMetrics:
    return dora(DEPS_A, work_items=ITEMS_A)


def test_window_defaults_to_first_and_last_deployment(metrics_a):
    assert (metrics_a.start, metrics_a.end) == (at(1), at(5))


def test_deployment_frequency_counts_every_status(metrics_a):
    f = metrics_a.deployment_frequency
    # 4 deployments over 4 days; deploy days Mar 1, 2, 5 out of Mar 1..5.
    assert (f.n, f.successful, f.window_days) == (4, 3, 4.0)
    assert (f.per_day, f.per_week) == (1.0, 7.0)
    assert (f.deploy_days, f.calendar_days, f.deploy_days_share) == (3, 5, 0.6)
    # exactly once a day is "between once per day and once per week"
    assert (f.category, f.band) == ("daily_weekly", "high")


def test_lead_time_runs_to_first_successful_deployment(metrics_a):
    lt = metrics_a.lead_time
    # Mar 1 00:00 -> d1 Mar 1 12:00 = 0.5 d; A-2 skips rolled-back d2 and
    # runs Mar 1 12:00 -> d3 Mar 2 15:00 = 1.125 d.
    assert [(c.item, c.deployment, c.days) for c in lt.changes] == [
        ("A-1", "d1", 0.5),
        ("A-2", "d3", 1.125),
    ]
    assert lt.median_days == 0.8125
    assert lt.p85_days == pytest.approx(0.5 + 0.85 * 0.625)
    assert (lt.n, lt.band, lt.measured_from) == (2, "elite", "created")
    assert lt.never_deployed == ("A-3",)


def test_rolled_back_deployment_is_a_failed_change(metrics_a):
    c = metrics_a.change_failure_rate
    assert (c.rate, c.n, c.failed, c.rolled_back) == (0.25, 4, ("d2",), ("d2",))
    assert (c.failed_status, c.caused_incident, c.band) == ((), (), "high")


def test_rollback_recovers_at_next_successful_deployment(metrics_a):
    r = metrics_a.recovery_time
    (rec,) = r.recoveries
    assert (rec.deployment, rec.via, rec.restored_by, rec.hours) == (
        "d2",
        "redeployment",
        ("d3",),
        3.0,
    )
    assert (r.median_hours, r.n, r.band, r.unrestored) == (3.0, 1, "high", ())


def test_to_records_has_one_row_per_key(metrics_a):
    rows = metrics_a.to_records()
    assert [(r["metric"], r["value"], r["n"], r["band"]) for r in rows] == [
        ("deployment_frequency", 1.0, 4, "high"),
        ("lead_time", 0.8125, 2, "elite"),
        ("change_failure_rate", 0.25, 4, "high"),
        ("recovery_time", 3.0, 1, "high"),
    ]


def test_repr_is_readable(metrics_a):
    assert repr(metrics_a) == (
        "DoraMetrics(production 2024-03-01..2024-03-05: 7.00 deploys/week (high), "
        "lead time median 0.81 days (elite), change failure rate 25.0% (high), "
        "recovery median 3.00 h (high))"
    )


def test_input_order_does_not_matter(metrics_a):
    assert dora(list(reversed(DEPS_A)), work_items=ITEMS_A) == metrics_a


# -- scenario B: failures, incidents, other services and environments -----------

DEPS_B = [
    dep("e1", 1, 10, service="web", caused_incidents=("INC-1",)),
    dep("e2", 1, 11, service="web", status="failure"),
    dep("e3", 1, 13, service="api"),
    dep("e4", 1, 14.5, service="web"),
    dep("s1", 1, 9, service="web", env="staging"),
    dep("e5", 10, 10, service="web"),
]
INCIDENTS_B = [
    Incident(
        key="INC-1",
        title="500s",
        started_at=at(1, 10.5),
        resolved_at=at(1, 12.5),
    ),
    Incident(key="INC-2", title="slow", started_at=at(1, 15), caused_by="e4"),
    Incident(key="INC-3", title="cloud", started_at=at(2), resolved_at=at(2, 13)),
    Incident(key="INC-4", title="?", started_at=at(3), caused_by="gone-1"),
]


@pytest.fixture
def metrics_b() -> DoraMetrics:
    return dora(DEPS_B, incidents=INCIDENTS_B)


def test_failed_rolled_back_and_incident_causing_are_told_apart(metrics_b):
    c = metrics_b.change_failure_rate
    # e1 caused INC-1 (its own link), e2 failed, e4 caused INC-2 (incident's link)
    assert c.failed == ("e1", "e2", "e4")
    assert (c.failed_status, c.rolled_back, c.caused_incident) == (
        ("e2",),
        (),
        ("e1", "e4"),
    )
    assert (c.rate, c.n, c.band) == (0.6, 5, "low")


def test_recovery_uses_incident_or_next_deployment(metrics_b):
    r = metrics_b.recovery_time
    assert [(x.deployment, x.via, x.restored_by, x.hours) for x in r.recoveries] == [
        ("e1", "incident", ("INC-1",), 2.0),  # 10:30 -> 12:30
        ("e2", "redeployment", ("e4",), 3.5),  # 11:00 -> e4 at 14:30 (e3 is api)
    ]
    assert (r.median_hours, r.n, r.band) == (2.75, 2, "high")
    assert r.unrestored == ("e4",)  # INC-2 is unresolved
    assert r.incidents_not_from_deployments == ("INC-3",)
    assert r.incidents_unknown_deployment == ("INC-4",)


def test_exclusions_are_counted(metrics_b):
    assert (
        metrics_b.excluded_environment,
        metrics_b.excluded_service,
        metrics_b.excluded_window,
    ) == (1, 0, 0)
    web = dora(DEPS_B, incidents=INCIDENTS_B, service="web", end=at(5))
    assert (web.excluded_environment, web.excluded_service, web.excluded_window) == (
        1,
        1,
        1,
    )
    assert web.change_failure_rate.n == 3


@pytest.mark.parametrize(
    ("days", "category", "band"),
    [
        (0.5, "on_demand", "elite"),  # window counted as 1 day: 2/day
        (7, "daily_weekly", "high"),
        (14, "weekly_monthly", "medium"),  # exactly weekly: the worse bucket
        (20, "weekly_monthly", "medium"),
        (60, "monthly_6_months", "low"),  # exactly monthly
        (100, "monthly_6_months", "low"),
        (400, "fewer", "low"),
    ],
)
def test_frequency_category_per_window(days, category, band):
    one = [dep("f1", 1, 12.25), dep("f2", 1, 12.5)]
    start = at(1)
    m = dora(one, start=start, end=start + timedelta(days=days))
    f = m.deployment_frequency
    assert f.per_day == 2 / max(days, 1)
    assert (f.category, f.band) == (category, band)


def test_other_environment_can_be_measured():
    m = dora(DEPS_B, environment="staging")
    assert (m.deployment_frequency.n, m.excluded_environment) == (1, 5)
    # a single deployment: the window is shorter than a day and counts as one
    assert m.deployment_frequency.window_days == 1.0


def test_rolled_back_deployment_that_caused_an_incident_recovers_via_incident():
    deps = [
        dep("r1", 1, status="rolled_back", caused_incidents=("I-1",)),
        dep("r2", 1, 13),
    ]
    incidents = [
        Incident(
            key="I-1", title="x", started_at=at(1, 12.25), resolved_at=at(1, 12.75)
        )
    ]
    m = dora(deps, incidents=incidents)
    c = m.change_failure_rate
    assert (c.failed, c.rolled_back, c.caused_incident) == (("r1",), ("r1",), ("r1",))
    (rec,) = m.recovery_time.recoveries
    assert (rec.via, rec.hours, m.recovery_time.band) == ("incident", 0.5, "elite")


def test_missing_incident_falls_back_to_redeployment():
    deps = [dep("m1", 1, caused_incidents=("I-404",)), dep("m2", 1, 14)]
    m = dora(deps)
    assert m.change_failure_rate.failed == ("m1",)
    (rec,) = m.recovery_time.recoveries
    assert (rec.via, rec.hours) == ("redeployment", 2.0)
    assert m.recovery_time.incidents_missing == ("I-404",)


# -- lead time from commitment and the items not measured ------------------------


def test_lead_time_from_commitment_and_skipped_items():
    process = Process.kanban_default()  # commitment point: Ready
    hist = [
        {"at": at(2, 0), "from_status": "Backlog", "to_status": "Ready"},
        {"at": at(2, 6), "from_status": "Ready", "to_status": "In Progress"},
    ]
    items = [
        item("C-1", at(1, 0), history=hist),  # committed Mar 2 00:00
        item("C-2", at(1, 0), status="Backlog"),  # never committed
        item("C-3", at(1, 0)),  # deployed before the window
        item("C-4", at(1, 0)),  # never deployed
    ]
    deps = [
        dep("p0", 1, 0, items=("C-3",)),
        dep("p1", 3, items=("C-1", "C-2", "C-9")),
    ]
    m = dora(
        deps,
        work_items=items,
        start=at(1, 6),
        end=at(4),
        lead_time_from="commitment",
        process=process,
    )
    lt = m.lead_time
    assert [(c.item, c.start, c.days) for c in lt.changes] == [("C-1", at(2, 0), 1.5)]
    assert (lt.median_days, lt.band, lt.measured_from) == (1.5, "high", "commitment")
    assert lt.not_started == ("C-2",)
    assert lt.unknown == ("C-9",)
    assert lt.deployed_outside_window == ("C-3",)
    assert lt.never_deployed == ("C-4",)
    assert m.excluded_window == 1
    created = dora(deps, work_items=items, start=at(1, 6), end=at(4))
    assert [(c.item, c.days) for c in created.lead_time.changes] == [
        ("C-1", 2.5),
        ("C-2", 2.5),
    ]


def test_item_created_after_its_deployment_is_not_started():
    m = dora([dep("x1", 1, items=("L-1",))], work_items=[item("L-1", at(2))])
    assert (m.lead_time.n, m.lead_time.not_started) == (0, ("L-1",))
    assert (m.lead_time.median_days, m.lead_time.band) == (None, None)


# -- empty windows and bad input -------------------------------------------------


def test_window_without_deployments_is_grey():
    m = dora(DEPS_A, start=at(10), end=at(20))
    f = m.deployment_frequency
    assert (f.n, f.per_day, f.category, f.band) == (0, 0.0, None, None)
    assert m.change_failure_rate.rate is None
    assert m.change_failure_rate.band is None
    assert (m.lead_time.median_days, m.recovery_time.median_hours) == (None, None)
    assert m.excluded_window == 4
    assert "n/a" in repr(m)


def test_no_deployment_and_no_window_is_an_error():
    with pytest.raises(InvalidInputError, match="pass start and end"):
        dora(DEPS_A, service="nope")


def test_naive_datetimes_are_named_together():
    with pytest.raises(InvalidInputError) as info:
        dora(DEPS_A, start=datetime(2024, 3, 1), end=datetime(2024, 3, 2))
    assert "start: 2024-03-01T00:00:00 is naive" in str(info.value)
    assert "end: 2024-03-02T00:00:00 is naive" in str(info.value)


def test_every_argument_problem_is_reported_at_once():
    with pytest.raises(InvalidInputError) as info:
        dora(
            [*DEPS_A, DEPS_A[0]],
            start=at(5),
            end=at(1),
            lead_time_from="commitment",
            year=1999,
        )
    text = str(info.value)
    for part in ("year: no DORA table", "end: ", "process: ", "repeated ['d1']"):
        assert part in text


def test_unknown_lead_time_start_is_an_error():
    with pytest.raises(InvalidInputError, match="lead_time_from"):
        dora(DEPS_A, lead_time_from="merged")  # type: ignore[arg-type]


def test_derived_end_before_given_start_is_an_error():
    with pytest.raises(InvalidInputError, match="before start"):
        dora(DEPS_A, start=at(9))


# -- band table and classification edges -----------------------------------------


def test_2024_table_cells():
    assert dict(BANDS.shares) == {"elite": 19, "high": 22, "medium": 35, "low": 25}
    assert dict(BANDS.change_failure_rate) == {
        "elite": 0.05,
        "high": 0.20,
        "medium": 0.10,
        "low": 0.40,
    }
    assert [(r.level, r.low, r.high) for r in BANDS.lead_time] == [
        ("elite", 0, 1),
        ("high", 1, 7),
        ("medium", 7, 30),
        ("low", 30, 180),
    ]
    assert [(r.level, r.low, r.high) for r in BANDS.recovery_time] == [
        ("elite", 0, 1),
        ("high", 1, 24),
        ("medium", 1, 24),
        ("low", 168, 720),
    ]
    assert BANDS.year == 2024
    assert "2024" in BANDS.source
    assert any("not thresholds" in c for c in BANDS.caveats)
    assert any("PDF" in c for c in BANDS.caveats)
    assert len(BANDS.to_records()) == 4
    assert repr(BANDS).startswith("DoraBands(2024: change failure rate elite 5%")


def test_unknown_year_is_an_error():
    with pytest.raises(InvalidInputError, match="available: \\[2024\\]"):
        dora_bands(2023)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2.0, "elite"),
        (1.0001, "elite"),
        (1.0, "high"),  # daily: boundary goes to the worse level
        (1 / 7, "medium"),
        (0.5 / 7, "medium"),
        (1 / 30, "low"),
        (1 / 180, "low"),  # below every range: nearest is low
        (0.0, "low"),
    ],
)
def test_deployment_frequency_edges(value, expected):
    assert BANDS.classify("deployment_frequency", value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.0, "elite"),
        (0.999, "elite"),
        (1.0, "high"),
        (6.99, "high"),
        (7.0, "medium"),
        (30.0, "low"),
        (180.0, "low"),
        (1000.0, "low"),
    ],
)
def test_lead_time_edges(value, expected):
    assert BANDS.classify("lead_time", value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.0, "elite"),
        (0.0749, "elite"),
        (0.075, "medium"),  # tie between 5 % and 10 %: the higher rate
        (0.12, "medium"),
        (0.1499, "medium"),
        (0.15, "high"),  # tie between 10 % (medium) and 20 % (high)
        (0.2999, "high"),
        (0.30, "low"),
        (1.0, "low"),
    ],
)
def test_change_failure_rate_edges_are_non_monotonic(value, expected):
    assert BANDS.classify("change_failure_rate", value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.0, "elite"),
        (0.99, "elite"),
        (1.0, "high"),  # high and medium share "< 1 day": the better one
        (23.9, "high"),
        (24.0, "high"),  # gap 1 day - 1 week: nearest range on a log scale
        (63.0, "high"),
        (math.sqrt(24 * 168), "low"),  # exact log midpoint: the worse level
        (64.0, "low"),
        (168.0, "low"),
        (5000.0, "low"),
    ],
)
def test_recovery_time_edges(value, expected):
    assert BANDS.classify("recovery_time", value) == expected


@pytest.mark.parametrize(
    ("metric", "value"),
    [
        ("lead_time", -1.0),
        ("recovery_time", math.nan),
        ("change_failure_rate", 1.5),
        ("mttr", 1.0),
    ],
)
def test_classify_rejects_bad_input(metric, value):
    with pytest.raises(InvalidInputError):
        BANDS.classify(metric, value)


POSITIVE = st.floats(min_value=0, max_value=1e6, allow_nan=False)


@given(POSITIVE, POSITIVE)
def test_longer_times_never_rank_better(a, b):
    low, high = sorted((a, b))
    for metric in ("lead_time", "recovery_time"):
        assert RANK[BANDS.classify(metric, low)] <= RANK[BANDS.classify(metric, high)]


@given(POSITIVE, POSITIVE)
def test_more_frequent_deployment_never_ranks_worse(a, b):
    low, high = sorted((a, b))
    assert (
        RANK[BANDS.classify("deployment_frequency", high)]
        <= RANK[BANDS.classify("deployment_frequency", low)]
    )


@given(st.floats(min_value=0, max_value=1))
def test_change_failure_rate_goes_to_a_nearest_level(rate):
    level = BANDS.classify("change_failure_rate", rate)
    distances = {lvl: abs(r - rate) for lvl, r in BANDS.change_failure_rate}
    assert distances[level] == pytest.approx(min(distances.values()))


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=60 * 24 * 14),
            st.sampled_from(["success", "failure", "rolled_back"]),
            st.sampled_from(["api", "web"]),
        ),
        min_size=1,
        max_size=15,
    ),
    st.randoms(use_true_random=False),
)
def test_counts_add_up_and_order_is_irrelevant(rows, rnd):
    deps = [
        Deployment(
            key=f"k{i}",
            service=service,
            deployed_at=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=minute),
            status=status,
        )
        for i, (minute, status, service) in enumerate(rows)
    ]
    start, end = datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 8, tzinfo=UTC)
    m = dora(deps, service="api", start=start, end=end)
    c = m.change_failure_rate
    assert c.n + m.excluded_service + m.excluded_window == len(deps)
    assert c.rate is None or 0 <= c.rate <= 1
    assert m.recovery_time.n + len(m.recovery_time.unrestored) == len(c.failed)
    shuffled = deps[:]
    rnd.shuffle(shuffled)
    assert dora(shuffled, service="api", start=start, end=end) == m


# -- the demo workspace ----------------------------------------------------------


def test_demo_workspace_matches_plain_python():
    ws = load_demo()
    deps = [d for r in ws.releases for d in r.deployments]
    m = dora(deps, incidents=ws.incidents, work_items=ws.work_items)

    prod = sorted(
        (d for d in deps if d.environment == "production"), key=lambda d: d.deployed_at
    )
    first, last = prod[0].deployed_at, prod[-1].deployed_at
    days = (last - first).total_seconds() / 86400
    assert m.deployment_frequency.n == len(prod) == 195
    assert m.deployment_frequency.per_day == pytest.approx(len(prod) / days)
    assert m.deployment_frequency.band == "high"

    caused = {i.caused_by for i in ws.incidents if i.caused_by}
    failed = [
        d
        for d in prod
        if d.status != "success" or d.caused_incidents or d.key in caused
    ]
    assert len(failed) == 16
    assert m.change_failure_rate.rate == pytest.approx(16 / 195)
    assert m.change_failure_rate.band == "medium"  # 8.2 % is nearest 10 %

    firsts: dict[str, datetime] = {}
    for d in prod:
        if d.status == "success":
            for key in d.items:
                firsts.setdefault(key, d.deployed_at)
    created = {w.key: w.created for w in ws.work_items}
    leads = [(firsts[k] - created[k]).total_seconds() / 86400 for k in firsts]
    assert m.lead_time.n == len(leads) == 283
    assert m.lead_time.median_days == pytest.approx(statistics.median(leads))
    assert len(m.lead_time.never_deployed) == len(ws.work_items) - 283
    assert m.lead_time.band == "medium"

    incidents = {i.key: i for i in ws.incidents}
    hours = []
    for d in failed:
        links = [i for i in ws.incidents if i.caused_by == d.key]
        links += [incidents[k] for k in d.caused_incidents if incidents[k] not in links]
        if links:
            (inc,) = links
            assert inc.resolved_at is not None
            hours.append((inc.resolved_at - inc.started_at).total_seconds() / 3600)
        else:
            nxt = next(
                o
                for o in prod
                if o.deployed_at > d.deployed_at
                and o.service == d.service
                and o.status == "success"
            )
            hours.append((nxt.deployed_at - d.deployed_at).total_seconds() / 3600)
    assert m.recovery_time.median_hours == pytest.approx(statistics.median(hours))
    assert m.recovery_time.incidents_not_from_deployments == (
        "INC-4",
        "INC-5",
        "INC-6",
        "INC-10",
    )
