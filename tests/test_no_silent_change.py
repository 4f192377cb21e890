"""Issue 13: no figure changes silently — each slip built from the valid job, with its exact code, sheet, cell
and exit code."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from apportion.batch import run_batch
from apportion.cli import cli
from apportion.runner import check_job

from . import corpus as C


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- duplicate jobs ------------------------------------------------------------------------------

def test_two_workbooks_of_one_boces_and_year_are_both_refused(tmp_path):
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    inputs.mkdir()
    C.write(inputs / "valley.xlsx")
    first = run_batch([inputs], out, jobs=1)
    assert first.exit_code == 0
    before = _files(out / "CR01_2026-27")
    # a revised copy saved beside the original, with a different budget: which one is right is not ours to guess
    C.write(inputs / "valley (revised).xlsx", C.variant(Administrative_budget=3_500_000))
    for jobs in (1, 2):
        batch = run_batch([inputs], out, jobs=jobs)
        assert batch.exit_code == 1
        assert [o.status for o in batch.outcomes] == ["failed", "failed"]
        for o in batch.outcomes:
            [dup] = [i for i in o.issues if i.code == "duplicate-job"]
            assert dup.severity == "error" and dup.file == Path(o.source).name
            assert "valley.xlsx" in dup.message and "valley (revised).xlsx" in dup.message
            assert o.output == ""
        assert _files(out / "CR01_2026-27") == before  # neither overwrote the folder
        assert sorted(p.name for p in out.iterdir() if ".tmp-" in p.name or not p.name.startswith(".")) == ["CR01_2026-27"]  # and no staged folder is left


def test_codes_differing_only_in_case_are_one_folder_on_a_share(tmp_path):
    # "cr01_2026-27" and "CR01_2026-27" are one folder on a Windows or macOS share: written from two jobs, the
    # last to finish would replace the other without a word, so both are refused as two jobs of one BOCES
    C.write(tmp_path / "upper.xlsx")
    C.write(tmp_path / "lower.xlsx", C.variant(BOCES_code="cr01"))
    batch = run_batch([tmp_path], tmp_path / "out", jobs=1)
    assert batch.exit_code == 1 and [o.status for o in batch.outcomes] == ["failed", "failed"]
    [message] = {i.message for o in batch.outcomes for i in o.issues if i.code == "duplicate-job"}
    assert "write the output folder cr01_2026-27 or CR01_2026-27 (named for the BOCES code" in message
    assert not (tmp_path / "out" / "CR01_2026-27").exists() and not (tmp_path / "out" / "cr01_2026-27").exists()


def test_duplicate_jobs_fail_validate_too(tmp_path):
    C.write(tmp_path / "a.xlsx")
    C.write(tmp_path / "b.xlsx")
    result = invoke("validate", tmp_path)
    assert result.exit_code == 1
    assert result.output.count("[duplicate-job]") == 2


def test_three_copies_are_listed_as_three(tmp_path):
    for name in ("a", "b", "c"):
        C.write(tmp_path / f"{name}.xlsx")
    batch = run_batch([tmp_path], tmp_path / "out", jobs=1)
    messages = {i.message.split(" write the output folder")[0] for o in batch.outcomes for i in o.issues
                if i.code == "duplicate-job"}
    folder = str(tmp_path)
    assert messages == {f"{folder}/a.xlsx, {folder}/b.xlsx and {folder}/c.xlsx all"}


def test_one_workbook_named_twice_is_one_job(tmp_path):
    path = C.write(tmp_path / "job.xlsx")
    batch = run_batch([path, tmp_path / "." / "job.xlsx"], tmp_path / "out", jobs=1)
    assert batch.exit_code == 0 and len(batch.outcomes) == 1


# --- the command line -----------------------------------------------------------------------------

def test_no_job_found_is_exit_1_naming_the_folder(tmp_path):
    empty = tmp_path / "inputs"
    empty.mkdir()
    for command in ("run", "validate"):
        result = CliRunner().invoke(cli, [command, str(empty), "-o", str(tmp_path / "out")] if command == "run"
                                    else [command, str(empty)])
        assert result.exit_code == 1, (command, result.output)
        assert f"No jobs found in {empty}" in result.output


def test_a_path_that_does_not_exist_is_a_usage_error(tmp_path):
    missing = tmp_path / "no-such-folder"
    for args in (["run", str(missing), "-o", str(tmp_path / "out")], ["validate", str(missing)]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, result.output
        assert "no such file or folder" in result.output and str(missing) in result.output
    assert not (tmp_path / "out").exists()


def test_template_refuses_an_existing_file_without_force(tmp_path):
    filled = C.write(tmp_path / "my-boces.xlsx")
    before = filled.read_bytes()
    result = invoke("template", "-o", filled)
    assert result.exit_code == 2 and "--force" in result.output
    assert filled.read_bytes() == before
    result = invoke("template", "-o", filled, "--force")
    assert result.exit_code == 0 and filled.read_bytes() != before


# --- a failed re-run leaves nothing stale that can be emailed ------------------------------------

def test_failed_rerun_keeps_only_the_sent_record(tmp_path):
    path, out = C.write(tmp_path / "job.xlsx"), tmp_path / "out"
    assert run_batch([path], out, jobs=1).exit_code == 0
    folder = out / "CR01_2026-27"
    outbox = folder / "outbox"
    outbox.mkdir()
    (outbox / "010100010000_Albany_City.eml").write_bytes(b"From: old statement\n")
    (outbox / "sent.csv").write_bytes(b"district_code,sent_at\n010100010000,2026-05-01\n")
    sheets = C.valid_sheets()
    C.set_cell(sheets, "Districts", "RWADA", 1, "many")
    C.write(path, sheets)
    assert run_batch([path], out, jobs=1).exit_code == 1
    assert sorted(_files(folder)) == [".apportion-output", "ERRORS.txt", "issues.csv", "outbox/sent.csv"]
    assert (outbox / "sent.csv").read_bytes() == b"district_code,sent_at\n010100010000,2026-05-01\n"


def test_rerun_that_changes_the_figures_keeps_no_old_draft(tmp_path):
    from apportion.mail import Envelope, write_outbox
    path, out = C.write(tmp_path / "job.xlsx"), tmp_path / "out"
    assert run_batch([path], out, jobs=1).exit_code == 0
    folder = out / "CR01_2026-27"
    drafts = write_outbox(folder, Envelope("business@boces.example")).drafts
    assert drafts and all(d.path.suffix == ".eml" and d.path.exists() for d in drafts)
    (folder / "outbox" / "sent.csv").write_bytes(b"district_code,sent_at\n010100010000,2026-05-01\n")
    C.write(path, C.variant(Administrative_budget=3_500_000))  # every district's charge changes
    assert run_batch([path], out, jobs=1).exit_code == 0
    # the drafts billed last run's figures: gone; only the record of what was sent is carried over
    assert sorted(p.name for p in (folder / "outbox").iterdir()) == ["sent.csv"]
    assert (folder / "outbox" / "sent.csv").read_bytes() == b"district_code,sent_at\n010100010000,2026-05-01\n"


# --- near misses and unknown names ---------------------------------------------------------------

def _issues(path: Path, severity: str = "error") -> set[tuple[str, str, str]]:
    return {(i.code, i.sheet, i.cell) for i in check_job(path) if i.severity == severity}


def test_near_miss_names_the_header_as_typed_and_what_was_meant(tmp_path):
    sheets = C.valid_sheets()
    cell = C.add_column(sheets, "Participation", "Prior year units", [1, 2])
    [issue] = [i for i in check_job(C.write(tmp_path / "job.xlsx", sheets)) if i.severity == "error"]
    assert (issue.code, issue.sheet, issue.cell, issue.column) == ("near-miss-column", "Participation", cell,
                                                                   "Prior year units")
    assert "did you mean 'Prior units'?" in issue.message


@pytest.mark.parametrize("sheet, header, typed", [
    ("Districts", "Type", "District type"),           # every word of the known name, and more
    ("Districts", "PILOTs", "PILOTs (RPTL 485)"),
    ("Districts", "Type", "Tpye"),                    # two letters swapped
    ("Districts", "Type", "Tipe"),                    # one letter changed
    ("Services", "Unit cost basis", "Unit cost basis (anticipated/current/2-yr/3-yr)"),
    ("Shared PD", "Non-aidable costs", "Non aidable"),  # some of the known name's words
    ("Participation", "Current units", "Currnet units"),
])
def test_other_near_misses_of_an_absent_header_are_errors(tmp_path, sheet, header, typed):
    sheets = C.valid_sheets()
    cell = C.rename_column(sheets, sheet, header, typed)
    errors = {(code, sh, c) for code, sh, c in _issues(C.write(tmp_path / "job.xlsx", sheets))
              if code.startswith(("near", "unknown"))}
    assert errors == {("near-miss-column", sheet, cell)}


def test_initials_of_a_known_header_are_a_near_miss(tmp_path):
    from apportion.readers.names import near_miss
    # SWD is what business offices call the students-with-disabilities column
    assert near_miss("SWD", ["Students with disabilities", "Surplus"]) == "Students with disabilities"
    assert near_miss("Notes", ["Students with disabilities", "Surplus", "Type", "Email"]) is None


@pytest.mark.parametrize("typed", ["Staff 2026-27", "Staff roster", "Stfaf"])
def test_a_sheet_name_holding_the_known_one_is_a_near_miss(tmp_path, typed):
    sheets = C.valid_sheets()
    C.rename_sheet(sheets, "Staff", typed)
    assert ("near-miss-sheet", typed, "") in _issues(C.write(tmp_path / "job.xlsx", sheets))


def test_known_names_near_each_other_never_clash(tmp_path):
    """Units / Current units / Prior units / Prior 2 units, RWADA / Aid RWADA, Aid AV all typed exactly: no issue."""
    sheets = C.valid_sheets()
    C.add_column(sheets, "Participation", "Prior units", [1, 1, 1, 1, 1, 1])
    C.add_column(sheets, "Participation", "Prior 2 units", [1, 1, 1, 1, 1, 1])
    C.add_column(sheets, "Districts", "Aid AV", [6_000_000_000, 400_000_000, 3_800_000_000, 1_000_000_000])
    C.add_column(sheets, "Districts", "Aid RWADA", [9_800, 850, 4_650, 2_300])
    path = C.write(tmp_path / "job.xlsx", sheets)
    assert _issues(path) == set() and not {i for i in _issues(path, "warning") if i[0].startswith(("unknown", "near"))}


def test_unknown_columns_sheets_and_items_are_warnings_at_their_cells(tmp_path):
    sheets = C.valid_sheets()
    column = C.add_column(sheets, "Districts", "County", ["Albany"])
    total = C.add_column(sheets, "Districts", "Total", [1])  # one word of four of 'Prior year total charges': no near miss
    sheets["Instructions"] = [["Fill in every sheet"]]
    sheets["BOCES"].append(["Prepared by", "J. Smith"])
    path = C.write(tmp_path / "job.xlsx", sheets)
    assert _issues(path) == set()
    unused = {i for i in _issues(path, "warning") if i[0].startswith("unknown-")}
    assert unused == {("unknown-column", "Districts", column), ("unknown-column", "Districts", total),
                      ("unknown-sheet", "Instructions", ""),
                      ("unknown-item", "BOCES", f"A{len(sheets['BOCES'])}")}
    out = tmp_path / "out"
    assert run_batch([path], out, jobs=1).exit_code == 0
    import csv
    with open(out / "CR01_2026-27" / "issues.csv", newline="", encoding="utf-8") as fh:
        listed = {(r["code"], r["sheet"], r["cell"]) for r in csv.DictReader(fh)}
    assert unused <= listed


def test_a_near_missed_sheet_is_still_read_so_its_cells_are_checked(tmp_path):
    sheets = C.valid_sheets()
    C.rename_sheet(sheets, "Staff", "Staf")
    cell = C.set_cell(sheets, "Staf", "Salary", 1, "lots")
    assert _issues(C.write(tmp_path / "job.xlsx", sheets)) == {("near-miss-sheet", "Staf", ""),
                                                              ("not-money", "Staf", cell)}


def test_values_under_a_blank_header_are_an_error_at_the_header_cell(tmp_path):
    sheets = C.valid_sheets()
    cell = C.rename_column(sheets, "Participation", "Current units", None)  # header deleted, values left
    assert ("unheaded-column", "Participation", cell) in _issues(C.write(tmp_path / "job.xlsx", sheets))
    sheets = C.valid_sheets()
    C.rename_column(sheets, "Participation", "Current units", None)
    C.add_column(sheets, "Participation", "Current units", [])  # the header moved to an empty column
    issues = _issues(C.write(tmp_path / "moved.xlsx", sheets))
    assert ("unheaded-column", "Participation", cell) in issues


def test_a_blank_header_over_blank_cells_is_no_issue(tmp_path):
    sheets = C.valid_sheets()
    for row in sheets["Districts"]:
        row.insert(3, None)  # an empty spacer column
    assert _issues(C.write(tmp_path / "job.xlsx", sheets)) == set()


def test_a_boces_item_value_one_column_too_far_is_an_error_there(tmp_path):
    sheets = C.valid_sheets()
    rent = C.item_cell(sheets, "Rent budget")
    row = next(r for r in sheets["BOCES"] if r[0] == "Rent budget")
    row[1:] = [None, row[1]]
    assert ("misplaced-item-value", "BOCES", "C" + rent[1:]) in _issues(C.write(tmp_path / "job.xlsx", sheets))


def test_a_note_beside_a_boces_item_value_is_a_warning(tmp_path):
    sheets = C.valid_sheets()
    capital = C.item_cell(sheets, "Capital budget")
    next(r for r in sheets["BOCES"] if r[0] == "Capital budget").append("per board resolution 12")
    path = C.write(tmp_path / "job.xlsx", sheets)
    assert _issues(path) == set() and ("unused-cell", "BOCES", "C" + capital[1:]) in _issues(path, "warning")


@pytest.mark.parametrize("typed", ["BOCE", "BOCES items", "B0CES"])
def test_a_workbook_whose_boces_sheet_is_misnamed_is_a_failing_job_not_a_skipped_file(tmp_path, typed):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    sheets = C.valid_sheets()
    C.rename_sheet(sheets, "BOCES", typed)
    C.write(inputs / "valley.xlsx", sheets)
    batch = run_batch([inputs], tmp_path / "out", jobs=1)
    assert batch.exit_code == 1
    [outcome] = batch.outcomes
    assert ("near-miss-sheet", typed) in {(i.code, i.sheet) for i in outcome.issues}


def test_a_deleted_rwada_with_a_blank_aid_rwada_column_is_one_error(tmp_path):
    sheets = C.valid_sheets()
    C.drop_column(sheets, "Districts", "RWADA")
    C.add_column(sheets, "Districts", "Aid RWADA", [None] * 5)
    errors = [i for i in check_job(C.write(tmp_path / "job.xlsx", sheets)) if i.severity == "error"]
    assert [(i.code, i.sheet, i.cell, i.column) for i in errors] == [("missing-column", "Districts", "A1", "RWADA")]


def test_a_near_miss_beside_the_exact_column_left_empty_is_an_error(tmp_path):
    """The template's "Prior units" kept empty, the export pasted under "Prior year units" beside it."""
    sheets = C.valid_sheets()
    C.add_column(sheets, "Participation", "Prior units", [])
    cell = C.add_column(sheets, "Participation", "Prior year units", [1, 2, 3, 4, 5, 6])
    [issue] = [i for i in check_job(C.write(tmp_path / "job.xlsx", sheets)) if i.severity == "error"]
    assert (issue.code, issue.sheet, issue.cell) == ("near-miss-column", "Participation", cell)
    assert "'Prior units' (E1), which is empty" in issue.expected


