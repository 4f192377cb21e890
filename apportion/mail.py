"""Emailing each district its statement (docs/formats.md, Command line: ``apportion mail``).

Two steps, both safe to repeat:

1. :func:`write_outbox` reads the job's ``mail.json`` (written with the
   outputs: each district's addresses, totals, statement lines and files) and
   writes one ``.eml`` per district with an address into ``outbox/`` (the
   others go to ``outbox/no-address.csv``). Drafts are byte-for-byte
   deterministic: no Date (it is set when a message is sent), MIME boundaries
   and Message-ID from a hash of the content — never the clock or a random
   number. A statement whose content differs from what that district was last
   sent is marked "Revised" and its body lists the lines that changed.
2. :func:`send_outbox` delivers them over SMTP. Each delivery is recorded in
   ``outbox/sent.csv`` by recipient and statement content, so a retry — or a
   change of the sender's display name — never sends the same statement to the
   same address twice. A message that fails is listed in ``outbox/failed.csv``
   and the others still go.

The SMTP password lives only in memory: it is never written, logged or put in
an error message.
"""
from __future__ import annotations

import base64
import csv
import hashlib
import html
import json
import smtplib
import socket
import ssl
import textwrap
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime, timezone
from decimal import Decimal
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Callable, Iterable

from .textsafe import clean_text
from .writers.atomic import write_file
from .writers.manifest import FORMAT, MANIFEST

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
PDF_TYPE = ("application", "pdf")
OUTBOX = "outbox"
SENT_FIELDS = ["district_code", "to", "message_id", "sha256", "content_sha256", "sent_at"]
FAILED_FIELDS = ["district_code", "to", "reason"]
NO_ADDRESS_FIELDS = ["district_code", "district_name", "statement"]
LAST_SENT = "last-sent.json"
SENT_RUNS = "sent"
SECURITIES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
MODE_WORDS = {"estimate": "charges estimate", "claim": "charges and aid claim"}
CLOSING = ("Net cost is total charges less BOCES aid. The attached statement shows the working behind each "
           "charge and the aid figures. Please reply to this message with any questions.")


class MailError(Exception):
    """A problem the user must fix (no manifest, refused or unreachable server, unwritable disk); one line."""


# ---------------------------------------------------------------- the manifest


@dataclass(frozen=True)
class Statement:
    """One district's statement as ``mail.json`` describes it."""

    code: str
    name: str
    type: str
    emails: tuple[str, ...]
    aided: bool
    total_charges: Decimal
    total_aid: Decimal
    net_cost: Decimal
    files: dict[str, Path]  # "xlsx", "document" (its JSON), and "pdf" when one was written: absolute paths

    @property
    def xlsx(self) -> Path:
        return self.files["xlsx"]


@dataclass(frozen=True)
class MailJob:
    """The job-level part of ``mail.json``."""

    folder: Path
    boces_name: str
    boces_code: str
    boces_email: str | None
    school_year: str
    aid_year: str
    aid_mode: str
    aid_heading: str
    prepared: str | None
    contingency: bool
    statements: tuple[Statement, ...]
    run: dict[str, bytes]  # billing.csv, aid.csv and basis.json: the run's figures, line by line

    @cached_property
    def figures(self):
        """The run's figures as :mod:`apportion.compare` reads them."""
        from .compare.figures import figures_of_files
        return figures_of_files(self.run, str(self.folder))

    @property
    def variant(self) -> str | None:
        """The what-if variant's name (``run --variant``, recorded in basis.json); None for a real run."""
        return self.figures.variant

    @property
    def run_id(self) -> str:
        """A hash of the run's figure files: names the copy kept of a run once its statements are sent."""
        digest = hashlib.sha256()
        for name, data in sorted(self.run.items()):
            digest.update(name.encode() + b"\0" + data)
        return digest.hexdigest()[:32]


