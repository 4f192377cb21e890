"""The comparison of two runs as a workbook and a CSV (docs/formats.md, ``apportion compare``; rules §9).

The workbook: a Comparison sheet (the two runs, the settings a variant changed and the BOCES
totals of every line with its drivers), Net cost (each district's net cost, old and new, with the
parts due to charges and to aid), Lines (every district's every line with its drivers) and One
side only (districts, services and contracts found in one run only). The CSV holds the lines
and, with a blank district code, the BOCES totals.
"""
from __future__ import annotations

from pathlib import Path

import io
from datetime import datetime

import pandas as pd

from ..compare import LINE_COLUMNS, Comparison
from .csvs import csv_bytes
from .styles import new_workbook, printable
from .tables import Col, gc_paused, write_note, write_pairs, write_section, write_table
from .text import cents_text, safe_text

CSV_COLUMNS = LINE_COLUMNS
DRIVERS_NOTE = ("Each change is split into two drivers that add up to it to the cent. For a share of a pool "
                "(pool × the district's share of the basis): the pool's size at last year's share, then this "
                "year's pool times the change in share. For a CoSer or shared-PD charge (units × unit cost): the "
                "change in units at the old unit cost, then the new units times the change in unit cost. For aid "
                "(approved expense × ratio): the change in ratio on the old expense, then the new ratio on the "
                "change in expense. Each part is rounded to the cent and the cents the bills' own rounding leaves "
                "over go to the larger part.")


def percent_text(hundredths) -> str:
    """A change in hundredths of a percent as "12.34"; blank where there is none (old amount 0)."""
    if hundredths is None or hundredths is pd.NA:
        return ""
    value = int(hundredths)
    sign = "-" if value < 0 else ""
    whole, part = divmod(abs(value), 100)
    return f"{sign}{whole}.{part:02d}"


def comparison_csv(c: Comparison) -> bytes:
    """Every line of every district, then the BOCES totals (blank district code), money with two decimals."""
    totals = c.totals.assign(district_code="", district_name="BOCES total", district_status="", line_status="")
    frame = pd.concat([c.lines, totals[CSV_COLUMNS]], ignore_index=True)
    rows = zip(frame["district_code"].map(safe_text), frame["district_name"].map(safe_text), frame["district_status"],
               frame["category"], frame["item_code"].map(safe_text), frame["item_name"].map(safe_text),
               frame["line_status"], *(frame[k].map(cents_text) for k in ("old", "new", "change")),
               frame["change_percent"].map(percent_text), frame["driver_1"], frame["part_1"].map(cents_text),
               frame["driver_2"], frame["part_2"].map(cents_text))
    return csv_bytes(CSV_COLUMNS, rows)


def with_change_pct(frame: pd.DataFrame) -> pd.DataFrame:
    """Change % as a float percent for the sheet's number format (the exact figure is in the CSV)."""
    pct = frame["change_percent"]
    return frame.assign(change_pct=[None if v is pd.NA else int(v) / 100 for v in pct.astype(object)])


def _line_cols(with_district: bool) -> list[Col]:
    cols = [Col("District code", "district_code", width=14), Col("District name", "district_name", width=30),
            Col("District", "district_status", width=10)] if with_district else []
    return cols + [
        Col("Category", "category", width=18), Col("Item", "item_code", width=12), Col("Item name", "item_name", width=30),
        *([Col("Line", "line_status", width=10)] if with_district else []),
        Col("Old", "old", "cents", total=with_district), Col("New", "new", "cents", total=with_district),
        Col("Change", "change", "cents", total=with_district), Col("Change %", "change_pct", "change"),
        Col("Driver 1", "driver_1", width=14), Col("Part 1", "part_1", "cents", total=with_district),
        Col("Driver 2", "driver_2", width=16), Col("Part 2", "part_2", "cents", total=with_district)]


#: the workbook's subject property: how ``compare`` knows a file it may replace is an earlier comparison
SUBJECT = "What changed between two runs"