def test_the_aid_input_error_is_at_the_cell_that_holds_the_value(tmp_path):
    """A blank Aid AV means "= Full value": a Full value of 0 is the cell to fix (D2, found 0); a refused cell
    (a negative Full value) is one error, not two."""
    sheets = C.valid_sheets()
    C.add_column(sheets, "Districts", "Aid AV", [None] * 5)
    zero = C.set_cell(sheets, "Districts", "Full value", 1, 0)
    negative = C.set_cell(sheets, "Districts", "Full value", 2, -14_826_153.5)
    rwada = C.set_cell(sheets, "Districts", "RWADA", 3, 0)
    errors = [(i.code, i.cell, i.found) for i in check_job(C.write(tmp_path / "job.xlsx", sheets))
              if i.severity == "error"]
    assert sorted(errors) == sorted([("aid-input-missing", zero, "0"), ("aid-input-missing", rwada, "0"),
                                     ("negative-value", negative, "-14826153.5")])


@pytest.mark.parametrize("typed", ["\u200b\u200c\u200d", "\x01\x02", "\u200e \ufeff"])
def test_a_name_of_only_invisible_characters_is_missing(tmp_path, typed):
    sheets = C.valid_sheets()
    cell = C.set_cell(sheets, "Districts", "District name", 1, typed)
    assert ("missing-value", "Districts", cell) in _issues(C.write(tmp_path / "job.xlsx", sheets))


