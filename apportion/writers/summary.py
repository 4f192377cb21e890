"""The BOCES-wide summary workbook (FORMATS.md, Outputs: ``<code>_<year>_summary.xlsx``).

Sheets: Summary (key figures, budget to pool, the vote, charges and aid by
line, charts), then one sheet per result table, each with a title, a line
saying how its figures are made, and an Excel table with a frozen header.
This module also holds the report vocabulary the statements share: the
charge categories and the aid working in statute order (:data:`AID_LINES`).
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

import pandas as pd
from xlsxwriter.utility import xl_rowcol_to_cell

from .. import __version__
from ..errors import ISSUE_FIELDS
from ..result import Result
from ..schema import BOCES_ITEMS
from .charts import place_charts, summary_charts
from .styles import CODE_WIDTH, NAME_WIDTH, Styles, new_workbook, printable
from .tables import Col, Formula, Placed, gc_paused, write_note, write_pairs, write_section, write_table

CATEGORY_LABELS = {
    "administrative": "Administrative", "capital": "Capital", "rent": "Rent",
    "administrative surplus": "Administrative surplus", "coser": "CoSer",
    "coser adjustment": "CoSer true-up (SWD)", "coser surplus": "CoSer surplus", "shared pd": "Shared PD",
}


@dataclass(frozen=True)
class AidLine:
    """One step of the aid working: result column, label, kind of value and the law that sets it."""

    key: str
    label: str
    kind: str
    law: str

    @property
    def header(self) -> str:
        return f"{self.label} {self.law}"


AID_LINES = [  # statute order: ratios, then approved expenses, then aid (SPEC §5)
    AidLine("tax_rate_tenths", "Tax rate (mills)", "mills", "§1950(5)(a)"),
    AidLine("millage_ratio", "Millage ratio", "ratio", "§1950(5)(a)"),
    AidLine("av_per_rwada", "AV per RWADA", "dollars", "§3602(3)"),
    AidLine("wealth_ratio", "Wealth ratio", "ratio", "§3602(3)"),
    AidLine("rwada_ratio", "RWADA ratio", "ratio", "§3602(3)(f)(2)"),
    AidLine("sharing_ratio", "Sharing ratio", "ratio", "§1950(5)(a)"),
    AidLine("ratio_source", "Decided by", "text", "§3602(3)(f)"),
    AidLine("capital_ratio", "Capital and rent ratio", "ratio", "§1950(5)(g)"),
    AidLine("approved_admin", "Approved administrative expense", "dollars", "§1950(5)(b)"),
    AidLine("approved_services", "Approved services expense", "dollars", "§1950(5)(b)"),
    AidLine("capital_expense", "Capital expense", "dollars", "§1950(5)(g)"),
    AidLine("rent_expense", "Rent expense", "dollars", "§1950(5)(g)"),
    AidLine("admin_aid", "Administrative aid", "dollars", "§1950(5)(a)"),
    AidLine("services_aid", "Services aid", "dollars", "§1950(5)(a)"),
    AidLine("capital_aid", "Capital aid", "dollars", "§1950(5)(g)"),
    AidLine("rent_aid", "Rent aid", "dollars", "§1950(5)(g)"),
    AidLine("save_harmless_aid", "Save-harmless aid", "dollars", "§1950(5)(f)"),
    AidLine("total_aid", "Total aid", "dollars", "§1950(5)"),
]
SOURCE_LABELS = {"millage": "millage ratio", "rwada": "RWADA ratio", "floor": "floor", "cap": "cap",
                 "special act": "special act"}
AID_TOTALLED = {"approved_admin", "approved_services", "capital_expense", "rent_expense", "admin_aid", "services_aid",
                "capital_aid", "rent_aid", "save_harmless_aid", "total_aid"}
AID_LINE_KEYS = ["admin_aid", "services_aid", "capital_aid", "rent_aid", "save_harmless_aid"]

DISTRICT = [Col("District code", "district_code", width=CODE_WIDTH),
            Col("District name", "district_name", width=NAME_WIDTH)]
SUMMARY_WIDTHS = [46, 18, 18, 18, 18, 18, 18]
NOTE_WIDTH = 150  # a sheet's explanation wraps within the first columns of about this width (one printed page)


def created_at(result: Result) -> datetime:
    """A fixed workbook timestamp taken from the inputs (the school year's first day), never the clock."""
    return datetime(result.job.settings.school_year.start, 7, 1)


def half_up_cents(value: Fraction) -> int:
    """An exact amount of cents to a whole cent, half away from zero (for showing a derived figure)."""
    whole = math.floor(abs(value) + Fraction(1, 2))
    return whole if value >= 0 else -whole


def dollars(cents: int) -> str:
    """Cents as ``$1,234.56`` for notes."""
    return f"{'-' if cents < 0 else ''}${abs(int(cents)) / 100:,.2f}"


def money_text(cents) -> str:
    """Cents as ``1,234.56`` for working text."""
    return f"{int(cents) / 100:,.2f}"


def ratio_text(thousandths) -> str:
    """A ratio held in thousandths as ``0.746``."""
    return f"{int(thousandths) / 1000:.3f}"


def number_text(value: Fraction) -> str:
    """An exact parameter value as short text (0.51, 8, 0.9)."""
    return f"{float(value):.6f}".rstrip("0").rstrip(".")


def parameter(result: Result, name: str) -> Fraction:
    """The value of a law parameter in force for the job."""
    return result.parameters[name].value


def aid_heading(result: Result) -> str:
    s = result.job.settings
    return (f"BOCES aid estimate, aid year {s.school_year.aid_year()}" if result.aid_mode == "estimate"
            else f"BOCES aid as claimed, aid year {s.school_year.aid_year()}")


def method_text(result: Result) -> str:
    s = result.job.settings
    if s.method == "blend" and s.blend_tv_percent is not None:
        tv = float(s.blend_tv_percent)
        return f"blend {tv:g}% true value / {100 - tv:g}% WADA ({s.blend_authority})"
    return f"{s.method} (by {result.notes['basis_label']})"


def proposed_charges(result: Result) -> pd.Series:
    """Each district's total charges had the proposed administrative budget been adopted (cents)."""
    shares = result.apportionment
    delta = (shares["administrative_proposed"] - shares["administrative"]).reindex(result.net.index).fillna(0)
    return result.net["total_charges"] + delta.astype("int64")


# --- the workbook --------------------------------------------------------------------------------------------


@gc_paused
def write_summary(result: Result, inputs: list[tuple[str, str]]) -> bytes:
    """The summary workbook as bytes; ``inputs`` lists (file name, SHA-256)."""
    buffer = io.BytesIO()
    s = result.job.settings
    book, st = new_workbook(buffer, created_at(result), f"{s.boces_name} {s.school_year} apportionment",
                            "BOCES apportionment, CoSer charges and BOCES aid")
    summary = book.add_worksheet("Summary")
    administrative = _administrative_sheet(book, st, result)
    _capital_sheet(book, st, result)
    _comparison_sheet(book, st, result)
    _coser_sheets(book, st, result)
    aid = _aid_sheet(book, st, result)
    net = _net_sheet(book, st, result)
    _shared_pd_sheet(book, st, result)
    _collaboration_sheet(book, st, result)
    if result.reconciliation is not None:
        _reconciliation_sheet(book, st, result)
    _parameters_sheet(book, st, result)
    _issues_sheet(book, st, result)
    _run_sheet(book, st, result, inputs)
    _summary_sheet(summary, book, st, result, administrative, aid, net)
    summary.activate()
    book.close()
    return buffer.getvalue()


def _data_sheet(book, st: Styles, result: Result, name: str, title: str, note: str, frame: pd.DataFrame,
                columns: list[Col], table: str, freeze_cols: int = 2, empty_text: str = "None.",
                as_table: bool | None = None) -> Placed:
    """A sheet holding one table under a title and a line of explanation, set up for printing.

    ``as_table`` says whether the rows are an Excel table (see :func:`~.tables.write_table`; by default,
    when they are not too many).
    """
    s = result.job.settings
    ws = book.add_worksheet(name)
    ws.write_string(0, 0, title, st["title"])
    ws.set_row(0, 22)
    widths = [c.shown_width for c in columns]
    last = max(1, sum(1 for j in range(len(widths)) if sum(widths[: j + 1]) <= NOTE_WIDTH)) - 1
    write_note(ws, st, 1, note, last, sum(widths[: last + 1]))
    placed = write_table(ws, st, frame, columns, first_row=3, name=table,
                         freeze_cols=freeze_cols if len(frame) else None, empty_text=empty_text, table=as_table)
    printable(ws, f"{s.boces_name} — {s.school_year}", name, repeat=(3, 3), width=placed.width,
              repeat_cols=(0, freeze_cols - 1) if freeze_cols else None)
    return placed


def _summary_sheet(ws, book, st: Styles, result: Result, administrative: Placed, aid: Placed, net: Placed) -> None:
    s = result.job.settings
    for j, width in enumerate(SUMMARY_WIDTHS):
        ws.set_column(j, j, width)
    ws.write_string(0, 0, f"{s.boces_name} — {s.school_year} apportionment", st["title"])
    ws.set_row(0, 24)
    ws.write_string(1, 0, f"BOCES code {s.boces_code} · school year {s.school_year} · aid year "
                    f"{s.school_year.aid_year()} · method: {method_text(result)} · rounding: {s.rounding} · "
                    f"aid: {result.aid_mode} mode", st["subtitle"])
    row = write_section(ws, st, 3, "Key figures", len(SUMMARY_WIDTHS) - 1)
    charges = int(result.billing["amount"].sum())
    aid_total = int(result.aid["total_aid"].sum())
    warnings = len(result.log.warnings)
    row = write_pairs(ws, st, row, [
        ("Total charges to districts", charges, "cents", "key", "every charge on billing.csv"),
        (f"Total BOCES aid ({result.aid_mode})", aid_total, "dollars", "key", f"aid year {s.school_year.aid_year()}"),
        ("Net cost to districts", charges - aid_total * 100, "cents", "key", "charges less aid"),
        ("Component districts", len(result.apportionment), "count"),
        ("Districts with a statement", len(result.net), "count"),
        ("Warnings", warnings, "count", "body", "listed on the Issues sheet" if warnings else ""),
    ])
    row = _pool_block(ws, st, result, row + 1)
    row = _vote_block(ws, st, result, row + 1)
    row = _charges_block(ws, st, result, row + 1)
    row = _aid_block(ws, st, result, row + 1)
    row = _notes_block(ws, st, result, row + 1)
    charts_start = row + 1  # the charts start a page
    row = write_section(ws, st, charts_start, "Charts", len(SUMMARY_WIDTHS) - 1)
    _, breaks = place_charts(ws, summary_charts(book, administrative, aid, net), row)
    ws.set_h_pagebreaks([charts_start] + breaks)
    printable(ws, f"{s.boces_name} — {s.school_year}", "Summary", repeat=(0, 0), gridlines=False)


def _pool_block(ws, st: Styles, result: Result, row: int) -> int:
    """From each budget to its pool (§1950(4)(b)(7), §1951(1)), the pools as formulas over the lines above."""
    s = result.job.settings
    vote = result.vote
    shares = result.apportionment
    row = write_section(ws, st, row, "From budget to pool (Educ. Law §1950(4)(b)(7), §1951(1))", 6)
    if vote["cap"] is not None:
        row = write_pairs(ws, st, row, [
            ("Administrative budget as proposed", vote["proposed"], "cents", "body", "failed at the vote"),
            ("Contingency cap", vote["cap"], "cents", "body", "prior year budget + excluded retirement increases"),
        ])
    first = row
    used_note = "the lesser of the two (the vote failed)" if vote["cap"] is not None else "as proposed"
    row = write_pairs(ws, st, row, [
        ("Administrative budget used", vote["used"], "cents", "body", used_note),
        ("less state aid administrative", s.state_aid_admin, "cents"),
        ("less other revenue administrative", s.other_revenue_admin, "cents", "body", "netted before charging"),
    ])
    cell = lambda r: xl_rowcol_to_cell(r, 1)  # noqa: E731
    pool = Formula(f"={cell(first)}-{cell(first + 1)}-{cell(first + 2)}", int(shares["administrative"].sum()))
    row = write_pairs(ws, st, row, [("Administrative pool", pool, "cents", "emphasis")])
    first = row
    row = write_pairs(ws, st, row, [
        ("Capital budget", s.capital_budget, "cents", "body", "construction, DASNY, other capital; not rent"),
        ("less state aid capital", s.state_aid_capital, "cents"),
        ("less other revenue capital", s.other_revenue_capital, "cents"),
    ])
    row = write_pairs(ws, st, row, [
        ("Capital pool", Formula(f"={cell(first)}-{cell(first + 1)}-{cell(first + 2)}", int(shares["capital"].sum())),
         "cents", "emphasis"),
        ("Rent pool", int(shares["rent"].sum()), "cents", "emphasis", "facility rentals, billed and aided apart"),
    ])
    if s.admin_surplus:
        row = write_pairs(ws, st, row, [
            ("Administrative surplus" if s.admin_surplus > 0 else "Administrative assessment", abs(s.admin_surplus),
             "cents", "body", "returned as credits by the administrative shares" if s.admin_surplus > 0
             else "charged by the administrative shares")])
    return row


def _vote_block(ws, st: Styles, result: Result, row: int) -> int:
    """The administrative budget vote; when it failed, both budgets and both sets of charges."""
    vote = result.vote
    row = write_section(ws, st, row, "Administrative budget vote (Educ. Law §1950(4)(b)(5))", 6)
    if not vote["recorded"]:
        result_text = "No vote recorded: the proposed budget is charged."
    elif vote["adopted"]:
        result_text = f"Adopted: {vote['yes']} yes, {vote['no']} no."
    else:
        result_text = (f"Failed: {vote['yes']} yes, {vote['no']} no. The contingency budget is charged; the "
                       "charges under the proposed budget are shown for comparison.")
    ws.write_string(row, 0, result_text, st["label"])
    row += 1
    if "administrative_proposed" not in result.apportionment:
        return row
    shares = result.apportionment
    charges = result.net["total_charges"]
    proposed = proposed_charges(result)
    row = write_pairs(ws, st, row + 1, [
        ("Administrative charges, proposed budget", int(shares["administrative_proposed"].sum()), "cents"),
        ("Administrative charges, contingency budget (charged)", int(shares["administrative"].sum()), "cents"),
        ("Total charges, proposed budget", int(proposed.sum()), "cents"),
        ("Total charges, contingency budget (charged)", int(charges.sum()), "cents"),
    ])
    frame = result.net[["district_name"]].assign(
        admin_proposed=shares["administrative_proposed"], admin_charged=shares["administrative"],
        total_proposed=proposed, total_charged=charges, difference=charges - proposed).reset_index()
    columns = [Col("District name", "district_name"), Col("District code", "district_code"),
               Col("Administrative share, proposed budget", "admin_proposed", "cents", total=True),
               Col("Administrative share, contingency (charged)", "admin_charged", "cents", total=True),
               Col("Total charges, proposed budget", "total_proposed", "cents", total=True),
               Col("Total charges, contingency (charged)", "total_charged", "cents", total=True),
               Col("Difference (charged − proposed)", "difference", "cents", total=True)]
    placed = write_table(ws, st, frame, columns, first_row=row + 1, name="VoteCharges", set_widths=False)
    return placed.next_row - 1


def _charges_block(ws, st: Styles, result: Result, row: int) -> int:
    """Charges to districts by category, totalled by formula."""
    row = write_section(ws, st, row, "Charges to districts by category", 6)
    by = result.billing.groupby("category")["amount"].sum()
    pairs = [(CATEGORY_LABELS.get(c, c), int(by[c]), "cents") for c in CATEGORY_LABELS if c in by.index]
    pairs += [(c, int(by[c]), "cents") for c in sorted(by.index) if c not in CATEGORY_LABELS]
    first = row
    row = write_pairs(ws, st, row, pairs)
    total = Formula(f"=SUM({xl_rowcol_to_cell(first, 1)}:{xl_rowcol_to_cell(row - 1, 1)})", int(by.sum()))
    return write_pairs(ws, st, row, [("Total charges", total, "cents", "total")])


def _aid_block(ws, st: Styles, result: Result, row: int) -> int:
    """The approved administrative cost (10 % and salary limits) and aid by line."""
    s = result.job.settings
    aid = result.aid
    row = write_section(ws, st, row, aid_heading(result), 6)
    if result.aid_mode == "estimate":
        factor = result.notes["admin_factor"]
        used = int(result.vote["used"])
        expenses = int(result.notes["total_expenses"])
        limit = result.parameters["aid.admin_expense_limit"].value
        approved = half_up_cents(used * factor)
        row = write_pairs(ws, st, row, [
            ("Administrative budget used", used, "cents"),
            ("less administrative salaries over the limit", s.admin_salaries_over_limit, "cents", "body",
             "§1950(5)(b) salary limit"),
            (f"{float(limit * 100):g}% of total expenses", half_up_cents(expenses * limit), "cents", "body",
             f"total expenses {dollars(expenses)}: administrative, services and shared PD"),
            ("Approved administrative cost", approved, "cents", "emphasis", "the lesser of the two (§1950(5)(b))"),
            ("Approved part of each administrative charge", float(factor), "share", "body",
             "applied to each district's administrative share"),
        ])
        row += 1
    first = row
    row = write_pairs(ws, st, row, [(line.label, int(aid[line.key].sum()), "dollars", "body", line.law)
                                    for line in AID_LINES if line.key in AID_LINE_KEYS])
    total = Formula(f"=SUM({xl_rowcol_to_cell(first, 1)}:{xl_rowcol_to_cell(row - 1, 1)})", int(aid["total_aid"].sum()))
    return write_pairs(ws, st, row, [("Total BOCES aid", total, "dollars", "total")])


def _notes_block(ws, st: Styles, result: Result, row: int) -> int:
    notes = []
    if result.aid_mode == "estimate":
        notes.append("Aid is an estimate: the next year's ratios are applied to all four lines; capital and rent are "
                     "in truth aided in the year paid (Educ. Law §1950(5)(g)). Administrative and services costs "
                     "of this year are aided next year.")
    if result.reconciliation is not None:
        agree = int((result.reconciliation["difference"] == 0).sum())
        notes.append(f"Aid reconciliation: {agree} of {len(result.reconciliation)} published aid lines agree with "
                     "the computed aid (see the Aid reconciliation sheet).")
    if result.log.warnings:
        notes.append(f"{len(result.log.warnings)} warning(s): see the Issues sheet.")
    if not notes:
        return row
    row = write_section(ws, st, row, "Notes", 6)
    for text in notes:
        row = write_note(ws, st, row, text, 6, sum(SUMMARY_WIDTHS))
    return row


# --- the table sheets ------------------------------------------------------------------------------------------


def _basis_col(result: Result) -> Col:
    kind = "weight" if result.job.settings.method == "blend" else "units"
    return Col(f"Basis ({result.notes['basis_label']})", "basis_value", kind, 18)


def _shares_frame(result: Result) -> pd.DataFrame:
    shares = result.apportionment.sort_index().reset_index()
    scale = result.notes["basis_scale"]
    return shares.assign(basis_value=shares["basis"].map(lambda v: Decimal(int(v)) / scale))


def _administrative_sheet(book, st: Styles, result: Result) -> Placed:
    frame = _shares_frame(result)
    cols = DISTRICT + [Col("Type", "type", width=13), _basis_col(result), Col("Share %", "share_percent", "percent")]
    if "administrative_proposed" in frame:
        frame["difference"] = frame["administrative"] - frame["administrative_proposed"]
        cols += [Col("Share of proposed budget", "administrative_proposed", "cents", total=True),
                 Col("Administrative share (contingency, charged)", "administrative", "cents", 18, True),
                 Col("Difference", "difference", "cents", total=True)]
    else:
        cols.append(Col("Administrative share", "administrative", "cents", total=True))
    if frame["administrative_surplus"].any():
        frame["admin_total"] = frame["administrative"] + frame["administrative_surplus"]
        cols += [Col("Surplus credit (−) or assessment", "administrative_surplus", "cents", total=True),
                 Col("Administrative charge", "admin_total", "cents", total=True)]
    pool = int(result.apportionment["administrative"].sum())
    note = (f"The administrative pool of {dollars(pool)} (budget less state aid and other revenue) is shared by "
            f"{result.notes['basis_label']}: each share = pool × the district's basis ÷ the total basis, settled to "
            f"the cent by {result.job.settings.rounding} (Educ. Law §1950(4)(b)(7)). A surplus is returned, or an "
            "assessment charged, by the same shares (§1950(4)(f)).")
    title = f"Administrative budget — apportioned by {method_text(result)}"
    return _data_sheet(book, st, result, "Administrative", title, note, frame, cols, "Administrative")


def _capital_sheet(book, st: Styles, result: Result) -> Placed:
    frame = _shares_frame(result)
    frame["capital_total"] = frame["capital"] + frame["rent"]
    cols = DISTRICT + [Col("Type", "type", width=13), _basis_col(result), Col("Share %", "share_percent", "percent"),
                       Col("Capital share", "capital", "cents", total=True),
                       Col("Rent share", "rent", "cents", total=True),
                       Col("Capital and rent", "capital_total", "cents", total=True)]
    shares = result.apportionment
    note = (f"The capital pool of {dollars(int(shares['capital'].sum()))} and the rent pool of "
            f"{dollars(int(shares['rent'].sum()))} are shared by the same basis and shares as the administrative "
            "budget. Rent is billed apart because the State aids it apart (§1950(5)(g)).")
    return _data_sheet(book, st, result, "Capital", "Capital and rent budgets", note, frame, cols, "Capital")


def _comparison_sheet(book, st: Styles, result: Result) -> Placed:
    s = result.job.settings
    frame = result.comparison.sort_index().reset_index()
    methods = [c for c in frame.columns if c not in ("district_code", "district_name") and "chosen" not in c]
    cols = list(DISTRICT)
    for m in methods:
        chosen = m == s.method or (s.method == "blend" and m.startswith("blend"))
        cols.append(Col(f"{m} (in force)" if chosen else m, m, "cents", 17, True))
    cols += [Col(c.replace("chosen", "in force"), c, "cents", 17, True) for c in frame.columns if "chosen" in c]
    note = (f"The administrative pool of {dollars(int(result.apportionment['administrative'].sum()))} apportioned "
            "under each method the law allows this BOCES (§1950(4)(b)(7)); a positive difference means the district "
            "would pay more under that method. A change of method needs a hearing before the annual meeting.")
    return _data_sheet(book, st, result, "Method comparison", "Administrative shares under every lawful method",
                       note, frame, cols, "MethodComparison")


def _coser_sheets(book, st: Styles, result: Result) -> None:
    services = result.services.sort_index().reset_index(drop=True)
    if len(services):
        trued = services["trued_up"].astype(bool)
        services = services.assign(
            units_total=[Decimal(int(w)) / int(d) / 1_000_000
                         for w, d in zip(services["total_weight"], services["divisor"])],
            aidable_share=[n / d if d else 0.0 for n, d in zip(services["aidable_num"], services["aidable_den"])],
            approvals_count=services["approvals"].map(lambda v: None if pd.isna(v) else int(v) // 1_000_000),
            final=services["final_cost"].where(trued), actual=services["total_actual"].where(trued),
            actual_cost_unit=services["actual_unit_cost"].where(trued))
    cols = [Col("Service code", "service_code", width=9), Col("Service name", "service_name", width=24),
            Col("Unit", "unit", width=8), Col("Unit cost basis", "basis", width=12),
            Col("Budget", "budget", "cents", 14, True), Col("Basis units", "units_total", "units", 11, True),
            Col("Unit cost", "unit_cost", "cents", 12), Col("Participants", "participants", "count", 11),
            Col("Approvals", "approvals_count", "count", 10), Col("Needed (¾)", "approvals_needed", "count", 9),
            Col("Salaries over limit", "salaries_over_limit", "cents", 12, True),
            Col("Non-aidable costs", "non_aidable", "cents", 12, True),
            Col("Aidable part", "aidable_share", "share", 9),
            Col("SWD final cost", "final", "cents", 13, True), Col("Actual units", "actual", "millionths", 10),
            Col("Actual unit cost", "actual_cost_unit", "cents", 12),
            Col("Surplus returned", "surplus", "cents", 12, True)]
    note = ("Unit cost = budget ÷ the participants' basis units (shown to the cent; charges split the budget by "
            "units exactly, to the cent) (§1950(4)(d)). Participants and approvals count component districts; "
            "three-quarters must approve the methodology. Aidable part = (budget − salaries over the limit − "
            "non-aidable costs) ÷ budget; transportation is not an approved cost (0 %). Students-with-disabilities "
            "services are trued up on actual units.")
    _data_sheet(book, st, result, "CoSer unit costs", "CoSer services and unit costs", note, services, cols,
                "CoSerUnitCosts", empty_text="No CoSer services in this job.")
    _coser_charges_sheet(book, st, result)


def _coser_charges_sheet(book, st: Styles, result: Result) -> None:
    """CoSer charges as a grid: one row per service, one column per district, each cell the district's
    CoSer amount for that service (charge, SWD true-up and surplus together), with totals both ways.

    A grid keeps the sheet to the charges that exist (a blank is a district that did not buy the service);
    the charge-by-charge working with units and unit costs is on each statement and in billing.csv.
    """
    coser = result.billing[result.billing["category"].str.startswith("coser")]
    grid = coser.pivot_table(index="item_code", columns="district_code", values="amount", aggfunc="sum")
    codes = sorted(grid.columns)
    grid = grid.reindex(columns=codes).sort_index()
    frame = grid.astype("Int64").reset_index().rename(columns={"item_code": "service_code"})
    frame["service_name"] = frame["service_code"].map(result.services["service_name"])
    frame["total"] = grid.sum(axis=1).astype("int64").to_numpy()
    names = result.job.districts["district_name"]
    cols = [Col("Service code", "service_code", width=10), Col("Service name", "service_name", width=24)]
    cols += [Col(f"{code}\n{names.get(code, '')}", code, "cents", 14, True) for code in codes]
    cols.append(Col("Total", "total", "cents", 15, True))
    note = ("Each cell is what the district pays for the service: units × unit cost (the budget split by units to "
            "the cent), plus any students-with-disabilities true-up on actual units, less any surplus returned by "
            "participation. Units and unit costs are on the district statements and in billing.csv.")
    _data_sheet(book, st, result, "CoSer charges", "CoSer charges by service and district", note, frame, cols,
                "CoSerCharges", empty_text="No CoSer charges in this job.")


def _aid_sheet(book, st: Styles, result: Result) -> Placed:
    aid = result.aid.sort_index().reset_index()
    aid["ratio_source"] = aid["ratio_source"].map(lambda v: SOURCE_LABELS.get(v, v))
    cols = DISTRICT + [Col("Type", "type", width=13), Col("Aid AV", "aid_av", "cents", 18),
                       Col("Aid RWADA", "aid_rwada", "millionths", 12), Col("Tax levy", "tax_levy", "cents", 16),
                       Col("PILOTs", "pilots", "cents", 12)]
    cols += [Col(line.header, line.key, line.kind, 12 if line.kind != "text" else 13, line.key in AID_TOTALLED)
             for line in AID_LINES]
    p = lambda name: number_text(parameter(result, name))  # noqa: E731
    r = lambda name: ratio_text(parameter(result, name) * 1000)  # noqa: E731
    note = (f"Tax rate = (levy + PILOTs) ÷ AV in mills to 0.1; millage ratio = 1 − {p('aid.millage_mills')} mills "
            f"({p('aid.millage_mills_chsd')} for a CHSD and its components) ÷ tax rate; wealth ratio = AV per "
            f"RWADA ÷ the state average {dollars(result.notes['state_avg_cents'])}; RWADA ratio = 1 − "
            f"{p('aid.rwada_ratio_factor')} × wealth ratio; sharing ratio = the greater, at least "
            f"{r('aid.sharing_ratio_floor')} and at most {r('aid.sharing_ratio_cap')} ('Decided by'); capital and rent "
            f"use the RWADA ratio, at most {r('aid.capital_ratio_cap')}. Ratios to three decimals without rounding; "
            "aid in whole dollars (rent truncated). A special act district gets "
            f"{r('aid.special_act_services_fraction')} of its approved services (§1950(4)(m)).")
    return _data_sheet(book, st, result, "Aid", aid_heading(result), note, aid, cols, "Aid")


def _net_sheet(book, st: Styles, result: Result) -> Placed:
    net = result.net.sort_index().reset_index()
    net["full_value"] = net["district_code"].map(result.job.districts["full_value"])
    cols = DISTRICT + [Col("Type", "type", width=13), Col("Total charges", "total_charges", "cents", total=True),
                       Col("BOCES aid", "total_aid", "dollars", total=True),
                       Col("Net cost", "net_cost", "cents", total=True),
                       Col("Prior year charges", "prior_total_charges", "cents", total=True),
                       Col("Change in charges", "change", "cents", total=True),
                       Col("Change %", "change_percent", "change"),
                       Col("Full value", "full_value", "cents", 18),
                       Col("Tax impact per $1,000 of full value", "tax_impact_per_1000_x10000", "impact", 14)]
    note = ("Net cost = total charges − BOCES aid. Change compares total charges with the prior year's (when given). "
            "Tax impact = net cost ÷ full value × 1,000: dollars of tax per $1,000 of full value.")
    return _data_sheet(book, st, result, "Net cost", "Net cost by district", note, net, cols, "NetCost")


def _shared_pd_sheet(book, st: Styles, result: Result) -> None:
    contracts = result.contracts.sort_index().reset_index(drop=True)
    if len(contracts):
        contracts = contracts.assign(
            aidable_share=[n / d if d else 0.0 for n, d in zip(contracts["aidable_num"], contracts["aidable_den"])],
            staff_total=contracts["contract"].map(result.shared_pd.groupby("contract")["staff"].sum()))
    cols = [Col("Contract", "contract", width=CODE_WIDTH), Col("Vendor", "vendor", width=NAME_WIDTH),
            Col("Cost", "cost", "cents", total=True), Col("Staff attending", "staff_total", "millionths", 12, True),
            Col("Cost per attendee", "unit_cost", "cents", 14),
            Col("Non-aidable costs", "non_aidable", "cents", 14, True),
            Col("Aidable part", "aidable_share", "share"), Col("Paying districts", "paying_districts", "count"),
            Col("Days", "days", "millionths", 8), Col("Board approval", "board_approval_date", "date"),
            Col("Start", "start_date", "date")]
    note = ("COSER 507 shared professional development: each contract's cost is split by the number of each "
            "district's staff attending (to the cent). Meals, lodging, travel, stipends and substitutes are charged "
            "but not aidable.")
    placed = _data_sheet(book, st, result, "Shared PD", "Shared professional development (COSER 507)", note, contracts,
                         cols, "SharedPDContracts", freeze_cols=None,
                         empty_text="No shared professional development contracts in this job.")
    if not len(contracts):
        return
    ws = book.get_worksheet_by_name("Shared PD")
    rows = result.shared_pd.sort_values(["district_code", "contract"], kind="stable")
    rows = rows.assign(district_name=rows["district_code"].map(result.job.districts["district_name"]),
                       unit_cost=rows["contract"].map(result.contracts["unit_cost"]))
    write_table(ws, st, rows, [Col("Contract", "contract"), Col("District name", "district_name"),
                               Col("District code", "district_code"),
                               Col("Staff attending", "staff", "millionths", total=True),
                               Col("Cost per attendee", "unit_cost", "cents"),
                               Col("Charge", "charge", "cents", total=True)],
                first_row=placed.next_row + 1, name="SharedPDCharges", set_widths=False)


def _collaboration_sheet(book, st: Styles, result: Result) -> None:
    frame = result.collaboration.sort_values(["district_code", "teacher"], kind="stable", na_position="last")
    frame = frame.assign(district_name=frame["district_code"].map(result.job.districts["district_name"]),
                         wants=frame["wants_credit"].map(lambda v: "yes" if v else "no"))
    cols = [Col("Teacher", "teacher", width=24), Col("District code", "district_code", width=CODE_WIDTH),
            Col("District name", "district_name", width=NAME_WIDTH), Col("First quarter", "first_quarter", width=11),
            Col("Registered at end of", "registered_quarter", width=12), Col("Quarters", "quarters", "count", 9),
            Col("Hours", "hours", "millionths", 10, True), Col("Wants credit", "wants", width=9),
            Col("Credits", "credits", "count", 9, True)]
    note = ("One credit for each 10 hours of collaboration, registered at the end of the teacher's last logged "
            "quarter; teachers who do not want credit are listed with their hours and no credits.")
    _data_sheet(book, st, result, "Collaboration credit", "Collaboration credit", note, frame, cols, "Collaboration",
                freeze_cols=1, empty_text="No collaboration hours in this job.")


def _reconciliation_sheet(book, st: Styles, result: Result) -> None:
    cols = DISTRICT + [Col("Aid line", "line", width=22), Col("Computed", "computed", "dollars"),
                       Col("Published", "published", "dollars"), Col("Difference", "difference", "dollars")]
    note = ("Claim mode: the expenses claimed with the State, aided with the computed ratios, line by line against "
            "the published aid. Difference = computed − published, whole dollars.")
    _data_sheet(book, st, result, "Aid reconciliation", "Aid reconciliation with the published aid", note,
                result.reconciliation, cols, "Reconciliation")


UNIT_NAMES = {"currency-USD": "dollars", "ratio": "ratio", "percent": "percent", "mills": "mills", "days": "days",
              "districts": "districts", "hours": "hours"}


def _parameter_value(pv) -> dict:
    """A parameter's value and the kind it is shown as: dollars with cents, ratios to three decimals."""
    unit = pv.parameter.unit
    if unit == "currency-USD":
        return {"value": half_up_cents(pv.value * 100), "value_kind": "cents"}
    if unit == "ratio" and (pv.value * 1000).denominator == 1:
        return {"value": int(pv.value * 1000), "value_kind": "ratio"}
    return {"value": pv.value, "value_kind": "number"}


def _parameters_sheet(book, st: Styles, result: Result) -> None:
    rows = [{"name": pv.name, "label": pv.parameter.label, **_parameter_value(pv),
             "unit": UNIT_NAMES.get(pv.parameter.unit, pv.parameter.unit), "year": str(pv.year),
             "effective": pv.effective,
             "carried": "carried forward" if pv.carried_forward else "",
             "citation": pv.parameter.citation, "href": "; ".join(r.href for r in pv.parameter.references)}
            for pv in sorted(result.parameters.values(), key=lambda v: v.name)]
    cols = [Col("Parameter", "name", width=30), Col("Label", "label", width=28, wrap=True),
            Col("Value", "value", "number", 14, kind_key="value_kind"), Col("Unit", "unit", width=9),
            Col("For year", "year", width=9),
            Col("Effective", "effective", "date"), Col("Note", "carried", width=14),
            Col("Citation", "citation", width=56, wrap=True), Col("Source", "href", width=36, wrap=True)]
    note = ("Every dated law parameter this job used: the value in force for the year it is keyed on (the budget "
            "year or the aid year), the date it took effect and where the law sets it.")
    _data_sheet(book, st, result, "Parameters used", "Law parameters used", note, pd.DataFrame(rows), cols,
                "Parameters", freeze_cols=1)


def _issues_sheet(book, st: Styles, result: Result) -> None:
    frame = pd.DataFrame([i.as_dict() for i in result.log.sorted()], columns=list(ISSUE_FIELDS))
    cols = [Col("Severity", "severity", width=9), Col("Code", "code", width=22), Col("File", "file", width=16),
            Col("Sheet", "sheet", width=12), Col("Cell", "cell", width=7), Col("Column", "column", width=18, wrap=True),
            Col("Expected", "expected", width=24, wrap=True), Col("Found", "found", width=18, wrap=True),
            Col("Message", "message", width=70, wrap=True)]
    note = "Warnings do not stop the run but deserve a look; each names the input sheet, cell and column concerned."
    _data_sheet(book, st, result, "Issues", "Issues", note, frame, cols, "Issues", freeze_cols=1,
                empty_text="No issues.")


def _setting_value(item, value):
    """A BOCES-sheet item as (value, kind) for the Run sheet."""
    if value is None:
        return None, "text"
    if item.kind in ("money", "signed money"):
        return int(value), "cents"
    if item.kind == "fraction":
        return float(value), "number"
    if item.kind == "date":
        return value, "date"
    return str(value), "text"


def _run_sheet(book, st: Styles, result: Result, inputs: list[tuple[str, str]]) -> None:
    s = result.job.settings
    ws = book.add_worksheet("Run")
    ws.set_column(0, 0, 36)
    ws.set_column(1, 1, 70)
    ws.write_string(0, 0, "Run", st["title"])
    row = write_pairs(ws, st, 2, [
        ("BOCES", f"{s.boces_name} ({s.boces_code})", "text"), ("School year", str(s.school_year), "text"),
        ("Aid year", str(s.school_year.aid_year()), "text"), ("apportion version", __version__, "text"),
        ("Method", method_text(result), "text"), ("Rounding", s.rounding, "text"),
        ("Aid mode", result.aid_mode, "text"),
        ("Workbook date (fixed from the school year)", created_at(result).date(), "date", "left"),
    ])
    row = write_section(ws, st, row + 1, "Settings as read from the BOCES sheet", 1)
    pairs = [(item.header, *_setting_value(item, getattr(s, item.key, None)), "left") for item in BOCES_ITEMS]
    row = write_pairs(ws, st, row, pairs)
    row = write_section(ws, st, row + 1, "Input files", 1)
    write_table(ws, st, pd.DataFrame(sorted(inputs), columns=["file", "sha256"]),
                [Col("Input file", "file"), Col("SHA-256", "sha256")], first_row=row, name="Inputs", set_widths=False)
    printable(ws, f"{s.boces_name} — {s.school_year}", "Run", landscape=False)
