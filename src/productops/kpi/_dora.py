"""DORA's four keys of software delivery performance, with versioned band tables.

`dora` measures deployment frequency, change lead time, change failure rate
and failed-deployment recovery time from deployments, incidents and work items;
`dora_bands` returns a year's published performance-level table as data, and
`DoraBands.classify` places a value in it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, get_args

from .._tabular import Tabular
from ..errors import InvalidInputError
from ..model.delivery import Incident
from ..model.process import Process
from ..model.release import Deployment, DeploymentStatus
from ..model.work import WorkItem

__all__ = [
    "BandRange",
    "ChangeFailureRate",
    "ChangeLeadTime",
    "DeploymentFrequency",
    "DoraBands",
    "DoraLevel",
    "DoraMetric",
    "DoraMetrics",
    "FrequencyCategory",
    "LeadTime",
    "Recovery",
    "RecoveryTime",
    "dora",
    "dora_bands",
]

DoraLevel = Literal["elite", "high", "medium", "low"]
"""A DORA performance level (cluster), best first."""

DoraMetric = Literal[
    "deployment_frequency", "lead_time", "change_failure_rate", "recovery_time"
]
"""The four keys, by the name `DoraBands.classify` takes.

Units: deployments per day, days, a fraction in ``[0, 1]``, hours."""

FrequencyCategory = Literal[
    "on_demand", "daily_weekly", "weekly_monthly", "monthly_6_months", "fewer"
]
"""DORA's survey buckets for deployment frequency: on demand (more than once a
day), daily to weekly, weekly to monthly, monthly to every six months, fewer."""

LEVELS: tuple[DoraLevel, ...] = get_args(DoraLevel)
_RANK = {level: rank for rank, level in enumerate(LEVELS)}

DAY = 1.0
WEEK = 7.0
MONTH = 30.0
"""Days in "a month" when reading the survey's buckets."""
SIX_MONTHS = 180.0
HOUR_S = 3600.0
DAY_S = 86400.0


# -- band tables ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BandRange:
    """The range of one key that one performance level spans.

    A value *on* a boundary belongs to the worse level: for a lower-is-better
    key the range is ``low <= value < high``, for deployment frequency
    (higher is better) it is ``low < value <= high``.

    Attributes
    ----------
    level : {"elite", "high", "medium", "low"}
        The level.
    low, high : float
        The bounds, in the key's unit (``high`` may be ``inf``).
    label : str
        The cell as published.

    Examples
    --------
    >>> dora_bands().lead_time[0]
    BandRange(elite: 0 to 1, 'less than one day')
    """

    level: DoraLevel
    low: float
    high: float
    label: str

    def __repr__(self) -> str:
        return f"BandRange({self.level}: {self.low:g} to {self.high:g}, {self.label!r})"


@dataclass(frozen=True, slots=True)
class DoraBands(Tabular):
    """One year's DORA performance-level table, as versioned data.

    The levels are clusters found in that year's survey answers (k-means-like
    groupings), not thresholds anyone set; placing one team's numbers in them
    is an approximation (see `classify`).

    Attributes
    ----------
    year : int
        The report year.
    source : str
        The citation.
    shares : tuple of (level, float)
        Share of respondents in each level, percent.
    deployment_frequency : tuple of BandRange
        Deployments per day, per level (higher is better).
    lead_time : tuple of BandRange
        Change lead time in days, per level.
    change_failure_rate : tuple of (level, float)
        The typical change failure rate of each level, a fraction. It is not
        monotonic in 2024: medium (10 %) is below high (20 %).
    recovery_time : tuple of BandRange
        Failed-deployment recovery time in hours, per level.
    caveats : tuple of str
        What could not be confirmed, and how to read the table.

    Examples
    --------
    >>> bands = dora_bands(2024)
    >>> dict(bands.change_failure_rate)
    {'elite': 0.05, 'high': 0.2, 'medium': 0.1, 'low': 0.4}
    >>> bands.classify("lead_time", 3.5)
    'high'
    """

    year: int
    source: str
    shares: tuple[tuple[DoraLevel, float], ...]
    deployment_frequency: tuple[BandRange, ...]
    lead_time: tuple[BandRange, ...]
    change_failure_rate: tuple[tuple[DoraLevel, float], ...]
    recovery_time: tuple[BandRange, ...]
    caveats: tuple[str, ...]

    def __repr__(self) -> str:
        cfr = ", ".join(f"{lvl} {rate:.0%}" for lvl, rate in self.change_failure_rate)
        return f"DoraBands({self.year}: change failure rate {cfr})"

    def classify(self, metric: DoraMetric, value: float) -> DoraLevel:
        """Return the level whose published range is nearest to `value`.

        The rule, since the levels are clusters and not thresholds:

        - Deployment frequency, lead time and recovery time: the best level
          whose range contains `value` (a value on a boundary belongs to the
          worse level). A value in no range (a gap in the table, such as
          recovery between one day and one week in 2024, or beyond its ends)
          gets the level whose range is nearest on a log scale; an exact tie
          goes to the worse level. Zero deployments per day is ``"low"``.
        - Change failure rate is judged on its own, because it is not
          monotonic across levels: the level whose typical rate is nearest;
          a tie goes to the level with the higher rate.

        Parameters
        ----------
        metric : {"deployment_frequency", "lead_time", "change_failure_rate", \
"recovery_time"}
            Which key; units are deployments per day, days, a fraction and
            hours.
        value : float
            The team's value; not negative (a rate at most 1).

        Returns
        -------
        {"elite", "high", "medium", "low"}

        Raises
        ------
        InvalidInputError
            If `metric` is unknown or `value` is negative, NaN, or a change
            failure rate above 1.

        Examples
        --------
        >>> bands = dora_bands(2024)
        >>> bands.classify("deployment_frequency", 2.0)
        'elite'
        >>> bands.classify("deployment_frequency", 1.0)  # daily: on the boundary
        'high'
        >>> bands.classify("change_failure_rate", 0.12)
        'medium'
        >>> bands.classify("recovery_time", 30.0)   # in the 1 day - 1 week gap
        'high'
        """
        if metric not in get_args(DoraMetric):
            msg = f"metric: unknown {metric!r}; use one of {list(get_args(DoraMetric))}"
            raise InvalidInputError(msg)
        if math.isnan(value) or value < 0:
            msg = f"value: {value!r} for {metric} must be a number >= 0"
            raise InvalidInputError(msg)
        if metric == "change_failure_rate":
            if value > 1:
                msg = f"value: a change failure rate is a fraction, got {value!r}"
                raise InvalidInputError(msg)
            return _nearest_rate(self.change_failure_rate, value)
        if metric == "deployment_frequency":
            return _in_ranges(self.deployment_frequency, value, higher_is_better=True)
        ranges = self.lead_time if metric == "lead_time" else self.recovery_time
        return _in_ranges(ranges, value, higher_is_better=False)

    def to_records(self) -> list[dict[str, Any]]:
        """Return one row per level with every key's published cell.

        Examples
        --------
        >>> dora_bands().to_records()[1]["change_failure_rate"]
        0.2
        """
        shares = dict(self.shares)
        rates = dict(self.change_failure_rate)
        rows = []
        for level in LEVELS:
            freq = _range_of(self.deployment_frequency, level)
            lead = _range_of(self.lead_time, level)
            rec = _range_of(self.recovery_time, level)
            rows.append(
                {
                    "year": self.year,
                    "level": level,
                    "share_pct": shares[level],
                    "deployment_frequency": freq.label,
                    "deploys_per_day_low": freq.low,
                    "deploys_per_day_high": freq.high,
                    "lead_time": lead.label,
                    "lead_time_days_low": lead.low,
                    "lead_time_days_high": lead.high,
                    "change_failure_rate": rates[level],
                    "recovery_time": rec.label,
                    "recovery_hours_low": rec.low,
                    "recovery_hours_high": rec.high,
                }
            )
        return rows


