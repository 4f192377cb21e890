"""One district's statement (``districts/<code>_<short name>.xlsx``): the file emailed to the district.

The header block on the "Statement" sheet: column A labels ``District code``,
``District name``, ``Email``, ``Total charges``, ``Total BOCES aid``, ``Net
cost`` with their values in column B (``apportion mail`` reads the same
figures from ``mail.json``, not from this workbook).

Below it: every charge with its working (basis and share of the pool, or units
× unit cost), the aid working in statute order (:data:`~.summary.AID_LINES`),
then net cost, the change from last year and the tax impact. The sheet prints
landscape, one page wide, with the title rows repeated and page numbers.
"""
from __future__ import annotations

import io
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_rowcol_to_cell

from ..result import Result
from .styles import ROW_HEIGHT, Styles, new_workbook, printable
from .labels import (AID_LINE_KEYS, AID_LINES, CATEGORY_LABELS, SOURCE_LABELS, aid_heading, basis_label, created_at, dollars,
                      money_text, number_text, parameter, ratio_text)
from .tables import (Col, Formula, fitted_widths, gc_paused, lines_needed, write_note, write_pairs, write_section,
                     write_table, write_value)

CHARGE_COLUMNS = [  # also the statement's columns A … I: labels and values above, working text across C … H
    Col("Charge", "charge", width=34), Col("Item", "item_code", width=16), Col("Description", "item_name", width=30),
    Col("Basis or units", "units", "units", 15), Col("Unit", "unit", width=10),
    Col("Share %", "share_percent", "percent", 11), Col("Unit cost", "unit_cost", "cents", 13),
    Col("Of (pool, budget or cost)", "of", "cents", 17), Col("Amount", "amount", "cents", 16, total=True),
]
LAST_COL = len(CHARGE_COLUMNS) - 1
POOL_COLUMNS = {"administrative": "administrative", "capital": "capital", "rent": "rent",
                "administrative surplus": "administrative_surplus"}
COSER_SPLITS = [("coser", "budget", 1), ("coser adjustment", "final_cost", 1),  # what each CoSer charge split
                ("coser surplus", "surplus", -1)]
CHARGE_FRAME = ["category"] + [c.key for c in CHARGE_COLUMNS]  # the columns of a statement's charge rows
NO_ROWS = np.array([], dtype=np.intp)
SOURCE_TEXT = {"millage": "the millage ratio is the greater", "rwada": "the RWADA ratio is the greater",
               "floor": "both are below the floor, so the floor applies", "cap": "the greater is above the cap",
               "special act": "a special act district's own rule (§1950(4)(m))"}


@gc_paused
def write_statement(result: Result, code: str) -> bytes:
    """The statement workbook for district ``code`` as bytes."""
    s = result.settings
    working = job_working(result)
    d = working.districts[code]
    name = str(d["district_name"])
    buffer = io.BytesIO()
    book, st = new_workbook(buffer, created_at(result), f"{s.boces_name} {s.school_year} statement — {name}",
                            "District statement of BOCES charges and aid")
    ws = book.add_worksheet("Statement")
    rows = charge_rows(result, code)
    widths = fitted_widths(rows, CHARGE_COLUMNS)  # a long service name widens Description
    for j, width in enumerate(widths):
        ws.set_column(j, j, width)
    ws.write_string(0, 0, f"{s.boces_name} — statement for {s.school_year}", st["title"])
    ws.set_row(0, 24)
    ws.write_string(1, 0, f"{name} · district code {code} · {d['type']}", st["subtitle"])
    net = working.net[code]
    aid = working.aid.get(code)
    row = write_pairs(ws, st, 3, [
        ("District code", code, "text"), ("District name", name, "text"), ("Type", d["type"], "text"),
        ("Email", d["email"] if pd.notna(d["email"]) else "", "text"),
        ("Total charges", int(net["total_charges"]), "cents", "key"),
        ("Total BOCES aid", int(net["total_aid"]), "dollars", "key",
         aid_heading(result) if aid is not None else "no BOCES aid"),
        ("Net cost", int(net["net_cost"]), "cents", "key", "charges less aid"),
    ])
    row = _charges(ws, st, result, code, rows, widths, row + 1)
    if aid is not None:
        row = _aid(ws, st, result, code, aid, widths, row + 1)
    else:
        row = write_section(ws, st, row + 1, "BOCES aid", LAST_COL)
        row = write_note(ws, st, row, "A non-component district receives no BOCES aid on these charges.", LAST_COL,
                         sum(widths))
    _net(ws, st, net, d["full_value"], row + 1)
    printable(ws, f"{s.boces_name} — {name}", f"statement for {s.school_year}", repeat=(0, 1), gridlines=False)
    book.close()
    return buffer.getvalue()


