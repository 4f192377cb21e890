"""Defects found by last session's tester, each reproduced (issue 14): money wording, "No jobs found" after a
refused -o, a template under a .xls name, a blank Actual units cell on a trued-up service."""
from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from apportion.batch import run_batch
from apportion.cli import cli
from apportion.readers import coerce
from apportion.runner import check_job, compute_job, read_job

from . import corpus as C
from .builders import write_workbook


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_money_in_messages_is_worded_one_way(tmp_path):
    """$1,158,300.00: the dollar sign against the digits, grouped, two decimals — in the message and its
    expected/found alike (a superintendent salary over the cap, a failed budget vote's contingency budget)."""
    sheets = C.valid_sheets()
    C.set_item(sheets, "District superintendent salary", 300_000)
    for row in sheets["Districts"][1:5]:
        row[C.col(sheets, "Districts", "Budget vote")] = "no"
    [outcome] = run_batch([C.write(tmp_path / "job.xlsx", sheets)], tmp_path / "out", jobs=1, write=False).outcomes
    by_code = {i.code: i for i in outcome.issues}
    salary = by_code["ds-salary-over-cap"]
    assert salary.found == "$300,000.00" and re.fullmatch(r"at most \$\d{1,3}(,\d{3})*\.\d\d", salary.expected)
    # prior budget 2,400,000 + 10,000 excluded increases = the cap 2,410,000; the proposed 2,500,000 is over it
    assert "contingency budget of $2,410,000.00 is charged (cap $2,410,000.00)" in by_code["budget-vote-failed"].message
    for issue in outcome.issues:
        for text in (issue.message, issue.expected, issue.found):
            assert "$ " not in text
            for amount in re.findall(r"\$[\d,.]+\d", text):
                assert re.fullmatch(r"\$\d{1,3}(,\d{3})*\.\d\d", amount), (amount, text)


