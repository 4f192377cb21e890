"""Issue 13: no figure changes silently — each slip built from the valid job, with its exact code, sheet, cell
and exit code."""
from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from apportion.batch import run_batch
from apportion.cli import cli

from . import corpus as C


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- duplicate jobs ------------------------------------------------------------------------------

def test_two_workbooks_of_one_boces_and_year_are_both_refused(tmp_path):
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    inputs.mkdir()
    C.write(inputs / "valley.xlsx")
    first = run_batch([inputs], out, jobs=1)
    assert first.exit_code == 0
    before = _files(out / "CR01_2026-27")
    # a revised copy saved beside the original, with a different budget: which one is right is not ours to guess
    C.write(inputs / "valley (revised).xlsx", C.variant(Administrative_budget=3_500_000))
    for jobs in (1, 2):
        batch = run_batch([inputs], out, jobs=jobs)
        assert batch.exit_code == 1
        assert [o.status for o in batch.outcomes] == ["failed", "failed"]
        for o in batch.outcomes:
            [dup] = [i for i in o.issues if i.code == "duplicate-job"]
            assert dup.severity == "error" and dup.file == Path(o.source).name
            assert "valley.xlsx" in dup.message and "valley (revised).xlsx" in dup.message
            assert o.output == ""
        assert _files(out / "CR01_2026-27") == before  # neither overwrote the folder
        assert sorted(p.name for p in out.iterdir() if ".tmp-" in p.name or not p.name.startswith(".")) == ["CR01_2026-27"]  # and no staged folder is left


def test_duplicate_jobs_fail_validate_too(tmp_path):
    C.write(tmp_path / "a.xlsx")
    C.write(tmp_path / "b.xlsx")
    result = invoke("validate", tmp_path)
    assert result.exit_code == 1
    assert result.output.count("[duplicate-job]") == 2


def test_one_workbook_named_twice_is_one_job(tmp_path):
    path = C.write(tmp_path / "job.xlsx")
    batch = run_batch([path, tmp_path / "." / "job.xlsx"], tmp_path / "out", jobs=1)
    assert batch.exit_code == 0 and len(batch.outcomes) == 1


# --- the command line -----------------------------------------------------------------------------

def test_no_job_found_is_exit_1_naming_the_folder(tmp_path):
    empty = tmp_path / "inputs"
    empty.mkdir()
    for command in ("run", "validate"):
        result = CliRunner().invoke(cli, [command, str(empty), "-o", str(tmp_path / "out")] if command == "run"
                                    else [command, str(empty)])
        assert result.exit_code == 1, (command, result.output)
        assert f"No jobs found in {empty}" in result.output


def test_a_path_that_does_not_exist_is_a_usage_error(tmp_path):
    missing = tmp_path / "no-such-folder"
    for args in (["run", str(missing), "-o", str(tmp_path / "out")], ["validate", str(missing)]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, result.output
        assert "no such file or folder" in result.output and str(missing) in result.output
    assert not (tmp_path / "out").exists()


def test_template_refuses_an_existing_file_without_force(tmp_path):
    filled = C.write(tmp_path / "my-boces.xlsx")
    before = filled.read_bytes()
    result = invoke("template", "-o", filled)
    assert result.exit_code == 2 and "--force" in result.output
    assert filled.read_bytes() == before
    result = invoke("template", "-o", filled, "--force")
    assert result.exit_code == 0 and filled.read_bytes() != before


# --- a failed re-run leaves nothing stale that can be emailed ------------------------------------

def test_failed_rerun_keeps_only_the_sent_record(tmp_path):
    path, out = C.write(tmp_path / "job.xlsx"), tmp_path / "out"
    assert run_batch([path], out, jobs=1).exit_code == 0
    folder = out / "CR01_2026-27"
    outbox = folder / "outbox"
    outbox.mkdir()
    (outbox / "010100010000_Albany_City.eml").write_bytes(b"From: old statement\n")
    (outbox / "sent.csv").write_bytes(b"district_code,sent_at\n010100010000,2026-05-01\n")
    sheets = C.valid_sheets()
    C.set_cell(sheets, "Districts", "RWADA", 1, "many")
    C.write(path, sheets)
    assert run_batch([path], out, jobs=1).exit_code == 1
    assert sorted(_files(folder)) == [".apportion-output", "ERRORS.txt", "issues.csv", "outbox/sent.csv"]
    assert (outbox / "sent.csv").read_bytes() == b"district_code,sent_at\n010100010000,2026-05-01\n"