def is_comparison(path: Path) -> bool:
    """Whether ``path`` is a comparison workbook this tool wrote (its subject property says so)."""
    import zipfile
    from xml.sax.saxutils import escape
    try:
        with zipfile.ZipFile(path) as z:
            core = z.read("docProps/core.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    return f"<dc:subject>{escape(SUBJECT)}</dc:subject>" in core and "<dc:creator>apportion</dc:creator>" in core


@gc_paused
def comparison_xlsx(c: Comparison) -> bytes:
    """The comparison workbook as bytes (fixed timestamp: the new run's school year's first day)."""
    buffer = io.BytesIO()
    created = datetime(int(c.new.school_year[:4]), 7, 1)
    book, st = new_workbook(buffer, created, f"{c.old.label} → {c.new.label}", SUBJECT)
    footer = f"{c.old.label} → {c.new.label}"
    ws = book.add_worksheet("Comparison")
    ws.write_string(0, 0, f"What changed: {c.old.label} → {c.new.label}", st["title"])
    pairs = [("Old run", f"{c.old.boces_name} — {c.old.label}", "text"), ("Old folder", c.old.folder, "text"),
             ("New run", f"{c.new.boces_name} — {c.new.label}", "text"), ("New folder", c.new.folder, "text"),
             ("Districts in one run only", int((c.one_sided["kind"] == "district").sum()), "count"),
             ("Services and contracts in one run only", int((c.one_sided["kind"] != "district").sum()), "count")]
    pairs += [(f"Setting changed: {item}", f"{value}", "text") for item, value in c.new.settings_changed]
    row = write_pairs(ws, st, 2, pairs)
    row = write_note(ws, st, row + 1, DRIVERS_NOTE, 10, 150)
    row = write_section(ws, st, row + 1, "BOCES totals", 10)
    write_table(ws, st, with_change_pct(c.totals), _line_cols(False), first_row=row, name="Totals")
    printable(ws, footer, "Comparison")
    net = c.lines[c.lines["category"] == "net cost"]
    ws = book.add_worksheet("Net cost")
    ws.write_string(0, 0, "Net cost by district", st["title"])
    cols = [Col("District code", "district_code", width=14), Col("District name", "district_name", width=30),
            Col("District", "district_status", width=10), Col("Old net cost", "old", "cents", total=True),
            Col("New net cost", "new", "cents", total=True), Col("Change", "change", "cents", total=True),
            Col("Change %", "change_pct", "change"), Col("Due to charges", "part_1", "cents", total=True),
            Col("Due to aid", "part_2", "cents", total=True)]
    write_table(ws, st, with_change_pct(net), cols, first_row=2, name="NetCost", freeze_cols=2)
    printable(ws, footer, "Net cost", repeat=(2, 2))
    ws = book.add_worksheet("Lines")
    ws.write_string(0, 0, "Every line of every district", st["title"])
    write_table(ws, st, with_change_pct(c.lines), _line_cols(True), first_row=2, name="Lines", freeze_cols=2)
    printable(ws, footer, "Lines", repeat=(2, 2), repeat_cols=(0, 1))
    ws = book.add_worksheet("One side only")
    ws.write_string(0, 0, "Found in one run only", st["title"])
    write_table(ws, st, c.one_sided, [Col("Kind", "kind", width=10), Col("Code", "code", width=14),
                                      Col("Name", "name", width=40), Col("Found in", "side", width=10)],
                first_row=2, name="OneSided", empty_text="Every district, service and contract is in both runs.")
    printable(ws, footer, "One side only", repeat=(2, 2))
    book.worksheets()[0].activate()
    book.close()
    return buffer.getvalue()


def comparison_files(c: Comparison, stem: str = "comparison") -> dict[str, bytes]:
    """``<stem>.xlsx`` and ``<stem>.csv``."""
    return {f"{stem}.xlsx": comparison_xlsx(c), f"{stem}.csv": comparison_csv(c)}