def read_manifest(job_folder: Path) -> MailJob:
    """The job's ``mail.json``, or a :class:`MailError` saying what to do."""
    path = job_folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        hint = ("re-run the job to write it (apportion run …)" if (job_folder / "districts").is_dir()
                else "give the output folder of a computed job (e.g. outputs/<BOCES code>_<year>)")
        raise MailError(f"{job_folder}: no {MANIFEST} — {hint}") from None
    except (OSError, ValueError) as exc:
        raise MailError(f"{path}: not readable ({_reason(exc)})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise MailError(f"{path}: not a manifest this version reads (format {data.get('format')!r}, "
                        f"expected {FORMAT!r}); re-run the job")
    try:
        statements = tuple(Statement(
            code=d["code"], name=d["name"], type=d["type"], emails=tuple(d["emails"]), aided=bool(d["aided"]),
            total_charges=Decimal(d["total_charges"]), total_aid=Decimal(d["total_aid"]),
            net_cost=Decimal(d["net_cost"]), files={kind: job_folder / rel for kind, rel in d["files"].items()})
            for d in data["districts"])
        boces = data["boces"]
        return MailJob(folder=job_folder, boces_name=boces["name"], boces_code=boces["code"],
                       boces_email=boces.get("email"), school_year=data["school_year"], aid_year=data["aid_year"],
                       aid_mode=data["aid_mode"], aid_heading=data["aid_heading"], prepared=data.get("prepared"),
                       contingency=bool(data["contingency_budget"]), statements=statements,
                       run=_run_files(job_folder))
    except (KeyError, TypeError, ArithmeticError) as exc:
        raise MailError(f"{path}: damaged ({type(exc).__name__}: {exc}); re-run the job") from None


def _run_files(folder: Path) -> dict[str, bytes]:
    from .compare.figures import NotAJobOutput, read_folder
    try:
        return read_folder(folder)
    except NotAJobOutput as exc:
        raise MailError(f"{exc}; re-run the job") from None
    except OSError as exc:
        raise MailError(f"cannot read {exc.filename or folder}: {_reason(exc)}") from None


def content_digest(job: MailJob, st: Statement, figures=None) -> str:
    """What makes a statement the same statement: its job, year, aid mode and every line on it.

    Not the addresses, the sender or the file bytes, so re-sending is decided by content alone.
    """
    lines = (figures or job.figures).lines
    mine = lines[lines["district_code"] == st.code]
    content = {"boces": job.boces_code, "year": job.school_year, "aid_mode": job.aid_mode,
               "contingency": job.contingency, "code": st.code,
               "lines": sorted([c, str(i), int(a)] for c, i, a in zip(mine["category"], mine["item_code"],
                                                                      mine["amount"]))}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- what changed since the last statement sent


@dataclass(frozen=True)
class Change:
    """A statement line whose amount differs from the statement last sent (cents; 0 where the line was not
    there), with the two parts of the change by their drivers (``apportion compare``)."""

    label: str
    old: int
    new: int
    status: str  # "both", "old only" or "new only"
    drivers: tuple[tuple[str, int], tuple[str, int]]


def _label(category: str, item: str, name: str) -> str:
    """A pool charge by its category ("Capital"); a service or contract by its name and code; aid and totals by name."""
    from .writers.labels import CATEGORY_LABELS
    if category in ("administrative", "capital", "rent", "administrative surplus"):
        return CATEGORY_LABELS[category]
    if category not in CATEGORY_LABELS:  # aid lines and the totals
        return name
    named = f"{name} ({item})" if name and name != item else item
    return named if category == "coser" else f"{CATEGORY_LABELS[category]}: {named}"


def changes(old_figures, new_figures, code: str) -> list[Change]:
    """The district's lines whose amount changed, in statement order, from the comparison of the two runs."""
    from .compare import compare
    rows = compare(old_figures, new_figures).changed(code)
    return [Change(_label(r.category, str(r.item_code), str(r.item_name)), int(r.old), int(r.new), r.line_status,
                   ((r.driver_1, int(r.part_1)), (r.driver_2, int(r.part_2))))
            for r in rows.itertuples(index=False)]


def last_sent(folder: Path) -> dict[str, dict]:
    """District code → {"content_sha256", "run"} of the statement last sent to it (``outbox/last-sent.json``);
    ``run`` names the copy of that run's figures kept in ``outbox/sent/``."""
    path = folder / LAST_SENT
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MailError(f"{path}: not readable ({_reason(exc)})") from None


def _sent_run(folder: Path, run_id: str):
    """The figures of a run whose statements were sent, from its kept copy (None if the copy is gone)."""
    from .compare.figures import NotAJobOutput, figures_of_files, read_folder
    try:
        return figures_of_files(read_folder(folder / SENT_RUNS / run_id), run_id)
    except (NotAJobOutput, OSError):
        return None


# ---------------------------------------------------------------- building messages


@dataclass(frozen=True)
class Draft:
    """One message written to the outbox."""

    statement: Statement
    path: Path
    message_id: str
    recipients: tuple[str, ...]  # To and Cc: everyone the message goes to
    digest: str  # content_digest of the statement
    revised: bool = False
    smtputf8: bool = False  # an address is not ASCII: the server must offer SMTPUTF8 (RFC 6531)


@dataclass
class Outbox:
    """The result of :func:`write_outbox`."""

    folder: Path
    sender: Address | None = None  # From of every draft
    run: dict[str, bytes] = field(default_factory=dict)  # the run's figure files (MailJob.run)
    run_id: str = ""
    drafts: list[Draft] = field(default_factory=list)
    no_address: list[Statement] = field(default_factory=list)


@dataclass(frozen=True)
class Envelope:
    """Who a message is from, replies go to and copies go to (the ``mail`` options)."""

    sender: str | None = None  # "Business Office <business@boces.org>" or a bare address
    reply_to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()


def header_text(value) -> str:
    """Text for a header or a one-line sentence: line breaks and other controls become spaces (a line break would
    inject a header), then what no output format allows (bidi overrides and the like) goes, by the one rule."""
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in str(value or ""))
    return " ".join(clean_text(text).split())