def test_an_invisible_mark_in_a_code_is_removed_and_reported(tmp_path):
    sheets = C.valid_sheets()
    cell = C.set_cell(sheets, "Services", "Service code", 1, "101\u200e")  # LRM: looks like 101
    path = C.write(tmp_path / "job.xlsx", sheets)
    assert _issues(path) == set()  # read as 101, so the participation rows still find it
    assert ("control-characters", "Services", cell) in _issues(path, "warning")


@pytest.mark.parametrize("sheet, header, typed", [
    ("Services", "Aidable", "Aidable for BOCES aid?"),  # a header that explains itself is still the column
    ("Districts", "PILOTs", "Payments in lieu of taxes (PILOTs)"),
    ("Districts", "Budget vote", "Vote on admin budget"),
])
def test_a_header_holding_the_known_words_and_many_more_is_a_near_miss(tmp_path, sheet, header, typed):
    sheets = C.valid_sheets()
    cell = C.rename_column(sheets, sheet, header, typed)
    assert {i for i in _issues(C.write(tmp_path / "job.xlsx", sheets)) if i[0].startswith(("near", "unknown"))} == {
        ("near-miss-column", sheet, cell)}


@pytest.mark.parametrize("typed", ["-", "?", "0", "\u200b"])
def test_a_header_that_names_nothing_leaves_its_values_unheaded(tmp_path, typed):
    sheets = C.valid_sheets()
    cell = C.rename_column(sheets, "Participation", "Current units", typed)
    assert ("unheaded-column", "Participation", cell) in _issues(C.write(tmp_path / "job.xlsx", sheets))


