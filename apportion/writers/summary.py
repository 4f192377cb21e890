"""The BOCES-wide summary workbook (FORMATS.md, Outputs: ``<code>_<year>_summary.xlsx``)."""
from __future__ import annotations

import io
from datetime import datetime

import pandas as pd

from .. import __version__
from ..result import Result
from .styles import new_workbook
from .tables import Col, write_table, write_value

AID_COLUMNS = [
    Col("District code", "district_code", width=14), Col("District name", "district_name", width=26),
    Col("Type", "type", width=14),
    Col("Aid AV", "aid_av", "cents", 18), Col("Aid RWADA", "aid_rwada_units", "units", 12),
    Col("Tax levy", "tax_levy", "cents", 16), Col("Tax rate (mills) §1950(5)(a)", "tax_rate_tenths", "mills", 12),
    Col("Millage ratio", "millage_ratio", "ratio", 10), Col("AV per RWADA", "av_per_rwada", "dollars", 14),
    Col("Wealth ratio §3602(3)", "wealth_ratio", "ratio", 10), Col("RWADA ratio §3602(3)(f)", "rwada_ratio", "ratio", 10),
    Col("Sharing ratio", "sharing_ratio", "ratio", 10), Col("Decided by", "ratio_source", width=11),
    Col("Capital ratio §1950(5)(g)", "capital_ratio", "ratio", 10),
    Col("Approved admin expense", "approved_admin", "dollars", 14, True),
    Col("Approved services expense", "approved_services", "dollars", 14, True),
    Col("Capital expense", "capital_expense", "dollars", 14, True), Col("Rent expense", "rent_expense", "dollars", 14, True),
    Col("Admin aid", "admin_aid", "dollars", 13, True), Col("Services aid", "services_aid", "dollars", 13, True),
    Col("Capital aid", "capital_aid", "dollars", 13, True), Col("Rent aid", "rent_aid", "dollars", 13, True),
    Col("Save-harmless aid", "save_harmless_aid", "dollars", 13, True), Col("Total aid", "total_aid", "dollars", 14, True),
]


def created_at(result: Result) -> datetime:
    """A fixed workbook timestamp taken from the inputs (the school year's first day), never the clock."""
    return datetime(result.job.settings.school_year.start, 7, 1)


def write_summary(result: Result, inputs: list[tuple[str, str]]) -> bytes:
    """The summary workbook as bytes; ``inputs`` lists (file name, SHA-256)."""
    buffer = io.BytesIO()
    s = result.job.settings
    book, f = new_workbook(buffer, created_at(result), f"{s.boces_name} {s.school_year} apportionment")
    _summary_sheet(book, f, result)
    shares = result.apportionment.reset_index()
    for sheet, column, label in (("Administrative", "administrative", "Administrative share"),
                                 ("Capital", "capital", "Capital share")):
        ws = book.add_worksheet(sheet)
        cols = [Col("District code", "district_code"), Col("District name", "district_name", width=28),
                Col("Type", "type"), Col(f"Basis ({result.notes['basis_label']})", "basis_value", "units", 18),
                Col("Share %", "share_percent", "percent", 12), Col(label, column, "cents", 16, True)]
        if sheet == "Administrative" and "administrative_proposed" in shares:
            cols.insert(5, Col("Share of proposed budget", "administrative_proposed", "cents", 16, True))
        if sheet == "Administrative":
            cols.append(Col("Administrative surplus (credit −)", "administrative_surplus", "cents", 16, True))
        if sheet == "Capital":
            cols.append(Col("Rent share", "rent", "cents", 16, True))
        frame = shares.assign(basis_value=shares["basis"].map(lambda v: int(v) / result.notes["basis_scale"]))
        ws.freeze_panes(1, 2)
        write_table(ws, f, frame, cols, name=sheet.replace(" ", ""))
    _comparison_sheet(book, f, result)
    _coser_sheets(book, f, result)
    ws = book.add_worksheet("Aid")
    ws.freeze_panes(1, 2)
    aid = result.aid.reset_index()
    aid["aid_rwada_units"] = aid["aid_rwada"].map(lambda v: None if pd.isna(v) else int(v) / 10**6)
    write_table(ws, f, aid, AID_COLUMNS, name="Aid")
    _net_sheet(book, f, result)
    if len(result.contracts):
        ws = book.add_worksheet("Shared PD")
        frame = result.shared_pd.assign(staff_units=result.shared_pd["staff"] / 10**6,
                                        vendor=result.shared_pd["contract"].map(result.contracts["vendor"]))
        write_table(ws, f, frame, [Col("Contract", "contract"), Col("Vendor", "vendor", width=24),
                                   Col("District code", "district_code"), Col("Staff attending", "staff_units", "units"),
                                   Col("Charge", "charge", "cents", 16, True)], name="SharedPD")
    if len(result.collaboration):
        ws = book.add_worksheet("Collaboration credit")
        frame = result.collaboration.assign(hours_units=result.collaboration["hours"] / 10**6)
        write_table(ws, f, frame,
                    [Col("Teacher", "teacher", width=24), Col("District code", "district_code"),
                     Col("Quarters", "quarters", "number", 10), Col("Registered at end of", "registered_quarter"),
                     Col("Hours", "hours_units", "units", 10, True), Col("Credits", "credits", "number", 10, True)],
                    name="Collaboration")
    if result.reconciliation is not None:
        ws = book.add_worksheet("Aid reconciliation")
        write_table(ws, f, result.reconciliation, [
            Col("District code", "district_code"), Col("District name", "district_name", width=26),
            Col("Line", "line", width=22), Col("Computed", "computed", "dollars", 14),
            Col("Published", "published", "dollars", 14), Col("Difference", "difference", "dollars", 14)],
            name="Reconciliation")
    _parameters_sheet(book, f, result)
    _issues_sheet(book, f, result)
    _run_sheet(book, f, result, inputs)
    book.close()
    return buffer.getvalue()


