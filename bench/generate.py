"""Deterministic synthetic input workbooks for benchmarking `apportion`.

Usage::

    python -m bench.generate SCALE OUTDIR [--seed N] [--jobs N]
    python bench/generate.py SCALE OUTDIR

SCALE is one of

* ``boces1``   — 1 BOCES, 25 districts, 300 services, ~4,000 participation rows;
* ``state``    — 37 BOCES of Zipf-like sizes, 680 districts, ~120,000 rows;
* ``state10x`` — 370 BOCES (the state's size pattern ten times), 6,800
  districts, ~1.2 million rows.

Every BOCES is one job: one ``.xlsx`` directly in OUTDIR holding every sheet of
``docs/formats.md`` except ``Aid claim`` (so aid is computed in estimate mode).

The bytes depend only on (scale, seed): each BOCES draws from its own
``numpy.random.default_rng([seed, scale tag, BOCES number])``, nothing reads the
clock, rows are sorted by code and the workbook timestamp is fixed — so the
same arguments give the same files whatever ``--jobs`` is.

Money is held as integer cents and units as integer hundredths until written,
so every value in a workbook is whole cents (two decimals) exactly.

The module has three parts: a small table writer (:class:`Column`,
:class:`Sheet`, :func:`write_workbook`, also used by ``bench.examples``); the
synthetic model (one ``_make_*`` function per kind of data); and one
``_*_sheet`` function per docs/formats.md sheet turning the model into a table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import time
import zlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from itertools import repeat
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import xlsxwriter

SCHOOL_YEAR = "2026-27"
CREATED = dt.datetime(2026, 1, 1)  # fixed workbook timestamp: same args, same bytes
DEFAULT_SEED = 2026
BASES = ("anticipated", "current", "2-year average", "3-year average")
QUARTERS = ("2026-Q3", "2026-Q4", "2027-Q1", "2027-Q2")  # the 2026-27 school year

# --------------------------------------------------------------------------
# Table writer (shared with bench.examples)
# --------------------------------------------------------------------------

CELL_FORMATS = {
    "text": {"num_format": "@"},
    "money": {"num_format": "#,##0.00"},
    "decimal": {"num_format": "#,##0.00"},
    "integer": {"num_format": "#,##0"},
    "number": {},  # units, hours, fractions: shown as typed
    "date": {"num_format": "yyyy-mm-dd"},
}
HEADER_FORMAT = {"bold": True, "bottom": 1, "bg_color": "#DDEBF7"}


@dataclass(frozen=True)
class Column:
    """One column: header, cell kind (a key of CELL_FORMATS, or one kind per
    row), values (``None`` = blank cell) and an optional width."""

    header: str
    kind: str | tuple[str, ...]
    values: Sequence
    width: int | None = None


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]


# The docs/formats.md table sheets: (header, cell kind, width or None), in column order.
SCHEMA: dict[str, tuple[tuple[str, str, int | None], ...]] = {
    "Districts": (
        ("District code", "text", 16), ("District name", "text", 44), ("Type", "text", 16),
        ("Full value", "money", 20), ("RWADA", "decimal", None), ("Enrollment", "integer", None),
        ("Aid AV", "money", 20), ("Aid RWADA", "decimal", None), ("Tax levy", "money", 18),
        ("PILOTs", "money", None), ("Budget vote", "text", None), ("Email", "text", 60),
        ("Prior year total charges", "money", 24),
    ),
    "Services": (
        ("Service code", "text", None), ("Service name", "text", 56), ("Budget", "money", 16),
        ("Unit", "text", None), ("Unit cost basis", "text", 16), ("Aidable", "text", None),
        ("Transportation", "text", None), ("Salaries over limit", "money", None),
        ("Non-aidable costs", "money", None), ("Approvals", "integer", None),
        ("Students with disabilities", "text", None), ("Actual cost", "money", None),
        ("Surplus", "money", None),
    ),
    "Participation": (
        ("District code", "text", 16), ("Service code", "text", None), ("Units", "number", None),
        ("Current units", "number", None), ("Prior units", "number", None),
        ("Prior 2 units", "number", None), ("Actual units", "number", None),
    ),
    "Staff": (("Service code", "text", None), ("Employee", "text", 28), ("Salary", "money", None)),
    "Shared PD": (
        ("Contract", "text", None), ("Vendor", "text", 34), ("Cost", "money", None),
        ("Days", "integer", None), ("Credit or certificate", "text", None),
        ("Non-aidable costs", "money", None), ("Board approval date", "date", None),
        ("Start date", "date", None),
    ),
    "PD Attendance": (
        ("Contract", "text", None), ("District code", "text", 16), ("Date", "date", None),
        ("Staff attending", "integer", None),
    ),
    "Collaboration hours": (
        ("Teacher", "text", 24), ("District code", "text", 16), ("Course", "text", 34),
        ("Quarter", "text", None), ("Hours", "number", None), ("Wants credit", "text", None),
    ),
}  # fmt: skip


def table_sheet(name: str, columns: dict[str, Sequence]) -> Sheet:
    """A SCHEMA sheet from values by header (in written units); absent columns are blank."""
    _check_headers(name, columns)
    n = len(next(iter(columns.values())))
    return Sheet(name, tuple(
        Column(header, kind, columns.get(header, [None] * n), width) for header, kind, width in SCHEMA[name]
    ))  # fmt: skip


def _check_headers(name: str, headers) -> None:
    unknown = set(headers) - {header for header, _, _ in SCHEMA[name]}
    if unknown:
        raise ValueError(f"{name}: not docs/formats.md headers: {sorted(unknown)}")


def rows_sheet(name: str, rows: Sequence[dict]) -> Sheet:
    """A SCHEMA sheet from one dict per row, keyed by header (missing key = blank)."""
    _check_headers(name, {key for row in rows for key in row})
    return table_sheet(name, {header: [row.get(header) for row in rows] for header, _, _ in SCHEMA[name]})


def write_workbook(path: Path, sheets: Sequence[Sheet]) -> Path:
    """Write ``sheets`` to ``path`` (streamed, fixed timestamp); return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    workbook.set_properties({"created": CREATED, "author": "apportion bench"})
    formats = {kind: workbook.add_format(spec) for kind, spec in CELL_FORMATS.items()}
    header = workbook.add_format(HEADER_FORMAT)
    for sheet in sheets:
        _write_sheet(workbook.add_worksheet(sheet.name), sheet, formats, header)
    workbook.close()
    return path


