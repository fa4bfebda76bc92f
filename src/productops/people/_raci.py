"""RACI validation: one Accountable, at least one Responsible, no overload."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .._tabular import Tabular
from ..errors import InvalidInputError
from ..model import RaciAssignment, RaciRole, Stakeholder

__all__ = ["RaciCheck", "RaciProblem", "RaciProblemKind", "check_raci"]


class RaciProblemKind(enum.StrEnum):
    """What is wrong with a RACI matrix.

    Examples
    --------
    >>> from productops import people
    >>> people.RaciProblemKind.NO_ACCOUNTABLE.value
    'no_accountable'
    """

    NO_ACCOUNTABLE = "no_accountable"
    """A deliverable has nobody Accountable."""
    MULTIPLE_ACCOUNTABLE = "multiple_accountable"
    """A deliverable has more than one Accountable."""
    NO_RESPONSIBLE = "no_responsible"
    """A deliverable has nobody Responsible."""
    DUPLICATE_ASSIGNMENT = "duplicate_assignment"
    """The same person has the same role on the same deliverable twice."""
    UNKNOWN_STAKEHOLDER = "unknown_stakeholder"
    """An assignment names a key that is not among the given stakeholders."""
    OVERLOADED = "overloaded"
    """A person carries more than `max_load` deliverables."""
    TOO_MANY_ACCOUNTABLE = "too_many_accountable"
    """A person is Accountable for more than `max_accountable` deliverables."""


@dataclass(frozen=True, slots=True)
class RaciProblem:
    """One problem found by `check_raci`.

    Attributes
    ----------
    kind : RaciProblemKind
        What is wrong.
    deliverable : str or None
        The deliverable concerned, if any.
    stakeholder : str or None
        The person concerned, if any.
    message : str
        A sentence saying what is wrong.

    Examples
    --------
    >>> import productops as po
    >>> only_r = po.RaciAssignment(
    ...     deliverable="R1", stakeholder="ana", role="responsible")
    >>> check = po.people.check_raci([only_r])
    >>> check.problems[0].kind.value
    'no_accountable'
    """

    kind: RaciProblemKind
    deliverable: str | None
    stakeholder: str | None
    message: str

    def __repr__(self) -> str:
        return f"RaciProblem({self.kind.value}: {self.message})"


@dataclass(frozen=True, slots=True)
class RaciCheck(Tabular):
    """Every problem in a RACI matrix, plus each person's load.

    Attributes
    ----------
    problems : tuple of RaciProblem
        Deliverable problems first (deliverables in order of first
        appearance), then problems of people (by key).
    deliverables : tuple of str
        Deliverables checked, in order of first appearance.
    loads : mapping of str to int
        Deliverables each person carries in a load-counting role.
    accountable : mapping of str to int
        Deliverables each person is Accountable for.

    Examples
    --------
    >>> import productops as po
    >>> po.people.check_raci(po.datasets.load_demo().raci).ok
    True
    """

    problems: tuple[RaciProblem, ...]
    deliverables: tuple[str, ...]
    loads: Mapping[str, int]
    accountable: Mapping[str, int]

    @property
    def ok(self) -> bool:
        """Whether no problem was found."""
        return not self.problems

    def __repr__(self) -> str:
        if self.ok:
            return f"RaciCheck(ok, {len(self.deliverables)} deliverables)"
        kinds = Counter(p.kind.value for p in self.problems)
        listed = ", ".join(f"{kind} {n}" for kind, n in kinds.items())
        return (
            f"RaciCheck({len(self.problems)} problems in "
            f"{len(self.deliverables)} deliverables: {listed})"
        )

    def to_records(self) -> list[dict[str, Any]]:
        """Return one dict per problem with plain values."""
        return [
            {
                "kind": p.kind.value,
                "deliverable": p.deliverable,
                "stakeholder": p.stakeholder,
                "message": p.message,
            }
            for p in self.problems
        ]


def _check_limit(name: str, value: int | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or value != int(value) or value < 1:
        return f"{name} must be a positive int or None, got {value!r}"
    return None


def check_raci(
    assignments: Iterable[RaciAssignment],
    *,
    stakeholders: Iterable[Stakeholder | str] | None = None,
    deliverables: Iterable[str] | None = None,
    max_load: int | None = 5,
    max_accountable: int | None = 3,
    load_roles: Collection[RaciRole] = (RaciRole.RESPONSIBLE, RaciRole.ACCOUNTABLE),
) -> RaciCheck:
    """Check a RACI matrix and list every problem.

    Each deliverable needs exactly one Accountable and at least one Responsible.
    One person may hold several roles on a deliverable (Accountable and
    Responsible is common), but the same role twice is flagged as a duplicate.
    A person's *load* is the number of distinct deliverables on which they
    hold one of `load_roles` (by default Responsible or Accountable, since
    Consulted and Informed cost little); above `max_load` they are flagged as
    overloaded, and Accountable for more than `max_accountable` deliverables
    is flagged too.

    Parameters
    ----------
    assignments : iterable of RaciAssignment
        The matrix, one row per person and role on a deliverable.
    stakeholders : iterable of Stakeholder or str, optional
        Known people (records or keys). When given, assignments naming anyone
        else are flagged as unknown.
    deliverables : iterable of str, optional
        Deliverables that must be covered. Those with no assignment at all are
        flagged as missing an Accountable and a Responsible.
    max_load : int or None, default 5
        Most deliverables a person may carry; None switches the check off.
    max_accountable : int or None, default 3
        Most deliverables a person may be Accountable for; None switches the
        check off.
    load_roles : collection of RaciRole, default (responsible, accountable)
        Roles that count toward a person's load.

    Returns
    -------
    RaciCheck
        ``ok`` is true when no problem was found.

    Raises
    ------
    InvalidInputError
        If `max_load` or `max_accountable` is not a positive int or None.

    Examples
    --------
    >>> from productops import people
    >>> from productops.datasets import load_demo
    >>> ws = load_demo()
    >>> people.check_raci(ws.raci, stakeholders=ws.stakeholders)
    RaciCheck(ok, 8 deliverables)
    >>> tight = people.check_raci(ws.raci, max_load=4)
    >>> [p.message for p in tight.problems]
    ['tomasz.nowak carries 5 deliverables (max_load 4)']

    >>> from productops.model import RaciAssignment
    >>> rows = [
    ...     RaciAssignment(deliverable="r1", stakeholder="ann", role="accountable"),
    ...     RaciAssignment(deliverable="r1", stakeholder="bo", role="accountable"),
    ...     RaciAssignment(deliverable="r2", stakeholder="ann", role="informed"),
    ... ]
    >>> result = people.check_raci(rows)
    >>> result.ok
    False
    >>> for problem in result.problems:
    ...     print(problem.kind.value, problem.deliverable)
    multiple_accountable r1
    no_responsible r1
    no_accountable r2
    no_responsible r2
    """
    errors = [
        e
        for e in (
            _check_limit("max_load", max_load),
            _check_limit("max_accountable", max_accountable),
        )
        if e is not None
    ]
    if errors:
        msg = "check_raci: " + "; ".join(errors)
        raise InvalidInputError(msg)

    rows = list(assignments)
    order: dict[str, None] = {}
    for d in deliverables or ():
        order.setdefault(d, None)
    for a in rows:
        order.setdefault(a.deliverable, None)

    problems: list[RaciProblem] = []
    by_deliverable: dict[str, list[RaciAssignment]] = {d: [] for d in order}
    for a in rows:
        by_deliverable[a.deliverable].append(a)

    for deliverable, held in by_deliverable.items():
        accountable = sorted({a.stakeholder for a in held if a.role is _A})
        responsible = {a.stakeholder for a in held if a.role is _R}
        if not accountable:
            problems.append(
                RaciProblem(
                    RaciProblemKind.NO_ACCOUNTABLE,
                    deliverable,
                    None,
                    f"{deliverable} has nobody accountable",
                )
            )
        elif len(accountable) > 1:
            problems.append(
                RaciProblem(
                    RaciProblemKind.MULTIPLE_ACCOUNTABLE,
                    deliverable,
                    None,
                    f"{deliverable} has {len(accountable)} accountable: "
                    + ", ".join(accountable),
                )
            )
        if not responsible:
            problems.append(
                RaciProblem(
                    RaciProblemKind.NO_RESPONSIBLE,
                    deliverable,
                    None,
                    f"{deliverable} has nobody responsible",
                )
            )
        counts = Counter((a.stakeholder, a.role) for a in held)
        for (person, role), n in counts.items():
            if n > 1:
                problems.append(
                    RaciProblem(
                        RaciProblemKind.DUPLICATE_ASSIGNMENT,
                        deliverable,
                        person,
                        f"{person} is {role.value} on {deliverable} {n} times",
                    )
                )

    people_keys = sorted({a.stakeholder for a in rows})
    if stakeholders is not None:
        known = {s if isinstance(s, str) else s.key for s in stakeholders}
        for person in people_keys:
            if person not in known:
                where = sorted({a.deliverable for a in rows if a.stakeholder == person})
                problems.append(
                    RaciProblem(
                        RaciProblemKind.UNKNOWN_STAKEHOLDER,
                        None,
                        person,
                        f"{person} is not a known stakeholder (on "
                        + ", ".join(where)
                        + ")",
                    )
                )

    roles = frozenset(load_roles)
    loads = {
        person: len(
            {a.deliverable for a in rows if a.stakeholder == person and a.role in roles}
        )
        for person in people_keys
    }
    accountable_counts = {
        person: len(
            {a.deliverable for a in rows if a.stakeholder == person and a.role is _A}
        )
        for person in people_keys
    }
    for person in people_keys:
        if max_load is not None and loads[person] > max_load:
            problems.append(
                RaciProblem(
                    RaciProblemKind.OVERLOADED,
                    None,
                    person,
                    f"{person} carries {loads[person]} deliverables (max_load "
                    f"{max_load})",
                )
            )
        if max_accountable is not None and accountable_counts[person] > max_accountable:
            problems.append(
                RaciProblem(
                    RaciProblemKind.TOO_MANY_ACCOUNTABLE,
                    None,
                    person,
                    f"{person} is accountable for {accountable_counts[person]} "
                    f"deliverables (max_accountable {max_accountable})",
                )
            )

    return RaciCheck(
        problems=tuple(problems),
        deliverables=tuple(order),
        loads=MappingProxyType(loads),
        accountable=MappingProxyType(accountable_counts),
    )


_A = RaciRole.ACCOUNTABLE
_R = RaciRole.RESPONSIBLE
