"""The Kano model: classify features from functional / dysfunctional answers.

A Kano questionnaire asks two questions per feature: how would you feel if the
product *had* it (functional), and if it did *not* (dysfunctional)? Each answer
is one of like, expect, neutral, tolerate, dislike. The evaluation table of
Kano et al. (1984) turns each respondent's pair into a category; counting the
categories over respondents classifies the feature:

- `kano_category` / `kano_categories` apply the evaluation table;
- `kano` counts one feature's answers (or takes ready counts) and returns a
  `KanoResult`: its category, Berger et al.'s Better / Worse coefficients,
  Lee & Newcomb's total and category strength, and Fong's significance test;
- `kano_attributes` does that for many features at once;
- `kano_continuous` is the continuous variant (DuMouchel's scores, in Berger
  et al. 1993): the mean functional and dysfunctional scores of a feature, and
  its mean self-stated importance.
"""

from __future__ import annotations

import enum
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ..errors import InvalidInputError
from ..model import KanoCategory
from ._validate import between, is_scalar, numbers, require

__all__ = [
    "KanoAnswer",
    "KanoPoint",
    "KanoResult",
    "kano",
    "kano_attributes",
    "kano_categories",
    "kano_category",
    "kano_continuous",
]

TieRule = Literal["mode", "impact"]


class KanoAnswer(enum.StrEnum):
    """An answer to a Kano question (functional or dysfunctional).

    Built from a string, the value is matched case-insensitively, with spaces,
    hyphens and underscores treated alike, and two common synonyms are
    accepted: ``"must-be"`` (also ``"must be"``) for `EXPECT` and
    ``"live-with"`` (also ``"live with"``) for `TOLERATE`.

    References
    ----------
    Berger, C. et al. (1993). "Kano's methods for understanding
    customer-defined quality". *Center for Quality of Management Journal*
    2(4), 3-36. https://walden-family.com/public/cqm-journal/2-4-Whole-Issue.pdf

    Examples
    --------
    >>> from productops import scoring
    >>> scoring.KanoAnswer("Must-be"), scoring.KanoAnswer("live with")
    (<KanoAnswer.EXPECT: 'expect'>, <KanoAnswer.TOLERATE: 'tolerate'>)
    """

    LIKE = "like"
    """Answer "I like it that way"."""
    EXPECT = "expect"
    """Answer "I expect it that way" (also "must-be")."""
    NEUTRAL = "neutral"
    """Answer "I am neutral"."""
    TOLERATE = "tolerate"
    """Answer "I can tolerate it that way" (also "live-with")."""
    DISLIKE = "dislike"
    """Answer "I dislike it that way"."""

    @classmethod
    def _missing_(cls, value: object) -> KanoAnswer | None:
        if not isinstance(value, str):
            return None
        words = value.strip().lower().replace("_", " ").replace("-", " ").split()
        return _SYNONYMS.get("-".join(words))


_SYNONYMS = {
    **{answer.value: answer for answer in KanoAnswer},
    "must-be": KanoAnswer.EXPECT,
    "live-with": KanoAnswer.TOLERATE,
}
_ANSWER_HINT = (
    "use like, expect (or must-be), neutral, tolerate (or live-with) or dislike"
)

_M, _O, _A, _I, _R, _Q = (
    KanoCategory.MUST_BE,
    KanoCategory.PERFORMANCE,
    KanoCategory.ATTRACTIVE,
    KanoCategory.INDIFFERENT,
    KanoCategory.REVERSE,
    KanoCategory.QUESTIONABLE,
)
_ORDER = (_M, _O, _A, _I, _R, _Q)
"""Impact order (Matzler et al. 1996: M > O > A > I); R and Q come last."""
_LETTERS = dict(zip("MOAIRQ", _ORDER, strict=True))

# Rows: functional answer; columns: dysfunctional answer, both in the order
# like, expect, neutral, tolerate, dislike (Kano et al. 1984; Berger et al. 1993).
_TABLE = {
    (functional, dysfunctional): _LETTERS[letter]
    for functional, row in zip(
        KanoAnswer, ("QAAAO", "RIIIM", "RIIIM", "RIIIM", "RRRRQ"), strict=True
    )
    for dysfunctional, letter in zip(KanoAnswer, row, strict=True)
}