def dollars(amount: Decimal, cents: bool = True) -> str:
    """``-$1,234.50`` (or whole dollars), as the statement shows it."""
    value = amount.quantize(Decimal("0.01") if cents else Decimal("1"))
    text = f"${abs(value):,.2f}" if cents else f"${abs(value):,.0f}"
    return ("-" if value < 0 else "") + text


def subject(job: MailJob, st: Statement, revised: bool = False) -> str:
    """E.g. "Example Valley BOCES — 2026-27 charges estimate — Alder Creek CSD" ("BOCES" said once)."""
    boces = header_text(job.boces_name)
    what = MODE_WORDS.get(job.aid_mode, "charges")
    if "boces" not in boces.casefold().split():
        what = "BOCES " + what
    text = f"{boces} — {job.school_year} {what} — {header_text(st.name)}"
    if job.variant:  # said first, where a mail client's list shows it
        text = f"{what_if_words(job)}: {text}"
    return f"Revised: {text}" if revised else text


def what_if_words(job: MailJob) -> str:
    """How a what-if variant's messages say what they are, as its statements' status line does."""
    return f"What-if {header_text(job.variant)!r}, not the adopted figures"


def _figures(job: MailJob, st: Statement) -> list[tuple[str, str]]:
    aid_label = (f"Total BOCES aid ({job.aid_mode}, aid year {job.aid_year})" if st.aided
                 else "Total BOCES aid (non-component: none)")
    return [("Total charges", dollars(st.total_charges)), (aid_label, dollars(st.total_aid, cents=False)),
            ("Net cost", dollars(st.net_cost))]


def _cents(value: int) -> str:
    return dollars(Decimal(value) / 100)


def _change_text(change: Change) -> tuple[str, str, str, str]:
    """Label, old, new and why: the change's two parts by their drivers (e.g. "pool size +$10.00, basis share
    -$2.00"), as ``apportion compare`` splits it."""
    old = "none" if change.status == "new only" else _cents(change.old)
    new = "none" if change.status == "old only" else _cents(change.new)
    parts = [f"{name} {'+' if part > 0 else ''}{_cents(part)}" for name, part in change.drivers if part]
    return header_text(change.label), old, new, ", ".join(parts)


def _paragraphs(job: MailJob, st: Statement, revised: list[Change] | None) -> list[str]:
    """The body's sentences, shared by the text and the HTML part."""
    aid = (f"the BOCES aid {'estimate' if job.aid_mode == 'estimate' else 'as claimed'} for aid year {job.aid_year}"
           if st.aided else "no BOCES aid (the district is not a component)")
    first = (f"Attached is your district's statement of BOCES charges from {header_text(job.boces_name)} for the "
             f"{job.school_year} school year, with {aid}.")
    if job.aid_mode == "estimate" and st.aided:
        first += " The aid is an estimate: the State's aid run sets the amount paid."
    out = [first]
    if job.variant:  # a what-if is never read as the bill: said before anything else
        out.insert(0, f"{what_if_words(job)}: this statement is a what-if variant of the {job.school_year} charges "
                      "(apportion run --variant), not a bill.")
    if job.contingency:
        out.append("The component districts did not adopt the proposed administrative budget, so these charges are "
                   "the contingency budget's (Education Law §1950(4)(b)(5)).")
    if job.prepared:
        out.append(f"Prepared on {job.prepared}.")
    if revised is not None:
        out.append("This revised statement replaces the one sent earlier."
                   + (" The lines that changed (earlier → now, and why):" if revised else ""))
    return out


