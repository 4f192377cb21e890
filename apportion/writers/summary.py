"""The BOCES-wide summary workbook (docs/formats.md, Outputs: ``<code>_<year>_summary.xlsx``), Educ. Law §1950(4), (5).

The Summary sheet (key figures, budget to pool, the vote, charges and aid by
line, charts) is drawn from the summary's document (:func:`summary_document`),
as its PDF is; the data sheets that follow it are in :mod:`.sheets`, and the
vocabulary both reports share in :mod:`.labels`.
"""
from __future__ import annotations

import io

from ..result import Result
from . import yoy
from .charts import ChartSpec, district_bars, fewer, place_charts, summary_chart_specs, write_chart_data
from .document import ReportOptions, pair, prepared_date, status_text, carried_forward_note, _json_value
from .styles import PAGE_HEIGHT, PAGE_WIDTH_PORTRAIT, new_workbook, printable, width_points
from .statement import render_sections
from .tables import Placed, gc_paused
from .labels import (AID_LINE_KEYS, AID_LINES, CATEGORY_LABELS, SUMMARY_WIDTHS, aid_heading, created_at, dollars,
                     half_up_cents, method_text)
from .sheets import (administrative_sheet, aid_sheet, capital_sheet, collaboration_sheet, comparison_sheet, coser_sheets,
                     issues_sheet, net_sheet, parameters_sheet, reconciliation_sheet, run_sheet, shared_pd_sheet)



@gc_paused
def write_summary(result: Result, inputs: list[tuple[str, str]], options: ReportOptions = ReportOptions()) -> bytes:
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
    if result.prior is not None:
        yoy.summary_sheet(book, st, result)
    if len(result.shared_pd.contracts):
        shared_pd_sheet(book, st, result)
    if len(result.collaboration):
        collaboration_sheet(book, st, result)
    if result.aid.reconciliation is not None:
        reconciliation_sheet(book, st, result)
    parameters_sheet(book, st, result)
    issues_sheet(book, st, result)
    run_sheet(book, st, result, inputs)
    _summary_sheet(summary, book, st, result, summary_document(result, options), [administrative, aid, net])
    summary.activate()
    book.close()
    return buffer.getvalue()


def write_summary_pdf(result: Result, options: ReportOptions = ReportOptions()) -> bytes:
    """The summary's PDF: the Summary sheet's document and its charts (every district by name)."""
    from .pdf import render_document_pdf  # imported only by a run that writes PDFs
    return render_document_pdf(summary_document(result, options), charts=pdf_charts(result))


def chart_specs(result: Result) -> list[ChartSpec]:
    """The summary's charts as drawn (every district, or the largest and the others), in the data sheets'
    order: the workbook's and the PDF's are the same."""
    shares = result.apportionment.shares.sort_index()
    administrative = shares.assign(district_name=result.districts["district_name"].reindex(shares.index))
    return [fewer(spec)[0] for spec in summary_chart_specs(administrative, result.aid.table.sort_index(),
                                                             result.net.sort_index())]


def pdf_charts(result: Result) -> list[dict]:
    """The summary charts as data for the PDF (:func:`~.pdf.render_document_pdf`)."""
    return [{"title": spec.title, "labels": spec.frame["district_name"].astype(str).tolist(),
             "series": [{"name": name, "kind": kind, "values": [_json_value(v) for v in spec.frame[key].tolist()]}
                        for name, key, _, kind in spec.series]} for spec in chart_specs(result)]


def summary_document(result: Result, options: ReportOptions = ReportOptions()) -> dict:
    """The Summary sheet as a document (the statement's shape, :mod:`.document`): key figures, budget to
    pool, the vote, charges by category, aid by line and notes."""
    s = result.settings
    prepared = prepared_date(result, options)
    totals = result.net[["total_charges", "total_aid", "net_cost"]].sum()
    charges, aid_total = int(totals["total_charges"]), int(totals["total_aid"])
    warnings = result.log.count("warning")
    estimate = result.aid.mode == "estimate"
    header = [
        pair("Total charges to districts", charges, "cents", "key", "every charge on billing.csv"),
        pair(f"Total BOCES aid ({'estimate' if estimate else 'as claimed'})", aid_total, "dollars", "key",
             f"aid year {s.school_year.aid_year()}"),
        pair("Net cost to districts", int(totals["net_cost"]), "cents", "key", "charges less aid"),
        pair("Component districts", len(result.apportionment.shares), "count"),
        pair("Districts with a statement", len(result.net), "count"),
        pair("Warnings", warnings, "count", "body", "listed on the Issues sheet" if warnings else ""),
    ]
    if prepared is not None:
        header.append(pair("Prepared", prepared, "date", "left"))
    sections = [_pool_section(result), _vote_section(result), _charges_section(result), _aid_section(result)]
    notes = _notes(result)
    if notes:
        sections.append({"title": "Notes", "notes": notes})
    return {
        "format": "apportion-summary/1", "created": created_at(result).isoformat(),
        "title": f"{s.boces_name} — {s.school_year} apportionment",
        "subtitle": f"BOCES code {s.boces_code} · school year {s.school_year} · aid year {s.school_year.aid_year()} · "
                    f"method: {method_text(result)} · rounding: {s.rounding}",
        "status": status_text(result, prepared),
        "header": header, "sections": sections,
        "footer": [f"{s.boces_name} — {s.school_year}", "Summary"],
    }