def test_a_near_missed_item_below_the_exact_one_left_blank_is_an_error(tmp_path):
    """The template's blank "Rent budget" row kept, the value typed on a "Rent budgets" row of the user's own."""
    sheets = C.valid_sheets()
    next(r for r in sheets["BOCES"] if r[0] == "Rent budget")[1] = None
    sheets["BOCES"].append(["Rent budgets", "lots"])
    row = len(sheets["BOCES"])
    issues = [i for i in check_job(C.write(tmp_path / "job.xlsx", sheets)) if i.severity == "error"]
    assert {(i.code, i.cell) for i in issues} == {("near-miss-item", f"A{row}"), ("not-money", f"B{row}")}
    assert "which is blank" in next(i.expected for i in issues if i.code == "near-miss-item")


# --- every problem in one pass ---------------------------------------------------------------------

def test_four_slips_in_one_validate(tmp_path):
    """A text cell, an unknown participation district, a missing method column and an out-of-range item."""
    sheets = C.valid_sheets()
    C.drop_column(sheets, "Districts", "RWADA")
    text = C.set_cell(sheets, "Districts", "Tax levy", 2, "n/a")
    unknown = C.set_cell(sheets, "Participation", "District code", 2, "019999999999")
    fraction = C.set_item(sheets, "Capital aidable fraction", 50)
    path = C.write(tmp_path / "job.xlsx", sheets)
    assert _issues(path) == {("not-money", "Districts", text), ("unknown-district", "Participation", unknown),
                             ("missing-column", "Districts", "A1"), ("fraction-range", "BOCES", fraction)}
    result = invoke("validate", path)
    assert result.exit_code == 1
    for code in ("not-money", "unknown-district", "missing-column", "fraction-range"):
        assert result.output.count(f"[{code}]") == 1, (code, result.output)