def _write_sheet(ws, sheet: Sheet, formats: dict, header_format) -> None:
    """Header row, then the rows in order (constant_memory needs row order)."""
    writers = {kind: _cell_writer(ws, kind, fmt) for kind, fmt in formats.items()}
    for c, col in enumerate(sheet.columns):
        ws.set_column(c, c, col.width or max(len(col.header) + 3, 12))
        ws.write_string(0, c, col.header, header_format)
    ws.freeze_panes(1, 0)
    cell_writers = [_column_writer(col, writers) for col in sheet.columns]
    for r, row in enumerate(zip(*(col.values for col in sheet.columns)), start=1):
        for c, value in enumerate(row):
            if value is not None:
                cell_writers[c](r, c, value)


def _cell_writer(ws, kind: str, fmt) -> Callable:
    if kind == "text":
        return partial(ws.write_string, cell_format=fmt)
    if kind == "date":
        return partial(ws.write_datetime, cell_format=fmt)
    return partial(ws.write_number, cell_format=fmt)


def _column_writer(col: Column, writers: dict) -> Callable:
    if isinstance(col.kind, str):
        return writers[col.kind]
    kinds = col.kind
    return lambda r, c, value: writers[kinds[r - 1]](r, c, value)


def scaled(values: np.ndarray, blank: np.ndarray | None = None, divisor: int = 100) -> list:
    """Integer cents (or hundredths) → exact two-decimal floats; blank → None."""
    out = (np.asarray(values, dtype=np.int64) / divisor).tolist()
    if blank is not None:
        for i in np.flatnonzero(blank):
            out[i] = None
    return out


def yes_no(flags: np.ndarray) -> list[str]:
    return ["yes" if f else "no" for f in flags]


def slug(text: str, sep: str = "-") -> str:
    return re.sub(r"[^a-z0-9]+", sep, text.lower()).strip(sep)


def first_wednesday(year: int, month: int) -> dt.date:
    """BOCES boards generally meet on the first Wednesday of the month (the COSER 507 rules, rules §4)."""
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(2 - first.weekday()) % 7)


def weekdays_from(start: dt.date, count: int) -> list[dt.date]:
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------

PLACE_STEMS = (
    "Alder", "Ash", "Beaver", "Birch", "Black", "Blue", "Briar", "Cedar",
    "Clear", "Cold", "Crane", "Deer", "Eagle", "East", "Elm", "Fair", "Fern",
    "Fox", "Glen", "Gold", "Green", "Hawk", "Hazel", "High", "Holly", "Iron",
    "Laurel", "Maple", "Meadow", "North", "Oak", "Pine", "Red", "Rock",
    "Sand", "Silver", "South", "Stone", "Sugar", "West", "White", "Willow",
    "Wolf",
)  # fmt: skip
PLACE_ENDINGS = (
    "brook", "burg", "dale", "field", "ford", "haven", "ton", "ville", "wood",
    " Bay", " Center", " Corners", " Creek", " Falls", " Forks", " Harbor",
    " Heights", " Hills", " Hollow", " Junction", " Lake", " Mills", " Point",
    " Springs", " Valley",
)  # fmt: skip
PLACES = tuple(stem + end for stem in PLACE_STEMS for end in PLACE_ENDINGS)

FIRST_NAMES = (
    "Alex", "Amara", "Ben", "Carmen", "Chen", "Dana", "Devon", "Elena",
    "Farah", "Grace", "Hector", "Imani", "Jamal", "Jordan", "Kai", "Lena",
    "Luis", "Maya", "Nadia", "Noah", "Omar", "Priya", "Quinn", "Rosa",
    "Sam", "Tara", "Uma", "Victor", "Wen", "Yusuf", "Zoe", "Owen",
)  # fmt: skip
LAST_NAMES = (
    "Abbott", "Baker", "Castillo", "Dubois", "Ellis", "Flores", "Garcia",
    "Hughes", "Ito", "Jensen", "Kowalski", "Lopez", "Murphy", "Nguyen",
    "Okafor", "Patel", "Quinlan", "Rivera", "Schmidt", "Thompson", "Usman",
    "Vasquez", "Walsh", "Xu", "Young", "Zielinski", "Brennan", "Carter",
)  # fmt: skip
VENDORS = (
    "Bright Path Education Services", "Clearwater Math Institute",
    "Evergreen Behavior Consulting", "Harbor STEM Collaborative",
    "Keystone Leadership Group", "Lantern Inclusive Teaching Co.",
    "Northern Lights Learning LLC", "Prism Data Coaching",
    "Riverbend Restorative Practices", "Summit Literacy Partners",
)  # fmt: skip
COURSES = (
    "Science of Reading Study Group", "Grade 4 Math Curriculum Mapping",
    "ELA Common Assessment Design", "NGSS Lab Collaboration",
    "Social Studies Inquiry Team", "Co-teaching PLC",
    "Data-Driven Instruction Team", "World Languages Articulation",
)  # fmt: skip
VARIANTS = (
    "North", "South", "East", "West", "Central", "Elementary", "Secondary",
    "Extended Day", "Summer", "Satellite", "Half Day", "Evening",
)  # fmt: skip