# --- what every statement of a job shares, worked out once per job -----------------------------------------


@dataclass(frozen=True)
class JobWorking:
    """The parts of the statements that depend on the job, not the district, computed once per job.

    ``charges``: every billing row with its working (unit, share %, what was split), in statement order,
    as one block of Python values (so a district's rows are one take);
    ``positions``: each district's rows in ``charges``; ``services_charges``: each district's final
    CoSer and shared-PD charges (cents); ``limits``: the ratio floor and caps as text;
    ``proposed``: total charges under the proposed administrative budget, after a failed vote;
    ``districts``, ``shares``, ``aid``, ``net``: each district's row of those tables, as a dict.
    """

    charges: pd.DataFrame
    positions: dict[str, np.ndarray]
    services_charges: pd.Series
    limits: dict[str, str]
    proposed: pd.Series | None
    districts: dict[str, dict]
    shares: dict[str, dict]
    aid: dict[str, dict]
    net: dict[str, dict]


_working: tuple[weakref.ref, JobWorking] | None = None  # the last job's working, while that result lives


def job_working(result: Result) -> JobWorking:
    """The :class:`JobWorking` of ``result``: made on its first statement, reused for the others.

    One job's is kept at a time, and only while its result lives.
    """
    global _working
    if _working is None or _working[0]() is not result:
        charges = _working_charges(result)
        _working = (weakref.ref(result, _forget), JobWorking(
            charges=charges[CHARGE_FRAME].astype(object),
            positions=charges.groupby("district_code", sort=False).indices,
            services_charges=_services_totals(result), limits=_limits(result),
            proposed=result.net.get("proposed_total_charges"),
            districts=result.districts.to_dict("index"), shares=result.apportionment.shares.to_dict("index"),
            aid=result.aid.table.to_dict("index"), net=result.net.to_dict("index")))
    return _working[1]


def _forget(reference: weakref.ref) -> None:
    """Drop the kept working once its result is gone."""
    global _working
    if _working is not None and _working[0] is reference:
        _working = None


def _limits(result: Result) -> dict[str, str]:
    """The law's figures the aid working quotes, as text: ratio floor and caps, RWADA factor, state average."""
    ratio = lambda name: ratio_text(parameter(result, name) * 1000)  # noqa: E731
    return {"floor": ratio("aid.sharing_ratio_floor"), "cap": ratio("aid.sharing_ratio_cap"),
            "capital_cap": ratio("aid.capital_ratio_cap"),
            "rwada_factor": number_text(parameter(result, "aid.rwada_ratio_factor")),
            "state_avg": f"{result.aid.state_average_cents / 100:,.0f}"}


