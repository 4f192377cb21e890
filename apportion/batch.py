"""Many jobs at once: a process pool, failure isolation and a closing table.

A crash inside one job (any exception) becomes that job's failure with its
message; the others still complete.
"""
from __future__ import annotations

import gc
import os
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import Issue, IssueLog
from .marker import MARKER, is_output
from .readers.jobs import JobSource, discover, marked_inputs, workbooks_in
from .options import RunOptions
from .limits import DEFAULT_LIMITS, Limits
from .runner import Outcome, crash_outcome, io_line, run_job, unwritten
from .writers import atomic
from .writers.atomic import Owner


@dataclass
class Batch:
    """The outcome of every job, plus issues about the input folder itself."""

    outcomes: list[Outcome] = field(default_factory=list)
    log: IssueLog = field(default_factory=IssueLog)

    @property
    def exit_code(self) -> int:
        """0 when every job computed (warnings allowed), 1 when any job had input errors or crashed."""
        bad = any(o.status != "ok" for o in self.outcomes) or bool(self.log.errors)
        return 1 if bad else 0


def _safe_run(source: JobSource, output: Path, limits: Limits, write: bool, verbose: bool = False,
              workers: int = 1, owner: str | None = None, options=None,
              what_if: RunOptions = RunOptions()) -> Outcome:
    try:
        return run_job(source, output, limits, write, workers, commit=False, owner=owner, options=options,
                       what_if=what_if)
    except (KeyboardInterrupt, SystemExit):
        raise
    except OSError as exc:  # an input that cannot be read (permission, gone): the user's to fix, not a crash
        outcome = Outcome(name=source.name, source=str(source.path), status="failed", output=str(output))
        unwritten(outcome, exc, reading=True)
        return outcome
    except BaseException as exc:  # isolation: one job's crash (even a native panic) never stops the batch
        return crash_outcome(source, output, exc, write, traceback.format_exc() if verbose else "", owner)


def _input_bytes(source: JobSource) -> int:
    try:
        return sum(p.stat().st_size for p in source.files())
    except OSError:
        return 0


def output_among_inputs(output: Path, paths: list[Path], sources: list[JobSource], log: IssueLog) -> bool:
    """True (with an error) when ``-o`` is a folder holding input workbooks or is inside a job folder: its
    marker would make the next run skip that job, or refuse that input folder. A folder holding inputs is a
    named folder, the folder holding a named workbook or job folder, or a job folder discovery reads (a
    sub-folder of either, holding workbooks). (Outputs inside an input folder of several jobs are fine: their
    marker keeps them out of discovery.)"""
    out = output.resolve()
    named = [p.resolve() for p in paths]
    roots = {r for r in named if r.is_dir()} | {r.parent for r in named}
    jobs = {s.path.resolve() for s in sources if s.path.is_dir()}

    def job_folder(folder: Path) -> bool:  # a sub-folder discovery would read as a job
        return (folder.parent in roots and folder not in named and folder.is_dir() and not folder.name.startswith(".")
                and (not is_output(folder) or bool(marked_inputs(folder))) and bool(workbooks_in(folder)))

    found = next((f"inside the job folder {a}" for a in [out, *out.parents] if a in jobs or job_folder(a)), None)
    found = found or (f"a folder holding the inputs ({out})" if out in roots else None)
    if found:
        log.error("output-in-inputs", file=str(output), expected="an output folder outside the input folders",
                  found=found, where=found)
    return found is not None


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def run_batch(paths: list[Path], output: Path, jobs: int | None = None, write: bool = True,
              limits: Limits = DEFAULT_LIMITS, on_done: Callable[[Outcome], None] | None = None,
              verbose: bool = False, options=None, what_if: RunOptions = RunOptions()) -> Batch:
    """Run every job found under ``paths``; ``on_done`` is called as each finishes; ``options`` (a
    :class:`~.options.ReportOptions`) say whether PDFs are written and the prepared-on date;
    ``what_if`` (a :class:`~.options.RunOptions`): a variant's settings and the prior year, for every job."""
    batch = Batch()
    sources = discover(paths, batch.log)
    if write and output_among_inputs(output, paths, sources, batch.log):
        return batch
    if not write or not sources:
        _run_all(batch, sources, output, jobs, write, limits, on_done, verbose, None, options, what_if)
        return batch
    marked_before = is_output(output)
    try:
        owner = Owner(output)  # held while this batch's staged folders wait to be swapped in
    except OSError as exc:
        batch.log.error("output-not-written", file=str(output), expected="a writable output folder",
                        found=io_line(exc))
        return batch
    try:
        _run_all(batch, sources, output, jobs, write, limits, on_done, verbose, owner.token, options, what_if)
    finally:
        owner.close()
    if not marked_before and not any(o.output for o in batch.outcomes):
        # nothing was written under -o (every job refused, e.g. output-in-inputs): the outputs-root marker the
        # staging put there would make a folder that holds inputs read as output next time
        (output / MARKER).unlink(missing_ok=True)
    return batch