def _range_of(ranges: Sequence[BandRange], level: DoraLevel) -> BandRange:
    return next(r for r in ranges if r.level == level)


def _contains(r: BandRange, value: float, *, higher_is_better: bool) -> bool:
    if higher_is_better:
        return r.low < value <= r.high
    return r.low <= value < r.high


def _log_distance(r: BandRange, value: float) -> float:
    if value < r.low:
        return math.inf if value <= 0 else math.log(r.low / value)
    if value > r.high:
        return math.log(value / r.high)
    return 0.0


def _in_ranges(
    ranges: Sequence[BandRange], value: float, *, higher_is_better: bool
) -> DoraLevel:
    ordered = sorted(ranges, key=lambda r: _RANK[r.level])
    for r in ordered:
        if _contains(r, value, higher_is_better=higher_is_better):
            return r.level
    if value <= 0:
        return ordered[-1].level
    best = min(_log_distance(r, value) for r in ordered)
    nearest = [r for r in ordered if math.isclose(_log_distance(r, value), best)]
    spans = {(r.low, r.high) for r in nearest}
    if len(spans) == 1:  # levels sharing one published range: the better one
        return nearest[0].level
    return nearest[-1].level  # equally near two different ranges: the worse


def _nearest_rate(rates: Sequence[tuple[DoraLevel, float]], value: float) -> DoraLevel:
    best = min(abs(rate - value) for _, rate in rates)
    tied = [(rate, lvl) for lvl, rate in rates if math.isclose(abs(rate - value), best)]
    return max(tied)[1]


_SOURCE_2024 = (
    "DORA (Google Cloud), Accelerate State of DevOps Report 2024, software "
    "delivery performance levels table (https://dora.dev/research/2024/dora-report/)"
)

_CAVEATS_2024 = (
    "The levels are clusters of 2024 survey answers, not thresholds: classify() "
    "is an approximation, and the clusters move every year.",
    "Checked against secondary sources only, not the report PDF. The shares "
    "(19/22/35/25 %), the throughput cells and Elite 5 % / High 20 % change "
    "failure rate appear alike in three summaries quoting the report (two sets "
    "of public notes, one citing libertify.com's 2024 summary, and the "
    "devops-metrics-interpreter benchmarks.json); the throughput cells match "
    "the survey's answer buckets. The Octopus Deploy 2024 clusters post was "
    "found but its table could not be read.",
    "Least certain, found in two of those summaries only: Medium 10 % / Low "
    "40 % change failure rate and the recovery cells (< 1 hour, < 1 day, "
    "< 1 day, 1 week - 1 month); one further summary "
    "gives Medium 1 day - 1 week and Low > 1 week for recovery. Verify against "
    "the PDF before relying on them.",
    "Change failure rate is not monotonic: Medium (10 %) is below High (20 %). "
    "A rate is judged on its own, by the nearest level's typical rate.",
    "Several summaries give Elite lead time as < 1 hour, an older year's cell; "
    "2024 is < 1 day.",
    "Reading the survey's buckets: a week is 7 days, a month 30 days, six "
    "months 180 days.",
)


