"""The reader: forgiving on form, strict on meaning, every issue at its sheet and cell (docs/formats.md)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from apportion.cli import cli
from apportion.readers import coerce
from apportion.runner import check_job, compute_job, read_job

from . import corpus as C
from .builders import write_workbook


def errors(path):
    return [(i.code, i.sheet, i.cell) for i in check_job(path) if i.severity == "error"]


def issues(path, severity):
    return [i for i in check_job(path) if i.severity == severity]


def test_valid_job_has_no_errors(tmp_path):
    assert errors(C.write(tmp_path / "job.xlsx")) == []


def test_three_defects_reported_together(tmp_path):
    """Text in a number cell, a duplicate district code and a missing required column, in one validate run."""
    sheets = C.valid_sheets()
    text_cell = C.set_cell(sheets, "Districts", "Full value", 2, "about 4 billion")
    dup_cell = C.set_cell(sheets, "Districts", "District code", 3, C.CODES[0])
    C.drop_column(sheets, "Services", "Budget")
    path = C.write(tmp_path / "three.xlsx", sheets)
    assert (text_cell, dup_cell) == ("D3", "A4")
    # the duplicate took the place of 010306060000, which Participation row 4 still names
    assert sorted(errors(path)) == sorted([("not-money", "Districts", "D3"), ("duplicate-code", "Districts", "A4"),
                                           ("missing-column", "Services", "A1"), ("unknown-district", "Participation", "A4")])
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    out = result.output
    assert 'sheet "Districts"' in out and 'sheet "Services"' in out
    for cell, code in (("D3", "not-money"), ("A4", "duplicate-code"), ("A1", "missing-column")):
        assert any(line.split()[1:2] == [cell] and f"[{code}]" in line for line in out.splitlines()), (cell, code, out)
    assert "(first at row 2)" in out and "'Budget'" in out and '"about 4 billion" (text)' in out


# --- forgiving on form ----------------------------------------------------------------

def forgiving_sheets() -> dict:
    """The valid job typed carelessly: every difference here must change nothing."""
    s = C.valid_sheets()
    districts = s["Districts"]
    districts[0] = ["  district   CODE ", "District Name", "TYPE"] + districts[0][3:] + ["Comments"]
    districts[1][0] = int(districts[1][0])  # typed as a number: Excel drops the leading zero
    districts[2][0] = "0102-0104-0000"
    districts.insert(3, [None] * 4)
    districts.insert(4, ["   ", None, "\t"])
    C.set_cell(s, "Districts", "Budget vote", 1, "Yes")
    C.set_cell(s, "Districts", "Budget vote", 2, True)
    C.set_cell(s, "Districts", "Budget vote", 6, "y")
    participation = s["Participation"]
    s["Participation"] = [list(reversed(row)) for row in participation]  # columns in any order
    C.set_cell(s, "Services", "Aidable", 1, "Y")
    C.set_cell(s, "Services", "Aidable", 2, True)
    C.set_cell(s, "Services", "Transportation", 1, "N")
    C.set_cell(s, "Services", "Transportation", 2, "FALSE")
    C.set_cell(s, "Services", "Transportation", 3, "TRUE")
    C.set_cell(s, "Shared PD", "Board approval date", 1, "2026-06-01")
    C.set_cell(s, "PD Attendance", "Date", 2, "9/15/2026")
    s["Notes"] = [["anything"], ["at all"]]
    s["BOCES"] = [["item", "VALUE"]] + [[f"  {k.upper()} ", v] for k, v in s["BOCES"][1:]]
    return s


def test_forgiving_form_gives_the_same_result(tmp_path):
    valid = compute_job(C.write(tmp_path / "valid.xlsx"))
    path = C.write(tmp_path / "careless.xlsx", forgiving_sheets())
    assert errors(path) == []
    careless = compute_job(path)
    pd.testing.assert_frame_equal(careless.billing.reset_index(drop=True), valid.billing.reset_index(drop=True))
    pd.testing.assert_frame_equal(careless.aid.table, valid.aid.table)
    # what is not used is a warning at its cell, not a hidden note
    unused = {(i.code, i.sheet, i.cell, i.column) for i in issues(path, "warning") if i.code.startswith("unknown-")}
    assert unused == {("unknown-column", "Districts", "K1", "Comments"), ("unknown-sheet", "Notes", "", "")}


def test_code_typed_as_number_is_padded(tmp_path):
    s = C.valid_sheets()
    C.set_cell(s, "Districts", "District code", 1, 10100010000)
    C.set_cell(s, "Participation", "District code", 1, 10100010000.0)
    job = read_job(C.write(tmp_path / "n.xlsx", s))
    assert "010100010000" in job.districts.index
    assert (job.participation["district_code"] == "010100010000").sum() == 2


@pytest.mark.parametrize("title_rows", [1, 3, 9])
def test_header_below_a_title_is_found(tmp_path, title_rows):
    s = C.valid_sheets()
    s["Districts"] = [["Capital Region BOCES: districts for 2026-27"]] + [[None]] * (title_rows - 1) + s["Districts"]
    path = C.write(tmp_path / "title.xlsx", s)
    assert errors(path) == []
    # cells are still located on the sheet as the user sees it
    s["Districts"][title_rows + 1][4] = "n/a"
    assert errors(C.write(tmp_path / "bad.xlsx", s)) == [("not-a-number", "Districts", f"E{title_rows + 2}")]


def test_merged_title_row_is_skipped(tmp_path):
    s = C.valid_sheets()
    s["Districts"] = [["Districts", None, None]] + s["Districts"]
    src = C.write(tmp_path / "src.xlsx", s)
    path = C.with_openpyxl(src, tmp_path / "merged.xlsx", lambda book: book["Districts"].merge_cells("A1:J1"))
    assert errors(path) == []


def test_header_beyond_the_search_rows(tmp_path):
    s = C.valid_sheets()
    s["Staff"] = [["Staff list"]] + [[None]] * 10 + s["Staff"]
    assert errors(C.write(tmp_path / "deep.xlsx", s)) == [("missing-header-row", "Staff", "A1")]


def test_blank_rows_are_skipped_and_rows_keep_their_numbers(tmp_path):
    s = C.valid_sheets()
    s["Participation"][3:3] = [[None, None], ["", " "]]
    s["Participation"][6][2] = "lots"  # data row 6 → Excel row 7
    assert errors(C.write(tmp_path / "gaps.xlsx", s)) == [("not-a-number", "Participation", "C7")]


def test_empty_optional_sheet_is_ignored(tmp_path):
    """An Aid claim sheet with only its header does not switch the job to claim mode."""
    s = C.valid_sheets()
    s["Aid claim"] = [["District code", "Approved administrative expense"]]
    path = C.write(tmp_path / "empty-claim.xlsx", s)
    result = compute_job(path)
    assert result.aid.mode == "estimate"
    assert any(i.code == "empty-sheet" and i.sheet == "Aid claim" for i in issues(path, "note"))


# --- strict on meaning ---------------------------------------------------------------

def test_fraction_of_a_cent(tmp_path):
    s = C.valid_sheets()
    cell = C.set_cell(s, "Services", "Budget", 2, 300_000.255)
    item = C.set_item(s, "Rent budget", "60000.001")
    assert sorted(errors(C.write(tmp_path / "cent.xlsx", s))) == [("fraction-of-cent", "BOCES", item),
                                                                  ("fraction-of-cent", "Services", cell)]


def test_formula_without_cached_value(tmp_path):
    s = C.valid_sheets()
    cell = C.set_cell(s, "Services", "Budget", 1, "=FORMULA:1000000+250000")
    item = C.set_item(s, "Administrative budget", "=FORMULA:2000000+500000")
    path = C.write(tmp_path / "formula.xlsx", s)
    found = [i for i in check_job(path) if i.severity == "error"]
    assert sorted((i.code, i.sheet, i.cell) for i in found) == [("formula-without-value", "BOCES", item),
                                                               ("formula-without-value", "Services", cell)]
    assert all("open the file in Excel and save it" in i.message for i in found)


def test_excel_error_value(tmp_path):
    src = C.write(tmp_path / "src.xlsx")
    path = C.excel_error(src, tmp_path / "div0.xlsx", 2, "D3")  # sheet 2 = Districts, Full value of row 3
    found = [i for i in check_job(path) if i.severity == "error"]
    assert [(i.code, i.sheet, i.cell, i.found) for i in found] == [
        ("excel-error", "Districts", "D3", "the Excel error #DIV/0!")]


@pytest.mark.parametrize("value, code", [
    ("lots", "not-money"), ("nan", "not-money"), ("inf", "not-money"), ("-Infinity", "not-money"),
    ("1e400", "number-too-large"), (True, "not-money"), (dt.date(2026, 1, 1), "not-money"),
    ("(500)", "negative-value"), (-0.01, "negative-value"), (12.345, "fraction-of-cent"),
])
def test_money_cell_refusals(tmp_path, value, code):
    s = C.valid_sheets()
    cell = C.set_cell(s, "Staff", "Salary", 2, value)
    assert errors(C.write(tmp_path / "m.xlsx", s)) == [(code, "Staff", cell)]


@pytest.mark.parametrize("value", ["$64,500.50", " 64500.5 ", 64500.5, "64,500.50"])
def test_money_text_forms_accepted(tmp_path, value):
    s = C.valid_sheets()
    C.set_cell(s, "Staff", "Salary", 2, value)
    job = read_job(C.write(tmp_path / "ok.xlsx", s))
    assert job.staff["salary"].tolist() == [7_200_000, 6_450_050]


def test_bad_codes_choices_yes_no_dates_emails(tmp_path):
    s = C.valid_sheets()
    expected = [
        ("bad-district-code", "Districts", C.set_cell(s, "Districts", "District code", 5, "01-ABC")),
        ("unknown-choice", "Districts", C.set_cell(s, "Districts", "Type", 2, "regional")),
        ("bad-email", "Districts", C.set_cell(s, "Districts", "Email", 3, "business office")),
        ("not-yes-no", "Services", C.set_cell(s, "Services", "Aidable", 1, "maybe")),
        ("not-a-date", "Shared PD", C.set_cell(s, "Shared PD", "Start date", 1, "next Tuesday")),
        ("bad-item", "BOCES", C.set_item(s, "Annual meeting date", "spring")),
        ("bad-school-year", "BOCES", C.set_item(s, "School year", "2026")),
        ("unknown-district", "Participation", "A6"),  # the district whose code did not fit: in the same pass
    ]
    assert sorted(errors(C.write(tmp_path / "bad.xlsx", s))) == sorted(expected)


def test_duplicate_pair_names_the_first_row(tmp_path):
    s = C.valid_sheets()
    C.add_row(s, "Participation", {"District code": C.CODES[2], "Service code": "220", "Current units": 1})
    found = [i for i in check_job(C.write(tmp_path / "pair.xlsx", s)) if i.severity == "error"]
    assert [(i.code, i.sheet, i.cell) for i in found] == [("duplicate-code", "Participation", "B8")]
    assert "first at row 4" in found[0].found


def test_cell_located_exactly_deep_in_a_long_sheet(tmp_path):
    """The vectorised paths keep Excel row numbers: a bad cell at row 20,002 is reported there."""
    s = C.valid_sheets()
    s["Collaboration hours"] += [["T. Many", C.CODES[0], "Course", "2026-Q3", 1, "yes"]] * 20_000
    s["Collaboration hours"][-1] = ["T. Many", C.CODES[0], "Course", "2026-Q3", "one", "yes"]
    assert errors(C.write(tmp_path / "long.xlsx", s)) == [("not-a-number", "Collaboration hours", "E20004")]


# --- coercion, value by value ----------------------------------------------------------

def series(*values):
    return pd.Series(list(values), index=range(2, 2 + len(values)), dtype=object)


def test_to_scaled_is_exact():
    typed, bad = coerce.to_scaled(series(0.1 + 0.2, 1.005, 2**53 + 1, "12.34", -0.0, None, "  ", float("nan"),
                                         123456789012.34, True), 100)
    assert typed.tolist()[:2] == [30, pd.NA] and typed.tolist()[3:5] == [1234, 0]
    assert typed.isna().tolist()[2] and typed.isna().tolist()[5:8] == [True, True, True]
    assert typed[10] == 12345678901234
    assert set(bad) == {3, 4, 9, 11}  # 2**53 + 1 dollars is past the money bound of $10**12
    assert coerce.why_not_scaled(2**53 + 1, 100) == "too-large"
    assert coerce.why_not_scaled(1.005, 100) == "too-precise"
    assert coerce.why_not_scaled("1e400", 100) == "too-large"
    assert coerce.why_not_scaled(True, 100) == "not-a-number"


def test_to_code_pads_and_refuses():
    typed, bad = coerce.to_code(series(10100010000.0, "010100010000", "0101-0001-0000", 1.5, "٠١٠١٠٠٠١٠٠٠٠",
                                       True, 10**12, None))
    assert typed.tolist()[:3] == ["010100010000"] * 3
    assert set(bad) == {5, 6, 7, 8}


def test_yes_no_keeps_true_apart_from_one():
    typed, bad = coerce.to_yesno(series(True, 1.0, "Y", "no", "FALSE", 0, "x", "maybe", None))
    assert typed.tolist()[:7] == [True, True, True, False, False, False, True]
    assert set(bad) == {9}
    money, bad = coerce.to_scaled(series(1.0, True), 100)
    assert money[2] == 100 and set(bad) == {3}


def test_dates():
    typed, bad = coerce.to_date(series(dt.date(2026, 3, 4), dt.datetime(2026, 3, 4, 9, 30), "2026-03-04",
                                       "2026-03-04T00:00:00", "3/4/2026", "March 4, 2026", "2026-03-04junk", 46085.0))
    assert typed.tolist()[:6] == [dt.date(2026, 3, 4)] * 6
    assert set(bad) == {8, 9}


def test_is_blank():
    assert coerce.is_blank(series(None, "", "  ", "\t", "x", 0.0, float("nan"))).tolist() == [
        True, True, True, True, False, False, True]


def test_fraction_values():
    assert coerce.to_fraction_value("50%") == Decimal("0.5")
    assert coerce.to_fraction_value(0.5) == Decimal("0.5")
    assert coerce.to_fraction_value(True) is None


def test_large_columns_convert_each_distinct_value_once(monkeypatch):
    """A million-row code column costs one conversion per distinct code, not per cell."""
    calls = []
    original = coerce._code_one
    monkeypatch.setattr(coerce, "_code_one", lambda v: calls.append(v) or original(v))
    values = np.array([f"{i % 50:012d}" for i in range(200_000)], dtype=object)
    typed, bad = coerce.to_code(pd.Series(values, index=pd.RangeIndex(2, 200_002)))
    assert len(calls) == 50 and not bad and typed.iloc[-1] == f"{199_999 % 50:012d}"


def test_write_workbook_round_trip_of_dates(tmp_path):
    """Dates written as dates come back as dates (calamine), dates typed as text are read as well."""
    path = write_workbook(tmp_path / "d.xlsx", {"S": [["a"], [dt.date(2026, 3, 4)]]})
    import python_calamine
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("S").to_python()
    assert rows[1][0] in (dt.date(2026, 3, 4), dt.datetime(2026, 3, 4))
