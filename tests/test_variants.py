"""What-if variants (`run --set … --variant NAME --compare`) and year over year from the prior year's
output folder (rules §9; docs/formats.md, Command line)."""
from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from click.testing import CliRunner

from apportion.cli import cli

from .builders import set_item, small_job, small_sheets, write_workbook

ALPHA, BETA = "010100010000", "010200010000"
STATEMENT = "districts/010100010000_Alpha_CSD.xlsx"


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def cells(path, skip_rows=()) -> list:
    """Every value of a workbook's first sheet, but the rows in ``skip_rows`` (1-based)."""
    ws = openpyxl.load_workbook(path).worksheets[0]
    return [row for i, row in enumerate(ws.iter_rows(values_only=True), 1) if i not in skip_rows]


def test_set_variant_equals_a_run_on_an_edited_workbook(tmp_path):
    job = small_job(tmp_path / "job.xlsx")
    before = job.read_bytes()
    out = tmp_path / "out"
    result = invoke("run", job, "-o", out, "--jobs", 1, "--set", "Administrative budget=4,500,000",
                    "--set", "apportionment method = true value", "--variant", "board-draft")
    assert result.exit_code == 0, result.output
    assert job.read_bytes() == before  # the inputs are never touched
    variant = out / "TEST_2026-27_board-draft"
    assert not (out / "TEST_2026-27").exists()  # the base run's folder is left alone

    def edit(sheets):
        set_item(sheets, "Administrative budget", 4_500_000)
        set_item(sheets, "Apportionment method", "true value")
    (tmp_path / "edited").mkdir()
    edited = small_job(tmp_path / "edited" / "job.xlsx", edit)  # the same file name, so issues.csv can match
    assert invoke("run", edited, "-o", tmp_path / "plain", "--jobs", 1).exit_code == 0
    plain = tmp_path / "plain" / "TEST_2026-27"
    for name in ("billing.csv", "aid.csv", "issues.csv"):
        assert (variant / name).read_bytes() == (plain / name).read_bytes(), name
    # the statement is the edited run's, but for its status line (row 3), which says it is a what-if
    assert cells(variant / STATEMENT, skip_rows={3}) == cells(plain / STATEMENT, skip_rows={3})
    status = cells(variant / STATEMENT)[2][0]
    assert status == cells(plain / STATEMENT)[2][0] + " · what-if variant 'board-draft': not the adopted figures"
    # the Run sheet records what was changed and what the workbook said
    run = {r[0]: r[1] for r in openpyxl.load_workbook(variant / "TEST_2026-27_board-draft_summary.xlsx")["Run"]
           .iter_rows(values_only=True) if r[0]}
    assert run["What-if variant"] == "board-draft"
    assert run["Set with --set: Administrative budget"] == "4,500,000 (workbook: 1000000)"
    assert run["Set with --set: apportionment method"] == "true value (workbook: WADA)"
    basis = json.loads((variant / "basis.json").read_text())
    assert basis["variant"] == "board-draft" and basis["settings_changed"][0] == ["Administrative budget", "4,500,000"]


def test_compare_writes_the_comparison_with_the_base_run(tmp_path):
    job = small_job(tmp_path / "job.xlsx")
    result = invoke("run", job, "-o", tmp_path / "out", "--set", "Administrative budget=1,100,000",
                    "--variant", "plus-10", "--compare")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / "TEST_2026-27_plus-10" / "comparison.csv").read_text())))
    # the administrative pool grows 100,000 (1,100,000 − 100,000 other revenue, from 900,000): Alpha's share
    # 1000/3550 of it is 28,169.01, all pool size; its basis share did not change
    alpha = next(r for r in rows if r["district_code"] == ALPHA and r["category"] == "administrative")
    assert (alpha["change"], alpha["part_1"], alpha["part_2"]) == ("28169.01", "28169.01", "0.00")
    boces = next(r for r in rows if r["district_name"] == "BOCES total" and r["category"] == "total charges")
    assert boces["change"] == "100000.00"
    book = openpyxl.load_workbook(tmp_path / "out" / "TEST_2026-27_plus-10" / "comparison.xlsx")
    values = [r[:2] for r in book["Comparison"].iter_rows(values_only=True)]
    assert ("Setting changed: Administrative budget", "1,100,000") in values