def _bands_2024() -> DoraBands:
    inf = math.inf
    return DoraBands(
        year=2024,
        source=_SOURCE_2024,
        shares=(("elite", 19.0), ("high", 22.0), ("medium", 35.0), ("low", 25.0)),
        deployment_frequency=(
            BandRange("elite", DAY, inf, "on demand (multiple deploys per day)"),
            BandRange(
                "high", DAY / WEEK, DAY, "between once per day and once per week"
            ),
            BandRange(
                "medium",
                DAY / MONTH,
                DAY / WEEK,
                "between once per week and once per month",
            ),
            BandRange(
                "low",
                DAY / SIX_MONTHS,
                DAY / MONTH,
                "between once per month and once every six months",
            ),
        ),
        lead_time=(
            BandRange("elite", 0.0, DAY, "less than one day"),
            BandRange("high", DAY, WEEK, "between one day and one week"),
            BandRange("medium", WEEK, MONTH, "between one week and one month"),
            BandRange("low", MONTH, SIX_MONTHS, "between one month and six months"),
        ),
        change_failure_rate=(
            ("elite", 0.05),
            ("high", 0.20),
            ("medium", 0.10),
            ("low", 0.40),
        ),
        recovery_time=(
            BandRange("elite", 0.0, 1.0, "less than one hour"),
            BandRange("high", 1.0, 24.0, "less than one day"),
            BandRange("medium", 1.0, 24.0, "less than one day"),
            BandRange(
                "low", 24.0 * WEEK, 24.0 * MONTH, "between one week and one month"
            ),
        ),
        caveats=_CAVEATS_2024,
    )


_TABLES = {2024: _bands_2024}


def dora_bands(year: int = 2024) -> DoraBands:
    """Return the DORA performance-level table of one report year.

    Only 2024 ships: its cells were checked against several secondary
    summaries (see `DoraBands.caveats`). The 2023 table could not be confirmed
    and the 2025 report replaced the four-level table with team archetypes.

    Parameters
    ----------
    year : int, default 2024
        The Accelerate State of DevOps report year.

    Returns
    -------
    DoraBands

    Raises
    ------
    InvalidInputError
        If no table ships for `year`.

    References
    ----------
    DORA (Google Cloud), *Accelerate State of DevOps Report 2024*.

    Examples
    --------
    >>> bands = dora_bands(2024)
    >>> bands.recovery_time[-1]
    BandRange(low: 168 to 720, 'between one week and one month')
    >>> dora_bands(2019)
    Traceback (most recent call last):
    ...
    productops.errors.InvalidInputError: year: no DORA table for 2019; available: [2024]
    """
    if year not in _TABLES:
        msg = f"year: no DORA table for {year}; available: {sorted(_TABLES)}"
        raise InvalidInputError(msg)
    return _TABLES[year]()


# -- results -------------------------------------------------------------------


def _fmt(value: float | None, spec: str = ".2f") -> str:
    return "n/a" if value is None else format(value, spec)


@dataclass(frozen=True, slots=True)
class DeploymentFrequency:
    """How often the service was deployed in the window.

    Attributes
    ----------
    n : int
        Deployments counted: every deployment in scope, whatever its status
        (the same population as the change failure rate).
    successful : int
        Of them, those with status ``success``.
    window_days : float
        Length of the window in days (at least 1).
    per_day, per_week : float
        ``n / window_days`` and seven times that.
    deploy_days : int
        UTC calendar days with at least one counted deployment.
    calendar_days : int
        UTC calendar days the window touches.
    deploy_days_share : float
        ``deploy_days / calendar_days``.
    category : FrequencyCategory or None
        DORA's survey bucket for `per_day`; ``None`` when ``n == 0``.
    band : DoraLevel or None
        The performance level; ``None`` when ``n == 0``.

    Examples
    --------
    >>> DeploymentFrequency(n=3, successful=3, window_days=2.0, per_day=1.5,
    ...     per_week=10.5, deploy_days=2, calendar_days=3,
    ...     deploy_days_share=2 / 3, category="on_demand", band="elite")
    DeploymentFrequency(n=3: 1.50/day, 10.50/week, deploy days 67%, elite)
    """

    n: int
    successful: int
    window_days: float
    per_day: float
    per_week: float
    deploy_days: int
    calendar_days: int
    deploy_days_share: float
    category: FrequencyCategory | None
    band: DoraLevel | None

    def __repr__(self) -> str:
        return (
            f"DeploymentFrequency(n={self.n}: {self.per_day:.2f}/day, "
            f"{self.per_week:.2f}/week, deploy days {self.deploy_days_share:.0%}, "
            f"{self.band})"
        )


@dataclass(frozen=True, slots=True)
class ChangeLeadTime:
    """The lead time of one work item: from its start to its first deployment.

    Attributes
    ----------
    item : str
        The work item key.
    start : datetime
        Its creation, or its first entry into a committed state.
    deployment : str
        Key of its first successful deployment in scope.
    deployed_at : datetime
        When that deployment finished.
    days : float
        ``deployed_at - start`` in days.

    Examples
    --------
    >>> from datetime import UTC
    >>> ChangeLeadTime("APP-1", datetime(2024, 3, 1, tzinfo=UTC), "dep-1",
    ...                datetime(2024, 3, 3, 12, tzinfo=UTC), 2.5)
    ChangeLeadTime('APP-1' via 'dep-1': 2.50 days)
    """

    item: str
    start: datetime
    deployment: str
    deployed_at: datetime
    days: float

    def __repr__(self) -> str:
        return (
            f"ChangeLeadTime({self.item!r} via {self.deployment!r}: "
            f"{self.days:.2f} days)"
        )


