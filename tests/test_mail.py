"""apportion mail: .eml files from a real job's manifest, and delivery to a real SMTP server on 127.0.0.1."""
from __future__ import annotations

import csv
import email
import json
import shutil
import socket
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from email import policy
from email.utils import parsedate_to_datetime
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner

from apportion.batch import run_batch
from apportion.delivery_cli import register
from apportion.mail import header_text, read_manifest, write_outbox, Envelope

from .builders import copy_of, vector_job

ROOT = Path(__file__).resolve().parent.parent
SENDER = "Business Office <business@boces.example>"
# Row (1-based, header = 1) of the vector job's Districts sheet → Email cell; the rest have no address.
EMAILS = {2: "treasurer@one.example; clerk@one.example", 3: "bo@two.example", 5: "finance@three.example"}
ODD_NAME = "Smith & Jones <Central> \"CSD\""  # every value from the workbook must be escaped in HTML
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _job(tmp: Path, emails: dict[int, str] = EMAILS, admin_budget=None, items: dict | None = None) -> Path:
    """The vector job with an Email column (and optionally another administrative budget or BOCES items)."""
    job = vector_job(tmp / "job.xlsx")
    book = openpyxl.load_workbook(job)
    ws = book["Districts"]
    column = ws.max_column + 1
    ws.cell(1, column, "Email")
    for row, value in emails.items():
        ws.cell(row, column, value)
    ws.cell(3, 2, ODD_NAME)
    boces = book["BOCES"]
    for row in boces.iter_rows(min_row=2):
        if row[0].value == "Administrative budget" and admin_budget is not None:
            row[1].value = admin_budget
    for item, value in (items or {}).items():
        boces.append([item, value])
    book.save(job)
    return job


def _run(job: Path, out: Path) -> Path:
    batch = run_batch([job], out, jobs=1)
    assert batch.exit_code == 0, batch.outcomes
    return Path(batch.outcomes[0].output)


@pytest.fixture(scope="module")
def computed(tmp_path_factory) -> Path:
    """The output folder of the vector job with an Email column added, computed by the real pipeline."""
    tmp = tmp_path_factory.mktemp("mailjob")
    return _run(_job(tmp), tmp / "out")


@pytest.fixture
def folder(computed, tmp_path) -> Path:
    """A fresh copy of the computed job per test, so outboxes and sent records never leak between tests."""
    return Path(shutil.copytree(computed, tmp_path / computed.name))


def _cli() -> click.Group:
    group = click.Group()
    register(group)
    return group


def _parse(data: bytes):
    return email.message_from_bytes(data, policy=policy.default)


def _attachments(msg) -> list[tuple[str, str, bytes]]:
    return [(p.get_filename(), p.get_content_type(), p.get_content()) for p in msg.iter_attachments()]


def _pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_run_wrote_is_attached_and_equals_the_one_mail_renders(tmp_path, computed):
    from apportion.writers.document import ReportOptions
    batch = run_batch([_job(tmp_path)], tmp_path / "out", jobs=1, options=ReportOptions(pdf=True))
    folder = Path(batch.outcomes[0].output)
    drafts = {d.statement.code: d for d in write_outbox(folder, Envelope(SENDER)).drafts}
    rendered = {d.statement.code: _attachments(_parse(d.path.read_bytes()))[0]
                for d in write_outbox(Path(shutil.copytree(computed, tmp_path / "plain" / computed.name)),
                                      Envelope(SENDER)).drafts}
    for code, draft in drafts.items():
        pdf = draft.statement.files["pdf"]
        name, ctype, data = _attachments(_parse(draft.path.read_bytes()))[0]
        assert (name, ctype, data) == (pdf.name, "application/pdf", pdf.read_bytes())
        assert rendered[code] == (name, ctype, data)  # same bytes whether run or mail made it


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "mail.json").read_text())


