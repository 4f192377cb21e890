"""School years: ``YYYY-YY``, July 1 to June 30 (rules §8)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

#: the school years a job may name: from the earliest aid figures on file to far past any budget
FIRST, LAST = 1990, 2099
_PATTERN = re.compile(r"^\s*(\d{4})\s*[-/–]\s*(\d{2}|\d{4})\s*$")


@dataclass(frozen=True, order=True)
class SchoolYear:
    """A New York school year named by its first calendar year (2026 → ``2026-27``)."""

    start: int

    @classmethod
    def parse(cls, text) -> "SchoolYear":
        """``2026-27`` (or ``2026-2027``); the second year must follow the first."""
        if isinstance(text, SchoolYear):
            return text
        m = _PATTERN.match(str(text))
        if not m:
            raise ValueError(f"expected a school year like 2026-27, found {text!r}")
        first, second = int(m.group(1)), m.group(2)
        if not FIRST <= first <= LAST:  # 9999-00 would run past the calendar's end in the aid year's dates
            raise ValueError(f"expected a school year from {FIRST}-{(FIRST + 1) % 100:02d} to "
                             f"{LAST}-{(LAST + 1) % 100:02d}, found {text!r}")
        if int(second) % 100 != (first + 1) % 100 or (len(second) == 4 and int(second) != first + 1):
            raise ValueError(f"expected consecutive years like 2026-27, found {text!r}")
        return cls(first)

    @property
    def label(self) -> str:
        return f"{self.start}-{(self.start + 1) % 100:02d}"

    @property
    def begins(self) -> date:
        return date(self.start, 7, 1)

    def next(self) -> "SchoolYear":
        return SchoolYear(self.start + 1)

    def aid_year(self) -> "SchoolYear":
        """Aid on this year's costs is payable the following school year (rules §5, §8)."""
        return self.next()

    def __str__(self) -> str:
        return self.label
