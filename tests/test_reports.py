"""The Excel reports: golden workbooks, number formats, statements against billing.csv, determinism, safe text.

The golden snapshots in ``tests/golden/`` hold every non-empty cell of the
summary and of two statements of the job below: its value (money as whole
cents), its number format and, for a formula, the formula. After a deliberate
change to the reports (or to a computed figure), regenerate them with

    python -m pytest tests/test_reports.py -k golden --update-golden

which rewrites them and then fails each golden test, saying so (a rewrite never
passes silently); review ``git diff tests/golden`` cell by cell, run the tests
again without the option, and commit: a changed figure there is a changed figure
on a district's bill.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from apportion import __version__
from apportion.batch import run_batch
from apportion.runner import compute_job, output_files, sha256

from .builders import boces_rows, write_workbook

GOLDEN = Path(__file__).parent / "golden"
FORMULA_NAME = '=HYPERLINK("http://x","y")'
MONEY = "#,##0.00"
RATIO = "0.000"
SUMMARY = "RPT_2026-27_summary.xlsx"
STATEMENTS = {"component": "districts/010100010000_Albany_City.xlsx",
              "non-component": "districts/010500010000_Outside_City.xlsx"}
FORMULA_STATEMENT = "districts/010201040000_HYPERLINK_http_x_y.xlsx"
SUMMARY_SHEETS = ["Summary", "Administrative", "Capital", "Method comparison", "CoSer unit costs", "CoSer charges",
                  "Aid", "Net cost", "Shared PD", "Collaboration credit", "Parameters used", "Issues", "Run"]
OPTIONAL_SHEETS = {"Shared PD", "Collaboration credit"}  # written only when the job has some (FORMATS: when present)
HEADER_LABELS = ["District code", "District name", "Email", "Total charges", "Total BOCES aid", "Net cost"]
FAKE_INPUTS = [("report_job.xlsx", "0" * 64)]


def report_sheets() -> dict[str, list[list]]:
    """A job that exercises every part of the reports: a failed vote, rent, a surplus, CoSers with an SWD true-up
    and a surplus, shared PD, collaboration, a special act and a non-component district, prior-year charges, and
    a district whose name looks like a formula."""
    return {
        "BOCES": boces_rows(**{
            "BOCES name": "Report Test BOCES", "BOCES code": "RPT", "School year": "2026-27",
            "Apportionment method": "WADA", "Administrative budget": 4_500_000, "Capital budget": 1_200_000,
            "Rent budget": 300_000, "Administrative salaries over limit": 50_000, "State aid administrative": 100_000,
            "Other revenue administrative": 25_000, "State aid capital": 50_000, "Administrative surplus": 20_000,
            "Prior year administrative budget": 4_300_000, "Excluded retirement increases": 60_000,
            "Prior year method": "WADA", "State average AV per RWADA": 1_037_700,
            "District superintendent salary": 150_000}),
        "Districts": [
            ["District code", "District name", "Type", "Full value", "RWADA", "Enrollment", "Tax levy", "PILOTs",
             "Budget vote", "Email", "Prior year total charges"],
            ["010100010000", "Albany City", "component", 5_123_456_789, 9876.5, 9000, 123_456_789, 0, "no",
             "biz@albany.example", 3_100_000],
            ["010201040000", FORMULA_NAME, "component", 1_987_654_321, 2345.25, 2200, 45_678_901, 1000, "yes",
             "a@b.example; c@d.example", 900_000],
            ["010306060000", "Berne-Knox-Westerlo Central School District", "component", 456_789_012, 812.75, 780,
             9_876_543, 0, "no", None, None],
            ["010402060000", "Special Act Home", "special act", None, 55.5, 50, None, None, None, None, None],
            ["010500010000", "Outside City", "non-component", 2_000_000_000, 3000, 2900, 50_000_000, 0, None,
             "oc@x.example", None],
        ],
        "Services": [
            ["Service code", "Service name", "Budget", "Unit", "Unit cost basis", "Aidable", "Transportation",
             "Salaries over limit", "Non-aidable costs", "Approvals", "Students with disabilities", "Actual cost",
             "Surplus"],
            ["101", "Occupational education", 1_250_000, "pupil", "2-year average", "yes", "no", 20_000, 5_000, 2,
             "no", None, 12_345.67],
            ["202", "Special education 12:1:1", 800_000, "pupil", "anticipated", "yes", "no", 0, 0, 1, "yes", 830_000,
             None],
            ["303", "Transportation", 100_000, "route", "current", "yes", "yes", None, None, 2, "no", None, None],
        ],
        "Participation": [
            ["District code", "Service code", "Units", "Current units", "Prior units", "Prior 2 units", "Actual units"],
            ["010100010000", "101", 0, 120, 110, 0, None], ["010201040000", "101", 0, 40, 45, 0, None],
            ["010500010000", "101", 0, 10, 12, 0, None], ["010100010000", "202", 12, 0, 0, 0, 13],
            ["010306060000", "202", 3, 0, 0, 0, 2], ["010402060000", "202", 4, 0, 0, 0, 4],
            ["010100010000", "303", 0, 5, 0, 0, None], ["010201040000", "303", 0, 2, 0, 0, None],
        ],
        "Shared PD": [
            ["Contract", "Vendor", "Cost", "Days", "Credit or certificate", "Non-aidable costs", "Board approval date",
             "Start date"],
            ["PD-1", "Literacy Partners", 30_000, 3, "no", 2_500, dt.date(2026, 6, 1), dt.date(2026, 9, 1)],
        ],
        "PD Attendance": [
            ["Contract", "District code", "Date", "Staff attending"],
            ["PD-1", "010100010000", dt.date(2026, 9, 1), 12], ["PD-1", "010201040000", dt.date(2026, 9, 1), 5],
            ["PD-1", "010306060000", dt.date(2026, 9, 2), 3],
        ],
        "Collaboration hours": [
            ["Teacher", "District code", "Course", "Quarter", "Hours", "Wants credit"],
            ["Pat Lee", "010100010000", "Math PLC", "2026-Q3", 7, "yes"],
            ["Pat Lee", "010100010000", "Math PLC", "2026-Q4", 8, "yes"],
            ["Sam Roe", "010201040000", "ELA PLC", "2026-Q3", 12, "no"],
        ],
    }


def build_files(folder: Path) -> dict[str, bytes]:
    """Every output file of the report job, in process (input hashes fixed so the snapshot is stable)."""
    job = write_workbook(folder / "report_job.xlsx", report_sheets())
    return output_files(compute_job(job), FAKE_INPUTS)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, bytes]:
    return build_files(tmp_path_factory.mktemp("report"))


def load(data: bytes, values: bool = True) -> openpyxl.Workbook:
    """A workbook read back: ``values`` gives formulas' cached values, else the formulas themselves."""
    return openpyxl.load_workbook(io.BytesIO(data), data_only=values)