def _summary_sheet(ws, book, st, result: Result, document: dict, placed: list[Placed]) -> None:
    """The Summary sheet: the document, then its charts from the next page on, a page break wherever the
    next chart would cross the foot of a page; printed portrait, one page wide, columns A … G only."""
    for j, width in enumerate(SUMMARY_WIDTHS):
        ws.set_column(j, j, width)
    row = render_sections(ws, st, document, SUMMARY_WIDTHS)
    scale = min(1.0, PAGE_WIDTH_PORTRAIT / sum(width_points(w) for w in SUMMARY_WIDTHS))
    page_pixels = PAGE_HEIGHT / scale / 0.75 - 40  # a printed page of the sheet, less the repeated title row
    data_row = 0
    charts = []
    for spec, sheet_table in zip(chart_specs(result), placed):
        if len(spec.frame) == sheet_table.rows:  # every district: drawn from the data sheet itself
            table = sheet_table
        else:
            table = write_chart_data(ws, st, spec, data_row)
            data_row = table.next_row
        charts.append(district_bars(book, spec, table))
    breaks, end = [], row
    if charts:
        end, breaks = place_charts(ws, charts, row + 1, page_pixels)
        breaks = [row + 1] + breaks
    ws.set_h_pagebreaks(breaks)
    ws.print_area(0, 0, end, len(SUMMARY_WIDTHS) - 1)
    printable(ws, *document["footer"], repeat=(0, 0), gridlines=False, landscape=False)


def _pool_section(result: Result) -> dict:
    """From each budget to its pool (§1950(4)(b)(7), §1951(1)), the pools as formulas over the lines above."""
    s = result.settings
    pools = result.pools
    failed = pools.contingency_cap is not None
    pairs = []
    if failed:
        pairs += [pair("Administrative budget as proposed", pools.admin_proposed, "cents", "body", "failed at the vote"),
                  pair("Contingency cap", pools.contingency_cap, "cents", "body",
                       "prior year budget + excluded retirement increases")]
    first = len(pairs)
    pairs += [pair("Administrative budget used", pools.admin_used, "cents", "body",
                   "the lesser of the two (the vote failed)" if failed else "as proposed"),
              pair("less state aid administrative", s.state_aid_admin, "cents"),
              pair("less other revenue administrative", s.other_revenue_admin, "cents", "body", "netted before charging"),
              pair("Administrative pool", pools.admin, "cents", "emphasis", "",
                   {"op": "minus", "of": [first, first + 1, first + 2]})]
    first = len(pairs)
    pairs += [pair("Capital budget", s.capital_budget, "cents", "body", "construction, DASNY, other capital; not rent"),
              pair("less state aid capital", s.state_aid_capital, "cents"),
              pair("less other revenue capital", s.other_revenue_capital, "cents"),
              pair("Capital pool", pools.capital, "cents", "emphasis", "",
                   {"op": "minus", "of": [first, first + 1, first + 2]}),
              pair("Rent pool", pools.rent, "cents", "emphasis", "facility rentals, billed and aided apart")]
    if s.admin_surplus:
        pairs.append(pair("Administrative surplus" if s.admin_surplus > 0 else "Administrative assessment",
                          abs(s.admin_surplus), "cents", "body", "returned as credits by the administrative shares"
                          if s.admin_surplus > 0 else "charged by the administrative shares"))
    return {"title": "From budget to pool (Educ. Law §1950(4)(b)(7), §1951(1))", "pairs": pairs}