# DuMouchel's scores for the continuous analysis (in Berger et al. 1993).
_FUNCTIONAL_SCORE = dict(zip(KanoAnswer, (4.0, 2.0, 0.0, -1.0, -2.0), strict=True))
_DYSFUNCTIONAL_SCORE = dict(zip(KanoAnswer, (-2.0, -1.0, 0.0, 2.0, 4.0), strict=True))

_FONG_Z = 1.65


@dataclass(frozen=True, slots=True)
class KanoResult:
    """The Kano classification of one feature.

    Attributes
    ----------
    counts : dict of KanoCategory to int
        Answers per category, all six in impact order (must-be, performance,
        attractive, indifferent, reverse, questionable), zeros included.
    n : int
        All answers, reverse and questionable included.
    category : KanoCategory
        The category by the chosen tie rule: the first of `tied`.
    mode : KanoCategory
        The most frequent category ("max category"); an exact tie goes to the
        first in impact order.
    tied : tuple of KanoCategory
        The categories the tie rule chose among, in impact order. With the
        ``"impact"`` rule, every category with answers whose share of `n` is
        within `band` of the top share; with ``"mode"``, the categories with
        the top count.
    better : float or None
        Berger et al.'s satisfaction coefficient CS+ ``(A + O) / (A + O + M + I)``
        in ``[0, 1]``; ``None`` when only reverse or questionable answers exist.
    worse : float or None
        Berger et al.'s dissatisfaction coefficient CS-
        ``-(O + M) / (A + O + M + I)`` in ``[-1, 0]``: **negative**, as Berger
        et al. print it (some tools report its magnitude); ``None`` when only
        reverse or questionable answers exist.
    total_strength : float
        Share of must-be, performance and attractive answers in `n`.
    category_strength : float
        Gap between the two most frequent categories (reverse included,
        questionable excluded) as a share of `n`.
    fong_gap : int
        Fong's test statistic ``|m1 - m2|``: the two largest counts, as above.
    fong_critical : float
        Fong's critical value ``1.65 * sqrt((m1 + m2) * (2n - m1 - m2) / (2n))``.
    significant : bool
        Whether ``fong_gap >= fong_critical`` (and ``fong_gap > 0``): the top
        category is significantly more frequent than the runner-up.

    References
    ----------
    Berger, C. et al. (1993). "Kano's methods for understanding
    customer-defined quality". *Center for Quality of Management Journal*
    2(4), 3-36. https://walden-family.com/public/cqm-journal/2-4-Whole-Issue.pdf

    Fong, D. (1996). "Using the self-stated importance questionnaire to
    interpret Kano questionnaire results". *Center for Quality of Management
    Journal* 5(3), 21-24.

    Examples
    --------
    >>> from productops import scoring
    >>> r = scoring.kano({"M": 15, "O": 24, "A": 121, "I": 124, "R": 6, "Q": 6})
    >>> r.mode.value, r.category.value, round(r.better, 3), round(r.worse, 3)
    ('indifferent', 'attractive', 0.511, -0.137)
    """

    counts: dict[KanoCategory, int]
    n: int
    category: KanoCategory
    mode: KanoCategory
    tied: tuple[KanoCategory, ...]
    better: float | None
    worse: float | None
    total_strength: float
    category_strength: float
    fong_gap: int
    fong_critical: float
    significant: bool

    def __repr__(self) -> str:
        counts = " ".join(f"{_letter(c)} {k}" for c, k in self.counts.items())
        better = "None" if self.better is None else f"{self.better:.3f}"
        worse = "None" if self.worse is None else f"{self.worse:.3f}"
        sig = "significant" if self.significant else "not significant"
        return (
            f"<KanoResult {self.category.value} (mode {self.mode.value}), "
            f"n={self.n} [{counts}]: better {better}, worse {worse}, "
            f"Fong {self.fong_gap} vs {self.fong_critical:.1f} {sig}>"
        )