@dataclass(frozen=True, slots=True)
class LeadTime:
    """Change lead time over the items first deployed in the window.

    Attributes
    ----------
    median_days, p85_days : float or None
        Median and 85th percentile (linear interpolation, as
        `numpy.percentile`); ``None`` when ``n == 0``.
    n : int
        Items measured.
    band : DoraLevel or None
        The level of the median; ``None`` when ``n == 0``.
    measured_from : {"created", "commitment"}
        Where each item's lead time starts.
    changes : tuple of ChangeLeadTime
        One per measured item, by deployment time then key.
    never_deployed : tuple of str
        Given work items that no successful deployment in scope lists, at any
        time.
    deployed_outside_window : tuple of str
        Given work items whose first successful deployment in scope falls
        outside the window.
    unknown : tuple of str
        Keys listed by a first successful deployment in the window but absent
        from `work_items`.
    not_started : tuple of str
        Items deployed in the window with no start before the deployment
        (never committed by then, or created after it).

    Examples
    --------
    >>> LeadTime(median_days=2.0, p85_days=3.7, n=3, band="high",
    ...          measured_from="created", changes=(), never_deployed=("APP-9",),
    ...          deployed_outside_window=(), unknown=(), not_started=())
    LeadTime(n=3 from created: median 2.00 days, p85 3.70 days, high; 1 never deployed)
    """

    median_days: float | None
    p85_days: float | None
    n: int
    band: DoraLevel | None
    measured_from: Literal["created", "commitment"]
    changes: tuple[ChangeLeadTime, ...]
    never_deployed: tuple[str, ...]
    deployed_outside_window: tuple[str, ...]
    unknown: tuple[str, ...]
    not_started: tuple[str, ...]

    def __repr__(self) -> str:
        return (
            f"LeadTime(n={self.n} from {self.measured_from}: median "
            f"{_fmt(self.median_days)} days, p85 {_fmt(self.p85_days)} days, "
            f"{self.band}; {len(self.never_deployed)} never deployed)"
        )


@dataclass(frozen=True, slots=True)
class ChangeFailureRate:
    """The share of deployments in scope that failed.

    A deployment counts as failed when its status is ``failure`` or
    ``rolled_back``, or when it caused an incident (named in its
    `Deployment.caused_incidents`, or by an incident's `Incident.caused_by`).

    Attributes
    ----------
    rate : float or None
        ``len(failed) / n``; ``None`` when ``n == 0``.
    n : int
        Deployments in scope.
    failed : tuple of str
        Keys of the failed deployments, in time order.
    failed_status : tuple of str
        Those with status ``failure``.
    rolled_back : tuple of str
        Those with status ``rolled_back``.
    caused_incident : tuple of str
        Those linked to an incident (may overlap the two above).
    band : DoraLevel or None
        The level; ``None`` when ``n == 0``.

    Examples
    --------
    >>> ChangeFailureRate(rate=0.25, n=4, failed=("d2",), failed_status=(),
    ...     rolled_back=("d2",), caused_incident=(), band="high")
    ChangeFailureRate(1/4 = 25.0%: 0 failed, 1 rolled back, 0 caused incidents, high)
    """

    rate: float | None
    n: int
    failed: tuple[str, ...]
    failed_status: tuple[str, ...]
    rolled_back: tuple[str, ...]
    caused_incident: tuple[str, ...]
    band: DoraLevel | None

    def __repr__(self) -> str:
        return (
            f"ChangeFailureRate({len(self.failed)}/{self.n} = "
            f"{_fmt(self.rate, '.1%')}: "
            f"{len(self.failed_status)} failed, {len(self.rolled_back)} rolled back, "
            f"{len(self.caused_incident)} caused incidents, {self.band})"
        )


@dataclass(frozen=True, slots=True)
class Recovery:
    """How one failed deployment was recovered from.

    Attributes
    ----------
    deployment : str
        Key of the failed deployment.
    service : str
        Its service.
    via : {"incident", "redeployment"}
        ``"incident"``: from the earliest start to the latest `resolved_at`
        of the incidents it caused; ``"redeployment"``: from the deployment
        to the next successful deployment of the same service and
        environment.
    failed_at, restored_at : datetime
        Start and end of the recovery.
    restored_by : tuple of str
        The incident keys, or the key of the restoring deployment.
    hours : float
        ``restored_at - failed_at`` in hours.

    Examples
    --------
    >>> from datetime import UTC
    >>> Recovery("d2", "api", "redeployment", datetime(2024, 3, 1, tzinfo=UTC),
    ...          datetime(2024, 3, 1, 2, 30, tzinfo=UTC), ("d3",), 2.5)
    Recovery('d2' via redeployment ('d3',): 2.50 h)
    """

    deployment: str
    service: str
    via: Literal["incident", "redeployment"]
    failed_at: datetime
    restored_at: datetime
    restored_by: tuple[str, ...]
    hours: float

    def __repr__(self) -> str:
        return (
            f"Recovery({self.deployment!r} via {self.via} {self.restored_by}: "
            f"{self.hours:.2f} h)"
        )