@dataclass(frozen=True)
class ServiceKind:
    """A kind of CoSer: how many units a participant buys and what a unit costs.

    ``low``..``high`` is units per district, or per enrolled pupil when
    ``per_pupil``; ``step`` is the unit granularity in hundredths (100 = whole
    units, 10 = tenths); ``cost_low``..``cost_high`` is dollars per unit;
    ``weight`` is how often a BOCES runs another program of this kind.
    """

    name: str
    coser: int
    unit: str
    per_pupil: bool
    low: float
    high: float
    step: int
    cost_low: float
    cost_high: float
    weight: float = 1.0
    swd: bool = False
    transportation: bool = False


CATALOGUE = (
    ServiceKind("Career and Technical Education — Automotive", 101, "pupil", True, 0.001, 0.006, 100, 9_000, 16_000),
    ServiceKind("Career and Technical Education — Health Occupations", 102, "pupil", True, 0.001, 0.006, 100, 9_000, 16_000),
    ServiceKind("Career and Technical Education — Culinary Arts", 103, "pupil", True, 0.001, 0.005, 100, 9_000, 15_000),
    ServiceKind("New Visions", 105, "pupil", True, 0.0005, 0.003, 100, 7_000, 12_000),
    ServiceKind("Special Education — 12:1+1 Classroom", 201, "pupil", True, 0.001, 0.006, 100, 45_000, 75_000, 0.8, swd=True),
    ServiceKind("Special Education — 8:1+1 Classroom", 202, "pupil", True, 0.0005, 0.004, 100, 65_000, 95_000, 0.6, swd=True),
    ServiceKind("Special Education — 6:1+1 Classroom", 203, "pupil", True, 0.0003, 0.003, 100, 80_000, 120_000, 0.5, swd=True),
    ServiceKind("Itinerant Speech Therapy", 210, "hour", False, 20, 600, 100, 70, 110, 0.8, swd=True),
    ServiceKind("Occupational Therapy", 211, "hour", False, 20, 400, 100, 75, 120, 0.5, swd=True),
    ServiceKind("Physical Therapy", 212, "hour", False, 10, 300, 100, 75, 120, 0.5, swd=True),
    ServiceKind("Teacher of the Deaf and Hard of Hearing", 213, "hour", False, 10, 200, 100, 80, 130, 0.3, swd=True),
    ServiceKind("Psychological Services", 215, "FTE", False, 0.1, 1.5, 10, 110_000, 150_000),
    ServiceKind("Alternative Education", 220, "pupil", False, 1, 20, 100, 18_000, 30_000),
    ServiceKind("Summer School — Special Education", 230, "pupil", True, 0.001, 0.008, 100, 3_000, 7_000, 0.5, swd=True),
    ServiceKind("School Library System", 301, "pupil", True, 0.95, 1.0, 100, 3, 9, 0.5),
    ServiceKind("Instructional Technology Integration", 502, "day", False, 5, 60, 100, 500, 900, 1.5),
    ServiceKind("Curriculum Development and Support", 505, "day", False, 3, 40, 100, 600, 1_000, 1.5),
    ServiceKind("Model Schools", 510, "pupil", True, 0.95, 1.0, 100, 10, 25, 0.5),
    ServiceKind("Regional Summer School", 520, "pupil", False, 5, 200, 100, 300, 600),
    ServiceKind("Arts in Education", 530, "program", False, 1, 20, 100, 1_000, 4_000),
    ServiceKind("Staff Development Workshops", 540, "attendee", False, 1, 60, 100, 80, 250, 1.5),
    ServiceKind("Student Management System", 601, "pupil", True, 0.95, 1.0, 100, 12, 25, 0.5),
    ServiceKind("Financial Management System", 602, "district", False, 1, 1, 100, 15_000, 40_000, 0.5),
    ServiceKind("Internet Access and Network Services", 603, "pupil", True, 0.95, 1.0, 100, 8, 20, 0.5),
    ServiceKind("Cybersecurity Services", 604, "license", False, 50, 2_000, 100, 4, 15),
    ServiceKind("Data Warehouse and Assessment Reporting", 605, "pupil", True, 0.95, 1.0, 100, 5, 12, 0.5),
    ServiceKind("Cooperative Purchasing", 701, "district", False, 1, 1, 100, 3_000, 12_000, 0.3),
    ServiceKind("Central Business Office", 702, "FTE", False, 0.2, 2.0, 10, 70_000, 110_000),
    ServiceKind("Health and Safety Services", 703, "building", False, 1, 12, 100, 2_000, 6_000),
    ServiceKind("Printing Services", 704, "order", False, 10, 400, 100, 50, 200, 0.5),
    ServiceKind("Transportation — Special Education Routes", 801, "route", False, 1, 12, 100, 45_000, 90_000, 0.25, transportation=True),
    ServiceKind("Transportation Coordination", 802, "pupil", True, 0.01, 0.05, 100, 300, 900, 0.25, transportation=True),
)  # fmt: skip


# --------------------------------------------------------------------------
# Scales and per-BOCES plans
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    boces: int
    districts: int
    participation_rows: int
    services: int | None = None  # None: by BOCES size (_services_for)


SCALES = {
    "boces1": Scale(boces=1, districts=25, participation_rows=4_000, services=300),
    "state": Scale(boces=37, districts=680, participation_rows=120_000),
    "state10x": Scale(boces=370, districts=6_800, participation_rows=1_200_000),
    # one job at scale (issue 14): a single BOCES of 400 districts and 4,000 services with 1,000,073
    # Participation rows (the sampling lands near its target; 1,017,000 is the target that passes a million)
    "million": Scale(boces=1, districts=400, participation_rows=1_017_000, services=4_000),
}
SIZE_PATTERN = 37  # New York has 37 BOCES; larger scales repeat the pattern


