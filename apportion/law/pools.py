"""The pools to apportion and the administrative budget vote.

Statute: Educ. Law §1950(4)(b)(5),(7); §1951(1); 8 NYCRR 170.3(b). rules §1, §6.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Vote:
    """The component boards' resolutions on the tentative administrative budget."""

    yes: int
    no: int
    recorded: bool

    @property
    def adopted(self) -> bool:
        """Adopted iff approvals outnumber disapprovals among those voting; a tie fails."""
        return (not self.recorded) or self.yes > self.no


def budget_vote(votes: pd.Series) -> Vote:
    """Tally the component districts' votes. Statute: Educ. Law §1950(4)(b)(5),(7)."""
    yes = int((votes == "yes").sum())
    no = int((votes == "no").sum())
    return Vote(yes, no, recorded=(yes + no) > 0)


def contingency_cap(prior_admin_budget: int, excluded_increases: int) -> int:
    """The contingency administrative budget cap. Statute: Educ. Law §1950(4)(b)(7); 8 NYCRR 170.3(b).

    The prior year's administrative budget, plus increases in supplemental
    retirement, retiree health and other retirement benefits, which the cap disregards.
    """
    return prior_admin_budget + excluded_increases


def admin_budget_used(proposed: int, vote: Vote, cap: int | None) -> int:
    """The administrative budget in force: the proposed one, or min(proposed, cap) after a failed vote (rules §1)."""
    if vote.adopted or cap is None:
        return proposed
    return min(proposed, cap)


def pool(budget: int, state_aid: int, other_revenue: int) -> int:
    """A pool: the budget after deducting state aid and other revenue. Statute: Educ. Law §1950(4)(b)(7); §1951(1)."""
    return budget - state_aid - other_revenue
