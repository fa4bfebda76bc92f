"""Scoring: prioritisation and risk as pure functions.

Numbers in, numbers out: no I/O, no clock, randomness only through ``seed=``.
Scalars give a ``float``; lists or arrays give a numpy array, one score per
item. Bad input raises `productops.InvalidInputError` naming every bad value.

Prioritisation
    `rice`, `ice`, `wsjf` (and `relative` columns), `cost_of_delay` with
    urgency profiles (`CostOfDelay`, `Urgency`), `cd3`,
    `sequence_delay_cost`, `moscow`, `kano` (`kano_category`,
    `kano_attributes`, `kano_continuous`), `weighted_score`,
    `opportunity_score` (`top_two_box`, `opportunity_band`),
    `value_effort_quadrant`, `ahp` (`pairwise_matrix`).
Ranking
    `rank` orders a backlog by any score with ties reported; `sensitivity`
    says how likely each item is to make the top k under uncertainty, and
    how far one weight must move before the top k changes.
Custom scores
    `formula` compiles a safe expression such as
    ``"reach * impact * confidence / effort"``.
Risk
    `productops.scoring.risk`: matrices, EMV, decision trees, FMEA, PERT,
    Monte Carlo schedule risk, register roll-ups.

Examples
--------
>>> from productops import scoring
>>> scoring.rice(reach=450, impact=3, confidence=1.0, effort=2)
675.0
>>> scoring.formula("value / effort")(value=8, effort=2)
4.0
"""

from ..model import MoSCoW
from . import risk
from ._ahp import SAATY_RANDOM_INDEX, AHPResult, ahp, pairwise_matrix
from ._categories import MoscowBudget, Quadrant, moscow, value_effort_quadrant
from ._delay import CostOfDelay, Urgency, cd3, cost_of_delay, sequence_delay_cost
from ._formula import Formula, formula
from ._kano import (
    KanoAnswer,
    KanoPoint,
    KanoResult,
    kano,
    kano_attributes,
    kano_categories,
    kano_category,
    kano_continuous,
)
from ._prioritise import (
    FIBONACCI,
    RiceConfidence,
    RiceImpact,
    ice,
    opportunity_band,
    opportunity_score,
    relative,
    rice,
    top_two_box,
    weighted_score,
    wsjf,
)
from ._rank import Ranked, Ranking, rank
from ._sensitivity import (
    ESTIMATE_SPREADS,
    Sampler,
    Sensitivity,
    WeightChange,
    sensitivity,
)

__all__ = [
    "AHPResult",
    "CostOfDelay",
    "ESTIMATE_SPREADS",
    "FIBONACCI",
    "Formula",
    "KanoAnswer",
    "KanoPoint",
    "KanoResult",
    "MoSCoW",
    "MoscowBudget",
    "Quadrant",
    "Ranked",
    "Ranking",
    "RiceConfidence",
    "RiceImpact",
    "SAATY_RANDOM_INDEX",
    "Sampler",
    "Sensitivity",
    "Urgency",
    "WeightChange",
    "ahp",
    "cd3",
    "cost_of_delay",
    "formula",
    "ice",
    "kano",
    "kano_attributes",
    "kano_categories",
    "kano_category",
    "kano_continuous",
    "moscow",
    "opportunity_band",
    "opportunity_score",
    "pairwise_matrix",
    "rank",
    "relative",
    "rice",
    "risk",
    "sensitivity",
    "sequence_delay_cost",
    "top_two_box",
    "value_effort_quadrant",
    "weighted_score",
    "wsjf",
]
