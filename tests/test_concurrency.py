"""One writer per output folder, jobs assembled whole, outputs never read as inputs (issue 14, points 1-3).

Concurrency is tested with real processes: each writer is a separate Python process started at a
random offset, and nothing waits on a clock to decide the outcome — the lock's own behaviour
(a process blocking, saying it waits, or giving up) is what the tests observe.
"""
from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from apportion.batch import run_batch
from apportion.cli import cli
from apportion.marker import ROOT_MARKER_TEXT
from apportion.writers.atomic import MARKER, folder_lock, owned, write_folder

from . import corpus as C
from .builders import small_sheets, write_workbook

ROOT = Path(__file__).resolve().parents[1]
ENV = dict(os.environ, PYTHONPATH=str(ROOT))

# A writer process: ``rounds`` times, wait a random offset, replace the folder with files all stamped with
# this writer's name and round, then — holding the lock, as every writer does — check that the folder is
# one complete write (every file present, every stamp equal) and no swap is half-done. Other writers'
# temporary folders may exist meanwhile: they stage before taking the lock, and nobody deletes them.
WRITER = """
import random, sys, time
from pathlib import Path
from apportion.writers.atomic import folder_lock, write_folder
final, name, rounds, seed = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(seed)
names = [f"f{k}.csv" for k in range(6)] + ["districts/a.xlsx", "districts/b.xlsx"]
for i in range(rounds):
    time.sleep(rng.random() * 0.01)  # a start offset only: no outcome depends on it
    stamp = f"{name}-{i}".encode()
    write_folder(final, {n: stamp * 200 for n in names})
    with folder_lock(final):
        found = {p.relative_to(final).as_posix(): p.read_bytes() for p in final.rglob("*") if p.is_file()}
        stamps = {v for k, v in found.items() if not k.startswith(".")}
        assert sorted(k for k in found if not k.startswith(".")) == sorted(names), sorted(found)
        assert len(stamps) == 1, "a folder mixing two writes"
        assert not list(final.parent.glob(f".{final.name}.old"))  # a swap is never half-done under the lock
print("done", name)
"""


def test_writers_in_separate_processes_never_mix_or_damage_a_folder(tmp_path):
    final = tmp_path / "out" / "JOB_2026-27"
    seed = random.randrange(10**6)
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(final), f"w{k}", "15", str(seed + k)],
                                env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for k in range(3)]
    results = [(w.wait(timeout=120), *w.communicate()) for w in writers]
    for code, out, err in results:
        assert code == 0, (seed, err)  # no "Directory not empty", no writer's temporary folder deleted by another
        assert out.startswith("done")
    stamps = {p.read_bytes() for p in final.rglob("*.csv")} | {p.read_bytes() for p in final.rglob("*.xlsx")}
    assert len(stamps) == 1  # the final folder is one complete write
    assert sorted(p.name for p in final.parent.iterdir()) == [".JOB_2026-27.lock", MARKER, "JOB_2026-27"]


def test_a_second_writer_waits_saying_so_then_writes(tmp_path):
    final = tmp_path / "JOB_2026-27"
    write_folder(final, {"billing.csv": b"first"})
    script = ("import sys; from pathlib import Path; from apportion.writers.atomic import write_folder; "
              "write_folder(Path(sys.argv[1]), {'billing.csv': b'second'})")
    with folder_lock(final):
        child = subprocess.Popen([sys.executable, "-c", script, str(final)], env=ENV, stderr=subprocess.PIPE,
                                 text=True)
        line = child.stderr.readline()  # blocks until the child finds the folder locked
        assert line.startswith("waiting: another apportion process is writing") and str(final) in line
        assert (final / "billing.csv").read_bytes() == b"first"  # nothing changes while the lock is held
    assert child.wait(timeout=60) == 0
    assert (final / "billing.csv").read_bytes() == b"second"


