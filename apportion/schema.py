"""The input contract of docs/formats.md as data: every sheet, column and BOCES item.

Readers, validation, the blank template and the docs all read these specs, so
a header or a choice list is spelt in exactly one place.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

METHODS = ("true value", "WADA", "enrollment", "blend")
#: what each method apportions by, as the reports and messages name it
BASIS_NAMES = {"true value": "full value", "WADA": "RWADA", "enrollment": "enrollment", "blend": "blended weight"}
BLEND_AUTHORITIES = ("Suffolk", "Putnam-Northern Westchester")
DISTRICT_TYPES = ("component", "CHSD", "CHSD component", "special act", "non-component")
COMPONENT_TYPES = ("component", "CHSD", "CHSD component", "special act")
UNIT_COST_BASES = ("anticipated", "current", "2-year average", "3-year average")
ROUNDINGS = ("largest remainder", "half up")
VOTES = ("yes", "no")
#: the dates a date cell (or ``run --prepared``) may hold, first and last: the school years the tool covers
#: (1990-91 to 2099-00) with room on both sides. Outside it is a typing error (1026 for 2026), and Excel could
#: not show a date before 1900 in the reports.
DATE_RANGE = (dt.date(1990, 1, 1), dt.date(2100, 12, 31))


@dataclass(frozen=True)
class Field:
    """A column of a table sheet, or an item of the BOCES sheet.

    ``kind`` is one of: ``code`` (12-digit BEDS), ``key`` (service or contract
    code), ``text``, ``choice``, ``money`` (whole cents), ``signed money``,
    ``quantity`` (exact to millionths), ``fraction`` (a ratio or percent),
    ``yesno``, ``date``, ``year`` (school year), ``quarter`` (a year and quarter, ``2026-Q1``), ``emails`` (one or
    more addresses), ``email`` (one).
    ``whole``: a quantity that counts people or districts, so a fraction is refused (``not-whole``).
    """

    header: str
    key: str
    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()
    help: str = ""
    unit: str = ""
    default: object = None
    whole: bool = False

    @property
    def norm(self) -> str:
        return normalise(self.header)

    @property
    def expected(self) -> str:
        """What a cell of this field must hold, as issues and the template's comments say it."""
        return "a whole number, 0 or more" if self.whole else EXPECTED.get(self.kind) or (
            " / ".join(self.choices) if self.choices else "text")


@dataclass(frozen=True)
class TableSheet:
    name: str
    fields: tuple[Field, ...]
    required: bool = False
    help: str = ""
    unique: tuple[str, ...] = ()

    @property
    def norm(self) -> str:
        return normalise(self.name)

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)


def normalise(text: object) -> str:
    """Case-insensitive, space-insensitive form of a header, item or sheet name."""
    return re.sub(r"\s+", " ", str(text).replace("\u00a0", " ")).strip().casefold()


F = Field