def _working_charges(result: Result) -> pd.DataFrame:
    """Every billing row with its working columns, in statement order (category, then item code).

    A pool charge shows the basis, the district's share % and the whole pool; a CoSer charge its service's
    unit and the budget, the SWD final cost or the surplus split; a shared-PD charge "staff" and the
    contract's cost. In this order each district's rows need no sorting of their own.
    """
    billing = result.billing
    category, item = billing["category"], billing["item_code"]
    pool = category.isin(POOL_COLUMNS.keys())
    coser = ~pool & category.str.startswith("coser") & item.isin(result.coser.services.index)
    shared_pd = ~pool & (category == "shared pd") & item.isin(result.shared_pd.contracts.index)
    unit, share, of = (pd.Series(None, index=billing.index, dtype=object) for _ in range(3))
    unit[pool] = basis_label(result)
    share[pool] = billing["district_code"][pool].map(result.apportionment.shares["share_percent"])
    of[pool] = category[pool].map({c: int(result.apportionment.shares[column].sum()) for c, column in POOL_COLUMNS.items()})
    unit[coser] = _coser_units(category[coser], item[coser].map(result.coser.services["unit"]))
    for kind, column, sign in COSER_SPLITS:
        rows = coser & (category == kind)
        of[rows] = sign * item[rows].map(result.coser.services[column])
    unit[shared_pd] = "staff"
    of[shared_pd] = item[shared_pd].map(result.shared_pd.contracts["cost"])
    order = category.map({c: i for i, c in enumerate(CATEGORY_LABELS)}).fillna(len(CATEGORY_LABELS))
    rows = pd.DataFrame({
        "district_code": billing["district_code"], "category": category,
        "charge": category.map(lambda c: CATEGORY_LABELS.get(c, c)), "item_code": item,
        "item_name": billing["item_name"], "units": billing["units"], "unit": unit, "share_percent": share,
        "unit_cost": billing["unit_cost"], "of": of, "amount": billing["amount"], "order": order})
    return rows.sort_values(["order", "item_code"], kind="stable").reset_index(drop=True)


def _coser_units(category: pd.Series, units: pd.Series) -> pd.Series:
    """Each CoSer charge's unit: its service's own, or "actual …" for an SWD true-up."""
    units = units.astype(object).where(units.notna(), None)
    adjustment = (category == "coser adjustment").to_numpy()
    units[adjustment] = [f"actual {u or 'units'}" for u in units[adjustment]]
    return units


def _services_totals(result: Result) -> pd.Series:
    """Each district's final CoSer and shared-PD charges (cents), before aidable parts."""
    parts = []
    if "final_charge" in result.coser.rows:
        parts.append(result.coser.rows.groupby("district_code")["final_charge"].sum())
    if len(result.shared_pd.rows) and "charge" in result.shared_pd.rows:
        parts.append(result.shared_pd.rows.groupby("district_code")["charge"].sum())
    return pd.concat(parts).groupby(level=0).sum() if parts else pd.Series(dtype="int64")


def charge_rows(result: Result, code: str) -> pd.DataFrame:
    """The district's charges with their working: unit, share of the pool, unit cost and what was split."""
    working = job_working(result)
    return working.charges.iloc[working.positions.get(code, NO_ROWS)]


def _charges(ws, st: Styles, result: Result, code: str, rows: pd.DataFrame, widths: list[float], row: int) -> int:
    s = result.settings
    row = write_section(ws, st, row, f"Charges for {s.school_year}", LAST_COL)
    parts = []
    categories = set(rows["category"].tolist())
    if categories & POOL_COLUMNS.keys():
        parts.append(f"Administrative, capital and rent charges are your share of each pool: your "
                     f"{basis_label(result)} ÷ the total of all component districts (Share %) × the pool "
                     "(Educ. Law §1950(4)(b)(7)).")
    if categories - POOL_COLUMNS.keys():
        parts.append("CoSer and shared-PD charges are your units × the unit cost; each budget is split by units to "
                     "the cent, so a charge can differ by a cent from units × the unit cost shown (§1950(4)(d)).")
    note = " ".join(parts) or "No charges this year."
    proposed = job_working(result).proposed
    if proposed is not None and code in result.apportionment.shares.index:
        note += (f" The administrative budget failed at the vote, so the contingency budget is charged; under the "
                 f"proposed budget your total charges would have been {dollars(int(proposed[code]))}.")
    row = write_note(ws, st, row, note, LAST_COL, sum(widths))
    placed = write_table(ws, st, rows, CHARGE_COLUMNS, first_row=row + 1, name="Charges", set_widths=False,
                         widths=widths, table=True)  # a statement keeps its table, however long
    return placed.next_row - 1