def test_a_busy_folder_is_a_clear_error_and_previous_outputs_stay(tmp_path):
    job = write_workbook(tmp_path / "job.xlsx", small_sheets())
    out = tmp_path / "out"
    assert run_batch([job], out, jobs=1).exit_code == 0
    folder = out / "TEST_2026-27"
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    with folder_lock(folder), owned(out) as token:
        live = out / f".TEST_2026-27.tmp-{token}-x"  # a temporary folder that a live writer is filling
        live.mkdir()
        dead = out / ".TEST_2026-27.tmp-0123456789ab-x"  # one whose writer is gone
        dead.mkdir()
        run = subprocess.run([sys.executable, "-m", "apportion", "run", str(job), "-o", str(out), "--jobs", "1"],
                             env=ENV | {"APPORTION_LOCK_WAIT": "0"}, capture_output=True, text=True, timeout=120)
        assert live.is_dir()  # recovery never touches a folder whose owner still holds its lock
        live.rmdir()
    assert dead.is_dir()  # and the busy run swapped nothing, so it recovered nothing
    assert run.returncode == 1, run.stdout + run.stderr
    assert "busy" in run.stdout and str(folder) in run.stdout and "Traceback" not in run.stderr
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before


def test_two_runs_on_one_job_leave_one_complete_report(tmp_path):
    job = write_workbook(tmp_path / "job.xlsx", small_sheets())
    out = tmp_path / "out"
    assert run_batch([job], out, jobs=1).exit_code == 0
    folder = out / "TEST_2026-27"
    expected = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))
    rng = random.Random()
    for _ in range(2):
        delay = f"import time; time.sleep({rng.random() * 0.25:.3f}); "
        runs = [subprocess.Popen([sys.executable, "-c", (delay if k else "") + "from apportion.cli import main; main()",
                                  "run", str(job), "-o", str(out), "--jobs", "1"], env=ENV,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for k in range(2)]
        for r in runs:
            stdout, stderr = r.communicate(timeout=180)
            assert r.returncode == 0, stdout + stderr
        assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) == expected
        assert [p.name for p in out.iterdir() if p.name.startswith(".TEST")] == [".TEST_2026-27.lock"]


