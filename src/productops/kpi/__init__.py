"""KPIs: red/amber/green status and XmR control charts.

`status` judges a KPI's latest observation against its target and thresholds,
honouring its direction, and says why in words. `xmr` builds an individuals
and moving-range chart (Wheeler's 2.66 or NIST's 3/1.128 limits) and checks the
Western Electric or Nelson run rules; each firing is a `Signal`, a KPI anomaly.

Examples
--------
>>> from productops import kpi
>>> kpi.xmr([5, 6, 5, 7, 6, 5, 6, 20]).signals[0].name
'beyond_limits'
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
from ._status import RAG, KpiStatus, status

__all__ = [
    "KpiStatus",
    "NIST_SCALE",
    "RAG",
    "RULE_SETS",
    "RuleSet",
    "Signal",
    "WHEELER_SCALE",
    "XmRChart",
    "signals",
    "status",
    "xmr",
]