def text_body(job: MailJob, st: Statement, revised: list[Change] | None = None) -> str:
    figures = _figures(job, st)
    width = max(len(label) for label, _ in figures) + 2
    paragraphs = _paragraphs(job, st, revised)
    lines = [f"To the business official of {header_text(st.name)} ({st.code}),", ""]
    for text in paragraphs:
        lines += [textwrap.fill(text, 72), ""]
    if revised is not None:
        lines += [f"    {label}: {old} → {new}" + (f" ({why})" if why else "")
                  for label, old, new, why in map(_change_text, revised)] + [""]
    lines += [f"    {label + ':':<{width}}{value:>18}" for label, value in figures]
    lines += ["", textwrap.fill(CLOSING, 72), "", header_text(job.boces_name), ""]
    return "\n".join(lines)


def html_body(job: MailJob, st: Statement, revised: list[Change] | None = None) -> str:
    """The same message as HTML; every value from the inputs is escaped."""
    e = html.escape
    paragraphs = "".join(f"<p>{e(text)}</p>\n" for text in _paragraphs(job, st, revised))
    if revised is not None:
        paragraphs += "<table>" + "".join(
            f'<tr><th style="text-align:left;padding-right:2em">{e(label)}</th><td style="text-align:right">'
            f'{e(old)}</td><td>&rarr;</td><td style="text-align:right">{e(new)}</td><td>{e(why)}</td></tr>'
            for label, old, new, why in map(_change_text, revised)) + "</table>\n"
    rows = "".join(f'<tr><th style="text-align:left;padding-right:2em">{e(label)}</th>'
                   f'<td style="text-align:right">{e(value)}</td></tr>' for label, value in _figures(job, st))
    return (f"<!DOCTYPE html>\n<html><body>\n<p>To the business official of {e(header_text(st.name))} "
            f"({e(st.code)}),</p>\n{paragraphs}<table>{rows}</table>\n"
            f"<p>{e(CLOSING)}</p>\n<p>{e(header_text(job.boces_name))}</p>\n</body></html>\n")


def mailbox(text: str) -> Address:
    """``Name <addr>`` or a bare address as a header address (RFC 5322 §3.4 ``mailbox``); :class:`MailError`
    when it is not exactly one mailbox.

    Parsed strictly, never bent into one: ``parseaddr`` kept the first address-looking token, so
    ``treasurer@evil.example <bo@valley.org>`` sent from treasurer@evil.example, ``a@x.org, b@x.org`` dropped
    b@x.org, and a line break was deleted (``audit@v.org\\r\\nBcc: spy@…`` went to ``audit@v.orgBcc``).
    """
    from .readers.coerce import email_problem
    found, problem = _one_mailbox(str(text))
    problem = problem or email_problem(found.addr_spec)
    if problem:
        raise MailError(f"{text!r} is not an email address the mail standards allow: {problem}")
    domain = found.domain
    if found.username.isascii() and not domain.isascii():  # bo@bücher.example travels as bo@xn--bcher-kva.example:
        from email_validator import validate_email  # the same mailbox (IDNA 2008), no SMTPUTF8 needed for it
        domain = validate_email(found.addr_spec, check_deliverability=False, strict=True).ascii_domain
    return Address(display_name=found.display_name, username=found.username, domain=domain)


def _once(addresses: list[Address], taken: set[str] | None = None) -> list[Address]:
    """Each mailbox once, the first spelling kept (dup@x.org; DUP@X.ORG went out as two copies to one mailbox);
    ``taken``: the mailboxes already addressed (a Cc that is also a To is dropped)."""
    seen = set() if taken is None else taken
    out = []
    for a in addresses:
        key = a.addr_spec.casefold()
        if key not in seen:
            seen.add(key)
            out.append(a)
    return out


def _one_mailbox(text: str) -> tuple[Address | None, str | None]:
    """The one mailbox ``text`` is, or why it is not: a line break or other control, a group, two addresses, or what
    the header parser could read only by guessing (an invalid-address defect)."""
    from email.errors import InvalidHeaderDefect
    if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in text):
        return None, "it holds a line break or another control character"
    header = policy.default.header_factory("From", header_text(text))
    if len(header.addresses) != 1:
        return None, (f"it is {len(header.addresses)} addresses, one is allowed (a display name holding a comma goes "
                      'in double quotes: "Valley, BOCES" <business@valley.org>)' if header.addresses else "no address")
    if any(g.display_name is not None for g in header.groups):
        return None, "it is a group (Name: address;), not one mailbox"
    if any(isinstance(d, InvalidHeaderDefect) for d in header.defects):
        return None, ("it is not of the form address or Name <address> (a display name holding an @ goes in "
                      "double quotes)")
    return header.addresses[0], None


