"""Building input workbooks in tests: a valid job as plain Python data, then one defect at a time."""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import xlsxwriter

DATA = Path(__file__).parent / "data"


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
