"""Emailing each district its statement (FORMATS.md, Command line: ``apportion mail``).

Two steps, both safe to repeat:

1. :func:`write_outbox` reads every ``districts/*.xlsx`` statement of a job's
   output folder and writes one ``.eml`` per district with an address into
   ``outbox/`` (districts without one go to ``outbox/no-address.csv``). The
   messages are byte-for-byte deterministic: the Date comes from the
   statement's workbook "created" property, the MIME boundary and Message-ID
   from a hash of the district code and the message content — never the clock
   or a random number — so an unchanged statement always gives the same message.
2. :func:`send_outbox` delivers them over SMTP and appends each delivery to
   ``outbox/sent.csv``; a message whose Message-ID is already there is skipped,
   so a retry after a failure never sends the same message twice.

The SMTP password lives only in memory: it is never written, logged or put in
an error message.
"""
from __future__ import annotations

import csv
import hashlib
import html
import re
import smtplib
import socket
import ssl
import textwrap
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Callable, Iterable

from .writers.atomic import write_file

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
OUTBOX = "outbox"
SENT_FIELDS = ["district_code", "to", "message_id", "sha256", "sent_at"]
NO_ADDRESS_FIELDS = ["district_code", "district_name", "statement"]
# The statement header block (writers/statement.py) sits in rows 3-9; reading a
# few more rows lets the layout grow without this module having to change.
HEADER_ROWS = 30
TITLE_SEPARATOR = " — statement for "
SECURITIES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
CLOSING = ("Net cost is total charges less BOCES aid. The attached workbook shows the working behind each "
           "charge and the aid figures. Please reply to this message with any questions.")


class MailError(Exception):
    """A problem the user must fix (unreadable statement, refused or unreachable server); one line."""


@dataclass(frozen=True)
class Statement:
    """What one district statement says, as ``apportion mail`` needs it."""

    path: Path
    boces: str
    year: str
    code: str
    name: str
    emails: tuple[str, ...]
    total_charges: Decimal  # dollars and cents
    total_aid: Decimal  # whole dollars
    net_cost: Decimal  # dollars and cents
    created: datetime | None  # the workbook's "created" property: a fixed date from the inputs


@dataclass(frozen=True)
class Draft:
    """One message written to the outbox."""

    statement: Statement
    path: Path
    message_id: str
    recipients: tuple[str, ...]


