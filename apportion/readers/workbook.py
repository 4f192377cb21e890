"""Open input workbooks with calamine and turn their sheets into typed tables.

Forgiving on form — sheet names and headers match ignoring case and spaces,
columns in any order, extra columns and sheets noted, blank rows skipped, the
header row found within the first rows — and strict on meaning: each cell that
does not fit becomes an issue naming file, sheet, A1 cell and header as typed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import python_calamine

from ..errors import IssueLog
from ..schema import BOCES_ITEMS, TableSheet, normalise
from . import coerce
from .safety import DEFAULT_LIMITS, Limits, UnsafeWorkbook, check_file, uncalculated_formulas

HEADER_SEARCH_ROWS = 10
EXPECTED = {
    "money": "dollars in whole cents, 0 or more",
    "signed money": "dollars in whole cents",
    "quantity": "a number, 0 or more",
    "code": "a 12-digit BEDS code",
    "yesno": "yes or no",
    "date": "a date (e.g. 2026-03-04)",
    "emails": "email addresses separated by ;",
}


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class Workbook:
    """An input workbook: its path as shown to the user and its sheets by normalised name."""

    path: Path
    display: str
    sheets: dict[str, str]  # normalised → as typed
    book: object = None
    formulas: dict[str, list[str]] = field(default_factory=dict)

    def rows(self, sheet: str) -> list[list]:
        return self.book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def open_workbook(path: Path, display: str, log: IssueLog, limits: Limits = DEFAULT_LIMITS) -> Workbook | None:
    """Open a workbook after the safety checks; None (with an issue) if it cannot be read."""
    try:
        check_file(path, limits)
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        names = book.sheet_names
        formulas = uncalculated_formulas(path)
    except UnsafeWorkbook as exc:
        log.error(exc.code, str(exc), file=display, expected="an Excel workbook (.xlsx)", found=exc.found)
        return None
    except python_calamine.PasswordError:
        log.error("encrypted-workbook", "the workbook is password-protected; remove the password and save it",
                  file=display, expected="a workbook without a password", found="a password-protected workbook")
        return None
    except Exception as exc:  # calamine raises several types for damaged files
        log.error("unreadable-workbook", "the file cannot be read as a workbook", file=display,
                  expected="an Excel workbook (.xlsx, .xlsm, .xls or .ods)", found=f"{type(exc).__name__}: {exc}"[:200])
        return None
    sheets: dict[str, str] = {}
    for name in names:
        key = normalise(name)
        if key in sheets:
            log.error("duplicate-sheet", f"two sheets are named {name!r}", file=display, sheet=name)
        sheets[key] = name
    return Workbook(path, display, sheets, book, formulas)


@dataclass
class Table:
    """A table sheet read and typed. ``frame`` is indexed by Excel row number."""

    spec: TableSheet
    file: str
    sheet: str
    frame: pd.DataFrame
    letters: dict[str, str]  # field key → column letter
    headers: dict[str, str]  # field key → header as typed

    def where(self, key: str, row: int | None = None) -> dict[str, str]:
        """Location keywords for an issue about column ``key`` (at ``row``)."""
        letter = self.letters.get(key, "")
        cell = f"{letter}{row}" if (letter and row is not None) else ""
        return {"file": self.file, "sheet": self.sheet, "cell": cell,
                "column": self.headers.get(key, self.spec.field(key).header)}

    def present(self, key: str) -> bool:
        return key in self.letters


def _find_header(rows: list[list], spec: TableSheet) -> int | None:
    """The first row (0-based) among the first few that names any of the sheet's columns."""
    known = {f.norm for f in spec.fields}
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = {normalise(v) for v in row if isinstance(v, str)}
        if names & known:
            return i
    return None


