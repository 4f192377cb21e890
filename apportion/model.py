"""A validated job: clean tables indexed by district, service and contract code.

Money columns are int64 cents, quantities int64 millionths
(:data:`~apportion.exact.QUANTITY_SCALE`). The law core reads only this.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd

from .years import SchoolYear


@dataclass
class Settings:
    """The BOCES sheet's items, typed (docs/formats.md, BOCES)."""

    boces_name: str
    boces_code: str
    school_year: SchoolYear
    method: str
    blend_authority: str | None = None
    blend_tv_percent: Decimal | None = None  # 0-100
    admin_budget: int = 0
    capital_budget: int = 0
    rent_budget: int = 0
    admin_salaries_over_limit: int = 0
    state_aid_admin: int = 0
    state_aid_capital: int = 0
    other_revenue_admin: int = 0
    other_revenue_capital: int = 0
    admin_surplus: int = 0
    prior_method: str | None = None
    hearing_date: date | None = None
    annual_meeting_date: date | None = None
    prior_admin_budget: int | None = None
    excluded_increases: int = 0
    state_avg_av_per_rwada: int | None = None  # cents
    capital_aidable_fraction: Decimal = Decimal(1)
    ds_salary: int | None = None
    business_office_email: str | None = None
    rounding: str = "largest remainder"
    prepared_date: date | None = None  # printed on the reports; never the clock

    @property
    def putnam_nw_blend(self) -> bool:
        """Whether the job blends as Putnam-Northern Westchester, whose mix the statute schedules by year
        (Educ. Law §1950(4)(b)(7); rules §2)."""
        return self.method == "blend" and self.blend_authority == "Putnam-Northern Westchester"


@dataclass
class Job:
    """Everything one BOCES-year computation needs, already checked."""

    name: str
    files: list[Path]
    settings: Settings
    districts: pd.DataFrame  # index district_code
    services: pd.DataFrame  # index service_code
    participation: pd.DataFrame  # columns district_code, service_code, units...
    staff: pd.DataFrame
    shared_pd: pd.DataFrame  # index contract
    pd_attendance: pd.DataFrame
    aid_claim: pd.DataFrame | None  # index district_code; None = estimate mode
    collaboration: pd.DataFrame
    tables: dict = field(default_factory=dict)  # sheet name → readers.table.Table, for locating issues
    items: object = None  # readers.items.Items: where each BOCES item was typed

    def where(self, sheet: str, key: str, row: int | None = None) -> dict[str, str]:
        """Issue location keywords for a cell of an input sheet."""
        table = self.tables.get(sheet)
        if table is None:
            return {"sheet": sheet}
        return table.where(key, None if row is None else int(row))

    def where_item(self, key: str) -> dict[str, str]:
        """Issue location keywords for an item of the BOCES sheet (its value cell, if typed)."""
        if self.items is None:
            return {"sheet": "BOCES"}
        return self.items.where(key)

    @property
    def components(self) -> pd.DataFrame:
        return self.districts[self.districts["is_component"]]