BOCES_ITEMS: tuple[Field, ...] = (
    F("BOCES name", "boces_name", "text", True, help="The BOCES's name as it appears on reports."),
    F("BOCES code", "boces_code", "text", True, help="The BOCES's code; names the output folder."),
    F("School year", "school_year", "year", True, help="The budget year, e.g. 2026-27 (July 1 - June 30)."),
    F("Apportionment method", "method", "choice", True, METHODS,
      "Basis for sharing the administrative, capital and rent budgets (Educ. Law §1950(4)(b)(7))."),
    F("Blend authority", "blend_authority", "choice", False, BLEND_AUTHORITIES,
      "With method blend: Suffolk or Putnam-Northern Westchester."),
    F("Blend true value percent", "blend_tv_percent", "fraction", False,
      help="With method blend: percent apportioned by true value, 0-100 (1 or less is a fraction).", unit="percent"),
    F("Administrative budget", "admin_budget", "money", True, help="Proposed administrative budget.", unit="dollars"),
    F("Capital budget", "capital_budget", "money", True,
      help="Construction, DASNY and other capital payments, not rentals.", unit="dollars"),
    F("Rent budget", "rent_budget", "money", False, help="Facility rentals, billed and aided apart.", unit="dollars", default=0),
    F("Administrative salaries over limit", "admin_salaries_over_limit", "money", False,
      help="Administrative salaries above the salary limit (not approved cost).", unit="dollars", default=0),
    F("State aid administrative", "state_aid_admin", "money", False, unit="dollars", default=0),
    F("State aid capital", "state_aid_capital", "money", False, unit="dollars", default=0),
    F("Other revenue administrative", "other_revenue_admin", "money", False,
      help="Revenue netted before charging components (non-component charges, cross-contracts).", unit="dollars", default=0),
    F("Other revenue capital", "other_revenue_capital", "money", False, unit="dollars", default=0),
    F("Administrative surplus", "admin_surplus", "signed money", False,
      help="Positive = returned to districts, negative = assessment.", unit="dollars", default=0),
    F("Prior year method", "prior_method", "choice", False, METHODS),
    F("Method hearing date", "hearing_date", "date", False),
    F("Annual meeting date", "annual_meeting_date", "date", False),
    F("Prior year administrative budget", "prior_admin_budget", "money", False, unit="dollars"),
    F("Excluded retirement increases", "excluded_increases", "money", False,
      help="Supplemental retirement, retiree health and other retirement increases (8 NYCRR 170.3(b)).", unit="dollars", default=0),
    F("State average AV per RWADA", "state_avg_av_per_rwada", "money", False,
      help="NYSED's statewide average for the aid year; overrides the built-in value.", unit="dollars"),
    F("Capital aidable fraction", "capital_aidable_fraction", "fraction", False,
      help="Part of the capital budget that is aidable, 0-1.", default=1),
    F("District superintendent salary", "ds_salary", "money", False, unit="dollars"),
    F("Rounding", "rounding", "choice", False, ROUNDINGS, "How shares are settled to the cent.", default="largest remainder"),
    F("Business office email", "business_office_email", "email", False,
      help="The address district statements are emailed from (apportion mail's sender)."),
    F("Prepared date", "prepared_date", "date", False,
      help="The prepared-on date printed on the statements and the summary (blank: none, or run --prepared)."),
)

DISTRICTS = TableSheet("Districts", (
    F("District code", "district_code", "code", True, help="12-digit BEDS code."),
    F("District name", "district_name", "text", True),
    F("Type", "type", "choice", False, DISTRICT_TYPES, "Blank = component.", default="component"),
    F("Full value", "full_value", "money", False, help="True (full) valuation for the true value method.", unit="dollars"),
    F("RWADA", "rwada", "quantity", False, help="Resident weighted ADA (WADA method).", unit="pupils"),
    F("Enrollment", "enrollment", "quantity", False, help="Resident public school enrollment.", unit="pupils",
      whole=True),
    F("Aid AV", "aid_av", "money", False, help="Actual valuation for the aid year; blank = Full value.", unit="dollars"),
    F("Aid RWADA", "aid_rwada", "quantity", False, help="RWADA for the aid year; blank = RWADA.", unit="pupils"),
    F("Tax levy", "tax_levy", "money", False, unit="dollars"),
    F("PILOTs", "pilots", "money", False, help="RPTL §485 payments in lieu of taxes.", unit="dollars", default=0),
    F("Budget vote", "budget_vote", "choice", False, VOTES, "The board's resolution on the administrative budget."),
    F("Email", "email", "emails", False, help="One or more addresses, separated by ;"),
    F("Prior year total charges", "prior_total_charges", "signed money", False, unit="dollars"),
), required=True, unique=("district_code",))

SERVICES = TableSheet("Services", (
    F("Service code", "service_code", "key", True),
    F("Service name", "service_name", "text", False),
    F("Budget", "budget", "money", True, unit="dollars"),
    F("Unit", "unit", "text", False, help="e.g. pupil, FTE, attendee"),
    F("Unit cost basis", "basis", "choice", False, UNIT_COST_BASES, default="anticipated"),
    F("Aidable", "aidable", "yesno", False, default=True),
    F("Transportation", "transportation", "yesno", False, default=False),
    F("Salaries over limit", "salaries_over_limit", "money", False,
      help="Blank = computed from the Staff sheet.", unit="dollars"),
    F("Non-aidable costs", "non_aidable", "money", False, unit="dollars", default=0),
    F("Approvals", "approvals", "quantity", False, help="Participating districts approving the methodology.",
      whole=True),
    F("Students with disabilities", "swd", "yesno", False, default=False),
    F("Actual cost", "actual_cost", "money", False, unit="dollars"),
    F("Surplus", "surplus", "signed money", False, help="Positive = returned, negative = assessment.", unit="dollars", default=0),
), unique=("service_code",))

