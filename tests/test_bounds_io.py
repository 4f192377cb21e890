"""Far years, over-long codes and names, and I/O failures as one clear line (issue 14, point 7)."""
from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from apportion.batch import run_batch
from apportion.cli import cli
from apportion.writers import atomic
from apportion.years import SchoolYear

from . import corpus as C


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def _failed(tmp_path, sheets):
    batch = run_batch([C.write(tmp_path / "job.xlsx", sheets)], tmp_path / "out", jobs=1)
    [outcome] = batch.outcomes
    assert outcome.status == "failed", outcome.message  # never "crashed"
    return {(i.code, i.sheet, i.cell): i for i in outcome.issues if i.severity == "error"}


@pytest.mark.parametrize("year", ["9999-00", "1899-00", "0000-01", "2100-01"])
def test_a_far_school_year_is_an_error_at_its_cell(tmp_path, year):
    sheets = C.valid_sheets()
    cell = C.set_item(sheets, "School year", year)
    errors = _failed(tmp_path, sheets)
    assert ("bad-school-year", "BOCES", cell) in errors
    with pytest.raises(ValueError, match="from 1990-91 to 2099-00"):
        SchoolYear.parse(year)
    result = invoke("params", "--year", year)
    assert result.exit_code == 2 and "Traceback" not in result.output and year in result.output


def test_the_first_and_last_years_allowed_are_read():
    assert SchoolYear.parse("1990-91").start == 1990 and SchoolYear.parse("2099-00").label == "2099-00"


def test_codes_and_names_past_their_length_are_errors_at_their_cells(tmp_path):
    sheets = C.valid_sheets()
    code_cell = C.set_item(sheets, "BOCES code", "B" * 300)  # it would name the output folder
    name_cell = C.set_cell(sheets, "Districts", "District name", 1, "N" * 201)
    service_cell = C.set_cell(sheets, "Services", "Service code", 1, "S" * 41)
    errors = _failed(tmp_path, sheets)
    for sheet, cell, limit in (("BOCES", code_cell, "code-length is 40"), ("Districts", name_cell, "text-length is 200"),
                               ("Services", service_cell, "code-length is 40")):
        issue = errors[("text-too-long", sheet, cell)]
        assert "too long" in issue.message and limit in issue.message and "--limit " in issue.message
    # at the limits they are read: a 40-character BOCES code and a 200-character name
    sheets = C.valid_sheets()
    C.set_item(sheets, "BOCES code", "B" * 40)
    C.set_cell(sheets, "Districts", "District name", 1, "N" * 200)
    batch = run_batch([C.write(tmp_path / "ok.xlsx", sheets)], tmp_path / "ok", jobs=1)
    assert batch.exit_code == 0, [i.render() for o in batch.outcomes for i in o.issues]
    assert (tmp_path / "ok" / f"{'B' * 40}_2026-27").is_dir()


# --- I/O failures -----------------------------------------------------------------------------------

@pytest.mark.parametrize("where", [".", "folder"])
def test_template_to_a_folder_is_a_usage_error(tmp_path, monkeypatch, where):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    result = invoke("template", "-o", where)
    assert result.exit_code == 2 and "is a folder" in result.output and "Traceback" not in result.output


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_template_to_a_full_disk_is_one_line_and_leaves_the_device(tmp_path):
    result = CliRunner().invoke(cli, ["template", "-o", "/dev/full"])
    assert result.exit_code == 1
    assert "cannot write /dev/full" in result.output and "No space left" in result.output
    assert not Path("/dev/full").is_file()  # written to, never renamed over


def test_template_under_a_file_is_one_line(tmp_path):
    (tmp_path / "file").write_text("x")
    result = invoke("template", "-o", tmp_path / "file" / "t.xlsx")
    assert result.exit_code == 1 and "cannot write" in result.output and str(tmp_path / "file") in result.output


def test_an_output_folder_under_a_file_is_one_line_exit_1(tmp_path):
    job = C.write(tmp_path / "job.xlsx")
    (tmp_path / "file").write_text("x")
    result = invoke("run", job, "-o", tmp_path / "file" / "out")
    assert result.exit_code == 1 and "output-not-written" in result.output and "internal-error" not in result.output
    assert str(tmp_path / "file") in result.output


def test_a_full_disk_while_writing_fails_the_job_in_one_line_and_keeps_previous_outputs(tmp_path, monkeypatch):
    job = C.write(tmp_path / "job.xlsx")
    out = tmp_path / "out"
    assert run_batch([job], out, jobs=1).exit_code == 0
    folder = out / "CR01_2026-27"
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    C.write(job, C.variant(Administrative_budget=2_600_000))
    real = atomic.make_durable

    def full(staged, files):  # the disk fills up syncing the new outputs (root ignores chmod, so the OS call fails)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder))
    monkeypatch.setattr(atomic, "make_durable", full)
    result = invoke("run", job, "-o", out, "--jobs", 1)
    monkeypatch.setattr(atomic, "make_durable", real)
    assert result.exit_code == 1
    assert "No space left on device" in result.output and str(folder) in result.output
    assert "internal-error" not in result.output and "please report" not in result.output
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before  # previous outputs intact
    assert not [p for p in out.iterdir() if ".tmp-" in p.name]  # and nothing half-written is left beside them


def test_a_full_disk_with_no_file_named_still_names_the_folder(tmp_path, monkeypatch):
    """Tester M9: a write that fills the disk raises ENOSPC with no file name: output-not-written read "found
    [Errno 28] No space left on device", without the path formats.md promises. It names the job's folder."""
    job = C.write(tmp_path / "job.xlsx")
    out = tmp_path / "out"

    def full(staged, files):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # as a write() fails: no filename
    monkeypatch.setattr(atomic, "make_durable", full)
    [outcome] = run_batch([job], out, jobs=1).outcomes
    [issue] = [i for i in outcome.issues if i.code == "output-not-written"]
    assert issue.found == f"{out / 'CR01_2026-27'}: No space left on device"