@dataclass(frozen=True, slots=True)
class RecoveryTime:
    """Failed-deployment recovery time over the failed deployments in scope.

    Attributes
    ----------
    median_hours : float or None
        Median of `recoveries`; ``None`` when ``n == 0``.
    n : int
        Failed deployments restored.
    band : DoraLevel or None
        The level of the median; ``None`` when ``n == 0``.
    recoveries : tuple of Recovery
        One per restored failed deployment, in time order.
    unrestored : tuple of str
        Failed deployments not restored yet (an unresolved incident, or no
        later successful deployment of the service).
    incidents_missing : tuple of str
        Incident keys a deployment names that are not among `incidents`
        (that deployment fell back to the redeployment rule).
    incidents_not_from_deployments : tuple of str
        Incidents linked to no deployment given; DORA's recovery time leaves
        them out.
    incidents_unknown_deployment : tuple of str
        Incidents whose `caused_by` names a deployment not given.

    Examples
    --------
    >>> RecoveryTime(median_hours=2.5, n=1, band="high", recoveries=(),
    ...     unrestored=(), incidents_missing=(),
    ...     incidents_not_from_deployments=("INC-4",),
    ...     incidents_unknown_deployment=())
    RecoveryTime(n=1: median 2.50 h, high; 0 unrestored)
    """

    median_hours: float | None
    n: int
    band: DoraLevel | None
    recoveries: tuple[Recovery, ...]
    unrestored: tuple[str, ...]
    incidents_missing: tuple[str, ...]
    incidents_not_from_deployments: tuple[str, ...]
    incidents_unknown_deployment: tuple[str, ...]

    def __repr__(self) -> str:
        return (
            f"RecoveryTime(n={self.n}: median {_fmt(self.median_hours)} h, "
            f"{self.band}; {len(self.unrestored)} unrestored)"
        )


@dataclass(frozen=True, slots=True)
class DoraMetrics(Tabular):
    """DORA's four keys for one environment (and service) over one window.

    Attributes
    ----------
    start, end : datetime
        The window, both ends included.
    environment : str
        The environment measured.
    service : str or None
        The service measured; ``None`` for all.
    year : int
        The band table used (`dora_bands`).
    deployment_frequency : DeploymentFrequency
    lead_time : LeadTime
    change_failure_rate : ChangeFailureRate
    recovery_time : RecoveryTime
    excluded_environment : int
        Deployments to other environments (not counted).
    excluded_service : int
        Deployments of other services (not counted).
    excluded_window : int
        Deployments outside the window (not counted).

    Examples
    --------
    >>> from productops.datasets import load_demo
    >>> ws = load_demo()
    >>> m = dora([d for r in ws.releases for d in r.deployments],
    ...          incidents=ws.incidents, work_items=ws.work_items)
    >>> m.change_failure_rate.band, m.deployment_frequency.category
    ('medium', 'daily_weekly')
    """

    start: datetime
    end: datetime
    environment: str
    service: str | None
    year: int
    deployment_frequency: DeploymentFrequency
    lead_time: LeadTime
    change_failure_rate: ChangeFailureRate
    recovery_time: RecoveryTime
    excluded_environment: int
    excluded_service: int
    excluded_window: int

    def __repr__(self) -> str:
        where = self.environment + ("" if self.service is None else f"/{self.service}")
        f, lt = self.deployment_frequency, self.lead_time
        c, r = self.change_failure_rate, self.recovery_time
        return (
            f"DoraMetrics({where} {self.start.date()}..{self.end.date()}: "
            f"{f.per_week:.2f} deploys/week ({f.band}), lead time median "
            f"{_fmt(lt.median_days)} days ({lt.band}), change failure rate "
            f"{_fmt(c.rate, '.1%')} ({c.band}), recovery median "
            f"{_fmt(r.median_hours)} h ({r.band}))"
        )

    def summary_rows(self) -> list[tuple[str, str, int, DoraLevel | None]]:
        """Return one row per key for display: name, value in words, n, level.

        Frequency per week, change failure rate as a percentage, lead and
        recovery times with their unit; ``"-"`` where there is no value.

        Examples
        --------
        >>> from productops.datasets import load_demo
        >>> ws = load_demo()
        >>> metrics = dora([d for r in ws.releases for d in r.deployments],
        ...                incidents=ws.incidents, work_items=ws.work_items)
        >>> metrics.summary_rows()[2]
        ('change failure rate', '8.2%', 195, 'medium')
        """
        rows = []
        for row in self.to_records():
            value = row["value"]
            if value is None:
                shown = "-"
            elif row["metric"] == "change_failure_rate":
                shown = f"{value:.1%}"
            elif row["metric"] == "deployment_frequency":
                shown = f"{value * 7:.1f} per week"
            else:
                shown = f"{value:.1f} {row['unit']}"
            rows.append((row["metric"].replace("_", " "), shown, row["n"], row["band"]))
        return rows

    def to_records(self) -> list[dict[str, Any]]:
        """Return one row per key: value, unit, n and band.

        Examples
        --------
        >>> from productops.datasets import load_demo
        >>> ws = load_demo()
        >>> rows = dora([d for r in ws.releases for d in r.deployments]).to_records()
        >>> [row["metric"] for row in rows]
        ['deployment_frequency', 'lead_time', 'change_failure_rate', 'recovery_time']
        """
        common = {
            "environment": self.environment,
            "service": self.service,
            "start": self.start,
            "end": self.end,
            "year": self.year,
        }
        f, lt = self.deployment_frequency, self.lead_time
        c, r = self.change_failure_rate, self.recovery_time
        rows: list[tuple[str, float | None, str, int, DoraLevel | None]] = [
            ("deployment_frequency", f.per_day, "deployments/day", f.n, f.band),
            ("lead_time", lt.median_days, "days (median)", lt.n, lt.band),
            ("change_failure_rate", c.rate, "fraction", c.n, c.band),
            ("recovery_time", r.median_hours, "hours (median)", r.n, r.band),
        ]
        return [
            {
                "metric": metric,
                "value": value,
                "unit": unit,
                "n": n,
                "band": band,
                **common,
            }
            for metric, value, unit, n, band in rows
        ]


