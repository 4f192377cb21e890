"""apportion watch: the settle logic driven by hand, then the real watcher in a thread on a drop folder."""
from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import click
from click.testing import CliRunner

from apportion.delivery_cli import register
from apportion.runner import Outcome
from apportion.watch import Watcher

from .builders import vector_job

DEADLINE = 30.0  # seconds: generous for a slow CI box; every wait below polls and returns as soon as it can


class Recorder:
    """A stand-in job runner that records which jobs ran."""

    def __init__(self):
        self.ran: list[Path] = []

    def __call__(self, job: Path, output: Path) -> list[Outcome]:
        self.ran.append(job)
        return [Outcome(name=job.name, source=str(job), status="ok", output=str(output / job.stem))]


def _wait_for(condition, deadline: float = DEADLINE) -> bool:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _touch(path: Path, data: bytes, mtime: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))
    return path


def test_job_for_maps_changes_to_jobs_and_ignores_the_rest(tmp_path):
    drop = tmp_path / "inputs"
    (drop / "valley").mkdir(parents=True)
    (drop / "outputs").mkdir()
    w = Watcher(drop, drop / "outputs")
    assert w.job_for(drop / "a.xlsx") == (drop / "a.xlsx").resolve()
    assert w.job_for(drop / "valley" / "Districts.xlsx") == (drop / "valley").resolve()
    assert w.job_for(drop / "valley") == (drop / "valley").resolve()
    for ignored in ("~$a.xlsx", ".a.xlsx", "notes.txt", "valley/~$Districts.xlsx", ".hidden/a.xlsx",
                    "outputs/X_2026-27/billing.csv", "outputs/X_2026-27/districts/a.xlsx", "outputs"):
        assert w.job_for(drop / ignored) is None, ignored
    assert w.job_for(tmp_path / "elsewhere.xlsx") is None


def test_a_job_runs_once_after_its_files_settle(tmp_path):
    drop, runner = tmp_path / "inputs", Recorder()
    w = Watcher(drop, tmp_path / "outputs", settle=2.0, run=runner)
    job = _touch(drop / "a.xlsx", b"part", 1000)
    w.handle([(1, str(job))], now=0.0)
    assert w.poll_once(now=0.5) == [] and w.poll_once(now=2.0) == []  # seen at 0.5: quiet only since then
    _touch(job, b"part and more", 1001)  # still being copied: the signature moves, the clock restarts
    assert w.poll_once(now=2.6) == [] and w.poll_once(now=4.5) == []
    assert [o.name for o in w.poll_once(now=4.7)] == ["a.xlsx"]
    assert runner.ran == [job.resolve()]
    assert w.poll_once(now=100.0) == []  # once only

    w.handle([str(job)], now=101.0)  # an event that changed nothing: no second run
    w.poll_once(now=101.0)
    assert w.poll_once(now=104.0) == [] and len(runner.ran) == 1

    _touch(job, b"a corrected workbook", 1002)  # saved again: runs again
    w.handle([str(job)], now=110.0)
    w.poll_once(now=110.0)
    assert len(w.poll_once(now=112.0)) == 1 and len(runner.ran) == 2


def test_a_job_folder_runs_as_one_job_and_a_deleted_job_not_at_all(tmp_path):
    drop, runner = tmp_path / "inputs", Recorder()
    w = Watcher(drop, tmp_path / "outputs", settle=1.0, run=runner)
    first = _touch(drop / "valley" / "Districts.xlsx", b"d", 1000)
    second = _touch(drop / "valley" / "Participation.xlsx", b"p", 1000)
    gone = _touch(drop / "gone.xlsx", b"g", 1000)
    w.handle([str(first), str(second), str(gone)], now=0.0)
    w.poll_once(now=0.0)
    gone.unlink()
    assert len(w.poll_once(now=1.0)) == 1
    assert runner.ran == [(drop / "valley").resolve()]
    assert not w.pending


def test_a_crashing_job_is_reported_and_the_watcher_goes_on(tmp_path):
    drop = tmp_path / "inputs"
    reported = []

    def explode(job, output):
        raise RuntimeError("boom")

    w = Watcher(drop, tmp_path / "outputs", settle=0, run=explode, report=reported.append)
    job = _touch(drop / "a.xlsx", b"x", 1000)
    w.handle([str(job)], now=0.0)
    w.poll_once(now=0.0)
    (outcome,) = w.poll_once(now=0.0)
    assert outcome.status == "crashed" and "boom" in outcome.message and reported == [outcome]


def _start(watcher: Watcher, **kwargs) -> threading.Thread:
    thread = threading.Thread(target=watcher.run_forever, kwargs=kwargs, daemon=True)
    thread.start()
    assert _wait_for(watcher.ready.is_set), "the watcher did not start"
    return thread


def test_dropping_a_workbook_runs_the_job(tmp_path):
    drop, output = tmp_path / "inputs", tmp_path / "outputs"
    drop.mkdir()
    job = vector_job(tmp_path / "vectors_2023-24.xlsx")
    reported: list[Outcome] = []
    watcher = Watcher(drop, output, settle=0.2, report=reported.append)
    thread = _start(watcher)
    try:
        (drop / "~$vectors_2023-24.xlsx").write_bytes(b"Excel's lock file: ignored")
        shutil.copy(job, drop / job.name)
        assert _wait_for(lambda: reported), "the dropped job never ran"
    finally:
        watcher.stop_event.set()
        thread.join(DEADLINE)
    assert not thread.is_alive()
    assert [o.status for o in reported] == ["ok"], reported
    assert watcher.runs == 1
    billing = output / "VECTORS_2023-24" / "billing.csv"
    assert billing.read_text().startswith("district_code,")


