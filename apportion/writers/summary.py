"""The BOCES-wide summary workbook (FORMATS.md, Outputs: ``<code>_<year>_summary.xlsx``).

The Summary sheet (key figures, budget to pool, the vote, charges and aid by
line, charts) is built here; the data sheets that follow it are in
:mod:`.sheets`, and the vocabulary both reports share in :mod:`.labels`.
"""
from __future__ import annotations

import io

from xlsxwriter.utility import xl_rowcol_to_cell

from ..result import Result
from .charts import place_charts, summary_charts
from .styles import Styles, new_workbook, printable
from .tables import Col, Formula, Placed, gc_paused, write_note, write_pairs, write_section, write_table
from .labels import (AID_LINE_KEYS, AID_LINES, CATEGORY_LABELS, SUMMARY_WIDTHS, aid_heading, created_at, dollars,
                     half_up_cents, method_text)
from .sheets import (administrative_sheet, aid_sheet, capital_sheet, collaboration_sheet, comparison_sheet, coser_sheets,
                     issues_sheet, net_sheet, parameters_sheet, reconciliation_sheet, run_sheet, shared_pd_sheet)


@gc_paused
def write_summary(result: Result, inputs: list[tuple[str, str]]) -> bytes:
    """The summary workbook as bytes; ``inputs`` lists (file name, SHA-256)."""
    buffer = io.BytesIO()
    s = result.settings
    book, st = new_workbook(buffer, created_at(result), f"{s.boces_name} {s.school_year} apportionment",
                            "BOCES apportionment, CoSer charges and BOCES aid")
    summary = book.add_worksheet("Summary")
    administrative = administrative_sheet(book, st, result)
    capital_sheet(book, st, result)
    comparison_sheet(book, st, result)
    coser_sheets(book, st, result)
    aid = aid_sheet(book, st, result)
    net = net_sheet(book, st, result)
    shared_pd_sheet(book, st, result)
    collaboration_sheet(book, st, result)
    if result.aid.reconciliation is not None:
        reconciliation_sheet(book, st, result)
    parameters_sheet(book, st, result)
    issues_sheet(book, st, result)
    run_sheet(book, st, result, inputs)
    _summary_sheet(summary, book, st, result, administrative, aid, net)
    summary.activate()
    book.close()
    return buffer.getvalue()


def _summary_sheet(ws, book, st: Styles, result: Result, administrative: Placed, aid: Placed, net: Placed) -> None:
    s = result.settings
    for j, width in enumerate(SUMMARY_WIDTHS):
        ws.set_column(j, j, width)
    ws.write_string(0, 0, f"{s.boces_name} — {s.school_year} apportionment", st["title"])
    ws.set_row(0, 24)
    ws.write_string(1, 0, f"BOCES code {s.boces_code} · school year {s.school_year} · aid year "
                    f"{s.school_year.aid_year()} · method: {method_text(result)} · rounding: {s.rounding} · "
                    f"aid: {result.aid.mode} mode", st["subtitle"])
    row = write_section(ws, st, 3, "Key figures", len(SUMMARY_WIDTHS) - 1)
    net_totals = result.net[["total_charges", "total_aid", "net_cost"]].sum()
    charges, aid_total = int(net_totals["total_charges"]), int(net_totals["total_aid"])
    warnings = len(result.log.warnings)
    row = write_pairs(ws, st, row, [
        ("Total charges to districts", charges, "cents", "key", "every charge on billing.csv"),
        (f"Total BOCES aid ({result.aid.mode})", aid_total, "dollars", "key", f"aid year {s.school_year.aid_year()}"),
        ("Net cost to districts", int(net_totals["net_cost"]), "cents", "key", "charges less aid"),
        ("Component districts", len(result.apportionment.shares), "count"),
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
    s = result.settings
    pools = result.pools
    row = write_section(ws, st, row, "From budget to pool (Educ. Law §1950(4)(b)(7), §1951(1))", 6)
    if pools.contingency_cap is not None:
        row = write_pairs(ws, st, row, [
            ("Administrative budget as proposed", pools.admin_proposed, "cents", "body", "failed at the vote"),
            ("Contingency cap", pools.contingency_cap, "cents", "body", "prior year budget + excluded retirement increases"),
        ])
    first = row
    used_note = "the lesser of the two (the vote failed)" if pools.contingency_cap is not None else "as proposed"
    row = write_pairs(ws, st, row, [
        ("Administrative budget used", pools.admin_used, "cents", "body", used_note),
        ("less state aid administrative", s.state_aid_admin, "cents"),
        ("less other revenue administrative", s.other_revenue_admin, "cents", "body", "netted before charging"),
    ])
    cell = lambda r: xl_rowcol_to_cell(r, 1)  # noqa: E731
    pool = Formula(f"={cell(first)}-{cell(first + 1)}-{cell(first + 2)}", pools.admin)
    row = write_pairs(ws, st, row, [("Administrative pool", pool, "cents", "emphasis")])
    first = row
    row = write_pairs(ws, st, row, [
        ("Capital budget", s.capital_budget, "cents", "body", "construction, DASNY, other capital; not rent"),
        ("less state aid capital", s.state_aid_capital, "cents"),
        ("less other revenue capital", s.other_revenue_capital, "cents"),
    ])
    row = write_pairs(ws, st, row, [
        ("Capital pool", Formula(f"={cell(first)}-{cell(first + 1)}-{cell(first + 2)}", pools.capital),
         "cents", "emphasis"),
        ("Rent pool", pools.rent, "cents", "emphasis", "facility rentals, billed and aided apart"),
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
    if not vote.recorded:
        result_text = "No vote recorded: the proposed budget is charged."
    elif vote.adopted:
        result_text = f"Adopted: {vote.yes} yes, {vote.no} no."
    else:
        result_text = (f"Failed: {vote.yes} yes, {vote.no} no. The contingency budget is charged; the "
                       "charges under the proposed budget are shown for comparison.")
    ws.write_string(row, 0, result_text, st["label"])
    row += 1
    if "administrative_proposed" not in result.apportionment.shares:
        return row
    shares = result.apportionment.shares
    charges = result.net["total_charges"]
    proposed = result.net["proposed_total_charges"]
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
    s = result.settings
    aid = result.aid.table
    row = write_section(ws, st, row, aid_heading(result), 6)
    if result.aid.mode == "estimate":
        factor = result.aid.admin_factor
        used = result.pools.admin_used
        expenses = result.aid.total_expenses
        limit = result.parameters["aid.admin_expense_limit"].value
        approved = half_up_cents(result.aid.approved_admin_cost)
        row = write_pairs(ws, st, row, [
            ("Administrative budget used", used, "cents"),
            ("less administrative salaries over the limit", s.admin_salaries_over_limit, "cents", "body",
             "§1950(5)(b) salary limit"),
            (f"{float(limit * 100):g}% of total expenses", half_up_cents(result.aid.expense_limit), "cents", "body",
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
    if result.aid.mode == "estimate":
        notes.append("Aid is an estimate: the next year's ratios are applied to all four lines; capital and rent are "
                     "in truth aided in the year paid (Educ. Law §1950(5)(g)). Administrative and services costs "
                     "of this year are aided next year.")
    if result.aid.reconciliation is not None:
        agree = int((result.aid.reconciliation["difference"] == 0).sum())
        notes.append(f"Aid reconciliation: {agree} of {len(result.aid.reconciliation)} published aid lines agree with "
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