@dataclass(frozen=True, slots=True)
class KanoPoint:
    """A feature on the continuous Kano plot (DuMouchel, in Berger et al. 1993).

    Attributes
    ----------
    dysfunctional : float
        Mean dysfunctional score, the x axis: from -2 (customers would like
        the feature to be missing) to 4 (they would dislike it missing).
    functional : float
        Mean functional score, the y axis: from -2 (they would dislike having
        it) to 4 (they would like having it).
    importance : float or None
        Mean self-stated importance, on the scale it was asked on; ``None``
        when not given.
    n : int
        Number of respondents.

    References
    ----------
    Berger, C. et al. (1993). "Kano's methods for understanding
    customer-defined quality". *Center for Quality of Management Journal*
    2(4), 3-36. https://walden-family.com/public/cqm-journal/2-4-Whole-Issue.pdf

    Examples
    --------
    >>> from productops import scoring
    >>> scoring.kano_continuous([("like", "dislike"), ("expect", "dislike")])
    KanoPoint(dysfunctional=4.0, functional=3.0, importance=None, n=2)
    """

    dysfunctional: float
    functional: float
    importance: float | None
    n: int


def kano_category(
    *, functional: KanoAnswer | str, dysfunctional: KanoAnswer | str
) -> KanoCategory:
    """Return the Kano category of one respondent's pair of answers.

    The evaluation table of Kano et al. (1984), as printed by Berger et al.
    (1993); rows are the functional answer, columns the dysfunctional one:

    | functional / dysfunctional | like | expect | neutral | tolerate | dislike |
    |---|---|---|---|---|---|
    | **like**     | Q | A | A | A | O |
    | **expect**   | R | I | I | I | M |
    | **neutral**  | R | I | I | I | M |
    | **tolerate** | R | I | I | I | M |
    | **dislike**  | R | R | R | R | Q |

    (A attractive, O performance / one-dimensional, M must-be, I indifferent,
    R reverse, Q questionable.)

    Parameters
    ----------
    functional : KanoAnswer or str
        The answer to "how would you feel if the product had it?".
    dysfunctional : KanoAnswer or str
        The answer to "how would you feel if it did not?". Strings are read
        as by `KanoAnswer` (case-insensitive; ``"must-be"``, ``"live-with"``).

    Returns
    -------
    KanoCategory

    Raises
    ------
    InvalidInputError
        If an answer is not a Kano answer.

    See Also
    --------
    kano_categories : The same for many respondents.

    References
    ----------
    Kano, N., Seraku, N., Takahashi, F. and Tsuji, S. (1984). "Attractive
    quality and must-be quality". *Journal of the Japanese Society for Quality
    Control* 14(2), 39-48.

    Berger, C. et al. (1993). "Kano's methods for understanding
    customer-defined quality". *Center for Quality of Management Journal*
    2(4), 3-36. https://walden-family.com/public/cqm-journal/2-4-Whole-Issue.pdf

    Examples
    --------
    >>> from productops import scoring
    >>> scoring.kano_category(functional="like", dysfunctional="dislike")
    <KanoCategory.PERFORMANCE: 'performance'>
    >>> scoring.kano_category(functional="must-be", dysfunctional="dislike")
    <KanoCategory.MUST_BE: 'must_be'>
    """
    problems = [
        f"{name}: {value!r} is not a Kano answer"
        for name, value in (
            ("functional", functional),
            ("dysfunctional", dysfunctional),
        )
        if _answer(value) is None
    ]
    if problems:
        msg = "; ".join(problems) + f"; {_ANSWER_HINT}"
        raise InvalidInputError(msg)
    return _TABLE[KanoAnswer(functional), KanoAnswer(dysfunctional)]