def test_cli_watch_once_runs_existing_jobs_with_initial(tmp_path):
    drop, output = tmp_path / "inputs", tmp_path / "outputs"
    drop.mkdir()
    vector_job(drop / "vectors_2023-24.xlsx")
    group = click.Group()
    register(group)
    result = CliRunner().invoke(group, ["watch", str(drop), "-o", str(output), "--settle", "0", "--initial", "--once"])
    assert result.exit_code == 0, result.output
    assert "OK      VECTORS 2023-24: 12 districts" in result.output
    assert (output / "VECTORS_2023-24" / "billing.csv").exists()


def test_cli_watch_refuses_an_output_folder_among_its_inputs_before_watching(tmp_path, monkeypatch):
    """As run refuses it: -o the drop folder itself (nothing would ever run) or a job folder in it (its marker
    would hide that job); one refusal and exit 1, never a watch that sits silent."""
    drop = tmp_path / "inputs"
    (drop / "ridge").mkdir(parents=True)
    vector_job(drop / "vectors_2023-24.xlsx")
    vector_job(drop / "ridge" / "ridge.xlsx")
    monkeypatch.setattr(Watcher, "run_forever", lambda self, **_: (_ for _ in ()).throw(AssertionError("watching")))
    group = click.Group()
    register(group)
    for output in (drop, drop / "ridge"):
        result = CliRunner().invoke(group, ["watch", str(drop), "-o", str(output), "--initial"])
        assert result.exit_code == 1 and "output-in-inputs" in result.output, (output, result.output)
        assert "Watching" not in result.output
    assert not list(drop.rglob(".apportion-output"))


def _watch_in_thread(drop: Path, output: Path, **kwargs):
    said: list[str] = []
    recorder = Recorder()
    watcher = Watcher(drop, output, settle=0.2, run=recorder, say=said.append)
    return watcher, recorder, said, _start(watcher, **kwargs)


def _stop(watcher: Watcher, thread: threading.Thread) -> None:
    watcher.stop_event.set()
    thread.join(DEADLINE)
    assert not thread.is_alive()


def test_a_drop_folder_removed_and_made_again_is_said_and_watched_again(tmp_path):
    """Tester D14: once the drop folder was removed and made again, watchfiles kept watching the deleted folder:
    a workbook dropped afterwards never ran, nothing was said. Now the watcher says the folder is gone, resumes
    when it is back, and runs what is dropped into it."""
    drop, output = tmp_path / "drop", tmp_path / "out"
    drop.mkdir()
    watcher, recorder, said, thread = _watch_in_thread(drop, output)
    try:
        shutil.rmtree(drop)
        assert _wait_for(lambda: any("is gone" in s for s in said)), said
        drop.mkdir()
        assert _wait_for(lambda: any("is back" in s for s in said)), said
        shutil.copy(vector_job(tmp_path / "v.xlsx"), drop / "v.xlsx")
        assert _wait_for(lambda: recorder.ran), "a workbook dropped into the folder made again never ran"
    finally:
        _stop(watcher, thread)
    assert recorder.ran == [(drop / "v.xlsx").resolve()]
    assert said[0] == f"The drop folder {drop.resolve()} is gone; watching resumes when it is back."


def test_a_drop_folder_renamed_aside_and_replaced_is_watched_anew(tmp_path):
    """A sync client or script moves the folder aside and makes a new one at once: the new one is watched, and a
    job already in it when it appears runs too."""
    drop, output = tmp_path / "drop", tmp_path / "out"
    drop.mkdir()
    watcher, recorder, said, thread = _watch_in_thread(drop, output, force_polling=True)
    try:
        staged = tmp_path / "staged"
        staged.mkdir()
        shutil.copy(vector_job(tmp_path / "v.xlsx"), staged / "early.xlsx")
        drop.rename(tmp_path / "drop_old")
        staged.rename(drop)  # the new folder arrives with a job in it
        assert _wait_for(lambda: recorder.ran), f"the job in the replacing folder never ran: {said}"
        shutil.copy(tmp_path / "v.xlsx", drop / "late.xlsx")
        assert _wait_for(lambda: len(recorder.ran) == 2), f"a job dropped later never ran: {said}"
    finally:
        _stop(watcher, thread)
    assert sorted(p.name for p in recorder.ran) == ["early.xlsx", "late.xlsx"]
    assert any(s.startswith(f"The drop folder {drop.resolve()} ") for s in said), said
    assert not (tmp_path / "drop_old" / "late.xlsx").exists()


def test_cli_watch_poll_lists_the_folder(tmp_path, monkeypatch):
    """--poll (for a network share, where inotify sees no other machine's writes) reaches the watch as polling."""
    seen = {}
    monkeypatch.setattr(Watcher, "run_forever", lambda self, **kw: seen.update(kw))
    group = click.Group()
    register(group)
    drop = tmp_path / "inputs"
    drop.mkdir()
    for args, polling in ((["--poll"], True), ([], None)):
        result = CliRunner().invoke(group, ["watch", str(drop), "-o", str(tmp_path / "out"), *args])
        assert result.exit_code == 0, result.output
        assert seen["force_polling"] is polling
