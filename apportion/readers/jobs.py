"""Finding jobs in an input folder and loading each job's sheets (docs/formats.md, "A job").

A job is one BOCES and one school year: a single workbook holding all its
sheets, or a folder whose workbooks together hold them (each sheet in exactly
one workbook).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import IssueLog
from ..marker import MARKER, is_job_output, is_output
from ..schema import BOCES_SHEET, SHEET_NAMES, TABLE_SHEETS, normalise
from .book import Workbook, open_workbook, sheet_names
from .items import Items, read_items
from .names import near_miss
from ..limits import DEFAULT_LIMITS, Limits
from .table import HEADER_SEARCH_ROWS, Table, headers_fit, read_table

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
# .xlsb is refused too: its binary sheets escape the checks safety.py makes on XML
REFUSED_SUFFIXES = {".csv", ".txt", ".tsv", ".xlsb"}


def _visible(path: Path) -> bool:
    return not path.name.startswith(("~$", "."))


def workbooks_in(folder: Path) -> list[Path]:
    """Workbooks directly in ``folder``, by name; lock files and hidden files skipped."""
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and _visible(p) and p.suffix.lower() in WORKBOOK_SUFFIXES)


def holds_boces_sheet(path: Path) -> bool | None:
    """Whether the workbook has a BOCES sheet, or one whose name is a near miss of it (``BOCE``, ``BOCES
    items``: the job is read and fails on that name, rather than being skipped); None when it cannot be
    read (half-copied, damaged): an unreadable workbook holds no sheet, and its folder is then read as one
    job that names it."""
    names = sheet_names(path)
    if names is None:
        return None
    return any(normalise(n) == normalise(BOCES_SHEET) or near_miss(n, [BOCES_SHEET]) for n in names)


def marked_inputs(folder: Path) -> list[Path]:
    """The input workbooks (holding a BOCES sheet) in a folder that holds the outputs-root marker: an outputs
    root never holds one, so such a folder is an input folder an earlier ``-o`` marked by mistake."""
    if not folder.is_dir() or not is_output(folder) or is_job_output(folder):
        return []
    return [b for b in workbooks_in(folder) if holds_boces_sheet(b)]


def _marked_inputs_error(folder: Path, log: IssueLog) -> bool:
    """True (with an error naming it) when ``folder`` is an input folder wearing the outputs-root marker."""
    books = marked_inputs(folder)
    if books:
        log.error("marker-on-inputs", file=str(folder), expected="no output marker in a folder of input workbooks",
                  found=f"the marker {folder / MARKER} beside {', '.join(b.name for b in books)}",
                  marker=str(folder / MARKER))
    return bool(books)


#: Excel and LibreOffice templates: a workbook saved as a template is not read, and says so
TEMPLATE_SUFFIXES = {".xltx", ".xltm", ".xlt", ".ots"}


def _unread_workbook(p: Path) -> str | None:
    """Why an entry that looks like a workbook is not one that can be read, or None: a workbook name with
    more after the suffix (``Staff.xlsx.part``, ``.crdownload``, ``.xlsx~``, ``.xlsx.bak``, a trailing
    space: a half-copied, half-downloaded or backed-up workbook), a template, a link that cannot be
    followed, or something with a workbook name that is not a file (a folder, a pipe)."""
    name = p.name.lower()
    if p.is_symlink() and not p.exists():
        return f"a link to {os.readlink(p)!s}, which cannot be followed (missing, or a loop)"
    if any(suffix + tail in name and not name.endswith(suffix) for suffix in WORKBOOK_SUFFIXES
           for tail in (".", "~", " ")) or name.endswith(".crdownload"):
        return "a workbook name with more after it (half copied, half downloaded or a backup?)"
    if p.suffix.lower() in TEMPLATE_SUFFIXES:
        return "a workbook saved as a template; save it as .xlsx to use it"
    if p.suffix.lower() in WORKBOOK_SUFFIXES and not p.is_file():
        return "a workbook name on something that is not a file (a folder, a pipe)"
    return None


def unread_entries(entries: list[Path], log: IssueLog, shown, folders: bool = True) -> None:
    """Report every entry of a job folder or an input folder that is not read (files starting with ``~$`` or
    ``.`` excepted, as documented): one that looks like a workbook is the error ``unread-workbook`` — the
    sheets it holds would be missing from the job, which must not compute without them —; a file in a refused
    format (a sheet exported as .csv) or any other file is the warning ``skipped-file``. ``folders``: whether
    a sub-folder is unread too (in a job folder; an input folder reads its sub-folders as jobs).
    ``shown(path)``: the entry as the issue names it."""
    for p in entries:
        if not _visible(p) or (p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES):
            continue
        why = _unread_workbook(p)
        if why:
            log.error("unread-workbook", f"not read: {why}", file=shown(p), expected="a .xlsx, .xlsm, .xls or "
                      ".ods workbook, or nothing under a workbook's name", found=why)
        elif p.is_file() and p.suffix.lower() in REFUSED_SUFFIXES:
            log.warning("skipped-file", "not a workbook; save it as .xlsx to use it", file=shown(p),
                        expected="an Excel workbook", found=p.suffix)
        elif p.is_dir() and not folders:
            continue
        elif not is_output(p):
            what = "a folder" if p.is_dir() else "a file" if p.is_file() else "neither a file nor a folder"
            log.warning("skipped-file", f"not a workbook ({what}); not read", file=shown(p),
                        expected="an Excel workbook", found=what + (f" named {p.suffix}" if p.suffix else ""))


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
    """The jobs named on the command line (docs/formats.md: a workbook, a job folder or an input folder).

    A job named twice (a relative and an absolute path, a symlinked folder) is one job. A folder
    holding this tool's output marker (:data:`~apportion.marker.MARKER`) is never read:
    outputs are not inputs.
    """
    jobs: dict[Path, JobSource] = {}  # real path → the job as first named
    for path in paths:
        for job in _jobs_at(path, log):
            jobs.setdefault(job.path.resolve(), job)
    return sorted(jobs.values(), key=lambda j: str(j.path))


def _output_folder(path: Path, log: IssueLog) -> bool:
    """True (with an error) when ``path`` is an outputs root or a job output folder, or is inside one
    (a statement in ``districts/``)."""
    if _marked_inputs_error(path, log):
        return True
    inside = [path.parent, path.parent.parent] if path.is_file() else [path.parent]
    owner = path if path.is_dir() and is_output(path) else next((f for f in inside if is_job_output(f)), None)
    if owner is not None:
        log.error("output-as-input", file=str(path), expected="an input workbook or folder",
                  found=f"an output folder ({owner})")
    return owner is not None


def _jobs_at(path: Path, log: IssueLog) -> list[JobSource]:
    """The jobs at one command-line path."""
    if not path.exists():
        log.error("no-such-path", "no such file or folder", file=str(path), expected="a workbook or a folder",
                  found="nothing at that path")
        return []
    if _output_folder(path, log):
        return []
    if path.is_file():
        return [JobSource(path)]
    if not path.is_dir():
        log.error("no-such-path", "not a file or a folder", file=str(path), expected="a workbook or a folder",
                  found="something else (a device or a pipe)")
        return []
    entries = sorted(path.iterdir())
    here = path.resolve()
    # a link back to this folder or one above it (self -> .) would make this folder's workbooks a second job
    loops = [p for p in entries if _visible(p) and p.is_dir() and (p.resolve() == here or p.resolve() in here.parents)]
    for p in loops:
        log.warning("skipped-file", "a link back to this folder (or one above it); not read",
                    file=str(p.relative_to(path.parent)),
                    expected="a job folder", found=f"a link to {p.resolve()}")
    subfolders = [p for p in entries if p.is_dir() and _visible(p) and p not in loops and not is_output(p)
                  and workbooks_in(p)]
    for p in entries:  # a job folder an earlier -o marked is not skipped silently
        if _visible(p):
            _marked_inputs_error(p, log)
    books = workbooks_in(path)
    boces = {b: holds_boces_sheet(b) for b in books}
    with_boces = [b for b in books if boces[b]]
    unreadable = [b for b in books if boces[b] is None]
    # a half-copied or renamed workbook (Staff.xlsx.part) counts as one of the folder's: the job it belongs to
    # is then read whole and fails naming it, rather than computing without its sheets
    copies = [p for p in entries if p not in subfolders and _visible(p) and _unread_workbook(p)]
    if (not subfolders and len(books) + len(copies) > 1 and len(with_boces) <= 1
            and (with_boces or unreadable or copies)):
        return [JobSource(path)]  # one job folder: read whole, so a damaged workbook fails the job, naming it
    jobs = []
    for b in books:
        if boces[b] is False:
            log.warning("skipped-workbook", "the workbook has no BOCES sheet and is not part of a job folder; skipped",
                        file=str(b), sheet=BOCES_SHEET, expected="a BOCES sheet", found="none")
        else:  # a job workbook, or one that cannot be read: its job fails and says why
            jobs.append(JobSource(b))
    # named as a job names its files, from the folder above (inputs/notes.zip; the folder may be given absolute)
    unread_entries([p for p in entries if p not in subfolders], log, lambda p: str(p.relative_to(path.parent)),
                   folders=False)  # a folder of no workbooks: not a job, and an outputs root is marked
    return jobs + [JobSource(p) for p in subfolders]


#: sheets whose rows refer to another sheet's codes (service codes, contracts)
DEPENDS = {"Participation": "Services", "Staff": "Services", "PD Attendance": "Shared PD"}


def _match_sheets(opened: list[Workbook], holder: dict[str, Workbook], known: set[str], log: IssueLog) -> None:
    """Sheets that are no sheet of the contract: a near miss of an absent one, or a sheet headed as an absent
    one (an export's ``Sheet1`` holding the Staff columns), is an error (and the sheet is read as the one meant,
    so its cells are checked in the same pass); any other is a warning."""
    absent = [n for n in SHEET_NAMES if normalise(n) not in holder]
    for wb in opened:
        for key, name in list(wb.sheets.items()):
            if key in known:
                continue
            meant = near_miss(name, absent)
            if meant is None and (meant := _headed_as(wb, name, absent)) is not None:
                log.error("sheet-named-otherwise", file=wb.display, sheet=name, known=meant,
                          expected=f"a sheet named {meant!r}", found=f"{name!r}, headed as the {meant} sheet")
            elif meant is None:
                log.warning("unknown-sheet", file=wb.display, sheet=name, expected="a sheet of the input contract",
                            found=name)
                continue
            else:
                log.error("near-miss-sheet", file=wb.display, sheet=name, known=meant,
                          expected=f"a sheet named {meant!r}", found=name)
            if normalise(meant) not in holder:
                holder[normalise(meant)] = wb
                del wb.sheets[key]
                wb.sheets[normalise(meant)] = name


def _headed_as(wb: Workbook, name: str, absent: list[str]) -> str | None:
    """The absent table sheet whose headers the sheet ``name`` has (the one it fits best; None when none or two
    fit equally): the Staff rows an export saved under ``Sheet1`` are not left out unsaid (docs/formats.md, A job)."""
    specs = [s for s in TABLE_SHEETS if s.name in absent]
    if not specs:
        return None
    rows = wb.head(name, HEADER_SEARCH_ROWS)
    fits = sorted(((headers_fit(rows, s), s.name) for s in specs), reverse=True)
    best = fits[0]
    return best[1] if best[0] and (len(fits) == 1 or fits[1][0] < best[0]) else None


@dataclass
class Inputs:
    """A job's sheets, read and typed (not yet cross-checked)."""

    source: JobSource
    files: list[Path]
    items: Items | None
    tables: dict[str, Table] = field(default_factory=dict)

    def table(self, name: str) -> Table | None:
        return self.tables.get(normalise(name))