def aid_working(result: Result, code: str, aid: Mapping) -> dict[str, str]:
    """How each aid figure of district ``code`` is made, with its own numbers, by result column."""
    working = job_working(result)
    limits = working.limits
    shares = working.shares[code]
    claim = result.aid.mode == "claim"
    special = aid["ratio_source"] == "special act"
    sharing, capital = ratio_text(aid["sharing_ratio"]), ratio_text(aid["capital_ratio"])
    work = {}
    if not special:
        rate = f"{int(aid['tax_rate_tenths']) / 10:.1f}"
        work |= {
            "tax_rate_tenths": f"({money_text(aid['tax_levy'])} levy + {money_text(aid['pilots'])} PILOTs) ÷ "
                               f"{money_text(aid['aid_av'])} AV × 1,000, to the nearest 0.1 mill",
            "millage_ratio": f"1 − {int(aid['mills'])} mills ÷ {rate} mills (the quotient to 3 decimals without "
                             "rounding); not below 0",
            "av_per_rwada": f"{money_text(aid['aid_av'])} AV ÷ {int(aid['aid_rwada']) / 1_000_000:,.2f} RWADA, "
                            "in whole dollars",
            "wealth_ratio": f"{int(aid['av_per_rwada']):,} ÷ the state average AV per RWADA "
                            f"{limits['state_avg']}, to 3 decimals without rounding",
            "rwada_ratio": f"1 − {limits['rwada_factor']} × "
                           f"{ratio_text(aid['wealth_ratio'])} (the product to 3 decimals without rounding); "
                           "not below 0",
            "sharing_ratio": f"the greater of the millage ratio {ratio_text(aid['millage_ratio'])} and the RWADA ratio "
                             f"{ratio_text(aid['rwada_ratio'])}, at least {limits['floor']} "
                             f"and at most {limits['cap']}",
            "capital_ratio": f"the RWADA ratio {ratio_text(aid['rwada_ratio'])}, at most {limits['capital_cap']} "
                             "(no floor)",
            "admin_aid": f"{int(aid['approved_admin']):,} × sharing ratio {sharing}, rounded to the dollar",
            "capital_aid": f"{int(aid['capital_expense']):,} × capital ratio {capital}, rounded to the dollar",
            "rent_aid": f"{int(aid['rent_expense']):,} × capital ratio {capital}, truncated to the dollar",
        }
    else:
        for key in ("tax_rate_tenths", "millage_ratio", "av_per_rwada", "wealth_ratio", "rwada_ratio"):
            work[key] = "not used for a special act district"
        work |= {"sharing_ratio": f"the State pays {sharing} of approved services (§1950(4)(m))",
                 "capital_ratio": "no capital or rent aid for a special act district",
                 "admin_aid": "none for a special act district", "capital_aid": "none for a special act district",
                 "rent_aid": "none for a special act district"}
    work["ratio_source"] = SOURCE_TEXT.get(aid["ratio_source"], "")
    work["services_aid"] = f"{int(aid['approved_services']):,} × {sharing}, rounded to the dollar"
    if claim:
        for key in ("approved_admin", "approved_services", "capital_expense", "rent_expense"):
            work[key] = "as claimed with the State (Aid claim sheet)"
        work["save_harmless_aid"] = "as claimed (§1950(5)(f))"
    else:
        factor = result.aid.admin_factor
        work |= {
            "approved_admin": f"administrative share {money_text(shares['administrative'])} × {float(factor):.2%} "
                              "approved (after the salary limit and the 10% limit), in whole dollars",
            "approved_services": f"CoSer and shared-PD charges {money_text(working.services_charges.get(code, 0))} "
                                 "× each service's aidable part (none for transportation), in whole dollars",
            "capital_expense": f"capital share {money_text(shares['capital'])} × "
                               f"{number_text(Fraction(result.settings.capital_aidable_fraction))} aidable, "
                               "in whole dollars",
            "rent_expense": f"rent share {money_text(shares['rent'])}, in whole dollars",
            "save_harmless_aid": "none in an estimate",
        }
    work["total_aid"] = "the sum of the aid lines"
    return work