@dataclass(frozen=True)
class BocesPlan:
    """Everything one worker needs to build one job, independent of the rest."""

    number: int  # 1-based, within the scale
    name: str
    code: str
    districts: int
    services: int
    participation_rows: int
    first_district: int  # global index of its first district, for unique BEDS codes
    seed: tuple[int, ...]


def largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to ``weights`` summing to ``total`` (ties by position)."""
    exact = weights / weights.sum() * total
    out = np.floor(exact).astype(np.int64)
    extra = np.argsort(-(exact - out), kind="stable")[: total - out.sum()]
    out[extra] += 1
    return out


def boces_sizes(n_boces: int, n_districts: int) -> np.ndarray:
    """Zipf-like district counts (Nassau-like ~55 down to ~9 for the state)."""
    rank = np.arange(n_boces) % SIZE_PATTERN
    return largest_remainder((rank + 4.0) ** -0.8, n_districts)


def _services_for(n_districts: int) -> int:
    return int(np.clip(150 + 8 * n_districts, 150, 600))


def plan(scale: str, seed: int = DEFAULT_SEED) -> list[BocesPlan]:
    """The BOCES of a scale: sizes, names, codes and per-BOCES seeds."""
    spec = SCALES[scale]
    tag = zlib.crc32(scale.encode())
    sizes = boces_sizes(spec.boces, spec.districts)
    services = np.array([spec.services or _services_for(n) for n in sizes])
    rows = largest_remainder(sizes * services.astype(float), spec.participation_rows)
    names = np.random.default_rng([seed, tag]).permutation(len(PLACES))[: spec.boces]
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return [
        BocesPlan(
            number=i + 1,
            name=f"{PLACES[names[i]]} BOCES",
            code=f"9{i + 1:05d}",
            districts=int(sizes[i]),
            services=int(services[i]),
            participation_rows=int(rows[i]),
            first_district=int(starts[i]),
            seed=(seed, tag, i + 1),
        )
        for i in range(spec.boces)
    ]


# --------------------------------------------------------------------------
# The synthetic model
# --------------------------------------------------------------------------

DISTRICT_KINDS = {  # type -> (name suffix, BEDS type digits, email tag)
    "CSD": ("Central School District", "04", "csd"),
    "UFSD": ("Union Free School District", "02", "ufsd"),
    "City": ("City School District", "01", "citysd"),
    "CHSD": ("Central High School District", "03", "chsd"),
}


@dataclass
class Districts:
    code: list[str]
    name: list[str]
    type: np.ndarray  # docs/formats.md words
    full_value: np.ndarray  # cents
    rwada: np.ndarray  # hundredths
    enrollment: np.ndarray
    aid_av: np.ndarray  # cents, blank where aid_av_blank
    aid_av_blank: np.ndarray
    aid_rwada: np.ndarray  # hundredths
    aid_rwada_blank: np.ndarray
    levy: np.ndarray  # cents
    pilots: np.ndarray  # cents
    pilots_blank: np.ndarray
    vote: list[str]
    email: list[str]
    prior_charges: np.ndarray | None = None  # cents, set once charges are estimated
    prior_charges_blank: np.ndarray | None = None

    @property
    def component(self) -> np.ndarray:
        return self.type != "non-component"


@dataclass
class Services:
    code: list[str]
    name: list[str]
    kind: list[ServiceKind]
    basis: np.ndarray  # index into BASES
    budget: np.ndarray | None = None  # cents
    aidable: np.ndarray | None = None
    with_actuals: np.ndarray | None = None  # SWD with Actual units / Actual cost
    salaries_over_limit: np.ndarray | None = None  # cents
    sol_blank: np.ndarray | None = None
    non_aidable: np.ndarray | None = None
    non_aidable_blank: np.ndarray | None = None
    approvals: np.ndarray | None = None
    actual_cost: np.ndarray | None = None
    surplus: np.ndarray | None = None
    surplus_blank: np.ndarray | None = None


@dataclass
class Participation:
    district: np.ndarray  # index into Districts, sorted with service
    service: np.ndarray  # index into Services
    units: np.ndarray  # hundredths
    current: np.ndarray
    prior: np.ndarray
    prior2: np.ndarray
    actual: np.ndarray

    def basis_units(self, basis: np.ndarray) -> np.ndarray:
        """Each row's units under its service's unit cost basis (rules §3), as floats."""
        b = basis[self.service]
        avg2 = (self.current + self.prior) / 2
        avg3 = (self.current + self.prior + self.prior2) / 3
        return np.choose(b, [self.units, self.current, avg2, avg3]) / 100


@dataclass
class Job:
    plan: BocesPlan
    items: list[tuple[str, object, str]]  # BOCES sheet: item, value, cell kind
    districts: Districts
    services: Services
    participation: Participation
    staff: list[dict]  # rows of the Staff sheet, keyed by header
    contracts: list[dict]  # Shared PD
    attendance: list[dict]  # PD Attendance
    collaboration: list[dict]  # Collaboration hours


def _make_districts(rng: np.random.Generator, plan: BocesPlan) -> Districts:
    """Districts with NY-like wealth, size and tax effort, sorted by BEDS code."""
    n = plan.districts
    types = np.full(n, "component", dtype=object)
    order = rng.permutation(n)
    if n >= 20:  # a large BOCES sells services to one non-component city district
        types[order[0]] = "non-component"
    if n >= 15 and rng.random() < 0.25:  # rarely, a central high school district
        group = order[1 : 1 + int(rng.integers(3, 5))]
        types[group[0]] = "CHSD"
        types[group[1:]] = "CHSD component"
    kinds = np.select(
        [types == "non-component", types == "CHSD", types == "CHSD component"],
        ["City", "CHSD", "UFSD"],
        rng.choice(["CSD", "UFSD", "City"], size=n, p=[0.65, 0.27, 0.08]),
    )

    rwada = np.clip(np.rint(np.exp(rng.normal(np.log(1_800), 0.9, n)) * 100), 15_000, 2_000_000)
    av_per_rwada = np.exp(rng.normal(np.log(750_000), 0.55, n))
    fv_dollars = np.clip(rwada / 100 * av_per_rwada, 1e8, 2e10 - 1)  # room for the cents
    fv_dollars[types == "CHSD component"] = np.minimum(fv_dollars[types == "CHSD component"], 6e9)
    fv = np.rint(fv_dollars).astype(np.int64) * 100
    fv += np.where(rng.random(n) < 0.3, rng.integers(0, 100, n), 0)  # some with cents
    if (types == "CHSD").any():  # a CHSD spans its components' territory
        fv[types == "CHSD"] = fv[types == "CHSD component"].sum()

    mills = rng.uniform(8.5, 30, n)
    low = rng.choice(np.flatnonzero(types == "component"), size=2 if n >= 12 else 1, replace=False)
    mills[low] = rng.uniform(4.5, 7.9, low.size)  # a couple of low-tax districts
    levy = np.rint(fv * mills / 1000).astype(np.int64)

    component = types != "non-component"
    votes = rng.choice(["yes", "no", ""], size=n, p=[0.9, 0.07, 0.03])
    votes[~component] = ""
    places = [PLACES[i] for i in rng.choice(len(PLACES), size=n, replace=False)]
    county_town = plan.first_district + np.arange(n)
    sed = [f"{1 + g // 99:02d}{1 + g % 99:02d}{d:02d}" for g, d in zip(county_town, rng.integers(1, 10, n))]
    aid_av_blank = rng.random(n) >= 0.1
    aid_rwada_blank = rng.random(n) >= 0.1
    pilots_blank = rng.random(n) >= 0.15
    second_address = rng.random(n) < 0.1
    return Districts(
        code=[s + DISTRICT_KINDS[k][1] + "0000" for s, k in zip(sed, kinds)],
        name=[f"{p} {DISTRICT_KINDS[k][0]}" for p, k in zip(places, kinds)],
        type=types,
        full_value=fv,
        rwada=rwada.astype(np.int64),
        enrollment=np.maximum(1, np.rint(rwada / 100 / rng.uniform(1.05, 1.3, n))).astype(np.int64),
        aid_av=np.rint(fv * rng.uniform(0.95, 1.05, n)).astype(np.int64),
        aid_av_blank=aid_av_blank,
        aid_rwada=np.rint(rwada * rng.uniform(0.97, 1.03, n)).astype(np.int64),
        aid_rwada_blank=aid_rwada_blank,
        levy=levy,
        pilots=np.rint(levy * rng.uniform(0.002, 0.03, n)).astype(np.int64),
        pilots_blank=pilots_blank,
        vote=[str(v) for v in votes],
        email=[_email(p, k, two) for p, k, two in zip(places, kinds, second_address)],
    )


def _email(place: str, kind: str, two: bool) -> str:
    domain = f"{slug(place, '')}-{DISTRICT_KINDS[kind][2]}.example.org"
    office = f"business.office@{domain}"
    return f"{office}; treasurer@{domain}" if two else office


def _plan_services(rng: np.random.Generator, n: int) -> Services:
    """Programs offered: every catalogue kind once, the rest by weight; sorted by code."""
    weights = np.array([k.weight for k in CATALOGUE])
    picks = list(range(len(CATALOGUE)))[:n]
    picks += list(rng.choice(len(CATALOGUE), size=n - len(picks), p=weights / weights.sum()))
    seen: dict[int, int] = {}
    rows = []
    for p in picks:
        kind = CATALOGUE[p]
        seen[p] = seen.get(p, 0) + 1
        occurrence = seen[p]
        variant = "" if occurrence == 1 else f" ({_variant(occurrence - 2)})"
        rows.append((f"{kind.coser}-{occurrence:03d}", kind.name + variant, kind))
    rows.sort(key=lambda row: row[0])
    basis = rng.choice(len(BASES), size=n, p=[0.5, 0.2, 0.15, 0.15])
    basis[rng.permutation(n)[: len(BASES)]] = np.arange(len(BASES))[: min(n, len(BASES))]
    return Services(
        code=[r[0] for r in rows], name=[r[1] for r in rows], kind=[r[2] for r in rows], basis=basis
    )


def _variant(i: int) -> str:
    return VARIANTS[i] if i < len(VARIANTS) else f"Program {i + 2}"


def _quantize(x: np.ndarray, step: np.ndarray) -> np.ndarray:
    """Units → hundredths on the unit's step, at least one step."""
    return (np.maximum(np.rint(x * 100 / step), 1) * step).astype(np.int64)