def _sender(job: MailJob, envelope: Envelope) -> Address | None:
    """The --from option (or APPORTION_SMTP_FROM), else the BOCES item "Business office email" under the
    BOCES's name; None when there is neither."""
    if envelope.sender:
        return mailbox(envelope.sender)
    if job.boces_email:
        address = mailbox(job.boces_email)
        return Address(display_name=header_text(job.boces_name), username=address.username, domain=address.domain)
    return None


def _is_ascii(address: Address) -> bool:
    return address.addr_spec.isascii()


def build_message(job: MailJob, st: Statement, attachments: list[tuple[Path, bytes]], envelope: Envelope,
                  revised: list[Change] | None = None) -> EmailMessage:
    """The message for one district: text and HTML bodies and the statement attached (PDF and workbook).

    No Date: :func:`send_outbox` adds it when the message goes. Its Message-ID
    and MIME boundaries come from a hash of everything in it, so the same
    statement, addresses and sender always give the same bytes.
    """
    sender = _sender(job, envelope)
    taken: set[str] = set()
    to = _once([mailbox(a) for a in st.emails], taken)
    cc = _once([mailbox(a) for a in envelope.cc], taken)
    reply_to = [mailbox(a) for a in envelope.reply_to]
    everyone = to + cc + reply_to + ([sender] if sender else [])
    utf8 = not all(_is_ascii(a) for a in everyone)
    msg = EmailMessage(policy=policy.SMTPUTF8 if utf8 else policy.SMTP)
    if sender:
        msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Subject"] = subject(job, st, revised is not None)
    msg["X-Apportion-District"] = header_text(st.code)
    msg.set_content(text_body(job, st, revised))
    msg.add_alternative(html_body(job, st, revised), subtype="html")
    for path, data in attachments:
        kind = PDF_TYPE if path.suffix.lower() == ".pdf" else XLSX_TYPE
        msg.add_attachment(data, maintype=kind[0], subtype=kind[1], filename=path.name)
    token = _content_token(msg, attachments)
    domain = sender.domain if sender else "apportion.invalid"
    msg["Message-ID"] = f"<{token[:32]}@{domain}>"  # short enough not to be folded onto a second line
    # The generator would otherwise pick random boundaries; one per multipart level, derived from the hash.
    for level, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        part.set_boundary(f"=_apportion_{token[:32]}_{level}")
    return msg


def _content_token(msg: EmailMessage, attachments: list[tuple[Path, bytes]]) -> str:
    """A hash of every header, body and attachment of ``msg`` (before its boundaries are set)."""
    digest = hashlib.sha256()
    for name, value in msg.items():
        digest.update(f"{name}: {value}".encode("utf-8") + b"\0")
    for part in msg.walk():
        if not part.is_multipart() and part.get_content_maintype() == "text":
            digest.update(part.get_content().encode("utf-8") + b"\0")
    for path, data in attachments:
        digest.update(path.name.encode("utf-8") + b"\0" + data)
    return digest.hexdigest()


# ---------------------------------------------------------------- files


def _write(path: Path, data: bytes) -> None:
    """One file through a temporary name; a full, read-only or missing disk is one clear line naming the path."""
    try:
        write_file(path, data)
    except OSError as exc:
        raise MailError(f"cannot write {exc.filename or path}: {_reason(exc)}") from None


def _csv_rows(rows: Iterable[list[str]]) -> bytes:
    """CSV lines with the project's rule for text cells (a leading = + - @ gets a ')."""
    from .writers.csvs import csv_lines
    from .writers.text import safe_text
    return csv_lines([safe_text(v) for v in row] for row in rows)


def _csv_bytes(header: list[str], rows: Iterable[list[str]]) -> bytes:
    return _csv_rows([header]) + _csv_rows(rows)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise MailError(f"cannot read {path}: {_reason(exc)}") from None


