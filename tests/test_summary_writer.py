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
    assert frame["service_code"].tolist() == expected["service_code"].tolist()
    assert frame["service_name"].tolist() == expected["service_name"].tolist()
    assert frame["total"].tolist() == expected["total"].tolist()
    for code in codes:  # every amount in cents, and every blank (a district that did not buy the service)
        assert frame[code].isna().tolist() == expected[code].isna().tolist(), code
        assert frame[code].fillna(0).tolist() == expected[code].fillna(0).tolist(), code
        assert str(frame[code].dtype) == "Int64"


def test_coser_grid_of_a_job_without_coser(small_result):
    """No CoSer lines: an empty grid (the sheet then says so), as the pivot table gave."""
    result = small_result
    billing = result.billing[~result.billing["category"].str.startswith("coser")]
    empty = type("R", (), {"billing": billing, "coser": result.coser})()
    frame, codes = _coser_grid(empty)
    assert codes == [] and len(frame) == 0
