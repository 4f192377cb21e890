"""apportion.law.shared_pd: COSER 507 shared professional development — staff attending, per-attendee charges,
the aidable part and the rules a contract must keep (the BOCES's COSER 507 rules; aid under Educ. Law §1950(5);
rules §4), exact to the cent. Staff counts are millionths."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from apportion.law import shared_pd

M = 10**6
A, B, C = "010100010000", "010200010000", "010300010000"


def attendance() -> pd.DataFrame:
    """PD-1 signed in on two dates: A 5 then 2, B 3, C 0; PD-2: A 4."""
    return pd.DataFrame({"contract": ["PD-1", "PD-1", "PD-1", "PD-1", "PD-2"],
                         "district_code": [A, B, A, C, A],
                         "staff": pd.Series([5 * M, 3 * M, 2 * M, 0, 4 * M], dtype="int64")})


def test_staff_attending_add_up_over_the_sign_in_dates():
    attending = shared_pd.staff_attending(attendance())
    assert attending.values.tolist() == [["PD-1", A, 7 * M], ["PD-1", B, 3 * M], ["PD-1", C, 0], ["PD-2", A, 4 * M]]


def test_paying_districts_send_staff():
    # PD-1: A and B (C signed in nobody); PD-2: A alone
    assert shared_pd.paying_districts(shared_pd.staff_attending(attendance())).to_dict() == {"PD-1": 2, "PD-2": 1}


def test_each_district_pays_by_staff_attending():
    # PD-1 12,000 by 7 : 3 : 0 → 12,000 × 7/10 = 8,400.00, × 3/10 = 3,600.00, 0; PD-2 1,000.01 all to A
    # 10,000.00 by 1 : 1 : 1 = 3,333.333… each → floors 9,999.99 → the cent by the tie rule to the lowest code, A
    attending = shared_pd.staff_attending(attendance())
    cost = pd.Series({"PD-1": 12_000_00, "PD-2": 1_000_01})
    assert shared_pd.contract_charges(cost, attending, "largest remainder").tolist() == [8_400_00, 3_600_00, 0, 1_000_01]
    even = attending.iloc[:3].assign(staff=M)
    assert shared_pd.contract_charges(pd.Series({"PD-1": 10_000_00}), even, "largest remainder").tolist() == \
        [3_333_34, 3_333_33, 3_333_33]


def test_meals_travel_and_stipends_are_charged_but_not_aidable():
    # (12,000 − 2,000) / 12,000; a contract costing 0 → 0 / 1; non-aidable above the cost → 0 / 500
    contracts = pd.DataFrame({"cost": [12_000_00, 0, 500_00], "non_aidable": [2_000_00, 0, 800_00]},
                             index=["PD-1", "PD-2", "PD-3"])
    num, den = shared_pd.aidable_parts(contracts)
    assert num.tolist() == [10_000_00, 0, 0] and den.tolist() == [12_000_00, 1, 500_00]


def test_each_rule_of_coser_507_has_its_mask():
    # minimum 2 paying districts, activities under 15 days, board approval before the start (credit is its column)
    # P1 lawful; P2 one paying district; P3 exactly 15 days (too long: the limit is "less than"); P4 14.5 days;
    # P5 approved on its start date (post-dated); P6 approved the day after it started
    index = ["P1", "P2", "P3", "P4", "P5", "P6"]
    assert shared_pd.too_few_districts(pd.Series([2, 1, 3, 2, 2, 0], index=index), 2).tolist() == \
        [False, True, False, False, False, True]
    days = pd.Series([3 * M, 2 * M, 15 * M, 14_500_000, 1 * M, 16 * M], index=index)
    assert shared_pd.too_long(days, 15).tolist() == [False, False, True, False, False, True]
    approved = pd.Series([dt.date(2026, 6, 1)] * 4 + [dt.date(2026, 9, 1), dt.date(2026, 9, 2)], index=index)
    start = pd.Series([dt.date(2026, 9, 1)] * 6, index=index)
    assert shared_pd.post_dated(approved, start).tolist() == [False, False, False, False, True, True]