def test_a_refused_output_folder_is_not_followed_by_no_jobs_found(tmp_path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    C.write(inputs / "job.xlsx")
    result = invoke("run", inputs, "-o", inputs)
    assert result.exit_code == 1 and "output-in-inputs" in result.output
    assert "No jobs found" not in result.output


def test_the_template_is_refused_under_a_name_other_than_xlsx(tmp_path):
    for name in ("x.xls", "x.xlsm", "x"):
        result = invoke("template", "-o", tmp_path / name)
        assert result.exit_code == 2 and "name it with .xlsx" in result.output
        assert not (tmp_path / name).exists()


def test_an_xlsx_under_an_xls_name_is_a_located_error_not_a_traceback(tmp_path):
    path = C.write(tmp_path / "job.xlsx").rename(tmp_path / "job.xls")
    result = invoke("validate", path)
    assert result.exit_code == 1 and "misnamed-workbook" in result.output and "rename it to end in .xlsx" in result.output
    assert "CalamineError" not in result.output and "Traceback" not in result.output


def test_a_blank_actual_units_cell_on_a_trued_up_service_is_a_warning_at_its_cell(tmp_path):
    """Service 101 is SWD, trued up on actual units: row 2 (district 0) gives 10, row 3 (district 1) none —
    read as 0 (blank units are 0), which credits district 1's charge in full: said at its cell."""
    sheets = C.valid_sheets()
    C.add_column(sheets, "Services", "Students with disabilities", ["yes", "no", "no"])
    header = C.add_column(sheets, "Participation", "Actual units", [10, None, None, None, None, None])
    letter = header.rstrip("1")
    [outcome] = run_batch([C.write(tmp_path / "job.xlsx", sheets)], tmp_path / "out", jobs=1, write=False).outcomes
    blank = [i for i in outcome.issues if i.code == "actual-units-blank"]
    # rows 3 (district 1, service 101) and 6 (district 4, service 101, a non-component buyer) are blank on 101;
    # rows 4, 5 and 7 are services 220 and 910, not trued up
    assert [(i.sheet, i.cell, i.severity) for i in blank] == [("Participation", f"{letter}3", "warning"),
                                                             ("Participation", f"{letter}6", "warning")]
    assert "service 101" in blank[0].message and "credited in full" in blank[0].message
    # with the units typed (0 included) nothing is said
    sheets["Participation"][2][-1] = 0
    sheets["Participation"][5][-1] = 1
    [outcome] = run_batch([C.write(tmp_path / "typed.xlsx", sheets)], tmp_path / "out", jobs=1, write=False).outcomes
    assert not [i for i in outcome.issues if i.code == "actual-units-blank"]


# --- this session's tester -------------------------------------------------------------------------------

def _tree(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_folder_holding_the_input_is_never_its_output(tmp_path):
    """``run g/CR01_2026-27/v.xlsx -o g``: the job's own output folder (its BOCES code and year) is the folder
    holding its workbook; replacing it deleted the input, exit 0. Now the job fails and nothing is touched."""
    home = tmp_path / "g" / "CR01_2026-27"
    home.mkdir(parents=True)
    source = C.write(home / "v.xlsx")
    before = _tree(home)
    batch = run_batch([source], tmp_path / "g", jobs=1)
    assert batch.exit_code == 1
    [issue] = [i for o in batch.outcomes for i in o.issues if i.code == "output-in-inputs"]
    assert f"the folder holding the input {source}" in issue.message
    assert _tree(home) == before  # the workbook is still there, unchanged, and no report was put beside it
    assert not (tmp_path / "g" / ".apportion-output").exists()  # nor a marker making g read as output (D12)
    assert run_batch([source], tmp_path / "elsewhere", jobs=1).exit_code == 0  # and it still reads as input


def test_a_folder_of_the_users_own_files_is_not_replaced(tmp_path):
    """An existing folder under the job's name that apportion did not write (no marker) is refused, not
    replaced: outputs-not-written with the path, the user's files kept."""
    (tmp_path / "in").mkdir()
    source = C.write(tmp_path / "in" / "v.xlsx")
    theirs = tmp_path / "out" / "CR01_2026-27"
    theirs.mkdir(parents=True)
    (theirs / "notes.txt").write_text("budget notes")
    result = invoke("run", source, "-o", tmp_path / "out")
    assert result.exit_code == 1
    assert f"{theirs}: the folder holds files apportion did not write" in result.output
    assert _tree(theirs) == {"notes.txt": b"budget notes"}
    assert not [p for p in (tmp_path / "out").iterdir() if ".tmp-" in p.name]  # the staged report was dropped


def _job_folder(folder):
    """A job folder of two workbooks: the job without its Participation sheet, and that sheet alone."""
    sheets = C.valid_sheets()
    part = {"Participation": sheets.pop("Participation")}
    folder.mkdir(parents=True)
    C.write(folder / "Main.xlsx", sheets)
    return C.write(folder / "Participation.xlsx", part)


@pytest.mark.parametrize("rename", ["Participation.xlsx.part", "Participation.xlsx.crdownload", "Participation.xlsx~",
                                    "Participation.xlsx.bak", "Participation.xlsx ", "Participation.xltx",
                                    "broken link", "folder"])
def test_a_job_folder_entry_that_looks_like_a_workbook_fails_the_job(tmp_path, rename):
    """Tester D2: a half-copied, half-downloaded, backed-up or template copy of one workbook of a job folder
    (or a link that cannot be followed, a folder under its name) was dropped unsaid: the job computed
    without the sheet, exit 0. Now the job fails naming it, nothing written."""
    part = _job_folder(tmp_path / "job")
    if rename == "broken link":
        part.unlink()
        (tmp_path / "job" / "Participation.xlsx").symlink_to(tmp_path / "unmounted" / "Participation.xlsx")
        name = "Participation.xlsx"
    elif rename == "folder":
        part.unlink()
        (tmp_path / "job" / "Participation.xlsx").mkdir()
        name = "Participation.xlsx"
    else:
        part.rename(part.with_name(rename))
        name = rename
    batch = run_batch([tmp_path / "job"], tmp_path / "out", jobs=1)
    assert batch.exit_code == 1
    [issue] = [i for o in batch.outcomes for i in o.issues if i.code == "unread-workbook"]
    assert issue.file == f"job/{name}" and issue.severity == "error"
    assert not (tmp_path / "out" / "CR01_2026-27").exists()


def test_other_unread_entries_are_warnings_and_an_input_folder_names_them_too(tmp_path):
    """Anything else not read is the warning skipped-file, in a job folder and in an input folder alike; an
    input folder's half-copied workbook is an error of the run (its job would vanish unsaid)."""
    _job_folder(tmp_path / "inputs" / "job")
    (tmp_path / "inputs" / "job" / "readme").write_text("notes")
    (tmp_path / "inputs" / "job" / "old").mkdir()
    C.write(tmp_path / "inputs" / "ridge.xlsx.part")
    (tmp_path / "inputs" / "Budget notes.zip").write_bytes(b"PK")
    batch = run_batch([tmp_path / "inputs"], tmp_path / "out", jobs=1)
    found = sorted((i.code, i.severity, Path(i.file).name) for i in
                   list(batch.log.issues) + [i for o in batch.outcomes for i in o.issues]
                   if i.code in ("skipped-file", "unread-workbook"))
    assert found == [("skipped-file", "warning", "Budget notes.zip"), ("skipped-file", "warning", "old"),
                     ("skipped-file", "warning", "readme"), ("unread-workbook", "error", "ridge.xlsx.part")]
    assert [o.status for o in batch.outcomes] == ["ok"] and batch.exit_code == 1
    # named from the folder above the input folder, as the job names its files (tester M17: an absolute path)
    named = sorted(i.file for i in list(batch.log.issues) + [i for o in batch.outcomes for i in o.issues]
                   if i.code in ("skipped-file", "unread-workbook"))
    assert named == ["inputs/Budget notes.zip", "inputs/ridge.xlsx.part", "job/old", "job/readme"]


def _blend_percent(tmp_path, typed):
    """The blend true value percent a job reads when the cell holds ``typed``."""
    sheets = C.valid_sheets()
    C.set_item(sheets, "Apportionment method", "blend")
    C.set_item(sheets, "Blend authority", "Suffolk")
    C.set_item(sheets, "Blend true value percent", typed)
    return read_job(C.write(tmp_path / "blend.xlsx", sheets)).settings.blend_tv_percent


@pytest.mark.parametrize("typed, percent", [
    ("1%", Decimal("1")),      # text with a % sign is that many percent, not 100 %
    ("0.5%", Decimal("0.5")),  # was 50 %
    ("50%", Decimal("50")),
    (50, Decimal("50")),
    (0.5, Decimal("50")),      # 1 or less is a fraction: Excel stores a percent-formatted 50% as 0.5
    (0.01, Decimal("1")),      # and 1% as 0.01
    ("0.5", Decimal("50")),
])
def test_a_percent_typed_with_its_sign_is_that_many_percent(tmp_path, typed, percent):
    assert _blend_percent(tmp_path, typed) == percent
    assert coerce.to_fraction_value(typed, percent=True) == percent


def test_one_percent_and_all_true_value_differ(tmp_path):
    """1 % true value / 99 % WADA was computed as 100 % true value; the two now give different shares."""
    def shares(typed):
        sheets = C.valid_sheets()
        C.set_item(sheets, "Apportionment method", "blend")
        C.set_item(sheets, "Blend authority", "Suffolk")
        C.set_item(sheets, "Blend true value percent", typed)
        name = f"b{len(typed)}.xlsx"
        return compute_job(C.write(tmp_path / name, sheets)).apportionment.shares["administrative"].tolist()
    assert shares("1%") != shares("100%")


def test_a_date_outside_1990_to_2100_is_refused_at_its_cell(tmp_path):
    """Tester D9: 1026-04-21 (2026 mistyped) was accepted and written to the summary as a negative date serial
    (Excel shows ####). A date outside 1990-01-01 … 2100-12-31 is not-a-date at the cell, saying the window; an
    item says it too. The window's ends are dates."""
    sheets = C.valid_sheets()
    early = C.set_cell(sheets, "Shared PD", "Board approval date", 1, "1026-04-21")
    late = C.set_cell(sheets, "PD Attendance", "Date", 1, "2101-01-01")
    prepared = C.set_item(sheets, "Prepared date", "0001-01-01")
    issues = {(i.code, i.sheet, i.cell): i for i in check_job(C.write(tmp_path / "early.xlsx", sheets))
              if i.severity == "error"}
    assert set(issues) == {("not-a-date", "Shared PD", early), ("not-a-date", "PD Attendance", late),
                           ("bad-item", "BOCES", prepared)}
    assert issues["not-a-date", "Shared PD", early].message == (
        "the date 1026-04-21 is outside 1990-01-01 to 2100-12-31; check the year")
    assert issues["bad-item", "BOCES", prepared].message.startswith("the date 0001-01-01 is outside")
    for issue in issues.values():
        assert issue.expected == "a date from 1990-01-01 to 2100-12-31 (e.g. 2026-03-04)"
    typed, bad = coerce.to_date(pd.Series(["1990-01-01", "2100-12-31", "1989-12-31", "2101-01-01"]))
    assert typed.tolist()[:2] == [dt.date(1990, 1, 1), dt.date(2100, 12, 31)] and sorted(bad) == [2, 3]


@pytest.mark.parametrize("date", ["0001-01-01", "1026-04-21", "2101-01-01"])
def test_run_prepared_outside_the_window_is_a_usage_error(tmp_path, date):
    result = invoke("run", C.write(tmp_path / "job.xlsx"), "-o", tmp_path / "out", "--prepared", date)
    assert result.exit_code == 2
    assert f"Invalid value for '--prepared': {date} is outside 1990-01-01 to 2100-12-31" in result.output
    assert not (tmp_path / "out").exists()


def test_a_far_year_needs_only_the_parameters_its_job_uses(tmp_path):
    """Tester D7: every 1990-91 … 2004-05 job failed no-parameter for the Putnam-Northern Westchester blend
    schedule (in law from 2005-06), a rule a WADA job never uses; ``params --year`` left such parameters out
    unsaid. Now the job computes with the state average typed, and params names what is not on file."""
    sheets = C.valid_sheets()
    C.set_item(sheets, "School year", "2004-05")
    C.set_item(sheets, "State average AV per RWADA", 500_000)
    [outcome] = run_batch([C.write(tmp_path / "job.xlsx", sheets)], tmp_path / "out", jobs=1, write=False).outcomes
    assert [i.message for i in outcome.issues if i.code == "no-parameter"] == []
    assert outcome.status == "ok"
    result = invoke("params", "--year", "1990-91")
    assert result.exit_code == 0
    assert ("apportionment.putnam_nw_true_value_percent: no value on file for 1990-91 (first value on file: "
            "from 2005-07-01)") in result.output


def test_a_prior_year_folder_of_the_same_year_is_said(tmp_path):
    """Tester D11: ``--prior`` naming this year's own output gave "Change from 2026-27" with every change 0,
    unsaid. Now the warning prior-year-not-previous names the year found and the year expected."""
    from apportion.options import RunOptions
    job = C.write(tmp_path / "job.xlsx")
    assert run_batch([job], tmp_path / "out", jobs=1).exit_code == 0
    [outcome] = run_batch([job], tmp_path / "again", jobs=1, write=False,
                          what_if=RunOptions(prior=tmp_path / "out" / "CR01_2026-27")).outcomes
    [warning] = [i for i in outcome.issues if i.code == "prior-year-not-previous"]
    assert (warning.expected, warning.found) == ("the output of 2025-26", "the output of 2026-27")


def test_a_money_column_whose_total_could_wrap_is_refused(tmp_path):
    """Tester D4: 95,000 Staff salaries of $999,999,999,999, each within the cell bound, summed in int64 wrapped:
    aid of $53 quadrillion, exit 0. A money column's magnitudes may add up to at most $10**14 (10**16 cents);
    past it is one error at the cell where the total passes, with the total found, and nothing is computed."""
    sheets = C.valid_sheets()
    rows = [C.add_row(sheets, "Staff", {"Service code": "101", "Employee": f"E{i}", "Salary": 999_999_999_999})
            for i in range(102)]
    issues = [i for i in check_job(C.write(tmp_path / "staff.xlsx", sheets)) if i.severity == "error"]
    salary = C.column_letter(C.col(sheets, "Staff", "Salary"))
    # the corpus's salaries (over $100), then 99,999,999,999,900 cents a row: 100 such rows make
    # 9,999,999,999,990,000 cents, which the corpus's 10,000+ take past 10**16 at the 100th
    assert [(i.code, i.sheet, i.cell) for i in issues] == [("column-total-too-large", "Staff", f"{salary}{rows[99]}")]
    [issue] = issues
    assert issue.expected == "a column total up to $100,000,000,000,000.00"
    corpus = sum(int(row[C.col(sheets, "Staff", "Salary")] * 100) for row in sheets["Staff"][1:-102])
    total = corpus + 102 * 99_999_999_999_900
    assert issue.found.startswith(f"${total // 100:,}.{total % 100:02d} in all, ")
    result = invoke("run", C.write(tmp_path / "job.xlsx", sheets), "-o", tmp_path / "out")
    assert result.exit_code == 1 and "column-total-too-large" in result.output


def test_one_quarter_typed_several_ways_is_one_quarter(tmp_path):
    """Tester D19: the Collaboration Quarter was free text, so 2026-q3, 2026 Q3 and Q3 2026 counted as three more
    quarters than 2026-Q3 (credits = min(⌊hours ÷ 10⌋, quarters with hours), rules §7): 6 credits for 3 quarters'
    work, "registered at end of Q3 2026" by string order. Each spelling now reads as 2026-Q3."""
    def credits(quarters):
        sheets = C.valid_sheets()
        sheets["Collaboration hours"] = sheets["Collaboration hours"][:1] + [
            ["I. Okafor", C.CODES[0], "Curriculum mapping", q, 10, "yes"] for q in quarters]
        frame = compute_job(C.write(tmp_path / f"q{len(quarters)}.xlsx", sheets)).collaboration
        return frame.set_index("teacher").loc["I. Okafor", ["quarters", "credits", "first_quarter",
                                                            "registered_quarter"]].tolist()
    # 60 hours over 2026-Q3 … 2027-Q1: ⌊60 ÷ 10⌋ = 6 by hours, capped at the 3 quarters with hours
    typed = credits(["2026-Q3", "2026-Q4", "2027-Q1", "2026-q3", "2026 Q3", "Q3 2026"])
    assert typed == [3, 3, "2026-Q3", "2027-Q1"]
    assert typed == credits(["2026-Q3"] * 4 + ["2026-Q4", "2027-Q1"])


@pytest.mark.parametrize("again", ["TEACHER A", "Teacher  A", "Teacher\u00a0A", " teacher a "])
def test_the_same_employee_spelt_with_other_case_or_spacing_is_a_duplicate(tmp_path, again):
    """Tester D20: a second Staff row for the same person on the same service as DUBOIS, CLAIRE, with two spaces
    or an NBSP was added in silently (her salary over the limit counted twice: 27 aid figures moved); only an
    exact copy was duplicate-code. Names are compared as headers are, ignoring case and runs of spaces."""
    sheets = C.valid_sheets()
    row = C.add_row(sheets, "Staff", {"Service code": "101", "Employee": again, "Salary": 80_000})
    [issue] = [i for i in check_job(C.write(tmp_path / "staff.xlsx", sheets)) if i.severity == "error"]
    assert (issue.code, issue.sheet, issue.cell) == ("duplicate-code", "Staff", f"B{row}")
    assert issue.found == f"101 / {again.strip()} again (first at row 2 as 101 / Teacher A)"


def test_the_same_name_on_another_service_is_not_a_duplicate(tmp_path):
    sheets = C.valid_sheets()
    C.add_row(sheets, "Staff", {"Service code": "220", "Employee": "TEACHER A", "Salary": 80_000})
    assert [i for i in check_job(C.write(tmp_path / "staff.xlsx", sheets)) if i.severity == "error"] == []


@pytest.mark.parametrize("sheet", ["Sheet1", "Export"])
def test_an_exported_staff_workbook_whose_sheet_is_sheet1_fails_naming_the_staff_sheet(tmp_path, sheet):
    """Tester D18: a job folder's Staff.xlsx exported by a finance system, its one sheet named Sheet1 (or Export)
    with exactly the Staff headers and rows, was only unknown-sheet (a warning): exit 0, the salaries over the
    limit not computed, the aid changed. A sheet headed as a sheet the job lacks is an error at that sheet,
    saying which sheet it looks like; its cells are checked in the same pass (a bad salary is reported too)."""
    sheets = C.valid_sheets()
    staff = sheets.pop("Staff")
    staff[2][2] = "lots"  # Salary of the second employee: reported at its cell although the sheet is misnamed
    (tmp_path / "job").mkdir()
    C.write(tmp_path / "job" / "Main.xlsx", sheets)
    write_workbook(tmp_path / "job" / "Staff.xlsx", {sheet: staff})
    batch = run_batch([tmp_path / "job"], tmp_path / "out", jobs=1)
    assert batch.exit_code == 1
    issues = [(i.code, i.severity, i.file, i.sheet, i.cell) for o in batch.outcomes for i in o.issues]
    assert ("sheet-named-otherwise", "error", "job/Staff.xlsx", sheet, "") in issues
    assert ("not-money", "error", "job/Staff.xlsx", sheet, "C3") in issues
    assert not any(code == "unknown-sheet" for code, *_ in issues)
    [named] = [i for o in batch.outcomes for i in o.issues if i.code == "sheet-named-otherwise"]
    assert named.message == (f"the sheet {sheet!r} has the headers of the Staff sheet, which the job lacks; "
                             "rename it 'Staff'")
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "job")])
    assert result.exit_code == 1 and "[sheet-named-otherwise]" in result.output