def test_one_job_named_three_ways_runs_once(tmp_path, monkeypatch):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    write_workbook(inputs / "job.xlsx", small_sheets())
    (tmp_path / "link").symlink_to(inputs, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["run", "inputs/job.xlsx", str(inputs / "job.xlsx"), "link/job.xlsx",
                                      "-o", "out", "--jobs", "3"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "1 of 1 job(s) computed" in result.output
    assert (tmp_path / "out" / "TEST_2026-27" / "TEST_2026-27_summary.xlsx").is_file()


# --- a job folder is read whole --------------------------------------------------------------------

def _split_job(folder: Path) -> tuple[Path, Path]:
    """The small job as a folder of two workbooks: BOCES and Districts in one, the other sheets in the other."""
    folder.mkdir(parents=True, exist_ok=True)
    sheets = small_sheets()
    first = {k: sheets.pop(k) for k in ("BOCES", "Districts")}
    return write_workbook(folder / "a_boces.xlsx", first), write_workbook(folder / "b_services.xlsx", sheets)


def test_a_damaged_workbook_fails_its_whole_job_folder_naming_it(tmp_path):
    job = tmp_path / "inputs" / "valley"
    a, b = _split_job(job)
    out = tmp_path / "out"
    batch = run_batch([tmp_path / "inputs"], out, jobs=1)
    assert batch.exit_code == 0 and [o.source for o in batch.outcomes] == [str(job)]
    report = out / "TEST_2026-27" / "TEST_2026-27_summary.xlsx"
    full = report.read_bytes()
    for damage in (C.truncated, C.corrupted):  # half-copied, then damaged in place
        damage(b, tmp_path / "damaged.xlsx")
        os.replace(tmp_path / "damaged.xlsx", b)
        batch = run_batch([tmp_path / "inputs"], out, jobs=1)
        [outcome] = batch.outcomes  # still one job: never the first workbook alone
        assert outcome.source == str(job) and outcome.status == "failed" and batch.exit_code == 1
        errors = [i for i in outcome.issues if i.severity == "error"]
        assert errors and all(i.file == "valley/b_services.xlsx" for i in errors), errors
        assert report.read_bytes() == full  # no sub-job report replaced the full one
        assert "valley/b_services.xlsx" in (out / "valley" / "ERRORS.txt").read_text()
        _split_job(job)


# --- outputs are never inputs ----------------------------------------------------------------------

def test_outputs_inside_the_input_folder_are_never_read_back(tmp_path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    write_workbook(inputs / "job.xlsx", small_sheets())
    for _ in range(2):  # the second run must not find the first run's statements and summary
        batch = run_batch([inputs], inputs / "outputs", jobs=1)
        assert batch.exit_code == 0 and [o.source for o in batch.outcomes] == [str(inputs / "job.xlsx")]
    assert (inputs / "outputs" / MARKER).is_file() and (inputs / "outputs" / "TEST_2026-27" / MARKER).is_file()
    for named in (inputs / "outputs", inputs / "outputs" / "TEST_2026-27",
                  inputs / "outputs" / "TEST_2026-27" / "TEST_2026-27_summary.xlsx",
                  next((inputs / "outputs" / "TEST_2026-27" / "districts").iterdir())):
        batch = run_batch([named], tmp_path / "elsewhere", jobs=1)
        assert not batch.outcomes and [i.code for i in batch.log.errors] == ["output-as-input"], named


def test_output_folder_inside_a_job_folder_or_at_the_inputs_is_refused(tmp_path):
    job = tmp_path / "valley"
    _split_job(job)
    for output in (job, job / "out", tmp_path):
        result = CliRunner().invoke(cli, ["run", str(job) if output != tmp_path else str(tmp_path), "-o", str(output)],
                                    catch_exceptions=False)
        assert result.exit_code == 1 and "output-in-inputs" in result.output, (output, result.output)
        assert sorted(p.name for p in job.iterdir()) == ["a_boces.xlsx", "b_services.xlsx"]  # nothing written


def test_output_folder_at_a_sibling_job_folder_or_the_folder_holding_the_inputs_is_refused(tmp_path):
    """-o a job folder beside the named workbook (its marker would make the next run skip that job), or the
    folder holding the named workbook or job folder (the next run would refuse it): refused before anything
    is written, with only the refusal on the terminal."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    valley = write_workbook(inputs / "valley.xlsx", small_sheets())
    ridge = inputs / "ridge"
    _split_job(ridge)
    before = sorted(p.relative_to(inputs).as_posix() for p in inputs.rglob("*"))
    for named, output in ((valley, ridge), (valley, ridge / "out"), (valley, inputs), (ridge, inputs)):
        result = CliRunner().invoke(cli, ["run", str(named), "-o", str(output)], catch_exceptions=False)
        assert result.exit_code == 1 and "output-in-inputs" in result.output, (named, output, result.output)
        assert "No jobs found" not in result.output and "job(s) computed" not in result.output, result.output
        assert sorted(p.relative_to(inputs).as_posix() for p in inputs.rglob("*")) == before  # nothing written
    batch = run_batch([inputs], tmp_path / "out", jobs=1, write=False)  # the inputs are still two jobs
    assert [o.source for o in batch.outcomes] == [str(ridge), str(valley)] and not batch.log.issues


def test_a_job_folder_an_earlier_run_marked_as_outputs_is_an_error_naming_it(tmp_path):
    """A marker left by an older version's -o on an input folder: the job is not read, and says so."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    write_workbook(inputs / "valley.xlsx", small_sheets())
    ridge = inputs / "ridge"
    _split_job(ridge)
    (ridge / MARKER).write_bytes(ROOT_MARKER_TEXT)
    batch = run_batch([inputs], tmp_path / "out", jobs=1)
    assert batch.exit_code == 1 and [o.source for o in batch.outcomes] == [str(inputs / "valley.xlsx")]
    [error] = batch.log.errors
    assert (error.code, error.file) == ("marker-on-inputs", str(ridge)) and "a_boces.xlsx" in error.found
    (inputs / MARKER).write_bytes(ROOT_MARKER_TEXT)  # the input folder itself, named
    batch = run_batch([inputs], tmp_path / "out", jobs=1)
    assert not batch.outcomes and [(i.code, i.file) for i in batch.log.errors] == [("marker-on-inputs", str(inputs))]


def test_watch_ignores_folders_holding_the_output_marker(tmp_path):
    from apportion.watch import Watcher
    drop = tmp_path / "drop"
    old = drop / "last_year_outputs"
    write_folder(old / "TEST_2026-27", {"districts/x.xlsx": b"statement"})
    watcher = Watcher(drop, tmp_path / "out")
    assert watcher.job_for(old / "TEST_2026-27" / "districts" / "x.xlsx") is None
    assert watcher.job_for(old) is None
    (drop / "valley").mkdir()
    assert watcher.job_for(drop / "valley" / "a.xlsx") == drop / "valley"


# An owner in its own process: prints its token once it holds its lock, then is killed or waits for stdin.
OWNER = """
import os, signal, sys
from pathlib import Path
from apportion.writers.atomic import Owner
owner = Owner(Path(sys.argv[1]))
print(owner.token, flush=True)
if sys.argv[2] == "kill":
    os.kill(os.getpid(), signal.SIGKILL)  # as a killed run: no close, the lock file stays behind
sys.stdin.read()
owner.close()
"""


def test_a_new_owner_removes_the_lock_files_of_killed_owners_never_a_live_ones(tmp_path):
    root = tmp_path / "out"

    def owner(how: str) -> tuple[subprocess.Popen, str]:
        proc = subprocess.Popen([sys.executable, "-c", OWNER, str(root), how], env=ENV, text=True,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return proc, proc.stdout.readline().strip()  # the token, once the lock is held

    live, token = owner("wait")
    try:
        killed, dead = owner("kill")  # its own start sweeps nothing: the live owner's lock is held
        assert killed.wait(timeout=60) == -9
        assert {p.name for p in root.glob(".run-*.lock")} == {f".run-{token}.lock", f".run-{dead}.lock"}
        with owned(root) as mine:  # the next owner removes the dead one's file, keeps the live one's
            assert {p.name for p in root.glob(".run-*.lock")} == {f".run-{token}.lock", f".run-{mine}.lock"}
    finally:
        live.communicate("", timeout=60)
    assert live.returncode == 0 and not list(root.glob(".run-*.lock"))


def test_a_failure_named_after_the_file_goes_once_the_job_computes(tmp_path):
    """A half-copied workbook fails under its file's name; fixed, it computes under its BOCES code and year,
    and the old ERRORS.txt beside it is removed (tester M9); a job folder of that name failing in the same run
    keeps its report."""
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    inputs.mkdir()
    job = write_workbook(tmp_path / "job.xlsx", small_sheets())
    C.truncated(job, inputs / "v.xlsx")
    assert run_batch([inputs], out, jobs=1).exit_code == 1 and (out / "v" / "ERRORS.txt").is_file()
    os.replace(job, inputs / "v.xlsx")
    assert run_batch([inputs], out, jobs=1).exit_code == 0
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["TEST_2026-27"]
    (inputs / "v").mkdir()
    C.truncated(inputs / "v.xlsx", inputs / "v" / "a.xlsx")  # a damaged job folder named like the file
    assert run_batch([inputs], out, jobs=1).exit_code == 1 and (out / "v" / "ERRORS.txt").is_file()
