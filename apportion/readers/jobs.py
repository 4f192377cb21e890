"""Finding jobs in an input folder and loading each job's sheets (FORMATS.md, "A job").

A job is one BOCES and one school year: a single workbook holding all its
sheets, or a folder whose workbooks together hold them (each sheet in exactly
one workbook).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import IssueLog
from ..schema import BOCES_SHEET, SHEET_NAMES, TABLE_SHEETS, normalise
from .book import Workbook, open_workbook, sheet_names
from .items import Items, read_items
from .safety import DEFAULT_LIMITS, Limits
from .table import Table, read_table

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
# .xlsb is refused too: its binary sheets escape the checks safety.py makes on XML
REFUSED_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsb"}


def _visible(path: Path) -> bool:
    return not path.name.startswith(("~$", "."))


def workbooks_in(folder: Path) -> list[Path]:
    """Workbooks directly in ``folder``, by name; lock files and hidden files skipped."""
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and _visible(p) and p.suffix.lower() in WORKBOOK_SUFFIXES)


def _has_boces_sheet(path: Path) -> bool:
    names = sheet_names(path)
    if names is None:
        return True  # unreadable: let the job report why
    return any(normalise(n) == normalise(BOCES_SHEET) for n in names)


@dataclass(frozen=True)
class JobSource:
    """Where one job's inputs are: a workbook, or a folder of workbooks."""

    path: Path

    @property
    def name(self) -> str:
        return self.path.stem if self.path.is_file() else self.path.name

    def files(self) -> list[Path]:
        return [self.path] if self.path.is_file() else workbooks_in(self.path)


def discover(paths: list[Path], log: IssueLog) -> list[JobSource]:
    """The jobs named on the command line (FORMATS.md: a workbook, a job folder or an input folder)."""
    jobs: list[JobSource] = []
    for path in paths:
        if path.is_file():
            jobs.append(JobSource(path))
            continue
        if not path.is_dir():
            log.error("no-such-path", "no such file or folder", file=str(path), expected="a workbook or a folder",
                      found="nothing at that path")
            continue
        subfolders = sorted(p for p in path.iterdir() if p.is_dir() and _visible(p) and workbooks_in(p))
        books = workbooks_in(path)
        with_boces = [b for b in books if _has_boces_sheet(b)]
        if not subfolders and len(with_boces) == 1 and len(books) > 1:
            jobs.append(JobSource(path))
            continue
        for b in books:
            if b in with_boces:
                jobs.append(JobSource(b))
            else:
                log.warning("skipped-workbook", "the workbook has no BOCES sheet and is not part of a job folder; skipped",
                            file=str(b), sheet=BOCES_SHEET, expected="a BOCES sheet", found="none")
        for p in sorted(path.iterdir()):
            if p.is_file() and _visible(p) and p.suffix.lower() in REFUSED_SUFFIXES:
                log.warning("skipped-file", "not a workbook; save it as .xlsx to use it", file=str(p),
                            expected="an Excel workbook", found=p.suffix)
        jobs.extend(JobSource(p) for p in subfolders)
    return sorted(set(jobs), key=lambda j: str(j.path))


@dataclass
class Inputs:
    """A job's sheets, read and typed (not yet cross-checked)."""

    source: JobSource
    files: list[Path]
    items: Items | None
    tables: dict[str, Table] = field(default_factory=dict)

    def table(self, name: str) -> Table | None:
        return self.tables.get(normalise(name))


def read_inputs(source: JobSource, log: IssueLog, limits: Limits = DEFAULT_LIMITS) -> Inputs:
    """Open every workbook of a job and read each sheet from the one workbook that holds it."""
    files = source.files()
    base = source.path.parent
    inputs = Inputs(source, files, None)
    if source.path.is_file() and source.path.suffix.lower() not in WORKBOOK_SUFFIXES:
        hint = "; save it from Excel as a workbook (.xlsx)" if source.path.suffix.lower() in REFUSED_SUFFIXES else ""
        log.error("not-a-workbook", f"the file is not an Excel workbook{hint}", file=source.path.name,
                  expected="a .xlsx, .xlsm, .xls or .ods workbook", found=source.path.suffix or "no extension")
        return inputs
    if not files:
        log.error("empty-job-folder", "the job folder holds no workbooks", file=source.path.name,
                  expected="one or more .xlsx workbooks", found="none")
        return inputs
    holder: dict[str, Workbook] = {}
    known = {normalise(n) for n in SHEET_NAMES}
    for path in files:
        wb = open_workbook(path, str(path.relative_to(base)), log, limits)
        if wb is None:
            continue
        extras = [name for key, name in wb.sheets.items() if key not in known]
        if extras:
            log.note("extra-sheets", "sheets not used: " + ", ".join(extras), file=wb.display)
        for key, name in wb.sheets.items():
            if key not in known:
                continue
            if key in holder:
                log.error("sheet-in-two-workbooks", f"the sheet {name!r} is in two workbooks of the job",
                          file=wb.display, sheet=name, expected="each sheet in exactly one workbook",
                          found=f"also in {holder[key].display}")
                continue
            holder[key] = wb
    if log.errors:
        return inputs
    display = files[0].name if len(files) == 1 else source.path.name
    if normalise(BOCES_SHEET) not in holder:
        log.error("missing-sheet", "the job has no BOCES sheet", file=display, sheet=BOCES_SHEET,
                  expected="a sheet named BOCES", found="sheets: " + ", ".join(
                      n for wb in {id(w): w for w in holder.values()}.values() for n in wb.sheets.values()))
    else:
        inputs.items = read_items(holder[normalise(BOCES_SHEET)], log)
    for spec in TABLE_SHEETS:
        if spec.norm in holder:
            table = read_table(holder[spec.norm], spec, log)
            if table is not None and table.frame.empty and not spec.required:
                # an optional sheet left empty (as in the blank template) is no sheet: an empty Aid claim
                # sheet must not switch the job to claim mode with nothing claimed
                log.note("empty-sheet", f"the {spec.name} sheet has no rows; it is ignored", file=table.file,
                         sheet=table.sheet)
            elif table is not None:
                inputs.tables[spec.norm] = table
        elif spec.required:
            log.error("missing-sheet", f"the job has no {spec.name} sheet", file=display, sheet=spec.name,
                      expected=f"a sheet named {spec.name}", found="no such sheet")
    return inputs