def test_a_sheet_of_notes_or_headed_as_a_sheet_the_job_has_stays_a_warning(tmp_path):
    sheets = C.valid_sheets()
    sheets["Instructions"] = [["Fill in every sheet"]]
    sheets["Staff copy"] = [list(r) for r in sheets["Staff"]]  # the job has its Staff sheet: no second one meant
    issues = [(i.code, i.sheet) for i in check_job(C.write(tmp_path / "job.xlsx", sheets))]
    assert ("unknown-sheet", "Instructions") in issues and ("unknown-sheet", "Staff copy") in issues
    assert not any(code in ("sheet-named-otherwise", "near-miss-sheet") for code, _ in issues)


def _latin1_named(folder: Path, name: bytes, sheets=None) -> Path:
    """A workbook under a name that is not UTF-8 (as a Windows zip or Samba share leaves a Latin-1 é)."""
    import os
    os.makedirs(os.fsencode(folder), exist_ok=True)
    source = C.write(folder.parent / "source.xlsx", sheets)
    target = os.fsencode(folder) + b"/" + name
    os.rename(os.fsencode(source), target)
    return Path(os.fsdecode(target))


def test_a_workbook_whose_name_is_not_utf8_is_read_and_named_by_its_bytes(tmp_path):
    """Tester D13: Valle\\xe9.xlsx (Latin-1) was unreadable-workbook "No such file or directory" — calamine was
    handed a name with a lone surrogate; validate --json wrote the raw byte, so its output was not UTF-8, and
    issues.csv dropped the character. The workbook is now read, and its name shown as Valle\\xe9.xlsx."""
    sheets = C.valid_sheets()
    C.add_column(sheets, "Districts", "County", ["Albany"])  # a warning, so an issue names the file
    job = _latin1_named(tmp_path / "in", b"Valle\xe9.xlsx", sheets)
    result = CliRunner().invoke(cli, ["validate", str(job.parent), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout_bytes.decode("utf-8"))  # valid UTF-8 throughout
    [job_report] = report["jobs"]
    assert job_report["status"] == "ok" and job_report["job"].endswith("/in/Valle\\xe9.xlsx")
    assert {i["file"] for i in job_report["issues"]} == {"Valle\\xe9.xlsx"}
    ran = invoke("run", job.parent, "-o", tmp_path / "out")
    assert ran.exit_code == 0 and "1 of 1 job(s) computed" in ran.output
    with open(tmp_path / "out" / "CR01_2026-27" / "issues.csv", encoding="utf-8", newline="") as fh:
        assert {r["file"] for r in csv.DictReader(fh)} == {"Valle\\xe9.xlsx"}


def test_a_job_folder_whose_name_is_not_utf8_is_read(tmp_path):
    sheets = C.valid_sheets()
    part = {"Participation": sheets.pop("Participation")}
    folder = tmp_path / os.fsdecode(b"job\xff")
    _latin1_named(folder, b"Main.xlsx", sheets)
    _latin1_named(folder, b"Participation.xlsx", part)
    [outcome] = run_batch([folder], tmp_path / "out", jobs=1).outcomes
    assert outcome.status == "ok", [i.render() for i in outcome.issues]


def test_a_prior_year_what_if_variant_is_said(tmp_path):
    """Tester D11, second half: --prior naming last year's what-if variant (OUT/<code>_2025-26_draft) was
    accepted unsaid, every statement's "Change from 2025-26" against figures never adopted. basis.json records
    the variant: the warning prior-year-variant names it."""
    from apportion.options import RunOptions
    sheets = C.valid_sheets()
    C.set_item(sheets, "School year", "2025-26")
    last = C.write(tmp_path / "last.xlsx", sheets)
    assert run_batch([last], tmp_path / "out", jobs=1, what_if=RunOptions(
        settings=(("Administrative budget", "9,000,000"),), variant="draft")).exit_code == 0
    [outcome] = run_batch([C.write(tmp_path / "job.xlsx")], tmp_path / "again", jobs=1, write=False,
                          what_if=RunOptions(prior=tmp_path / "out" / "CR01_2025-26_draft")).outcomes
    [warning] = [i for i in outcome.issues if i.code == "prior-year-variant"]
    assert (warning.file, warning.found) == (str(tmp_path / "out" / "CR01_2025-26_draft"), "what-if variant 'draft'")
    assert warning.message == ("the prior-year folder is the what-if variant 'draft', not the adopted figures: the "
                               "year-over-year columns compare with it")
    assert outcome.status == "ok"
    # the adopted prior year draws no such warning
    assert run_batch([last], tmp_path / "out", jobs=1).exit_code == 0
    [plain] = run_batch([C.write(tmp_path / "job.xlsx")], tmp_path / "out", jobs=1, write=False).outcomes
    assert not [i for i in plain.issues if i.code.startswith("prior-year")]


def test_a_huge_unknown_header_or_item_label_is_shown_by_its_start(tmp_path):
    """Tester M1: a 32,000-character unknown header (or item label) was not bounded by text-length: validate
    printed a 96,147-character line (the name three times) and issues.csv grew to 192 KB. An issue shows a
    header or label by its first 200 characters and its length; expected and found by their first 300."""
    sheets = C.valid_sheets()
    C.add_column(sheets, "Districts", "H" * 32_000, ["x"])
    sheets["BOCES"].append(["I" * 32_000, 5])
    job = C.write(tmp_path / "job.xlsx", sheets)
    result = invoke("validate", job)
    assert result.exit_code == 0
    lines = [ln for ln in result.output.splitlines() if "[unknown-column]" in ln or "[unknown-item]" in ln]
    assert len(lines) == 2 and all(len(ln) < 1_000 for ln in lines), [len(ln) for ln in lines]
    issues = {i.code: i for i in check_job(job)}
    for code, letter, what in (("unknown-column", "H", "a column of this sheet"),
                               ("unknown-item", "I", "an item of the BOCES sheet")):
        issue = issues[code]
        assert issue.column == letter * 200 + "… (32,000 characters)"
        assert issue.found == letter * 300 + "… (32,000 characters)"
        assert issue.message == f"{issue.column!r} is not {what}; it is not used"
    assert invoke("run", job, "-o", tmp_path / "out").exit_code == 0
    assert (tmp_path / "out" / "CR01_2026-27" / "issues.csv").stat().st_size < 5_000


def test_a_negative_pool_points_at_the_deduction_that_takes_it_below_zero(tmp_path):
    """Tester's earlier M3: Other revenue capital of 5,000,000 (its cell) took the capital pool below 0, and the
    negative-pool error pointed at State aid capital, which held 0. It points at the larger deduction typed."""
    sheets = C.valid_sheets()
    C.set_item(sheets, "State aid capital", 0)
    other = C.set_item(sheets, "Other revenue capital", 5_000_000)
    [issue] = [i for i in check_job(C.write(tmp_path / "job.xlsx", sheets)) if i.code == "negative-pool"]
    # 400,000 capital budget − 0 state aid − 5,000,000 other revenue = −4,600,000.00
    assert (issue.sheet, issue.cell, issue.found) == ("BOCES", other, "capital pool of -$4,600,000.00")


def test_an_email_cell_with_one_address_a_line_says_to_use_semicolons(tmp_path):
    """Tester M18: an Email cell typed with Alt+Enter between addresses was bad-email "The part after the
    @-sign contains invalid characters": refused, rightly, but the message now says what to do. A comma is a
    separator as a semicolon is (M13, as formats.md now says)."""
    sheets = C.valid_sheets()
    lines = C.set_cell(sheets, "Districts", "Email", 1, "a@one.example\nb@one.example")
    C.set_cell(sheets, "Districts", "Email", 2, "c@two.example, d@two.example")
    issues = [i for i in check_job(C.write(tmp_path / "job.xlsx", sheets)) if i.code == "bad-email"]
    assert [i.cell for i in issues] == [lines]
    assert issues[0].message.endswith("addresses on separate lines; put them on one line, separated by ;")


@pytest.mark.parametrize("text", ["abc", "nan", "-5", "inf", "10 s"])
def test_a_lock_wait_that_is_not_seconds_is_a_usage_error(tmp_path, text):
    """Tester M5: APPORTION_LOCK_WAIT=abc waited the default 600 s, nan and -5 did not wait, unsaid (a garbage
    APPORTION_LIMITS was already a usage error). Anything but seconds 0 or more is a usage error, exit 2."""
    result = CliRunner().invoke(cli, ["run", str(C.write(tmp_path / "job.xlsx")), "-o", str(tmp_path / "out")],
                                env={"APPORTION_LOCK_WAIT": text})
    assert result.exit_code == 2
    assert f"APPORTION_LOCK_WAIT={text!r}: expected the seconds to wait" in result.output
    assert not (tmp_path / "out").exists()


def test_a_lock_wait_of_seconds_is_taken():
    from apportion.options import LOCK_WAIT, lock_wait_setting
    assert [lock_wait_setting(t) for t in (None, "", " ", "0", "2.5", "600")] == [LOCK_WAIT, LOCK_WAIT, LOCK_WAIT,
                                                                                  0.0, 2.5, 600.0]


def test_validate_checks_a_what_ifs_settings_without_writing(tmp_path):
    """Tester M10: validate had no --set, so a what-if could be checked only by writing it. validate --set
    reads the items as run --set does: a bad value is the workbook's error, 'command line --set', exit 1."""
    job = C.write(tmp_path / "job.xlsx")
    ok = invoke("validate", job, "--set", "Administrative budget=2,600,000")
    assert ok.exit_code == 0 and "0 error(s)" in ok.output
    bad = CliRunner().invoke(cli, ["validate", str(job), "--set", "Administrative budget=lots", "--json"])
    assert bad.exit_code == 1
    [issue] = [i for j in json.loads(bad.output)["jobs"] for i in j["issues"] if i["severity"] == "error"]
    assert (issue["file"], issue["column"]) == ("command line --set", "Administrative budget")
    assert invoke("validate", job, "--set", "no equals sign").exit_code == 2
    assert not list(tmp_path.glob("*/")) and sorted(p.name for p in tmp_path.iterdir()) == ["job.xlsx"]


def test_a_table_column_name_fits_excels_255_characters(tmp_path):
    """Tester M16: with --limit text-length=1000 the summary's CoSer grid named a district's column with its
    1,000-character name (1,013 characters; Excel allows a table column name 255). The name is cut to fit,
    the header cell the same text as the column's name."""
    import openpyxl
    from apportion.limits import Limits
    sheets = C.valid_sheets()
    C.set_cell(sheets, "Districts", "District name", 1, "N" * 1000)
    batch = run_batch([C.write(tmp_path / "job.xlsx", sheets)], tmp_path / "out", jobs=1,
                      limits=Limits(text_length=1000))
    assert batch.exit_code == 0, [i.render() for o in batch.outcomes for i in o.issues]
    book = openpyxl.load_workbook(next((tmp_path / "out" / "CR01_2026-27").glob("*_summary.xlsx")))
    ws = book["CoSer charges"]
    table = ws.tables["CoSerCharges"]
    names = [c.name for c in table.tableColumns]
    assert max(map(len, names)) == 255 and any(n.endswith("N…") for n in names)
    header_row = ws[table.ref.split(":")[0]].row
    assert [c.value for c in ws[header_row]][:len(names)] == names


def test_a_link_back_to_the_input_folder_is_not_a_second_job(tmp_path):
    """Tester M12: a symlink self -> . inside an input folder made its workbook a second job (in/self), and both
    failed duplicate-job "remove the one that is not current", though they are one file. The link is a
    skipped-file warning and the workbook runs once."""
    (tmp_path / "in").mkdir()
    C.write(tmp_path / "in" / "job.xlsx")
    (tmp_path / "in" / "self").symlink_to(".")
    (tmp_path / "in" / "up").symlink_to("..")
    batch = run_batch([tmp_path / "in"], tmp_path / "out", jobs=1)
    assert [o.status for o in batch.outcomes] == ["ok"] and batch.exit_code == 0
    skipped = sorted(Path(i.file).name for i in batch.log.issues if i.code == "skipped-file")
    assert skipped == ["self", "up"]