def _attachments(st: Statement) -> list[tuple[Path, bytes]]:
    """The statement as PDF and as the workbook, in that order. A PDF the run did not write (no ``run --pdf``)
    is rendered from the statement's document (``districts/<code>_<name>.json``), the same as ``run --pdf``
    would have written it."""
    xlsx = (st.xlsx, _read(st.xlsx))
    pdf = st.files.get("pdf")
    if pdf is not None and pdf.exists():
        return [(pdf, _read(pdf)), xlsx]
    document = st.files.get("document")
    if document is None:
        return [xlsx]
    from .writers.pdf import render_statement_pdf
    try:
        model = json.loads(_read(document).decode("utf-8"))
    except ValueError as exc:
        raise MailError(f"{document}: not readable ({_reason(exc)}); re-run the job") from None
    return [(document.with_suffix(".pdf"), render_statement_pdf(model)), xlsx]


def write_outbox(job_folder: Path, envelope: Envelope = Envelope(), what_if: bool = False) -> Outbox:
    """Write one ``.eml`` per district with an address into ``job_folder/outbox/`` and list the others.

    ``.eml`` files left from an earlier run for a district that no longer has
    an address (or statement) are removed, so the outbox always matches the statements.
    A what-if variant's folder (``run --variant``) is refused unless ``what_if``: its figures are not the
    adopted ones, and a district reading its message would take it for the bill.
    """
    job = read_manifest(job_folder)
    if job.variant and not what_if:
        raise MailError(f"{job_folder}: this is the what-if variant {header_text(job.variant)!r} (run --variant), "
                        "not the adopted figures; its statements are not mailed as bills. To mail them as what-if "
                        "statements (the subject and first line say so), add --what-if")
    outbox = Outbox(job_folder / OUTBOX, _sender(job, envelope), run=job.run, run_id=job.run_id)
    history = last_sent(outbox.folder)
    figures = job.figures
    earlier: dict[str, object] = {}  # run id → that run's figures, read once
    keep: set[str] = set()
    for st in job.statements:
        if not st.emails:
            outbox.no_address.append(st)
            continue
        digest = content_digest(job, st, figures)
        before = history.get(st.code)
        revised = None
        if before and before["content_sha256"] != digest:
            run = before.get("run", "")
            old = earlier[run] if run in earlier else earlier.setdefault(run, _sent_run(outbox.folder, run))
            revised = changes(old, figures, st.code) if old is not None else []
        msg = build_message(job, st, _attachments(st), envelope, revised)
        target = outbox.folder / f"{st.xlsx.stem}.eml"
        _write(target, msg.as_bytes())
        keep.add(target.name)
        recipients = tuple(a.addr_spec for a in msg["To"].addresses) + (
            tuple(a.addr_spec for a in msg["Cc"].addresses) if msg["Cc"] else ())
        outbox.drafts.append(Draft(st, target, str(msg["Message-ID"]).strip(), recipients, digest,
                                   revised is not None, msg.policy.utf8))
    if outbox.folder.is_dir():
        for stale in outbox.folder.glob("*.eml"):
            if stale.name not in keep:
                stale.unlink()
    rows = [[st.code, st.name, st.xlsx.name] for st in outbox.no_address]
    _write(outbox.folder / "no-address.csv", _csv_bytes(NO_ADDRESS_FIELDS, rows))
    return outbox


def _recipient_key(address: str) -> str:
    """An address as delivery compares it: the domain is case-insensitive, the local part is not (RFC 5321 §2.4)."""
    local, _, domain = address.strip().rpartition("@")
    return f"{local}@{domain.casefold()}"


def delivered(folder: Path) -> tuple[set[tuple[str, str, str]], set[str]]:
    """What ``outbox/sent.csv`` records: (district, recipient, content) delivered, and the Message-IDs of rows
    written before content was recorded (those messages count as delivered to all their recipients)."""
    path = folder / "sent.csv"
    if not path.exists():
        return set(), set()
    keys, legacy = set(), set()
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row.get("content_sha256"):
                    keys.update((row["district_code"], _recipient_key(a), row["content_sha256"])
                                for a in row["to"].split(";") if a.strip())
                elif row.get("message_id"):
                    legacy.add(row["message_id"].strip())
    except (OSError, csv.Error, KeyError) as exc:
        raise MailError(f"{path}: not readable ({_reason(exc)})") from None
    return keys, legacy


def _can_record(folder: Path) -> None:
    """``sent.csv`` rewritten as it is, the way :func:`record_sent` writes it: a record that cannot be written
    (a read-only or full disk, a locked file) stops the send before a message goes, not after it went —
    a retry would send that message again, since nothing says it was delivered."""
    path = folder / "sent.csv"
    try:
        data = path.read_bytes() if path.exists() else _csv_rows([SENT_FIELDS])
    except OSError as exc:
        raise MailError(f"cannot read {path}: {_reason(exc)}") from None
    _write(path, data)


