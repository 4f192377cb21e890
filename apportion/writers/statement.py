"""One district's statement (``districts/<code>_<short name>.xlsx``): the file emailed to the district.

The header block on the "Statement" sheet is also the contract ``apportion
mail`` reads: column A labels ``District code``, ``District name``, ``Email``,
``Total charges``, ``Total BOCES aid``, ``Net cost`` with their values in column B.
"""
from __future__ import annotations

import io

import pandas as pd

from ..result import Result
from .styles import new_workbook
from .summary import created_at
from .tables import Col, write_table, write_value

CHARGE_COLUMNS = [Col("Category", "category", width=22), Col("Item", "item_code", width=14),
                  Col("Description", "item_name", width=34), Col("Units (basis)", "units_value", "units", 18),
                  Col("Unit cost", "unit_cost", "cents", 14), Col("Amount", "amount", "cents", 16, True)]


def write_statement(result: Result, code: str) -> bytes:
    """The statement workbook for district ``code`` as bytes."""
    s = result.job.settings
    d = result.job.districts.loc[code]
    buffer = io.BytesIO()
    book, f = new_workbook(buffer, created_at(result), f"{s.boces_name} {s.school_year} statement — {d['district_name']}")
    ws = book.add_worksheet("Statement")
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_footer("&L&F&RPage &P of &N")
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 30)
    ws.write_string(0, 0, f"{s.boces_name} — statement for {s.school_year}", f["title"])
    charges = result.billing[result.billing["district_code"] == code]
    net = result.net.loc[code] if code in result.net.index else None
    aid = result.aid.loc[code] if code in result.aid.index else None
    header = [("District code", code, "text"), ("District name", d["district_name"], "text"),
              ("Type", d["type"], "text"), ("Email", d["email"] if pd.notna(d["email"]) else "", "text"),
              ("Total charges", int(charges["amount"].sum()), "cents"),
              ("Total BOCES aid", int(aid["total_aid"]) if aid is not None else 0, "dollars"),
              ("Net cost", int(net["net_cost"]) if net is not None else int(charges["amount"].sum()), "cents")]
    for i, (label, value, kind) in enumerate(header, start=2):
        ws.write_string(i, 0, label, f["label"])
        write_value(ws, i, 1, value, kind, f)
    row = 2 + len(header) + 1
    ws.write_string(row, 0, "Charges", f["label"])
    frame = charges.assign(units_value=charges["units"].map(lambda v: None if v is None else float(v)))
    row = write_table(ws, f, frame, CHARGE_COLUMNS, first_row=row + 1, name="Charges") + 1
    ws.repeat_rows(row - len(frame) - 2 if len(frame) else 0)
    if aid is not None:
        ws.write_string(row, 0, f"BOCES aid estimate (aid year {s.school_year.aid_year()})" if result.aid_mode == "estimate"
                        else "BOCES aid (as claimed)", f["label"])
        row += 1
        lines = [("Tax rate (mills)", aid["tax_rate_tenths"], "mills"), ("Millage ratio", aid["millage_ratio"], "ratio"),
                 ("AV per RWADA", aid["av_per_rwada"], "dollars"), ("Wealth ratio", aid["wealth_ratio"], "ratio"),
                 ("RWADA ratio", aid["rwada_ratio"], "ratio"), ("Sharing ratio", aid["sharing_ratio"], "ratio"),
                 ("Decided by", aid["ratio_source"], "text"), ("Capital ratio", aid["capital_ratio"], "ratio"),
                 ("Approved administrative expense", aid["approved_admin"], "dollars"),
                 ("Approved services expense", aid["approved_services"], "dollars"),
                 ("Capital expense", aid["capital_expense"], "dollars"), ("Rent expense", aid["rent_expense"], "dollars"),
                 ("Administrative aid", aid["admin_aid"], "dollars"), ("Services aid", aid["services_aid"], "dollars"),
                 ("Capital aid", aid["capital_aid"], "dollars"), ("Rent aid", aid["rent_aid"], "dollars"),
                 ("Save-harmless aid", aid["save_harmless_aid"], "dollars"), ("Total BOCES aid", aid["total_aid"], "dollars")]
        for label, value, kind in lines:
            ws.write_string(row, 0, label, f["text"])
            write_value(ws, row, 1, value, kind, f)
            row += 1
    if net is not None:
        row += 1
        for label, value, kind in (("Net cost", net["net_cost"], "cents"),
                                   ("Prior year total charges", net["prior_total_charges"], "cents"),
                                   ("Change in charges", net["change"], "cents"),
                                   ("Tax impact per $1,000 of full value",
                                    None if pd.isna(net["tax_impact_per_1000_x10000"])
                                    else int(net["tax_impact_per_1000_x10000"]) / 10_000, "number")):
            ws.write_string(row, 0, label, f["text"])
            write_value(ws, row, 1, value, kind, f)
            row += 1
    book.close()
    return buffer.getvalue()