def test_a_bad_set_is_the_error_the_workbook_would_get_at_set(tmp_path):
    job = small_job(tmp_path / "job.xlsx")
    result = invoke("run", job, "-o", tmp_path / "out", "--set", "Capital budget=lots", "--set", "Admin budgt=5",
                    "--variant", "v")
    assert result.exit_code == 1
    issues = list(csv.DictReader(io.StringIO((tmp_path / "out" / "TEST_2026-27_v" / "issues.csv").read_text())))
    by_code = {i["code"]: i for i in issues}
    assert by_code["not-money"]["file"] == "command line --set" and by_code["not-money"]["column"] == "Capital budget"
    assert by_code["not-money"]["found"] == '"lots" (text)'
    unknown = by_code["unknown-set-item"]
    assert unknown["file"] == "command line --set" and unknown["column"] == "Admin budgt"
    # the same value typed in the workbook is the same error, at its cell
    sheets = small_sheets()
    set_item(sheets, "Capital budget", "lots")
    typed = write_workbook(tmp_path / "typed.xlsx", sheets)
    invoke("run", typed, "-o", tmp_path / "typed-out")
    typed_issue = next(i for i in csv.DictReader(io.StringIO((tmp_path / "typed-out" / "TEST_2026-27" / "issues.csv")
                                                            .read_text())) if i["code"] == "not-money")
    assert (typed_issue["message"], typed_issue["expected"], typed_issue["found"]) == \
        (by_code["not-money"]["message"], by_code["not-money"]["expected"], by_code["not-money"]["found"])
    assert typed_issue["cell"] == "B7"  # Capital budget is the sixth item, under the Item | Value header


def test_usage_errors(tmp_path):
    job = small_job(tmp_path / "job.xlsx")
    assert invoke("run", job, "-o", tmp_path / "o", "--set", "Rent budget=1").exit_code == 2  # no --variant
    assert invoke("run", job, "-o", tmp_path / "o", "--set", "Rent budget", "--variant", "v").exit_code == 2
    assert invoke("run", job, "-o", tmp_path / "o", "--variant", "../x").exit_code == 2
    assert invoke("run", job, "-o", tmp_path / "o", "--compare").exit_code == 2


def _two_years(tmp_path, edit=None):
    last = small_job(tmp_path / "last.xlsx", lambda s: set_item(s, "School year", "2025-26"))
    this = small_job(tmp_path / "this.xlsx", edit)
    out = tmp_path / "out"
    assert invoke("run", last, "-o", out).exit_code == 0
    return this, out


