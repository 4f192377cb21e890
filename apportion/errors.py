"""Issues: every problem found in a job, located the way the user sees the workbook.

An :class:`Issue` names the file, sheet, A1 cell and header as typed, with what
was expected and what was found. Readers and checks *collect* issues into an
:class:`IssueLog`; nothing stops at the first one. A job with any error writes
no report (docs/formats.md, Outputs).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Iterable

from .issues import Severity, lookup
from .limits import DEFAULT_LIMITS
from .textsafe import path_text, visible

ISSUE_FIELDS = ("severity", "code", "file", "sheet", "cell", "column", "expected", "found", "message")


@dataclass(frozen=True, order=True)
class Issue:
    """One problem (or warning) with its location. Field order is the issues.csv order."""

    severity: Severity
    code: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    column: str = ""
    expected: str = ""
    found: str = ""
    message: str = ""

    def __post_init__(self) -> None:
        lookup(self.code, self.severity)  # every code is in the catalogue (apportion/issues.yaml), with its severity

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    def render(self) -> str:
        """One line for a terminal: where, what was expected and found, and the code."""
        where = self.cell or "-"
        column = f"{self.column}: " if self.column else ""
        detail = self.message
        if self.expected or self.found:
            detail = f"{detail} (expected {self.expected or '-'}, found {self.found or '-'})".strip()
        return visible(f"{where:>6}  {column}{detail}  [{self.code}]")  # a cell's escape codes shown, not obeyed


_LOCATION = frozenset(ISSUE_FIELDS) - {"severity", "code", "message"}
#: the longest header (or item label) and expected/found text an issue shows as typed: a header or item is text
#: like any cell (the limit text-length's default); expected and found as the readers already cut what they quote
_BOUNDS = {"column": DEFAULT_LIMITS.text_length, "expected": 300, "found": 300}


@dataclass
class IssueLog:
    """Collects issues; errors make a job fail, warnings and notes travel with the report.

    Of each code (and severity) the first ``cap`` issues are kept with their cells
    (the setting ``issues-per-code``, :class:`~apportion.limits.Limits`); the rest are
    only counted, and :meth:`sorted` ends that code's list with one row "… and K more",
    so a million bad rows give a readable report, not a million lines.
    """

    issues: list[Issue] = field(default_factory=list)
    cap: int = DEFAULT_LIMITS.issues_per_code
    #: (severity, code) → issues counted past ``cap`` and not kept
    omitted: dict[tuple[str, str], int] = field(default_factory=dict)
    _kept: dict[tuple[str, str], int] = field(default_factory=dict, repr=False)

    def add(self, severity: Severity, code: str, message: str | None = None, **fields: object) -> None:
        """Record one issue. ``fields`` are its location (file, sheet, cell, column, expected, found); without a
        ``message`` the catalogue's template is filled from the location and any other ``fields``."""
        key = (severity, code)
        if self._kept.get(key, 0) >= self.cap:
            self.omitted[key] = self.omitted.get(key, 0) + 1
            return
        where = {k: v for k, v in fields.items() if k in _LOCATION}
        if "file" in where:  # a file name that is not UTF-8 is named by its bytes (\xe9), as every output can
            where["file"] = path_text(where["file"])
        for name, most in _BOUNDS.items():  # a 32,000-character header as typed is shown by its start
            text = where.get(name)
            if isinstance(text, str) and len(text) > most:
                where[name] = f"{text[:most]}… ({len(text):,} characters)"
        values = {k: v for k, v in fields.items() if k not in _LOCATION}
        if message is None:
            message = lookup(code, severity).message(**where, **values)
        elif values:
            raise TypeError(f"{code}: template values {sorted(values)} given with a message of its own")
        self.issues.append(Issue(severity=severity, code=code, message=message, **where))
        self._kept[key] = self._kept.get(key, 0) + 1

    def room(self, severity: Severity, code: str, items):
        """The first of ``items`` (rows about to be reported one by one) the log still keeps; the rest are
        counted as omitted here, so a loop over a million bad rows runs only ``cap`` times."""
        key = (severity, code)
        free = max(self.cap - self._kept.get(key, 0), 0)
        if len(items) > free:
            self.omitted[key] = self.omitted.get(key, 0) + len(items) - free
            return items[:free]
        return items

    def error(self, code: str, message: str | None = None, **fields: object) -> None:
        self.add("error", code, message, **fields)

    def warning(self, code: str, message: str | None = None, **fields: object) -> None:
        self.add("warning", code, message, **fields)

    def note(self, code: str, message: str | None = None, **fields: object) -> None:
        self.add("note", code, message, **fields)

    def extend(self, issues: Iterable[Issue]) -> None:
        self.issues.extend(issues)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    def count(self, severity: Severity) -> int:
        """How many issues of ``severity`` were found: those kept and those only counted."""
        return sum(i.severity == severity for i in self.issues) + sum(
            n for (s, _), n in self.omitted.items() if s == severity)

    def __bool__(self) -> bool:  # an empty log is still a log
        return True

    def sorted(self) -> list[Issue]:
        """Errors first, then by file, sheet and cell as a person reads them; a code with issues past the cap
        ends with its row "… and K more" (:func:`more_row`)."""
        rank = {"error": 0, "warning": 1, "note": 2}
        listed = sorted(self.issues, key=lambda i: (rank[i.severity], i.file, i.sheet, _cell_key(i.cell), i.code,
                                                    i.message))
        if not self.omitted:
            return listed
        last = {(i.severity, i.code): k for k, i in enumerate(listed)}
        after: dict[int, list[Issue]] = {}
        for key, n in sorted(self.omitted.items()):
            k = last.get(key)
            kept = sum((i.severity, i.code) == key for i in listed)
            after.setdefault(len(listed) - 1 if k is None else k, []).append(
                more_row(key[0], key[1], n, kept, listed[k] if k is not None else None))
        out = [] if -1 not in after else after.pop(-1)
        for k, issue in enumerate(listed):
            out.append(issue)
            out.extend(after.get(k, ()))
        return out