# --- golden snapshots ----------------------------------------------------------------------------------------


def _plain(value, number_format: str):
    """A cell value as JSON: money as whole cents, other floats to 9 decimals, dates as ISO text."""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if number_format == MONEY:
        return {"cents": round(value * 100)}
    if isinstance(value, float):
        rounded = round(value, 9)
        return int(rounded) if rounded == int(rounded) and abs(rounded) < 2**53 else rounded
    return value


def snapshot(data: bytes) -> dict[str, dict[str, list]]:
    """Every non-empty cell by sheet and A1 reference: ``[value, number format, formula]`` (trailing blanks cut)."""
    values, formulas = load(data), load(data, values=False)
    out = {}
    for ws in values.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                source = formulas[ws.title][cell.coordinate]
                formula = source.value if source.data_type == "f" else ""
                value = _plain(cell.value, cell.number_format)
                if ws.title == "Run" and value == __version__:
                    value = "<version>"
                entry = [value, cell.number_format if cell.number_format != "General" else "", formula]
                while entry and entry[-1] == "":
                    entry.pop()
                cells[cell.coordinate] = entry
        out[ws.title] = cells
    return out


def golden_name(output: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", output.replace("districts/", "statement_")).replace(".xlsx", ".json")


def dump(snap: dict) -> str:
    """One cell per line, so a review diff reads cell by cell."""
    lines = ["{"]
    for i, (sheet, cells) in enumerate(snap.items()):
        lines.append(f"  {json.dumps(sheet)}: {{")
        items = list(cells.items())
        for j, (ref, entry) in enumerate(items):
            comma = "," if j < len(items) - 1 else ""
            lines.append(f"    {json.dumps(ref)}: {json.dumps(entry, ensure_ascii=False)}{comma}")
        lines.append("  }" + ("," if i < len(snap) - 1 else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def rewritten(files, update_golden) -> set[str]:
    """With ``--update-golden`` (conftest): every golden snapshot rewritten from the current code, their names."""
    if not update_golden:
        return set()
    GOLDEN.mkdir(exist_ok=True)
    for output in [SUMMARY, *STATEMENTS.values()]:
        (GOLDEN / golden_name(output)).write_text(dump(snapshot(files[output])), encoding="utf-8")
    return {SUMMARY, *STATEMENTS.values()}


def differences(expected: dict, actual: dict, limit: int = 25) -> list[str]:
    out = []
    for sheet in sorted(set(expected) | set(actual)):
        if sheet not in actual or sheet not in expected:
            out.append(f"sheet {sheet!r}: {'missing' if sheet not in actual else 'unexpected'}")
            continue
        e, a = expected[sheet], actual[sheet]
        for ref in sorted(set(e) | set(a), key=lambda r: (int(re.sub(r"\D", "", r)), len(r), r)):
            if e.get(ref) != a.get(ref):
                out.append(f"{sheet}!{ref}: expected {e.get(ref)}, found {a.get(ref)}")
    return out[:limit] + ([f"... and {len(out) - limit} more"] if len(out) > limit else [])


@pytest.mark.parametrize("output", [SUMMARY, *STATEMENTS.values()])
def test_golden_workbook(files, rewritten, output):
    path = GOLDEN / golden_name(output)
    if output in rewritten:
        pytest.fail(f"--update-golden rewrote {path}: review `git diff tests/golden`, then run the tests again "
                    "without --update-golden")
    expected = json.loads(path.read_text(encoding="utf-8"))
    diff = differences(expected, snapshot(files[output]))
    assert not diff, (f"{output} differs from {path.name} (regenerate with `python -m pytest tests/test_reports.py "
                      "-k golden --update-golden` if the change is intended, then review the diff):\n"
                      + "\n".join(diff))


# --- structure and formats -----------------------------------------------------------------------------------


def header_columns(ws, header_row: int) -> dict[str, int]:
    return {c.value: c.column for c in ws[header_row] if isinstance(c.value, str)}


def column_formats(ws, header_row: int, header: str) -> set[str]:
    col = header_columns(ws, header_row)[header]
    return {ws.cell(r, col).number_format for r in range(header_row + 1, ws.max_row + 1)
            if isinstance(ws.cell(r, col).value, (int, float))}


def test_summary_sheets_and_run_labels(files):
    book = load(files[SUMMARY])
    assert book.sheetnames == SUMMARY_SHEETS
    run = {row[0]: row[1] for row in book["Run"].iter_rows(min_col=1, max_col=2, values_only=True) if row[0]}
    assert run["BOCES"] == "Report Test BOCES (RPT)" and run["School year"] == "2026-27"
    assert book["Summary"]["A1"].value == "Report Test BOCES — 2026-27 apportionment"


def test_claim_mode_adds_the_reconciliation_sheet(vector_result):
    files = output_files(vector_result, FAKE_INPUTS)
    book = load(files["VECTORS_2023-24_summary.xlsx"])
    # the vectors job has no shared PD and no collaboration hours: those sheets are not written
    assert book.sheetnames == ([s for s in SUMMARY_SHEETS[:10] if s not in OPTIONAL_SHEETS] + ["Aid reconciliation"]
                               + SUMMARY_SHEETS[10:])
    ws = book["Aid reconciliation"]
    assert [c.value for c in ws[4]][:6] == ["District code", "District name", "Aid line", "Computed", "Published",
                                            "Difference"]


def test_money_and_ratio_formats(files):
    book = load(files[SUMMARY])
    assert column_formats(book["Administrative"], 4, "Administrative share (contingency, charged)") == {MONEY}
    assert column_formats(book["Capital"], 4, "Rent share") == {MONEY}
    assert column_formats(book["Net cost"], 4, "Net cost") == {MONEY}
    assert column_formats(book["CoSer unit costs"], 4, "Unit cost") == {MONEY}
    for header in ("Millage ratio §1950(5)(a)", "Wealth ratio §3602(3)", "RWADA ratio §3602(3)(f)(2)",
                   "Sharing ratio §1950(5)(a)", "Capital and rent ratio §1950(5)(g)"):
        assert column_formats(book["Aid"], 4, header) == {RATIO}, header
    assert column_formats(book["Aid"], 4, "Tax rate (mills) §1950(5)(a)") == {"0.0"}
    assert column_formats(book["Aid"], 4, "Total aid §1950(5)") == {"#,##0"}
    statement = load(files[STATEMENTS["component"]])["Statement"]
    labels = {statement.cell(r, 1).value: r for r in range(1, statement.max_row + 1)}
    assert statement.cell(labels["Total charges"], 2).number_format == MONEY
    assert statement.cell(labels["Sharing ratio"], 2).number_format == RATIO
    charges_header = next(r for r in range(1, statement.max_row + 1) if statement.cell(r, 1).value == "Charge")
    assert column_formats(statement, charges_header, "Amount") == {MONEY}


def test_total_rows_are_formulas_carrying_their_values(files):
    book, formulas = load(files[SUMMARY]), load(files[SUMMARY], values=False)
    ws = book["Net cost"]
    total_row = next(r for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value == "Total")
    col = header_columns(ws, 4)["Total charges"]
    letter = openpyxl.utils.get_column_letter(col)
    assert formulas["Net cost"].cell(total_row, col).value == f"=SUBTOTAL(109,{letter}5:{letter}{total_row - 1})"
    column = [ws.cell(r, col).value for r in range(5, total_row)]
    assert round(ws.cell(total_row, col).value * 100) == sum(round(v * 100) for v in column)


def evaluate(ws, formula: str) -> float:
    """The value of a formula of the kinds the reports write: SUBTOTAL(109,range), SUM(range), A1-B1-C1."""
    m = re.fullmatch(r"=(?:SUBTOTAL\(109,|SUM\()([A-Z]+\d+):([A-Z]+\d+)\)", formula)
    if m:
        return sum(c.value or 0 for row in ws[f"{m[1]}:{m[2]}"] for c in row)
    m = re.fullmatch(r"=([A-Z]+\d+)((?:-[A-Z]+\d+)+)", formula)
    assert m, f"a formula the reports do not write: {formula}"
    return ws[m[1]].value - sum(ws[ref].value for ref in m[2].split("-")[1:])


@pytest.mark.parametrize("output", [SUMMARY, *STATEMENTS.values()])
def test_every_formula_computes_its_cached_value(files, output):
    values, formulas = load(files[output]), load(files[output], values=False)
    checked = 0
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cached = values[ws.title][cell.coordinate].value
                    assert round(evaluate(values[ws.title], cell.value) * 100) == round(cached * 100), \
                        f"{ws.title}!{cell.coordinate} {cell.value}"
                    checked += 1
    assert checked >= (1 if "Outside" in output else 2)  # the charges total, and a component's aid total


def test_statement_header_block_is_the_mail_contract(files):
    for output in [*STATEMENTS.values(), FORMULA_STATEMENT]:
        ws = load(files[output])["Statement"]
        assert ws["A1"].value == "Report Test BOCES — statement for 2026-27"
        column_a = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
        for label in HEADER_LABELS:
            assert column_a.count(label) == 1, (output, label)
            assert column_a.index(label) < 12  # near the top
        assert ws.cell(column_a.index("District code") + 1, 2).value == Path(output).name[:12]


def test_statement_total_charges_equal_billing_csv(files):
    billed: dict[str, int] = {}
    for row in csv.DictReader(io.StringIO(files["billing.csv"].decode("utf-8"))):
        billed[row["district_code"]] = billed.get(row["district_code"], 0) + int(Decimal(row["amount"]) * 100)
    statements = {name[10:22]: data for name, data in files.items()
                  if name.startswith("districts/") and name.endswith(".xlsx")}
    assert set(statements) == set(billed)
    for code, data in statements.items():
        ws = load(data)["Statement"]
        labels = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
        assert round(ws.cell(labels["Total charges"], 2).value * 100) == billed[code], code
        header = labels["Charge"]
        amount = header_columns(ws, header)["Amount"]
        end = next(r for r in range(header + 1, ws.max_row + 1) if ws.cell(r, 1).value == "Total")
        amounts = [ws.cell(r, amount).value for r in range(header + 1, end)]
        assert sum(round(a * 100) for a in amounts) == billed[code], code


def test_statement_prints_portrait_on_one_page_with_page_numbers(files):
    """The report job's statement is a typical one: portrait, fitted to one page (one page wide, one high)."""
    with zipfile.ZipFile(io.BytesIO(files[STATEMENTS["component"]])) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        workbook = z.read("xl/workbook.xml").decode()
    assert 'orientation="portrait"' in sheet and 'fitToPage="1"' in sheet
    assert "fitToWidth" not in sheet and "fitToHeight" not in sheet  # absent means one page
    assert "&amp;P of &amp;N" in sheet
    assert "_xlnm.Print_Titles" in workbook


def test_summary_has_three_charts_over_its_own_tables(files):
    with zipfile.ZipFile(io.BytesIO(files[SUMMARY])) as z:
        charts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        xml = "".join(z.read(n).decode() for n in charts)
    assert len(charts) == 3
    assert "Administrative!$B$5:$B$8" in xml and "Aid!$B$5:$B$8" in xml and "'Net cost'!$B$5:$B$9" in xml


def test_long_tables_are_plain_ranges_with_a_filter_and_formula_totals():
    """A table over MAX_TABLE_ROWS rows has no table part: a header row with the sheet's one autofilter,
    a frozen header and the same SUBTOTAL totals, each carrying its value; a short one stays a table."""
    import pandas as pd

    from apportion.writers.styles import new_workbook
    from apportion.writers.tables import MAX_TABLE_ROWS, Col, write_table
    n = MAX_TABLE_ROWS + 1
    long = pd.DataFrame({"code": [f"D{i:04d}" for i in range(n)], "amount": range(n)})
    columns = [Col("Code", "code"), Col("Amount", "amount", "cents", total=True)]
    buffer = io.BytesIO()
    book, st = new_workbook(buffer, dt.datetime(2026, 7, 1), "test")
    ws = book.add_worksheet("Long")
    placed = write_table(ws, st, long, columns, first_row=3, freeze_cols=1)
    write_table(ws, st, long, columns, first_row=placed.next_row)  # a second long table: no second filter
    write_table(book.add_worksheet("Short"), st, long.head(3), columns, name="Short")
    book.close()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as z:
        assert [n for n in z.namelist() if n.startswith("xl/tables/")] == ["xl/tables/table1.xml"]
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<autoFilter") == 1 and '<autoFilter ref="A4:B505"/>' in sheet
    assert '<pane xSplit="1" ySplit="4"' in sheet
    values, formulas = load(buffer.getvalue()), load(buffer.getvalue(), values=False)
    assert [c.value for c in values["Long"][4]] == ["Code", "Amount"]
    total = formulas["Long"].cell(4 + n + 1, 2)
    assert total.value == f"=SUBTOTAL(109,B5:B{4 + n})" and values["Long"].cell(4 + n + 1, 1).value == "Total"
    assert round(values["Long"].cell(4 + n + 1, 2).value * 100) == sum(range(n))


def test_statements_keep_their_charges_table(files):
    with zipfile.ZipFile(io.BytesIO(files[STATEMENTS["component"]])) as z:
        assert 'name="Charges"' in z.read("xl/tables/table1.xml").decode()


# --- determinism and safe text -------------------------------------------------------------------------------


def test_same_inputs_same_bytes(files, tmp_path):
    again = build_files(tmp_path)
    assert sorted(again) == sorted(files)
    for name, data in files.items():
        assert again[name] == data, name


def test_batch_run_is_deterministic_and_records_input_hashes(tmp_path):
    (tmp_path / "in").mkdir()
    job = write_workbook(tmp_path / "in" / "report_job.xlsx", report_sheets())
    outputs = []
    for name in ("a", "b"):
        batch = run_batch([tmp_path / "in"], tmp_path / name, jobs=1)
        assert batch.exit_code == 0
        outputs.append(tmp_path / name / "RPT_2026-27")
    for path in sorted(p for p in outputs[0].rglob("*") if p.is_file()):
        assert path.read_bytes() == (outputs[1] / path.relative_to(outputs[0])).read_bytes(), path.name
    run = load((outputs[0] / SUMMARY).read_bytes())["Run"]
    rows = [tuple(c.value for c in row[:2]) for row in run.iter_rows()]
    assert ("report_job.xlsx", sha256(job)) in rows


def test_formula_looking_name_stays_text(files):
    summary = load(files[SUMMARY], values=False)
    found = {}
    for ws in summary.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value == FORMULA_NAME:
                    assert cell.data_type == "s", f"{ws.title}!{cell.coordinate}"
                    found[ws.title] = found.get(ws.title, 0) + 1
                elif cell.data_type == "f":
                    assert "HYPERLINK" not in str(cell.value), f"{ws.title}!{cell.coordinate}"
    assert {"Summary", "Administrative", "Aid", "Net cost"} <= set(found)
    ws = load(files[FORMULA_STATEMENT], values=False)["Statement"]
    name = next(ws.cell(r, 2) for r in range(1, 15) if ws.cell(r, 1).value == "District name")
    assert name.value == FORMULA_NAME and name.data_type == "s"
    assert not any(c.data_type == "f" and "HYPERLINK" in str(c.value) for row in ws.iter_rows() for c in row)