def _choose_participants(
    rng: np.random.Generator, districts: Districts, services: Services, rows: int
) -> tuple[np.ndarray, np.ndarray]:
    """(district, service) index pairs, about ``rows`` of them, sorted by both codes.

    Components buy a share of the services that varies by district (weighted
    sampling by service popularity); a non-component buys a handful; every
    service gets at least two component participants.
    """
    n_d, n_s = len(districts.code), len(services.code)
    component = districts.component
    outsider_buys = np.where(component, 0, rng.integers(2, 7, n_d))
    density = (rows - outsider_buys.sum()) / (component.sum() * n_s)
    appetite = rng.lognormal(0, 0.3, n_d)
    appetite /= appetite[component].mean()
    buys_count = np.where(component, np.rint(np.clip(density * appetite, 0.02, 0.95) * n_s), outsider_buys)
    # Gumbel top-k: k services per district, weighted by each service's popularity.
    keys = np.log(rng.lognormal(0, 0.8, n_s)) + rng.gumbel(size=(n_d, n_s))
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
    buys = rank < buys_count[:, None]
    for s in np.flatnonzero((buys & component[:, None]).sum(axis=0) < 2):
        buys[np.argsort(-np.where(component, keys[:, s], -np.inf))[:2], s] = True
    return np.nonzero(buys)  # row-major: sorted by district code, then service code