def kano_categories(
    answers: Iterable[tuple[KanoAnswer | str, KanoAnswer | str]],
) -> list[KanoCategory]:
    """Return the Kano category of every respondent's pair of answers.

    Parameters
    ----------
    answers : iterable of (functional, dysfunctional) pairs
        One pair per respondent; ``list(zip(functional, dysfunctional))`` turns
        two columns into pairs. Answers are read as by `KanoAnswer`.

    Returns
    -------
    list of KanoCategory
        In the order of `answers`; empty for no answers.

    Raises
    ------
    InvalidInputError
        Naming every pair that is not a pair of Kano answers, by position.

    See Also
    --------
    kano_category : The evaluation table.
    kano : Count the categories and classify the feature.

    References
    ----------
    Berger, C. et al. (1993). "Kano's methods for understanding
    customer-defined quality". *Center for Quality of Management Journal*
    2(4), 3-36. https://walden-family.com/public/cqm-journal/2-4-Whole-Issue.pdf

    Examples
    --------
    >>> from productops import scoring
    >>> [c.value for c in scoring.kano_categories(
    ...     [("like", "neutral"), ("neutral", "dislike"), ("like", "like")])]
    ['attractive', 'must_be', 'questionable']
    """
    return [_TABLE[pair] for pair in _pairs("answers", answers)]


def kano(
    data: Iterable[tuple[KanoAnswer | str, KanoAnswer | str]]
    | Mapping[KanoCategory, float]
    | Mapping[str, float],
    *,
    tie_rule: TieRule = "impact",
    band: float = 0.05,
) -> KanoResult:
    """Classify one feature from its Kano answers or category counts.

    Each respondent's pair of answers goes through the evaluation table
    (`kano_category`); the counts of the six categories then give:

    - the **mode**, the most frequent category;
    - the **category** by `tie_rule`. With ``"impact"`` (the default; Matzler
      et al. 1996), every category with answers whose share of all answers is
      within `band` of the top share (``top - share <= band``) counts as tied
      with the top, and the tie goes to the category with the bigger impact,
      in the order must-be > performance > attractive > indifferent (reverse
      and questionable, which the rule does not rank, come last). With
      ``"mode"``, the category is the mode. Either way, an exact tie goes to
      the first category in that order;
    - Berger et al.'s **better** ``(A + O) / (A + O + M + I)`` and **worse**
      ``-(O + M) / (A + O + M + I)`` coefficients. Reverse and questionable
      answers are left out of the denominator, so with only such answers both
      are undefined and are ``None``;
    - Lee & Newcomb's **total strength** ``(A + O + M) / n`` and **category
      strength** (the gap between the top two categories, as a share of n);
    - **Fong's test**: the top category is significant when
      ``|m1 - m2| >= 1.65 * sqrt((m1 + m2) * (2n - m1 - m2) / (2n))``.

    Shares, strengths and Fong's test use `n`, all answers including reverse
    and questionable ones; the top two categories of the strengths and the
    test are taken among must-be, performance, attractive, indifferent and
    reverse (questionable answers are survey noise), as in stp25kano.

    Parameters
    ----------
    data : iterable of (functional, dysfunctional) pairs, or mapping
        Either one pair of answers per respondent (as for `kano_categories`),
        or ready counts per category: keys are `KanoCategory` members or their
        values (``"must_be"``, ...) or letters (``"M"``, ``"O"``, ``"A"``,
        ``"I"``, ``"R"``, ``"Q"``, any case); missing categories count 0.
        A `collections.Counter` of categories works.
    tie_rule : {"impact", "mode"}, default "impact"
        How the category is chosen; see above.
    band : float, default 0.05
        For ``tie_rule="impact"``: the largest gap in share (a fraction of all
        answers, so 0.05 is 5 percentage points) still counted as a tie.
        stp25kano uses 5 points. ``0`` breaks exact ties only.

    Returns
    -------
    KanoResult

    Raises
    ------
    InvalidInputError
        If an answer is not a Kano answer (naming every bad pair), a count is
        not a whole number ``>= 0`` or names an unknown category, there are no
        answers at all, `band` is outside ``[0, 1]`` or `tie_rule` is unknown.

    See Also
    --------
    kano_attributes : Classify many features at once.
    kano_continuous : The continuous variant.

    References
    ----------
    Berger, C. et al. (1993). "Kano's methods for understanding
    customer-defined quality". *Center for Quality of Management Journal*
    2(4), 3-36. https://walden-family.com/public/cqm-journal/2-4-Whole-Issue.pdf

    Matzler, K., Hinterhuber, H. H., Bailom, F. and Sauerwein, E. (1996).
    "How to delight your customers". *Journal of Product & Brand Management*
    5(2), 6-18.

    Lee, M. C. and Newcomb, J. F. (1997). "Applying the Kano methodology to
    meet customer requirements: NASA's microgravity science program".
    *Quality Management Journal* 4(3), 95-106.

    Fong, D. (1996). "Using the self-stated importance questionnaire to
    interpret Kano questionnaire results". *Center for Quality of Management
    Journal* 5(3), 21-24.

    Peter, W. (2024). stp25kano, an R package for Kano analysis (the worked
    example). https://github.com/stp4/stp25kano

    Examples
    --------
    The "Hotline" attribute of the stp25kano example (n = 296): indifferent is
    the mode, but attractive is within 5 points of it and has more impact.

    >>> from productops import scoring
    >>> r = scoring.kano({"M": 15, "O": 24, "A": 121, "I": 124, "R": 6, "Q": 6})
    >>> r.category.value, r.mode.value, r.significant
    ('attractive', 'indifferent', False)
    >>> scoring.kano({"A": 121, "I": 124}, tie_rule="mode").category.value
    'indifferent'

    From answers:

    >>> answers = [("like", "neutral"), ("like", "tolerate"), ("like", "dislike")]
    >>> r = scoring.kano(answers)
    >>> r.category.value, round(r.better, 2), round(r.worse, 2)
    ('attractive', 1.0, -0.33)
    """
    rule = _tie_rule(tie_rule)
    width = _band(band)
    counts = _counts(data)
    return _classify(counts, rule=rule, band=width)