def test_manifest_is_written_with_the_outputs(folder):
    """mail.json: per district the addresses, totals and statement file; per job BOCES, years and aid mode."""
    data = _manifest(folder)
    assert (data["boces"]["name"], data["school_year"], data["aid_year"], data["aid_mode"]) == (
        "Vector test BOCES", "2023-24", "2024-25", "claim")
    assert data["contingency_budget"] is False
    by_code = {d["code"]: d for d in data["districts"]}
    assert len(by_code) == 12
    statements = sorted(p.relative_to(folder).as_posix() for p in (folder / "districts").glob("*.xlsx"))
    assert sorted(d["files"]["xlsx"] for d in by_code.values()) == statements
    with open(folder / "aid.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            d = by_code[row["district_code"]]
            assert (d["total_charges"], d["net_cost"]) == (row["total_charges"], row["net_cost"])
            assert d["total_aid"] == f"{row['total_aid']}.00"
    assert [d["emails"] for d in data["districts"] if d["emails"]] == [
        ["treasurer@one.example", "clerk@one.example"], ["bo@two.example"], ["finance@three.example"]]


def test_one_eml_per_district_with_an_address(folder):
    outbox = write_outbox(folder, Envelope(SENDER))
    job = read_manifest(folder)
    with_address = {st.code: st for st in job.statements if st.emails}
    assert len(with_address) == len(EMAILS)
    assert sorted(p.name for p in (folder / "outbox").glob("*.eml")) == sorted(
        f"{st.xlsx.stem}.eml" for st in with_address.values())
    for draft in outbox.drafts:
        st = with_address[draft.statement.code]
        msg = _parse(draft.path.read_bytes())
        assert [a.addr_spec for a in msg["To"].addresses] == list(st.emails)
        assert msg["From"] == SENDER
        assert msg["Date"] is None  # set when the message is sent, so a draft stays byte-stable
        assert msg["Subject"] == f"Vector test BOCES — 2023-24 charges and aid claim — {st.name}"
        assert msg["Message-ID"].strip() == draft.message_id
        (pdf_name, pdf_type, pdf), xlsx = _attachments(msg)
        assert xlsx == (st.xlsx.name, XLSX, st.xlsx.read_bytes())
        # no run --pdf here: the PDF is rendered from the statement's document, to the district's figures
        assert (pdf_name, pdf_type) == (st.xlsx.with_suffix(".pdf").name, "application/pdf")
        shown = _pdf_text(pdf)
        assert st.code in shown and f"{st.net_cost:,.2f}" in shown and f"{st.total_charges:,.2f}" in shown
        text = " ".join(msg.get_body(("plain",)).get_content().split())
        html = " ".join(msg.get_body(("html",)).get_content().split())
        for figure in ("Total charges", "Total BOCES aid (claim, aid year 2024-25)", "Net cost",
                       "BOCES aid as claimed for aid year 2024-25"):
            assert figure in text and figure in html
        assert "contingency" not in text
    multi = [d for d in outbox.drafts if len(d.recipients) == 2]
    assert multi and multi[0].recipients == ("treasurer@one.example", "clerk@one.example")


def test_subject_says_boces_once_and_decodes_without_a_double_space(folder):
    from email.header import decode_header, make_header
    for draft in write_outbox(folder, Envelope(SENDER)).drafts:
        legacy = email.message_from_bytes(draft.path.read_bytes())  # the older decoder many mail clients share
        decoded = str(make_header(decode_header(legacy["Subject"])))
        assert decoded == f"Vector test BOCES — 2023-24 charges and aid claim — {draft.statement.name}"
        assert "  " not in decoded and decoded.count("BOCES") == 1


def test_estimate_and_contingency_budget_are_said(example_run, tmp_path):
    """The example Ridge job: a failed budget vote, aid estimated — the email says both."""
    folder = copy_of(example_run["example_ridge_2026-27"], tmp_path)
    outbox = write_outbox(folder, Envelope(SENDER))
    assert outbox.drafts
    for draft in outbox.drafts:
        msg = _parse(draft.path.read_bytes())
        text = " ".join(msg.get_body(("plain",)).get_content().split())
        assert msg["Subject"].startswith("Example Ridge BOCES (EXAMPLE DATA) — 2026-27 charges estimate — ")
        assert "with the BOCES aid estimate for aid year 2027-28" in text
        assert "these charges are the contingency budget's" in text


def test_sender_from_the_boces_item(tmp_path):
    folder = _run(_job(tmp_path, items={"Business office email": "business@vector.example"}), tmp_path / "out")
    outbox = write_outbox(folder)
    msg = _parse(outbox.drafts[0].path.read_bytes())
    assert msg["From"].addresses[0].display_name == "Vector test BOCES"
    assert msg["From"].addresses[0].addr_spec == "business@vector.example"
    assert outbox.drafts[0].message_id.endswith("@vector.example>")
    # the option wins over the item
    msg = _parse(write_outbox(folder, Envelope(SENDER)).drafts[0].path.read_bytes())
    assert msg["From"] == SENDER


def test_reply_to_and_cc(folder):
    outbox = write_outbox(folder, Envelope(SENDER, ("help@boces.example",), ("audit@boces.example",)))
    for draft in outbox.drafts:
        msg = _parse(draft.path.read_bytes())
        assert msg["Reply-To"] == "help@boces.example" and msg["Cc"] == "audit@boces.example"
        assert draft.recipients[-1] == "audit@boces.example"


def test_cli_refuses_a_bad_from_or_cc_in_one_line(folder):
    for option in ("--from", "--cc", "--reply-to"):
        result = CliRunner().invoke(_cli(), ["mail", str(folder), option, 'a"@b.org'])
        assert result.exit_code == 2, result.output  # a usage error naming the option, nothing written
        assert f"Invalid value for '{option}'" in result.output
        assert "is not an email address the mail standards allow" in result.output
        assert "Traceback" not in result.output and not (folder / "outbox").exists()


@pytest.mark.parametrize("option, value, why", [
    ("--from", "treasurer@evil.example <business@valley.example.org>", "not of the form address or Name <address>"),
    ("--from", "Business Office: spy@evil.org <bo@v.example.org>", "it is a group"),
    ("--from", "bo@v.example.org, other@x.org", "it is 2 addresses, one is allowed"),
    ("--from", "Valley, BOCES <bo@v.example.org>", "it is 2 addresses, one is allowed"),
    ("--cc", "audit@valley.example.org\r\nBcc: spy@evil.example", "it holds a line break"),
    ("--reply-to", "help@valley.example.org\nBcc: spy@evil.example", "it holds a line break"),
    ("--cc", "Audit <audit@valley.example.org> spy@evil.example", "not of the form address or Name <address>"),
])
def test_an_option_that_is_not_one_mailbox_is_refused_not_bent_into_one(folder, smtp, option, value, why):
    """Tester D15: parseaddr kept the first address-looking token, so --from 'treasurer@evil.example
    <business@valley…>' sent from treasurer@evil.example, 'a, b' dropped b, and --cc 'audit@…\\r\\nBcc: spy@…'
    went to audit@valley.example.orgBcc, exit 0. Each is a usage error naming the option; nothing is sent."""
    result = _send(folder, smtp.controller.port, option, value)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}'" in result.output and why in result.output
    assert not smtp.envelopes and not (folder / "outbox").exists()


