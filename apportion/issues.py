"""The issue catalogue: every code a job can report, with its severity, title and message template.

The codes are data, in ``issues.yaml`` beside this module. Every
:class:`~apportion.errors.Issue` is checked against it when it is made, so a
code (or a severity) that is not listed fails at once, in the tests. To add a
check, add its entry there first; ``docs/issues.md`` is generated from it
(``python -m apportion.issues > docs/issues.md``; a test keeps them equal).

A template names the values a message is built from in braces (``{column}``,
``{service}`` …). :meth:`IssueLog.error <apportion.errors.IssueLog.add>` and its
kin fill the template when no message is given; a call that passes its own
message says the same thing with the figures in.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

Severity = Literal["error", "warning", "note"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "note")
Level = Literal["cell", "sheet", "file"]
LEVELS: tuple[Level, ...] = ("cell", "sheet", "file")


@dataclass(frozen=True)
class IssueType:
    """One kind of issue: its code (issues.csv ``code``), severity, a short title, a message template, and
    the ``level`` of the location it names: ``cell`` (a sheet and a cell), ``sheet`` or ``file``."""

    code: str
    severity: Severity
    title: str
    template: str
    level: Level = "cell"

    def message(self, **values: object) -> str:
        """The template with ``values`` filled in."""
        return self.template.format(**values)


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
CATALOGUE_FILE = Path(__file__).with_name("issues.yaml")


def _load(path: Path) -> dict[str, IssueType]:
    """The catalogue file, checked: each code once, a known severity and level, a title and a message for each."""
    text = path.read_text(encoding="utf-8")
    codes = [key.value for key, _ in yaml.compose(text, Loader=_LOADER).value]
    twice = sorted({c for c in codes if codes.count(c) > 1})
    out = {}
    for code, entry in yaml.load(text, Loader=_LOADER).items():
        if (twice or set(entry) - {"level"} != {"severity", "title", "message"} or entry["severity"] not in SEVERITIES
                or entry.get("level", "cell") not in LEVELS):
            raise ValueError(f"{path.name}: {code!r} must be listed once with a severity of {SEVERITIES}, "
                             f"a title, a message and optionally a level of {LEVELS}"
                             + (f" (listed twice: {twice})" if twice else ""))
        out[code] = IssueType(code, entry["severity"], entry["title"], entry["message"], entry.get("level", "cell"))
    return out


CATALOGUE: dict[str, IssueType] = _load(CATALOGUE_FILE)


def lookup(code: str, severity: str | None = None) -> IssueType:
    """The catalogue's entry for ``code``; an unlisted code, or a severity other than its own, raises ValueError."""
    entry = CATALOGUE.get(code)
    if entry is None:
        raise ValueError(f"issue code {code!r} is not in the catalogue (apportion/issues.yaml); add it there")
    if severity is not None and severity != entry.severity:
        raise ValueError(f"issue code {code!r} is a {entry.severity} in the catalogue (apportion/issues.yaml), "
                         f"not a {severity}")
    return entry


def markdown() -> str:
    """docs/issues.md: the catalogue as a table, in the order a reader meets the issues."""
    lines = ["# Issue codes", "",
             "Every issue `apportion` reports (issues.csv, the Issues sheet, the terminal) carries one of these",
             "codes. An error stops the job (only issues.csv and ERRORS.txt are written); a warning or a note",
             "travels with the reports. The message shown names the cell's figures where the template has",
             "braces. Generated from `apportion/issues.yaml`: `python -m apportion.issues > docs/issues.md`.", "",
             "Each issue names where it is (issues.csv `file`, `sheet`, `cell`) at its level: *cell* — the",
             "file, the sheet and the cell (a value's cell, the header cell of a column, a BOCES item's value",
             "cell); *sheet* — the file and the sheet; *file* — the file or folder (or `command line --set`).", "",
             "| code | severity | level | title | message |", "|---|---|---|---|---|"]
    for entry in CATALOGUE.values():
        message = entry.template.replace("|", "\\|").replace("!r}", "}")
        lines.append(f"| `{entry.code}` | {entry.severity} | {entry.level} | {entry.title} | {message} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - the generator of docs/issues.md
    print(markdown(), end="")
