"""Writing one job's workbooks in several processes gives the same bytes as writing them in turn."""
from __future__ import annotations

from apportion.runner import output_files
from apportion.writers import parallel


def test_workers_write_identical_bytes(small_result, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_WORKBOOKS", 2)  # the small job has 7 workbooks
    result = small_result
    one = output_files(result, [("job.xlsx", "0" * 64)], workers=1)
    two = output_files(result, [("job.xlsx", "0" * 64)], workers=2)
    assert one.keys() == two.keys() and all(one[k] == two[k] for k in one)


def test_shares_balance_by_cost(small_result):
    result = small_result
    tasks = [("summary.xlsx", None)] + [(f"{c}.xlsx", c) for c in result.aid.table.index]
    shares = parallel._shares(result, tasks, 2)
    assert sorted(t for share in shares for t in share) == sorted(tasks)
    assert all(shares)
