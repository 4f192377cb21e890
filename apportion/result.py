"""What a computed job returns: every value the reports and CSVs are written from, in typed parts.

Values only: money in int64 cents, aid in whole dollars, ratios in thousandths,
quantities in millionths; no display labels. The writers read this and the input
provenance it carries (the BOCES items, the districts as typed, the files read),
never the job itself, and compute nothing the law computed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Literal

import pandas as pd

from .errors import IssueLog
from .law.pools import Vote
from .model import Settings
from .parameters import ParameterValue

__all__ = ["Aid", "Apportionment", "CoSer", "Pools", "PriorYear", "Result", "SettingChange", "SharedPD", "Variant",
           "Vote"]


@dataclass(frozen=True)
class Pools:
    """From each budget to its pool, in cents (rules §1; Educ. Law §1950(4)(b)(7), §1951(1)).

    ``contingency_cap`` is None unless the administrative budget failed at the vote.
    """

    admin_proposed: int
    contingency_cap: int | None
    admin_used: int
    admin: int
    capital: int
    rent: int


@dataclass(frozen=True)
class Apportionment:
    """The basis and each component's shares (rules §2; Educ. Law §1950(4)(b)(7)).

    ``shares``, per component: basis (over ``basis_scale``), basis weight, share %, administrative,
    capital, rent and surplus shares (and, after a failed vote, the proposed-budget administrative share).
    ``tv_percent``: the true value percent of a blend, else None.
    """

    method: str
    basis_scale: int
    tv_percent: Fraction | None
    shares: pd.DataFrame


@dataclass(frozen=True)
class CoSer:
    """CoSers (rules §3): ``services`` per service (unit cost, true-up, surplus, approvals, aidable part),
    ``rows`` per participation row (charge, SWD adjustment, surplus credit)."""

    services: pd.DataFrame
    rows: pd.DataFrame


@dataclass(frozen=True)
class SharedPD:
    """COSER 507 shared professional development (rules §4): ``contracts`` per contract, ``rows`` per
    attending district with its charge."""

    contracts: pd.DataFrame
    rows: pd.DataFrame


@dataclass(frozen=True)
class Aid:
    """BOCES aid (rules §5): ``table`` per component district, the working in statute order.

    ``admin_factor``: the approved part of each administrative charge; ``expense_limit``: the 10 %
    limit on total expenses and ``approved_admin_cost`` the approved administrative cost, both exact
    cents (Educ. Law §1950(5)(b)). ``reconciliation``: claim mode only.
    """

    mode: Literal["estimate", "claim"]
    state_average_cents: int
    total_expenses: int
    expense_limit: Fraction
    approved_admin_cost: Fraction
    admin_factor: Fraction
    table: pd.DataFrame
    reconciliation: pd.DataFrame | None = None


@dataclass(frozen=True)
class SettingChange:
    """A BOCES item a variant set on the command line (``run --set``): the value set and the workbook's value."""

    item: str
    value: str
    workbook: str  # "" when the workbook left the item blank or out


@dataclass(frozen=True)
class Variant:
    """A what-if run (``run --variant NAME``): its name and the settings it changed."""

    name: str
    changes: tuple[SettingChange, ...] = ()


@dataclass(frozen=True)
class PriorYear:
    """The prior year's run, read from its output folder, beside this one (rules §9).

    ``by_category``: per district of this run and category (:data:`apportion.compare.prior.CATEGORIES`)
    — ``district_code, category, prior, current, change, change_percent`` (cents; change % in hundredths
    of a percent of |prior|, <NA> where the prior is 0). ``comparison``: every line with its drivers
    (an :class:`apportion.compare.Comparison`). ``warn_percent``: the net-cost change that draws a warning.
    """

    folder: str
    school_year: str
    by_category: pd.DataFrame
    comparison: object
    warn_percent: int


@dataclass
class Result:
    """The results of one job, and the input provenance the reports quote.

    ``settings``: the BOCES sheet's items; ``districts``: every district as typed (name, type, email,
    full value …, index district code); ``files``: the input workbooks read.
    ``billing``: one row per charge (docs/formats.md billing.csv).
    ``net``: per district — charges, aid, net cost, year over year, tax impact (and, after a failed
    vote, the total charges under the proposed budget).
    ``comparison``: each component's administrative share under every lawful method.
    ``collaboration``: per teacher credits.
    ``variant``: a what-if run's name and changed settings. ``prior``: the prior year's run, when found.
    """

    settings: Settings
    districts: pd.DataFrame
    files: list[Path]
    log: IssueLog
    parameters: dict[str, ParameterValue]
    pools: Pools
    vote: Vote
    apportionment: Apportionment
    coser: CoSer
    shared_pd: SharedPD
    aid: Aid
    billing: pd.DataFrame
    net: pd.DataFrame
    comparison: pd.DataFrame
    collaboration: pd.DataFrame
    variant: Variant | None = None
    prior: PriorYear | None = None
    tables: dict = field(default_factory=dict)  # sheet name → readers.table.Table: where a later issue points

    def where_district(self, key: str, code: str) -> dict[str, str]:
        """Issue location keywords for ``key``'s cell on district ``code``'s row of the Districts sheet (the
        column's header cell for a district not listed this year)."""
        row = self.districts.at[code, "excel_row"] if code in self.districts.index else None
        return self.tables["Districts"].where(key, None if row is None else int(row))
