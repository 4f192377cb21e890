"""`apportion template`: a blank workbook built from the schema, deterministic, and one the reader accepts once filled."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from apportion.cli import cli
from apportion.runner import check_job
from apportion.schema import BOCES_ITEMS, SHEET_NAMES, TABLE_SHEETS
from apportion.template import write_template

from . import corpus

COMMITTED = Path(__file__).resolve().parents[1] / "templates" / "apportion-input-template.xlsx"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    return write_template(tmp_path_factory.mktemp("template") / "fresh.xlsx")


def _contents(path: Path) -> dict:
    """Every sheet's values, comments and data validations, as openpyxl reads them."""
    book = openpyxl.load_workbook(path)
    out = {}
    for ws in book.worksheets:
        cells = {c.coordinate: (c.value, c.comment.text if c.comment else None, c.number_format)
                 for row in ws.iter_rows() for c in row if c.value is not None or c.comment is not None}
        rules = sorted((str(v.sqref), v.type, v.formula1, v.formula2, v.operator, v.errorStyle)
                       for v in ws.data_validations.dataValidation)
        out[ws.title] = (cells, rules)
    return out


def test_every_sheet_in_schema_order(fresh):
    assert openpyxl.load_workbook(fresh).sheetnames == list(SHEET_NAMES)


def test_boces_items_prefilled_values_blank(fresh):
    ws = openpyxl.load_workbook(fresh)["BOCES"]
    assert [ws.cell(1, 1).value, ws.cell(1, 2).value] == ["Item", "Value"]
    assert [ws.cell(i + 2, 1).value for i in range(len(BOCES_ITEMS))] == [f.header for f in BOCES_ITEMS]
    assert all(ws.cell(i + 2, 2).value is None for i in range(len(BOCES_ITEMS)))


def test_table_headers_with_comments_and_units(fresh):
    book = openpyxl.load_workbook(fresh)
    for spec in TABLE_SHEETS:
        ws = book[spec.name]
        assert [c.value for c in ws[1]] == [f.header for f in spec.fields]
        for j, f in enumerate(spec.fields, start=1):
            comment = ws.cell(1, j).comment.text
            assert comment.startswith(f.header)
            assert (f.unit in comment) if f.unit else True
            assert ("(required)" in comment) == f.required
    budget = book["BOCES"].cell(2 + [f.key for f in BOCES_ITEMS].index("admin_budget"), 1).comment.text
    assert "Unit: dollars" in budget and "(required)" in budget


def test_drop_downs_and_date_checks(fresh):
    book = openpyxl.load_workbook(fresh)
    rules = {str(v.sqref): v for v in book["Districts"].data_validations.dataValidation}
    assert rules["C2:C1048576"].type == "list"
    assert rules["C2:C1048576"].formula1 == '"component,CHSD,CHSD component,special act,non-component"'
    assert rules["K2:K1048576"].formula1 == '"yes,no"'
    pd_rules = {str(v.sqref): v.type for v in book["Shared PD"].data_validations.dataValidation}
    assert pd_rules["E2:E1048576"] == "list"  # credit or certificate: yes/no
    assert pd_rules["G2:G1048576"] == pd_rules["H2:H1048576"] == "date"
    method_row = 2 + [f.key for f in BOCES_ITEMS].index("method")
    boces = {str(v.sqref): v for v in book["BOCES"].data_validations.dataValidation}
    assert boces[f"B{method_row}"].formula1 == '"true value,WADA,enrollment,blend"'


def test_deterministic_bytes(fresh, tmp_path):
    assert write_template(tmp_path / "again.xlsx").read_bytes() == fresh.read_bytes()


def test_committed_copy_is_current(fresh):
    """The committed template equals a fresh one cell for cell (regenerate with `apportion template`)."""
    assert COMMITTED.exists()
    assert _contents(COMMITTED) == _contents(fresh)


def test_cli_writes_the_template(tmp_path):
    out = tmp_path / "sub" / "mine.xlsx"
    result = CliRunner().invoke(cli, ["template", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == write_template(tmp_path / "ref.xlsx").read_bytes()


def test_blank_template_reports_only_the_required_items(fresh):
    """Empty table sheets are no sheets (an empty Aid claim must not switch on claim mode)."""
    errors = [i for i in check_job(fresh) if i.severity == "error"]
    required = [f for f in BOCES_ITEMS if f.required]
    assert sorted((i.code, i.sheet, i.cell) for i in errors) == sorted(
        ("missing-item", "BOCES", f"B{2 + BOCES_ITEMS.index(f)}") for f in required)


def test_filled_template_is_a_valid_job(fresh, tmp_path):
    """Typing the valid job into the template gives a job with no errors."""
    book = openpyxl.load_workbook(fresh)
    sheets = corpus.valid_sheets()
    boces = book["BOCES"]
    rows = {boces.cell(r, 1).value: r for r in range(2, boces.max_row + 1)}
    for item, value in sheets.pop("BOCES")[1:]:
        boces.cell(rows[item], 2).value = value
    for name, table in sheets.items():
        ws = book[name]
        header = [c.value for c in ws[1]]
        for i, row in enumerate(table[1:], start=2):
            for h, value in zip(table[0], row):
                if value is not None:
                    ws.cell(i, header.index(h) + 1).value = value
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    assert [i for i in check_job(filled) if i.severity == "error"] == []
