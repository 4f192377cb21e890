"""Law cases for BOCES aid (SPEC §5; Educ. Law §1950(5), §3602(3)(f)), with the arithmetic in comments.

Ratios are integer thousandths, tax rates tenths of a mill, expenses and aid whole dollars.
"""
from __future__ import annotations

from fractions import Fraction

import pandas as pd
import pytest

from apportion.law.aid import expenses, lines, ratios

S = lambda *values: pd.Series(list(values), dtype="int64")  # noqa: E731


def test_published_wealth_quotients_truncate_to_dollars():
    # Brewster 2022-23: 2019 AV 3,231,528,486 / RWADA 3,230 = 1,000,473.22 → 1,000,473 (published)
    # the same AV / 3,109 enrolled = 1,039,410.90 → 1,039,410 (published: truncation, not rounding)
    # Cazenovia 2023-24: 1,064,191,621 / 1,366 = 779,056.82 → 779,056
    av = S(3_231_528_486_00, 3_231_528_486_00, 1_064_191_621_00)
    pupils = S(3_230_000_000, 3_109_000_000, 1_366_000_000)  # millionths
    assert ratios.av_per_rwada(av, pupils).tolist() == [1_000_473, 1_039_410, 779_056]


def test_tax_rate_rounds_half_up_to_a_tenth():
    # 1000 × 1,625 / 100,000 = 16.25 mills exactly → 16.3 (half up, not to even)
    # 1000 × 1,624.99 / 100,000 = 16.2499 → 16.2
    assert ratios.tax_rate_tenths(S(162_500, 162_499), S(0, 0), S(10_000_000, 10_000_000)).tolist() == [163, 162]


def test_pilots_count_in_the_tax_rate():
    # (levy 1,000 + PILOTs 250) / AV 100,000 × 1000 = 12.5 mills
    assert ratios.tax_rate_tenths(S(100_000), S(25_000), S(10_000_000)).tolist() == [125]


def test_millage_ratio_exact_boundary_and_low_rates():
    # 8 / 20.0 = 0.400 exactly → 1 − 0.400 = 0.600 (a float quotient 0.39999… must not give 0.601)
    # 8 / 18.6 = 0.43010… → 0.430 → 0.570
    # CHSD: 3 / 12.4 = 0.24193… → 0.241 → 0.759
    # under 8 mills: 8 / 7.5 = 1.0666… → 1.066 → −0.066 → floored at 0
    # tax rate 0 → 0
    ratio = ratios.millage_ratio(S(200, 186, 124, 75, 0), S(8, 8, 3, 8, 8))
    assert ratio.tolist() == [600, 570, 759, 0, 0]


def test_wealth_ratio_exactly_on_a_three_decimal_boundary():
    # AV per RWADA 446,211 / 1,037,700 = 0.430000… exactly 0.43 → 0.430, never 0.429
    # 446,210 / 1,037,700 = 0.42999… → 0.429
    assert ratios.wealth_ratio(S(446_211, 446_210), 1_037_700_00).tolist() == [430, 429]


def test_rwada_ratio_truncates_the_product_then_subtracts():
    # WR 0.774: 0.51 × 0.774 = 0.39474 → 0.394 → 1 − 0.394 = 0.606 (trunc3(1 − 0.39474) would be 0.605)
    # WR 3.004: 0.51 × 3.004 = 1.53204 → 1.532 → −0.532 → 0
    # WR 0.180: 0.51 × 0.180 = 0.0918 → 0.091 → 0.909
    assert ratios.rwada_ratio(S(774, 3004, 180), Fraction(51, 100)).tolist() == [606, 0, 909]


