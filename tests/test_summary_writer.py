"""The summary workbook's faster paths give what the slower code they replace gave (Educ. Law §1950(4)(d)).

Each test keeps the old, plainer computation as the reference and compares exactly.
"""
from __future__ import annotations

import pandas as pd
import pytest

from apportion.runner import compute_job
from apportion.writers.sheets import _coser_grid

from .builders import write_workbook
from .test_reports import report_sheets


@pytest.fixture(scope="module")
def report_result(tmp_path_factory):
    """The reports' test job (CoSers with an SWD true-up and a surplus), computed once."""
    path = tmp_path_factory.mktemp("summary") / "report_job.xlsx"
    write_workbook(path, report_sheets())
    return compute_job(path)


def pivot_grid(result) -> pd.DataFrame:
    """The CoSer charges grid as a pandas pivot table made it (the code ``_coser_grid`` replaced)."""
    coser = result.billing[result.billing["category"].str.startswith("coser")]
    grid = coser.pivot_table(index="item_code", columns="district_code", values="amount", aggfunc="sum")
    codes = sorted(grid.columns)
    grid = grid.reindex(columns=codes).sort_index()
    frame = grid.astype("Int64").reset_index().rename(columns={"item_code": "service_code"})
    frame["service_name"] = frame["service_code"].map(result.coser.services["service_name"])
    frame["total"] = grid.sum(axis=1).astype("int64").to_numpy()
    return frame


@pytest.mark.parametrize("job", ["report_result", "small_result", "vector_result"])
def test_coser_grid_is_the_pivot_table(job, request):
    result = request.getfixturevalue(job)
    frame, codes = _coser_grid(result)
    expected = pivot_grid(result)
    assert codes == [c for c in expected.columns if c not in ("service_code", "service_name", "total")]
    assert len(frame) == len(expected)
    assert frame["service_code"] == expected["service_code"].tolist()
    assert frame["service_name"] == expected["service_name"].tolist()
    assert frame["total"] == expected["total"].tolist()
    for code in codes:  # every amount in cents, and every blank (a district that did not buy the service)
        assert [v is None for v in frame[code]] == expected[code].isna().tolist(), code
        assert [0 if v is None else v for v in frame[code]] == expected[code].fillna(0).tolist(), code
        assert {type(v) for v in frame[code]} <= {int, type(None)}  # Python ints: exact cents


def test_coser_grid_of_a_job_without_coser(small_result):
    """No CoSer lines: an empty grid (the sheet then says so), as the pivot table gave."""
    result = small_result
    billing = result.billing[~result.billing["category"].str.startswith("coser")]
    empty = type("R", (), {"billing": billing, "coser": result.coser})()
    frame, codes = _coser_grid(empty)
    assert codes == [] and len(frame) == 0


def test_table_columns_measure_and_total_as_the_frame():
    """A data sheet's columns taken out once as lists (:class:`Columns`) give the widths, cell values and
    totals the DataFrame's own columns gave: ints, nullable ints with blanks, floats with NaN, Decimals."""
    from decimal import Decimal

    from apportion.writers.tables import Col, Columns, exact_total, excel_values, fitted_widths

    frame = pd.DataFrame({
        "name": ["a", None, "a much longer name"], "cents": [123456, -5, 10**12],
        "nullable": pd.array([None, 99999999, 7], dtype="Int64"), "share": [0.25, float("nan"), 0.125],
        "units": [Decimal("1.5"), Decimal("12345.25"), None], "count": [1, 2, 3]})
    columns = [Col("Name", "name"), Col("Cents", "cents", "cents", total=True),
               Col("Nullable", "nullable", "cents", total=True), Col("Share", "share", "share"),
               Col("Units", "units", "units", total=True), Col("Units max", "units", "units"),
               Col("Count", "count", "count", total=True), Col("Absent", "absent", "cents", total=True)]
    listed = Columns.of(frame, columns)
    assert len(listed) == 3 and listed["nullable"] == [None, 99999999, 7] and listed["share"][1] is None
    assert fitted_widths(listed, columns) == fitted_widths(frame, columns)
    for c in columns:
        if c.total:
            assert exact_total(listed, c) == exact_total(frame, c), c.key
        if c.key in frame:
            assert excel_values(listed[c.key], c.kind) == excel_values(frame[c.key], c.kind), c.key
