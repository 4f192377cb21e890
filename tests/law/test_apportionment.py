"""apportion.law.apportionment: each method's basis and the shares of a pool, settled to the cent
(Educ. Law §1950(4)(b)(7)(i)-(ii); rules §1-§2), with the arithmetic in comments."""
from __future__ import annotations

from fractions import Fraction

import pandas as pd
import pytest

from apportion.law import apportionment as ap
from apportion.money import split_one

RWADA = pd.Series({"A": 3_230_400_000, "B": 1_395_000_000, "C": 2_000_500_000, "D": 812_250_000})  # millionths
M = 10**6


def components(**columns) -> pd.DataFrame:
    """Components A, B, C with the Districts columns a basis is built from (nullable, as validated)."""
    frame = pd.DataFrame({"type": ["component", "special act", "component"], "full_value": [None] * 3,
                          "rwada": [None] * 3, "enrollment": [None] * 3}, index=["A", "B", "C"])
    for name, values in columns.items():
        frame[name] = values
    return frame.astype({"full_value": "Int64", "rwada": "Int64", "enrollment": "Int64"})


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


def test_true_value_basis_with_a_special_act_district_and_its_shares():
    # full value A $600,000,000, C $300,000,000; B (special act) RWADA 100 × state average $1,000,000 = $100,000,000
    # Σ $1,000,000,000: pool $123,456.78 → A 60 % = 7,407,406.8, B 10 % = 1,234,567.8, C 30 % = 3,703,703.4 cents
    # floors 7,407,406 + 1,234,567 + 3,703,703 = 12,345,676 → 2 cents left → A and B (remainders .8 each)
    comps = components(full_value=[600_000_000_00, None, 300_000_000_00], rwada=[5_000 * M, 100 * M, 3_000 * M])
    b = ap.basis("true value", comps, 1_000_000_00, None)
    assert (b.scale, b.total) == (100 * M, 1_000_000_000_00 * M)
    assert b.weight.to_dict() == {"A": 600_000_000_00 * M, "B": 100_000_000_00 * M, "C": 300_000_000_00 * M}
    assert ap.apportion(123_456_78, b, "largest remainder").to_dict() == {"A": 7_407_407, "B": 1_234_568, "C": 3_703_703}
    # half up: 7,407,407 + 1,234,568 + 3,703,703 = 12,345,678, already the pool: nothing to settle
    assert ap.apportion(123_456_78, b, "half up").to_dict() == {"A": 7_407_407, "B": 1_234_568, "C": 3_703_703}
    # one cent less: 7,407,406.2 / 1,234,567.7 / 3,703,703.1 → floors leave 1 cent → B, the largest remainder (.7)
    assert ap.apportion(123_456_77, b, "largest remainder").to_dict() == {"A": 7_407_406, "B": 1_234_568, "C": 3_703_703}


def test_wada_and_enrollment_bases_weigh_pupils():
    # WADA: RWADA 1,000 / 600 / 400 (Σ 2,000); $1,000.00 → 500.00 / 300.00 / 200.00 exactly
    comps = components(rwada=[1_000 * M, 600 * M, 400 * M], enrollment=[0, 1 * M, 1 * M])
    wada = ap.basis("WADA", comps, 1, None)
    assert (wada.scale, wada.total) == (M, 2_000 * M)
    assert ap.apportion(1_000_00, wada, "largest remainder").to_dict() == {"A": 500_00, "B": 300_00, "C": 200_00}
    # enrollment with a district of 0 pupils: it pays nothing; $1.00 by 1 : 1 → 0.50 / 0.50
    enrollment = ap.basis("enrollment", comps, 1, None)
    assert ap.apportion(1_00, enrollment, "largest remainder").to_dict() == {"A": 0, "B": 50, "C": 50}


def test_blend_weights_are_exact_and_mix_the_shares():
    # t = 60 % true value: TV shares 1/4, 3/4 and WADA shares 3/4, 1/4 → 0.6 × 1/4 + 0.4 × 3/4 = 0.45 and 0.55
    # integers a·TVᵢ·ΣWADA + (d−a)·WADAᵢ·ΣTV with a/d = 3/5: A 3·1·4 + 2·3·4 = 36, B 3·3·4 + 2·1·4 = 44
    tv, wada = pd.Series({"A": 1, "B": 3}, dtype=object), pd.Series({"A": 3, "B": 1}, dtype=object)
    assert ap.blend_basis(tv, wada, Fraction(60)).to_dict() == {"A": 36, "B": 44}
    # 50 %: 1·1·4 + 1·3·4 = 16 each — the two methods' shares cancel out
    assert ap.blend_basis(tv, wada, Fraction(50)).to_dict() == {"A": 16, "B": 16}


def test_blend_basis_is_shown_in_millionths_of_the_pool():
    # full value $100 / $300 (special act B's true value from RWADA 3 × $100), RWADA 3 / 3 / 1; t = 50 %:
    # TV shares 100/500, 300/500, 100/500 = 0.2, 0.6, 0.2; WADA 3/7, 3/7, 1/7
    # blend A = 0.1 + 3/14 = 0.3142857… → 314,286 millionths; B = 0.3 + 3/14 = 0.5142857… → 514,286; C 0.1 + 1/14 → 171,429
    comps = components(full_value=[100_00, None, 100_00], rwada=[3 * M, 3 * M, 1 * M])
    b = ap.basis("blend", comps, 100_00, Fraction(50))
    assert b.scale == M and b.shown.to_dict() == {"A": 314_286, "B": 514_286, "C": 171_429}