def test_a_display_name_in_quotes_may_hold_an_address_or_a_comma(folder, smtp):
    """The strict reading still takes every mailbox the standard allows: a quoted display name with @ or a comma."""
    result = _send(folder, smtp.controller.port, "--cc", '"audit@valley.example.org" <audit@boces.example>',
                   sender='"Valley, \\"BOCES\\"" <business@boces.example>')
    assert result.exit_code == 0, result.output
    msg = _parse(smtp.envelopes[0].original_content)
    assert smtp.envelopes[0].mail_from == "business@boces.example"
    assert msg["From"].addresses[0].display_name == 'Valley, "BOCES"'
    assert msg["Cc"].addresses[0].addr_spec == "audit@boces.example"
    assert all("audit@boces.example" in e.rcpt_tos for e in smtp.envelopes)


def test_html_body_escapes_workbook_values(folder):
    outbox = write_outbox(folder, Envelope(SENDER))
    (odd,) = [d for d in outbox.drafts if d.statement.name == ODD_NAME]
    msg = _parse(odd.path.read_bytes())
    html = msg.get_body(("html",)).get_content()
    assert "Smith &amp; Jones &lt;Central&gt; &quot;CSD&quot;" in html
    assert ODD_NAME not in html
    assert ODD_NAME in msg.get_body(("plain",)).get_content()