@pytest.mark.parametrize("millage, rwada, expected, source", [
    (570, 386, 570, "millage"),   # millage wins
    (386, 570, 570, "rwada"),     # RWADA ratio wins
    (100, 0, 360, "floor"),       # both under 0.360 → floor
    (0, 909, 900, "cap"),         # over 0.900 → cap
    (360, 300, 360, "millage"),   # exactly at the floor: not "floor"
    (500, 500, 500, "millage"),   # tie → millage
])
def test_sharing_ratio_floor_cap_and_source(millage, rwada, expected, source):
    m, r = S(millage), S(rwada)
    assert ratios.sharing_ratio(m, r, 360, 900).tolist() == [expected]
    assert ratios.ratio_source(m, r, 360, 900).tolist() == [source]


def test_capital_ratio_has_no_floor():
    # RWADA ratio 0.018 → capital ratio 0.018 (ELLICOTTVILLE on the 2024-25 run); 0.910 → 0.900
    assert ratios.capital_ratio(S(18, 910), 900).tolist() == [18, 900]


def test_aid_lines_half_up_and_rent_truncates():
    # 1,001 × 0.500 = 500.5 → 501 (half up);  rent: floor(500.5) = 500
    # 29,233 × 0.531 = 15,522.723 → 15,523 half up, but rent aid floors to 15,522
    assert lines.aid_half_up(S(1001, 29_233), S(500, 531)).tolist() == [501, 15_523]
    assert lines.aid_truncated(S(1001, 29_233), S(500, 531)).tolist() == [500, 15_522]


def test_admin_factor_salary_limit_then_ten_percent():
    def factor(budget, over, total):
        return expenses.admin_factor(budget, expenses.approved_admin_cost(budget, over, expenses.expense_limit(total, Fraction(1, 10))))
    # budget 1,200,000, salaries over limit 50,000, total expenses 10,000,000:
    # min(1,150,000, 1,000,000) = 1,000,000 → factor 1,000,000 / 1,200,000 = 5/6
    assert expenses.expense_limit(10_000_000_00, Fraction(1, 10)) == 1_000_000_00
    assert expenses.approved_admin_cost(1_200_000_00, 50_000_00, Fraction(1_000_000_00)) == 1_000_000_00
    assert factor(1_200_000_00, 50_000_00, 10_000_000_00) == Fraction(5, 6)
    # under the limit: min(1,150,000, 2,000,000) → 1,150,000 / 1,200,000
    assert factor(1_200_000_00, 50_000_00, 20_000_000_00) == Fraction(23, 24)
    assert factor(0, 0, 5) == 0


def test_total_expenses_are_admin_services_and_shared_pd():
    # 900,000.00 admin + (300,000.00 + a blank budget) services + 12,000.00 shared PD = 1,212,000.00
    assert expenses.total_expenses(900_000_00, pd.Series([300_000_00, pd.NA], dtype="Int64"),
                              pd.Series([12_000_00], dtype="Int64")) == 1_212_000_00


def test_sum_of_fractions_rounds_exactly_at_half_a_dollar():
    # 0.25 + 0.25 dollars from two terms with different denominators = 0.50 exactly → 1 (half up)
    # 1 cent × 1/3 + 1 cent × 1/6 = 0.5 cent → 0 dollars
    keys = pd.Series(["a", "a", "b", "b"])
    cents = S(75, 25, 1, 1)
    num = S(1, 1, 1, 1)
    den = S(3, 1, 3, 6)
    out = expenses.sum_half_up_dollars(keys, cents, num, den, pd.Index(["a", "b", "c"]))
    # a: 75/3 + 25 = 50 cents = $0.50 → $1;  b: 1/3 + 1/6 cent → $0;  c: nothing → 0
    assert out.tolist() == [1, 0, 0]


def test_sum_of_fractions_rounds_exactly_when_thirds_make_half_dollars():
    # 150 cents × 1/3 three times... with different denominators: 50/3 + 50/3 + 50/3 cents... = $0.50 → 1
    keys = pd.Series(["x", "x", "x"])
    out = expenses.sum_half_up_dollars(keys, S(50, 100, 150), S(1, 1, 1), S(3, 6, 9), pd.Index(["x"]))
    assert out.tolist() == [1]  # 16.666… + 16.666… + 16.666… = 50 cents exactly
