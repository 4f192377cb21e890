"""One job from inputs to outputs: read → validate → compute → write (docs/formats.md, Outputs).

A job with any error writes only ``issues.csv`` and ``ERRORS.txt``, never a
partial report; outputs are swapped into place atomically.
"""
from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import IssueLog, JobInputError
from .readers.jobs import JobSource, read_inputs
from .limits import DEFAULT_LIMITS, Limits
from .model import Job
from .options import RunOptions
from .compute.checks import build_job
from .readers.items import Items
from .result import Result
from .textsafe import path_text
from .writers.atomic import KEPT


@dataclass
class Outcome:
    """What happened to one job, for the batch summary."""

    name: str
    source: str
    status: str  # "ok", "failed" (input errors) or "crashed"
    output: str = ""
    districts: int = 0
    total_charges: int = 0  # cents
    total_aid: int = 0  # dollars
    warnings: int = 0
    errors: int = 0
    message: str = ""
    issues: list = field(default_factory=list)
    staged: str = ""  # outputs written but not yet swapped in (run_job(commit=False)): see commit()
    keep: tuple = ()  # what of the previous output folder the swap carries over
    stale: str = ""  # a failure folder named after the job's file, which this computed run supersedes
    durable: bool = True  # the staged files are on disk (else commit() first makes them so; a batch does it once)
    started: float = field(default_factory=time.time)  # another run's report committed after this is said replaced

    def commit(self, stages: list[str] | None = None) -> None:
        """Swap the staged outputs into the output folder (and drop the failure folder they supersede);
        ``stages``: the temporary folders beside it, when the caller listed them (:func:`~.writers.atomic.recover`)."""
        from .writers.atomic import commit_folder, make_durable_all, remove_failure_folder
        if self.staged:
            if not self.durable:
                make_durable_all([Path(self.staged)])
                self.durable = True
            commit_folder(Path(self.output), Path(self.staged), self.keep, since=self.started, stages=stages)
            self.staged = ""
            if self.stale:
                remove_failure_folder(Path(self.stale))

    def discard(self) -> None:
        """Drop the staged outputs: the output folder stays as it was."""
        from .writers.atomic import discard
        if self.staged:
            discard(Path(self.staged))
            self.staged = ""


def _load(source: JobSource, log: IssueLog, limits: Limits) -> tuple[Result | None, str]:
    """The job's result (None on errors) and its output folder name, ``<BOCES code>_<school year>``
    whenever the BOCES sheet says so (else the job's own name)."""
    result, folder, _ = _read(source, log, limits)
    return result, folder


def _read(source: JobSource, log: IssueLog, limits: Limits,
          settings: tuple[tuple[str, str], ...] = ()) -> tuple[Result | None, str, Items | None]:
    """:func:`_load` with ``settings`` (``run --set``) replacing BOCES items as they are read; also the
    BOCES items read, which say what the settings replaced."""
    from .compute import compute
    inputs = read_inputs(source, log, limits, settings)
    items = inputs.items.values if inputs.items is not None else {}
    folder = source.name
    if items.get("boces_code") and items.get("school_year"):
        folder = f"{items['boces_code']}_{items['school_year']}"
    job = build_job(inputs, log)  # every check runs, even after the readers found errors: one pass lists them all
    if job is None or log.errors:
        return None, folder, inputs.items
    return compute(job, log), folder, inputs.items


def compute_job(path: Path, limits: Limits = DEFAULT_LIMITS) -> Result:
    """The library call: a job's result, or :class:`JobInputError` with every issue."""
    log = IssueLog(cap=limits.issues_per_code)
    result, _ = _load(JobSource(path), log, limits)
    if result is None or log.errors:
        raise JobInputError(log.sorted())
    return result


def read_job(path: Path, limits: Limits = DEFAULT_LIMITS) -> Job:
    """The library call: a job's inputs read and validated (not computed), or :class:`JobInputError`."""
    log = IssueLog(cap=limits.issues_per_code)
    inputs = read_inputs(JobSource(path), log, limits)
    job = None if log.errors else build_job(inputs, log)
    if job is None or log.errors:
        raise JobInputError(log.sorted())
    return job


def check_job(path: Path, limits: Limits = DEFAULT_LIMITS) -> list:
    """All issues of a job (validation and the computation's own checks), writing nothing."""
    log = IssueLog(cap=limits.issues_per_code)
    _load(JobSource(path), log, limits)
    return log.sorted()