def read_table(wb: Workbook, spec: TableSheet, log: IssueLog, limits: Limits = DEFAULT_LIMITS) -> Table | None:
    """Read one table sheet; every problem goes to ``log``. None if the sheet is unusable."""
    sheet = wb.sheets[spec.norm]
    where = {"file": wb.display, "sheet": sheet}
    rows = wb.rows(sheet)
    if len(rows) > limits.max_rows:
        log.error("too-many-rows", f"the sheet has more rows than the limit of {limits.max_rows:,}", **where,
                  expected=f"at most {limits.max_rows:,} rows", found=f"{len(rows):,} rows")
        return None
    header_at = _find_header(rows, spec)
    if header_at is None:
        expected = ", ".join(f.header for f in spec.fields if f.required)
        found = ", ".join(str(v) for v in (rows[0] if rows else []) if v not in (None, "")) or "an empty sheet"
        log.error("missing-header-row", f"no header row naming the sheet's columns in the first {HEADER_SEARCH_ROWS} rows",
                  **where, cell="A1", expected=f"headers including {expected}", found=found[:200])
        return None
    header = rows[header_at]
    by_norm = {f.norm: f for f in spec.fields}
    letters, headers, columns = {}, {}, {}
    extras = []
    for j, value in enumerate(header):
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        f = by_norm.get(normalise(value))
        if f is None:
            extras.append(str(value))
            continue
        if f.key in letters:
            log.error("duplicate-column", f"the column {f.header!r} appears twice", **where,
                      cell=f"{column_letter(j)}{header_at + 1}", column=str(value),
                      expected="each column once", found=f"also in column {letters[f.key]}")
            continue
        letters[f.key], headers[f.key], columns[f.key] = column_letter(j), str(value), j
    if extras:
        log.note("extra-columns", "columns not used: " + ", ".join(extras), **where)
    missing = [f for f in spec.fields if f.required and f.key not in letters]
    for f in missing:
        found = ", ".join(str(v) for v in header if v not in (None, ""))
        log.error("missing-column", f"the required column {f.header!r} is missing", **where,
                  cell=f"A{header_at + 1}", column=f.header, expected=f"a column headed {f.header!r}",
                  found=f"headers: {found}"[:300])
    body = rows[header_at + 1:]
    index = pd.RangeIndex(header_at + 2, header_at + 2 + len(body))
    raw = pd.DataFrame({key: [r[j] if j < len(r) else None for r in body] for key, j in columns.items()},
                       index=index, dtype=object)
    if len(raw.columns):
        nonblank = ~pd.DataFrame({k: coerce.is_blank(raw[k]) for k in raw.columns}, index=index).all(axis=1)
        raw = raw[nonblank]
    else:
        raw = raw.iloc[0:0]
    table = Table(spec, wb.display, sheet, pd.DataFrame(index=raw.index), letters, headers)
    formula_cells = set(wb.formulas.get(sheet, ()))
    for f in spec.fields:
        if f.key not in raw.columns:
            continue
        letter = letters[f.key]
        for row in raw.index:
            if f"{letter}{row}" in formula_cells:
                log.error("formula-without-value", "the cell holds a formula that was never calculated; open the file "
                          "in Excel and save it", **table.where(f.key, row), expected="a value", found="an uncalculated formula")
        table.frame[f.key] = _typed(raw[f.key], f, table, log)
    return table


def _typed(raw: pd.Series, f, table: Table, log: IssueLog) -> pd.Series:
    """One column typed; bad cells, negatives and blanks in required columns become issues."""
    kind = f.kind
    if kind in coerce.SCALES:
        typed, bad = coerce.to_scaled(raw, coerce.SCALES[kind])
    elif kind == "code":
        typed, bad = coerce.to_code(raw)
    elif kind in ("key", "text"):
        typed, bad = coerce.to_text(raw)
    elif kind == "choice":
        typed, bad = coerce.to_choice(raw, f.choices)
    elif kind == "yesno":
        typed, bad = coerce.to_yesno(raw)
    elif kind == "date":
        typed, bad = coerce.to_date(raw)
    elif kind == "emails":
        typed, bad = coerce.to_emails(raw)
    else:  # pragma: no cover - schema and reader move together
        raise ValueError(kind)
    expected = EXPECTED.get(kind) or (" / ".join(f.choices) if f.choices else "text")
    for row, value in bad.items():
        code = {"money": "not-money", "signed money": "not-money", "quantity": "not-a-number", "code": "bad-district-code",
                "choice": "unknown-choice", "yesno": "not-yes-no", "date": "not-a-date", "emails": "bad-email"}[kind]
        if kind in ("money", "signed money") and coerce.decimal_of(value) is not None:
            code, message = "fraction-of-cent", "the amount is not a whole number of cents"
        else:
            message = f"the value does not fit {f.header!r}"
        log.error(code, message, **table.where(f.key, row), expected=expected, found=coerce.describe(value))
    if kind in ("money", "quantity"):
        negative = typed.fillna(0) < 0
        for row in typed.index[negative.to_numpy()]:
            log.error("negative-value", f"{f.header!r} cannot be negative", **table.where(f.key, row),
                      expected=expected, found=coerce.describe(raw[row]))
    if f.required:
        missing = pd.isna(typed).to_numpy() & coerce.is_blank(raw)
        for row in typed.index[missing]:
            log.error("missing-value", f"{f.header!r} is required", **table.where(f.key, row),
                      expected=expected, found="a blank cell")
    return typed