def kano_attributes(
    survey: Mapping[
        str,
        Iterable[tuple[KanoAnswer | str, KanoAnswer | str]]
        | Mapping[KanoCategory, float]
        | Mapping[str, float],
    ],
    *,
    tie_rule: TieRule = "impact",
    band: float = 0.05,
) -> dict[str, KanoResult]:
    """Classify many features at once.

    Parameters
    ----------
    survey : mapping of str to answers or counts
        Per feature (attribute), what `kano` takes: pairs of answers or
        category counts.
    tie_rule : {"impact", "mode"}, default "impact"
        As for `kano`.
    band : float, default 0.05
        As for `kano`.

    Returns
    -------
    dict of str to KanoResult
        In the order of `survey`.

    Raises
    ------
    InvalidInputError
        Naming every feature with bad data and what is wrong with it, or if
        `band` or `tie_rule` is invalid.

    See Also
    --------
    kano : One feature.

    References
    ----------
    Berger, C. et al. (1993). "Kano's methods for understanding
    customer-defined quality". *Center for Quality of Management Journal*
    2(4), 3-36. https://walden-family.com/public/cqm-journal/2-4-Whole-Issue.pdf

    Examples
    --------
    >>> from productops import scoring
    >>> results = scoring.kano_attributes({
    ...     "Service app": {"M": 95, "O": 123, "A": 45, "I": 33},
    ...     "Loan machine": {"M": 65, "O": 87, "A": 93, "I": 51},
    ... })
    >>> {name: r.category.value for name, r in results.items()}
    {'Service app': 'performance', 'Loan machine': 'performance'}
    """
    rule = _tie_rule(tie_rule)
    width = _band(band)
    results = {}
    problems = []
    for name, data in survey.items():
        try:
            counts = _counts(data)
        except InvalidInputError as exc:
            problems.append(f"attribute {name!r}: {exc}")
            continue
        results[name] = _classify(counts, rule=rule, band=width)
    if problems:
        msg = "; ".join(problems)
        raise InvalidInputError(msg)
    return results


