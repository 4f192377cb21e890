"""Law cases for pools and apportionment (SPEC §1-§2; Educ. Law §1950(4)(b)(7)), exact to the cent."""
from __future__ import annotations

from fractions import Fraction

import pandas as pd
import pytest

from apportion.law import apportionment as ap
from apportion.law import pools
from apportion.money import split_one

RWADA = pd.Series({"A": 3_230_400_000, "B": 1_395_000_000, "C": 2_000_500_000, "D": 812_250_000})  # millionths


def test_wada_shares_sum_to_the_pool():
    # pool $1,234,567.89 by RWADA 3,230.40 / 1,395.00 / 2,000.50 / 812.25 (Σ 7,438.15)
    # exact cents: 53,617,473.590 / 23,153,905.293 / 33,203,862.035 / 13,481,548.082
    # floors sum to 123,456,788 → 1 cent left → the largest remainder (A, .590) gets it
    shares = split_one(123_456_789, RWADA)
    assert shares.to_dict() == {"A": 53_617_474, "B": 23_153_905, "C": 33_203_862, "D": 13_481_548}
    assert shares.sum() == 123_456_789


def test_putnam_blend_largest_remainder_fixes_the_last_cent():
    # domain research §6.3: 50/50 blend; half-up rounding of each share would be one cent over the pool.
    tv = pd.Series({"A": 3_231_528_486, "B": 1_064_191_621, "C": 2_500_000_000, "D": 900_000_000}, dtype=object)
    weight = ap.blend_basis(tv * 100, RWADA.astype(object), Fraction(50))
    lr = split_one(123_456_789, weight)
    assert lr.to_dict() == {"A": 52_729_257, "B": 20_112_975, "C": 36_654_763, "D": 13_959_794}
    # half up: 527,292.57 + 201,129.75 + 366,547.64 + 139,597.94 = one cent over → taken from the largest payer A
    hu = split_one(123_456_789, weight, rounding="half up")
    assert hu.to_dict() == {"A": 52_729_256, "B": 20_112_975, "C": 36_654_764, "D": 13_959_794}
    assert lr.sum() == hu.sum() == 123_456_789


def test_tie_goes_to_larger_weight_then_lower_code():
    # 2 cents by weights 1 and 3: exact 0.5 and 1.5 → floors 0 and 1, remainders tie at .5 → larger weight (y)
    assert split_one(2, pd.Series({"x": 1, "y": 3})).to_dict() == {"x": 0, "y": 2}
    # $1.00 by three equal weights: 33.33 each, one cent left → lowest code, whatever the row order
    assert split_one(100, pd.Series({"c": 1, "a": 1, "b": 1})).to_dict() == {"c": 33, "a": 34, "b": 33}


def test_negative_amount_split_as_absolute_and_negated():
    # an assessment of −$1.00 over three equal districts: −0.34 / −0.33 / −0.33
    assert split_one(-100, pd.Series({"a": 1, "b": 1, "c": 1})).to_dict() == {"a": -34, "b": -33, "c": -33}


def test_half_up_ties_for_largest_payer_follow_the_tie_rule():
    # $1.00 over three equal weights, half up: 0.33 each = 0.99; the cent goes to the tied largest payer
    # with the larger weight (all equal) then the lowest code: a
    assert split_one(100, pd.Series({"b": 1, "a": 1, "c": 1}), rounding="half up").to_dict() == \
        {"b": 33, "a": 34, "c": 33}


def test_special_act_true_value_from_rwada():
    # a special act district's full value = RWADA 50 × state average $1,037,700 = $51,885,000
    basis = ap.true_value_basis(pd.Series([500_000_000_00, pd.NA], dtype="Int64"),
                                pd.Series([1000_000_000, 50_000_000], dtype="Int64"),
                                pd.Series([False, True]), 1_037_700_00)
    assert [int(x) for x in basis] == [500_000_000_00 * 10**6, 51_885_000_00 * 10**6]


def test_vote_tie_fails_and_contingency_caps_the_budget():
    vote = pools.budget_vote(pd.Series(["yes", "no", "yes", "no", None]))
    assert (vote.yes, vote.no, vote.adopted) == (2, 2, False)
    cap = pools.contingency_cap(900_000_00, 15_000_00)  # prior 900,000 + excluded retirement increases 15,000
    assert pools.admin_budget_used(1_000_000_00, vote, cap) == 915_000_00
    assert pools.admin_budget_used(900_000_00, vote, cap) == 900_000_00  # proposed already under the cap


def test_no_vote_recorded_uses_the_proposed_budget():
    vote = pools.budget_vote(pd.Series([None, None], dtype=object))
    assert not vote.recorded and vote.adopted
    assert pools.admin_budget_used(1_000_00, vote, None) == 1_000_00


def test_pool_deducts_state_aid_and_other_revenue():
    assert pools.pool(1_000_000_00, 50_000_00, 100_000_00) == 850_000_00


@pytest.mark.parametrize("pct, scheduled, lawful", [(50, 50, True), (Fraction(1, 2) * 100, 50, True), (60, 50, False)])
def test_putnam_schedule(pct, scheduled, lawful):
    assert ap.putnam_nw_lawful(Fraction(pct), Fraction(scheduled)) is lawful


def test_share_percent_exact_for_huge_true_values():
    # true value weights are cents × 10⁶: $60 billion of full value passes 2⁶³ (regression: int64 overflow)
    weight = pd.Series({"A": 40_000_000_000_00 * 10**6, "B": 20_000_000_000_00 * 10**6}, dtype=object)
    basis = ap.Basis("true value", weight, weight, 100 * 10**6)
    # to four decimals, settled so the column sums to 100.0000: 666,666.67 and 333,333.33 ten-thousandths of a
    # percent floor to 666,666 + 333,333 = 999,999; the odd one goes to the larger remainder (A's .67)
    assert basis.share_percent().to_dict() == {"A": 66.6667, "B": 33.3333}
