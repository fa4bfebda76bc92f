"""Tests for productops.people: power/interest grid, communication plan, RACI."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from productops import people
from productops.datasets import load_demo
from productops.errors import InvalidInputError
from productops.model import (
    Cadence,
    Channel,
    RaciAssignment,
    RaciRole,
    Stakeholder,
)
from productops.people import Quadrant, RaciProblemKind

A = RaciRole.ACCOUNTABLE
R = RaciRole.RESPONSIBLE
C = RaciRole.CONSULTED
INF = RaciRole.INFORMED


def person(key: str, influence: int, interest: int, **extra: object) -> Stakeholder:
    return Stakeholder.model_validate(
        {"key": key, "name": key.title(), "influence": influence, "interest": interest}
        | extra
    )


def row(deliverable: str, stakeholder: str, role: RaciRole) -> RaciAssignment:
    return RaciAssignment(deliverable=deliverable, stakeholder=stakeholder, role=role)


# -- grid ------------------------------------------------------------------------

# Mendelow (1991) matrix: power on one axis, interest on the other; the four cells.
MENDELOW_CELLS = [
    (5, 5, Quadrant.MANAGE_CLOSELY),
    (5, 1, Quadrant.KEEP_SATISFIED),
    (1, 5, Quadrant.KEEP_INFORMED),
    (1, 1, Quadrant.MONITOR),
]


@pytest.mark.parametrize(("influence", "interest", "expected"), MENDELOW_CELLS)
def test_grid_places_the_four_mendelow_corners(
    influence: int, interest: int, expected: Quadrant
) -> None:
    result = people.grid([person("x", influence, interest)])
    assert result.quadrant_of("x") is expected


def test_boundary_rating_counts_as_high() -> None:
    result = people.grid([person("x", 3, 3), person("y", 2, 2)])
    assert result.quadrant_of("x") is Quadrant.MANAGE_CLOSELY
    assert result.quadrant_of("y") is Quadrant.MONITOR


def test_threshold_option_moves_boundary() -> None:
    result = people.grid([person("x", 4, 3)], threshold=4)
    assert result.quadrant_of("x") is Quadrant.KEEP_SATISFIED


def test_grid_on_demo_matches_ratings() -> None:
    result = people.grid(load_demo().stakeholders)
    assert result.quadrant_of("helen.brandt") is Quadrant.KEEP_SATISFIED  # 5/2
    assert result.quadrant_of("olivia.grant") is Quadrant.KEEP_SATISFIED  # 4/1
    assert result.quadrant_of("tomasz.nowak") is Quadrant.KEEP_INFORMED  # 1/4
    assert result.quadrant_of("nadia.okafor") is Quadrant.MANAGE_CLOSELY  # 5/5
    assert len(result.placements) == 15


@pytest.mark.parametrize("threshold", [0, 0.99, 5.01, 6])
def test_threshold_off_scale_raises(threshold: float) -> None:
    with pytest.raises(InvalidInputError, match="threshold"):
        people.grid([person("x", 3, 3)], threshold=threshold)


def test_duplicate_keys_raise_naming_them() -> None:
    with pytest.raises(InvalidInputError, match="repeated: x"):
        people.grid([person("x", 3, 3), person("x", 1, 1)])


def test_grid_records_and_repr() -> None:
    result = people.grid([person("x", 5, 1)])
    assert result.to_records() == [
        {
            "stakeholder": "x",
            "name": "X",
            "influence": 5,
            "interest": 1,
            "quadrant": "keep_satisfied",
        }
    ]
    assert "keep_satisfied 1" in repr(result)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.threshold = 4  # type: ignore[misc]
    with pytest.raises(KeyError):
        result.quadrant_of("nobody")


@given(
    influence=st.integers(1, 5),
    interest=st.integers(1, 5),
    threshold=st.floats(1, 5),
)
def test_quadrant_agrees_with_threshold(
    influence: int, interest: int, threshold: float
) -> None:
    quadrant = people.grid(
        [person("x", influence, interest)], threshold=threshold
    ).quadrant_of("x")
    high_power = quadrant in (Quadrant.MANAGE_CLOSELY, Quadrant.KEEP_SATISFIED)
    high_interest = quadrant in (Quadrant.MANAGE_CLOSELY, Quadrant.KEEP_INFORMED)
    assert high_power == (influence >= threshold)
    assert high_interest == (interest >= threshold)


@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), max_size=12))
def test_by_quadrant_partitions_stakeholders(ratings: list[tuple[int, int]]) -> None:
    crowd = [person(f"p{i}", a, b) for i, (a, b) in enumerate(ratings)]
    groups = people.grid(crowd).by_quadrant()
    keys = [k for members in groups.values() for k in members]
    assert sorted(keys) == sorted(s.key for s in crowd)
    assert list(groups) == list(Quadrant)


# -- communication plan ---------------------------------------------------------


def test_plan_uses_quadrant_defaults_when_no_preference() -> None:
    plan = people.communication_plan([person("x", 1, 1)])
    (only,) = plan.rows
    message, channel, cadence = people.COMMUNICATION_DEFAULTS[Quadrant.MONITOR]
    assert (only.message, only.channel, only.cadence) == (message, channel, cadence)
    assert only.channel is Channel.DOCUMENT
    assert only.cadence is Cadence.QUARTERLY
    assert only.channel_source == "default"


def test_plan_uses_stakeholders_own_channel_when_set() -> None:
    plan = people.communication_plan([person("x", 5, 5, channel="slack")])
    (only,) = plan.rows
    assert only.channel is Channel.SLACK
    assert only.channel_source == "stakeholder"
    assert only.cadence is Cadence.WEEKLY


def test_plan_can_ignore_preferences() -> None:
    plan = people.communication_plan(
        [person("x", 5, 5, channel="slack")], use_preferences=False
    )
    assert plan.rows[0].channel is Channel.MEETING


def test_plan_overrides_apply_per_quadrant() -> None:
    plan = people.communication_plan(
        [person("x", 5, 1), person("y", 1, 1)],
        messages={Quadrant.KEEP_SATISFIED: "board pack"},
        channels={Quadrant.KEEP_SATISFIED: Channel.TEAMS},
        cadences={Quadrant.KEEP_SATISFIED: Cadence.QUARTERLY},
    )
    x, y = plan.rows
    assert (x.message, x.channel, x.cadence) == (
        "board pack",
        Channel.TEAMS,
        Cadence.QUARTERLY,
    )
    assert y.channel is Channel.DOCUMENT


def test_plan_on_demo_covers_everyone_with_their_channel() -> None:
    stakeholders = load_demo().stakeholders
    plan = people.communication_plan(stakeholders)
    assert [r.stakeholder for r in plan.rows] == [s.key for s in stakeholders]
    assert [r.channel for r in plan.rows] == [s.channel for s in stakeholders]
    records = plan.to_records()
    assert records[2]["quadrant"] == "keep_satisfied"
    assert records[2]["cadence"] == "monthly"
    assert repr(plan) == "CommunicationPlan(15 stakeholders)"


def test_plan_accepts_a_generator() -> None:
    plan = people.communication_plan(s for s in [person("x", 2, 4)])
    assert plan.rows[0].quadrant is Quadrant.KEEP_INFORMED


# -- RACI -----------------------------------------------------------------------


def kinds(result: people.RaciCheck) -> list[tuple[str, str | None, str | None]]:
    return [(p.kind.value, p.deliverable, p.stakeholder) for p in result.problems]


def test_clean_matrix_is_ok() -> None:
    result = people.check_raci([row("d", "ann", A), row("d", "bo", R)])
    assert result.ok
    assert result.problems == ()
    assert result.to_records() == []
    assert repr(result) == "RaciCheck(ok, 1 deliverables)"


def test_accountable_may_also_be_responsible() -> None:
    assert people.check_raci([row("d", "ann", A), row("d", "ann", R)]).ok


def test_no_accountable() -> None:
    result = people.check_raci([row("d", "bo", R), row("d", "cy", C)])
    assert kinds(result) == [("no_accountable", "d", None)]


def test_multiple_accountable_names_them() -> None:
    result = people.check_raci(
        [row("d", "bo", A), row("d", "ann", A), row("d", "cy", R)]
    )
    assert kinds(result) == [("multiple_accountable", "d", None)]
    assert result.problems[0].message == "d has 2 accountable: ann, bo"


def test_no_responsible() -> None:
    result = people.check_raci([row("d", "ann", A), row("d", "bo", INF)])
    assert kinds(result) == [("no_responsible", "d", None)]


def test_duplicate_assignment() -> None:
    result = people.check_raci(
        [row("d", "ann", A), row("d", "bo", R), row("d", "bo", R)]
    )
    assert kinds(result) == [("duplicate_assignment", "d", "bo")]


def test_unknown_stakeholder_with_records_or_keys() -> None:
    rows = [row("d", "ann", A), row("d", "ghost", R)]
    by_record = people.check_raci(rows, stakeholders=[person("ann", 3, 3)])
    by_key = people.check_raci(rows, stakeholders=["ann"])
    assert kinds(by_record) == kinds(by_key) == [("unknown_stakeholder", None, "ghost")]
    assert "on d" in by_record.problems[0].message


def test_unknown_not_checked_without_stakeholders() -> None:
    assert people.check_raci([row("d", "ann", A), row("d", "ghost", R)]).ok


def test_listed_deliverable_without_assignments() -> None:
    result = people.check_raci(
        [row("d", "ann", A), row("d", "bo", R)], deliverables=["e", "d"]
    )
    assert result.deliverables == ("e", "d")
    assert kinds(result) == [
        ("no_accountable", "e", None),
        ("no_responsible", "e", None),
    ]


def test_overloaded_counts_distinct_deliverables_in_load_roles() -> None:
    rows = [row(f"d{i}", "ann", A) for i in range(3)] + [
        row(f"d{i}", "ann", R) for i in range(3)
    ]
    rows.append(row("d9", "ann", INF))  # informed does not count
    rows += [row("d9", "bo", A), row("d9", "bo", R)]
    result = people.check_raci(rows, max_load=2, max_accountable=None)
    assert result.loads["ann"] == 3
    assert kinds(result) == [("overloaded", None, "ann")]
    assert result.problems[0].message == "ann carries 3 deliverables (max_load 2)"


def test_load_roles_option_counts_informed() -> None:
    rows = [row("d", "ann", A), row("d", "bo", R), row("e", "ann", A)]
    rows += [row("e", "bo", R), row("f", "cy", A), row("f", "bo", INF)]
    rows.append(row("f", "cy", R))
    result = people.check_raci(rows, max_load=2, load_roles=[R, INF])
    assert result.loads["bo"] == 3
    assert kinds(result) == [("overloaded", None, "bo")]


def test_too_many_accountable() -> None:
    rows = [row(f"d{i}", "ann", A) for i in range(3)]
    rows += [row(f"d{i}", "bo", R) for i in range(3)]
    result = people.check_raci(rows, max_accountable=2, max_load=None)
    assert result.accountable["ann"] == 3
    assert kinds(result) == [("too_many_accountable", None, "ann")]


def test_every_problem_is_listed_at_once() -> None:
    rows = [
        row("d1", "bo", R),  # d1: no A
        row("d2", "ann", A),
        row("d2", "bo", A),  # d2: two A and no R
        row("d3", "ann", A),
        row("d3", "ghost", R),
        row("d3", "ghost", R),  # d3: duplicate; ghost unknown
    ]
    result = people.check_raci(
        rows, stakeholders=["ann", "bo"], max_load=1, max_accountable=1
    )
    assert kinds(result) == [
        ("no_accountable", "d1", None),
        ("multiple_accountable", "d2", None),
        ("no_responsible", "d2", None),
        ("duplicate_assignment", "d3", "ghost"),
        ("unknown_stakeholder", None, "ghost"),
        ("overloaded", None, "ann"),
        ("too_many_accountable", None, "ann"),
        ("overloaded", None, "bo"),
    ]
    assert not result.ok
    assert len(result.to_records()) == 8
    assert repr(result).startswith("RaciCheck(8 problems in 3 deliverables:")


def test_demo_raci_is_ok_and_flags_overload_when_tightened() -> None:
    ws = load_demo()
    assert people.check_raci(ws.raci, stakeholders=ws.stakeholders).ok
    tight = people.check_raci(ws.raci, max_load=4)
    assert [(p.kind, p.stakeholder) for p in tight.problems] == [
        (RaciProblemKind.OVERLOADED, "tomasz.nowak")
    ]


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_bad_limits_raise(bad: int) -> None:
    with pytest.raises(InvalidInputError, match=r"max_load.*max_accountable"):
        people.check_raci([], max_load=bad, max_accountable=bad)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["d1", "d2", "d3"]),
            st.sampled_from(["ann", "bo", "cy"]),
            st.sampled_from(list(RaciRole)),
        ),
        max_size=15,
    )
)
def test_ok_iff_each_deliverable_has_one_a_and_some_r(
    triples: list[tuple[str, str, RaciRole]],
) -> None:
    rows = [row(d, s, r) for d, s, r in triples]
    result = people.check_raci(rows, max_load=None, max_accountable=None)
    expected = len(set(triples)) == len(triples) and all(
        len({s for dd, s, r in triples if dd == d and r is A}) == 1
        and any(dd == d and r is R for dd, _, r in triples)
        for d in {d for d, _, _ in triples}
    )
    assert result.ok == expected
    assert all(p.deliverable is not None for p in result.problems)


def test_item_reprs_are_readable() -> None:
    placement = people.grid([person("x", 5, 1)]).placements[0]
    assert (
        repr(placement) == "GridPlacement('x', influence=5, interest=1, keep_satisfied)"
    )
    problem = people.check_raci([row("d", "bo", R)]).problems[0]
    assert repr(problem) == "RaciProblem(no_accountable: d has nobody accountable)"
