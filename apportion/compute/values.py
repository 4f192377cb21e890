"""The law parameters in force for a job, and the BOCES-level checks made before any share is computed:
the statewide average, a lawful blend, the method-change hearing and the superintendent salary cap
(rules §2, §5, §6)."""
from __future__ import annotations

from fractions import Fraction

from ..errors import IssueLog
from ..exact import dollars_text
from ..law import governance
from ..model import Job
from ..parameters import ParameterValue


class Values:
    """The parameter values in force for a job, by name: ``p("aid.salary_limit")``, ``p.cents(...)``."""

    def __init__(self, values: dict[str, ParameterValue]):
        self.values = values

    def __call__(self, name: str) -> Fraction:
        return self.values[name].value

    def cents(self, name: str) -> int:
        return int(self.values[name].value * 100)


def state_average(job: Job, values: dict[str, ParameterValue], log: IssueLog) -> int:
    """The statewide average AV per RWADA for the aid year: the BOCES sheet's value wins (rules §5)."""
    s = job.settings
    if s.state_avg_av_per_rwada is not None:
        return s.state_avg_av_per_rwada
    pv = values["aid.state_average_av_per_rwada"]  # present: validation checked
    if pv.carried_forward:
        log.warning("state-average-carried-forward",
                    f"no published state average AV per RWADA for aid year {pv.year}; the {pv.effective.year}-"
                    f"{(pv.effective.year + 1) % 100:02d} value of {dollars_text(int(pv.value * 100))} is carried forward. Enter NYSED's "
                    f"figure as 'State average AV per RWADA' on the BOCES sheet", **job.where_item("state_avg_av_per_rwada"),
                    expected=f"the {pv.year} value", found="none")
    return int(pv.value * 100)


def blend_percent(job: Job) -> Fraction | None:
    """The true value percent of a lawful blend (§1950(4)(b)(7)); validation held Putnam-NW to its schedule."""
    s = job.settings
    if s.method != "blend" or s.blend_tv_percent is None:
        return None
    return Fraction(s.blend_tv_percent)


def governance_warnings(job: Job, p: Values, log: IssueLog) -> None:
    """Warnings for a method change without a timely hearing and a superintendent salary over the cap (rules §2, §6)."""
    s = job.settings
    days = int(p("apportionment.method_hearing_days"))
    if not governance.method_change_hearing_ok(s.method, s.prior_method, s.hearing_date, s.annual_meeting_date, days):
        log.warning("method-change-hearing", f"the method changed from {s.prior_method} to {s.method} without a hearing "
                    f"at least {days} days before the annual meeting (Educ. Law §1950(4)(b)(7)(i))",
                    **job.where_item("hearing_date"), expected=f"a hearing date {days}+ days before the annual meeting date",
                    found=str(s.hearing_date or "none"))
    cap = p.cents("governance.ds_salary_cap")
    if governance.ds_salary_over_cap(s.ds_salary, cap):
        log.warning("ds-salary-over-cap", f"the district superintendent salary exceeds the {s.school_year} cap of "
                    f"{dollars_text(cap)} (Educ. Law §1950(4)(a)(2))",
                    **job.where_item("ds_salary"), expected=f"at most {dollars_text(cap)}",
                    found=dollars_text(s.ds_salary))