def kano_continuous(
    answers: Iterable[tuple[KanoAnswer | str, KanoAnswer | str]],
    *,
    importance: Sequence[float] | None = None,
    importance_scale: tuple[float, float] = (1.0, 9.0),
) -> KanoPoint:
    """Place one feature on the continuous Kano plot.

    Every answer is turned into a number with DuMouchel's asymmetric scores
    (Berger et al. 1993), which weigh positive answers more than negative ones,
    and the scores are averaged over respondents:

    | answer   | functional | dysfunctional |
    |----------|-----------:|--------------:|
    | like     |          4 |            -2 |
    | expect   |          2 |            -1 |
    | neutral  |          0 |             0 |
    | tolerate |         -1 |             2 |
    | dislike  |         -2 |             4 |

    The mean dysfunctional score is the x axis and the mean functional score
    the y axis. Every answer is used; reverse and questionable pairs are not
    dropped (filter them with `kano_category` first if you want to).

    Parameters
    ----------
    answers : iterable of (functional, dysfunctional) pairs
        One pair per respondent, read as by `KanoAnswer`.
    importance : sequence of float, optional
        Each respondent's answer to a self-stated importance question ("how
        important is this feature to you?"), in the order of `answers`.
    importance_scale : (float, float), default (1, 9)
        The lowest and highest importance answers. The default is the 1-9
        scale of Zacarias' guide; every importance must lie on it.

    Returns
    -------
    KanoPoint

    Raises
    ------
    InvalidInputError
        If there are no answers, an answer is not a Kano answer (naming every
        bad pair), or `importance` has a different length, is off the scale
        (naming every bad value) or the scale is empty.

    See Also
    --------
    kano : The discrete analysis, with Better / Worse coefficients.

    References
    ----------
    Berger, C. et al. (1993). "Kano's methods for understanding
    customer-defined quality", section IV on continuous and graphical
    analysis (W. DuMouchel's scores). *Center for Quality of Management
    Journal* 2(4), 3-36.
    https://walden-family.com/public/cqm-journal/2-4-Whole-Issue.pdf

    Zacarias, D. "The complete guide to the Kano model". Folding Burritos.
    https://foldingburritos.com/blog/kano-model

    Examples
    --------
    >>> from productops import scoring
    >>> scoring.kano_continuous(
    ...     [("like", "neutral"), ("neutral", "tolerate")], importance=[7, 9])
    KanoPoint(dysfunctional=1.0, functional=2.0, importance=8.0, n=2)
    """
    pairs = _pairs("answers", answers)
    if not pairs:
        msg = "answers: no answers; a mean score needs at least one respondent"
        raise InvalidInputError(msg)
    mean_importance = None
    if importance is not None:
        low, high = _scale(importance_scale)
        values = between("importance", importance, low, high)
        if values.ndim == 0 or values.size != len(pairs):
            size = 1 if values.ndim == 0 else values.size
            msg = (
                f"importance: {size} values for {len(pairs)} respondents; give one "
                "per pair of answers, in the same order"
            )
            raise InvalidInputError(msg)
        mean_importance = float(values.mean())
    return KanoPoint(
        dysfunctional=math.fsum(_DYSFUNCTIONAL_SCORE[d] for _, d in pairs) / len(pairs),
        functional=math.fsum(_FUNCTIONAL_SCORE[f] for f, _ in pairs) / len(pairs),
        importance=mean_importance,
        n=len(pairs),
    )


# -- helpers ---------------------------------------------------------------------


def _answer(value: Any) -> KanoAnswer | None:
    if isinstance(value, KanoAnswer):
        return value
    if isinstance(value, str):
        try:
            return KanoAnswer(value)
        except ValueError:
            return None
    return None


def _pairs(name: str, answers: Iterable[Any]) -> list[tuple[KanoAnswer, KanoAnswer]]:
    """Parse pairs of answers, naming every bad one by position."""
    if isinstance(answers, str | bytes | Mapping):
        msg = f"{name}: expected (functional, dysfunctional) pairs, got {answers!r}"
        raise InvalidInputError(msg)
    parsed = []
    problems = []
    for position, pair in enumerate(answers):
        items = None if isinstance(pair, str | bytes) else _two(pair)
        if items is None:
            problems.append(f"#{position} is not a pair ({pair!r})")
            continue
        functional, dysfunctional = (_answer(v) for v in items)
        if functional is None:
            problems.append(f"#{position} functional {items[0]!r}")
        if dysfunctional is None:
            problems.append(f"#{position} dysfunctional {items[1]!r}")
        if functional is not None and dysfunctional is not None:
            parsed.append((functional, dysfunctional))
    if problems:
        noun = "answer" if len(problems) == 1 else "answers"
        msg = (
            f"{name}: {len(problems)} bad {noun}: {', '.join(problems)}; {_ANSWER_HINT}"
        )
        raise InvalidInputError(msg)
    return parsed


