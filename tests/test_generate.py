"""The synthetic-job generator (bench.generate) and the shipped examples (bench.examples).

Fast: only the ``boces1`` scale, written to a temporary folder. The expected
sheets and headers are spelled out here from docs/formats.md rather than taken from
the generator's own schema, so a typo there is caught.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from bench.examples import write_examples
from bench.generate import generate

REPO = Path(__file__).resolve().parents[1]

HEADERS = {
    "BOCES": ["Item", "Value"],
    "Districts": [
        "District code", "District name", "Type", "Full value", "RWADA", "Enrollment", "Aid AV",
        "Aid RWADA", "Tax levy", "PILOTs", "Budget vote", "Email", "Prior year total charges",
    ],
    "Services": [
        "Service code", "Service name", "Budget", "Unit", "Unit cost basis", "Aidable", "Transportation",
        "Salaries over limit", "Non-aidable costs", "Approvals", "Students with disabilities",
        "Actual cost", "Surplus",
    ],
    "Participation": [
        "District code", "Service code", "Units", "Current units", "Prior units", "Prior 2 units", "Actual units",
    ],
    "Staff": ["Service code", "Employee", "Salary"],
    "Shared PD": [
        "Contract", "Vendor", "Cost", "Days", "Credit or certificate", "Non-aidable costs",
        "Board approval date", "Start date",
    ],
    "PD Attendance": ["Contract", "District code", "Date", "Staff attending"],
    "Collaboration hours": ["Teacher", "District code", "Course", "Quarter", "Hours", "Wants credit"],
}  # fmt: skip
REQUIRED_ITEMS = {
    "BOCES name", "BOCES code", "School year", "Apportionment method", "Administrative budget", "Capital budget",
}  # fmt: skip


def read_tables(path: Path) -> dict[str, list[dict]]:
    """Every sheet of a workbook as a list of {header: value} rows."""
    workbook = CalamineWorkbook.from_path(str(path))
    tables = {}
    for name in workbook.sheet_names:
        header, *rows = workbook.get_sheet_by_name(name).to_python()
        tables[name] = [dict(zip(header, row)) for row in rows]
        tables[name + " headers"] = header
    return tables


@pytest.fixture(scope="module")
def boces1(tmp_path_factory) -> list[Path]:
    return generate("boces1", tmp_path_factory.mktemp("boces1"))


def test_same_arguments_give_the_same_bytes(boces1, tmp_path):
    again = generate("boces1", tmp_path)
    assert [p.name for p in again] == [p.name for p in boces1]
    for first, second in zip(boces1, again):
        assert first.read_bytes() == second.read_bytes()


def test_one_workbook_with_every_sheet_and_header(boces1):
    assert len(boces1) == 1
    tables = read_tables(boces1[0])
    for sheet, headers in HEADERS.items():
        assert tables[sheet + " headers"] == headers, sheet
        assert tables[sheet], f"{sheet} is empty"
    assert "Aid claim" not in tables  # estimate mode
    items = {row["Item"]: row["Value"] for row in tables["BOCES"]}
    assert REQUIRED_ITEMS <= items.keys()
    assert items["School year"] == "2026-27"


def test_codes_and_references(boces1):
    tables = read_tables(boces1[0])
    districts = [row["District code"] for row in tables["Districts"]]
    services = [row["Service code"] for row in tables["Services"]]
    assert len(districts) == 25 and len(services) == 300
    assert len(set(districts)) == len(districts) and len(set(services)) == len(services)
    for code in districts:
        assert isinstance(code, str) and len(code) == 12 and code.isdigit(), code
    pairs = [(row["District code"], row["Service code"]) for row in tables["Participation"]]
    assert 3_500 <= len(pairs) <= 4_500
    assert len(set(pairs)) == len(pairs), "a (district, service) appears twice"
    assert {d for d, _ in pairs} <= set(districts)
    assert {s for _, s in pairs} == set(services), "every service has participants"
    for sheet in ("PD Attendance", "Collaboration hours"):
        assert {row["District code"] for row in tables[sheet]} <= set(districts), sheet


def test_shipped_examples_are_what_the_builder_writes(tmp_path):
    built = write_examples(tmp_path)
    assert [p.relative_to(tmp_path) for p in built] == [
        Path("example_valley_2026-27.xlsx"),
        Path("example_ridge_2026-27/BOCES.xlsx"),
        Path("example_ridge_2026-27/Districts.xlsx"),
        Path("example_ridge_2026-27/Services.xlsx"),
        Path("example_ridge_2026-27/Participation.xlsx"),
    ]
    for path in built:
        shipped = REPO / "inputs" / path.relative_to(tmp_path)
        assert read_tables(shipped) == read_tables(path), f"{shipped} differs: run python -m bench.examples"
    ridge_sheets = [name for path in built[1:] for name in CalamineWorkbook.from_path(str(path)).sheet_names]
    assert sorted(ridge_sheets) == sorted(set(ridge_sheets)), "a sheet in two workbooks of the folder job"