def _folder_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._") or "job"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def output_files(result: Result, inputs: list[tuple[str, str]], workers: int = 1, options=None,
                 sink=None) -> dict[str, bytes]:
    """Every output file of a computed job, by path relative to its folder (workbooks in ``workers`` processes;
    ``options``, a :class:`~.options.ReportOptions`: PDFs too, the prepared-on date). With ``sink`` (a
    :class:`~.writers.atomic.Stage`) each file is written into it as soon as it is made and nothing is returned:
    a million-row job's outputs (900 MB) are never all in memory."""
    from .writers.manifest import MANIFEST, mail_manifest
    from .writers.parallel import EXPORTS, write_workbooks
    from .writers.text import short_names
    files: dict[str, bytes] = {}
    put = sink.put if sink is not None else files.__setitem__
    s = result.settings
    variant = f"_{result.variant.name}" if result.variant else ""
    stem = _folder_name(f"{s.boces_code}_{s.school_year}{variant}")
    d = result.districts
    billed = set(result.billing["district_code"])
    codes = d.index[d["is_component"] | d.index.isin(billed)]
    names = short_names(d.loc[codes, "district_name"])
    tasks = [EXPORTS, (f"{stem}_summary.xlsx", None)] + [(f"districts/{code}_{names[code]}.xlsx", code) for code in codes]
    files.update(write_workbooks(result, inputs, tasks, workers, options, sink))
    statements = {code: {kind: f"districts/{code}_{names[code]}.{ext}" for kind, ext in
                         [("xlsx", "xlsx"), ("document", "json")] + ([("pdf", "pdf")] if options and options.pdf else [])}
                  for code in codes}
    put(MANIFEST, mail_manifest(result, statements, options.prepared if options else None))
    return files


def run_job(source: JobSource, output_root: Path, limits: Limits = DEFAULT_LIMITS, write: bool = True,
            workers: int = 1, commit: bool = True, owner: str | None = None, options=None,
            what_if: RunOptions = RunOptions()) -> Outcome:
    """Run one job and write its folder (its workbooks in ``workers`` processes); never raises for bad input
    or for outputs that cannot be written (:func:`unwritten`).

    With ``commit=False`` the outputs are only staged beside the folder: the caller
    swaps them in with :meth:`Outcome.commit` or drops them with :meth:`Outcome.discard`
    (a batch does, once it knows no two jobs write the same folder). ``owner`` names the process that
    will commit (:class:`~apportion.writers.atomic.Owner`; default this one). ``options`` (a
    :class:`~.options.ReportOptions`): PDFs too, the prepared-on date. ``what_if``: a variant's
    settings, its comparison with the base run and the prior year (:class:`~.options.RunOptions`).
    """
    log = IssueLog(cap=limits.issues_per_code)
    outcome = Outcome(name=source.name, source=str(source.path), status="ok")
    result, folder_name, items = _read(source, log, limits, what_if.settings)
    folder_name += what_if.folder_suffix()
    extra: dict[str, bytes] = {}
    if result is not None and not log.errors:
        extra = _beside(result, items, source, output_root, limits, what_if, log)
    issues = log.sorted()
    outcome.warnings = log.count("warning")
    outcome.errors = log.count("error")
    outcome.issues = issues
    if result is None or log.errors:
        outcome.status = "failed"
        try:
            write_failure(outcome, output_root / _folder_name(folder_name), source.name, issues, write, commit, owner)
        except OSError as exc:
            unwritten(outcome, exc)
        return outcome
    s = result.settings
    folder = output_root / _folder_name(folder_name)
    outcome.name = f"{s.boces_code} {s.school_year}" + (f" {what_if.variant}" if what_if.variant else "")
    outcome.districts = len(result.apportionment.shares)
    outcome.total_charges = int(result.billing["amount"].sum())
    outcome.total_aid = int(result.aid.table["total_aid"].sum())
    outcome.output = str(folder)
    if _folder_name(source.name) != folder.name:  # an earlier failure named after the file is now out of date
        outcome.stale = str(output_root / _folder_name(source.name))
    if write:
        _drop_input_tables(result)
        base = source.path.parent
        try:
            inputs = [(path_text(p.relative_to(base)), sha256(p)) for p in result.files]
            _stage(outcome, folder, extra, KEPT, commit, owner,
                   lambda stage: output_files(result, inputs, workers, options, stage))
        except OSError as exc:
            unwritten(outcome, exc)
    return outcome


def _drop_input_tables(result: Result) -> None:
    """Let go of the input tables no later step points into — only the Districts sheet's is
    (:meth:`~.result.Result.where_district`) — before the writing: a million-row job's Participation table
    held 66 MB that the writing processes would have shared and partly copied."""
    result.tables = {name: table for name, table in result.tables.items() if name == "Districts"}


