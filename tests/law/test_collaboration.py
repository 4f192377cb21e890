"""Collaboration credit (rules §7): min(⌊total hours / 10⌋, quarters with hours logged)."""
import pandas as pd

from apportion.exact import QUANTITY_SCALE
from apportion.law.collaboration import collaboration_credits

H = QUANTITY_SCALE  # hours are held in millionths


def logged(rows):
    frame = pd.DataFrame(rows, columns=["teacher", "district_code", "quarter", "hours", "wants_credit"])
    return frame.assign(hours=(frame["hours"] * H).astype("int64"), excel_row=range(2, 2 + len(frame)))


def by_teacher(rows):
    return collaboration_credits(logged(rows), 10).set_index("teacher")


def test_forty_hours_in_one_quarter_earn_one_credit():
    # ⌊40 / 10⌋ = 4 by hours, but 1 quarter with hours logged → 1 credit, and the cap is marked
    c = by_teacher([("A", "D1", "2026-Q4", 40, True)])
    assert (c.at["A", "credits_by_hours"], c.at["A", "quarters"], c.at["A", "credits"]) == (4, 1, 1)
    assert bool(c.at["A", "capped"]) and c.at["A", "registered_quarter"] == "2026-Q4"


def test_hours_spread_over_quarters_add_up():
    # 5 + 5 over two quarters: ⌊10 / 10⌋ = 1 ≤ 2 quarters → 1 credit at the end of Q2, not capped
    c = by_teacher([("A", "D1", "2026-Q1", 5, True), ("A", "D1", "2026-Q2", 5, True)])
    assert (c.at["A", "credits"], c.at["A", "registered_quarter"], bool(c.at["A", "capped"])) == (1, "2026-Q2", False)


def test_a_quarter_with_no_hours_is_not_a_logged_quarter():
    # 40 hours in Q4, rows of 0 hours in the next two quarters: still 1 quarter with hours → 1 credit, at Q4
    c = by_teacher([("A", "D1", "2026-Q4", 40, True), ("A", "D1", "2027-Q1", 0, True),
                    ("A", "D1", "2027-Q2", 0, True)])
    assert (c.at["A", "quarters"], c.at["A", "credits"], c.at["A", "registered_quarter"]) == (1, 1, "2026-Q4")


def test_several_teachers_at_once():
    # B: 12 + 12 + 12 = 36 over three quarters → ⌊3.6⌋ = 3 ≤ 3 → 3; C: 30 over two quarters → 3 by hours, cap 2 → 2;
    # D: 25 hours but does not want credit (its last row says no) → 0, and no cap shown
    c = by_teacher([("B", "D1", "2026-Q1", 12, True), ("B", "D1", "2026-Q2", 12, True),
                    ("B", "D1", "2026-Q3", 12, True), ("C", "D2", "2026-Q1", 20, True),
                    ("C", "D2", "2026-Q2", 10, True), ("D", "D2", "2026-Q1", 25, True),
                    ("D", "D2", "2026-Q2", 0, False)])
    assert c["credits"].to_dict() == {"B": 3, "C": 2, "D": 0}
    assert c["capped"].astype(bool).to_dict() == {"B": False, "C": True, "D": False}


def test_no_hours_logged_gives_an_empty_table_with_every_column():
    out = collaboration_credits(logged([]), 10)
    assert out.empty and list(out.columns) == ["teacher", "district_code", "quarters", "first_quarter",
                                               "registered_quarter", "hours", "wants_credit", "credits_by_hours",
                                               "credits", "capped"]


def test_hours_logged_for_no_district_still_count():
    # E logs 10 hours in one quarter with the district blank: ⌊10 / 10⌋ = 1 ≤ 1 quarter → 1 credit, district ""
    c = by_teacher([("E", None, "2026-Q1", 10, True)])
    assert (c.at["E", "district_code"], c.at["E", "credits"]) == ("", 1)