def _aid(ws, st: Styles, result: Result, code: str, aid: Mapping, widths: list[float], row: int) -> int:
    """The aid working in statute order: ratios, approved expenses, aid lines and their total (a formula)."""
    row = write_section(ws, st, row, f"{aid_heading(result)}: how it is figured", LAST_COL)
    note = ("Each step uses the one before it, in the order of the law (Educ. Law §1950(5), §3602(3)). "
            + ("Estimate: this year's charges are aided next year with next year's ratios; capital and rent are in "
               "truth aided in the year paid." if result.aid.mode == "estimate" else
               "Claim mode: the expenses are those claimed with the State."))
    row = write_note(ws, st, row, note, LAST_COL, sum(widths))
    header = st["header"]
    ws.write_string(row + 1, 0, "Step", header)
    ws.write_string(row + 1, 1, "Value", header)
    ws.merge_range(row + 1, 2, row + 1, LAST_COL - 1, "", header)
    ws.write_string(row + 1, 2, "How it is figured", header)
    ws.write_string(row + 1, LAST_COL, "Law", header)
    row += 2
    work = aid_working(result, code, aid)
    first_line = None
    for line in AID_LINES:
        if line.key == "total_aid":
            total = Formula(f"=SUM({xl_rowcol_to_cell(first_line, 1)}:{xl_rowcol_to_cell(row - 1, 1)})",
                            int(aid["total_aid"]))
            write_pairs(ws, st, row, [(line.label, total, "dollars", "total")])
            style = st["total"]
        else:
            if line.key == AID_LINE_KEYS[0]:
                first_line = row
            ws.write_string(row, 0, line.label, st["label"])
            value = SOURCE_LABELS.get(aid[line.key], aid[line.key]) if line.key == "ratio_source" else aid[line.key]
            write_value(ws, row, 1, value, line.kind, st)
            style = st["working"]
        ws.merge_range(row, 2, row, LAST_COL - 1, "", style)
        ws.write_string(row, 2, work.get(line.key, ""), style)
        ws.write_string(row, LAST_COL, line.law, style)
        lines = lines_needed(work.get(line.key, ""), sum(widths[2:LAST_COL]))
        if lines > 1:
            ws.set_row(row, ROW_HEIGHT * lines)
        row += 1
    return row


def _net(ws, st: Styles, net: Mapping, full_value, row: int) -> int:
    """Net cost (a formula), the change from last year and the tax impact per $1,000 of full value."""
    row = write_section(ws, st, row, "Net cost, change from last year and tax impact", LAST_COL)
    first = row
    cell = lambda r: xl_rowcol_to_cell(r, 1)  # noqa: E731
    row = write_pairs(ws, st, row, [
        ("Charges for the year", int(net["total_charges"]), "cents", "body", "the total of the charges above"),
        ("less BOCES aid", int(net["total_aid"]) * 100, "cents"),
        ("Net cost after aid", Formula(f"={cell(first)}-{cell(first + 1)}", int(net["net_cost"])), "cents", "total"),
    ])
    prior = net["prior_total_charges"]
    if pd.notna(prior):
        change = Formula(f"={cell(first)}-{cell(row)}", int(net["change"]))
        row = write_pairs(ws, st, row, [
            ("Prior year total charges", int(prior), "cents"),
            ("Change from the prior year", change, "cents"),
            ("Change %", net["change_percent"], "change"),
        ])
    else:
        row = write_pairs(ws, st, row, [("Prior year total charges", None, "text", "body",
                                         "not given on the Districts sheet")])
    impact = net["tax_impact_per_1000_x10000"]
    row = write_pairs(ws, st, row, [
        ("Full value", full_value, "cents"),
        ("Tax impact per $1,000 of full value", impact, "impact", "emphasis",
         "net cost ÷ full value × 1,000" if pd.notna(impact) else "no full value given"),
    ])
    return row