def record_sent(folder: Path, draft: Draft, recipients: list[str], sha: str, when: datetime,
                run: dict[str, bytes], run_id: str) -> None:
    """Append one delivery to ``sent.csv`` and remember the statement as the one last sent to the district
    (with a copy of its run's figure files, ``run``, in ``sent/<run_id>/``).

    Each file is rewritten beside the old one and renamed over it, so a crash
    leaves either the old record or the new one, never half a row.
    """
    path = folder / "sent.csv"
    old = path.read_bytes() if path.exists() else _csv_rows([SENT_FIELDS])
    row = _csv_rows([[draft.statement.code, "; ".join(recipients), draft.message_id, sha, draft.digest,
                      when.isoformat(timespec="seconds")]])
    _write(path, old + (b"" if old.endswith(b"\n") else b"\n") + row)
    kept = folder / SENT_RUNS / run_id
    if not (kept / "basis.json").exists():  # the run's figures, for the comparison a Revised message needs
        for name, data in sorted(run.items(), key=lambda item: item[0] == "basis.json"):  # basis.json last
            _write(kept / name, data)
    history = last_sent(folder)
    history[draft.statement.code] = {"content_sha256": draft.digest, "run": run_id}
    _write(folder / LAST_SENT, (json.dumps(history, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode())


# ---------------------------------------------------------------- sending


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to deliver; ``password`` is left out of ``repr`` so it never reaches a log."""

    host: str
    port: int | None = None
    security: str = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]

    @property
    def where(self) -> str:
        return f"{self.host}:{self.effective_port}"


@dataclass
class SendReport:
    """What :func:`send_outbox` did."""

    sent: list[Draft] = field(default_factory=list)
    skipped: list[Draft] = field(default_factory=list)
    failed: list[tuple[Draft, str]] = field(default_factory=list)  # draft, reason
    refused: dict[str, dict] = field(default_factory=dict)  # message-id → recipients the server refused


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """Log in; credentials that are not ASCII go as UTF-8 (AUTH PLAIN, RFC 4616), which smtplib cannot do."""
    if user.isascii() and password.isascii():
        smtp.login(user, password)
        return
    smtp.ehlo_or_helo_if_needed()
    if "plain" not in smtp.esmtp_features.get("auth", "").lower().split():
        raise MailError("the SMTP user or password is not ASCII and the server does not offer AUTH PLAIN "
                        "(the only login that carries UTF-8)")
    token = base64.b64encode(f"\0{user}\0{password}".encode("utf-8")).decode("ascii")
    code, reply = smtp.docmd("AUTH", "PLAIN " + token)
    if code not in (235, 503):
        raise smtplib.SMTPAuthenticationError(code, reply)


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.security not in SECURITIES:
        raise MailError(f"unknown SMTP security {settings.security!r}; use one of {', '.join(SECURITIES)}")
    if settings.user and settings.security == "none" and settings.host not in LOOPBACK:
        raise MailError("refusing to send the SMTP password unencrypted; use --security starttls or ssl")
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
                _login(smtp, settings.user, settings.password or "")
        except BaseException:
            smtp.close()
            raise
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"SMTP server {settings.where} refused the login for {settings.user}: {_reply(exc)}") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(f"SMTP server {settings.where}: {header_text(exc)} "
                        "(check the security setting and the user)") from None
    except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
        raise MailError(f"cannot reach SMTP server {settings.where}: {_reason(exc)}") from None
    return smtp


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return f"{exc.smtp_code} {header_text(text)}"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc)
    if isinstance(exc, socket.timeout):
        return "timed out"
    return header_text(getattr(exc, "strerror", None) or exc) or type(exc).__name__


def _deliver(smtp: smtplib.SMTP, draft: Draft, envelope_from: str, recipients: list[str], data: bytes) -> dict:
    """Hand one message to the server; the recipients it refused (the others took it)."""
    options = []
    if draft.smtputf8:
        try:
            smtp.ehlo_or_helo_if_needed()  # the server's extensions are known only after EHLO
        except (smtplib.SMTPException, OSError) as exc:
            raise _Disconnected(f"the SMTP server did not answer EHLO: {_reason(exc)}") from None
        if not smtp.has_extn("smtputf8"):
            raise _Failed("an address is not ASCII and the SMTP server does not offer SMTPUTF8 (RFC 6531), "
                          "so it cannot carry it")
        options = ["SMTPUTF8"] + (["BODY=8BITMIME"] if smtp.has_extn("8bitmime") else [])
    try:
        return smtp.sendmail(envelope_from, recipients, data, mail_options=options)
    except smtplib.SMTPRecipientsRefused as exc:
        raise _Failed(f"the SMTP server refused every recipient ({', '.join(exc.recipients)})") from None
    except smtplib.SMTPSenderRefused as exc:
        raise _Failed(f"the SMTP server refused the sender {envelope_from}: {_reply(exc)}") from None
    except smtplib.SMTPServerDisconnected as exc:
        raise _Disconnected(f"the SMTP server closed the connection: {_reason(exc)}") from None
    except smtplib.SMTPException as exc:
        raise _Failed(f"the SMTP server did not take the message: {_reason(exc)}") from None
    except OSError as exc:
        raise _Disconnected(f"the connection failed: {_reason(exc)}") from None
    except UnicodeError:  # an address the server's command encoding cannot carry
        raise _Failed("an address cannot be sent to this server (not ASCII)") from None


class _Failed(Exception):
    """One message could not be delivered; the send goes on with the next."""


class _Disconnected(_Failed):
    """One message failed and the connection with it: reconnect for the next."""


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def send_outbox(outbox: Outbox, settings: SmtpSettings, on_event: Callable[[str, Draft, str], None] | None = None,
                clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> SendReport:
    """Deliver every draft to each recipient that has not had this statement; record each delivery at once.

    A message stamped with the Date it is sent. A message the server refuses is
    listed in ``failed.csv`` and the next one is sent; only an unreachable
    server stops the send (:class:`MailError`). ``on_event(kind, draft, detail)``
    reports progress, ``kind`` one of "sent", "skipped", "failed".
    """
    report = SendReport()
    if outbox.sender is None and outbox.drafts:
        raise MailError("no sender: give --from (or APPORTION_SMTP_FROM) or the BOCES item 'Business office email'")
    envelope_from = outbox.sender.addr_spec if outbox.sender else ""
    done, legacy = delivered(outbox.folder)
    event = on_event or (lambda kind, draft, detail: None)
    smtp: smtplib.SMTP | None = None
    try:
        for draft in outbox.drafts:
            # a statement counts as delivered only while it is the one last sent to its district: a revised draft
            # (after A, then B, a re-run back to A) goes to everyone, or every district keeps B's superseded bill
            pending = [a for a in draft.recipients if draft.revised or (
                draft.message_id not in legacy and (draft.statement.code, _recipient_key(a), draft.digest) not in done)]
            if not pending:
                report.skipped.append(draft)
                event("skipped", draft, "")
                continue
            smtp = smtp or _connect(settings)
            _can_record(outbox.folder)  # before the message goes: a delivery never made unrecorded, sent again
            try:
                data = draft.path.read_bytes()
            except OSError as exc:
                raise MailError(f"cannot read {draft.path}: {_reason(exc)}") from None
            now = clock()
            data = f"Date: {format_datetime(now)}\r\n".encode("ascii") + data
            try:
                refused = _deliver(smtp, draft, envelope_from, pending, data)
            except _Failed as exc:
                report.failed.append((draft, str(exc)))
                event("failed", draft, str(exc))
                if isinstance(exc, _Disconnected):
                    _close(smtp)
                    smtp = None
                continue
            accepted = [a for a in pending if a not in refused]
            # sent.csv's hash is of the exact bytes that went out, Date included
            record_sent(outbox.folder, draft, accepted, hashlib.sha256(data).hexdigest(), now, outbox.run,
                        outbox.run_id)
            report.sent.append(draft)
            event("sent", draft, ", ".join(accepted))
            if refused:
                report.refused[draft.message_id] = refused
                reason = "refused " + ", ".join(f"{a} ({_refusal(r)})" for a, r in refused.items())
                report.failed.append((draft, reason))
                event("failed", draft, reason)
    finally:
        _close(smtp)
        rows = [[d.statement.code, "; ".join(d.recipients), reason] for d, reason in report.failed]
        if report.failed or (outbox.folder / "failed.csv").exists():
            _write(outbox.folder / "failed.csv", _csv_bytes(FAILED_FIELDS, rows))
    return report


def _refusal(reply) -> str:
    code, text = reply
    return f"{code} {header_text(text.decode('utf-8', 'replace') if isinstance(text, bytes) else text)}"
