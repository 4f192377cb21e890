"""apportion.law.coser: basis units, uniform unit costs, charges, the SWD true-up, surpluses, the three-quarters
approval and the aidable fraction (Educ. Law §1950(4)(d)(3)-(5), (f), §1950(5)(b),(q); rules §3), exact to the cent.

Units are millionths (1 pupil = 1,000,000), money cents; the rows are one BOCES's participation.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from apportion.law import coser

M = 10**6
A, B, C, X = "010100010000", "010200010000", "010300010000", "019900010000"  # X: a non-component


def services(**columns) -> pd.DataFrame:
    frame = pd.DataFrame({"basis": ["anticipated", "2-year average", "3-year average", "current"]},
                         index=pd.Index(["S1", "S2", "S3", "S4"], name="service_code"))
    return frame.assign(**columns)


def rows() -> pd.DataFrame:
    """S1 anticipated 2 / 1 / 0.5; S2 2-year (4+6) / (3+2) / (1+1); S3 3-year 11 and 5 over one year; S4 current 7."""
    return pd.DataFrame([
        ("S1", A, 2.0, 0, 0, 0), ("S1", B, 1.0, 0, 0, 0), ("S1", C, 0.5, 0, 0, 0),
        ("S2", A, 0, 4, 6, 0), ("S2", B, 0, 3, 2, 0), ("S2", X, 0, 1, 1, 0),
        ("S3", A, 0, 11, 0, 0), ("S3", B, 0, 5, 0, 0), ("S4", C, 9, 7, 0, 0),
    ], columns=["service_code", "district_code", "units", "current_units", "prior_units", "prior2_units"]).pipe(
        lambda f: f.assign(**{c: (f[c] * M).astype("int64") for c in ("units", "current_units", "prior_units",
                                                                     "prior2_units")}))


def test_basis_units_sum_the_averaged_years_over_their_divisor():
    # S1 anticipated: Units; S2 2-year: current + prior, ÷ 2; S3 3-year: current + prior + prior 2, ÷ 3;
    # S4 current: Current units only (its Units 9 are not its basis)
    units = coser.basis_units(rows(), services())
    assert (units["weight"] // M).tolist() == [2, 1, 0, 10, 5, 2, 11, 5, 7]
    assert units["weight"].iloc[2] == M // 2  # 0.5 of a pupil, exactly
    assert units["divisor"].tolist() == [1, 1, 1, 2, 2, 2, 3, 3, 1]


def test_unit_cost_is_the_budget_over_the_basis_units_half_up_to_the_cent():
    # S1 90,000 / 3.5 = 25,714.2857… → 25,714.29; S2 200,000 / ((10 + 5 + 2) / 2 = 8.5) = 23,529.4117… → 23,529.41
    # S3 30,000 / (16 / 3 = 5.333…) = 5,625.00; S4 no units → 0 (the charge is refused by validation)
    cost = coser.unit_cost_cents(pd.Series([90_000_00, 200_000_00, 30_000_00, 5_000_00]),
                                 pd.Series([3_500_000, 17 * M, 16 * M, 0]), pd.Series([1, 2, 3, 1]))
    assert cost.tolist() == [25_714_29, 23_529_41, 5_625_00, 0]


def test_charges_split_each_budget_by_basis_units_with_the_largest_remainder():
    # S1 9,000,000 cents × 2/3.5, 1/3.5, 0.5/3.5 = 5,142,857.14 / 2,571,428.57 / 1,285,714.29 → floors sum 8,999,999;
    #    the cent left goes to B (remainder .571): 51,428.57 / 25,714.29 / 12,857.14
    # S2 20,000,000 cents by 10 : 5 : 2 (Σ 17) = 11,764,705.88 / 5,882,352.94 / 2,352,941.18 → floors
    #    11,764,705 + 5,882,352 + 2,352,941 = 19,999,998 → 2 cents to the largest remainders, B (.94) and A (.88)
    r = rows()
    units = coser.basis_units(r, services())
    budget = pd.Series({"S1": 90_000_00, "S2": 200_000_00, "S3": 0, "S4": 0})
    c = coser.charges(budget, r, units["weight"], "largest remainder")
    assert c.iloc[:3].tolist() == [51_428_57, 25_714_29, 12_857_14]
    assert c.iloc[3:6].tolist() == [117_647_06, 58_823_53, 23_529_41]
    assert c.iloc[:3].sum() == 90_000_00 and c.iloc[3:6].sum() == 200_000_00 and c.iloc[6:].tolist() == [0, 0, 0]


def test_per_service_sums_each_services_rows_and_gives_0_to_a_service_without_rows():
    services = pd.DataFrame(index=pd.Index(["A", "B", "C"], name="service_code"))
    # rows of A, C, A: A = 5 + 7 = 12, B has none = 0, C = 11
    total = coser.per_service(services, np.array([0, 2, 0]), np.array([5, 11, 7]))
    assert total.to_dict() == {"A": 12, "B": 0, "C": 11} and total.dtype == np.int64


def test_salaries_over_the_limit_come_from_the_staff_unless_given():
    # limit 30,000: S1 staff 65,000 → 35,000 over, 28,000 → none; S2 staff 40,000 → 10,000 but the sheet gives
    # 12,345.67, which wins; S3 no staff → 0; S4 staff exactly at the limit → 0
    staff = pd.DataFrame({"service_code": ["S1", "S1", "S2", "S4"],
                          "salary": pd.Series([65_000_00, 28_000_00, 40_000_00, 30_000_00], dtype="int64")})
    given = services(salaries_over_limit=pd.array([None, 12_345_67, None, None], dtype="Int64"))
    assert coser.salaries_over_limit(staff, given, 30_000_00).tolist() == [35_000_00, 12_345_67, 0, 0]


def test_the_true_up_applies_to_swd_services_with_actual_units():
    # S2 is SWD with actual units → trued up, its final cost the actual 210,000; S3 is SWD without actual units → not,
    # its final cost its budget; S1 (not SWD) keeps its budget though an actual cost is typed
    r = rows().assign(actual_units=pd.array([None, None, None, 5 * M, 4 * M, 1 * M, None, None, None], dtype="Int64"))
    swd = pd.Series({"S1": False, "S2": True, "S3": True, "S4": False})
    trued = coser.trued_up(swd, r)
    assert trued.to_dict() == {"S1": False, "S2": True, "S3": False, "S4": False}
    budget = pd.Series({"S1": 90_000_00, "S2": 200_000_00, "S3": 30_000_00, "S4": 5_000_00}, dtype="Int64")
    actual = pd.Series({"S1": 95_000_00, "S2": 210_000_00, "S3": None, "S4": None}, dtype="Int64")
    assert coser.final_cost(budget, actual, trued).tolist() == [90_000_00, 210_000_00, 30_000_00, 5_000_00]
    # the true-up weighs each row by its actual units; a row without them weighs nothing
    weight = coser.actual_weight(r["actual_units"])
    assert weight.tolist() == [0, 0, 0, 5 * M, 4 * M, 1 * M, 0, 0, 0]
    # S2's rows: 210,000 by 5 : 4 : 1 = 105,000 / 84,000 / 21,000 exactly; every other row keeps its charge
    charge = coser.charges(budget.astype("int64"), r, coser.basis_units(r, services())["weight"], "largest remainder")
    on_rows = r["service_code"].map(trued)
    final = coser.final_charges(coser.final_cost(budget, actual, trued).astype("int64"), r, on_rows, weight, charge,
                                "largest remainder")
    assert final.iloc[3:6].tolist() == [105_000_00, 84_000_00, 21_000_00]
    assert final.drop(index=[3, 4, 5]).equals(charge.drop(index=[3, 4, 5]))
    # the adjustment billed: S2's charges by basis units 10 : 5 : 2 were 117,647.06 / 58,823.53 / 23,529.41, so
    # 105,000 − 117,647.06 = −12,647.06; 84,000 − 58,823.53 = 25,176.47; 21,000 − 23,529.41 = −2,529.41 (Σ +10,000)
    assert coser.adjustment(final, charge).iloc[3:6].tolist() == [-12_647_06, 25_176_47, -2_529_41]
    assert coser.adjustment(final, charge).drop(index=[3, 4, 5]).eq(0).all()


def test_a_surplus_is_credited_by_the_same_units_and_an_assessment_charged():
    # S3 surplus 3,000 by basis units 11 : 5 → 2,062.50 and 937.50 returned (negative, credits);
    # an assessment (negative surplus) of 100.00 on S1 by 2 : 1 : 0.5 → 57.14 / 28.57 / 14.29 charged:
    # 10,000 × 2/3.5 = 5,714.29, × 1/3.5 = 2,857.14, × 0.5/3.5 = 1,428.57 → floors 9,999 → the cent to C (.57 > .29, .14)
    r = rows()
    weight = coser.basis_units(r, services())["weight"]
    surplus = pd.Series({"S1": -100_00, "S2": 0, "S3": 3_000_00, "S4": 0})
    credits = coser.surplus_credits(surplus, r, weight, "largest remainder")
    assert credits.iloc[6:8].tolist() == [-2_062_50, -937_50]
    assert credits.iloc[:3].tolist() == [57_14, 28_57, 14_29]
    assert credits.iloc[3:6].tolist() == [0, 0, 0]


def test_an_amount_with_no_units_to_share_it_by():
    # units 0 and an amount (budget, surplus, cost) → cannot be apportioned; 0 and 0 → nothing to share; units → fine
    assert coser.nothing_to_share_by(pd.Series([0, 0, 5]), pd.Series([100, 0, 100])).tolist() == [True, False, False]


def test_participants_are_component_districts_with_units():
    # S1: A, B, C; S2: A, B (X is not a component); S3: A, B; S4: C. A row of 0 units takes no part
    r = rows()
    weight = coser.basis_units(r, services())["weight"].where(r.index != 2, 0)  # C's S1 row at 0 units
    assert coser.participants(r, weight, [A, B, C]).to_dict() == {"S1": 2, "S2": 2, "S3": 2, "S4": 1}


def test_three_quarters_of_the_participants_must_approve():
    # ⌈3/4 × n⌉: 3 → ⌈2.25⌉ = 3; 4 → 3 exactly; 1 → ⌈0.75⌉ = 1; 0 → 0; 5 → ⌈3.75⌉ = 4
    three_quarters = Fraction(3, 4)
    assert coser.approvals_needed(pd.Series([3, 4, 1, 0, 5]), three_quarters).tolist() == [3, 3, 1, 0, 4]
    # 3 of 3 enough; 2 of 3 short; none typed → not checked; 4 of 5 enough
    participants = pd.Series([3, 3, 1, 5])
    approvals = pd.Series([3 * M, 2 * M, None, 4 * M], dtype="Int64")
    assert coser.approval_shortfall(participants, approvals, three_quarters).tolist() == [False, True, False, False]
    # none typed is the one the check cannot be made for — unless the service has no participants to approve
    assert coser.approval_unknown(participants, approvals).tolist() == [False, False, True, False]
    assert coser.approval_unknown(pd.Series([0]), pd.Series([None], dtype="Int64")).tolist() == [False]


def test_more_approvals_than_participants_is_impossible():
    # 3 approvals for 2 participants: wrong; none typed: not checked; 2 for 2: fine
    approvals = pd.Series([3 * M, None, 2 * M], dtype="Int64")
    assert coser.approvals_over_participants(approvals, pd.Series([2, 1, 2])).tolist() == [True, False, False]


def test_the_aidable_fraction_removes_salaries_over_the_limit_and_non_aidable_costs():
    # S1 (90,000 − 35,000 − 0) / 90,000; S2 (200,000 − 10,000 − 5,000) / 200,000;
    # S3 transportation → 0 (aided as transportation aid); S4 budget 0 → 0 / 1; S5 not aidable → 0;
    # S6 10,000 − 8,000 − 5,000 < 0 → 0
    frame = pd.DataFrame({
        "budget": [90_000_00, 200_000_00, 100_000_00, 0, 50_000_00, 10_000_00],
        "non_aidable": [0, 5_000_00, 0, 0, 60_000_00, 5_000_00],
        "aidable": [True, True, True, True, False, True],
        "transportation": [False, False, True, False, False, False]}, index=[f"S{i}" for i in range(1, 7)])
    over = pd.Series([35_000_00, 10_000_00, 0, 0, 0, 8_000_00], index=frame.index)
    num, den = coser.aidable_fraction(frame, over)
    assert num.tolist() == [55_000_00, 185_000_00, 0, 0, 0, 0]
    assert den.tolist() == [90_000_00, 200_000_00, 100_000_00, 1, 50_000_00, 10_000_00]


def test_basis_columns_follow_the_unit_cost_basis_table():
    assert coser.BASIS_COLUMNS["3-year average"] == (("current_units", "prior_units", "prior2_units"), 3)
