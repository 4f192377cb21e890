"""Numbers read as typed or refused, and magnitudes bounded so no later sum or product can wrap (issue 14, point 5)."""
from __future__ import annotations

from pathlib import Path

import pytest

from apportion.batch import run_batch
from apportion.readers import coerce

from . import corpus as C


def _errors(tmp_path, sheets, name="job.xlsx"):
    batch = run_batch([C.write(tmp_path / name, sheets)], tmp_path / "out", jobs=1)
    [outcome] = batch.outcomes
    assert outcome.status in ("ok", "failed"), outcome.message  # never a crash
    return outcome, {(i.code, i.sheet, i.cell): i for i in outcome.issues if i.severity == "error"}


@pytest.mark.parametrize("typed, said", [
    ("860,5", "comma that is not a thousands separator"),
    ("8,6,0.5", "comma that is not a thousands separator"),
    ("1,23", "comma that is not a thousands separator"),
    ("1_000", "underscore"),
    ("１２３", "digits other than 0-9"),
    ("٨٦٠", "digits other than 0-9"),
])
def test_a_number_not_typed_as_one_is_a_located_error_saying_what_was_found(tmp_path, typed, said):
    sheets = C.valid_sheets()
    cell = C.set_cell(sheets, "Districts", "RWADA", 2, typed)
    outcome, errors = _errors(tmp_path, sheets)
    issue = errors[("not-a-number", "Districts", cell)]
    assert said in issue.message and typed in issue.found


@pytest.mark.parametrize("typed, cents", [("1,234,567.89", 123_456_789), ("12,345", 1_234_500),
                                          ("$1,234.50", 123_450), (" 860.5 ", 86_050), ("(1,000)", -100_000)])
def test_thousands_in_groups_of_three_are_read(typed, cents):
    values, bad = coerce.to_scaled(C_series(typed), 100)
    assert not bad and values.iloc[0] == cents


def C_series(*values):
    import pandas as pd
    return pd.Series(list(values), index=range(2, 2 + len(values)), dtype=object)


def test_money_and_quantities_at_the_bound_are_read_and_past_it_refused():
    money, bad = coerce.to_scaled(C_series(1e12, "1,000,000,000,000.00", 1e12 + 0.01, "1000000000000.01", -1e12 - 1), 100)
    assert money.tolist()[:2] == [10**14, 10**14] and sorted(bad) == [4, 5, 6]
    qty, bad = coerce.to_scaled(C_series(1e6, "1000000", 1000000.000001, 1e7), 10**6)
    assert qty.tolist()[:2] == [10**12, 10**12] and sorted(bad) == [4, 5]
    assert coerce.why_not_scaled(1e12 + 0.01, 100) == "too-large"


def test_magnitudes_past_the_bounds_are_located_errors(tmp_path):
    # the measured overflows: three pools of $4×10**16 (their charges wrapped to −$64,467,440,735,453,512.00)
    # and a $4×10**16 levy on $0.01 of full value (OverflowError)
    sheets = C.valid_sheets()
    cells = [("BOCES", C.set_item(sheets, name, 4e16)) for name in
             ("Administrative budget", "Capital budget", "Rent budget")]
    cells.append(("Districts", C.set_cell(sheets, "Districts", "Tax levy", 1, 4e16)))
    C.set_cell(sheets, "Districts", "Full value", 1, 0.01)
    cells.append(("Participation", C.set_cell(sheets, "Participation", "Units", 1, 4e16)))
    outcome, errors = _errors(tmp_path, sheets)
    assert outcome.status == "failed"
    for sheet, cell in cells:
        issue = next(i for (code, s, c), i in errors.items() if (s, c) == (sheet, cell))
        assert issue.code == "number-too-large" and "over the limit of" in issue.message, issue


@pytest.mark.parametrize("small", [1, 0.000001])
def test_every_figure_at_its_bound_computes_exactly_or_is_refused_never_wraps(tmp_path, small):
    # full value $0.01 beside a $10**12 levy; RWADA and units alternating 1,000,000 and ``small``
    sheets = C.valid_sheets()
    top = 10**12  # dollars: the money bound
    for name in ("Administrative budget", "Capital budget", "Rent budget"):
        C.set_item(sheets, name, top)
    for row in range(1, 5):
        C.set_cell(sheets, "Districts", "Full value", row, 0.01 if row == 1 else top)
        C.set_cell(sheets, "Districts", "Tax levy", row, top)
        C.set_cell(sheets, "Districts", "RWADA", row, 10**6 if row % 2 else small)
    for row in range(1, 4):
        C.set_cell(sheets, "Services", "Budget", row, top)
    for row in range(1, 7):
        C.set_cell(sheets, "Participation", "Units", row, 10**6 if row % 2 else small)
    outcome, errors = _errors(tmp_path, sheets)
    if small < 1:  # $10**12 over 0.000001 units would be a unit cost of $10**18: refused at the budget cell
        assert outcome.status == "failed"
        assert {(code, sheet) for code, sheet, _ in errors} == {("unit-cost-too-large", "Services")}
        return
    assert outcome.status == "ok", [i.render() for i in errors.values()]
    import csv
    with open(Path(outcome.output) / "billing.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    pools: dict[str, int] = {}
    for r in rows:  # every amount a two-decimal figure, none wrapped negative
        whole, part = r["amount"].split(".")
        cents = int(whole) * 100 + (int(part) if not whole.startswith("-") else -int(part))
        assert cents >= 0 or r["category"].endswith("surplus")
        pools[r["category"]] = pools.get(r["category"], 0) + cents
    # capital: $10**12 less $25,000 other capital revenue; rent: $10**12; each shared to the cent
    assert pools["capital"] == 10**14 - 2_500_000 and pools["rent"] == 10**14
    assert pools["coser"] == 3 * 10**14  # three services at $10**12, each split to the cent
