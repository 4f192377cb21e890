"""Size limits as named settings with clear errors, and error lists capped per code (issue 14, point 8)."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from apportion.cli import cli
from apportion.errors import IssueLog
from apportion.limits import DEFAULT_LIMITS, SETTINGS, Limits, parse_limits
from apportion.readers.book import Preloaded, Workbook
from apportion.readers.table import read_table
from apportion.schema import PARTICIPATION

from . import corpus as C


def invoke(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False, env=env)


def test_every_limit_is_a_named_setting_with_its_default():
    assert set(SETTINGS) == {"file-bytes", "unpacked-bytes", "compression-ratio", "zip-parts", "rows", "cells",
                             "code-length", "text-length", "issues-per-code"}
    assert parse_limits([]) == DEFAULT_LIMITS
    assert parse_limits(["rows=8,000,000", "text-length=300"], "cells=60000000,rows=6000000") == Limits(
        max_rows=8_000_000, text_length=300, max_cells=60_000_000)  # --limit wins over the environment


@pytest.mark.parametrize("pair, said", [("rows", "expected NAME=N"), ("sheets=3", "expected NAME=N"),
                                        ("rows=many", "whole number"), ("rows=0", "1 or more"),
                                        ("rows=9000001", "cannot be more than 9,000,000"),
                                        ("code-length=101", "cannot be more than 100")])
def test_a_bad_setting_is_a_usage_error_naming_it(tmp_path, pair, said):
    result = invoke("validate", C.write(tmp_path / "job.xlsx"), "--limit", pair)
    assert result.exit_code == 2 and said in result.output and "--limit" in result.output


def test_a_sheet_past_the_row_limit_names_the_limit_and_how_to_raise_it(tmp_path):
    path = C.write(tmp_path / "job.xlsx")
    result = invoke("validate", path, "--limit", "rows=5")
    assert result.exit_code == 1
    assert "too-many-rows" in result.output and "the limit rows is 5 rows" in result.output
    assert "--limit rows=N" in result.output and "APPORTION_LIMITS=rows=N" in result.output
    # the same limit from the environment, as a scheduled task sets it
    result = invoke("validate", path, env={"APPORTION_LIMITS": "rows=5"})
    assert result.exit_code == 1 and "the limit rows is 5 rows" in result.output
    assert invoke("validate", path, "--limit", "rows=100").exit_code == 0


def test_a_text_limit_raised_lets_the_longer_name_through(tmp_path):
    sheets = C.valid_sheets()
    cell = C.set_cell(sheets, "Districts", "District name", 1, "N" * 250)
    path = C.write(tmp_path / "job.xlsx", sheets)
    result = invoke("validate", path)
    assert result.exit_code == 1 and f"{cell}  District name: 'District name' is too long: the limit text-length " \
                                      "is 200 characters" in result.output
    assert invoke("validate", path, "--limit", "text-length=250").exit_code == 0
    assert invoke("run", path, "-o", tmp_path / "out", "--limit", "text-length=250").exit_code == 0


@pytest.mark.parametrize("limits, code, words", [
    (Limits(max_file_bytes=4096), "file-too-large", "the limit file-bytes is 4,096 bytes"),
    (Limits(max_cells=40), "sheet-too-large", "the limit cells is 40 cells"),
    (Limits(max_zip_entries=5), "zip-bomb", "the limit zip-parts is 5 parts"),
    (Limits(max_uncompressed_bytes=4096), "zip-bomb", "the limit unpacked-bytes is 4,096 bytes"),
])
def test_each_file_limit_is_named_with_its_value_and_how_to_raise_it(tmp_path, limits, code, words):
    from apportion.batch import run_batch
    batch = run_batch([C.write(tmp_path / "job.xlsx")], tmp_path / "out", jobs=1, write=False, limits=limits)
    [issue] = [i for i in batch.outcomes[0].issues if i.severity == "error"]
    assert issue.code == code and words in issue.message and "--limit " in issue.message and issue.file


def _missing_codes(rows: int) -> dict:
    sheets = C.valid_sheets()
    sheets["Participation"] += [[None, None, 1, 1]] * rows
    return sheets


def test_errors_are_listed_up_to_the_cap_per_code_then_one_row_with_the_rest(tmp_path):
    """3,000 rows each missing both codes: 100 located errors of the code, then '… and 5,900 more'."""
    path = C.write(tmp_path / "job.xlsx", _missing_codes(3_000))
    out = tmp_path / "out"
    result = invoke("run", path, "-o", out)
    assert result.exit_code == 1
    [folder] = [p for p in out.iterdir() if not p.name.startswith(".")]
    rows = list(csv.DictReader(io.StringIO((folder / "issues.csv").read_text())))
    missing = [r for r in rows if r["code"] == "missing-value"]
    assert len(missing) == 101  # 100 with their cells (A8, B8, A9, ...), then the row standing for the rest
    assert all(r["cell"] for r in missing[:100]) and missing[-1]["cell"] == ""
    # 3,000 rows × 2 codes = 6,000 errors; 100 listed, 5,900 more
    assert missing[-1]["message"].startswith("… and 5,900 more missing-value (6,000 in all")
    errors_txt = (folder / "ERRORS.txt").read_text()
    assert errors_txt.count("[missing-value]") == 101 and "… and 5,900 more missing-value" in errors_txt
    assert errors_txt.startswith("job: 6,000 error(s).")
    assert "job: 6000 error(s)" in result.output  # run's terminal: the count, the first ten errors, the file
    result = invoke("validate", path)  # validate's terminal: the capped list
    assert result.output.count("[missing-value]") == 101 and "… and 5,900 more missing-value" in result.output
    assert "6000 error(s)" in result.output
    # the cap is a setting too
    result = invoke("validate", path, "--limit", "issues-per-code=3")
    assert result.output.count("[missing-value]") == 4 and "… and 5,997 more missing-value" in result.output


def test_a_million_rows_missing_their_codes_keep_only_the_capped_list():
    """The reader on 1,000,000 Participation rows, each missing both codes: 2,000,000 errors of one code
    found, its first 100 kept with their cells and the rest only counted (before the cap: 2,097,138 issues
    and 244 MB of ERRORS.txt and issues.csv)."""
    n = 1_000_000
    rows = [["District code", "Service code", "Units"]] + [[None, None, 1.0]] * n
    wb = Workbook(Path("job.xlsx"), "job.xlsx", {"participation": "Participation"},
                  Preloaded({"Participation": rows}))
    log = IssueLog()
    table = read_table(wb, PARTICIPATION, log)
    assert len(table.frame) == n
    assert len(log.issues) == 100  # one code, missing-value: its first 100, all in column A
    assert log.count("error") == 2 * n and log.omitted == {("error", "missing-value"): 2 * n - 100}
    listed = log.sorted()
    assert len(listed) == 101 and listed[-1].message.startswith("… and 1,999,900 more missing-value")


def test_the_docs_list_every_limit_with_its_default_and_ceiling():
    from apportion.limits import table
    docs = (Path(__file__).resolve().parent.parent / "docs" / "formats.md").read_text()
    for name, default, what, ceiling in table():
        assert f"| `{name}` | {default} | {what} | {ceiling or '—'} |" in docs
