"""Building input workbooks in tests: a valid job as plain Python data, then one defect at a time."""
from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import xlsxwriter

DATA = Path(__file__).parent / "data"
#: the shipped example jobs (inputs/), as `apportion run inputs/` finds them
EXAMPLE_JOBS = ("example_valley_2026-27.xlsx", "example_ridge_2026-27")


def copy_of(folder: Path, into: Path) -> Path:
    """A copy of a shared output folder (a session fixture's) that a test may write into."""
    return Path(shutil.copytree(folder, into / folder.name))


def write_workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write ``sheets`` (name → rows, first row the headers) as an .xlsx; dates get a date format."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                           "strings_to_urls": False})
    book.set_properties({"created": dt.datetime(2026, 1, 1)})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, (dt.date, dt.datetime)):
                    ws.write_datetime(i, j, dt.datetime.combine(value, dt.time()) if not isinstance(value, dt.datetime)
                                      else value, date_format)
                elif isinstance(value, str) and value.startswith("=FORMULA:"):
                    ws.write_formula(i, j, value[len("=FORMULA:"):])  # no cached value
                else:
                    ws.write(i, j, value)
    book.close()
    return path


def boces_rows(**items) -> list[list]:
    rows = [["Item", "Value"]]
    rows += [[k, v] for k, v in items.items() if v is not None]
    return rows


