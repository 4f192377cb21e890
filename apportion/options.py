"""What ``apportion run`` is asked beyond its inputs: BOCES items set on the command line, a what-if
variant's name, a comparison with the base run, the prior year's output folder and the net-cost change
that draws a warning (docs/formats.md, Command line; rules §9); PDFs too and a prepared-on date."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

#: seconds a writer waits for another on the same folder (docs/formats.md); the environment variable overrides it
LOCK_WAIT = 600.0
LOCK_WAIT_ENV = "APPORTION_LOCK_WAIT"


def lock_wait_setting(text: str | None) -> float:
    """``APPORTION_LOCK_WAIT`` as seconds (blank or unset: :data:`LOCK_WAIT`); ValueError for anything but a
    finite number 0 or more — "abc" waited the default, "nan" and "-5" not at all, each unsaid."""
    if text is None or not text.strip():
        return LOCK_WAIT
    try:
        seconds = float(text)
    except ValueError:
        seconds = float("nan")
    if not (seconds >= 0 and seconds != float("inf")):
        raise ValueError(f"{LOCK_WAIT_ENV}={text!r}: expected the seconds to wait for another apportion process, "
                         "a number 0 or more (0 = do not wait)")
    return seconds


#: a variant's name becomes part of a folder name: letters, digits, - and _
VARIANT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
DEFAULT_WARN_PERCENT = 25


@dataclass(frozen=True)
class ReportOptions:
    """How a run's reports are made beyond the inputs: PDFs too, and a prepared-on date from the command line
    (used only when the BOCES sheet gives no ``Prepared date``).

    Here, not beside the writers that read it, so that the command line makes it without importing them: a run
    whose jobs all have input errors writes no workbook and never loads xlsxwriter and the sheet writers."""

    pdf: bool = False
    prepared: date | None = None


@dataclass(frozen=True)
class RunOptions:
    """``settings``: ``(item, value)`` pairs from ``--set "Item=value"``, applied where the BOCES sheet is
    read so the same typing and checks run on them. ``variant``: outputs go to
    ``<code>_<year>_<variant>/``. ``compare``: write comparison.xlsx/.csv against the base run (the same
    inputs without ``settings``). ``prior``: the prior year's output folder (default: ``<code>_<prior
    year>/`` beside this job's). ``warn_percent``: a district whose net cost moves by more than this
    percent of the prior year's gets a warning."""

    settings: tuple[tuple[str, str], ...] = ()
    variant: str | None = None
    compare: bool = False
    prior: Path | None = None
    warn_percent: int = DEFAULT_WARN_PERCENT

    def folder_suffix(self) -> str:
        return f"_{self.variant}" if self.variant else ""


def parse_setting(text: str) -> tuple[str, str]:
    """``"Administrative budget=4,500,000"`` → ``("Administrative budget", "4,500,000")``; ValueError without an ``=``
    or an item name."""
    item, sep, value = text.partition("=")
    if not sep or not item.strip():
        raise ValueError(f"expected Item=value, e.g. \"Administrative budget=4,500,000\", found {text!r}")
    return item.strip(), value.strip()