def _vote_section(result: Result) -> dict:
    """The administrative budget vote; when it failed, both budgets and both sets of charges."""
    vote = result.vote
    if not vote.recorded:
        text = "No vote recorded: the proposed budget is charged."
    elif vote.adopted:
        text = f"Adopted: {vote.yes} yes, {vote.no} no."
    else:
        text = (f"Failed: {vote.yes} yes, {vote.no} no. The contingency budget is charged; the charges under "
                "the proposed budget are shown for comparison.")
    section = {"title": "Administrative budget vote (Educ. Law §1950(4)(b)(5))", "lead": text}
    if "administrative_proposed" not in result.apportionment.shares:
        return section
    shares = result.apportionment.shares
    charges = result.net["total_charges"]
    proposed = result.net["proposed_total_charges"]
    section["pairs"] = [
        pair("Administrative charges, proposed budget", int(shares["administrative_proposed"].sum()), "cents"),
        pair("Administrative charges, contingency budget (charged)", int(shares["administrative"].sum()), "cents"),
        pair("Total charges, proposed budget", int(proposed.sum()), "cents"),
        pair("Total charges, contingency budget (charged)", int(charges.sum()), "cents")]
    frame = result.net[["district_name"]].assign(
        admin_proposed=shares["administrative_proposed"], admin_charged=shares["administrative"],
        total_proposed=proposed, total_charged=charges, difference=charges - proposed).reset_index()
    keys = [("district_name", "District name", "text"), ("district_code", "District code", "text"),
            ("admin_proposed", "Administrative share, proposed budget", "cents"),
            ("admin_charged", "Administrative share, contingency (charged)", "cents"),
            ("total_proposed", "Total charges, proposed budget", "cents"),
            ("total_charged", "Total charges, contingency (charged)", "cents"),
            ("difference", "Difference (charged − proposed)", "cents")]
    rows = [{k: _json_value(v) for k, v in zip([k for k, _, _ in keys], values)}
            for values in frame[[k for k, _, _ in keys]].itertuples(index=False, name=None)]
    totals = {k: int(frame[k].fillna(0).sum()) for k, _, kind in keys if kind == "cents"}
    section["table"] = {"name": "VoteCharges", "rows": rows, "total": {"label": "Total", **totals},
                        "columns": [{"key": k, "header": h, "kind": kind, "width": None, "total": kind == "cents"}
                                    for k, h, kind in keys]}
    return section


def _charges_section(result: Result) -> dict:
    """Charges to districts by category, totalled by formula."""
    by = result.billing.groupby("category")["amount"].sum()
    pairs = [pair(CATEGORY_LABELS.get(c, c), int(by[c]), "cents") for c in CATEGORY_LABELS if c in by.index]
    pairs += [pair(c, int(by[c]), "cents") for c in sorted(by.index) if c not in CATEGORY_LABELS]
    pairs.append(pair("Total charges", int(by.sum()), "cents", "total", "",
                      {"op": "sum", "of": list(range(len(pairs)))}))
    return {"title": "Charges to districts by category", "pairs": pairs}


def _aid_section(result: Result) -> dict:
    """The approved administrative cost (10 % and salary limits) and aid by line."""
    s = result.settings
    aid = result.aid.table
    pairs = []
    if result.aid.mode == "estimate":
        factor = result.aid.admin_factor
        used = result.pools.admin_used
        expenses = result.aid.total_expenses
        limit = result.parameters["aid.admin_expense_limit"].value
        pairs += [
            pair("Administrative budget used", used, "cents"),
            pair("less administrative salaries over the limit", s.admin_salaries_over_limit, "cents", "body",
                 "§1950(5)(b) salary limit"),
            pair(f"{float(limit * 100):g}% of total expenses", half_up_cents(result.aid.expense_limit), "cents", "body",
                 f"total expenses {dollars(expenses)}: administrative, services and shared PD"),
            pair("Approved administrative cost", half_up_cents(result.aid.approved_admin_cost), "cents", "emphasis",
                 "the lesser of the two (§1950(5)(b))"),
            pair("Approved part of each administrative charge", float(factor), "share", "body",
                 "applied to each district's administrative share")]
    first = len(pairs)
    pairs += [pair(line.label, int(aid[line.key].sum()), "dollars", "body", line.law)
              for line in AID_LINES if line.key in AID_LINE_KEYS]
    pairs.append(pair("Total BOCES aid", int(aid["total_aid"].sum()), "dollars", "total", "",
                      {"op": "sum", "of": list(range(first, len(pairs)))}))
    return {"title": aid_heading(result), "pairs": pairs}


def _notes(result: Result) -> list[str]:
    notes = []
    if result.aid.mode == "estimate":
        notes.append("Aid is an estimate: the next year's ratios are applied to all four lines; capital and rent are "
                     "in truth aided in the year paid (Educ. Law §1950(5)(g)). Administrative and services costs "
                     "of this year are aided next year.")
    carried = carried_forward_note(result)
    if carried:
        notes.append(carried)
    if result.aid.reconciliation is not None:
        agree = int((result.aid.reconciliation["difference"] == 0).sum())
        notes.append(f"Aid reconciliation: {agree} of {len(result.aid.reconciliation)} published aid lines agree with "
                     "the computed aid (see the Aid reconciliation sheet).")
    if result.log.warnings:
        notes.append(f"{result.log.count('warning')} warning(s): see the Issues sheet.")
    return notes
