"""apportion mail: .eml files from a real job's statements, and delivery to a real SMTP server on 127.0.0.1."""
from __future__ import annotations

import csv
import email
import shutil
import socket
from email import policy
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner

from apportion.batch import run_batch
from apportion.delivery_cli import register
from apportion.mail import read_statement, write_outbox
from apportion.runner import sha256

from .builders import vector_job

SENDER = "Business Office <business@boces.example>"
# Row (1-based, header = 1) of the vector job's Districts sheet → Email cell; the rest have no address.
EMAILS = {2: "treasurer@one.example; clerk@one.example", 3: "bo@two.example", 5: "finance@three.example"}
ODD_NAME = "Smith & Jones <Central> \"CSD\""  # every value from the workbook must be escaped in HTML


@pytest.fixture(scope="module")
def computed(tmp_path_factory) -> Path:
    """The output folder of the vector job with an Email column added, computed by the real pipeline."""
    tmp = tmp_path_factory.mktemp("mailjob")
    job = vector_job(tmp / "job.xlsx")
    book = openpyxl.load_workbook(job)
    ws = book["Districts"]
    column = ws.max_column + 1
    ws.cell(1, column, "Email")
    for row, value in EMAILS.items():
        ws.cell(row, column, value)
    ws.cell(3, 2, ODD_NAME)
    book.save(job)
    batch = run_batch([job], tmp / "out", jobs=1)
    assert batch.exit_code == 0, batch.outcomes
    return Path(batch.outcomes[0].output)


@pytest.fixture
def folder(computed, tmp_path) -> Path:
    """A fresh copy of the computed job per test, so outboxes and manifests never leak between tests."""
    return Path(shutil.copytree(computed, tmp_path / computed.name))


def _cli() -> click.Group:
    group = click.Group()
    register(group)
    return group


def _attachment(msg) -> tuple[str, str, bytes]:
    (part,) = list(msg.iter_attachments())
    return part.get_filename(), part.get_content_type(), part.get_content()


