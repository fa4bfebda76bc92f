"""Tests of the customer metrics: NPS, CSAT, CES, themes and demand.

Published worked example: 30 % promoters and 20 % detractors give NPS +10
(DELA annual report 2018 glossary, quoted in /work/shared/reference/scoring.md
section 13). The confidence intervals are hand-computed below from the formula
var = (p+ + p- - (p+ - p-)**2) / n; the adjusted Wald adds 3/4 of a
pseudo-answer to promoters and detractors and 3 to n (Rocks 2016, as described
by Lewis & Sauro, MeasuringU 2021, and the defaults of Rocks's R package NPS).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from productops import InvalidInputError
from productops.datasets import load_demo
from productops.kpi._customer import (
    Ces,
    Csat,
    Demand,
    Nps,
    Themes,
    ces,
    csat,
    demand,
    nps,
    themes,
)
from productops.model import Feedback, FeedbackKind, Initiative

Z95 = 1.959963984540054
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def fb(
    key: str,
    *,
    kind: FeedbackKind | str = "comment",
    rating: float | None = None,
    day: int = 0,
    **fields: Any,
) -> Feedback:
    return Feedback(
        key=key,
        source="test",
        kind=FeedbackKind(kind),
        rating=rating,
        created=T0 + timedelta(days=day),
        **fields,
    )


def answers(promoters: int, passives: int, detractors: int) -> list[int]:
    return [10] * promoters + [8] * passives + [3] * detractors


# ------------------------------------------------------------------------ NPS


class TestNps:
    def test_published_example_thirty_promoters_twenty_detractors(self):
        # DELA 2018 glossary: 30 % promoters - 20 % detractors = +10.
        result = nps([9] * 30 + [7] * 50 + [6] * 20)
        assert result.score == 10
        assert isinstance(result.score, Fraction)
        assert (result.promoters, result.passives, result.detractors) == (30, 50, 20)
        assert result.promoter_share == Fraction(3, 10)
        assert result.passive_share == Fraction(1, 2)
        assert result.detractor_share == Fraction(1, 5)

    @pytest.mark.parametrize(
        ("score", "band"),
        [(0, "d"), (6, "d"), (7, "p"), (8, "p"), (9, "P"), (10, "P")],
    )
    def test_band_boundaries(self, score, band):
        result = nps([score])
        counts = {"P": result.promoters, "p": result.passives, "d": result.detractors}
        assert counts[band] == 1
        assert sum(counts.values()) == 1

    def test_score_is_exact(self):
        # 1 promoter of 3 answers: 100/3, not 33.333...
        assert nps([10, 7, 8]).score == Fraction(100, 3)

    def test_wald_interval_hand_computed(self):
        # p+ = .3, p- = .2: var = (.5 - .01)/10 = .049; half = 1.96*sqrt(.049)
        result = nps([9] * 3 + [7] * 5 + [0] * 2)
        half = Z95 * math.sqrt(0.049)
        assert result.low == pytest.approx(100 * (0.1 - half))
        assert result.high == pytest.approx(100 * (0.1 + half))
        assert round(result.low, 2) == -33.39

    def test_adjusted_wald_hand_computed(self):
        # P' = 3.75, D' = 2.75, n' = 13: centre 1/13,
        # var = (6.5/13 - (1/13)**2) / 13
        result = nps([9] * 3 + [7] * 5 + [0] * 2, method="adjusted_wald")
        centre = 1 / 13
        half = Z95 * math.sqrt((6.5 / 13 - centre**2) / 13)
        assert result.low == pytest.approx(100 * (centre - half))
        assert result.high == pytest.approx(100 * (centre + half))
        assert result.score == 10  # the point estimate is not adjusted
        assert result.method == "adjusted_wald"

    def test_wald_interval_is_clipped(self):
        result = nps([10, 10, 9, 0])
        assert result.high == 100.0
        assert result.low > -100.0

    def test_all_promoters_wald_has_zero_width(self):
        result = nps([10] * 5)
        assert (result.low, result.high) == (100.0, 100.0)

    def test_adjusted_wald_widens_a_degenerate_interval(self):
        result = nps([10] * 5, method="adjusted_wald")
        assert result.low < 100.0

    def test_other_confidence_uses_its_quantile(self):
        # z(0.90) = 1.6448536...
        result = nps([9] * 3 + [7] * 5 + [0] * 2, confidence=0.9)
        assert result.high == pytest.approx(
            100 * (0.1 + 1.6448536269514722 * 0.049**0.5)
        )

    def test_feedback_of_other_kinds_is_skipped_and_counted(self):
        items = [
            fb("n1", kind="nps", rating=10),
            fb("n2", kind="nps", rating=3),
            fb("c1", kind="csat", rating=5),
            fb("x1"),
        ]
        result = nps(items)
        assert result.n == 2
        assert result.score == 0
        assert result.skipped == ("c1", "x1")
        assert result.to_records()[0]["skipped"] == 2

    def test_bad_scores_all_named_by_position(self):
        with pytest.raises(InvalidInputError) as err:
            nps([10, 11, 9.5, -1, True, 7])
        text = str(err.value)
        for part in ("[1] = 11", "[2] = 9.5", "[3] = -1", "[4] = True"):
            assert part in text
        assert "[0]" not in text
        assert "[5]" not in text

    def test_bad_feedback_rating_named_by_key(self):
        broken = Feedback.model_construct(
            key="zd-9", source="x", kind=FeedbackKind.NPS, rating=12.0, created=T0
        )
        with pytest.raises(InvalidInputError, match=r"feedback 'zd-9' rating = 12\.0"):
            nps([broken])

    def test_integral_floats_are_accepted(self):
        assert nps([9.0, 0.0]).score == 0

    def test_no_answers_is_an_error(self):
        with pytest.raises(InvalidInputError, match="n = 0"):
            nps([])

    def test_only_skipped_feedback_is_an_error_that_says_so(self):
        with pytest.raises(InvalidInputError, match="1 feedback of other kinds"):
            nps([fb("x")])

    @pytest.mark.parametrize("confidence", [0, 1, 1.5, -0.1])
    def test_bad_confidence(self, confidence):
        with pytest.raises(InvalidInputError, match="confidence"):
            nps([9], confidence=confidence)

    def test_bad_method(self):
        with pytest.raises(InvalidInputError, match="method"):
            nps([9], method="bootstrap")  # type: ignore[arg-type]

    def test_repr_and_records(self):
        result = nps([10, 9, 9, 8, 7, 7, 7, 6, 3, 8])
        assert repr(result) == (
            "Nps(+10, n=10: 3 promoters, 5 passives, 2 detractors; "
            "95% CI [-33.4, 53.4] wald)"
        )
        record = result.to_records()[0]
        assert record["nps"] == 10.0
        assert record["promoter_share"] == 0.3
        assert record["n"] == 10

    def test_result_is_frozen(self):
        result = nps([9])
        with pytest.raises(AttributeError):
            result.n = 3  # type: ignore[misc]

    def test_demo_workspace(self):
        result = nps(load_demo().feedback)
        assert isinstance(result, Nps)
        # 38 nps answers: 16 of 9-10, 7 of 7-8, 15 of 0-6 (counted in the data).
        assert (result.promoters, result.passives, result.detractors) == (16, 7, 15)
        assert result.score == Fraction(100, 38)
        assert len(result.skipped) == 200 - 38


counts = st.tuples(
    st.integers(0, 200), st.integers(0, 200), st.integers(0, 200)
).filter(lambda c: sum(c) > 0)
methods = st.sampled_from(["wald", "adjusted_wald"])


@given(counts, methods, st.floats(0.5, 0.999))
def test_nps_bounded(c, method, confidence):
    result = nps(answers(*c), method=method, confidence=confidence)
    assert -100 <= result.score <= 100
    assert -100 <= result.low <= result.high <= 100


@given(counts, methods)
def test_adding_a_promoter_never_lowers_nps(c, method):
    before = nps(answers(*c), method=method)
    after = nps([*answers(*c), 10], method=method)
    assert after.score >= before.score


@given(counts, methods)
def test_adding_a_detractor_never_raises_nps(c, method):
    before = nps(answers(*c), method=method)
    after = nps([*answers(*c), 0], method=method)
    assert after.score <= before.score


@given(counts, st.floats(0.5, 0.999))
def test_wald_interval_contains_the_score(c, confidence):
    result = nps(answers(*c), confidence=confidence)
    assert result.low - 1e-9 <= result.score <= result.high + 1e-9


@given(counts.filter(lambda c: sum(c) >= 2))
def test_adjusted_interval_contains_the_score_at_95(c):
    # Centred on the shrunk estimate, it can miss the raw score for n = 1 (or
    # at low confidence); from n = 2 at 95 % it always contains it (checked
    # exhaustively up to n = 300 while writing this test).
    result = nps(answers(*c), method="adjusted_wald")
    assert result.low - 1e-9 <= result.score <= result.high + 1e-9


def test_adjusted_interval_can_miss_the_score_for_one_answer():
    result = nps([10], method="adjusted_wald")
    assert result.high < result.score


@given(
    st.tuples(st.integers(0, 10), st.integers(0, 10), st.integers(0, 10)).filter(
        lambda c: sum(c) > 0
    ),
    st.integers(2, 20),
    methods,
)
def test_interval_narrows_as_n_grows_with_fixed_shares(c, k, method):
    small = nps(answers(*c), method=method)
    large = nps(answers(*(k * x for x in c)), method=method)
    assert large.score == small.score
    assert large.high - large.low <= small.high - small.low + 1e-9


# ------------------------------------------------------------------- CSAT, CES


class TestCsat:
    def test_top_two_box_and_mean(self):
        result = csat([5, 4, 4, 3, 1])
        assert result.score == 60
        assert result.satisfied == 3
        assert result.mean == Fraction(17, 5)
        assert (result.scale, result.top) == ((1, 5), 2)

    def test_top_one_box_on_a_seven_point_scale(self):
        result = csat([7, 6, 2, 7], scale=(1, 7), top=1)
        assert result.score == 50
        assert result.mean == Fraction(22, 4)

    def test_feedback_skips_other_kinds(self):
        result = csat([fb("c", kind="csat", rating=4), fb("n", kind="nps", rating=4)])
        assert result.score == 100
        assert (result.n, result.skipped) == (1, ("n",))

    def test_off_scale_answers_all_named(self):
        with pytest.raises(
            InvalidInputError, match=r"\[1\] = 0, scores_or_feedback\[2\] = 6"
        ):
            csat([5, 0, 6])

    @pytest.mark.parametrize("top", [0, 6, 1.5, True])
    def test_bad_top(self, top):
        with pytest.raises(InvalidInputError, match="top"):
            csat([5], top=top)

    @pytest.mark.parametrize("scale", [(5, 1), (1,), (1, 5.5), "15"])
    def test_bad_scale(self, scale):
        with pytest.raises(InvalidInputError, match="scale"):
            csat([5], scale=scale)

    def test_empty_is_an_error(self):
        with pytest.raises(InvalidInputError):
            csat([])

    def test_repr_and_records(self):
        result = csat([5, 4, 3, 2, 4])
        assert repr(result) == "Csat(60.0% top-2 box, n=5, mean 3.6 on 1-5)"
        assert result.to_records() == [
            {
                "csat": 60.0,
                "satisfied": 3,
                "n": 5,
                "mean": 3.6,
                "scale_low": 1,
                "scale_high": 5,
                "top": 2,
                "skipped": 0,
            }
        ]

    def test_demo_workspace(self):
        result = csat(load_demo().feedback)
        # 34 csat answers, 15 fours and 9 fives.
        assert (result.n, result.satisfied) == (34, 24)
        assert isinstance(result, Csat)


class TestCes:
    def test_ces2_mean_higher_is_better(self):
        result = ces([7, 6, 5, 6])
        assert result.score == 6
        assert (result.version, result.scale, result.higher_is_better) == (
            2,
            (1, 7),
            True,
        )

    def test_ces1_is_lower_is_better_on_five_points(self):
        result = ces([1, 2, 2], version=1)
        assert result.score == Fraction(5, 3)
        assert (result.scale, result.higher_is_better) == ((1, 5), False)
        assert "lower is better" in repr(result)

    def test_ces1_rejects_seven(self):
        with pytest.raises(InvalidInputError, match=r"\[0\] = 7"):
            ces([7], version=1)

    def test_feedback_counts_ces_kind(self):
        result = ces([fb("e", kind="ces", rating=6), fb("x")])
        assert (result.n, result.skipped) == (1, ("x",))
        assert isinstance(result, Ces)
        assert result.to_records()[0]["ces"] == 6.0

    @pytest.mark.parametrize("version", [0, 3, True])
    def test_bad_version(self, version):
        with pytest.raises(InvalidInputError, match="version"):
            ces([5], version=version)

    def test_empty_is_an_error(self):
        with pytest.raises(InvalidInputError):
            ces([])


# ---------------------------------------------------------------------- themes

THEMED = [
    fb("a", day=0, tags=("sso", "pricing"), account="acme", account_value=100),
    fb("b", day=1, tags=("sso",), account="zed", account_value=300),
    fb("c", day=2, account="acme", account_value=100),
    fb("d", day=10, tags=("pricing",), account="yak", account_value=50),
    fb("e", day=11, tags=("pricing", "pricing")),
]
START, END = T0 + timedelta(days=10), T0 + timedelta(days=20)
BEFORE = (T0, T0 + timedelta(days=10))


def rows(result: Themes) -> dict[str | None, tuple[int, float]]:
    return {r.theme: (r.count, r.share) for r in result.rows}


class TestThemes:
    def test_multi_tag_counts_in_each_and_untagged_counted(self):
        result = themes(THEMED)
        assert rows(result) == {
            "pricing": (3, 3 / 5),
            "sso": (2, 2 / 5),
            None: (1, 1 / 5),
        }
        assert result.total == 5
        assert result.untagged.theme is None
        assert result.rows[-1].theme is None

    def test_window_is_half_open(self):
        result = themes(THEMED, start=START, end=END)
        assert rows(result) == {"pricing": (2, 1.0), None: (0, 0.0)}
        assert (result.total, result.outside) == (2, 3)
        # the end is excluded: "d" at day 10 is not before day 10
        assert themes(THEMED, end=T0 + timedelta(days=10)).total == 3

    def test_weighted_by_account_value(self):
        result = themes(THEMED, weight="account_value")
        by = {r.theme: r for r in result.rows}
        assert result.total_weight == 550
        assert by["sso"].weight == 400
        assert by["sso"].share == pytest.approx(400 / 550)
        assert by["pricing"].weight == 150
        assert result.missing_weight == ("e",)
        assert result.rows[0].theme == "sso"

    def test_compare_to_gives_change_in_share(self):
        result = themes(THEMED, start=START, end=END, compare_to=BEFORE)
        by = {r.theme: r for r in result.rows}
        # before: a, b, c -> pricing 1/3, sso 2/3, untagged 1/3
        assert by["pricing"].previous_count == 1
        assert by["pricing"].change == pytest.approx(1 - 1 / 3)
        assert by["sso"].change == pytest.approx(0 - 2 / 3)
        assert by[None].previous_share == pytest.approx(1 / 3)
        assert (result.previous_total, result.outside) == (3, 0)

    def test_by_initiative(self):
        items = [fb("a", initiatives=("I-1",)), fb("b")]
        result = themes(items, by="initiative")
        assert rows(result) == {"I-1": (1, 0.5), None: (1, 0.5)}

    def test_naive_start_is_named(self):
        with pytest.raises(InvalidInputError, match=r"^start: .* naive"):
            themes(THEMED, start=datetime(2024, 1, 1))

    def test_naive_compare_to_is_named(self):
        with pytest.raises(InvalidInputError, match=r"compare_to\[1\]"):
            themes(THEMED, compare_to=(T0, datetime(2024, 2, 1)))

    def test_end_before_start(self):
        with pytest.raises(InvalidInputError, match="before start"):
            themes(THEMED, start=T0, end=T0 - timedelta(days=1))

    @pytest.mark.parametrize(
        "options",
        [{"by": "kind"}, {"weight": "count"}, {"compare_to": (T0,)}],
    )
    def test_bad_options(self, options):
        with pytest.raises(InvalidInputError):
            themes(THEMED, **options)

    def test_empty_window_gives_zero_shares(self):
        result = themes(THEMED, start=T0 + timedelta(days=100))
        assert result.total == 0
        assert all(r.share == 0 for r in result.rows)

    def test_records(self):
        record = themes(THEMED).to_records()[0]
        assert record == {
            "theme": "pricing",
            "count": 3,
            "weight": None,
            "share": 0.6,
            "previous_count": None,
            "previous_weight": None,
            "previous_share": None,
            "change": None,
        }

    def test_demo_counts_every_tag(self):
        ws = load_demo()
        result = themes(ws.feedback)
        total_tags = sum(len(set(f.tags)) for f in ws.feedback)
        assert sum(r.count for r in result.rows) == total_tags + result.untagged.count
        assert result.rows[0].theme == "enterprise"


# ---------------------------------------------------------------------- demand

PLANS = [
    Initiative(key="SSO", title="Single sign-on", feedback=("f4", "ghost")),
    Initiative(key="DARK", title="Dark mode"),
]
ASKS = [
    fb("f1", account="acme", account_value=50_000, initiatives=("SSO",)),
    fb("f2", account="acme", account_value=60_000, initiatives=("SSO", "SSO")),
    fb("f3", account="zed", account_value=5_000, initiatives=("SSO", "API")),
    fb("f4", account="acme"),
    fb("f5", account_value=1_000, initiatives=("SSO",)),
]


class TestDemand:
    def test_each_account_counted_once_with_its_largest_value(self):
        result = demand(ASKS, PLANS)
        sso = result.rows[0]
        assert sso.feedback == ("f1", "f2", "f3", "f4", "f5")
        assert sso.accounts == ("acme", "zed")
        # acme max(50k, 60k, none) + zed 5k + f5 (no account) 1k
        assert sso.value == 66_000

    def test_without_dedupe_every_item_adds_its_value(self):
        result = demand(ASKS, PLANS, dedupe=None)
        assert result.rows[0].value == 116_000

    def test_unweighted_has_no_value(self):
        result = demand(ASKS, PLANS, weight=None)
        assert result.rows[0].value is None
        assert result.missing_value == ()

    def test_initiatives_nobody_asked_for_have_zeros(self):
        dark = demand(ASKS, PLANS).rows[1]
        assert (dark.initiative, dark.count, dark.accounts, dark.value) == (
            "DARK",
            0,
            (),
            0.0,
        )

    def test_unknown_links_listed_both_ways(self):
        result = demand(ASKS, PLANS)
        assert result.unknown == (("f3", "API"),)
        assert result.unknown_feedback == (("SSO", "ghost"),)
        assert result.no_account == ("f5",)
        assert result.missing_value == ("f4",)

    def test_duplicate_keys_all_named(self):
        with pytest.raises(InvalidInputError) as err:
            demand([*ASKS, ASKS[0], ASKS[1]], [*PLANS, PLANS[1]])
        text = str(err.value)
        assert "'f1', 'f2'" in text
        assert "initiatives: duplicate keys 'DARK'" in text

    @pytest.mark.parametrize("options", [{"weight": "arr"}, {"dedupe": "customer"}])
    def test_bad_options(self, options):
        with pytest.raises(InvalidInputError):
            demand(ASKS, PLANS, **options)

    def test_ranked_and_records(self):
        result = demand(ASKS, PLANS)
        assert [r.initiative for r in result.ranked()] == ["SSO", "DARK"]
        assert result.to_records()[0] == {
            "initiative": "SSO",
            "title": "Single sign-on",
            "feedback": 5,
            "accounts": 2,
            "value": 66_000,
            "feedback_keys": ["f1", "f2", "f3", "f4", "f5"],
        }
        assert repr(result) == "Demand(2 initiatives, 1 with feedback, 1 unknown links)"

    def test_demo_workspace(self):
        ws = load_demo()
        result = demand(ws.feedback, ws.initiatives)
        assert isinstance(result, Demand)
        assert len(result.rows) == 40
        linked = sum(len(f.initiatives) for f in ws.feedback)
        assert sum(r.count for r in result.rows) == linked
        for row in result.rows:
            assert len(row.accounts) <= row.count
