"""Year over year and what-if variants in the reports: the change from the prior year by category on
each statement and on the summary's Year over year sheet, and on the Run sheet the prior-year folder
and the settings a variant changed (rules §9; docs/formats.md, Outputs)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..result import Result
from .comparison import with_change_pct
from .styles import Styles
from .tables import Col, write_pairs, write_section


def _columns(result: Result, category_width: float) -> list[Col]:
    """The Year over year sheet's columns after the district's."""
    prior, this = result.prior.school_year, str(result.settings.school_year)
    return [Col("Category", "category", width=category_width), Col(f"Prior ({prior})", "prior", "cents"),
            Col(f"This year ({this})", "current", "cents"), Col("Change", "change", "cents"), Col("Change %", "change_pct", "change")]


def statement_section(result: Result, code: str) -> dict:
    """A statement document's section: the district's change from the prior year by category (charges, aid
    and net cost), for the workbook and the PDF alike."""
    prior, this = result.prior.school_year, str(result.settings.school_year)
    table = result.prior.by_category
    mine = with_change_pct(table[table["district_code"] == code])
    title = f"Change from {prior}, by category"
    if mine.empty:
        return {"title": title, "note": f"The district is not in the {prior} run."}
    columns = [{"key": "category", "header": "Category", "kind": "text", "width": 34, "total": False},
               {"key": "prior", "header": f"Prior ({prior})", "kind": "cents", "width": 16, "total": False},
               {"key": "current", "header": f"This year ({this})", "kind": "cents", "width": 16, "total": False},
               {"key": "change", "header": "Change", "kind": "cents", "width": 16, "total": False},
               {"key": "change_pct", "header": "Change %", "kind": "change", "width": 11, "total": False}]
    rows = [{"category": c, "prior": int(p), "current": int(n), "change": int(d), "change_pct": pct}
            for c, p, n, d, pct in mine[["category", "prior", "current", "change", "change_pct"]]
            .itertuples(index=False, name=None)]
    note = (f"From the {prior} run's outputs. Change % is of the {prior} amount; apportion compare explains "
            "each change by its drivers (pool size and basis share, units and unit cost, ratio and expense).")
    return {"title": title, "note": note, "table": {"name": "YearOverYear", "columns": columns, "rows": rows}}


def variant_text(result: Result) -> str:
    """What a statement's status line adds for a what-if variant (nothing for a real run)."""
    return f" · what-if variant {result.variant.name!r}: not the adopted figures" if result.variant else ""


def summary_sheet(book, st: Styles, result: Result) -> None:
    """The summary's Year over year sheet: every district's prior, current and change by category."""
    from .labels import DISTRICT
    from .datasheet import data_sheet
    table = result.prior.by_category
    frame = with_change_pct(table.assign(district_name=table["district_code"].map(result.districts["district_name"])))
    note = (f"Each district's charges, BOCES aid and net cost by category beside the {result.prior.school_year} run "
            f"read from {Path(result.prior.folder).name}. Change % is of the {result.prior.school_year} amount. A district whose "
            f"net cost moves by more than {result.prior.warn_percent} % is warned about on the Issues sheet.")
    data_sheet(book, st, result, "Year over year", f"Change from {result.prior.school_year}", note, frame,
               DISTRICT + _columns(result, 18), "YearOverYear")


def run_pairs(result: Result) -> list[tuple]:
    """The Run sheet's lines about the prior year read and the variant this run is."""
    pairs = []
    if result.prior is not None:
        pairs += [("Prior year's outputs", Path(result.prior.folder).name, "text"),
                  ("Net cost change warned above", f"{result.prior.warn_percent} %", "text")]
    if result.variant is not None:
        pairs.append(("What-if variant", result.variant.name, "text"))
        pairs += [(f"Set with --set: {c.item}", f"{c.value} (workbook: {c.workbook or 'blank'})", "text")
                  for c in result.variant.changes]
    return pairs


def run_section(ws, st: Styles, result: Result, row: int) -> int:
    """The Run sheet's section on the prior year and the variant, when there is either; returns the next row."""
    pairs = run_pairs(result)
    if not pairs:
        return row
    row = write_section(ws, st, row + 1, "Year over year and what-if", 1)
    return write_pairs(ws, st, row, pairs)