def _run_all(batch: Batch, sources: list[JobSource], output: Path, jobs: int | None, write: bool, limits: Limits,
             on_done: Callable[[Outcome], None] | None, verbose: bool, owner: str | None, options=None,
             what_if: RunOptions = RunOptions()) -> None:
    requested = jobs or default_jobs()
    workers = min(requested, max(1, len(sources)))
    outcomes: list[Outcome] = []
    if workers <= 1 or len(sources) <= 1:
        # one job alone: its own workbooks are written in the requested number of processes
        inner = requested if len(sources) == 1 else 1
        outcomes = [_safe_run(source, output, limits, write, verbose, inner, owner, options, what_if) for source in sources]
    else:
        from concurrent.futures import ProcessPoolExecutor, as_completed  # a run of one job never starts a pool
        if write and "apportion.writers.summary" not in sys.modules:
            # the workbook writers every worker uses, imported once here: each forked worker inherits them, and
            # frozen as start-up was (cli.run) so that no worker's full collection walks (and copies) their pages
            from .writers import statement, summary  # noqa: F401
            gc.freeze()
        with ProcessPoolExecutor(max_workers=workers) as pool:
            # the largest jobs first, so a big job never starts last and runs alone
            ordered = sorted(sources, key=lambda s: (-_input_bytes(s), str(s.path)))
            futures = {pool.submit(_safe_run, s, output, limits, write, verbose, 1, owner, options, what_if): s
                       for s in ordered}
            for future in as_completed(futures):
                try:
                    outcome = future.result()
                except Exception as exc:  # the worker process itself died
                    outcome = crash_outcome(futures[future], output, exc, write, owner=owner)
                outcomes.append(outcome)
    outcomes.sort(key=lambda o: o.source)
    _refuse_duplicates(outcomes)
    _refuse_outputs_holding_inputs(outcomes, [s.path for s in sources])
    written = {o.output for o in outcomes}
    for outcome in outcomes:  # a failure folder another job of this run writes is that job's, not stale
        outcome.stale = "" if outcome.stale in written else outcome.stale
    _make_durable(outcomes)
    try:  # every temporary folder beside the jobs' folders, listed once for all of them
        stages = atomic.stages_by_folder(output) if any(o.staged for o in outcomes) else {}
    except OSError:
        stages = None  # each commit below lists it for itself, and fails with its own line
    for outcome in outcomes:  # only now, with no two jobs writing one folder, is any output swapped in
        try:
            outcome.commit(None if stages is None else stages.get(Path(outcome.output).name, []))
        except OSError as exc:  # full disk, read-only, busy: this job fails with one line, the rest go on
            unwritten(outcome, exc)
        batch.outcomes.append(outcome)
        if on_done:
            on_done(outcome)


def _make_durable(outcomes: list[Outcome]) -> None:
    """Every job's staged files put on disk before any is committed: one ``syncfs`` for the whole batch where
    there is one (:func:`~.writers.atomic.make_durable` says why), not one per job — 370 of them under load
    took 7 s. A failure (disk full, I/O error) fails each job not yet durable, with one line, its stage dropped."""
    pending = [o for o in outcomes if o.staged and not o.durable]
    if not pending:
        return
    try:
        atomic.make_durable_all([Path(o.staged) for o in pending])
    except OSError as exc:
        for outcome in pending:
            outcome.discard()
            unwritten(outcome, exc)
        return
    for outcome in pending:
        outcome.durable = True


def _refuse_outputs_holding_inputs(outcomes: list[Outcome], inputs: list[Path]) -> None:
    """A job whose output folder is, or holds, one of the run's inputs fails unwritten: replacing the folder
    would delete the input (``run g/990001_2026-27/v.xlsx -o g`` names the folder holding v.xlsx as the job's
    own output folder, which only its BOCES code and year reveal, after reading)."""
    held = _holders([p.resolve() for p in inputs])
    for o in outcomes:
        if not o.output:
            continue
        folder = Path(o.output).resolve()
        inside = held.get(folder)
        if inside is None:
            continue
        o.discard()
        where = f"{folder}, the folder holding the input {inside}"
        o.issues = list(o.issues) + [Issue("error", "output-in-inputs", file=Path(o.source).name,
                                           expected="an output folder outside the input folders", found=where,
                                           message=f"the output folder is {where}; choose one outside the inputs "
                                           "(writing it would replace the input)")]
        o.status, o.errors, o.output = "failed", o.errors + 1, ""


def _holders(inputs: list[Path]) -> dict[Path, Path]:
    """Each folder holding one of ``inputs`` (and each input itself) → the first input it holds.

    Why a table: asking of every job's folder whether it is each input or among its parents made a Path per
    parent for each pair — 370 jobs' 137,000 pairs took 28 s under load; this is 370 inputs' parents once.
    """
    held: dict[Path, Path] = {}
    for path in inputs:
        for folder in (path, *path.parents):
            held.setdefault(folder, path)
    return held


def _refuse_duplicates(outcomes: list[Outcome]) -> None:
    """Two jobs that write one output folder (one BOCES and school year, docs/formats.md "A job") both fail.

    Which would win depends on which finishes last, so neither is written: each
    gets an error naming both files, its staged outputs are dropped and the
    folder keeps what it held before the run.
    """
    by_folder: dict[str, list[Outcome]] = {}
    for o in outcomes:
        if o.output:
            # casefolded: on a Windows or macOS share "abc_2026-27" and "ABC_2026-27" are one folder
            by_folder.setdefault(o.output.casefold(), []).append(o)
    for group in by_folder.values():
        if len({Path(o.source).resolve() for o in group}) < 2:
            continue  # one input named twice is one job, not two
        sources = [o.source for o in group]
        files = (" and ".join(sources) + " both" if len(sources) == 2
                 else ", ".join(sources[:-1]) + f" and {sources[-1]} all")
        folder = " or ".join(dict.fromkeys(Path(o.output).name for o in group))
        for o in group:
            o.discard()
            others = ", ".join(x.source for x in group if x is not o)
            o.issues = [Issue("error", "duplicate-job", file=Path(o.source).name, expected="one job per BOCES code and "
                              "school year in a run", found=f"also in {others}",
                              message=f"{files} write the output folder {folder} (named for the BOCES code and "
                              "school year); neither is written: remove the one that is not current")] + list(o.issues)
            o.status, o.errors = "failed", o.errors + 1
            o.output = ""