def more_row(severity: Severity, code: str, more: int, listed: int, like: Issue | None) -> Issue:
    """The one row standing for the issues of ``code`` past the cap, under the file and sheet of the last
    one listed."""
    return Issue(severity=severity, code=code, file=like.file if like else "", sheet=like.sheet if like else "",
                 message=f"… and {more:,} more {code} ({listed + more:,} in all; the first {listed:,} are listed "
                         f"above, the limit issues-per-code)")


def _cell_key(cell: str) -> tuple[int, int]:
    """Sort A1 references by row, then column (B2 before A3)."""
    letters = "".join(ch for ch in cell if ch.isalpha())
    digits = "".join(ch for ch in cell if ch.isdigit())
    col = 0
    for ch in letters.upper():
        col = col * 26 + (ord(ch) - 64)
    return (int(digits) if digits else 0, col)


def grouped_lines(issues: Iterable[Issue], job_name: str = "(job)", notes: bool = False) -> list[str]:
    """Issues as text grouped under their file and sheet, the way a person reads the workbook."""
    lines, group = [], None
    for issue in issues:
        if issue.severity == "note" and not notes:
            continue
        if (issue.file, issue.sheet) != group:
            group = (issue.file, issue.sheet)
            lines.append(visible(f"{issue.file or job_name}" + (f' — sheet "{issue.sheet}"' if issue.sheet else "")))
        lines.append(f"  {issue.severity.upper():7} {issue.render().strip()}")
    return lines


class JobInputError(Exception):
    """The job's inputs hold errors; the issues say which and where."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__(f"{sum(i.severity == 'error' for i in issues)} input error(s)")


class ParameterError(Exception):
    """A parameter file is malformed (unknown key, duplicate key, bad date)."""
