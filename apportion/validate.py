"""Validation: the input contract of docs/formats.md, checked across sheets, and the typed frames handed on.

Validation knows the contract only — the sheets and columns, their types, codes and bounds,
duplicates and references between sheets — never a statutory rule: the law's checks
(:mod:`apportion.compute.checks`) run next, on the frames handed on here. Each check collects
every problem it finds with its cell; nothing stops at the first.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import IssueLog
from .model import Job, Settings
from .parameters import ParameterValue, load_parameters, parameters_at
from .readers.jobs import Inputs
from .readers.table import Table
from .schema import (AID_CLAIM, COLLABORATION, COMPONENT_TYPES, DISTRICTS, PARTICIPATION, PD_ATTENDANCE,
                     SERVICES, SHARED_PD, STAFF, TableSheet)


@dataclass
class Validated:
    """What validation hands on: the typed frames of whatever could be read (a cell that did not fit reads as
    blank, a sheet that could not be read as empty), the BOCES settings (None when a required item is missing)
    and the law parameters in force for the year (None when one is not on file). What is missing was reported.
    ``items`` are the BOCES items typed, also when a required one is missing (for the rules on the items alone).

    Columns with a default in the contract are never null (int64 / bool); the others keep pandas' nullable
    Int64 / boolean, a blank being "not given" (an error where the column is required)."""

    inputs: Inputs
    settings: Settings | None
    parameters: dict[str, ParameterValue] | None
    items: Settings | None = None  # None: no BOCES sheet
    districts: pd.DataFrame | None = None  # None: no Districts sheet, and so no frames at all
    services: pd.DataFrame | None = None
    participation: pd.DataFrame | None = None
    staff: pd.DataFrame | None = None
    shared_pd: pd.DataFrame | None = None
    pd_attendance: pd.DataFrame | None = None
    aid_claim: pd.DataFrame | None = None  # None: no Aid claim sheet (estimate mode)
    collaboration: pd.DataFrame | None = None

    def table(self, name: str) -> Table | None:
        return self.inputs.table(name)

    def has(self, sheet: str, key: str) -> bool:
        """The sheet was read and has the column."""
        return _has(self.inputs, sheet, key)

    def job(self) -> Job:
        """The job the computation takes (call only when no error was found)."""
        return Job(
            name=self.inputs.source.name, files=self.inputs.files, settings=self.settings, districts=self.districts,
            services=self.services, participation=self.participation, staff=self.staff, shared_pd=self.shared_pd,
            pd_attendance=self.pd_attendance, aid_claim=self.aid_claim, collaboration=self.collaboration,
            tables={t.spec.name: t for t in self.inputs.tables.values()}, items=self.inputs.items,
        )


def validate(inputs: Inputs, log: IssueLog) -> Validated:
    """Check the sheets against the contract and each other, on whatever could be read; the frames handed on."""
    items = _settings(inputs, log) if inputs.items is not None else None
    settings = items if items is not None and _complete(items) else None
    values = _check_parameters(inputs, settings, log) if settings is not None else None
    if inputs.table("Districts") is None:
        return Validated(inputs, settings, values, items)
    districts = _districts(inputs)
    services = _frame(inputs, SERVICES).set_index("service_code", drop=False)
    shared_pd = _frame(inputs, SHARED_PD).set_index("contract", drop=False)
    claim_table = inputs.table("Aid claim")
    checked = Validated(
        inputs, settings, values, items, districts=districts, services=services,
        participation=_frame(inputs, PARTICIPATION), staff=_frame(inputs, STAFF), shared_pd=shared_pd,
        pd_attendance=_frame(inputs, PD_ATTENDANCE),
        aid_claim=_frame(inputs, AID_CLAIM).set_index("district_code", drop=False) if claim_table else None,
        collaboration=_frame(inputs, COLLABORATION))
    references = (("Participation", "district_code", districts, "unknown-district", "Districts"),
                  ("PD Attendance", "district_code", districts, "unknown-district", "Districts"),
                  ("Aid claim", "district_code", districts, "unknown-district", "Districts"),
                  ("Collaboration hours", "district_code", districts, "unknown-district", "Districts"),
                  ("Participation", "service_code", services, "unknown-service", "Services"),
                  ("Staff", "service_code", services, "unknown-service", "Services"),
                  ("PD Attendance", "contract", shared_pd, "unknown-contract", "Shared PD"))
    for name, column, listed, code, on in references:
        # a sheet (readers.jobs.DEPENDS) or key column missing altogether is one error already, not one per row
        if _has(inputs, on, column):
            _check_known(inputs.table(name), column, set(listed.index), code,
                         f"a {column.split('_')[0]} listed on the {on} sheet", log)
    _check_claim(claim_table, districts, log)
    _check_claimed(claim_table, inputs.table("Districts"), districts, log)
    return checked


def _has(inputs: Inputs, sheet: str, key: str) -> bool:
    """The sheet was read and has the column."""
    table = inputs.table(sheet)
    return table is not None and table.present(key)


def _frame(inputs: Inputs, spec: TableSheet) -> pd.DataFrame:
    """The sheet's typed frame with every column present (absent optional columns at their default).

    A column with a default is never null: numbers are int64, yes/no bool; so is a required column
    with every cell given (a blank one is an error, and no job is built). Others keep pandas'
    nullable Int64 / boolean, a blank being "not given". The law takes these columns as they are.
    """
    table = inputs.table(spec.name)
    frame = table.frame.copy(deep=False) if table is not None else pd.DataFrame()  # copy on write: columns shared
    for f in spec.fields:
        typed = frame[f.key] if f.key in frame.columns else None
        column = typed if typed is not None else pd.Series([f.default] * len(frame), index=frame.index, dtype=object)
        if typed is not None and f.default is not None and column.isna().any():
            column = column.fillna(f.default)
        if f.kind in ("money", "signed money", "quantity"):
            column = _as(column, np.int64 if f.default is not None or (f.required and column.notna().all())
                         else "Int64")
        elif f.kind == "yesno":
            column = _as(column, "boolean" if f.default is None else bool)
        if column is not typed:  # a column already as the contract has it is left as it is
            frame[f.key] = column
    frame["excel_row"] = frame.index
    return frame.reset_index(drop=True)


def _as(column: pd.Series, dtype) -> pd.Series:
    """``column`` as ``dtype``, converted only when it is not so already."""
    return column if column.dtype == dtype else column.astype(dtype)


#: the BOCES items without which there are no settings (their absence is the reader's error)
REQUIRED_ITEMS = ("boces_name", "boces_code", "school_year", "method")


def _complete(settings: Settings) -> bool:
    return all(getattr(settings, k) is not None for k in REQUIRED_ITEMS)


def _settings(inputs: Inputs, log: IssueLog) -> Settings:
    """The BOCES items typed, with what a blend needs (§1950(4)(b)(7)) and the bounds of the items; a required
    item missing is None (:func:`_complete`), every other item still checked."""
    items = inputs.items
    v = items.values
    settings = Settings(**({k: None for k in REQUIRED_ITEMS}
                           | {k: v[k] for k in Settings.__dataclass_fields__ if k in v and v[k] is not None}))
    if settings.method == "blend":
        if settings.blend_authority is None:
            log.error("blend-authority-missing", "a blend is lawful only for a Suffolk merged supervisory district or "
                      "Putnam-Northern Westchester; say which", **items.where("blend_authority"),
                      expected="Suffolk or Putnam-Northern Westchester", found="nothing")
        if settings.blend_tv_percent is None:
            log.error("blend-percent-missing", "the blend needs its true value percent",
                      **items.where("blend_tv_percent"), expected="a percent, 0-100", found="nothing")
        else:
            if settings.blend_tv_percent > 100:  # read as a percent (coerce.to_fraction_value): 50% is 50
                log.error("blend-percent-range", "the true value percent must be between 0 and 100",
                          **items.where("blend_tv_percent"), expected="0-100", found=str(settings.blend_tv_percent))
    cap = settings.capital_aidable_fraction
    if cap is not None and not (0 <= cap <= 1):
        log.error("fraction-range", "the capital aidable fraction must be between 0 and 1",
                  **items.where("capital_aidable_fraction"), expected="0-1", found=str(cap))
    if settings.state_avg_av_per_rwada is not None and settings.state_avg_av_per_rwada <= 0:
        log.error("not-positive", "the state average AV per RWADA must be more than 0",
                  **items.where("state_avg_av_per_rwada"), expected="dollars, more than 0", found="0")
    return settings


def _districts(inputs: Inputs) -> pd.DataFrame:
    """Districts indexed by code, with their type settled (blank = component) and the aid year's
    AV and RWADA defaulting to full value and RWADA."""
    frame = _frame(inputs, DISTRICTS)
    frame["is_component"] = frame["type"].isin(COMPONENT_TYPES)
    frame["aid_av"] = frame["aid_av"].fillna(frame["full_value"])
    frame["aid_rwada"] = frame["aid_rwada"].fillna(frame["rwada"])
    frame = frame[frame["district_code"].notna() & ~frame["district_code"].duplicated(keep="first")]
    return frame.set_index("district_code", drop=False).sort_index()


def _check_known(table: Table | None, column: str, known: set, code: str, expected: str, log: IssueLog) -> None:
    """Codes that refer to another sheet must be listed there."""
    if table is None or column not in table.frame.columns:
        return
    values = table.frame[column]
    unknown = values.notna() & ~values.isin(known)
    for row in values.index[unknown.to_numpy()]:
        log.error(code, f"{values[row]} is not listed", **table.where(column, row), expected=expected,
                  found=str(values[row]))


def _check_claim(table: Table | None, districts: pd.DataFrame, log: IssueLog) -> None:
    """Claimed expenses and published aid are whole dollars (rules §5); only components are aided."""
    if table is None:
        return
    frame = table.frame
    for f in AID_CLAIM.fields:
        if f.kind != "money" or f.key not in frame.columns:
            continue
        values = frame[f.key]
        cents = values.notna() & (values.fillna(0) % 100 != 0)
        for row in values.index[cents.to_numpy()]:
            log.error("not-whole-dollars", f"{f.header!r} is claimed in whole dollars", **table.where(f.key, row),
                      expected="whole dollars", found=f"{int(values[row]) / 100:.2f}")
    if "district_code" in frame.columns:
        codes = frame["district_code"]
        outside = codes.isin(districts.index[~districts["is_component"]])
        for row in codes.index[outside.to_numpy()]:
            log.warning("claim-not-component", "only component districts receive BOCES aid; this row is ignored",
                        **table.where("district_code", row), expected="a component district",
                        found=f"{codes[row]} ({districts.at[codes[row], 'type']})")


#: the Aid claim columns a district's aid is computed from (the published ones only reconcile)
CLAIMED = ("approved_admin", "approved_services", "capital_expense", "rent_expense", "save_harmless_aid")


def _check_claimed(table: Table | None, districts_table: Table, districts: pd.DataFrame, log: IssueLog) -> None:
    """In claim mode (rules §5) a component's aid is what the sheet claims for it: a component with no row, or a
    row with every expense blank, would get 0 aid unsaid — an error at its District code on Districts, or at
    the row's first expense cell."""
    if table is None or "district_code" not in table.frame.columns:
        return
    frame = table.frame
    listed = frame["district_code"]
    unlisted = districts[districts["is_component"] & ~districts.index.isin(listed)]
    for code, row in zip(unlisted.index, unlisted["excel_row"]):
        log.error("claim-missing", district=code, **districts_table.where("district_code", int(row)),
                  expected="a row on the Aid claim sheet for each component district", found="no row")
    present = [k for k in CLAIMED if k in frame.columns]
    blank = frame[present].isna().all(axis=1) & listed.isin(districts.index[districts["is_component"]])
    for row in frame.index[blank.to_numpy()]:
        log.error("claim-missing", district=listed[row], expected="the district's claimed expenses",
                  found="every expense blank", **table.where(present[0] if present else "district_code", row))


