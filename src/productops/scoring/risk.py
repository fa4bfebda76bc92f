"""Risk scoring: matrices, exposure and EMV, decision trees, FMEA, register roll-ups.

Pure functions over numbers and `productops.Risk` records:

- ordinal assessment on a likelihood x impact matrix whose bands are a lookup
  table (`RiskMatrix`, `MATRIX_5X5`, `MATRIX_3X3`), and cardinal exposure
  (`exposure`, `emv`);
- PMBOK-style decision trees (`Decision`, `Chance`, `Branch`, `Outcome`,
  `evaluate`);
- FMEA's risk priority number and the AIAG & VDA action priority (`rpn`,
  `action_priority`);
- roll-ups of a risk register: totals by category, owner or release
  (`rollup`), heat-map counts (`heatmap`), residual against inherent risk
  (`residual`, `residual_report`) and burndown over time (`burndown`,
  `snapshot_burndown`);
- three-point estimates (`ThreePoint`, beta-PERT and triangular) and Monte
  Carlo schedule risk over a dependency graph (`schedule_risk`).

Examples
--------
>>> from productops.scoring import risk
>>> risk.emv([(0.3, -50_000), (0.2, 20_000)])
-11000.0
"""

from ._estimate import (
    PertPath,
    ScheduleRisk,
    ThreePoint,
    pert_mean,
    pert_sd,
    schedule_risk,
    triangular_mean,
    triangular_sd,
)
from ._register import (
    Assessment,
    Burndown,
    BurndownPoint,
    GroupTotal,
    HeatMap,
    ResidualReport,
    ResidualRow,
    Rollup,
    burndown,
    heatmap,
    residual,
    residual_report,
    rollup,
    snapshot_burndown,
)
from ._risk import (
    MATRIX_3X3,
    MATRIX_5X5,
    Branch,
    Chance,
    Decision,
    DecisionAnalysis,
    NodeValue,
    Outcome,
    RiskMatrix,
    action_priority,
    emv,
    evaluate,
    exposure,
    rpn,
)

__all__ = [
    "Assessment",
    "Branch",
    "Burndown",
    "BurndownPoint",
    "Chance",
    "Decision",
    "DecisionAnalysis",
    "GroupTotal",
    "HeatMap",
    "MATRIX_3X3",
    "MATRIX_5X5",
    "NodeValue",
    "Outcome",
    "PertPath",
    "ResidualReport",
    "ResidualRow",
    "RiskMatrix",
    "Rollup",
    "ScheduleRisk",
    "ThreePoint",
    "action_priority",
    "burndown",
    "emv",
    "evaluate",
    "exposure",
    "heatmap",
    "pert_mean",
    "pert_sd",
    "residual",
    "residual_report",
    "rollup",
    "rpn",
    "schedule_risk",
    "snapshot_burndown",
    "triangular_mean",
    "triangular_sd",
]
