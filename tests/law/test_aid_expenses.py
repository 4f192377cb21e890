"""apportion.law.aid.expenses: total expenses and the 10 % limit, the salary limit, approved expenses in whole
dollars (Educ. Law §1950(5)(b),(g); rules §5), with the arithmetic in comments."""
from __future__ import annotations

from fractions import Fraction

import pandas as pd

from apportion.law.aid import expenses

S = lambda *values: pd.Series(list(values), dtype="int64")  # noqa: E731


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


def test_expense_limit_is_exact_cents_not_rounded():
    # 10 % of 1,382,000.05 = 138,200.005 exactly: kept as a fraction of a cent, rounded nowhere
    assert expenses.expense_limit(1_382_000_05, Fraction(1, 10)) == Fraction(13_820_000_5, 10)


def test_approved_admin_cost_floors_at_zero_when_salaries_exceed_the_budget():
    # budget 40,000 − salaries over the limit 50,000 = −10,000 → 0 approved, whatever the 10 % limit
    assert expenses.approved_admin_cost(40_000_00, 50_000_00, Fraction(1_000_000_00)) == 0


def test_each_districts_approved_share_in_dollars_half_up():
    # factor 5/6: 600.00 × 5/6 = 500.00 → 500; 100.00 × 5/6 = 83.33 → 83; 0.60 × 5/6 = 0.50 → 1 (half up)
    # factor 1: 1,234.49 → 1,234; 1,234.50 → 1,235; a credit of −0.50 → −1 (half away from zero)
    shares = pd.Series([600_00, 100_00, 60], index=["A", "B", "C"])
    assert expenses.dollars_half_up(shares, Fraction(5, 6)).to_dict() == {"A": 500, "B": 83, "C": 1}
    assert expenses.dollars_half_up(S(1_234_49, 1_234_50, -50)).tolist() == [1_234, 1_235, -1]


def test_claims_are_whole_dollars():
    # validation refuses cents on a claim, so the cents are dividing evenly: 1,234.00 → 1,234; 0 → 0
    assert expenses.claimed_dollars(S(1_234_00, 0)).tolist() == [1_234, 0]


def test_approved_services_sum_every_aidable_part_before_rounding():
    # Alpha: CoSer 51,428.57 × 55,000/90,000 = 31,428.571… + 105,000.00 × 185,000/200,000 = 97,125
    #        + PD 8,400.00 × 10,000/12,000 = 7,000 → 135,553.571… → 135,554 (rounded once, not per part)
    # Beta:  25,714.29 × 55,000/90,000 = 15,714.2883… + 3,600.00 × 10,000/12,000 = 3,000 → 18,714.29 → 18,714
    # Gamma: nothing aidable (a transportation service, numerator 0) → 0
    keys = pd.Series(["A", "A", "A", "B", "B", "G"])
    cents = S(51_428_57, 105_000_00, 8_400_00, 25_714_29, 3_600_00, 5_000_00)
    num = S(55_000_00, 185_000_00, 10_000_00, 55_000_00, 10_000_00, 0)
    den = S(90_000_00, 200_000_00, 12_000_00, 90_000_00, 12_000_00, 100_000_00)
    out = expenses.sum_half_up_dollars(keys, cents, num, den, pd.Index(["A", "B", "G"]))
    assert out.to_dict() == {"A": 135_554, "B": 18_714, "G": 0}
