"""The CSV exports of docs/formats.md: billing.csv, aid.csv, reconciliation.csv and issues.csv."""
from __future__ import annotations

import csv
import io
import re
from itertools import islice
from typing import Iterator

import pandas as pd

from ..errors import ISSUE_FIELDS, Issue, grouped_lines
from ..result import Result
from .text import cents_text, cents_texts, distinct_texts, safe_text, scaled_text, visible, whole_text

BILLING_COLUMNS = ["district_code", "district_name", "category", "item_code", "item_name", "units", "unit_cost", "amount"]
AID_COLUMNS = ["district_code", "district_name", "tax_rate_mills", "millage_ratio", "wealth_ratio", "rwada_ratio",
               "sharing_ratio", "ratio_source", "capital_ratio", "approved_admin", "approved_services",
               "capital_expense", "rent_expense", "admin_aid", "services_aid", "capital_aid", "rent_aid",
               "save_harmless_aid", "total_aid", "total_charges", "net_cost"]
RECONCILIATION_COLUMNS = ["district_code", "district_name", "line", "computed", "published", "difference"]


def csv_lines(rows) -> bytes:
    """Rows as CSV lines (UTF-8, "\\n" line ends: the same bytes on every system)."""
    return _csv_text(rows).encode("utf-8")


def _csv_text(rows) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def csv_bytes(header: list[str], rows) -> bytes:
    """A whole CSV file: the header line, then the rows."""
    return csv_lines([header]) + csv_lines(rows)


# what makes the csv module quote a field (the delimiter, the quote character, a line end); without one a
# field is written as it is
_QUOTED = re.compile('[,"\r\n]')


def csv_field(value) -> str:
    """``value`` as one field of a CSV row as :func:`csv_lines` writes it among others: as it is (blank for
    None), or quoted by the csv module itself when it holds a comma, a quote or a line end."""
    text = "" if value is None else str(value)
    return _csv_text([[text, ""]])[:-2] if _QUOTED.search(text) else text  # less the "," and "\n" after it


def csv_columns(header: list[str], columns: list[list[str]]) -> bytes:
    """A whole CSV file from its columns of fields (as :func:`csv_field` writes them; at least two columns,
    as a row of one blank field alone is written ``""``): the bytes :func:`csv_bytes` gives, each row one
    ``str.join`` instead of the csv module looking at every character of every field of every row."""
    return b"".join(csv_chunks(header, columns))


#: rows made into text at a time by :func:`csv_chunks`: a million-row billing.csv (142 MB) made as one text,
#: then encoded, held about 450 MB at once in the process writing it
CHUNK_ROWS = 50_000


def csv_chunks(header: list[str], columns: list[list[str]]) -> Iterator[bytes]:
    """:func:`csv_columns`' bytes in pieces (the header line, then :data:`CHUNK_ROWS` rows at a time), to be
    written to a file as made: only one piece is held as text at a time."""
    if len(columns) < 2:
        raise ValueError("csv_columns writes two columns or more")
    yield csv_lines([header])
    rows = map(",".join, zip(*columns))
    while lines := list(islice(rows, CHUNK_ROWS)):
        yield ("\n".join(lines) + "\n").encode("utf-8")


def _fields(values, text=csv_field) -> list[str]:
    """A column as CSV fields: ``text`` of each value (:func:`csv_field` of it unless ``text`` says otherwise),
    then quoted as the csv module quotes it, both once per distinct value."""
    return distinct_texts(values, text if text is csv_field else lambda v: csv_field(text(v)))


def billing_csv(result: Result) -> bytes:
    """One row per charge, sorted by district code, category and item code; amounts with two decimals."""
    return b"".join(billing_chunks(result))


def billing_chunks(result: Result) -> Iterator[bytes]:
    """:func:`billing_csv`'s bytes in pieces (:func:`csv_chunks`), for writing a large job's as they are made."""
    b = result.billing
    columns = [_fields(b["district_code"], safe_text), _fields(b["district_name"], safe_text), _fields(b["category"]),
               _fields(b["item_code"], safe_text), _fields(b["item_name"], safe_text),
               _fields(b["units"], lambda v: "" if pd.isna(v) else v), cents_texts(b["unit_cost"], cents_text),
               cents_texts(b["amount"], cents_text)]  # cents' text is never quoted: digits, a sign, a point
    yield from csv_chunks(BILLING_COLUMNS, columns)


def aid_csv(result: Result) -> bytes:
    """One row per component district: ratios with three decimals, mills with one, aid in whole dollars."""
    a = result.aid.table
    ratio = lambda c: _fields(a[c], lambda v: scaled_text(v, 1000))  # noqa: E731
    whole = lambda c: _fields(a[c], whole_text)  # noqa: E731
    columns = [_fields(a.index, safe_text), _fields(a["district_name"], safe_text),
               _fields(a["tax_rate_tenths"], lambda v: scaled_text(v, 10)), ratio("millage_ratio"),
               ratio("wealth_ratio"), ratio("rwada_ratio"), ratio("sharing_ratio"), _fields(a["ratio_source"]),
               ratio("capital_ratio"), whole("approved_admin"), whole("approved_services"), whole("capital_expense"),
               whole("rent_expense"), whole("admin_aid"), whole("services_aid"), whole("capital_aid"),
               whole("rent_aid"), whole("save_harmless_aid"), whole("total_aid"),
               cents_texts(a["total_charges"], cents_text), cents_texts(a["net_cost"], cents_text)]
    return csv_columns(AID_COLUMNS, columns)


def reconciliation_csv(result: Result) -> bytes:
    r = result.aid.reconciliation
    columns = [_fields(r["district_code"], safe_text), _fields(r["district_name"], safe_text), _fields(r["line"]),
               _fields(r["computed"], whole_text), _fields(r["published"], whole_text),
               _fields(r["difference"], whole_text)]
    return csv_columns(RECONCILIATION_COLUMNS, columns)


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
