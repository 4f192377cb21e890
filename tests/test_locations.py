"""Every issue has a location (issue 13, point 4): a corpus of jobs that between them raise every issue code
of the catalogue, and every issue they report names where it is at its catalogue level — a *cell* issue its
file, sheet and cell (a value's cell, a column's header cell, a BOCES item's cell), a *sheet* issue its file
and sheet, a *file* issue its file or folder.

The bad inputs of the hardening corpus (tests/test_hardening.py) are checked there, issue by issue, with
:func:`tests.corpus.unlocated`; this corpus adds what they do not raise: warnings and notes of jobs that compute,
the batch's own issues (paths, folders, duplicate jobs), the comparisons with a prior year and a base run, and
the tool's failures.
"""
from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest

from apportion import batch as batch_module
from apportion.batch import run_batch
from apportion.errors import IssueLog
from apportion.issues import CATALOGUE
from apportion.marker import MARKER, ROOT_MARKER_TEXT
from apportion.options import RunOptions
from apportion.readers.jobs import JobSource, read_inputs

from . import corpus as C
from .builders import write_workbook
from .test_hardening import CASES


def _issues(batch) -> list:
    return list(batch.log.issues) + [i for o in batch.outcomes for i in o.issues]


def _run(path: Path, out: Path, **kw) -> list:
    return _issues(run_batch([path], out, jobs=1, **kw))


def _job(tmp: Path, name: str, change) -> Path:
    sheets = C.valid_sheets()
    change(sheets)
    return C.write(tmp / f"{name}.xlsx", sheets)


def _votes(sheets, vote) -> None:
    for row in range(1, 5):
        C.set_cell(sheets, "Districts", "Budget vote", row, vote)


def warnings_of_a_computed_job(tmp: Path) -> list:
    """A job that computes with a warning (or note) of every kind a valid input can draw."""
    def change(s):
        C.add_column(s, "Districts", "County", ["Albany"])  # unknown-column
        s["Instructions"] = [["Fill in every sheet"]]  # unknown-sheet
        s["BOCES"].append(["Prepared by", "J. Smith"])  # unknown-item
        next(r for r in s["BOCES"] if r[0] == "Capital budget").append("per resolution 12")  # unused-cell
        C.set_cell(s, "Districts", "District name", 2, "Berne\x07Knox")  # control-characters
        s["Collaboration hours"] = s["Collaboration hours"][:1]  # empty-sheet (a note)
        C.set_item(s, "State average AV per RWADA", None)  # state-average-carried-forward
        C.set_item(s, "Prior year method", "true value")  # method-change-hearing
        C.set_item(s, "Method hearing date", dt.date(2026, 4, 1))
        C.set_item(s, "Annual meeting date", dt.date(2026, 4, 15))
        C.set_item(s, "District superintendent salary", 300_000)  # ds-salary-over-cap
        C.add_column(s, "Services", "Approvals", [1])  # methodology-not-approved: 1 of 2 participants
        _votes(s, None)  # no-budget-vote
        # aid-differs (a published total of $1) and claim-not-component (the non-component's row)
        s["Aid claim"] = [["District code", "Approved services expense", "Published total BOCES aid"],
                          [C.CODES[0], 0, 1], *([c, 0, None] for c in C.CODES[1:4]), [C.CODES[4], None, None]]
    return _run(_job(tmp, "warnings", change), tmp / "out", write=False)


def failed_budget_vote(tmp: Path) -> list:
    return _run(_job(tmp, "vote", lambda s: _votes(s, "no")), tmp / "out", write=False)