def test_header_injection_from_a_name_is_impossible(folder):
    data = _manifest(folder)
    data["districts"][0]["name"] = "Evil CSD\r\nBcc: victim@example.org\x00\x1b[2J"
    data["districts"][0]["emails"] = ["bo@evil.example"]
    (folder / "mail.json").write_text(json.dumps(data))
    draft = next(d for d in write_outbox(folder, Envelope(SENDER)).drafts if d.statement.code == data["districts"][0]["code"])
    msg = _parse(draft.path.read_bytes())
    assert msg["Bcc"] is None
    assert msg["Subject"].endswith("— Evil CSD Bcc: victim@example.org [2J")
    assert header_text("a\tb\u2028c\x7f") == "a b c"
    assert header_text("Evil \u202bBOCES\u202c") == "Evil BOCES"  # a bidi override cannot reorder a subject


def test_same_statements_give_identical_bytes(folder, computed, tmp_path):
    first = {p.name: p.read_bytes() for p in write_outbox(folder, Envelope(SENDER)).folder.iterdir()}
    second = {p.name: p.read_bytes() for p in write_outbox(folder, Envelope(SENDER)).folder.iterdir()}
    elsewhere = Path(shutil.copytree(computed, tmp_path / "elsewhere" / computed.name))
    third = {p.name: p.read_bytes() for p in write_outbox(elsewhere, Envelope(SENDER)).folder.iterdir()}
    assert first == second == third
    assert any(name.endswith(".eml") for name in first)


def test_verbose_lists_each_message_written(folder):
    # -v: one line per message — the district, everyone it goes to, its file in the outbox
    result = CliRunner().invoke(_cli(), ["mail", str(folder), "--from", SENDER, "-v"])
    assert result.exit_code == 0, result.output
    sent = [st for st in read_manifest(folder).statements if st.emails]
    lines = [line.strip() for line in result.output.splitlines()]
    for st in sent:
        line = next(line for line in lines if line.startswith(st.code) and "→" in line)
        assert all(address in line for address in st.emails) and line.endswith(".eml")
    quiet = CliRunner().invoke(_cli(), ["mail", str(folder), "--from", SENDER])
    assert not any("→" in line for line in quiet.output.splitlines())


