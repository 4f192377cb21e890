"""Start-up: what a plain ``apportion run`` imports (its cost is measured in bench/, never timed here)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]

RUN = """
import json, sys
from apportion.cli import cli
try:
    cli(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"exit": code, "modules": sorted({m.split(".")[0] for m in sys.modules} | set(sys.modules))}))
"""


JOB = ROOT / "inputs" / "example_valley_2026-27.xlsx"


def _command(tmp_path: Path, *args: str) -> dict:
    """A command's exit code and every module it imported, run in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, text=True, cwd=tmp_path, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _run(tmp_path: Path, *extra: str) -> dict:
    return _command(tmp_path, "run", str(JOB), "-o", str(tmp_path / "out"), "--jobs", "1", *extra)


def test_a_run_without_pdf_never_imports_the_pdf_stack(tmp_path):
    plain = _run(tmp_path)
    assert plain["exit"] == 0 and "xlsxwriter" in plain["modules"]
    assert "apportion.writers.pdf" not in plain["modules"]
    with_pdf = _run(tmp_path, "--pdf")
    assert with_pdf["exit"] == 0 and "apportion.writers.pdf" in with_pdf["modules"]  # --pdf draws them
    assert "fpdf" not in with_pdf["modules"]  # the PDF is written by apportion itself (fpdf2 is a test reference)


#: what only other commands and options need, with its import's CPU on the 2-core test machine (after pandas):
#: reading workbooks back (openpyxl 145 ms), mail (apportion.mail 90 ms with smtplib, ssl and dnspython's
#: resolver 74 ms), watch (75 ms: watchfiles, asyncio), the template, the PDF reference stack (pypdf 72 ms,
#: Pillow, fontTools) — each imported where it is used, never at start-up
NOT_FOR_RUN = ("openpyxl", "apportion.mail", "smtplib", "ssl", "dns", "apportion.watch", "watchfiles", "asyncio",
               "apportion.template", "pypdf", "PIL", "fontTools")


def test_a_plain_run_imports_only_what_it_uses(tmp_path):
    plain = _run(tmp_path)
    assert plain["exit"] == 0
    assert [m for m in NOT_FOR_RUN if m in plain["modules"]] == []


#: the workbook writers: xlsxwriter (about 20 ms) and apportion's sheet writers
WRITERS = {"xlsxwriter", "apportion.writers.styles", "apportion.writers.tables", "apportion.writers.sheetxml",
           "apportion.writers.labels", "apportion.writers.document", "apportion.writers.statement",
           "apportion.writers.summary"}


def test_validate_imports_no_workbook_writer(tmp_path):
    """validate writes nothing: no workbook writer is imported (the prior-year warning words its amounts with
    exact.dollars_text, not through the writers' labels)."""
    checked = _command(tmp_path, "validate", str(JOB))
    assert checked["exit"] == 0
    assert sorted((WRITERS | set(NOT_FOR_RUN)) & set(checked["modules"])) == []


def test_a_run_of_a_job_with_input_errors_imports_no_workbook_writer(tmp_path):
    """Such a job writes only issues.csv and ERRORS.txt: the command line makes its ReportOptions (apportion.options)
    without importing the writers, which only a job that computes draws in."""
    book = openpyxl.load_workbook(JOB)
    sheet = book["Districts"]
    sheet.cell(row=2, column=[c.value for c in sheet[1]].index("RWADA") + 1, value="many")
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    failed = _command(tmp_path, "run", str(bad), "-o", str(tmp_path / "out"), "--jobs", "1")
    assert failed["exit"] == 1 and len(list((tmp_path / "out").glob("*/ERRORS.txt"))) == 1
    assert sorted(WRITERS & set(failed["modules"])) == []


def _main(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``apportion`` as installed (its entry point, :func:`apportion.cli.main`), output through pipes."""
    return subprocess.run([sys.executable, "-c", "from apportion.cli import main; main()", *args],
                          capture_output=True, text=True, cwd=cwd)


def test_the_command_leaves_with_its_exit_code_and_every_line_written(tmp_path):
    """main() skips the interpreter's teardown (os._exit): the exit code and all the output, buffered in a
    pipe, must still reach the caller, for a success, a job with errors and a usage error alike."""
    job = ROOT / "inputs" / "example_valley_2026-27.xlsx"
    done = _main("run", str(job), "-o", str(tmp_path / "out"), "--jobs", "1", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("1 of 1 job(s) computed.")  # the run's last line, after the table
    assert (tmp_path / "out" / "990001_2026-27" / "billing.csv").is_file()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    failed = _main("validate", str(bad), cwd=tmp_path)
    assert failed.returncode == 1 and "bad.xlsx" in failed.stdout + failed.stderr
    usage = _main("run", "--jobs", "0", cwd=tmp_path)
    assert usage.returncode == 2 and "--jobs" in usage.stderr


def test_a_text_exit_is_printed_and_is_one(tmp_path):
    """SystemExit("text"), as Python exits with it: the text on stderr, exit code 1."""
    code = "import sys; from apportion import cli; cli._leave('stopped: no jobs'); print('not reached')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert (done.returncode, done.stderr, done.stdout) == (1, "stopped: no jobs\n", "")
