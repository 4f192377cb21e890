"""The shared vocabulary of the reports: category and aid-line labels in statute order, and the
small text helpers both the summary and the statements use."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction


from ..exact import dollars_text
from ..result import Result
from ..schema import BASIS_NAMES
from .styles import CODE_WIDTH, NAME_WIDTH
from .tables import Col


CATEGORY_LABELS = {
    "administrative": "Administrative", "capital": "Capital", "rent": "Rent",
    "administrative surplus": "Administrative surplus", "coser": "CoSer",
    "coser adjustment": "CoSer true-up (SWD)", "coser surplus": "CoSer surplus", "shared pd": "Shared PD",
}


@dataclass(frozen=True)
class AidLine:
    """One step of the aid working: result column, label, kind of value and the law that sets it."""

    key: str
    label: str
    kind: str
    law: str

    @property
    def header(self) -> str:
        return f"{self.label} {self.law}"


AID_LINES = [  # statute order: ratios, then approved expenses, then aid (rules §5)
    AidLine("tax_rate_tenths", "Tax rate (mills)", "mills", "§1950(5)(a)"),
    AidLine("millage_ratio", "Millage ratio", "ratio", "§1950(5)(a)"),
    AidLine("av_per_rwada", "AV per RWADA", "dollars", "§3602(3)"),
    AidLine("wealth_ratio", "Wealth ratio", "ratio", "§3602(3)"),
    AidLine("rwada_ratio", "RWADA ratio", "ratio", "§3602(3)(f)(2)"),
    AidLine("sharing_ratio", "Sharing ratio", "ratio", "§1950(5)(a)"),
    AidLine("ratio_source", "Decided by", "text", "§3602(3)(f)"),
    AidLine("capital_ratio", "Capital and rent ratio", "ratio", "§1950(5)(g)"),
    AidLine("approved_admin", "Approved administrative expense", "dollars", "§1950(5)(b)"),
    AidLine("approved_services", "Approved services expense", "dollars", "§1950(5)(b)"),
    AidLine("capital_expense", "Capital expense", "dollars", "§1950(5)(g)"),
    AidLine("rent_expense", "Rent expense", "dollars", "§1950(5)(g)"),
    AidLine("admin_aid", "Administrative aid", "dollars", "§1950(5)(a)"),
    AidLine("services_aid", "Services aid", "dollars", "§1950(5)(a)"),
    AidLine("capital_aid", "Capital aid", "dollars", "§1950(5)(g)"),
    AidLine("rent_aid", "Rent aid", "dollars", "§1950(5)(g)"),
    AidLine("save_harmless_aid", "Save-harmless aid", "dollars", "§1950(5)(f)"),
    AidLine("total_aid", "Total aid", "dollars", "§1950(5)"),
]
SOURCE_LABELS = {"millage": "millage ratio", "rwada": "RWADA ratio", "floor": "floor", "cap": "cap",
                 "special act": "special act"}
AID_TOTALLED = {"approved_admin", "approved_services", "capital_expense", "rent_expense", "admin_aid", "services_aid",
                "capital_aid", "rent_aid", "save_harmless_aid", "total_aid"}
AID_LINE_KEYS = ["admin_aid", "services_aid", "capital_aid", "rent_aid", "save_harmless_aid"]

DISTRICT = [Col("District code", "district_code", width=CODE_WIDTH),
            Col("District name", "district_name", width=NAME_WIDTH)]
SUMMARY_WIDTHS = [46, 18, 18, 18, 18, 18, 18]
NOTE_WIDTH = 150  # a sheet's explanation wraps within the first columns of about this width (one printed page)


def created_at(result: Result) -> datetime:
    """A fixed workbook timestamp taken from the inputs (the school year's first day), never the clock."""
    return datetime(result.settings.school_year.start, 7, 1)


def half_up_cents(value: Fraction) -> int:
    """An exact amount of cents to a whole cent, half away from zero (for showing a derived figure)."""
    whole = math.floor(abs(value) + Fraction(1, 2))
    return whole if value >= 0 else -whole


def dollars(cents: int) -> str:
    """Cents as ``$1,234.56`` for notes (:func:`~apportion.exact.dollars_text`, as the issues word them)."""
    return dollars_text(cents)


def money_text(cents) -> str:
    """Cents as ``1,234.56`` for working text."""
    return f"{int(cents) / 100:,.2f}"


def ratio_text(thousandths) -> str:
    """A ratio held in thousandths as ``0.746``."""
    return f"{int(thousandths) / 1000:.3f}"


def number_text(value: Fraction) -> str:
    """An exact parameter value as short text (0.51, 8, 0.9)."""
    return f"{float(value):.6f}".rstrip("0").rstrip(".")


def parameter(result: Result, name: str) -> Fraction:
    """The value of a law parameter in force for the job."""
    return result.parameters[name].value


def aid_heading(result: Result) -> str:
    s = result.settings
    return (f"BOCES aid estimate, aid year {s.school_year.aid_year()}" if result.aid.mode == "estimate"
            else f"BOCES aid as claimed, aid year {s.school_year.aid_year()}")


def method_text(result: Result) -> str:
    s = result.settings
    if s.method == "blend" and s.blend_tv_percent is not None:
        tv = float(s.blend_tv_percent)
        return f"blend {tv:g}% true value / {100 - tv:g}% WADA ({s.blend_authority})"
    return f"{s.method} (by {basis_label(result)})"


def basis_label(result: Result) -> str:
    """What the job's method apportions by (full value, RWADA, enrollment, blended weight)."""
    return BASIS_NAMES[result.settings.method]


# --- the workbook --------------------------------------------------------------------------------------------