def test_districts_without_an_address_are_listed(folder):
    result = CliRunner().invoke(_cli(), ["mail", str(folder), "--from", SENDER])
    assert result.exit_code == 0, result.output
    with open(folder / "outbox" / "no-address.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    codes = {st.code for st in read_manifest(folder).statements if not st.emails}
    assert {r["district_code"] for r in rows} == codes and len(rows) == 12 - len(EMAILS)
    assert f"{len(codes)} district(s) have no email address" in result.output
    for code in codes:
        assert code in result.output


def test_not_an_output_folder_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(_cli(), ["mail", str(tmp_path)])
    assert result.exit_code == 1
    assert "no mail.json — give the output folder of a computed job" in result.output


def test_an_output_folder_without_a_manifest_says_to_re_run(folder):
    (folder / "mail.json").unlink()
    result = CliRunner().invoke(_cli(), ["mail", str(folder)])
    assert result.exit_code == 1
    assert "no mail.json — re-run the job to write it" in result.output


def test_an_unwritable_outbox_is_one_line_naming_the_path(folder):
    (folder / "outbox").write_text("not a folder")  # a real OS refusal, even for root
    result = CliRunner().invoke(_cli(), ["mail", str(folder), "--from", SENDER])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot write {folder / 'outbox'}")
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


@pytest.mark.parametrize("errno, text", [(28, "No space left on device"), (30, "Read-only file system")])
def test_a_full_or_read_only_disk_is_one_line_naming_the_path(folder, monkeypatch, errno, text):
    import apportion.mail as mail_module

    def refuse(path, data):
        raise OSError(errno, text, str(path))

    monkeypatch.setattr(mail_module, "write_file", refuse)
    result = CliRunner().invoke(_cli(), ["mail", str(folder), "--from", SENDER])
    assert result.exit_code == 1
    assert result.output.strip().startswith(f"Error: cannot write {folder / 'outbox'}")
    assert result.output.strip().endswith(text) and "Traceback" not in result.output


def test_mail_waits_for_a_run_writing_the_folder_then_says_busy(folder):
    from apportion.writers.atomic import folder_lock
    with folder_lock(folder.resolve(), wait=0):
        result = CliRunner().invoke(_cli(), ["mail", str(folder), "--from", SENDER], env={"APPORTION_LOCK_WAIT": "0"})
    assert result.exit_code == 1
    assert "busy — another apportion process is writing this folder" in result.output
    assert not (folder / "outbox").exists()


# ---------------------------------------------------------------- a real SMTP server


class Collector:
    """An aiosmtpd handler keeping every message; recipients in ``refuse`` get a 550."""

    def __init__(self):
        self.envelopes = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server(handler: Collector, port: int | None = None, **options):
    from aiosmtpd.controller import Controller
    controller = Controller(handler, hostname="127.0.0.1", port=port or _free_port(), **options)
    controller.start()
    return controller


@pytest.fixture
def smtp():
    """A real SMTP server on 127.0.0.1 at a free port, collecting what it receives."""
    handler = Collector()
    handler.controller = _server(handler)
    yield handler
    handler.controller.stop()


def _send(folder: Path, port: int, *extra: str, sender: str = SENDER):
    args = ["mail", str(folder), "--send", "--host", "127.0.0.1", "--port", str(port), "--security", "none",
            "--from", sender, *extra]
    return CliRunner().invoke(_cli(), args, env={"APPORTION_SMTP_PASSWORD": None, "APPORTION_SMTP_USER": None})


def _sent(folder: Path, name: str = "sent.csv") -> list[dict]:
    path = folder / "outbox" / name
    if not path.exists():
        return []
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_send_delivers_every_message_once_with_the_date_it_was_sent(folder, smtp):
    import hashlib
    before = datetime.now(timezone.utc).replace(microsecond=0)
    result = _send(folder, smtp.controller.port)
    after = datetime.now(timezone.utc) + timedelta(seconds=1)
    assert result.exit_code == 0, result.output
    assert len(smtp.envelopes) == len(EMAILS)
    statements = {p.name: p.read_bytes() for p in (folder / "districts").glob("*.xlsx")}
    for envelope in smtp.envelopes:
        assert envelope.mail_from == "business@boces.example"
        msg = _parse(envelope.original_content)
        assert sorted(envelope.rcpt_tos) == sorted(a.addr_spec for a in msg["To"].addresses)
        assert before <= parsedate_to_datetime(msg["Date"]) <= after
        _, (name, _, data) = _attachments(msg)
        assert data == statements[name]
        (eml,) = (folder / "outbox").glob(f"{msg['X-Apportion-District']}_*.eml")
        assert envelope.original_content.replace(b"\r\n", b"\n").endswith(eml.read_bytes().replace(b"\r\n", b"\n"))
        (row,) = [r for r in _sent(folder) if r["district_code"] == msg["X-Apportion-District"]]
        assert row["sha256"] == hashlib.sha256(envelope.original_content).hexdigest()
        assert row["message_id"] == msg["Message-ID"].strip()
    assert len(_sent(folder)) == len(EMAILS)

    again = _send(folder, smtp.controller.port)
    assert again.exit_code == 0, again.output
    assert len(smtp.envelopes) == len(EMAILS)  # nothing sent twice
    assert f"Sent 0 message(s); {len(EMAILS)} already sent; 0 failed." in again.output


def test_a_new_display_name_sends_nothing_again(folder, smtp):
    assert _send(folder, smtp.controller.port).exit_code == 0
    renamed = _send(folder, smtp.controller.port, sender="The Business Office <business@boces.example>")
    assert renamed.exit_code == 0, renamed.output
    assert len(smtp.envelopes) == len(EMAILS)
    assert f"{len(EMAILS)} already sent" in renamed.output


def test_a_new_cc_gets_the_statement_and_no_one_else_again(folder, smtp):
    assert _send(folder, smtp.controller.port).exit_code == 0
    result = _send(folder, smtp.controller.port, "--cc", "audit@boces.example")
    assert result.exit_code == 0, result.output
    later = smtp.envelopes[len(EMAILS):]
    assert len(later) == len(EMAILS) and all(e.rcpt_tos == ["audit@boces.example"] for e in later)


def test_a_changed_statement_goes_out_revised_with_the_lines_that_changed(tmp_path, smtp):
    out = tmp_path / "out"
    folder = _run(_job(tmp_path), out)
    assert _send(folder, smtp.controller.port).exit_code == 0
    old = {d["code"]: d for d in _manifest(folder)["districts"]}
    old_admin = _billing(folder)
    _run(_job(tmp_path, admin_budget=1334567.89), out)  # $100,000 more administrative budget; outbox kept
    new = {d["code"]: d for d in _manifest(folder)["districts"]}
    new_admin = _billing(folder)

    result = _send(folder, smtp.controller.port)
    assert result.exit_code == 0, result.output
    assert "3 statement(s) changed since they were sent and are marked Revised" in result.output
    revised = smtp.envelopes[len(EMAILS):]
    assert len(revised) == len(EMAILS)
    for envelope in revised:
        msg = _parse(envelope.original_content)
        code = msg["X-Apportion-District"]
        assert msg["Subject"] == f"Revised: Vector test BOCES — 2023-24 charges and aid claim — {new[code]['name']}"
        text = msg.get_body(("plain",)).get_content()
        assert "This revised statement replaces the one sent earlier" in text
        admin_old, admin_new = old_admin[code], new_admin[code]
        assert admin_old != admin_new
        # the pool grew and the basis did not move: the whole change is the pool's size (apportion compare)
        assert (f"    Administrative: ${admin_old:,.2f} → ${admin_new:,.2f} "
                f"(pool size +${admin_new - admin_old:,.2f})") in text
        assert (f"    Total charges: ${float(old[code]['total_charges']):,.2f} → "
                f"${float(new[code]['total_charges']):,.2f}") in text
        assert "Capital:" not in text.split("replaces")[1].split("Total charges:")[0]  # unchanged lines not listed
    # and sent once: the revised statement is now the one last sent
    again = _send(folder, smtp.controller.port)
    assert len(smtp.envelopes) == 2 * len(EMAILS) and "3 already sent" in again.output
    assert "Revised" not in _parse(next((folder / "outbox").glob("*.eml")).read_bytes())["Subject"]


def test_back_to_a_statement_sent_before_goes_out_again(tmp_path, smtp):
    """Tester D16: run A, send; run B, send; run A again: --send said "3 already sent" (A had gone out once)
    and every district kept B's superseded bill. A statement counts as sent only while it is the last one sent."""
    out = tmp_path / "out"
    folder = _run(_job(tmp_path), out)
    assert _send(folder, smtp.controller.port).exit_code == 0
    _run(_job(tmp_path, admin_budget=1334567.89), out)
    assert _send(folder, smtp.controller.port).exit_code == 0
    _run(_job(tmp_path), out)  # back to A's figures
    result = _send(folder, smtp.controller.port)
    assert result.exit_code == 0, result.output
    assert f"Sent {len(EMAILS)} message(s); 0 already sent" in result.output
    back = smtp.envelopes[2 * len(EMAILS):]
    assert len(back) == len(EMAILS)
    assert all(_parse(e.original_content)["Subject"].startswith("Revised: ") for e in back)
    again = _send(folder, smtp.controller.port)  # and now A is the last sent: nothing more
    assert f"{len(EMAILS)} already sent" in again.output and len(smtp.envelopes) == 3 * len(EMAILS)


def _billing(folder: Path) -> dict[str, Decimal]:
    """Each district's administrative charge in billing.csv."""
    with open(folder / "billing.csv", newline="") as fh:
        return {r["district_code"]: Decimal(r["amount"]) for r in csv.DictReader(fh) if r["category"] == "administrative"}


def test_a_refused_message_is_marked_and_the_others_still_go(folder, smtp):
    smtp.refuse = {"bo@two.example"}
    result = _send(folder, smtp.controller.port)
    assert result.exit_code == 1
    assert "refused every recipient (bo@two.example)" in result.output
    assert "Traceback" not in result.output
    assert len(smtp.envelopes) == len(EMAILS) - 1
    assert len(_sent(folder)) == len(EMAILS) - 1
    (failed,) = _sent(folder, "failed.csv")
    assert failed["to"] == "bo@two.example" and "refused every recipient" in failed["reason"]

    smtp.refuse = set()
    retry = _send(folder, smtp.controller.port)
    assert retry.exit_code == 0, retry.output
    assert len(smtp.envelopes) == len(EMAILS)
    assert smtp.envelopes[-1].rcpt_tos == ["bo@two.example"]
    assert _sent(folder, "failed.csv") == []


def test_one_refused_recipient_of_two_is_retried_alone(folder, smtp):
    smtp.refuse = {"clerk@one.example"}
    assert _send(folder, smtp.controller.port).exit_code == 1
    smtp.refuse = set()
    assert _send(folder, smtp.controller.port).exit_code == 0
    assert smtp.envelopes[-1].rcpt_tos == ["clerk@one.example"]
    assert len(smtp.envelopes) == len(EMAILS) + 1


def test_unreachable_server_is_one_clear_line_and_records_nothing(folder):
    handler = Collector()
    controller = _server(handler)
    port = controller.port
    controller.stop()  # nothing listens there any more
    result = _send(folder, port, "--user", "officer", "--password", "hunter2-secret")
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert errors == [f"Error: cannot reach SMTP server 127.0.0.1:{port}: Connection refused"]
    assert "Traceback" not in result.output and "hunter2-secret" not in result.output
    assert _sent(folder) == [] and not handler.envelopes
    for path in (folder / "outbox").iterdir():
        assert b"hunter2-secret" not in path.read_bytes()


def test_send_needs_a_sender(folder):
    result = CliRunner().invoke(_cli(), ["mail", str(folder), "--send", "--host", "127.0.0.1"],
                                env={"APPORTION_SMTP_FROM": None})
    assert result.exit_code == 2
    assert "--from" in result.output and "Business office email" in result.output


# ---------------------------------------------------------------- addresses and credentials that are not ASCII


@pytest.fixture(scope="module")
def utf8_job(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("utf8job")
    return _run(_job(tmp, {2: "trésorier@one.example", 3: "bo@two.example"}), tmp / "out")


@pytest.mark.parametrize("offered", [True, False])
def test_a_non_ascii_address_goes_with_smtputf8_or_is_marked_failed(utf8_job, tmp_path, offered):
    folder = Path(shutil.copytree(utf8_job, tmp_path / utf8_job.name))
    handler = Collector()
    controller = _server(handler, enable_SMTPUTF8=offered)
    try:
        result = _send(folder, controller.port)
    finally:
        controller.stop()
    assert "Traceback" not in result.output
    received = {r for e in handler.envelopes for r in e.rcpt_tos}
    if offered:
        assert result.exit_code == 0, result.output
        assert received == {"trésorier@one.example", "bo@two.example"}
        (utf8,) = [e for e in handler.envelopes if e.rcpt_tos == ["trésorier@one.example"]]
        assert "SMTPUTF8" in utf8.mail_options
        # RFC 6532: the header carries the address as UTF-8, not as an encoded word
        assert "\r\nTo: trésorier@one.example\r\n" in utf8.original_content.decode("utf-8")
    else:
        assert result.exit_code == 1
        assert received == {"bo@two.example"}  # the send went on with the rest
        assert "does not offer SMTPUTF8" in result.output
        (failed,) = _sent(folder, "failed.csv")
        assert failed["to"] == "trésorier@one.example"


def test_non_ascii_credentials_log_in(folder, tmp_path):
    from aiosmtpd.smtp import AuthResult, LoginPassword
    seen = []

    def authenticator(server, session, envelope, mechanism, data):
        ok = isinstance(data, LoginPassword) and data.login == "bürο".encode() and data.password == "pässwörd€".encode()
        seen.append(ok)
        return AuthResult(success=ok, handled=False)  # not handled: the server answers 535 itself

    other = Path(shutil.copytree(folder, tmp_path / "other" / folder.name))
    handler = Collector()
    controller = _server(handler, authenticator=authenticator, auth_require_tls=False)
    try:
        result = _send(folder, controller.port, "--user", "bürο", "--password", "pässwörd€")
        wrong = _send(other, controller.port, "--user", "bürο", "--password", "wrong-é")
    finally:
        controller.stop()
    assert result.exit_code == 0, result.output
    assert seen == [True, False] and len(handler.envelopes) == len(EMAILS)
    assert wrong.exit_code == 1
    assert f"Error: SMTP server 127.0.0.1:{controller.port} refused the login for bürο: 535" in wrong.output
    assert "Traceback" not in result.output + wrong.output and "wrong-é" not in wrong.output


def test_a_what_if_variant_is_refused_unless_asked_and_then_says_what_if_first(tmp_path, smtp):
    """Tester D21: `mail` on a variant's folder (run --variant board-draft) wrote and sent ordinary bills ("Attached
    is your district's statement of BOCES charges … Total charges …"), only the attachment saying "not the adopted
    figures". A variant's folder is refused, exit 1, nothing written or sent; with --what-if every subject and the
    first line of every body say it is a what-if, not the adopted figures."""
    from apportion.options import RunOptions
    batch = run_batch([_job(tmp_path)], tmp_path / "out", jobs=1,
                      what_if=RunOptions(settings=(("Administrative budget", "1,334,567.89"),), variant="board-draft"))
    assert batch.exit_code == 0, batch.outcomes
    folder = Path(batch.outcomes[0].output)
    assert folder.name.endswith("_board-draft")
    refused = _send(folder, smtp.controller.port)
    assert refused.exit_code == 1, refused.output
    assert "this is the what-if variant 'board-draft' (run --variant), not the adopted figures" in refused.output
    assert "add --what-if" in refused.output and "Traceback" not in refused.output
    assert not smtp.envelopes and not (folder / "outbox").exists()

    result = _send(folder, smtp.controller.port, "--what-if")
    assert result.exit_code == 0, result.output
    assert len(smtp.envelopes) == len(EMAILS)
    for envelope in smtp.envelopes:
        msg = _parse(envelope.original_content)
        assert " ".join(msg["Subject"].split()).startswith(
            "What-if 'board-draft', not the adopted figures: Vector test BOCES — 2023-24 charges")
        greeting, first = msg.get_body(("plain",)).get_content().replace("\r\n", "\n").split("\n\n")[:2]
        assert greeting.startswith("To the business official of ")
        assert " ".join(first.split()) == ("What-if 'board-draft', not the adopted figures: this statement is a "
                                           "what-if variant of the 2023-24 charges (apportion run --variant), not "
                                           "a bill.")
        assert "not the adopted figures" in msg.get_body(("html",)).get_content()


def test_one_mailbox_twice_gets_one_copy_and_an_idn_domain_travels_as_ascii(tmp_path, smtp):
    """Tester M2: dup@x.org; DUP@X.ORG in one Email cell (and as --cc) gave one mailbox several RCPT TO; an
    ASCII address at an IDN domain (a@bücher.example) failed on a server without SMTPUTF8, although its A-label
    form is plain ASCII; a local part past 64 octets was accepted and failed only at the server."""
    folder = _run(_job(tmp_path, emails={2: "dup@one.example; DUP@ONE.EXAMPLE; dup@one.example",
                                          3: "bo@bücher.example"}), tmp_path / "out")
    handler = Collector()
    handler.controller = _server(handler, enable_SMTPUTF8=False)
    try:
        result = _send(folder, handler.controller.port, "--cc", "Dup@one.example")
    finally:
        handler.controller.stop()
    assert result.exit_code == 0, result.output
    rcpts = sorted(tuple(e.rcpt_tos) for e in handler.envelopes)
    assert rcpts == [("bo@xn--bcher-kva.example", "Dup@one.example"), ("dup@one.example",)]
    (tmp_path / "long").mkdir()
    s = _job(tmp_path / "long", emails={2: "x" * 65 + "@one.example"})
    from apportion.runner import check_job
    [issue] = [i for i in check_job(s) if i.code == "bad-email"]
    assert "too long before the @-sign" in issue.message


def test_a_send_record_that_cannot_be_written_stops_before_the_message_goes(folder, smtp, monkeypatch):
    """Tester M4: with sent.csv unwritable, --send delivered the first message, failed to record it and stopped;
    the retry sent that message again (a district got two copies). The record is written before each
    message goes, so nothing is delivered that is not recorded."""
    import apportion.mail as mail_module
    real = mail_module.write_file

    def refuse(path, data):
        if Path(path).name == "sent.csv":
            raise PermissionError(1, "Operation not permitted", str(path))
        return real(path, data)
    monkeypatch.setattr(mail_module, "write_file", refuse)
    result = _send(folder, smtp.controller.port)
    assert result.exit_code == 1 and "sent.csv" in result.output and "Operation not permitted" in result.output
    assert smtp.envelopes == []  # nothing went
    monkeypatch.setattr(mail_module, "write_file", real)
    again = _send(folder, smtp.controller.port)
    assert again.exit_code == 0 and len(smtp.envelopes) == len(EMAILS)  # each district once
    assert len({e.rcpt_tos[0] for e in smtp.envelopes}) == len(EMAILS)