@dataclass
class Outbox:
    """The result of :func:`write_outbox`."""

    folder: Path
    drafts: list[Draft] = field(default_factory=list)
    no_address: list[Statement] = field(default_factory=list)


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to deliver; ``password`` is left out of ``repr`` so it never reaches a log."""

    host: str
    sender: str
    port: int | None = None
    security: str = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]


@dataclass
class SendReport:
    """What :func:`send_outbox` did."""

    sent: list[Draft] = field(default_factory=list)
    skipped: list[Draft] = field(default_factory=list)
    refused: dict[str, dict] = field(default_factory=dict)  # message-id → recipients the server refused


# ---------------------------------------------------------------- reading statements


def _money(value, label: str, path: Path) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise MailError(f"{path.name}: sheet \"Statement\": '{label}' should be a number, found {value!r}")
    # repr of a float is the shortest text that reads back the stored value: what Excel shows.
    return Decimal(repr(value) if isinstance(value, float) else value)


def _one_line(value) -> str:
    """Workbook text for a header or a sentence: never a line break (header injection), never None."""
    return " ".join(str(value or "").split())


def split_addresses(cell) -> tuple[str, ...]:
    """The addresses in an ``Email`` cell: ``;``-separated (``,`` too, as the reader accepts)."""
    return tuple(p.strip() for p in re.split(r"[;,]", str(cell or "")) if p.strip())


def _labels(rows: Iterable[tuple]) -> dict[str, object]:
    """Column A label → column B value, first occurrence of each (the layout's rows may move; labels stay)."""
    labels: dict[str, object] = {}
    for row in rows:
        label = _one_line(row[0] if row else "")
        if label and label not in labels:
            labels[label] = row[1] if len(row) > 1 else None
    return labels


def _sheet_rows(path: Path, sheet: str) -> tuple[list[tuple], datetime | None]:
    """The first rows (columns A and B) of ``sheet`` and the workbook's "created" property."""
    from openpyxl import load_workbook
    try:
        # data_only: a total written as a formula is read as the value Excel (or xlsxwriter) cached for it.
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a truncated or foreign file: name it rather than crash
        raise MailError(f"{path.name}: not a readable workbook ({type(exc).__name__})") from None
    try:
        if sheet not in book.sheetnames:
            raise MailError(f"{path.name}: no sheet \"{sheet}\"")
        rows = list(book[sheet].iter_rows(max_row=HEADER_ROWS, max_col=2, values_only=True))
        return rows, book.properties.created
    finally:
        book.close()


def _run_sheet_names(folder: Path) -> tuple[str, str] | None:
    """BOCES name and school year from the summary workbook's "Run" sheet, the fallback for an odd title."""
    for summary in sorted(folder.glob("*_summary.xlsx")):
        try:
            labels = _labels(_sheet_rows(summary, "Run")[0])
        except MailError:
            continue
        boces, year = _one_line(labels.get("BOCES")), _one_line(labels.get("School year"))
        if boces and year:
            return re.sub(r"\s*\([^()]*\)$", "", boces), year  # "Name (CODE)" → "Name"
    return None


def read_statement(path: Path) -> Statement:
    """The header block of a statement's "Statement" sheet, found by its labels in column A."""
    rows, created = _sheet_rows(path, "Statement")
    title = _one_line(rows[0][0] if rows and rows[0] else "")
    labels = _labels(rows[1:])
    missing = [k for k in ("District code", "District name", "Total charges", "Total BOCES aid", "Net cost")
               if labels.get(k) is None]
    if missing:
        raise MailError(f"{path.name}: sheet \"Statement\" has no value for " + ", ".join(f"'{m}'" for m in missing))
    boces, sep, year = title.rpartition(TITLE_SEPARATOR)
    if not (sep and boces and year):
        names = _run_sheet_names(path.parent.parent)
        if names is None:
            raise MailError(f"{path.name}: cannot tell the BOCES and school year "
                            f"(title {title!r}, no summary workbook)")
        boces, year = names
    return Statement(path=path, boces=boces, year=year, code=_one_line(labels["District code"]),
                     name=_one_line(labels["District name"]), emails=split_addresses(labels.get("Email")),
                     total_charges=_money(labels["Total charges"], "Total charges", path),
                     total_aid=_money(labels["Total BOCES aid"], "Total BOCES aid", path),
                     net_cost=_money(labels["Net cost"], "Net cost", path), created=created)


# ---------------------------------------------------------------- building messages


def dollars(amount: Decimal, cents: bool = True) -> str:
    """``-$1,234.50`` (or whole dollars), as the statement shows it."""
    places = Decimal("0.01") if cents else Decimal("1")
    value = amount.quantize(places)
    text = f"${abs(value):,.2f}" if cents else f"${abs(value):,.0f}"
    return ("-" if value < 0 else "") + text


def subject(st: Statement) -> str:
    return f"{st.boces} {st.year} BOCES charges — {st.name}"


def _figures(st: Statement) -> list[tuple[str, str]]:
    return [("Total charges", dollars(st.total_charges)), ("Total BOCES aid", dollars(st.total_aid, cents=False)),
            ("Net cost", dollars(st.net_cost))]


def text_body(st: Statement) -> str:
    width = max(len(label) for label, _ in _figures(st)) + 2
    lines = [f"To the business official of {st.name} ({st.code}),", "",
             textwrap.fill(f"Attached is your district's statement of BOCES charges from {st.boces} for the "
                           f"{st.year} school year.", 72), ""]
    lines += [f"    {label + ':':<{width}}{value:>18}" for label, value in _figures(st)]
    lines += ["", textwrap.fill(CLOSING, 72), "", st.boces, ""]
    return "\n".join(lines)


def html_body(st: Statement) -> str:
    """The same summary as HTML; every value from the workbook is escaped."""
    e = html.escape
    rows = "".join(f'<tr><th style="text-align:left;padding-right:2em">{e(label)}</th>'
                   f'<td style="text-align:right">{e(value)}</td></tr>' for label, value in _figures(st))
    return (f"<!DOCTYPE html>\n<html><body>\n<p>To the business official of {e(st.name)} ({e(st.code)}),</p>\n"
            f"<p>Attached is your district's statement of BOCES charges from {e(st.boces)} for the "
            f"{e(st.year)} school year.</p>\n<table>{rows}</table>\n"
            f"<p>{e(CLOSING)}</p>\n"
            f"<p>{e(st.boces)}</p>\n</body></html>\n")


def _message_date(st: Statement) -> datetime:
    # Fixed from the inputs (the writers stamp the school year's first day), never the clock.
    created = st.created or datetime(2000, 1, 1)
    return created if created.tzinfo else created.replace(tzinfo=timezone.utc)


def build_message(st: Statement, attachment: bytes, sender: str | None) -> EmailMessage:
    """The message for one district: text and HTML bodies and the statement attached.

    Its Message-ID and MIME boundaries come from a hash of everything in it, so
    the same statement and sender always give the same bytes.
    """
    date = format_datetime(_message_date(st))
    digest = hashlib.sha256()
    for part in (st.code, sender or "", "; ".join(st.emails), subject(st), date, text_body(st), html_body(st),
                 st.path.name):
        digest.update(part.encode("utf-8") + b"\0")
    digest.update(attachment)
    token = digest.hexdigest()
    domain = parseaddr(sender or "")[1].rpartition("@")[2] or "apportion.invalid"

    msg = EmailMessage(policy=policy.SMTP)
    if sender:
        msg["From"] = _one_line(sender)
    msg["To"] = ", ".join(st.emails)
    msg["Subject"] = _one_line(subject(st))
    msg["Date"] = date
    msg["Message-ID"] = f"<{token[:32]}@{domain}>"  # short enough not to be folded onto a second line
    msg["X-Apportion-District"] = _one_line(st.code)
    msg.set_content(text_body(st))
    msg.add_alternative(html_body(st), subtype="html")
    msg.add_attachment(attachment, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=st.path.name)
    # The generator would otherwise pick random boundaries; one per multipart level, derived from the hash.
    for level, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        part.set_boundary(f"=_apportion_{token[:32]}_{level}")
    return msg


# ---------------------------------------------------------------- files


def _csv_rows(rows: Iterable[list[str]]) -> bytes:
    """CSV lines with the project's rule for text cells (a leading = + - @ gets a ')."""
    from .writers.csvs import csv_lines
    from .writers.text import safe_text
    return csv_lines([safe_text(v) for v in row] for row in rows)


def _csv_bytes(header: list[str], rows: Iterable[list[str]]) -> bytes:
    return _csv_rows([header]) + _csv_rows(rows)


def statements_in(job_folder: Path) -> list[Path]:
    """The statement workbooks of a job's output folder, by name; lock and hidden files skipped."""
    folder = job_folder / "districts"
    if not folder.is_dir():
        raise MailError(f"{job_folder}: no districts/ folder — give the output folder of a computed job "
                        "(e.g. outputs/<BOCES code>_<year>)")
    return sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith(("~$", ".")))