def _beside(result: Result, items: Items | None, source: JobSource, output_root: Path, limits: Limits,
            what_if: RunOptions, log: IssueLog) -> dict[str, bytes]:
    """What a run sets beside its own result: the variant it is, the prior year (read from its output folder)
    and, with ``--compare``, the comparison with the base run as extra files."""
    from .compare import compare, figures_of_result
    from .compare.prior import prior_year
    from .result import SettingChange, Variant
    if what_if.variant:
        changed = items.overridden.values() if items is not None else ()
        result.variant = Variant(what_if.variant, tuple(SettingChange(*c) for c in changed))
    result.prior = prior_year(result, output_root, what_if.prior, what_if.warn_percent, log)
    if not (what_if.compare and what_if.variant):
        return {}
    base, _ = _load(source, IssueLog(), limits)
    if base is None:
        log.warning("base-run-failed", "the base run (the inputs without --set) has input errors, so the variant is "
                    "not compared with it", file=source.path.name)
        return {}
    from .writers.comparison import comparison_files
    return comparison_files(compare(figures_of_result(base), figures_of_result(result)))


def _stage(outcome: Outcome, folder: Path, files: dict[str, bytes], keep: tuple, commit: bool,
           owner: str | None = None, write=None) -> None:
    """Stage ``files`` — and whatever ``write(stage)`` writes into the stage as it goes — beside ``folder``;
    swap them in unless ``commit`` is False."""
    from .writers.atomic import Stage
    outcome.output, outcome.keep = str(folder), keep
    # staged only (a batch's): the batch makes every job's stage durable at once, before committing any
    outcome.durable = commit
    with Stage(folder, owner, durable=commit) as stage:
        if write is not None:
            write(stage)
        for rel, data in sorted(files.items()):
            stage.put(rel, data)
    outcome.staged = str(stage.path)
    if commit:
        outcome.commit()


def io_line(exc: OSError, where: object = None) -> str:
    """An I/O failure as one line naming the path (disk full, read-only, permission, busy); ``where``: the
    folder being written, named when the failure names no file (a full disk fails a write, not an open)."""
    path = exc.filename if exc.filename is not None else where
    if path is not None and exc.strerror:
        return f"{path}: {exc.strerror}"
    return str(exc) or type(exc).__name__


def unwritten(outcome: Outcome, exc: OSError, reading: bool = False) -> None:
    """A file of the job could not be written (or, ``reading``, read): the job fails with one line naming
    the path; previous outputs stay as they were (outputs are swapped in whole or not at all)."""
    from .errors import Issue
    line = io_line(exc, outcome.output or None)
    what = "inputs could not be read" if reading else "outputs could not be written"
    outcome.status = "failed"
    outcome.errors += 1
    outcome.issues = list(outcome.issues) + [Issue(
        "error", "input-not-read" if reading else "output-not-written", file=str(exc.filename or outcome.output),
        expected="a readable input" if reading else "a writable output folder", found=line[:300],
        message=f"the {what}; the previous outputs are unchanged")]
    outcome.message = f"{what}: {line}"


def write_failure(outcome: Outcome, folder: Path, job_name: str, issues: list, write: bool = True,
                  commit: bool = True, owner: str | None = None) -> None:
    """A failed job's folder: only issues.csv and ERRORS.txt, never a partial report — and of an earlier
    run's outbox only its record of what was sent (never a draft of an old statement)."""
    from .writers.csvs import errors_txt, issues_csv
    outcome.output = str(folder)
    if write:
        _stage(outcome, folder, {"issues.csv": issues_csv([i for i in issues if i.severity != "note"]),
                                 "ERRORS.txt": errors_txt(job_name, issues, outcome.errors)}, KEPT, commit, owner)


def crash_outcome(source: JobSource, output_root: Path, exc: BaseException, write: bool, detail: str = "",
                  owner: str | None = None) -> Outcome:
    """An unexpected exception inside one job, reported as that job's failure (the batch goes on)."""
    from .errors import Issue
    message = f"{type(exc).__name__}: {exc}"
    issue = Issue("error", "internal-error", file=source.path.name, expected="a job the tool can compute",
                  found=message[:300], message="apportion failed on this job; please report it with the input files")
    outcome = Outcome(name=source.name, source=str(source.path), status="crashed", errors=1,
                      message=message + (f"\n{detail}" if detail else ""), issues=[issue])
    try:
        write_failure(outcome, output_root / _folder_name(source.name), source.name, [issue], write, True, owner)
    except Exception:  # the output folder itself is unusable; the message still reaches the user
        pass
    return outcome
