"""Reading the BOCES sheet: two columns, Item | Value, the items matched by name in any row order."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import IssueLog
from ..limits import DEFAULT_LIMITS, Limits
from ..schema import BOCES_ITEMS, column_letter, normalise
from ..textsafe import FORBIDDEN, visible
from . import coerce
from .book import Workbook, sheet_rows
from .content import SUSPECT_MESSAGES
from .names import near_miss
from .table import KIND_CODES, refusal


@dataclass
class Items:
    """The BOCES sheet: values by item key, and where each was found."""

    file: str
    sheet: str
    values: dict[str, object]
    cells: dict[str, str]
    labels: dict[str, str]

    next_row: int = 1  # the first row below the items: where an item not typed would go
    #: items set on the command line (``run --set``): key → (item as typed, value as typed, the workbook's value)
    overridden: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    def where(self, key: str) -> dict[str, str]:
        """Location keywords for an issue about an item: its value cell, or, for an item not typed, the first
        free row below the items (where to add it); ``command line --set`` for one set on the command line."""
        f = next(i for i in BOCES_ITEMS if i.key == key)
        if key in self.overridden:
            return {"file": SET_LOCATION, "sheet": self.sheet, "cell": "", "column": self.overridden[key][0]}
        return {"file": self.file, "sheet": self.sheet, "cell": self.cells.get(key, f"A{self.next_row}"),
                "column": self.labels.get(key, f.header)}


#: the location an issue names for a BOCES item set with ``run --set`` (in place of a file)
SET_LOCATION = "command line --set"


def _set_items(items: Items, raw_values: dict, settings: tuple[tuple[str, str], ...], by_norm: dict,
               log: IssueLog) -> None:
    """Put the items given as ``run --set "Item=value"`` in place of the sheet's values, so the same typing
    and checks run on them; an unknown item is an error located at ``command line --set``."""
    for label, text in settings:
        f = by_norm.get(normalise(label))
        if f is None:
            meant = near_miss(label, list(BOCES_ITEMS), lambda f: f.header)
            hint = f"; did you mean {meant.header!r}?" if meant is not None else ""
            log.error("unknown-set-item", f"{label!r} is not an item of the BOCES sheet{hint}", file=SET_LOCATION,
                      sheet=items.sheet, column=label, expected="the name of a BOCES item, e.g. Administrative budget",
                      found=label)
            continue
        if not text.strip():  # read as blank, the item would take its default (Rent budget 0) unsaid
            log.error("empty-set-value", f"--set {label}= gives no value", file=SET_LOCATION, sheet=items.sheet,
                      column=label, expected=f"a value for {f.header}", found="nothing after =")
            continue
        workbook = raw_values.get(f.key)
        shown = "" if workbook is None else str(int(workbook) if isinstance(workbook, float) and workbook.is_integer()
                                                else workbook)
        items.overridden[f.key] = (label, text, shown)
        raw_values[f.key] = text


def read_items(wb: Workbook, log: IssueLog, settings: tuple[tuple[str, str], ...] = ()) -> Items:
    """Read the two-column BOCES sheet; items are matched by name in any row order. ``settings`` are
    ``(item, value)`` pairs given on the command line (``run --set``) that replace the sheet's values."""
    sheet = wb.sheets["boces"]
    where = {"file": wb.display, "sheet": sheet}
    items = Items(wb.display, sheet, {}, {}, {})
    rows = sheet_rows(wb, sheet, log)
    if rows is None:
        return items
    by_norm = {f.norm: f for f in BOCES_ITEMS}
    raw_values, unknown = {}, []
    suspect = wb.suspect(sheet)
    items.next_row = 1 + max((i + 1 for i, row in enumerate(rows) if any(v not in (None, "") for v in row)), default=0)

    def take(f, label, value, cell: str) -> None:
        if f.key in items.cells:
            log.error("duplicate-item", f"the item {f.header!r} appears twice", **where, cell=cell, column=str(label),
                      expected="each item once", found=f"also at {items.cells[f.key]}")
            return
        items.cells[f.key], items.labels[f.key] = cell, str(label)
        if cell in suspect:
            code, found = suspect[cell]
            log.error(code, SUSPECT_MESSAGES[code], **items.where(f.key), expected="a value", found=found)
            return  # reported once; the item reads as absent
        raw_values[f.key] = value

    for i, row in enumerate(rows):
        label_col = next((j for j, v in enumerate(row) if v not in (None, "")), None)
        if label_col is None:
            continue
        label = row[label_col]
        value = row[label_col + 1] if label_col + 1 < len(row) else None
        f = by_norm.get(normalise(label))
        label_cell, cell = f"{column_letter(label_col)}{i + 1}", f"{column_letter(label_col + 1)}{i + 1}"
        _check_beyond_value(row, label_col, label, i + 1, cell, where, log)
        if f is None:
            if normalise(label) != "item":  # the optional "Item | Value" header row
                unknown.append((label, label_cell, value, cell))
            continue
        take(f, label, value, cell)
    # once every exact item is known: only absent ones, or ones typed exactly but left blank (the template's
    # row kept, the value typed on a row of the user's own), are missed
    missable = [f for f in BOCES_ITEMS
                if f.key not in items.cells or coerce.is_blank_value(raw_values.get(f.key))]
    for label, label_cell, value, cell in unknown:
        f = near_miss(label, missable, lambda f: f.header)
        if f is None:
            log.warning("unknown-item", **where, cell=label_cell, column=str(label), expected="an item of the BOCES sheet",
                        found=str(label))
            continue
        left_blank = items.cells.get(f.key)
        log.error("near-miss-item", **where, cell=label_cell, column=str(label), known=f.header,
                  expected=f"an item named {f.header!r}" if left_blank is None else
                  f"the value in {left_blank}, beside {f.header!r}, which is blank", found=str(label))
        if left_blank is not None:  # read as the item meant, so its value is checked in the same pass
            del items.cells[f.key]
            raw_values.pop(f.key, None)
        take(f, label, value, cell)
    _set_items(items, raw_values, settings, by_norm, log)
    for f in BOCES_ITEMS:
        value = raw_values.get(f.key)
        if coerce.is_blank_value(value):
            if f.required and not (f.key in items.cells and items.cells[f.key] in suspect):
                log.error("missing-item", f"the item {f.header!r} is required", **items.where(f.key),
                          expected=f"a row {f.header!r} with its value",
                          found="nothing" if f.key not in items.cells else "a blank cell")
            items.values[f.key] = f.default
            continue
        items.values[f.key] = _item_value(f, value, items, log, wb.limits)
    return items


