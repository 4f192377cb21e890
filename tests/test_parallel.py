"""Writing one job's workbooks in several processes gives the same bytes as writing them in turn."""
from __future__ import annotations

import pytest

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
    shares = parallel._shares(tasks + [parallel.EXPORTS], 2, parallel._estimates(result, tasks + [parallel.EXPORTS]))
    dealt = [t for share in shares for t in share]
    assert dealt.count(parallel.EXPORTS) == 1  # the exports are written once, beside the workbooks
    assert sorted(t for t in dealt if t != parallel.EXPORTS) == sorted(tasks)
    assert all(shares)


@pytest.mark.parametrize("round_rows", [parallel.ROUND_ROWS, 50])
def test_files_written_into_a_stage_as_made_are_the_same(small_result, monkeypatch, tmp_path, round_rows):
    """With a Stage, every process writes its files into the staged folder as it makes them (nothing is
    returned or held): the folder holds exactly the bytes output_files returns, plus the output marker.
    Past ROUND_ROWS (50: the small job's few hundred rows make several rounds) the files are written in
    more shares than workers, each in a process of its own holding only its districts' working. billing.csv
    goes into the stage in pieces (here of 7 rows), the same bytes as made whole."""
    from apportion.marker import MARKER
    from apportion.writers import csvs
    from apportion.writers.atomic import Stage
    monkeypatch.setattr(parallel, "MIN_WORKBOOKS", 2)
    monkeypatch.setattr(csvs, "CHUNK_ROWS", 7)
    monkeypatch.setattr(parallel, "ROUND_ROWS", round_rows)
    tasks = [("summary.xlsx", None)] + [(f"{c}.xlsx", c) for c in small_result.aid.table.index]
    assert (sum(map(parallel._estimates(small_result, tasks), tasks)) > 2 * 2 * round_rows) == (round_rows == 50)
    expected = output_files(small_result, [("job.xlsx", "0" * 64)], workers=1)
    with Stage(tmp_path / "JOB") as stage:
        assert output_files(small_result, [("job.xlsx", "0" * 64)], workers=2, sink=stage) == {}
    written = {p.relative_to(stage.path).as_posix(): p.read_bytes() for p in stage.path.rglob("*") if p.is_file()}
    assert written.pop(MARKER)
    assert written.keys() == expected.keys() and all(written[k] == expected[k] for k in expected)


def test_a_failed_stage_leaves_nothing(tmp_path):
    from apportion.writers.atomic import Stage
    with pytest.raises(OSError, match="No space"):
        with Stage(tmp_path / "JOB") as stage:
            stage.put("billing.csv", b"half")
            raise OSError(28, "No space left on device")
    assert not stage.path.exists()