def _summary_sheet(book, f, result: Result) -> None:
    s = result.job.settings
    ws = book.add_worksheet("Summary")
    ws.set_column(0, 0, 48)
    ws.set_column(1, 1, 20)
    ws.write_string(0, 0, f"{s.boces_name} — {s.school_year} apportionment", f["title"])
    ws.write_string(1, 0, f"BOCES code {s.boces_code}; method: {s.method}; rounding: {s.rounding}; "
                    f"aid: {result.aid_mode} mode", f["subtitle"])
    row = 3
    ws.write_string(row, 0, "From budget to pool", f["label"])
    row += 1
    for label, cents in result.pools.items():
        if cents is None:
            continue
        ws.write_string(row, 0, label, f["text"])
        write_value(ws, row, 1, cents, "cents", f)
        row += 1
    row += 1
    vote = result.vote
    ws.write_string(row, 0, "Administrative budget vote", f["label"])
    text = ("no vote recorded" if not vote["recorded"] else
            f"{vote['yes']} yes, {vote['no']} no — {'adopted' if vote['adopted'] else 'failed: contingency budget'}")
    ws.write_string(row, 1, text, f["text"])
    row += 2
    totals = [("Total charges to districts", int(result.billing["amount"].sum()), "cents"),
              ("Total BOCES aid (estimate)" if result.aid_mode == "estimate" else "Total BOCES aid",
               int(result.aid["total_aid"].sum()), "dollars"),
              ("Net cost to districts", int(result.net["net_cost"].sum()), "cents")]
    for label, value, kind in totals:
        ws.write_string(row, 0, label, f["label"])
        write_value(ws, row, 1, value, kind, f)
        row += 1
    warnings = len(result.log.warnings)
    row += 1
    ws.write_string(row, 0, f"Warnings: {warnings} (see the Issues sheet)", f["text"])
    if result.aid_mode == "estimate":
        ws.write_string(row + 1, 0, "Aid is an estimate: the next year's ratios are applied to all four lines; capital "
                        "and rent are in truth aided in the year paid (Educ. Law §1950(5)(g)).", f["subtitle"])
    if result.reconciliation is not None:
        agree = int((result.reconciliation["difference"] == 0).sum())
        ws.write_string(row + 2, 0, f"Aid reconciliation: {agree} of {len(result.reconciliation)} published lines agree",
                        f["label"])


def _comparison_sheet(book, f, result: Result) -> None:
    ws = book.add_worksheet("Method comparison")
    frame = result.comparison.reset_index()
    cols = [Col("District code", "district_code"), Col("District name", "district_name", width=28)]
    cols += [Col(c, c, "cents", 16, True) for c in frame.columns if c not in ("district_code", "district_name")]
    ws.freeze_panes(1, 2)
    write_table(ws, f, frame, cols, name="MethodComparison")