def test_blank_template_says_no_districts(tmp_path):
    from apportion.template import write_template
    import openpyxl
    path = write_template(tmp_path / "t.xlsx")
    book = openpyxl.load_workbook(path)
    ws = book["BOCES"]
    values = {"BOCES name": "New BOCES", "BOCES code": "NEW", "School year": "2026-27", "Apportionment method": "WADA",
              "Administrative budget": 1000, "Capital budget": 0}
    for row in ws.iter_rows(min_row=1):
        if row[0].value in values:
            row[1].value = values[row[0].value]
    book.save(path)
    errors = _issues(path)
    assert {code for code, _, _ in errors} == {"no-districts"}, errors


# --- approvals, surpluses --------------------------------------------------------------------------

def test_surplus_on_a_zero_budget_service_is_returned_by_participation(tmp_path):
    """A discontinued service (budget 0) returning last year's $5,000 by this year's units of service 101:
    12, 3.5 and 1 of 16.5 → 3,636.36|36…, 1,060.60|60…, 303.03|03…; the floors give 4,999.99 and the leftover
    cent goes to the largest remainder (1,060.606…), so 3,636.36 + 1,060.61 + 303.03 = 5,000.00."""
    from apportion.runner import compute_job
    sheets = C.valid_sheets()
    C.add_column(sheets, "Services", "Surplus", [5_000])
    C.set_cell(sheets, "Services", "Budget", 1, 0)
    result = compute_job(C.write(tmp_path / "job.xlsx", sheets))
    credits = result.billing[result.billing["category"] == "coser surplus"].set_index("district_code")["amount"]
    assert credits.to_dict() == {C.CODES[0]: -363_636, C.CODES[1]: -106_061, C.CODES[4]: -30_303}
    assert int(credits.sum()) == -500_000