#: parameters only some jobs use, with the test of whether this job does: a year before the rule existed is
#: then no obstacle to a job it does not concern (the Putnam-Northern Westchester schedule begins in 2005-06)
USED_ONLY_WHEN = {
    "apportionment.putnam_nw_true_value_percent": lambda s: s.putnam_nw_blend,
}


def _check_parameters(inputs: Inputs, settings: Settings, log: IssueLog) -> dict[str, ParameterValue] | None:
    """The law parameters in force for the school year (rules §8); None, with one error per parameter not on file
    for it, when the tool cannot compute that year. The statewide average AV per RWADA may come from the BOCES
    sheet instead (rules §5)."""
    values = parameters_at(settings.school_year)
    average = "aid.state_average_av_per_rwada"
    unused = {name for name, used in USED_ONLY_WHEN.items() if not used(settings)}
    missing = sorted(set(load_parameters()) - set(values) - {average} - unused)
    if average not in values and settings.state_avg_av_per_rwada is None:
        missing.append(average)
    for name in missing:
        log.error("no-parameter", f"no value of {name} is on file for {settings.school_year}; the tool covers the "
                  "years its parameter files cover", **inputs.items.where("school_year"),
                  expected="a school year with law parameters on file", found=str(settings.school_year))
    return None if missing else values