def _coser_sheets(book, f, result: Result) -> None:
    services = result.services.reset_index(drop=True)
    ws = book.add_worksheet("CoSer unit costs")
    frame = services.assign(units_total=services["total_weight"] / services["divisor"] / 10**6,
                            approvals_n=services["approvals"].map(lambda v: None if pd.isna(v) else int(v) / 10**6),
                            aidable=services["aidable_num"] / services["aidable_den"])
    write_table(ws, f, frame, [
        Col("Service code", "service_code"), Col("Service name", "service_name", width=30), Col("Unit", "unit"),
        Col("Unit cost basis", "basis"), Col("Budget", "budget", "cents", 16, True),
        Col("Basis units", "units_total", "units"), Col("Unit cost", "unit_cost", "cents"),
        Col("Participants", "participants", "number", 10), Col("Approvals", "approvals_n", "number", 10),
        Col("Needed (¾)", "approvals_needed", "number", 10), Col("Salaries over limit", "salaries_over_limit", "cents"),
        Col("Aidable fraction", "aidable", "weight"), Col("Final cost (SWD)", "final_cost", "cents", 16, True),
        Col("Surplus", "surplus", "cents", 14, True)], name="CoSerUnitCosts")
    ws = book.add_worksheet("CoSer charges")
    coser = result.billing[result.billing["category"].str.startswith("coser")]
    frame = coser.assign(units_value=coser["units"].map(lambda v: None if v is None else float(v)))
    ws.freeze_panes(1, 2)
    write_table(ws, f, frame, [
        Col("District code", "district_code"), Col("District name", "district_name", width=26),
        Col("Category", "category", width=16), Col("Service code", "item_code"), Col("Service", "item_name", width=28),
        Col("Units", "units_value", "units"), Col("Unit cost", "unit_cost", "cents"),
        Col("Amount", "amount", "cents", 16, True)], name="CoSerCharges")


def _net_sheet(book, f, result: Result) -> None:
    ws = book.add_worksheet("Net cost")
    net = result.net.reset_index()
    net["tax_impact"] = net["tax_impact_per_1000_x10000"].map(lambda v: None if pd.isna(v) else int(v) / 10_000)
    ws.freeze_panes(1, 2)
    write_table(ws, f, net, [
        Col("District code", "district_code"), Col("District name", "district_name", width=28), Col("Type", "type"),
        Col("Total charges", "total_charges", "cents", 16, True), Col("BOCES aid", "total_aid", "dollars", 14, True),
        Col("Net cost", "net_cost", "cents", 16, True), Col("Prior year charges", "prior_total_charges", "cents", 16, True),
        Col("Change", "change", "cents", 14, True), Col("Change %", "change_percent", "percent", 10),
        Col("Tax impact per $1,000 full value", "tax_impact", "number", 14)], name="NetCost")


def _parameters_sheet(book, f, result: Result) -> None:
    ws = book.add_worksheet("Parameters used")
    rows = [{"name": pv.name, "label": pv.parameter.label, "value": str(float(pv.value)) if pv.value.denominator != 1
             else str(pv.value), "unit": pv.parameter.unit, "year": str(pv.year), "effective": pv.effective.isoformat(),
             "keyed_on": pv.parameter.keyed_on, "citation": pv.parameter.citation}
            for pv in sorted(result.parameters.values(), key=lambda v: v.name)]
    write_table(ws, f, pd.DataFrame(rows), [
        Col("Parameter", "name", width=36), Col("Label", "label", width=32), Col("Value", "value", width=12),
        Col("Unit", "unit", width=12), Col("For year", "year", width=10), Col("Effective", "effective", width=12),
        Col("Keyed on", "keyed_on", width=12), Col("Citation", "citation", width=90)], name="Parameters")


def _issues_sheet(book, f, result: Result) -> None:
    ws = book.add_worksheet("Issues")
    frame = pd.DataFrame([i.as_dict() for i in result.log.sorted()],
                         columns=["severity", "code", "file", "sheet", "cell", "column", "expected", "found", "message"])
    write_table(ws, f, frame, [Col("Severity", "severity", width=9), Col("Code", "code", width=24),
                               Col("File", "file", width=24), Col("Sheet", "sheet"), Col("Cell", "cell", width=7),
                               Col("Column", "column", width=20), Col("Expected", "expected", width=28),
                               Col("Found", "found", width=24), Col("Message", "message", width=80)], name="Issues")


def _run_sheet(book, f, result: Result, inputs: list[tuple[str, str]]) -> None:
    s = result.job.settings
    ws = book.add_worksheet("Run")
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 70)
    rows = [("apportion version", __version__), ("BOCES", f"{s.boces_name} ({s.boces_code})"),
            ("School year", str(s.school_year)), ("Aid year", str(s.school_year.aid_year())),
            ("Method", s.method), ("Rounding", s.rounding), ("Aid mode", result.aid_mode)]
    for i, (label, value) in enumerate(rows):
        ws.write_string(i, 0, label, f["label"])
        ws.write_string(i, 1, value, f["text"])
    start = len(rows) + 1
    write_table(ws, f, pd.DataFrame(inputs, columns=["file", "sha256"]),
                [Col("Input file", "file", width=30), Col("SHA-256", "sha256", width=70)], first_row=start, name="Inputs")