# --- every warning has a cell ----------------------------------------------------------------------

def test_budget_vote_warning_points_at_the_budget_vote_header(tmp_path):
    sheets = C.valid_sheets()
    for row in range(1, len(sheets["Districts"])):
        C.set_cell(sheets, "Districts", "Budget vote", row, None)
    batch = run_batch([C.write(tmp_path / "novote.xlsx", sheets)], tmp_path / "out", jobs=1)
    assert batch.exit_code == 0
    [vote] = [i for i in batch.outcomes[0].issues if i.code == "no-budget-vote"]
    # Budget vote is the ninth column of Districts: its header is I1
    assert (vote.file, vote.sheet, vote.cell, vote.column) == ("novote.xlsx", "Districts", "I1", "Budget vote")


# --- the collaboration cap, shown where it bites -------------------------------------------------

def test_collaboration_sheet_shows_the_cap_where_it_bites(tmp_path):
    """rules §7: one credit per quarter with hours logged. T. Cap logs 40 hours in 2026-Q3 alone: ⌊40 / 10⌋ = 4 credits
    by hours, capped at 1 (one quarter); T. One's 12 + 9 over two quarters earn ⌊21 / 10⌋ = 2 ≤ 2, not capped."""
    import openpyxl
    sheets = C.valid_sheets()
    C.add_row(sheets, "Collaboration hours", {"Teacher": "T. Cap", "District code": C.CODES[2], "Course": "Lab",
                                              "Quarter": "2026-Q3", "Hours": 40, "Wants credit": "yes"})
    batch = run_batch([C.write(tmp_path / "job.xlsx", sheets)], tmp_path / "out", jobs=1)
    assert batch.exit_code == 0
    ws = openpyxl.load_workbook(tmp_path / "out" / "CR01_2026-27" / "CR01_2026-27_summary.xlsx")["Collaboration credit"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(r for r in rows if "Teacher" in r)
    by_teacher = {r[header.index("Teacher")]: dict(zip(header, r)) for r in rows[rows.index(header) + 1:]
                  if r[header.index("Teacher")] in ("T. Cap", "T. One")}
    assert (by_teacher["T. Cap"]["Credits by hours"], by_teacher["T. Cap"]["Credits"]) == (4, 1)
    assert by_teacher["T. Cap"]["Cap"] == "capped: one per quarter with hours"
    assert (by_teacher["T. One"]["Credits"], by_teacher["T. One"]["Cap"] or "") == (2, "")


# --- a row pasted twice --------------------------------------------------------------------------

@pytest.mark.parametrize("sheet, row, cell, first", [
    # the same contract, district and date (several dates add up; one date twice is a paste slip): at its Date
    ("PD Attendance", 1, "C5", "2"),
    # the same service and employee: her salary over the limit would count twice; at its Employee
    ("Staff", 2, "B4", "3"),
])
def test_a_row_pasted_twice_is_an_error_naming_the_first(tmp_path, sheet, row, cell, first):
    import copy
    sheets = C.valid_sheets()
    sheets[sheet].append(copy.deepcopy(sheets[sheet][row]))
    issues = check_job(C.write(tmp_path / "twice.xlsx", sheets))
    [dup] = [i for i in issues if i.severity == "error"]
    assert (dup.code, dup.sheet, dup.cell) == ("duplicate-code", sheet, cell)
    assert dup.found.endswith(f"again (first at row {first})")
    assert invoke("validate", tmp_path / "twice.xlsx").exit_code == 1


def test_one_employee_in_two_services_and_one_contract_on_two_dates_are_not_duplicates(tmp_path):
    sheets = C.valid_sheets()
    C.add_row(sheets, "Staff", {"Service code": "220", "Employee": "Teacher A", "Salary": 10_000})
    C.add_row(sheets, "PD Attendance", {"Contract": "PD-1", "District code": C.CODES[0],
                                        "Date": C.dt.date(2026, 9, 16), "Staff attending": 3})
    assert _issues(C.write(tmp_path / "ok.xlsx", sheets)) == set()


# --- a sheet saved as CSV inside a job folder ----------------------------------------------------

@pytest.mark.parametrize("named", ["job folder", "input folder"])
def test_a_csv_in_a_job_folder_is_a_skipped_file_warning(tmp_path, named):
    """The Staff sheet exported as Staff.csv beside the job's workbooks: not read, so said (at the file)."""
    inputs = tmp_path / "inputs"
    job = inputs / "valley"
    job.mkdir(parents=True)
    sheets = C.valid_sheets()
    staff = sheets.pop("Staff")
    C.write(job / "Services.xlsx", {k: sheets.pop(k) for k in ("Services", "Participation")})
    C.write(job / "Main.xlsx", sheets)
    (job / "Staff.csv").write_text("\n".join(",".join(map(str, row)) for row in staff) + "\n")
    where = job if named == "job folder" else inputs
    result = invoke("validate", where)
    assert result.exit_code == 0, result.output
    assert "Staff.csv" in result.output and "[skipped-file]" in result.output
    batch = run_batch([where], tmp_path / "out", jobs=1)
    assert batch.exit_code == 0
    [skipped] = [i for o in batch.outcomes for i in o.issues if i.code == "skipped-file"] + [
        i for i in batch.log.issues if i.code == "skipped-file"]
    assert (skipped.severity, skipped.file, skipped.found) == ("warning", "valley/Staff.csv", ".csv")
    assert "skipped-file" in (tmp_path / "out" / "CR01_2026-27" / "issues.csv").read_text()


# --- claim mode: a component with nothing claimed -------------------------------------------------

def _claimed(sheets: dict) -> dict:
    """Claim mode: each component's claimed expenses on an Aid claim sheet."""
    sheets["Aid claim"] = [["District code", "Approved administrative expense", "Approved services expense",
                            "Capital expense", "Rent expense", "Save-harmless aid"]] + [
        [code, 250_000, 90_000, 40_000, 6_000, None] for code in C.CODES[:4]]
    return sheets


def test_every_component_claimed_is_clean(tmp_path):
    assert _issues(C.write(tmp_path / "claim.xlsx", _claimed(C.valid_sheets()))) == set()


def test_a_component_without_a_claim_row_is_an_error_at_its_district_code(tmp_path):
    sheets = _claimed(C.valid_sheets())
    del sheets["Aid claim"][2]  # Berne-Knox-Westerlo, Districts row 3: it would get 0 aid
    [issue] = [i for i in check_job(C.write(tmp_path / "claim.xlsx", sheets)) if i.severity == "error"]
    assert (issue.code, issue.sheet, issue.cell) == ("claim-missing", "Districts", "A3")
    assert issue.message == f"the Aid claim has no expenses for {C.CODES[1]}"


def test_a_claim_row_with_every_expense_blank_is_an_error_at_its_first_expense(tmp_path):
    sheets = _claimed(C.valid_sheets())
    sheets["Aid claim"][3][1:] = [None] * 5  # Bethlehem Central's row (Aid claim row 4)
    assert _issues(C.write(tmp_path / "claim.xlsx", sheets)) == {("claim-missing", "Aid claim", "B4")}
    sheets["Aid claim"][3][4] = 0  # a claim of 0 typed is a claim
    assert _issues(C.write(tmp_path / "claim.xlsx", sheets)) == set()


# --- a blank Approvals cell ------------------------------------------------------------------------

def test_a_blank_approvals_cell_is_a_warning_the_check_cannot_be_made(tmp_path):
    """Services 220 (2 participants) and 910 (1) leave Approvals blank: no three-quarters check, so said at the
    cell; 101's 2 of 2 pass. Without the column at all (the valid job) nothing is said."""
    sheets = C.valid_sheets()
    C.add_column(sheets, "Services", "Approvals", [2, None, None])
    assert _issues(C.write(tmp_path / "a.xlsx", sheets), "warning") == {
        ("approvals-blank", "Services", "H3"), ("approvals-blank", "Services", "H4")}
    assert _issues(C.write(tmp_path / "b.xlsx"), "warning") == set()
