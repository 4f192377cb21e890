"""Build the shipped EXAMPLE input workbooks in ``inputs/`` (fictional data).

Usage::

    python -m bench.examples [INPUTS_DIR]      # default: inputs/

It writes two jobs, both for the 2026-27 school year:

* ``example_valley_2026-27.xlsx`` — one job in one workbook with every sheet:
  20 districts (components, a CHSD with two CHSD components, a special-act
  district, a non-component buying one service), a dozen CoSers covering the
  four unit cost bases (transportation, not aidable, a students-with-
  disabilities true-up, a surplus, approvals below three-quarters), staff,
  two shared-PD contracts and collaboration hours. Method WADA, budget adopted.
* ``example_ridge_2026-27/`` — one job as a folder of four workbooks
  (``BOCES.xlsx``, ``Districts.xlsx``, ``Services.xlsx`` with Staff,
  ``Participation.xlsx``): 10 districts, method true value changed from WADA
  after a hearing, and a failed budget vote so the contingency budget applies.

Everything is made up: the BOCES names say "(EXAMPLE DATA)", district codes
use county 99 (no New York county has it) and e-mail goes to the reserved
``.example.org`` domain. Units come from a fixed-seed generator and budgets
from those units at a mid-range unit price rounded to $100, so unit costs look
real; re-running gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np

from apportion.schema import COMPONENT_TYPES
from bench.generate import (
    BASES,
    CATALOGUE,
    DISTRICT_KINDS,
    SCHOOL_YEAR,
    Services,
    Sheet,
    boces_sheet,
    first_wednesday,
    participation_sheet,
    rows_sheet,
    slug,
    units_for,
    write_workbook,
)

KIND_BY_COSER = {kind.coser: kind for kind in CATALOGUE}
CENT = Decimal("0.01")


def usd(amount: str) -> Decimal:
    """A dollar amount written as in a spreadsheet: ``usd("6,485,200.00")``."""
    return Decimal(amount.replace(",", ""))


@dataclass(frozen=True)
class District:
    """One Districts row; ``mills`` sets the tax levy (None: no levy, no full value)."""

    code: str
    name: str
    type: str
    full_value: Decimal | None
    rwada: float
    enrollment: int
    mills: str | None
    vote: str | None
    prior_charges: Decimal | None = None
    extra: dict = field(default_factory=dict)  # other Districts columns


@dataclass(frozen=True)
class Offer:
    """One CoSer: its catalogue kind (unit, unit range, SWD, transportation),
    how many ordinary components buy it (picked by the seeded generator) and
    who else does, by district code."""

    code: str
    name: str
    coser: int
    basis: str
    components: int
    also: tuple[str, ...] = ()
    approvals: int | None = None  # None: every participant approved the methodology
    actual_cost_ratio: str | None = None  # SWD true-up: Actual cost = budget × ratio, Actual units given
    extra: dict = field(default_factory=dict)  # other Services columns, in dollars


@dataclass(frozen=True)
class Example:
    items: list[tuple[str, object]]
    districts: list[District]
    offers: list[Offer]
    staff: dict[str, list[tuple[str, str]]]  # service code -> (employee, salary)
    seed: int


# --------------------------------------------------------------------------
# Example Valley BOCES — one workbook
# --------------------------------------------------------------------------

HAZEL_RIDGE_NORTH = usd("3,104,559,800")
HAZEL_RIDGE_SOUTH = usd("2,677,918,350")
SPECIAL_ACT = "990119020000"
NON_COMPONENT = "990120010000"

VALLEY = Example(
    items=[
        ("BOCES name", "Example Valley BOCES (EXAMPLE DATA)"),
        ("BOCES code", "990001"),
        ("School year", SCHOOL_YEAR),
        ("Apportionment method", "WADA"),
        ("Administrative budget", usd("6,485,200.00")),
        ("Capital budget", usd("1,912,400.00")),
        ("Rent budget", usd("286,500.00")),
        ("Administrative salaries over limit", usd("142,350.00")),
        ("State aid administrative", usd("0")),
        ("State aid capital", usd("0")),
        ("Other revenue administrative", usd("58,300.00")),
        ("Other revenue capital", usd("12,000.00")),
        ("Administrative surplus", usd("84,215.37")),
        ("Prior year method", "WADA"),
        ("Annual meeting date", dt.date(2026, 4, 21)),
        ("Prior year administrative budget", usd("6,402,900.00")),
        ("Excluded retirement increases", usd("41,800.00")),
        ("District superintendent salary", usd("201,500.00")),
        ("Rounding", "largest remainder"),
    ],
    districts=[
        District("990101040000", "Alder Creek Central School District", "component", usd("1,482,615,300"), 1284.62, 1118, "17.4", "yes", usd("1,905,220.18")),
        District("990102040000", "Birch Hollow Central School District", "component", usd("612,904,850"), 642.15, 561, "21.8", "yes", usd("1,062,480.55")),
        District("990103020000", "Cedar Point Union Free School District", "component", usd("3,905,772,410.25"), 2918.40, 2540, "14.6", "yes", usd("3,418,902.71")),
        District("990104040000", "Deer Run Central School District", "component", usd("1,566,301,200"), 1705.33, 1492, "19.9", "no", usd("2,640,115.02"), {"Aid AV": 1_602_114_950.0}),
        District("990105010000", "Elm Harbor City School District", "component", usd("2,246,880,600"), 5812.75, 5033, "24.7", "yes", usd("7,118,340.66")),
        District("990106040000", "Fern Valley Central School District", "component", usd("845,227,900"), 903.48, 780, "23.1", "yes", usd("1,377,809.40")),
        District("990107040000", "Glen Forks Central School District", "component", usd("5,318,446,700"), 3120.90, 2718, "12.2", "yes", usd("3,655,020.13")),
        District("990108030000", "Hazel Ridge Central High School District", "CHSD", HAZEL_RIDGE_NORTH + HAZEL_RIDGE_SOUTH, 2410.55, 2046, "9.8", "yes", usd("2,987,450.00")),
        District("990109020000", "Hazel Ridge North Union Free School District", "CHSD component", HAZEL_RIDGE_NORTH, 1388.20, 1236, "11.9", "yes", usd("1,602,384.90")),
        District("990110020000", "Hazel Ridge South Union Free School District", "CHSD component", HAZEL_RIDGE_SOUTH, 1196.72, 1051, "12.6", "yes", usd("1,377,093.44")),
        District("990111040000", "Iron Mills Central School District", "component", usd("398,640,100"), 512.30, 437, "26.4", "yes", usd("903,611.27"), {"PILOTs": 412_650.00}),
        District("990112040000", "Juniper Lake Central School District", "component", usd("7,912,300,450"), 2244.05, 1906, "7.1", "yes", usd("2,420,556.80")),
        District("990113040000", "Kestrel Falls Central School District", "component", usd("1,126,775,000"), 1468.91, 1290, "18.3", "yes", usd("2,110,947.35")),
        District("990114040000", "Laurel Springs Central School District", "component", usd("978,403,260"), 821.66, 709, "16.8", "no", usd("1,245,390.12")),
        District("990115040000", "Maple Junction Central School District", "component", usd("2,015,338,900"), 2609.14, 2277, "20.5", "yes", usd("3,560,801.09")),
        District("990116040000", "North Meadow Central School District", "component", usd("693,117,480"), 1077.83, 946, "28.9", "yes", usd("1,794,300.56")),
        District("990117040000", "Oak Bend Central School District", "component", usd("1,338,962,700"), 1190.27, 1032, "15.7", "yes", usd("1,702,215.88")),
        District("990118020000", "Pine Bluff Union Free School District", "component", usd("4,660,210,000"), 1903.46, 1650, "10.4", "yes", usd("2,311,870.24")),
        District(SPECIAL_ACT, "Willow Brook Children's Center Union Free School District", "special act", None, 152.40, 131, None, "yes", usd("412,905.10")),
        District(NON_COMPONENT, "Stonebridge City School District", "non-component", usd("14,220,560,300"), 19405.60, 16840, "18.2", None, usd("96,480.00")),
    ],  # fmt: skip
    offers=[
        Offer("101-001", "Career and Technical Education — Automotive Technology", 101, "3-year average", 14),
        Offer("102-001", "Career and Technical Education — Health Occupations", 102, "2-year average", 12),
        Offer("201-001", "Special Education — 12:1+1 Classroom", 201, "anticipated", 13, also=(SPECIAL_ACT,), actual_cost_ratio="1.031"),
        Offer("210-001", "Itinerant Speech Therapy", 210, "current", 10, also=(SPECIAL_ACT,)),
        Offer("220-001", "Alternative Education", 220, "current", 9, also=(NON_COMPONENT,)),
        Offer("502-001", "Instructional Technology Integration", 502, "anticipated", 11),
        Offer("510-001", "Model Schools", 510, "3-year average", 15, extra={"Salaries over limit": 4_850.00}),
        Offer("540-001", "Staff Development Workshops", 540, "2-year average", 16, extra={"Non-aidable costs": 6_400.00}),
        Offer("601-001", "Student Management System", 601, "current", 16, extra={"Surplus": 18_250.00}),
        Offer("602-001", "Financial Management System", 602, "anticipated", 12, approvals=7),
        Offer("701-001", "Cooperative Purchasing", 701, "anticipated", 17, extra={"Aidable": "no"}),
        Offer("801-001", "Transportation — Special Education Routes", 801, "anticipated", 8),
    ],  # fmt: skip
    staff={
        "220-001": [("Dubois, Claire", "118,600.00"), ("Ito, Ken", "64,300.00"), ("Lopez, Ana", "88,250.00"), ("Murphy, Sean", "71,900.00")],
        "502-001": [("Chen, Olivia", "78,150.00"), ("Rivera, Marcus", "92,400.00")],
    },  # fmt: skip
    seed=20260701,
)

# contract -> (vendor, cost, days, non-aidable costs, board approval, start, session dates,
#              {district code: staff attending per session, None = absent})
VALLEY_PD = {
    "SPD-2026-01": (
        "Summit Literacy Partners", "18,600.00", 4, "2,150.00", first_wednesday(2026, 8), dt.date(2026, 9, 14),
        (dt.date(2026, 9, 14), dt.date(2026, 10, 19), dt.date(2026, 11, 16), dt.date(2027, 1, 11)),
        {"990101040000": (6, 5, 6, 4), "990102040000": (3, 3, 2, 3), "990106040000": (4, 4, None, 4),
         "990111040000": (2, 2, 2, 2), "990116040000": (5, None, 5, 5)},
    ),
    "SPD-2026-02": (
        "Harbor STEM Collaborative", "12,450.00", 3, None, first_wednesday(2026, 10), dt.date(2026, 11, 4),
        (dt.date(2026, 11, 4), dt.date(2026, 12, 2), dt.date(2027, 2, 3)),
        {"990103020000": (8, 7, 8), "990107040000": (6, 6, 5), "990108030000": (3, 3, 3),
         "990118020000": (4, 4, 4)},
    ),
}  # fmt: skip

# teacher, district code, course, wants credit, ((quarter, hours), ...)
VALLEY_COLLABORATION = (
    ("Garcia, Luis", "990115040000", "Social Studies Inquiry Team", "yes", (("2026-Q4", 3.5), ("2027-Q1", 4), ("2027-Q2", 2.5))),
    ("Nguyen, Chen", "990105010000", "NGSS Lab Collaboration", "yes", (("2026-Q4", 9.5),)),
    ("Okafor, Imani", "990103020000", "Grade 4 Math Curriculum Mapping", "yes", (("2026-Q3", 10), ("2026-Q4", 12), ("2027-Q1", 8.5))),
    ("Patel, Priya", "990109020000", "Co-teaching PLC", "yes", (("2026-Q3", 12), ("2026-Q4", 12), ("2027-Q1", 12), ("2027-Q2", 12))),
    ("Rivera, Dana", "990101040000", "Science of Reading Study Group", "yes", (("2026-Q3", 6), ("2026-Q4", 7.5), ("2027-Q1", 4))),
    ("Schmidt, Lena", "990113040000", "ELA Common Assessment Design", "no", (("2027-Q1", 7), ("2027-Q2", 6.5))),
    ("Walsh, Owen", "990107040000", "Co-teaching PLC", "yes", (("2026-Q3", 5), ("2027-Q2", 5))),
    ("Young, Tara", "990117040000", "Data-Driven Instruction Team", "yes", (("2026-Q3", 8), ("2027-Q1", 11))),
)  # fmt: skip


# --------------------------------------------------------------------------
# Example Ridge BOCES — a folder of workbooks; failed vote, method change
# --------------------------------------------------------------------------

RIDGE = Example(
    items=[
        ("BOCES name", "Example Ridge BOCES (EXAMPLE DATA)"),
        ("BOCES code", "990002"),
        ("School year", SCHOOL_YEAR),
        ("Apportionment method", "true value"),
        ("Administrative budget", usd("3,950,000.00")),
        ("Capital budget", usd("845,000.00")),
        ("Rent budget", usd("96,000.00")),
        ("Administrative salaries over limit", usd("61,200.00")),
        ("State aid administrative", usd("0")),
        ("State aid capital", usd("0")),
        ("Other revenue administrative", usd("0")),
        ("Other revenue capital", usd("0")),
        ("Prior year method", "WADA"),
        ("Method hearing date", dt.date(2026, 2, 24)),
        ("Annual meeting date", dt.date(2026, 4, 22)),
        ("Prior year administrative budget", usd("3,780,000.00")),
        ("Excluded retirement increases", usd("46,500.00")),
        ("District superintendent salary", usd("194,800.00")),
    ],
    districts=[
        District("990201040000", "Ashford Central School District", "component", usd("1,205,440,900"), 1102.37, 958, "18.6", "no"),
        District("990202040000", "Bramble Hill Central School District", "component", usd("734,618,250"), 688.90, 601, "22.4", "no"),
        District("990203020000", "Copper Lake Union Free School District", "component", usd("2,986,004,120.50"), 1846.12, 1612, "13.9", "yes"),
        District("990204040000", "Dunmore Central School District", "component", usd("512,087,300"), 544.08, 470, "25.2", "no"),
        District("990205040000", "Eastbrook Central School District", "component", usd("1,878,925,600"), 2233.71, 1941, "19.1", "yes"),
        District("990206010000", "Falconer Ridge City School District", "component", usd("1,640,372,800"), 3905.26, 3377, "26.8", "no"),
        District("990207040000", "Granite Forks Central School District", "component", usd("968,114,700"), 1012.55, 880, "17.5", "yes"),
        District("990208040000", "Heron Bay Central School District", "component", usd("4,402,786,350"), 1560.40, 1344, "9.7", "no"),
        District("990209020000", "Ivy Glen Union Free School District", "component", usd("356,920,140"), 402.18, 348, "7.6", "yes"),
        District("990210040000", "Jasper Falls Central School District", "component", usd("1,095,603,900"), 1318.64, 1140, "21.3", "no"),
    ],  # fmt: skip
    offers=[
        Offer("101-001", "Career and Technical Education — Automotive Technology", 101, "2-year average", 8),
        Offer("201-001", "Special Education — 12:1+1 Classroom", 201, "anticipated", 7),
        Offer("502-001", "Instructional Technology Integration", 502, "anticipated", 9),
        Offer("540-001", "Staff Development Workshops", 540, "3-year average", 6),
        Offer("601-001", "Student Management System", 601, "current", 10),
        Offer("701-001", "Cooperative Purchasing", 701, "anticipated", 10),
    ],  # fmt: skip
    staff={"502-001": [("Abbott, Rachel", "86,900.00")]},
    seed=20260702,
)


# --------------------------------------------------------------------------
# Building the sheets
# --------------------------------------------------------------------------


def _boces_sheet(example: Example) -> Sheet:
    def typed(value):
        if isinstance(value, Decimal):
            return int(value * 100), "money"
        if isinstance(value, dt.date):
            return value, "date"
        return value, "text"

    return boces_sheet([(item, *typed(value)) for item, value in example.items])


def _email(name: str) -> str:
    place = name
    for suffix, _, _ in DISTRICT_KINDS.values():
        place = place.removesuffix(" " + suffix)
    return f"business.office@{slug(place, '')}.example.org"


def _money(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(CENT))


def _districts_sheet(example: Example) -> Sheet:
    rows = []
    for d in example.districts:
        levy = None if d.mills is None else d.full_value * Decimal(d.mills) / 1000
        rows.append({
            "District code": d.code,
            "District name": d.name,
            "Type": d.type,
            "Full value": _money(d.full_value),
            "RWADA": d.rwada,
            "Enrollment": d.enrollment,
            "Tax levy": _money(levy),
            "Budget vote": d.vote,
            "Email": _email(d.name),
            "Prior year total charges": _money(d.prior_charges),
            **d.extra,
        })  # fmt: skip
    return rows_sheet("Districts", rows)


def _services(example: Example) -> Services:
    return Services(
        code=[o.code for o in example.offers],
        name=[o.name for o in example.offers],
        kind=[KIND_BY_COSER[o.coser] for o in example.offers],
        basis=np.array([BASES.index(o.basis) for o in example.offers]),
        with_actuals=np.array([o.actual_cost_ratio is not None for o in example.offers]),
    )


def _participants(rng: np.random.Generator, example: Example) -> tuple[np.ndarray, np.ndarray]:
    """(district, service) index pairs, sorted by district code then service code."""
    index = {d.code: i for i, d in enumerate(example.districts)}
    ordinary = [i for i, d in enumerate(example.districts) if d.type in ("component", "CHSD", "CHSD component")]
    pairs = set()
    for s, offer in enumerate(example.offers):
        buyers = list(rng.choice(ordinary, size=offer.components, replace=False))
        pairs.update((int(d), s) for d in buyers + [index[code] for code in offer.also])
    d, s = np.array(sorted(pairs)).T
    return d, s


def _service_rows(example: Example, services: Services, units_by_service: np.ndarray, buyers: np.ndarray) -> list[dict]:
    """Budgets = units × mid-range unit price, rounded to $100 (at least $20,000)."""
    rows = []
    for s, offer in enumerate(example.offers):
        kind = services.kind[s]
        price = (kind.cost_low + kind.cost_high) / 2
        budget = Decimal(max(20_000, round(units_by_service[s] * price, -2))).quantize(CENT)
        row = {
            "Service code": offer.code,
            "Service name": offer.name,
            "Budget": float(budget),
            "Unit": kind.unit,
            "Unit cost basis": offer.basis,
            "Aidable": "yes",
            "Transportation": "yes" if kind.transportation else "no",
            "Approvals": offer.approvals if offer.approvals is not None else int(buyers[s]),
            "Students with disabilities": "yes" if kind.swd else "no",
            **offer.extra,
        }
        if offer.actual_cost_ratio:
            row["Actual cost"] = _money(budget * Decimal(offer.actual_cost_ratio))
        staff_total = sum(usd(salary) for _, salary in example.staff.get(offer.code, ()))
        assert staff_total <= budget, f"{offer.code}: staff cost more than the budget"
        rows.append(row)
    return rows


def _staff_sheet(example: Example) -> Sheet:
    rows = [
        {"Service code": code, "Employee": employee, "Salary": _money(usd(salary))}
        for code, people in sorted(example.staff.items())
        for employee, salary in sorted(people)
    ]
    return rows_sheet("Staff", rows)


def _coser_sheets(example: Example) -> tuple[Sheet, Sheet]:
    """The Services and Participation sheets, from seeded units."""
    rng = np.random.default_rng(example.seed)
    services = _services(example)
    d, s = _participants(rng, example)
    enrollment = np.array([district.enrollment for district in example.districts])
    participation = units_for(rng, enrollment, services.kind, d, s)
    units = np.bincount(s, participation.basis_units(services.basis), minlength=len(example.offers))
    # every participating component approved (§1950(4)(d)(3)); a non-component's vote does not count
    component = np.array([district.type in COMPONENT_TYPES for district in example.districts])
    rows = _service_rows(example, services, units, np.bincount(s[component[d]], minlength=len(example.offers)))
    codes = [district.code for district in example.districts]
    return rows_sheet("Services", rows), participation_sheet(participation, codes, services)


def _shared_pd_sheets(contracts: dict) -> tuple[Sheet, Sheet]:
    rows, attendance = [], []
    for contract, (vendor, cost, days, non_aidable, approval, start, sessions, staff) in sorted(contracts.items()):
        rows.append({
            "Contract": contract,
            "Vendor": vendor,
            "Cost": _money(usd(cost)),
            "Days": days,
            "Credit or certificate": "no",
            "Non-aidable costs": _money(usd(non_aidable)) if non_aidable else None,
            "Board approval date": approval,
            "Start date": start,
        })  # fmt: skip
        for code, counts in sorted(staff.items()):
            attendance += [
                {"Contract": contract, "District code": code, "Date": date, "Staff attending": count}
                for date, count in zip(sessions, counts)
                if count
            ]
    return rows_sheet("Shared PD", rows), rows_sheet("PD Attendance", attendance)


def _collaboration_sheet(teachers) -> Sheet:
    rows = [
        {"Teacher": teacher, "District code": code, "Course": course, "Quarter": quarter, "Hours": hours, "Wants credit": wants}
        for teacher, code, course, wants, quarters in sorted(teachers)
        for quarter, hours in quarters
    ]  # fmt: skip
    return rows_sheet("Collaboration hours", rows)


def write_examples(inputs: Path) -> list[Path]:
    """Write both example jobs into ``inputs``; return the workbooks written."""
    valley_services, valley_participation = _coser_sheets(VALLEY)
    shared_pd, pd_attendance = _shared_pd_sheets(VALLEY_PD)
    ridge_services, ridge_participation = _coser_sheets(RIDGE)
    ridge = inputs / f"example_ridge_{SCHOOL_YEAR}"
    return [
        write_workbook(inputs / f"example_valley_{SCHOOL_YEAR}.xlsx", [
            _boces_sheet(VALLEY), _districts_sheet(VALLEY), valley_services, valley_participation,
            _staff_sheet(VALLEY), shared_pd, pd_attendance, _collaboration_sheet(VALLEY_COLLABORATION),
        ]),
        write_workbook(ridge / "BOCES.xlsx", [_boces_sheet(RIDGE)]),
        write_workbook(ridge / "Districts.xlsx", [_districts_sheet(RIDGE)]),
        write_workbook(ridge / "Services.xlsx", [ridge_services, _staff_sheet(RIDGE)]),
        write_workbook(ridge / "Participation.xlsx", [ridge_participation]),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    for path in write_examples(Path(args[0] if args else "inputs")):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
