"""The safety scan's bound on a worksheet's used area (readers/safety.py `_extent`), on sheet XML built here:
the two-search exact height of a well-formed sheet, and the slower bounds whenever a reference is missing,
late or further down than the last row's (calamine places every cell by its own reference)."""
import random
import re

import pytest

from apportion.readers.safety import _at_most, _extent


def sheet(rows: list[tuple[int, list[str]]], prefix: str = "") -> bytes:
    """Sheet XML with the given (row number, [cell references]) rows."""
    p = prefix
    body = "".join(f'<{p}row r="{r}">' + "".join(f'<{p}c r="{ref}"><{p}v>1</{p}v></{p}c>' for ref in refs)
                   + f"</{p}row>" for r, refs in rows)
    return f"<{p}worksheet><{p}sheetData>{body}</{p}sheetData></{p}worksheet>".encode()


@pytest.mark.parametrize("n", list(range(1, 130)) + [999, 1000, 1009, 1_000_074, 1_048_576, 9_999_999, 10**12])
def test_at_most_matches_exactly_one_to_n(n):
    pattern = re.compile(_at_most(n) + b"$")
    rng = random.Random(n)
    for m in list(range(0, 130)) + [n - 1, n, n + 1, 10 * n, n + 10 ** (len(str(n)) - 1)] + \
            [rng.randrange(10 ** rng.randrange(1, 15)) for _ in range(40)]:
        assert (pattern.match(str(m).encode()) is not None) == (1 <= m <= n), m
    for text in (b"0", b"00", b"01", b"-1", b"", b"0" + str(n).encode(), b"1e3"):
        assert pattern.match(text) is None, text


def test_well_formed_sheet_is_bounded_by_its_last_row():
    # 1,000,074 rows × 26 columns (one letter) = 26,001,924 cells ≤ 50,000,000: no reference read one by one
    data = sheet([(1, ["A1", "G1"]), (500_000, ["C500000"]), (1_000_074, ["A1000074", "C1000074"])])
    assert _extent(data, b"", 50_000_000) == (1_000_074, 26)
    # with the x: prefix of .NET SDK files
    data = sheet([(1, ["A1"]), (1_000_074, ["B1000074"])], prefix="x:")
    assert _extent(data, b"x:", 50_000_000) == (1_000_074, 26)


def test_a_cell_below_the_last_row_is_still_found():
    # the cell XFD1048576 sits inside row 2: the sheet spans 1,048,576 × 16,384 cells
    data = sheet([(1, ["A1"]), (2, ["B2", "XFD1048576"]), (3, ["A3"])])
    rows, cols = _extent(data, b"", 50_000_000)
    assert rows * cols > 50_000_000
    assert (rows, cols) == (1_048_576, 16_384)


def test_rows_out_of_order_are_still_found():
    data = sheet([(1, ["A1"]), (2_000_000, ["A2000000"]), (3, ["Z3"])])
    assert _extent(data, b"", 1_000_000_000) == (2_000_000, 26)


def test_a_row_without_reference_falls_back():
    data = sheet([(1, ["A1"]), (2, ["A2"])]).replace(b'<row r="2">', b"<row>")
    # every reference read: the highest is 2 (cell A2), and the row without one may add one more; one column
    assert _extent(data, b"", 50_000_000) == (3, 1)


def test_wide_columns_past_the_budget_fall_back_to_the_exact_count():
    # 1,000,000 rows × 702 (two-letter) columns would be over 50,000,000: every reference is read, AB is column 28
    data = sheet([(1, ["A1", "AB1"]), (1_000_000, ["A1000000"])])
    assert _extent(data, b"", 50_000_000) == (1_000_000, 28)