def write_outbox(job_folder: Path, sender: str | None = None) -> Outbox:
    """Write one ``.eml`` per district with an address into ``job_folder/outbox/`` and list the others.

    ``.eml`` files left from an earlier run for a district that no longer has
    an address (or statement) are removed, so the outbox always matches the statements.
    """
    outbox = Outbox(job_folder / OUTBOX)
    keep: set[str] = set()
    for path in statements_in(job_folder):
        st = read_statement(path)
        if not st.emails:
            outbox.no_address.append(st)
            continue
        attachment = path.read_bytes()
        msg = build_message(st, attachment, sender)
        target = outbox.folder / f"{path.stem}.eml"
        write_file(target, msg.as_bytes())
        keep.add(target.name)
        outbox.drafts.append(Draft(st, target, str(msg["Message-ID"]).strip(), st.emails))
    if outbox.folder.is_dir():
        for stale in outbox.folder.glob("*.eml"):
            if stale.name not in keep:
                stale.unlink()
    rows = [[st.code, st.name, st.path.name] for st in outbox.no_address]
    write_file(outbox.folder / "no-address.csv", _csv_bytes(NO_ADDRESS_FIELDS, rows))
    return outbox


def sent_ids(folder: Path) -> set[str]:
    """Message-IDs already recorded in ``outbox/sent.csv``."""
    path = folder / "sent.csv"
    if not path.exists():
        return set()
    with open(path, newline="", encoding="utf-8") as fh:
        return {row["message_id"].strip() for row in csv.DictReader(fh) if row.get("message_id")}