def read_inputs(source: JobSource, log: IssueLog, limits: Limits = DEFAULT_LIMITS,
                settings: tuple[tuple[str, str], ...] = ()) -> Inputs:
    """Open every workbook of a job and read each sheet from the one workbook that holds it; ``settings``
    (``run --set``) replace BOCES items as they are read."""
    files = source.files()
    base = source.path.parent
    inputs = Inputs(source, files, None)
    if source.path.is_file() and source.path.suffix.lower() not in WORKBOOK_SUFFIXES:
        hint = "; save it from Excel as a workbook (.xlsx)" if source.path.suffix.lower() in REFUSED_SUFFIXES else ""
        log.error("not-a-workbook", f"the file is not an Excel workbook{hint}", file=source.path.name,
                  expected="a .xlsx, .xlsm, .xls or .ods workbook", found=source.path.suffix or "no extension")
        return inputs
    if source.path.is_dir():  # a job folder: its entries not read (an input folder's are the batch's, in _jobs_at)
        unread_entries(sorted(source.path.iterdir()), log, lambda p: str(p.relative_to(base)))
    if not files:
        log.error("empty-job-folder", "the job folder holds no workbooks", file=source.path.name,
                  expected="one or more .xlsx workbooks", found="none")
        return inputs
    holder: dict[str, Workbook] = {}
    opened: list[Workbook] = []
    known = {normalise(n) for n in SHEET_NAMES}
    for path in files:
        wb = open_workbook(path, str(path.relative_to(base)), log, limits)
        if wb is None:
            continue
        opened.append(wb)
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
    found = "sheets: " + (", ".join(n for wb in opened for n in wb.sheets.values()) or "none")
    _match_sheets(opened, holder, known, log)
    if normalise(BOCES_SHEET) not in holder:
        log.error("missing-sheet", "the job has no BOCES sheet", file=display, sheet=BOCES_SHEET,
                  expected="a sheet named BOCES", found=found)
    else:
        inputs.items = read_items(holder[normalise(BOCES_SHEET)], log, settings)
    unreadable: set[str] = set()  # sheets whose problem is already reported
    for spec in TABLE_SHEETS:
        if spec.norm in holder:
            table = read_table(holder[spec.norm], spec, log)
            if table is None:
                unreadable.add(spec.norm)
            if table is not None and table.frame.empty and not spec.required:
                # an optional sheet left empty (as in the blank template) is no sheet: an empty Aid claim
                # sheet must not switch the job to claim mode with nothing claimed
                log.note("empty-sheet", f"the {spec.name} sheet has no rows; it is ignored", file=table.file,
                         sheet=table.sheet)
            elif table is not None:
                inputs.tables[spec.norm] = table
        elif spec.required:
            log.error("missing-sheet", f"the job has no {spec.name} sheet", file=display, sheet=spec.name,
                      expected=f"a sheet named {spec.name}", found=found)
    for needed in sorted(set(DEPENDS.values())):
        # rows that refer to a sheet that is not there: one error naming it, not one per row
        referring = [inputs.tables[normalise(s)].sheet for s, n in DEPENDS.items()
                     if n == needed and normalise(s) in inputs.tables]
        if referring and normalise(needed) not in set(inputs.tables) | unreadable:
            log.error("missing-sheet", f"the {' and '.join(referring)} sheet{'s' if len(referring) > 1 else ''} refer"
                      f"{'' if len(referring) > 1 else 's'} to the {needed} sheet, which the job does not have "
                      "(or has empty)", file=display, sheet=needed,
                      expected=f"a sheet named {needed} listing what {' and '.join(referring)} refer to", found=found)
    return inputs