def units_for(
    rng: np.random.Generator, enrollment: np.ndarray, kinds: Sequence[ServiceKind], d: np.ndarray, s: np.ndarray
) -> Participation:
    """Units bought on rows (d, s): this year, current, two prior years, actual."""
    per_pupil = np.array([k.per_pupil for k in kinds])[s]
    low, high = (np.array([getattr(k, a) for k in kinds])[s] for a in ("low", "high"))
    step = np.array([k.step for k in kinds])[s]
    n = d.size
    wanted = rng.uniform(low, high) * np.where(per_pupil, enrollment[d], 1)
    units = _quantize(wanted, step)
    current = _quantize(units / 100 * rng.uniform(0.85, 1.15, n), step)
    prior = _quantize(current / 100 * rng.uniform(0.85, 1.15, n), step)
    prior[rng.random(n) < 0.05] = 0  # new participants
    prior2 = _quantize(prior / 100 * rng.uniform(0.85, 1.15, n), step)
    prior2[(prior == 0) | (rng.random(n) < 0.05)] = 0
    actual = _quantize(units / 100 * rng.uniform(0.8, 1.2, n), step)
    actual[rng.random(n) < 0.03] = 0
    return Participation(d, s, units, current, prior, prior2, actual)


def _price_services(rng: np.random.Generator, services: Services, participation: Participation,
                    component: np.ndarray) -> None:
    """Budgets from units × a unit price, and the other Services columns; approvals at most the participating
    component districts (those with units under the service's basis, §1950(4)(d)(3)), mostly enough of them."""
    n = len(services.code)
    kinds = services.kind
    price = rng.uniform([k.cost_low for k in kinds], [k.cost_high for k in kinds])
    units = np.bincount(participation.service, participation.basis_units(services.basis), minlength=n)
    budget = np.clip(units * price * rng.uniform(0.9, 1.1, n), 20_000, 5_000_000)
    services.budget = np.rint(budget * 100).astype(np.int64)
    swd = np.array([k.swd for k in kinds])
    services.aidable = rng.random(n) >= 0.03
    services.with_actuals = swd & (rng.random(n) < 0.6)
    services.salaries_over_limit = np.rint(services.budget * rng.uniform(0.01, 0.05, n)).astype(np.int64)
    services.sol_blank = rng.random(n) >= 0.08
    services.non_aidable = np.rint(services.budget * rng.uniform(0.01, 0.1, n)).astype(np.int64)
    services.non_aidable_blank = rng.random(n) >= 0.1
    taking = component[participation.district] & (participation.basis_units(services.basis) > 0)
    participants = np.bincount(participation.service[taking], minlength=n)
    needed = np.ceil(0.75 * participants).astype(np.int64)
    approved = rng.integers(needed, participants + 1)
    short = rng.integers(0, np.maximum(needed, 1))
    services.approvals = np.where(rng.random(n) < 0.97, approved, short)
    services.actual_cost = np.rint(services.budget * rng.uniform(0.9, 1.1, n)).astype(np.int64)
    services.surplus = np.rint(services.budget * rng.uniform(0.005, 0.04, n)).astype(np.int64)
    services.surplus_blank = rng.random(n) >= 0.05


def _make_staff(rng: np.random.Generator, services: Services) -> list[dict]:
    """Staff lists for some larger services, which then leave Salaries over limit blank."""
    staffed = np.flatnonzero((services.budget >= 15_000_000) & (rng.random(len(services.code)) < 0.12))
    rows = []
    for s in staffed:
        salaries = np.rint(rng.uniform(25_000, 140_000, rng.integers(1, 7))).astype(np.int64) * 100
        salaries = salaries[np.cumsum(salaries) <= 0.7 * services.budget[s]]  # staff fit the budget
        taken: set[str] = set()  # a service lists an employee once (a second row is a duplicate-code error)
        for salary in salaries:
            last, first = int(rng.integers(len(LAST_NAMES))), int(rng.integers(len(FIRST_NAMES)))
            while (employee := f"{LAST_NAMES[last]}, {FIRST_NAMES[first]}") in taken:
                first = (first + 1) % len(FIRST_NAMES)  # the next first name: the same draws, so the same jobs
            taken.add(employee)
            rows.append({"Service code": services.code[s], "Employee": employee, "Salary": salary / 100})
        services.sol_blank[s] = True
    return sorted(rows, key=lambda row: (row["Service code"], row["Employee"], row["Salary"]))