def record_sent(folder: Path, draft: Draft, sha: str, when: datetime) -> None:
    """Append one delivery to ``sent.csv``.

    The whole file is rewritten beside the old one and renamed over it, so a
    crash leaves either the old manifest or the new one, never half a row.
    """
    path = folder / "sent.csv"
    old = path.read_bytes() if path.exists() else _csv_rows([SENT_FIELDS])
    row = _csv_rows([[draft.statement.code, "; ".join(draft.recipients), draft.message_id, sha,
                      when.isoformat(timespec="seconds")]])
    write_file(path, old + (b"" if old.endswith(b"\n") else b"\n") + row)


# ---------------------------------------------------------------- sending


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.security not in SECURITIES:
        raise MailError(f"unknown SMTP security {settings.security!r}; use one of {', '.join(SECURITIES)}")
    if settings.user and settings.security == "none" and settings.host not in LOOPBACK:
        raise MailError("refusing to send the SMTP password unencrypted; use --security starttls or ssl")
    where = f"{settings.host}:{settings.effective_port}"
    context = ssl.create_default_context()
    try:
        if settings.security == "ssl":
            smtp = smtplib.SMTP_SSL(settings.host, settings.effective_port, timeout=settings.timeout, context=context)
        else:
            smtp = smtplib.SMTP(settings.host, settings.effective_port, timeout=settings.timeout)
        try:
            if settings.security == "starttls":
                smtp.starttls(context=context)
            if settings.user:
                smtp.login(settings.user, settings.password or "")
        except BaseException:
            smtp.close()
            raise
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"SMTP server {where} refused the login for {settings.user}: {_reply(exc)}") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(f"SMTP server {where}: {_one_line(exc)} (check the security setting and the user)") from None
    except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
        raise MailError(f"cannot reach SMTP server {where}: {_reason(exc)}") from None
    return smtp


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"{exc.smtp_code} {_one_line(text)}"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc)
    if isinstance(exc, socket.timeout):
        return "timed out"
    return _one_line(getattr(exc, "strerror", None) or exc) or type(exc).__name__


def send_outbox(outbox: Outbox, settings: SmtpSettings, on_event: Callable[[str, Draft], None] | None = None,
                clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> SendReport:
    """Deliver every draft not yet in ``sent.csv``; record each one the server accepted as soon as it did.

    Raises :class:`MailError` when the server cannot be reached or refuses a
    message; deliveries that succeeded before stay recorded, the failed one is not.
    ``on_event("sent" | "skipped", draft)`` reports progress.
    """
    from .runner import sha256
    report = SendReport()
    done = sent_ids(outbox.folder)
    pending = []
    for draft in outbox.drafts:
        if draft.message_id in done:
            report.skipped.append(draft)
            if on_event:
                on_event("skipped", draft)
        else:
            pending.append(draft)
    if not pending:
        return report
    envelope_from = parseaddr(settings.sender)[1] or settings.sender
    smtp = _connect(settings)
    try:
        for draft in pending:
            data = draft.path.read_bytes()  # exactly the file on disk, so sent.csv's hash is what went out
            try:
                refused = smtp.sendmail(envelope_from, list(draft.recipients), data)
            except smtplib.SMTPRecipientsRefused as exc:
                raise MailError(f"{draft.statement.code}: the SMTP server refused every recipient "
                                f"({', '.join(exc.recipients)})") from None
            except (smtplib.SMTPException, OSError) as exc:
                raise MailError(f"{draft.statement.code}: sending failed at {settings.host}:"
                                f"{settings.effective_port}: {_reason(exc)}") from None
            record_sent(outbox.folder, draft, sha256(draft.path), clock())
            report.sent.append(draft)
            if refused:
                report.refused[draft.message_id] = refused
            if on_event:
                on_event("sent", draft)
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
    return report
