"""The CSV exports of docs/formats.md: billing.csv, aid.csv, reconciliation.csv and issues.csv."""
from __future__ import annotations

import csv
import io

import pandas as pd

from ..errors import ISSUE_FIELDS, Issue, grouped_lines
from ..result import Result
from .text import cents_text, distinct_texts, safe_text, scaled_text, visible, whole_text

BILLING_COLUMNS = ["district_code", "district_name", "category", "item_code", "item_name", "units", "unit_cost", "amount"]
AID_COLUMNS = ["district_code", "district_name", "tax_rate_mills", "millage_ratio", "wealth_ratio", "rwada_ratio",
               "sharing_ratio", "ratio_source", "capital_ratio", "approved_admin", "approved_services",
               "capital_expense", "rent_expense", "admin_aid", "services_aid", "capital_aid", "rent_aid",
               "save_harmless_aid", "total_aid", "total_charges", "net_cost"]
RECONCILIATION_COLUMNS = ["district_code", "district_name", "line", "computed", "published", "difference"]


def csv_lines(rows) -> bytes:
    """Rows as CSV lines (UTF-8, "\\n" line ends: the same bytes on every system)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def csv_bytes(header: list[str], rows) -> bytes:
    """A whole CSV file: the header line, then the rows."""
    return csv_lines([header]) + csv_lines(rows)


def billing_csv(result: Result) -> bytes:
    """One row per charge, sorted by district code, category and item code; amounts with two decimals."""
    b = result.billing
    rows = zip(distinct_texts(b["district_code"], safe_text), distinct_texts(b["district_name"], safe_text), b["category"].tolist(),
               distinct_texts(b["item_code"], safe_text), distinct_texts(b["item_name"], safe_text), b["units"].fillna("").tolist(),
               distinct_texts(b["unit_cost"], cents_text), distinct_texts(b["amount"], cents_text))
    return csv_bytes(BILLING_COLUMNS, rows)


def aid_csv(result: Result) -> bytes:
    """One row per component district: ratios with three decimals, mills with one, aid in whole dollars."""
    a = result.aid.table
    ratio = lambda c: a[c].map(lambda v: scaled_text(v, 1000))  # noqa: E731
    whole = lambda c: a[c].map(whole_text)  # noqa: E731
    rows = zip(a.index.map(safe_text), a["district_name"].map(safe_text),
               a["tax_rate_tenths"].map(lambda v: scaled_text(v, 10)), ratio("millage_ratio"), ratio("wealth_ratio"),
               ratio("rwada_ratio"), ratio("sharing_ratio"), a["ratio_source"], ratio("capital_ratio"),
               whole("approved_admin"), whole("approved_services"), whole("capital_expense"), whole("rent_expense"),
               whole("admin_aid"), whole("services_aid"), whole("capital_aid"), whole("rent_aid"),
               whole("save_harmless_aid"), whole("total_aid"), a["total_charges"].map(cents_text),
               a["net_cost"].map(cents_text))
    return csv_bytes(AID_COLUMNS, rows)


def reconciliation_csv(result: Result) -> bytes:
    r = result.aid.reconciliation
    rows = zip(r["district_code"].map(safe_text), r["district_name"].map(safe_text), r["line"],
               r["computed"].map(whole_text), r["published"].map(whole_text), r["difference"].map(whole_text))
    return csv_bytes(RECONCILIATION_COLUMNS, rows)


def issues_csv(issues: list[Issue]) -> bytes:
    """Every warning (and, for a failed job, every error), in reading order."""
    return csv_bytes(list(ISSUE_FIELDS), ([safe_text(getattr(i, f)) for f in ISSUE_FIELDS] for i in issues))


def errors_txt(job_name: str, issues: list[Issue], errors: int | None = None) -> bytes:
    """A person-readable account of why a job was not computed, grouped by file and sheet; ``errors``: how
    many were found, when more than are listed (the cap per code)."""
    errors = max(errors or 0, sum(i.severity == "error" for i in issues))
    lines = [f"{visible(job_name)}: {errors:,} error(s). Nothing was computed; no report was written.", ""]
    lines += grouped_lines(issues, job_name)
    lines += ["", "Fix these and run `apportion validate` again."]
    return ("\n".join(lines) + "\n").encode("utf-8")