def test_one_eml_per_district_with_an_address(folder):
    outbox = write_outbox(folder, SENDER)
    statements = {read_statement(p).code: p for p in (folder / "districts").glob("*.xlsx")}
    with_address = {c: p for c, p in statements.items() if read_statement(p).emails}
    assert len(with_address) == len(EMAILS)
    assert sorted(p.name for p in (folder / "outbox").glob("*.eml")) == sorted(f"{p.stem}.eml"
                                                                                 for p in with_address.values())
    for draft in outbox.drafts:
        statement = with_address[draft.statement.code]
        msg = email.message_from_bytes(draft.path.read_bytes(), policy=policy.default)
        assert [a.addr_spec for a in msg["To"].addresses] == list(read_statement(statement).emails)
        assert msg["From"] == SENDER
        assert msg["Subject"] == f"Vector test BOCES 2023-24 BOCES charges — {draft.statement.name}"
        assert msg["Message-ID"].strip() == draft.message_id
        name, ctype, data = _attachment(msg)
        assert (name, ctype) == (statement.name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        assert data == statement.read_bytes()
        text = msg.get_body(("plain",)).get_content()
        html = msg.get_body(("html",)).get_content()
        for figure in ("Total charges", "Total BOCES aid", "Net cost"):
            assert figure in text and figure in html
    multi = [d for d in outbox.drafts if len(d.recipients) == 2]
    assert multi and multi[0].recipients == ("treasurer@one.example", "clerk@one.example")


def test_html_body_escapes_workbook_values(folder):
    outbox = write_outbox(folder, SENDER)
    (odd,) = [d for d in outbox.drafts if d.statement.name == ODD_NAME]
    msg = email.message_from_bytes(odd.path.read_bytes(), policy=policy.default)
    html = msg.get_body(("html",)).get_content()
    assert "Smith &amp; Jones &lt;Central&gt; &quot;CSD&quot;" in html
    assert ODD_NAME not in html
    assert ODD_NAME in msg.get_body(("plain",)).get_content()


def test_same_statements_give_identical_bytes(folder, computed, tmp_path):
    first = {p.name: p.read_bytes() for p in write_outbox(folder, SENDER).folder.iterdir()}
    second = {p.name: p.read_bytes() for p in write_outbox(folder, SENDER).folder.iterdir()}
    elsewhere = Path(shutil.copytree(computed, tmp_path / "elsewhere" / computed.name))
    third = {p.name: p.read_bytes() for p in write_outbox(elsewhere, SENDER).folder.iterdir()}
    assert first == second == third
    assert any(name.endswith(".eml") for name in first)


def test_boces_and_year_come_from_the_summary_when_the_title_is_changed(folder):
    path = sorted((folder / "districts").glob("*.xlsx"))[0]
    book = openpyxl.load_workbook(path)
    book["Statement"]["A1"] = "Statement of charges"
    book.save(path)
    st = read_statement(path)
    assert (st.boces, st.year) == ("Vector test BOCES", "2023-24")


def test_districts_without_an_address_are_listed(folder):
    result = CliRunner().invoke(_cli(), ["mail", str(folder), "--from", SENDER])
    assert result.exit_code == 0, result.output
    with open(folder / "outbox" / "no-address.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    codes = {read_statement(p).code for p in (folder / "districts").glob("*.xlsx") if not read_statement(p).emails}
    assert {r["district_code"] for r in rows} == codes and len(rows) == 12 - len(EMAILS)
    assert f"{len(codes)} district(s) have no email address" in result.output
    for code in codes:
        assert code in result.output


def test_not_an_output_folder_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(_cli(), ["mail", str(tmp_path)])
    assert result.exit_code == 1
    assert "no districts/ folder" in result.output


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


def _server(handler: Collector, port: int | None = None):
    from aiosmtpd.controller import Controller
    controller = Controller(handler, hostname="127.0.0.1", port=port or _free_port())
    controller.start()
    return controller


@pytest.fixture
def smtp():
    """A real SMTP server on 127.0.0.1 at a free port, collecting what it receives."""
    handler = Collector()
    handler.controller = _server(handler)
    yield handler
    handler.controller.stop()


def _send(folder: Path, port: int, *extra: str):
    args = ["mail", str(folder), "--send", "--host", "127.0.0.1", "--port", str(port), "--security", "none",
            "--from", SENDER, *extra]
    return CliRunner().invoke(_cli(), args, env={"APPORTION_SMTP_PASSWORD": None, "APPORTION_SMTP_USER": None})


def _manifest(folder: Path) -> list[dict]:
    path = folder / "outbox" / "sent.csv"
    if not path.exists():
        return []
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_send_delivers_every_message_once(folder, smtp):
    result = _send(folder, smtp.controller.port)
    assert result.exit_code == 0, result.output
    assert len(smtp.envelopes) == len(EMAILS)
    statements = {p.name: p.read_bytes() for p in (folder / "districts").glob("*.xlsx")}
    for envelope in smtp.envelopes:
        assert envelope.mail_from == "business@boces.example"
        msg = email.message_from_bytes(envelope.original_content, policy=policy.default)
        assert sorted(envelope.rcpt_tos) == sorted(a.addr_spec for a in msg["To"].addresses)
        name, _, data = _attachment(msg)
        assert data == statements[name]
    manifest = _manifest(folder)
    assert len(manifest) == len(EMAILS)
    for row in manifest:
        (eml,) = [p for p in (folder / "outbox").glob(f"{row['district_code']}_*.eml")]
        assert row["sha256"] == sha256(eml)
        msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
        assert row["message_id"] == msg["Message-ID"].strip()

    again = _send(folder, smtp.controller.port)
    assert again.exit_code == 0, again.output
    assert len(smtp.envelopes) == len(EMAILS)  # nothing sent twice
    assert f"Sent 0 message(s); {len(EMAILS)} already sent." in again.output
    assert len(_manifest(folder)) == len(EMAILS)


def test_a_refused_message_is_not_recorded_and_a_retry_sends_only_it(folder, smtp):
    smtp.refuse = {"bo@two.example"}  # the second district by file name: the first gets through
    result = _send(folder, smtp.controller.port)
    assert result.exit_code == 1
    assert "refused every recipient (bo@two.example)" in result.output
    assert "Traceback" not in result.output
    recorded = {row["district_code"] for row in _manifest(folder)}
    assert len(recorded) == len(smtp.envelopes) == 1

    smtp.refuse = set()
    retry = _send(folder, smtp.controller.port)
    assert retry.exit_code == 0, retry.output
    assert len(smtp.envelopes) == len(EMAILS)
    codes = [row["district_code"] for row in _manifest(folder)]
    assert sorted(codes) == sorted(set(codes)) and len(codes) == len(EMAILS)


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
    assert _manifest(folder) == [] and not handler.envelopes
    for path in (folder / "outbox").iterdir():
        assert b"hunter2-secret" not in path.read_bytes()


def test_send_needs_a_sender(folder):
    result = CliRunner().invoke(_cli(), ["mail", str(folder), "--send", "--host", "127.0.0.1"],
                                env={"APPORTION_SMTP_FROM": None})
    assert result.exit_code == 2
    assert "--from" in result.output