def input_errors_found_together(tmp: Path) -> list:
    """Errors no hardening case raises, all in one workbook (and so in one pass)."""
    def change(s):
        C.set_item(s, "Apportionment method", "blend")  # blend-authority-missing, blend-percent-missing
        C.set_item(s, "State average AV per RWADA", 0)  # not-positive
        C.set_cell(s, "Districts", "District name", 1, "L" * 5000)  # text-too-long
        C.set_cell(s, "Districts", "Tax levy", 2, None)  # aid-input-missing
        # not-whole-dollars; claim-missing (no row for the other components)
        s["Aid claim"] = [["District code", "Capital expense"], [C.CODES[0], 10.5]]
        C.add_column(s, "Services", "Students with disabilities", ["yes"])  # no-actual-units
        C.add_column(s, "Services", "Actual cost", [1_300_000])
        C.add_column(s, "Participation", "Actual units", [0, 0])
        C.add_row(s, "BOCES", {"Item": "Capital budget", "Value": 1})
        rent = next(r for r in s["BOCES"] if r[0] == "Rent budget")
        rent[1:] = [None, rent[1]]  # misplaced-item-value
        C.rename_column(s, "Staff", "Employee", None)  # unheaded-column
    return _run(_job(tmp, "errors", change), tmp / "out", write=False)


def no_districts(tmp: Path) -> list:
    return _run(_job(tmp, "none", lambda s: s.update(Districts=s["Districts"][:1], Participation=[
        s["Participation"][0]], **{"PD Attendance": s["PD Attendance"][:1], "Collaboration hours": [
            s["Collaboration hours"][0]], "Shared PD": s["Shared PD"][:1]})), tmp / "out", write=False)


def zero_basis(tmp: Path) -> list:
    return _run(_job(tmp, "zero", lambda s: [C.set_cell(s, "Districts", "RWADA", r, 0) for r in range(1, 5)]),
                tmp / "out", write=False)


def duplicate_sheet(tmp: Path) -> list:
    sheets = C.valid_sheets()
    sheets["Staff "] = copy.deepcopy(sheets["Staff"])  # Excel refuses "staff"; the space is as easily missed
    return _run(write_workbook(tmp / "twice.xlsx", sheets), tmp / "out", write=False)


def the_batch_and_its_folders(tmp: Path) -> list:
    """Paths that do not exist, files beside the jobs, an empty job folder, two jobs of one BOCES and year,
    the output among the inputs and an output folder that is a file."""
    inputs = tmp / "inputs"
    inputs.mkdir()
    C.write(inputs / "a.xlsx")
    C.write(inputs / "a (copy).xlsx")  # duplicate-job
    write_workbook(inputs / "notes.xlsx", {"Notes": [["x"]]})  # skipped-workbook
    (inputs / "notes.csv").write_text("a,b\n")  # skipped-file
    (inputs / "b.xlsx.part").write_bytes(b"PK")  # unread-workbook
    issues = _run(inputs, tmp / "out", write=False) + _issues(run_batch([tmp / "nowhere"], tmp / "o", jobs=1))
    issues += _issues(run_batch([inputs], inputs, jobs=1))  # output-in-inputs
    (tmp / "emptied").mkdir()  # a job folder whose workbooks went between finding the jobs and reading them
    log = IssueLog()
    read_inputs(JobSource(tmp / "emptied"), log)  # empty-job-folder
    issues += log.issues
    job = C.write(tmp / "job.xlsx")
    assert run_batch([job], tmp / "done", jobs=1).exit_code == 0
    issues += _issues(run_batch([tmp / "done" / "CR01_2026-27"], tmp / "o2", jobs=1))  # output-as-input
    marked = tmp / "marked"
    marked.mkdir()
    C.write(marked / "job.xlsx")
    (marked / MARKER).write_bytes(ROOT_MARKER_TEXT)  # an input folder an earlier -o marked
    issues += _issues(run_batch([marked], tmp / "o3", jobs=1))  # marker-on-inputs
    (tmp / "file").write_text("not a folder")
    return issues + _run(job, tmp / "file")  # output-not-written


def set_on_the_command_line(tmp: Path) -> list:
    """``--set`` an unknown item; a variant compared with a base run that has input errors."""
    job = C.write(tmp / "job.xlsx")
    issues = _run(job, tmp / "out", write=False, what_if=RunOptions(settings=(("Capital budgett", "1"),)))
    issues += _run(job, tmp / "out", write=False, what_if=RunOptions(settings=(("Rent budget", ""),)))  # empty-set-value
    broken = _job(tmp, "broken", lambda s: C.set_item(s, "Capital budget", "lots"))
    return issues + _run(broken, tmp / "out", write=False, what_if=RunOptions(
        settings=(("Capital budget", "400,000"),), variant="fixed", compare=True))