def _two(pair: Any) -> tuple[Any, Any] | None:
    try:
        items = tuple(pair)
    except TypeError:
        return None
    if len(items) != 2:
        return None
    return items[0], items[1]


def _category_key(key: Any) -> KanoCategory | None:
    if isinstance(key, KanoCategory):
        return key
    if not isinstance(key, str):
        return None
    text = key.strip()
    if text.upper() in _LETTERS:
        return _LETTERS[text.upper()]
    try:
        return KanoCategory(text.lower())
    except ValueError:
        return None


def _counts(data: Any) -> dict[KanoCategory, int]:
    """Category counts from pairs of answers or a mapping of counts."""
    if not isinstance(data, Mapping):
        tally = Counter(_TABLE[pair] for pair in _pairs("answers", data))
        counts = {category: tally[category] for category in _ORDER}
    else:
        keyed = [(key, _category_key(key)) for key in data]
        unknown = [repr(key) for key, category in keyed if category is None]
        if unknown:
            msg = (
                f"counts: unknown Kano categories {', '.join(unknown)}; "
                "use M, O, A, I, R, Q or KanoCategory values"
            )
            raise InvalidInputError(msg)
        labels = [str(key) for key in data]
        values = require(
            "counts",
            numbers("counts", list(data.values()), labels=labels),
            lambda v: (v >= 0) & (v == np.round(v)),
            "must be a whole number >= 0",
            labels=labels,
        )
        counts = dict.fromkeys(_ORDER, 0)
        categories = [category for _, category in keyed if category is not None]
        for category, value in zip(categories, values.tolist(), strict=True):
            counts[category] += int(value)
    if not any(counts.values()):
        name = "counts" if isinstance(data, Mapping) else "answers"
        msg = f"{name}: no answers to classify; a Kano category needs at least one"
        raise InvalidInputError(msg)
    return counts


def _classify(
    counts: dict[KanoCategory, int], *, rule: TieRule, band: float
) -> KanoResult:
    n = sum(counts.values())
    top = max(counts.values())
    mode = next(c for c in _ORDER if counts[c] == top)
    if rule == "impact":
        slack = band * n * (1 + 1e-12)  # shares compared in counts, float-safe
        tied = tuple(c for c in _ORDER if counts[c] > 0 and top - counts[c] <= slack)
    else:
        tied = tuple(c for c in _ORDER if counts[c] == top)
    m, o, a, i = counts[_M], counts[_O], counts[_A], counts[_I]
    core = a + o + m + i
    first, second = sorted((counts[c] for c in (_M, _O, _A, _I, _R)), reverse=True)[:2]
    critical = _FONG_Z * math.sqrt(
        (first + second) * (2 * n - first - second) / (2 * n)
    )
    gap = first - second
    return KanoResult(
        counts=counts,
        n=n,
        category=tied[0],
        mode=mode,
        tied=tied,
        better=(a + o) / core if core else None,
        worse=-(o + m) / core if core else None,
        total_strength=(a + o + m) / n,
        category_strength=gap / n,
        fong_gap=gap,
        fong_critical=critical,
        significant=gap > 0 and gap >= critical,
    )


def _tie_rule(value: Any) -> TieRule:
    if value == "impact":
        return "impact"
    if value == "mode":
        return "mode"
    msg = f"tie_rule: expected 'impact' or 'mode', got {value!r}"
    raise InvalidInputError(msg)


def _band(band: Any) -> float:
    if not is_scalar(band):
        msg = f"band: expected one number, got {band!r}"
        raise InvalidInputError(msg)
    return float(between("band", band, 0, 1))


def _scale(scale: Any) -> tuple[float, float]:
    values = numbers("importance_scale", list(scale))
    if values.size != 2 or not values[0] < values[1]:
        msg = (
            "importance_scale: expected (lowest, highest) with lowest < highest, "
            f"got {tuple(scale)!r}"
        )
        raise InvalidInputError(msg)
    return float(values[0]), float(values[1])


def _letter(category: KanoCategory) -> str:
    return next(letter for letter, c in _LETTERS.items() if c is category)
