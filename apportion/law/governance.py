"""Governance checks: method-change hearing and the district superintendent salary cap.

Statute: Educ. Law §1950(4)(b)(7)(i); §1950(4)(a)(2). rules §2, §6.
"""
from __future__ import annotations

from datetime import date, timedelta


def method_change_hearing_ok(method: str, prior_method: str | None, hearing: date | None,
                             annual_meeting: date | None, notice_days: int) -> bool:
    """A changed method needs a hearing at least ``notice_days`` before the annual meeting. Statute: Educ. Law §1950(4)(b)(7)(i)."""
    if prior_method is None or prior_method == method:
        return True
    if hearing is None or annual_meeting is None:
        return False
    return hearing <= annual_meeting - timedelta(days=notice_days)


def ds_salary_over_cap(salary_cents: int | None, cap_cents: int) -> bool:
    """True when the district superintendent's salary exceeds the year's cap. Statute: Educ. Law §1950(4)(a)(2)."""
    return salary_cents is not None and salary_cents > cap_cents