def prior_years(tmp: Path) -> list:
    """A prior year that moves every net cost, one of another BOCES, one that cannot be read, one not found."""
    out = tmp / "out"
    last = _job(tmp, "last", lambda s: (C.set_item(s, "School year", "2025-26"),
                                        C.set_item(s, "Administrative budget", 900_000)))
    assert run_batch([last], out, jobs=1).exit_code == 0
    job = C.write(tmp / "job.xlsx")
    issues = _run(job, out)  # net-cost-change
    other = _job(tmp, "other", lambda s: (C.set_item(s, "School year", "2025-26"), C.set_item(s, "BOCES code", "ZZ9")))
    assert run_batch([other], tmp / "elsewhere", jobs=1).exit_code == 0
    issues += _run(job, tmp / "o1", write=False, what_if=RunOptions(prior=tmp / "elsewhere" / "ZZ9_2025-26"))
    issues += _run(job, tmp / "o2", write=False, what_if=RunOptions(prior=tmp / "no-such-run"))  # prior-year-missing
    assert run_batch([job], tmp / "same", jobs=1).exit_code == 0
    issues += _run(job, tmp / "o4", write=False,  # prior-year-not-previous: this year's own output
                   what_if=RunOptions(prior=tmp / "same" / "CR01_2026-27"))
    assert run_batch([last], tmp / "drafts", jobs=1, what_if=RunOptions(
        settings=(("Rent budget", "1"),), variant="draft")).exit_code == 0
    issues += _run(job, tmp / "o5", write=False,  # prior-year-variant: last year's board draft
                   what_if=RunOptions(prior=tmp / "drafts" / "CR01_2025-26_draft"))
    (tmp / "o3" / "CR01_2025-26").mkdir(parents=True)  # found beside the job's folder, but no run in it
    return issues + _run(job, tmp / "o3", write=False)  # prior-year-unusable


def the_tool_failing(tmp: Path, monkeypatch) -> list:
    """An input that cannot be read mid-run, and a crash inside a job."""
    job = C.write(tmp / "job.xlsx")
    for exc in (PermissionError(13, "Permission denied", str(job)), RuntimeError("boom")):
        def fail(*args, exc=exc, **kw):
            raise exc
        monkeypatch.setattr(batch_module, "run_job", fail)
        yield from _run(job, tmp / "out", write=False)


SCENARIOS = [warnings_of_a_computed_job, failed_budget_vote, input_errors_found_together, no_districts, zero_basis,
             duplicate_sheet, the_batch_and_its_folders, set_on_the_command_line, prior_years]

#: codes no input can raise: a kind of cell the schema has none of (every field kind has its own code)
NOT_RAISED = {"bad-value"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list:
    issues = []
    for scenario in SCENARIOS:
        issues += scenario(tmp_path_factory.mktemp(scenario.__name__))
    monkeypatch = pytest.MonkeyPatch()
    try:
        issues += list(the_tool_failing(tmp_path_factory.mktemp("tool"), monkeypatch))
    finally:
        monkeypatch.undo()
    return issues


def test_every_issue_names_its_location_at_its_level(corpus):
    assert corpus
    assert C.unlocated(corpus) == []


def test_the_corpus_raises_every_code_of_the_catalogue(corpus, tmp_path):
    hardening = {code for name, build in CASES.items()
                 for code, _, _ in build(tmp_path / name if (tmp_path / name).mkdir() is None else tmp_path).expect}
    raised = hardening | {i.code for i in corpus}
    from apportion.readers import coerce
    from apportion.readers.table import KIND_CODES
    from apportion.schema import TableSheet
    import apportion.schema as schema
    fields = [f for t in vars(schema).values() if isinstance(t, TableSheet) for f in t.fields]
    # bad-value is the fallback of a table column kind without a code of its own: the schema has none (a BOCES
    # item that does not fit is bad-item)
    assert {f.kind for f in fields} <= set(coerce.SCALES) | set(KIND_CODES) | {"key", "text"}
    assert raised == set(CATALOGUE) - NOT_RAISED, ("never raised", sorted(set(CATALOGUE) - NOT_RAISED - raised))