def test_year_over_year_from_the_prior_years_output_folder(tmp_path):
    this, out = _two_years(tmp_path, lambda s: set_item(s, "Administrative budget", 1_400_000))
    result = invoke("run", this, "-o", out)
    assert result.exit_code == 0, result.output
    folder = out / "TEST_2026-27"
    book = openpyxl.load_workbook(folder / "TEST_2026-27_summary.xlsx")
    rows = list(book["Year over year"].iter_rows(values_only=True))
    header = rows.index(("District code", "District name", "Category", "Prior (2025-26)", "This year (2026-27)", "Change",
                         "Change %"))
    table = {(r[0], r[2]): r[3:] for r in rows[header + 1:] if r[0]}
    # Beta: administrative pool 900,000 → 1,300,000 at 600/3550: 152,112.676 → 152,112.67 (largest remainder:
    # its .676 is not among the largest, so it is floored) → 219,718.309 → 219,718.31; change 67,605.64
    assert table[(BETA, "Administrative")][:3] == (152112.67, 219718.31, 67605.64)
    assert table[(BETA, "Capital")][:3] == (50704.23, 50704.23, 0)
    assert set(c for _, c in table) == {"Administrative", "Capital", "Rent", "CoSer services", "Shared PD",
                                        "Total charges", "BOCES aid", "Net cost"}
    # the statement shows the same, by category
    statement = [r for r in cells(folder / "districts" / "010200010000_Beta_CSD.xlsx")]
    start = statement.index(("Change from 2025-26, by category",) + (None,) * (len(statement[0]) - 1))
    head = next(i for i in range(start, len(statement)) if statement[i][0] == "Category")
    assert statement[head][:5] == ("Category", "Prior (2025-26)", "This year (2026-27)", "Change", "Change %")
    assert statement[head + 1][:4] == ("Administrative", 152112.67, 219718.31, 67605.64)
    # the Net cost sheet's prior-year charges: Alpha's typed 300,000 wins; Beta's comes from the folder
    net = list(book["Net cost"].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(net) if r[0] == "District code")
    col = net[head].index("Prior year charges")
    prior = {r[0]: r[col] for r in net[head + 1:] if r[0]}
    beta_total = table[(BETA, "Total charges")][0]
    assert prior[ALPHA] == 300000 and prior[BETA] == beta_total
    # Beta's net cost moves by more than 25 %: a warning naming both figures
    issues = list(csv.DictReader(io.StringIO((folder / "issues.csv").read_text())))
    moved = {i["found"].split(":")[0]: i["message"] for i in issues if i["code"] == "net-cost-change"}
    assert "Beta CSD's net cost moves from $200,106.54 (2025-26) to $262,469.18 (2026-27), +31.16 %" in moved[BETA]
    # with a higher threshold there is none
    assert invoke("run", this, "-o", out, "--warn-change", 50).exit_code == 0
    issues = (folder / "issues.csv").read_text()
    assert "net-cost-change" not in issues


def test_prior_given_must_be_a_job_output(tmp_path):
    this, out = _two_years(tmp_path)
    assert invoke("run", this, "-o", tmp_path / "elsewhere", "--prior", out / "TEST_2025-26").exit_code == 0
    assert "Year over year" in openpyxl.load_workbook(
        tmp_path / "elsewhere" / "TEST_2026-27" / "TEST_2026-27_summary.xlsx").sheetnames
    (tmp_path / "not a run").mkdir()
    result = invoke("run", this, "-o", tmp_path / "again", "--prior", tmp_path / "not a run")
    assert result.exit_code == 1 and "prior-year-missing" in result.output
    result = invoke("run", this, "-o", tmp_path / "again", "--prior", tmp_path / "nowhere")
    assert result.exit_code == 2 and "does not exist" in result.output
    # without a prior-year folder nothing changes: no sheet, no warning
    assert invoke("run", this, "-o", tmp_path / "alone").exit_code == 0
    assert "Year over year" not in openpyxl.load_workbook(
        tmp_path / "alone" / "TEST_2026-27" / "TEST_2026-27_summary.xlsx").sheetnames


def test_a_mistyped_prior_folder_is_a_usage_error_and_keeps_the_report(tmp_path):
    job, out = small_job(tmp_path / "job.xlsx"), tmp_path / "out"
    assert invoke("run", job, "-o", out).exit_code == 0
    report = out / "TEST_2026-27"
    before = sorted(p.relative_to(report) for p in report.rglob("*"))
    result = invoke("run", job, "-o", out, "--prior", tmp_path / "no such folder")
    assert result.exit_code == 2 and "does not exist" in result.output
    assert sorted(p.relative_to(report) for p in report.rglob("*")) == before  # nothing replaced or removed


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_set_value_is_an_error_not_the_default(tmp_path, value):
    """--set "Rent budget=" read as blank would set the rent budget to its default, 0, with nothing said."""
    job = small_job(tmp_path / "job.xlsx")
    result = invoke("run", job, "-o", tmp_path / "out", "--set", f"Rent budget={value}", "--variant", "v")
    assert result.exit_code == 1
    [empty] = [i for i in csv.DictReader(io.StringIO((tmp_path / "out" / "TEST_2026-27_v" / "issues.csv").read_text()))
               if i["severity"] == "error"]
    assert (empty["code"], empty["file"], empty["column"]) == ("empty-set-value", "command line --set", "Rent budget")
    assert "[empty-set-value]" in result.output