def _make_boces_items(rng: np.random.Generator, plan: BocesPlan, districts: Districts) -> list[tuple]:
    """The BOCES sheet, as (item, value, cell kind); dollars in cents."""
    components = int(districts.component.sum())
    dollars = lambda low, high: int(rng.uniform(low, high)) * 100  # noqa: E731
    admin = 150_000_000 + sum(dollars(150_000, 400_000) for _ in range(components))
    method = str(rng.choice(["WADA", "true value", "enrollment"], p=[0.45, 0.4, 0.15]))
    meeting = dt.date(2026, 4, int(rng.integers(14, 25)))
    changed = rng.random() < 0.1
    prior_method = str(rng.choice([m for m in ("WADA", "true value", "enrollment") if m != method])) if changed else method
    outsiders = components < len(districts.code)
    items = [
        ("BOCES name", plan.name, "text"),
        ("BOCES code", plan.code, "text"),
        ("School year", SCHOOL_YEAR, "text"),
        ("Apportionment method", method, "text"),
        ("Administrative budget", admin, "money"),
        ("Capital budget", int(admin * rng.uniform(0.15, 0.5)) // 100 * 100, "money"),
        ("Rent budget", int(admin * rng.uniform(0.02, 0.12)) // 100 * 100 if rng.random() < 0.6 else 0, "money"),
        ("Administrative salaries over limit", int(admin * rng.uniform(0.01, 0.03)), "money"),
        ("State aid administrative", 0, "money"),
        ("State aid capital", 0, "money"),
        ("Other revenue administrative", int(admin * rng.uniform(0.005, 0.02)) if outsiders else 0, "money"),
        ("Other revenue capital", 0, "money"),
    ]
    if rng.random() < 0.5:
        items.append(("Administrative surplus", int(admin * rng.uniform(-0.01, 0.03)), "money"))
    items.append(("Prior year method", prior_method, "text"))
    if changed:
        items.append(("Method hearing date", meeting - dt.timedelta(days=int(rng.integers(35, 75))), "date"))
    items += [
        ("Annual meeting date", meeting, "date"),
        ("Prior year administrative budget", int(admin * rng.uniform(0.96, 0.99)), "money"),
        ("Excluded retirement increases", int(admin * rng.uniform(0.002, 0.01)), "money"),
    ]
    if rng.random() < 0.2:
        items.append(("Capital aidable fraction", round(float(rng.uniform(0.85, 1.0)), 3), "number"))
    items.append(("District superintendent salary", dollars(185_000, 208_000), "money"))
    rounding = rng.choice(["", "largest remainder", "half up"], p=[0.8, 0.1, 0.1])
    if rounding:
        items.append(("Rounding", str(rounding), "text"))
    return items


def _estimate_prior_charges(rng: np.random.Generator, job: Job) -> None:
    """Last year's charges ≈ this year's at 90–105 %, for year-over-year columns."""
    districts, services, part = job.districts, job.services, job.participation
    money = {item: value for item, value, kind in job.items if kind == "money"}
    method = next(value for item, value, _ in job.items if item == "Apportionment method")
    basis = {"true value": districts.full_value, "WADA": districts.rwada, "enrollment": districts.enrollment}[method]
    basis = np.where(districts.component, basis, 0).astype(float)
    pool = money["Administrative budget"] + money["Capital budget"] + money["Rent budget"]
    units = part.basis_units(services.basis)
    unit_share = units / np.bincount(part.service, units)[part.service]
    coser = np.bincount(part.district, services.budget[part.service] * unit_share, minlength=basis.size)
    n = basis.size
    districts.prior_charges = np.rint((pool * basis / basis.sum() + coser) * rng.uniform(0.9, 1.05, n)).astype(np.int64)
    districts.prior_charges_blank = rng.random(n) < 0.05


def _make_shared_pd(rng: np.random.Generator, districts: Districts) -> tuple[list[dict], list[dict]]:
    """COSER 507 contracts that pass every rule, and their sign-in sheets."""
    components = np.flatnonzero(districts.component)
    contracts, attendance = [], []
    for i in range(min(2 + len(districts.code) // 15, 8)):
        month = 7 + i
        approval = first_wednesday(2026 + (month - 1) // 12, (month - 1) % 12 + 1)
        start = weekdays_from(approval + dt.timedelta(days=int(rng.integers(7, 45))), 1)[0]
        days = int(rng.integers(1, 15))
        cost = int(rng.integers(5_000, 60_000)) * 100 + int(rng.integers(0, 100))
        contract = f"SPD-{i + 1:02d}"
        contracts.append({
            "Contract": contract,
            "Vendor": VENDORS[int(rng.integers(len(VENDORS)))],
            "Cost": cost / 100,
            "Days": days,
            "Credit or certificate": "no",
            "Non-aidable costs": int(cost * rng.uniform(0.05, 0.2)) / 100 if rng.random() < 0.4 else None,
            "Board approval date": approval,
            "Start date": start,
        })  # fmt: skip
        sessions = weekdays_from(start, days)
        payers = rng.choice(components, size=int(rng.integers(2, min(6, components.size) + 1)), replace=False)
        for d in np.sort(payers):
            picked = sorted(rng.choice(len(sessions), size=int(rng.integers(1, min(3, days) + 1)), replace=False))
            for k in picked:
                attendance.append({
                    "Contract": contract,
                    "District code": districts.code[d],
                    "Date": sessions[k],
                    "Staff attending": int(rng.integers(1, 13)),
                })  # fmt: skip
    return contracts, attendance


def _make_collaboration(rng: np.random.Generator, districts: Districts) -> list[dict]:
    """Teachers logging collaboration hours over the year's quarters."""
    components = np.flatnonzero(districts.component)
    n_teachers = max(4, components.size // 2)
    picks = rng.choice(len(FIRST_NAMES) * len(LAST_NAMES), size=n_teachers, replace=False)
    rows = []
    for p in picks:
        teacher = f"{LAST_NAMES[p // len(FIRST_NAMES)]}, {FIRST_NAMES[p % len(FIRST_NAMES)]}"
        district = districts.code[rng.choice(components)]
        wants = "yes" if rng.random() < 0.9 else "no"
        quarters = np.sort(rng.choice(len(QUARTERS), size=int(rng.integers(1, 5)), replace=False))
        for q in quarters:
            rows.append({
                "Teacher": teacher,
                "District code": district,
                "Course": COURSES[int(rng.integers(len(COURSES)))],
                "Quarter": QUARTERS[q],
                "Hours": int(rng.integers(1, 25)) / 2,
                "Wants credit": wants,
            })  # fmt: skip
    return sorted(rows, key=lambda row: (row["Teacher"], row["Quarter"]))


def make_job(plan: BocesPlan) -> Job:
    """Build one BOCES's whole input, deterministically from its plan's seed."""
    rng = np.random.default_rng(list(plan.seed))
    districts = _make_districts(rng, plan)
    services = _plan_services(rng, plan.services)
    pairs = _choose_participants(rng, districts, services, plan.participation_rows)
    participation = units_for(rng, districts.enrollment, services.kind, *pairs)
    _price_services(rng, services, participation, districts.component)
    staff = _make_staff(rng, services)
    items = _make_boces_items(rng, plan, districts)
    contracts, attendance = _make_shared_pd(rng, districts)
    collaboration = _make_collaboration(rng, districts)
    job = Job(plan, items, districts, services, participation, staff, contracts, attendance, collaboration)
    _estimate_prior_charges(rng, job)
    return job


# --------------------------------------------------------------------------
# One function per docs/formats.md sheet
# --------------------------------------------------------------------------


def boces_sheet(items: Sequence[tuple[str, object, str]]) -> Sheet:
    """``Item | Value`` rows from (item, value, kind); ``money`` values are in cents."""
    values = [value / 100 if kind == "money" else value for _, value, kind in items]
    return Sheet("BOCES", (
        Column("Item", "text", [item for item, _, _ in items], 36),
        Column("Value", tuple(kind for _, _, kind in items), values, 40),
    ))  # fmt: skip


def districts_sheet(d: Districts) -> Sheet:
    return table_sheet("Districts", {
        "District code": d.code,
        "District name": d.name,
        "Type": list(d.type),
        "Full value": scaled(d.full_value),
        "RWADA": scaled(d.rwada),
        "Enrollment": d.enrollment.tolist(),
        "Aid AV": scaled(d.aid_av, d.aid_av_blank),
        "Aid RWADA": scaled(d.aid_rwada, d.aid_rwada_blank),
        "Tax levy": scaled(d.levy),
        "PILOTs": scaled(d.pilots, d.pilots_blank),
        "Budget vote": [v or None for v in d.vote],
        "Email": d.email,
        "Prior year total charges": scaled(d.prior_charges, d.prior_charges_blank),
    })  # fmt: skip


def services_sheet(s: Services) -> Sheet:
    return table_sheet("Services", {
        "Service code": s.code,
        "Service name": s.name,
        "Budget": scaled(s.budget),
        "Unit": [k.unit for k in s.kind],
        "Unit cost basis": [BASES[b] for b in s.basis],
        "Aidable": yes_no(s.aidable),
        "Transportation": yes_no([k.transportation for k in s.kind]),
        "Salaries over limit": scaled(s.salaries_over_limit, s.sol_blank),
        "Non-aidable costs": scaled(s.non_aidable, s.non_aidable_blank),
        "Approvals": s.approvals.tolist(),
        "Students with disabilities": yes_no([k.swd for k in s.kind]),
        "Actual cost": scaled(s.actual_cost, ~s.with_actuals),
        "Surplus": scaled(s.surplus, s.surplus_blank),
    })  # fmt: skip


def participation_sheet(p: Participation, district_codes: Sequence[str], services: Services) -> Sheet:
    """Long form; only the unit columns the service's basis (or SWD true-up) uses."""
    basis = services.basis[p.service]  # index into BASES: each basis uses one more column
    return table_sheet("Participation", {
        "District code": np.array(district_codes, dtype=object)[p.district].tolist(),
        "Service code": np.array(services.code, dtype=object)[p.service].tolist(),
        "Units": scaled(p.units),
        "Current units": scaled(p.current, basis < 1),
        "Prior units": scaled(p.prior, basis < 2),
        "Prior 2 units": scaled(p.prior2, basis < 3),
        "Actual units": scaled(p.actual, ~services.with_actuals[p.service]),
    })  # fmt: skip


def job_sheets(job: Job) -> list[Sheet]:
    return [
        boces_sheet(job.items),
        districts_sheet(job.districts),
        services_sheet(job.services),
        participation_sheet(job.participation, job.districts.code, job.services),
        rows_sheet("Staff", job.staff),
        rows_sheet("Shared PD", job.contracts),
        rows_sheet("PD Attendance", job.attendance),
        rows_sheet("Collaboration hours", job.collaboration),
    ]


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------


def _write_job(plan: BocesPlan, outdir: Path) -> tuple[Path, dict[str, int]]:
    job = make_job(plan)
    sheets = job_sheets(job)
    path = write_workbook(outdir / f"{plan.code}_{slug(plan.name, '_')}_{SCHOOL_YEAR}.xlsx", sheets)
    return path, {sheet.name: len(sheet.columns[0].values) for sheet in sheets}


def generate_with_counts(
    scale: str, outdir: Path, seed: int = DEFAULT_SEED, jobs: int = 1
) -> list[tuple[Path, dict[str, int]]]:
    """Write every BOCES of ``scale``; return (path, rows per sheet), sorted by path."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; expected one of {', '.join(SCALES)}")
    outdir = Path(outdir)
    plans = plan(scale, seed)
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(_write_job, plans, repeat(outdir), chunksize=max(1, len(plans) // (4 * jobs))))
    else:
        results = [_write_job(p, outdir) for p in plans]
    return sorted(results)


def generate(scale: str, outdir: Path, seed: int = DEFAULT_SEED, jobs: int = 1) -> list[Path]:
    """Write one workbook per BOCES of ``scale`` into ``outdir``; return the paths, sorted."""
    return [path for path, _ in generate_with_counts(scale, outdir, seed, jobs)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scale", choices=sorted(SCALES))
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (the output is the same)"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results = generate_with_counts(args.scale, args.outdir, args.seed, args.jobs)
    totals: dict[str, int] = {}
    for _, counts in results:
        for name, rows in counts.items():
            totals[name] = totals.get(name, 0) + rows
    print(f"{len(results)} workbook(s) in {args.outdir} in {time.perf_counter() - started:.1f} s")
    for name, rows in totals.items():
        print(f"  {name:<20} {rows:>10,} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