PARTICIPATION = TableSheet("Participation", (
    F("District code", "district_code", "code", True),
    F("Service code", "service_code", "key", True),
    F("Units", "units", "quantity", False, default=0),
    F("Current units", "current_units", "quantity", False, default=0),
    F("Prior units", "prior_units", "quantity", False, default=0),
    F("Prior 2 units", "prior2_units", "quantity", False, default=0),
    F("Actual units", "actual_units", "quantity", False),
), unique=("district_code", "service_code"))

STAFF = TableSheet("Staff", (
    F("Service code", "service_code", "key", True),
    F("Employee", "employee", "text", False),
    F("Salary", "salary", "money", True, unit="dollars"),
), unique=("service_code", "employee"))

SHARED_PD = TableSheet("Shared PD", (
    F("Contract", "contract", "key", True),
    F("Vendor", "vendor", "text", False),
    F("Cost", "cost", "money", True, unit="dollars"),
    F("Days", "days", "quantity", True),
    F("Credit or certificate", "credit", "yesno", False, default=False),
    F("Non-aidable costs", "non_aidable", "money", False, unit="dollars", default=0),
    F("Board approval date", "board_approval_date", "date", True),
    F("Start date", "start_date", "date", True),
), unique=("contract",))

PD_ATTENDANCE = TableSheet("PD Attendance", (
    F("Contract", "contract", "key", True),
    F("District code", "district_code", "code", True),
    F("Date", "date", "date", False),
    F("Staff attending", "staff", "quantity", True, whole=True),
), unique=("contract", "district_code", "date"))

AID_CLAIM = TableSheet("Aid claim", (
    F("District code", "district_code", "code", True),
    F("Approved administrative expense", "approved_admin", "money", False, unit="dollars", default=0),
    F("Approved services expense", "approved_services", "money", False, unit="dollars", default=0),
    F("Capital expense", "capital_expense", "money", False, unit="dollars", default=0),
    F("Rent expense", "rent_expense", "money", False, unit="dollars", default=0),
    F("Save-harmless aid", "save_harmless_aid", "money", False, unit="dollars", default=0),
    F("Published admin and services aid", "published_admin_services", "money", False, unit="dollars"),
    F("Published capital aid", "published_capital", "money", False, unit="dollars"),
    F("Published rent aid", "published_rent", "money", False, unit="dollars"),
    F("Published total BOCES aid", "published_total", "money", False, unit="dollars"),
), unique=("district_code",))

COLLABORATION = TableSheet("Collaboration hours", (
    F("Teacher", "teacher", "text", True),
    F("District code", "district_code", "code", False),
    F("Course", "course", "text", False),
    F("Quarter", "quarter", "quarter", True, help="e.g. 2026-Q1"),
    F("Hours", "hours", "quantity", True),
    F("Wants credit", "wants_credit", "yesno", False, default=True),
))

TABLE_SHEETS: tuple[TableSheet, ...] = (
    DISTRICTS, SERVICES, PARTICIPATION, STAFF, SHARED_PD, PD_ATTENDANCE, AID_CLAIM, COLLABORATION,
)
BOCES_SHEET = "BOCES"
SHEET_NAMES = (BOCES_SHEET,) + tuple(s.name for s in TABLE_SHEETS)

#: what a cell of each kind must hold, as the issues and the template's comments say it
EXPECTED = {
    "money": "dollars in whole cents, 0 or more",
    "signed money": "dollars in whole cents",
    "quantity": "a number, 0 or more",
    "code": "a 12-digit BEDS code",
    "yesno": "yes or no",
    "date": f"a date from {DATE_RANGE[0]} to {DATE_RANGE[1]} (e.g. 2026-03-04)",
    "quarter": f"a year from {DATE_RANGE[0].year} to {DATE_RANGE[1].year} and a quarter 1 to 4, e.g. 2026-Q1",
    "emails": "email addresses separated by ;",
    "email": "one email address",
}


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