# --- the BOCES sheet: Item | Value ---------------------------------------------------

@dataclass
class Items:
    """The BOCES sheet: values by item key, and where each was found."""

    file: str
    sheet: str
    values: dict[str, object]
    cells: dict[str, str]
    labels: dict[str, str]

    def where(self, key: str) -> dict[str, str]:
        f = next(i for i in BOCES_ITEMS if i.key == key)
        return {"file": self.file, "sheet": self.sheet, "cell": self.cells.get(key, ""),
                "column": self.labels.get(key, f.header)}


def read_items(wb: Workbook, log: IssueLog) -> Items:
    """Read the two-column BOCES sheet; items are matched by name in any row order."""
    sheet = wb.sheets["boces"]
    where = {"file": wb.display, "sheet": sheet}
    rows = wb.rows(sheet)
    by_norm = {f.norm: f for f in BOCES_ITEMS}
    items = Items(wb.display, sheet, {}, {}, {})
    raw_values, unknown = {}, []
    for i, row in enumerate(rows):
        label_col = next((j for j, v in enumerate(row) if v not in (None, "")), None)
        if label_col is None:
            continue
        label = row[label_col]
        f = by_norm.get(normalise(label))
        if f is None:
            if normalise(label) != "item":  # the optional "Item | Value" header row
                unknown.append(str(label))
            continue
        value = row[label_col + 1] if label_col + 1 < len(row) else None
        cell = f"{column_letter(label_col + 1)}{i + 1}"
        if f.key in items.cells:
            log.error("duplicate-item", f"the item {f.header!r} appears twice", **where, cell=cell, column=str(label),
                      expected="each item once", found=f"also at {items.cells[f.key]}")
            continue
        items.cells[f.key], items.labels[f.key] = cell, str(label)
        raw_values[f.key] = value
        if cell in wb.formulas.get(sheet, ()):
            log.error("formula-without-value", "the cell holds a formula that was never calculated; open the file in "
                      "Excel and save it", **items.where(f.key), expected="a value", found="an uncalculated formula")
    if unknown:
        log.note("extra-items", "items not used: " + ", ".join(unknown), **where)
    for f in BOCES_ITEMS:
        value = raw_values.get(f.key)
        blank = value is None or (isinstance(value, str) and not value.strip())
        if blank:
            if f.required:
                log.error("missing-item", f"the item {f.header!r} is required", **(items.where(f.key) | (
                    {} if f.key in items.cells else {"cell": ""})),
                          expected=f"a row {f.header!r} with its value", found="nothing" if f.key not in items.cells else "a blank cell")
            items.values[f.key] = f.default
            continue
        items.values[f.key] = _item_value(f, value, items, log)
    return items


def _item_value(f, value, items: Items, log: IssueLog):
    """Type one BOCES item; an unfit value is an error and yields the default."""
    from ..years import SchoolYear
    expected = EXPECTED.get(f.kind) or (" / ".join(f.choices) if f.choices else "text")
    if f.kind == "year":
        try:
            return SchoolYear.parse(value)
        except ValueError:
            log.error("bad-school-year", "the school year is not like 2026-27", **items.where(f.key),
                      expected="a school year like 2026-27", found=coerce.describe(value))
            return None
    if f.kind == "fraction":
        d = coerce.to_fraction_value(value)
        if d is None or d < 0:
            log.error("not-a-number", f"{f.header!r} must be a number", **items.where(f.key),
                      expected="a number, 0 or more", found=coerce.describe(value))
            return f.default
        return d
    series = pd.Series([value], index=[0], dtype=object)
    typed, _ = {
        "money": lambda s: coerce.to_scaled(s, 100), "signed money": lambda s: coerce.to_scaled(s, 100),
        "choice": lambda s: coerce.to_choice(s, f.choices), "date": coerce.to_date, "text": coerce.to_text,
    }[f.kind](series)
    result = typed.iloc[0]
    if result is None or result is pd.NA:
        code = "fraction-of-cent" if f.kind.endswith("money") and coerce.decimal_of(value) is not None else "bad-item"
        log.error(code, f"the value of {f.header!r} does not fit", **items.where(f.key), expected=expected,
                  found=coerce.describe(value))
        return f.default
    if f.kind == "money" and int(result) < 0:
        log.error("negative-value", f"{f.header!r} cannot be negative", **items.where(f.key), expected=expected,
                  found=coerce.describe(value))
        return f.default
    return int(result) if f.kind.endswith("money") else result