def _check_beyond_value(row: list, label_col: int, label, row_number: int, value_cell: str, where: dict,
                        log: IssueLog) -> None:
    """Cells right of an item's value cell are not read: a value typed one column too far (the value cell
    blank) is an error there — the item would silently take its default; anything else there is a warning."""
    beyond = [j for j in range(label_col + 2, len(row)) if not coerce.is_blank_value(row[j])]
    if not beyond:
        return
    cell = f"{column_letter(beyond[0])}{row_number}"
    if coerce.is_blank_value(row[label_col + 1]):
        log.error("misplaced-item-value", **where, cell=cell, column=str(label), value_cell=value_cell,
                  expected=f"the value in {value_cell}, beside the item", found=coerce.describe(row[beyond[0]]))
    else:
        log.warning("unused-cell", **where, cell=cell, column=str(label), value_cell=value_cell,
                    expected="nothing right of the value", found=coerce.describe(row[beyond[0]]))


def _item_value(f, value, items: Items, log: IssueLog, limits: Limits = DEFAULT_LIMITS):
    """Type one BOCES item (text lengths under ``limits``); an unfit value is an error and yields the default."""
    from ..years import SchoolYear
    expected = f.expected
    if f.kind == "year":
        try:
            return SchoolYear.parse(value)
        except ValueError:
            log.error("bad-school-year", "the school year is not like 2026-27", **items.where(f.key),
                      expected="a school year like 2026-27", found=coerce.describe(value))
            return None
    if f.kind == "fraction":
        d = coerce.to_fraction_value(value, percent=f.unit == "percent")
        if d is None or d < 0:
            log.error("not-a-number", f"{f.header!r} must be a number, 0 or more", **items.where(f.key),
                      expected="a number, 0 or more", found=coerce.describe(value))
            return f.default
        return d
    result = coerce.convert_value(f.kind, value, f.choices, coerce.text_limit(f.kind, f.key, limits))
    if f.kind in ("key", "text") and isinstance(value, str) and FORBIDDEN.search(value):
        log.warning("control-characters", **items.where(f.key), expected="printable text", found=visible(value)[:200])
    if result is coerce.BAD or result is None:
        code, message = refusal(f, value, limits)
        generic = code in KIND_CODES.values() or code == "bad-value"
        if generic and not (f.kind == "date" and coerce.date_problem(value)):  # a date out of the window says so
            message = f"the value of {f.header!r} does not fit"
        log.error("bad-item" if generic else code, message, **items.where(f.key), expected=expected,
                  found=coerce.describe(value))
        return f.default
    if f.kind == "money" and int(result) < 0:
        log.error("negative-value", f"{f.header!r} cannot be negative", **items.where(f.key), expected=expected,
                  found=coerce.describe(value))
        return f.default
    return int(result) if f.kind.endswith("money") else result
