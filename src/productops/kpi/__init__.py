"""KPIs: status, trends, control charts, delivery and customer metrics.

Status and change
    `status` judges a KPI's latest observation against its target and
    thresholds, honouring its direction, and says why in words. `trend` tests
    for a monotonic trend (Mann-Kendall) and estimates its slope (Theil-Sen);
    `change` gives period-over-period change and `seasonal_naive` the
    same-period-last-season view and forecast.
Control charts
    `xmr` builds an individuals and moving-range chart (Wheeler's 2.66 or
    NIST's 3/1.128 limits) and checks the Western Electric or Nelson run rules;
    each firing is a `Signal`, a KPI anomaly.
Delivery
    `dora` computes the DORA four keys (deployment frequency, change lead
    time, change failure rate, failed-deployment recovery time) from
    deployments, incidents and work items, each with its performance level
    from the versioned band table `dora_bands` (2024 report).
Customers
    `nps` (with a confidence interval), `csat`, `ces` from feedback or scores;
    `themes` counts feedback by tag; `demand` weighs feedback per initiative by
    account value.
Sprints
    `sprint_report` (velocity, say/do, scope added, carry-over),
    `sprint_history` (predictability over the last N sprints), `burn_up`.

Examples
--------
>>> from productops import kpi
>>> kpi.xmr([5, 6, 5, 7, 6, 5, 6, 20]).signals[0].name
'beyond_limits'
>>> round(float(kpi.nps([10, 9, 9, 8, 7, 6, 3, 10, 9, 2]).score))
20
"""

from __future__ import annotations

from ._control import (
    NIST_SCALE,
    RULE_SETS,
    WHEELER_SCALE,
    RuleSet,
    Signal,
    XmRChart,
    signals,
    xmr,
)
from ._customer import (
    Ces,
    Csat,
    Demand,
    InitiativeDemand,
    Nps,
    ThemeCount,
    Themes,
    ces,
    csat,
    demand,
    nps,
    themes,
)
from ._dora import (
    BandRange,
    ChangeFailureRate,
    ChangeLeadTime,
    DeploymentFrequency,
    DoraBands,
    DoraLevel,
    DoraMetric,
    DoraMetrics,
    FrequencyCategory,
    LeadTime,
    Recovery,
    RecoveryTime,
    dora,
    dora_bands,
)
from ._drivers import (
    Contribution,
    DriverSensitivity,
    DriverTree,
    Split,
    contribution,
    driver_sensitivity,
    driver_tree,
)
from ._sprint import (
    DEFAULT_BAND,
    BurnUp,
    BurnUpDay,
    SprintHistory,
    SprintReport,
    burn_up,
    sprint_history,
    sprint_report,
)
from ._status import RAG, KpiStatus, status
from ._trend import (
    Change,
    SeasonalNaive,
    Trend,
    change,
    seasonal_naive,
    trend,
)

__all__ = [
    "BandRange",
    "BurnUp",
    "BurnUpDay",
    "Ces",
    "Change",
    "ChangeFailureRate",
    "ChangeLeadTime",
    "Contribution",
    "Csat",
    "DEFAULT_BAND",
    "Demand",
    "DeploymentFrequency",
    "DoraBands",
    "DoraLevel",
    "DoraMetric",
    "DoraMetrics",
    "DriverSensitivity",
    "DriverTree",
    "FrequencyCategory",
    "InitiativeDemand",
    "KpiStatus",
    "LeadTime",
    "NIST_SCALE",
    "Nps",
    "RAG",
    "RULE_SETS",
    "Recovery",
    "RecoveryTime",
    "RuleSet",
    "SeasonalNaive",
    "Signal",
    "Split",
    "SprintHistory",
    "SprintReport",
    "ThemeCount",
    "Themes",
    "Trend",
    "WHEELER_SCALE",
    "XmRChart",
    "burn_up",
    "ces",
    "change",
    "contribution",
    "csat",
    "demand",
    "dora",
    "dora_bands",
    "driver_sensitivity",
    "driver_tree",
    "nps",
    "seasonal_naive",
    "signals",
    "sprint_history",
    "sprint_report",
    "status",
    "themes",
    "trend",
    "xmr",
]
