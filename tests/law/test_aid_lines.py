"""apportion.law.aid.lines: the four BOCES aid lines and their total in whole dollars (Educ. Law §1950(5)(a),(f),(g),
§1950(4)(m); rules §5), with the arithmetic in comments."""
from __future__ import annotations

import pandas as pd

from apportion.law.aid import lines

S = lambda *values: pd.Series(list(values), dtype="int64")  # noqa: E731


def test_aid_lines_half_up_and_rent_truncates():
    # 1,001 × 0.500 = 500.5 → 501 (half up);  rent: floor(500.5) = 500
    # 29,233 × 0.531 = 15,522.723 → 15,523 half up, but rent aid floors to 15,522
    assert lines.aid_half_up(S(1001, 29_233), S(500, 531)).tolist() == [501, 15_523]
    assert lines.aid_truncated(S(1001, 29_233), S(500, 531)).tolist() == [500, 15_522]


def test_aid_lines_of_an_ordinary_and_a_special_act_district():
    # A (ordinary, sharing and capital ratio 0.745):
    #   admin half_up(10,000 × 0.745 = 7,450) = 7,450; services half_up(20,001 × 0.745 = 14,900.745) = 14,901
    #   capital half_up(3,000 × 0.745 = 2,235) = 2,235; rent floor(1,001 × 0.745 = 745.745) = 745
    #   total 7,450 + 14,901 + 2,235 + 745 + save-harmless 50 = 25,381
    # S (special act, §1950(4)(m): services only, at one half; capital ratio 0):
    #   services half_up(19,425 × 0.500 = 9,712.5) = 9,713; admin, capital and rent 0 though expenses are given
    index = pd.Index(["A", "S"])
    out = lines.aid_lines(
        approved_admin=pd.Series([10_000, 10_000], index=index), approved_services=pd.Series([20_001, 19_425], index=index),
        capital_expense=pd.Series([3_000, 3_000], index=index), rent_expense=pd.Series([1_001, 1_000], index=index),
        save_harmless=pd.Series([50, 0], index=index), sharing=pd.Series([745, 500], index=index),
        capital=pd.Series([745, 0], index=index), services_only=pd.Series([False, True], index=index))
    assert out.loc["A"].tolist() == [7_450, 14_901, 2_235, 745, 25_381]
    assert out.loc["S"].tolist() == [0, 9_713, 0, 0, 9_713]
    assert list(out.columns) == ["admin_aid", "services_aid", "capital_aid", "rent_aid", "total_aid"]


def test_a_zero_ratio_or_expense_gives_no_aid():
    # 0 × 0.745 = 0; 5,000 × 0 = 0 (a capital ratio of 0 has no floor)
    assert lines.aid_half_up(S(0, 5_000), S(745, 0)).tolist() == [0, 0]
    assert lines.aid_truncated(S(0, 5_000), S(745, 0)).tolist() == [0, 0]


def test_each_published_line_is_set_against_its_computed_aid():
    # A: admin 7,450 + services 3,725 = 11,175 against the State's one admin-and-services line
    aid = pd.DataFrame({"admin_aid": [7_450, 0], "services_aid": [3_725, 500], "capital_aid": [1_490, 0],
                        "rent_aid": [372, 0], "total_aid": [13_037, 500]}, index=["A", "B"])
    out = lines.published_lines(aid)
    assert {k: v.tolist() for k, v in out.items()} == {
        "published_admin_services": [11_175, 500], "published_capital": [1_490, 0], "published_rent": [372, 0],
        "published_total": [13_037, 500]}


def test_reconcile_in_whole_dollars_for_the_districts_published():
    # published in cents of whole dollars: A $11,170 → computed 11,175 − 11,170 = +5; C $800 → 800 − 800 = 0;
    # B is not published on this line: no row
    computed = pd.Series({"A": 11_175, "B": 500, "C": 800})
    published = pd.Series({"A": 11_170_00, "C": 800_00}, dtype="Int64")
    out = lines.reconcile(computed, published)
    assert out.to_dict("index") == {"A": {"computed": 11_175, "published": 11_170, "difference": 5},
                                    "C": {"computed": 800, "published": 800, "difference": 0}}