# -- computation ---------------------------------------------------------------


def _percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolation percentile (Hyndman and Fan type 7), `q` in [0, 1]."""
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    fraction = position - lower
    return ordered[lower] + (ordered[upper] - ordered[lower]) * fraction


def _frequency_category(per_day: float) -> FrequencyCategory:
    if per_day > DAY:
        return "on_demand"
    if per_day > DAY / WEEK:
        return "daily_weekly"
    if per_day > DAY / MONTH:
        return "weekly_monthly"
    if per_day > DAY / SIX_MONTHS:
        return "monthly_6_months"
    return "fewer"


def _commitment_start(item: WorkItem, process: Process) -> datetime | None:
    order = {state.name: state.order or 0 for state in process.states}
    threshold = order[process.commitment_state]
    for status, entered in item.timeline():
        if status in order and order[status] >= threshold:
            return entered
    return None


def _check_arguments(
    deployments: Sequence[Deployment],
    *,
    start: datetime | None,
    end: datetime | None,
    lead_time_from: str,
    process: Process | None,
    year: int,
) -> None:
    problems: list[str] = []
    if year not in _TABLES:
        problems.append(f"year: no DORA table for {year}; available: {sorted(_TABLES)}")
    for name, value in (("start", start), ("end", end)):
        if value is not None and value.tzinfo is None:
            problems.append(
                f"{name}: {value.isoformat()} is naive; give a timezone-aware datetime"
            )
    if (
        start is not None
        and end is not None
        and start.tzinfo is not None
        and end.tzinfo is not None
        and start > end
    ):
        problems.append(f"end: {end.isoformat()} is before start {start.isoformat()}")
    if lead_time_from not in ("created", "commitment"):
        problems.append(
            f"lead_time_from: {lead_time_from!r} is neither 'created' nor 'commitment'"
        )
    if lead_time_from == "commitment" and process is None:
        problems.append("process: lead_time_from='commitment' needs a process")
    seen: set[str] = set()
    repeated: list[str] = []
    for d in deployments:
        if d.key in seen and d.key not in repeated:
            repeated.append(d.key)
        seen.add(d.key)
    if repeated:
        problems.append(f"deployments: keys repeated {repeated}")
    if problems:
        raise InvalidInputError("; ".join(problems))


def dora(
    deployments: Iterable[Deployment],
    *,
    incidents: Iterable[Incident] = (),
    work_items: Iterable[WorkItem] = (),
    start: datetime | None = None,
    end: datetime | None = None,
    environment: str = "production",
    service: str | None = None,
    lead_time_from: Literal["created", "commitment"] = "created",
    process: Process | None = None,
    year: int = 2024,
) -> DoraMetrics:
    """Measure DORA's four keys and place each in `dora_bands` of `year`.

    Scope: deployments to `environment` (and of `service`, when given) whose
    `Deployment.deployed_at` lies in ``[start, end]``. Every other deployment
    is counted in ``excluded_*`` (by the first reason that applies:
    environment, service, window). Deployments at the same instant are taken
    in key order, so the input order never changes the result.

    - **Deployment frequency**: deployments in scope, whatever their status,
      per day of the window (a window shorter than a day counts as one day),
      and per week; the share of UTC calendar days with a deployment; DORA's
      survey bucket (`FrequencyCategory`).
    - **Change lead time**: for each work item, from its start (`created`,
      or with ``lead_time_from="commitment"`` its first entry into a state at
      or past the process's commitment point) to the first successful
      deployment to the environment/service that lists it. Items whose first
      such deployment falls in the window are measured; median and p85 days.
      Items never deployed, deployed outside the window, unknown, or without
      a start before the deployment are listed in the result.
    - **Change failure rate**: failed deployments / deployments in scope;
      failed means status ``failure`` or ``rolled_back``, or linked to an
      incident (either side of the link may name it).
    - **Failed-deployment recovery time**: per failed deployment in scope,
      from the start of the earliest incident it caused to the last of their
      `resolved_at`; a failed deployment with no known incident recovers at
      the next successful deployment of the same service and environment
      (at any time, inside the window or not). Median hours. Unresolved
      ones are listed, not measured.

    A scope with no deployment gives a grey result rather than an error:
    zero frequency, no value and no band for any key.

    Parameters
    ----------
    deployments : iterable of Deployment
        All deployments (of a workspace: ``[d for r in ws.releases for d in
        r.deployments]``); keys must be unique.
    incidents : iterable of Incident, optional
        Incidents, for the change failure rate and recovery time.
    work_items : iterable of WorkItem, optional
        Items, for lead time; without them no lead time is measured.
    start, end : datetime, optional
        The window (timezone-aware, both included). Default: the first and
        the last deployment to `environment` (and `service`).
    environment : str, default "production"
        The environment measured.
    service : str, optional
        Measure one service; default: all services together.
    lead_time_from : {"created", "commitment"}, default "created"
        Where lead time starts.
    process : Process, optional
        Needed with ``lead_time_from="commitment"``; statuses it does not
        name never count as committed.
    year : int, default 2024
        Which band table to judge by.

    Returns
    -------
    DoraMetrics

    Raises
    ------
    InvalidInputError
        Naming every problem at once: a naive `start` or `end`, `end`
        before `start`, an unknown `lead_time_from`, ``"commitment"``
        without a `process`, repeated deployment keys, no table for `year`;
        or, when `start` or `end` is left out, no deployment in scope to
        derive it from.

    See Also
    --------
    dora_bands : The band tables and the classification rule.

    References
    ----------
    DORA, "DORA's software delivery performance metrics"
    (https://dora.dev/guides/dora-metrics/); *Accelerate State of
    DevOps Report 2024*.

    Examples
    --------
    >>> from datetime import UTC
    >>> def at(day, hour=12):
    ...     return datetime(2024, 3, day, hour, tzinfo=UTC)
    >>> deps = [
    ...     Deployment(key="d1", service="api", deployed_at=at(1), items=("A-1",)),
    ...     Deployment(key="d2", service="api", deployed_at=at(2),
    ...                status="rolled_back", items=("A-2",)),
    ...     Deployment(key="d3", service="api", deployed_at=at(2, 15),
    ...                items=("A-2",)),
    ...     Deployment(key="d4", service="api", deployed_at=at(5)),
    ... ]
    >>> items = [
    ...     WorkItem(key="A-1", title="x", status="Done", created=at(1, 0)),
    ...     WorkItem(key="A-2", title="y", status="Done", created=at(1, 12)),
    ... ]
    >>> m = dora(deps, work_items=items)
    >>> m.deployment_frequency.per_week, m.deployment_frequency.category
    (7.0, 'daily_weekly')
    >>> m.lead_time.median_days, m.lead_time.band
    (0.8125, 'elite')
    >>> m.change_failure_rate.rate, m.change_failure_rate.band
    (0.25, 'high')
    >>> m.recovery_time.median_hours, m.recovery_time.band
    (3.0, 'high')
    """
    deps = list(deployments)
    _check_arguments(
        deps,
        start=start,
        end=end,
        lead_time_from=lead_time_from,
        process=process,
        year=year,
    )
    bands = dora_bands(year)
    deps.sort(key=lambda d: (d.deployed_at, d.key))  # ties by key: order-free
    same_env = [d for d in deps if d.environment == environment]
    target = [d for d in same_env if service is None or d.service == service]
    if start is None or end is None:
        if not target:
            where = environment + ("" if service is None else f", service {service!r}")
            msg = (
                f"deployments: none to {where} to derive the window from; "
                "pass start and end"
            )
            raise InvalidInputError(msg)
        start = target[0].deployed_at if start is None else start
        end = target[-1].deployed_at if end is None else end
        if start > end:
            msg = f"end: {end.isoformat()} is before start {start.isoformat()}"
            raise InvalidInputError(msg)
    in_scope = [d for d in target if start <= d.deployed_at <= end]

    frequency = _frequency(in_scope, start, end, bands)
    lead = _lead_time(
        target,
        list(work_items),
        start=start,
        end=end,
        lead_time_from=lead_time_from,
        process=process,
        bands=bands,
    )
    incident_list = list(incidents)
    failure = _failure_rate(in_scope, incident_list, bands)
    recovery = _recovery(deps, in_scope, failure, incident_list, bands)
    return DoraMetrics(
        start=start,
        end=end,
        environment=environment,
        service=service,
        year=year,
        deployment_frequency=frequency,
        lead_time=lead,
        change_failure_rate=failure,
        recovery_time=recovery,
        excluded_environment=len(deps) - len(same_env),
        excluded_service=len(same_env) - len(target),
        excluded_window=len(target) - len(in_scope),
    )


def _frequency(
    in_scope: Sequence[Deployment], start: datetime, end: datetime, bands: DoraBands
) -> DeploymentFrequency:
    n = len(in_scope)
    window_days = max((end - start).total_seconds() / DAY_S, 1.0)
    per_day = n / window_days
    first_day, last_day = start.astimezone(UTC).date(), end.astimezone(UTC).date()
    calendar_days = (last_day - first_day).days + 1
    deploy_days = len({d.deployed_at.astimezone(UTC).date() for d in in_scope})
    return DeploymentFrequency(
        n=n,
        successful=sum(d.status is DeploymentStatus.SUCCESS for d in in_scope),
        window_days=window_days,
        per_day=per_day,
        per_week=per_day * WEEK,
        deploy_days=deploy_days,
        calendar_days=calendar_days,
        deploy_days_share=deploy_days / calendar_days,
        category=_frequency_category(per_day) if n else None,
        band=bands.classify("deployment_frequency", per_day) if n else None,
    )


def _lead_time(
    target: Sequence[Deployment],
    items: Sequence[WorkItem],
    *,
    start: datetime,
    end: datetime,
    lead_time_from: Literal["created", "commitment"],
    process: Process | None,
    bands: DoraBands,
) -> LeadTime:
    first: dict[str, Deployment] = {}
    for d in target:  # in time order: the first one seen is the first deployed
        if d.status is DeploymentStatus.SUCCESS:
            for key in d.items:
                first.setdefault(key, d)
    by_key = {item.key: item for item in items}
    changes: list[ChangeLeadTime] = []
    unknown: list[str] = []
    not_started: list[str] = []
    outside: list[str] = []
    for key, d in first.items():
        if not start <= d.deployed_at <= end:
            if key in by_key:
                outside.append(key)
            continue
        item = by_key.get(key)
        if item is None:
            unknown.append(key)
            continue
        if lead_time_from == "commitment":
            assert process is not None  # noqa: S101 - checked by _check_arguments
            began = _commitment_start(item, process)
        else:
            began = item.created
        if began is None or began > d.deployed_at:
            not_started.append(key)
            continue
        days = (d.deployed_at - began).total_seconds() / DAY_S
        changes.append(ChangeLeadTime(key, began, d.key, d.deployed_at, days))
    changes.sort(key=lambda c: (c.deployed_at, c.item))
    samples = [c.days for c in changes]
    median = _percentile(samples, 0.5) if samples else None
    return LeadTime(
        median_days=median,
        p85_days=_percentile(samples, 0.85) if samples else None,
        n=len(samples),
        band=None if median is None else bands.classify("lead_time", median),
        measured_from=lead_time_from,
        changes=tuple(changes),
        never_deployed=tuple(item.key for item in items if item.key not in first),
        deployed_outside_window=tuple(sorted(outside)),
        unknown=tuple(sorted(unknown)),
        not_started=tuple(sorted(not_started)),
    )


def _incident_links(
    deployments: Iterable[Deployment], incidents: Iterable[Incident]
) -> dict[str, list[str]]:
    links: dict[str, list[str]] = {}
    for d in deployments:
        links.setdefault(d.key, []).extend(d.caused_incidents)
    for incident in incidents:
        keys = links.get(incident.caused_by or "")
        if keys is not None and incident.key not in keys:
            keys.append(incident.key)
    return links


def _failure_rate(
    in_scope: Sequence[Deployment], incidents: Sequence[Incident], bands: DoraBands
) -> ChangeFailureRate:
    links = _incident_links(in_scope, incidents)
    failed = [d for d in in_scope if d.failed or links[d.key]]
    n = len(in_scope)
    rate = len(failed) / n if n else None
    return ChangeFailureRate(
        rate=rate,
        n=n,
        failed=tuple(d.key for d in failed),
        failed_status=tuple(
            d.key for d in failed if d.status is DeploymentStatus.FAILURE
        ),
        rolled_back=tuple(
            d.key for d in failed if d.status is DeploymentStatus.ROLLED_BACK
        ),
        caused_incident=tuple(d.key for d in failed if links[d.key]),
        band=None if rate is None else bands.classify("change_failure_rate", rate),
    )


def _recovery(
    deps: Sequence[Deployment],
    in_scope: Sequence[Deployment],
    failure: ChangeFailureRate,
    incidents: Sequence[Incident],
    bands: DoraBands,
) -> RecoveryTime:
    by_incident = {incident.key: incident for incident in incidents}
    links = _incident_links(in_scope, incidents)
    by_deployment = {d.key: d for d in deps}
    recoveries: list[Recovery] = []
    unrestored: list[str] = []
    missing: list[str] = []
    for key in failure.failed:
        d = by_deployment[key]
        known = [by_incident[k] for k in links[key] if k in by_incident]
        missing += [k for k in links[key] if k not in by_incident and k not in missing]
        if known:
            failed_at = min(i.started_at for i in known)
            resolved = [i.resolved_at for i in known]
            if any(r is None for r in resolved):
                unrestored.append(key)
                continue
            restored_at = max(r for r in resolved if r is not None)
            restored_by = tuple(i.key for i in known)
            via: Literal["incident", "redeployment"] = "incident"
        else:
            nxt = next(
                (
                    o
                    for o in deps
                    if o.deployed_at > d.deployed_at
                    and o.service == d.service
                    and o.environment == d.environment
                    and o.status is DeploymentStatus.SUCCESS
                ),
                None,
            )
            if nxt is None:
                unrestored.append(key)
                continue
            failed_at, restored_at = d.deployed_at, nxt.deployed_at
            restored_by, via = (nxt.key,), "redeployment"
        hours = (restored_at - failed_at).total_seconds() / HOUR_S
        recoveries.append(
            Recovery(key, d.service, via, failed_at, restored_at, restored_by, hours)
        )
    linked = {k for d in deps for k in d.caused_incidents}
    linked |= {i.key for i in incidents if i.caused_by in by_deployment}
    samples = [r.hours for r in recoveries]
    median = _percentile(samples, 0.5) if samples else None
    return RecoveryTime(
        median_hours=median,
        n=len(samples),
        band=None if median is None else bands.classify("recovery_time", median),
        recoveries=tuple(recoveries),
        unrestored=tuple(unrestored),
        incidents_missing=tuple(missing),
        incidents_not_from_deployments=tuple(
            i.key for i in incidents if i.key not in linked and i.caused_by is None
        ),
        incidents_unknown_deployment=tuple(
            i.key
            for i in incidents
            if i.caused_by is not None and i.caused_by not in by_deployment
        ),
    )
