"""A data sheet of the summary workbook: one table under a title and a line saying how its figures
are made, set up for printing (docs/formats.md, Outputs)."""
from __future__ import annotations

import pandas as pd

from ..result import Result
from .labels import NOTE_WIDTH
from .styles import PAGE_WIDTH, Styles, printable
from .tables import Col, Columns, Placed, fitted_widths, write_note, write_table


def data_sheet(book, st: Styles, result: Result, name: str, title: str, note: str, frame: pd.DataFrame | Columns,
                columns: list[Col], table: str, freeze_cols: int = 2, empty_text: str = "None.",
                as_table: bool | None = None) -> Placed:
    """A sheet holding one table under a title and a line of explanation, set up for printing.

    ``as_table`` says whether the rows are an Excel table (see :func:`~.tables.write_table`; by default,
    when they are not too many).
    """
    s = result.settings
    ws = book.add_worksheet(name)
    ws.write_string(0, 0, title, st["title"])
    ws.set_row(0, 22)
    frame = frame if isinstance(frame, Columns) else Columns.of(frame, columns)  # each column taken out once
    widths = fitted_widths(frame, columns)
    if sum(widths) > PAGE_WIDTH and freeze_cols:
        # printed over several pages across, with only the first columns repeated: the note wraps within
        # those, so every page shows it whole
        last = freeze_cols - 1
    else:
        last = max(1, sum(1 for j in range(len(widths)) if sum(widths[: j + 1]) <= NOTE_WIDTH)) - 1
    write_note(ws, st, 1, note, last, sum(widths[: last + 1]))
    placed = write_table(ws, st, frame, columns, first_row=3, name=table,
                         freeze_cols=freeze_cols if len(frame) else None, empty_text=empty_text, table=as_table,
                         widths=widths)
    printable(ws, f"{s.boces_name} — {s.school_year}", name, repeat=(3, 3), width=placed.width,
              repeat_cols=(0, freeze_cols - 1) if freeze_cols else None)
    return placed