def vector_rows() -> list[dict]:
    with open(DATA / "vectors" / "boces_aid_2024_25_sample.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def bedscode(sed: str) -> str:
    """A 6-digit SED code padded to the 12-digit BEDS form."""
    return sed + "0" * (12 - len(sed))


def vector_job(path: Path) -> Path:
    """The 12 published districts of the 2024-25 aid run as a claim-mode job (shared/vectors/README.md)."""
    vectors = vector_rows()
    types = {"280252": "CHSD", "280216": "CHSD component"}
    districts = [["District code", "District name", "Type", "Full value", "RWADA", "Tax levy", "PILOTs", "Budget vote"]]
    claim = [["District code", "Approved administrative expense", "Approved services expense", "Capital expense",
              "Rent expense", "Save-harmless aid", "Published admin and services aid", "Published capital aid",
              "Published rent aid", "Published total BOCES aid"]]
    for v in vectors:
        code = bedscode(v["district_code"])
        districts.append([code, v["district_name"], types.get(v["district_code"], "component"), int(v["av_2021"]),
                          int(v["rwada_2022_23"]), int(v["boces_levy_2023_24"]), 0, "yes"])
        claim.append([code] + [int(v[k]) for k in (
            "boces_approved_admin_exp_2023_24", "boces_approved_service_exp_2023_24", "boces_capital_exp_2024_25",
            "boces_rent_exp_2024_25", "boces_save_harmless_aid_2024_25", "boces_admin_shared_services_aid_2024_25",
            "boces_capital_aid_2024_25", "boces_rent_aid_2024_25", "boces_aid_total_2024_25")])
    return write_workbook(path, {
        "BOCES": boces_rows(**{"BOCES name": "Vector test BOCES", "BOCES code": "VECTORS", "School year": "2023-24",
                               "Apportionment method": "WADA", "Administrative budget": 1234567.89,
                               "Capital budget": 250000}),
        "Districts": districts,
        "Aid claim": claim,
    })


def small_sheets() -> dict[str, list[list]]:
    """A small valid job (4 components, a CHSD pair, a special act and a non-component) as editable rows."""
    return {
        "BOCES": boces_rows(**{
            "BOCES name": "Test BOCES", "BOCES code": "TEST", "School year": "2026-27",
            "Apportionment method": "WADA", "Administrative budget": 1_000_000, "Capital budget": 300_000,
            "Rent budget": 60_000, "State aid administrative": 0, "Other revenue administrative": 100_000,
            "State average AV per RWADA": 1_037_700, "Prior year method": "WADA"}),
        "Districts": [
            ["District code", "District name", "Type", "Full value", "RWADA", "Enrollment", "Tax levy", "PILOTs",
             "Budget vote", "Email", "Prior year total charges"],
            ["010100010000", "Alpha CSD", "component", 500_000_000, 1000, 950, 8_000_000, 0, "yes",
             "alpha@example.org", 300_000],
            ["010200010000", "Beta CSD", "component", 300_000_000, 600, 580, 6_000_000, 0, "yes", None, None],
            ["010300010000", "Gamma CHSD", "CHSD", 800_000_000, 1500, 1400, 7_000_000, 0, "yes", None, None],
            ["010400010000", "Delta UFSD", "CHSD component", 200_000_000, 400, 390, 2_500_000, 0, "no", None, None],
            ["010500010000", "Epsilon Home", "special act", None, 50, 45, None, None, None, None, None],
            ["010600010000", "Outside City SD", "non-component", 900_000_000, 2000, 1900, 20_000_000, 0, None, None, None],
        ],
        "Services": [
            ["Service code", "Service name", "Budget", "Unit", "Unit cost basis", "Aidable", "Transportation",
             "Salaries over limit", "Non-aidable costs", "Approvals", "Students with disabilities", "Actual cost",
             "Surplus"],
            ["S100", "Itinerant speech", 90_000, "FTE", "anticipated", "yes", "no", None, 0, 3, "no", None, 0],
            ["S200", "Special class", 200_000, "pupil", "2-year average", "yes", "no", 10_000, 5_000, 2, "yes",
             210_000, 0],
            ["S300", "Bus runs", 50_000, "run", "current", "yes", "yes", None, 0, 1, "no", None, 0],
            ["S400", "Tech support", 30_000, "device", "3-year average", "no", "no", None, 0, 1, "no", None, 3_000],
        ],
        "Participation": [
            ["District code", "Service code", "Units", "Current units", "Prior units", "Prior 2 units", "Actual units"],
            ["010100010000", "S100", 2, 0, 0, 0, None],
            ["010200010000", "S100", 1, 0, 0, 0, None],
            ["010300010000", "S100", 0.5, 0, 0, 0, None],
            ["010100010000", "S200", 0, 4, 6, 0, 5],
            ["010200010000", "S200", 0, 3, 2, 0, 4],
            ["010500010000", "S200", 0, 1, 1, 0, 1],
            ["010100010000", "S300", 0, 3, 0, 0, None],
            ["010600010000", "S300", 0, 1, 0, 0, None],
            ["010100010000", "S400", 0, 10, 11, 12, None],
            ["010200010000", "S400", 0, 5, 5, 5, None],
        ],
        "Staff": [["Service code", "Employee", "Salary"],
                  ["S100", "Speech therapist", 65_000], ["S100", "Aide", 28_000]],
        "Shared PD": [
            ["Contract", "Vendor", "Cost", "Days", "Credit or certificate", "Non-aidable costs", "Board approval date",
             "Start date"],
            ["PD-1", "Literacy Partners", 12_000, 3, "no", 2_000, dt.date(2026, 8, 5), dt.date(2026, 9, 1)],
        ],
        "PD Attendance": [["Contract", "District code", "Date", "Staff attending"],
                          ["PD-1", "010100010000", dt.date(2026, 9, 1), 5],
                          ["PD-1", "010200010000", dt.date(2026, 9, 1), 3],
                          ["PD-1", "010100010000", dt.date(2026, 9, 2), 2]],
        "Collaboration hours": [
            ["Teacher", "District code", "Course", "Quarter", "Hours", "Wants credit"],
            ["A. Teacher", "010100010000", "Biology", "2026-Q1", 5, "yes"],
            ["A. Teacher", "010100010000", "Biology", "2026-Q2", 7.5, "yes"],
            ["B. Teacher", "010200010000", "History", "2026-Q1", 25, "no"],
        ],
    }


def set_item(sheets: dict, item: str, value) -> dict:
    """Set (or add) a BOCES item in editable sheets."""
    rows = sheets["BOCES"]
    for row in rows:
        if row[0] == item:
            row[1] = value
            return sheets
    rows.append([item, value])
    return sheets


def small_job(path: Path, edit=None) -> Path:
    """Write the small job, after ``edit(sheets)`` if given."""
    sheets = small_sheets()
    if edit:
        edit(sheets)
    return write_workbook(path, sheets)
