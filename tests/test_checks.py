"""apportion.compute.checks: the law's rules applied to validation's frames in the one pass — each rule only
where its inputs are given, so a blank cell (its own error) neither hides another rule nor is guessed at."""
from __future__ import annotations

import pandas as pd

from apportion.compute.checks import given, on
from apportion.law import shared_pd
from apportion.runner import check_job

from . import corpus as C

M = 10**6


def test_given_hands_the_law_the_typed_values_only():
    frame = pd.DataFrame({"days": pd.array([20 * M, None, 1 * M], dtype="Int64")}, index=["P1", "P2", "P3"])
    typed = given(frame["days"])
    assert typed.dtype == "int64" and typed.to_dict() == {"P1": 20 * M, "P3": 1 * M}
    # the rule is made on P1 and P3; P2, whose days are blank, breaks no rule of days
    assert on(frame, shared_pd.too_long(typed, 15)).to_dict() == {"P1": True, "P2": False, "P3": False}


def test_a_contract_with_blank_days_is_still_held_to_the_other_rules(tmp_path):
    """Days blank (required: the reader's error at the cell) beside credit granted and a post-dated approval:
    one pass reports all three, and no days rule on the blank."""
    sheets = C.valid_sheets()
    days = C.set_cell(sheets, "Shared PD", "Days", 1, None)
    credit = C.set_cell(sheets, "Shared PD", "Credit or certificate", 1, "yes")
    approved = C.set_cell(sheets, "Shared PD", "Board approval date", 1, C.dt.date(2026, 10, 1))
    errors = {(i.code, i.cell) for i in check_job(C.write(tmp_path / "job.xlsx", sheets)) if i.severity == "error"}
    assert errors == {("missing-value", days), ("pd-credit", credit), ("pd-post-dated", approved)}


def test_a_service_with_a_blank_budget_is_still_held_to_its_surplus_rule(tmp_path):
    """A blank Budget (the reader's error) on a service whose surplus has no units to be returned by: both said."""
    sheets = C.valid_sheets()
    budget = C.set_cell(sheets, "Services", "Budget", 3, None)  # service 910, bus garage
    surplus = C.add_column(sheets, "Services", "Surplus", [0, 0, 500])
    C.set_cell(sheets, "Participation", "Units", 6, 0)  # 910's only participant takes no units
    errors = {(i.code, i.cell) for i in check_job(C.write(tmp_path / "job.xlsx", sheets)) if i.severity == "error"}
    surplus_cell = surplus[:-1] + "4"  # the third data row
    assert errors == {("missing-value", budget), ("surplus-without-participants", surplus_cell)}


def test_a_negative_pool_is_reported_beside_a_missing_method(tmp_path):
    """rules §1: the administrative budget $2,500,000 less state aid $3,000,000 is a pool of −$500,000 — an input
    error at the state aid cell, made on the BOCES items typed although the method (required) is missing."""
    sheets = C.valid_sheets()
    C.set_item(sheets, "Apportionment method", None)
    aid = C.set_item(sheets, "State aid administrative", 3_000_000)
    issues = [i for i in check_job(C.write(tmp_path / "job.xlsx", sheets)) if i.severity == "error"]
    assert ("negative-pool", "BOCES", aid) in {(i.code, i.sheet, i.cell) for i in issues}
    assert "-$500,000.00" in next(i.found for i in issues if i.code == "negative-pool").replace("−", "-")
    assert any(i.code != "negative-pool" for i in issues)  # the missing method is its own error