def test_share_percent_settles_thirds_to_exactly_one_hundred():
    # three equal weights: 33.33333… % each; 1,000,000 ten-thousandths of a percent floor to 333,333 × 3 = 999,999
    # the leftover one goes by the tie rule (equal remainders and weights → the lowest code, A): 33.3334 %
    assert ap.SHARE_UNITS == 100 * 10**4  # 100 % in ten-thousandths of a percent
    b = ap.basis("WADA", components(rwada=[1 * M, 1 * M, 1 * M]), 1, None)
    assert b.share_percent().to_dict() == {"A": 33.3334, "B": 33.3333, "C": 33.3333}


def test_share_percent_of_a_zero_basis_is_zero():
    # a basis totalling 0 (validation refuses it for the method in force; the method comparison may meet one)
    b = ap.basis("enrollment", components(enrollment=[0, 0, 0]), 1, None)
    assert b.total == 0 and b.share_percent().tolist() == [0.0, 0.0, 0.0]


def test_method_columns_name_the_basis_of_each_method():
    # §1950(4)(b)(7)(i): true value by full value, WADA by RWADA, enrollment by enrollment, a blend by both
    assert ap.METHOD_COLUMNS == {"true value": ("full_value",), "WADA": ("rwada",), "enrollment": ("enrollment",),
                                 "blend": ("full_value", "rwada")}


def test_true_value_basis_takes_a_special_act_districts_from_rwada():
    # a special act district's full value = RWADA 50 × state average $1,037,700 = $51,885,000
    basis = ap.true_value_basis(pd.Series([500_000_000_00, pd.NA], dtype="Int64"),
                                pd.Series([1000_000_000, 50_000_000], dtype="Int64"),
                                pd.Series([False, True]), 1_037_700_00)
    assert [int(x) for x in basis] == [500_000_000_00 * 10**6, 51_885_000_00 * 10**6]


def test_method_shares_show_each_method_every_component_gives():
    # $1,000.00 among A, B (special act), C; full value A $600, C $300, B's true value RWADA 1 × $100 = $100:
    # true value 600 / 100 / 300 (Σ 1,000) → 600.00 / 100.00 / 300.00; WADA 5 : 1 : 4 → 500.00 / 100.00 / 400.00;
    # enrollment is blank for B, so that method is not shown (ap.METHODS lists the three any BOCES may use)
    assert ap.METHODS == ("true value", "WADA", "enrollment")
    comps = components(full_value=[600_00, None, 300_00], rwada=[5 * M, 1 * M, 4 * M], enrollment=[1 * M, None, 1 * M])
    shares = ap.method_shares(1_000_00, comps, 100_00, "largest remainder", None)
    assert shares.to_dict("list") == {"true value": [600_00, 100_00, 300_00], "WADA": [500_00, 100_00, 400_00]}
    # a 50/50 blend: TV shares .6/.1/.3 and WADA .5/.1/.4 → .55/.1/.35 → 550.00 / 100.00 / 350.00
    blended = ap.method_shares(1_000_00, comps, 100_00, "largest remainder", Fraction(50))
    assert blended["blend"].tolist() == [550_00, 100_00, 350_00]


def test_method_shares_leave_out_a_basis_totalling_zero():
    # every enrollment 0: no enrollment column (its shares could not be made); WADA 1 : 1 : 2 → 25.00 / 25.00 / 50.00
    comps = components(rwada=[1 * M, 1 * M, 2 * M], enrollment=[0, 0, 0])
    assert ap.method_shares(100_00, comps, 1, "largest remainder", None).to_dict("list") == {"WADA": [25_00, 25_00, 50_00]}


def test_share_differences_are_each_method_less_the_one_in_force():
    # WADA in force: true value − WADA = 600 − 500 = +100.00 (A pays more), 100 − 100 = 0, 300 − 400 = −100.00
    shares = pd.DataFrame({"true value": [600_00, 100_00, 300_00], "WADA": [500_00, 100_00, 400_00]}, index=list("ABC"))
    assert ap.share_differences(shares, "WADA").to_dict("list") == {"true value": [100_00, 0, -100_00]}


def test_the_administrative_surplus_is_credited_by_the_shares():
    # $150.01 returned by RWADA 1 : 1 : 1 → 50.003… each: floors 50.00 × 3 = 150.00, the cent left to A (tie → lowest
    # code); credits are negative. An assessment of $30.00 (negative surplus) is charged: +10.00 each
    b = ap.basis("WADA", components(rwada=[1 * M, 1 * M, 1 * M]), 1, None)
    assert ap.surplus_credits(150_01, b, "largest remainder").to_dict() == {"A": -50_01, "B": -50_00, "C": -50_00}
    assert ap.surplus_credits(-30_00, b, "largest remainder").to_dict() == {"A": 10_00, "B": 10_00, "C": 10_00}
