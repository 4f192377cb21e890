"""Nothing the product writes or prints points at a development file (issue 15 point 6): the example jobs'
every output file — xlsx parts unzipped, CSVs, JSON, PDF text, .eml drafts decoded — and `apportion params`."""
from __future__ import annotations

import email
import io
import re
import zipfile
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner

from apportion.cli import cli
from apportion.delivery_cli import register
from apportion.mail import Envelope, write_outbox

from .builders import copy_of

ROOT = Path(__file__).resolve().parent.parent
#: development paths and words a user must never see; SPEC in capitals only ("special act" is the law's word)
DEVELOPMENT = re.compile(r"shared/|seeds|domain-research|vectors|SPEC|FORMATS\.md|placeholder|1990-07-01")


def _texts(path: Path) -> list[tuple[str, str]]:
    """(where, text) for one output file: each part of a workbook, the decoded parts of a message, a PDF's text."""
    data = path.read_bytes()
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return [(f"{path.name}:{name}", book.read(name).decode("utf-8", "replace")) for name in book.namelist()]
    if path.suffix == ".eml":
        msg = email.message_from_bytes(data, policy=policy.default)
        parts = [(f"{path.name}:{k}", str(v)) for k, v in msg.items()]
        parts += [(f"{path.name}:{p.get_content_type()}", p.get_content()) for p in msg.walk()
                  if p.get_content_maintype() == "text"]
        return parts + [(path.name, data.decode("utf-8", "replace"))]
    if path.suffix == ".pdf":
        from pypdf import PdfReader
        reader = PdfReader(io.BytesIO(data))
        return [(path.name, " ".join(page.extract_text() for page in reader.pages) + str(reader.metadata))]
    return [(path.name, data.decode("utf-8", "replace"))]


@pytest.fixture(scope="module")
def outputs(example_run, tmp_path_factory) -> list[Path]:
    """Every file the example jobs produce: `run --pdf` (conftest), then `mail` (drafts with their attachments)."""
    out = tmp_path_factory.mktemp("examples")
    for folder in example_run.values():
        assert write_outbox(copy_of(folder, out), Envelope("Business Office <business@boces.example>")).drafts
    files = [p for p in out.rglob("*") if p.is_file()]
    assert {p.suffix for p in files} >= {".xlsx", ".csv", ".json", ".pdf", ".eml"}
    return files


def test_no_output_file_names_a_development_file(outputs):
    found = [f"{where}: {m.group(0)!r} in …{text[max(0, m.start() - 60):m.end() + 60]}…"
             for path in outputs for where, text in _texts(path) for m in DEVELOPMENT.finditer(text)]
    assert found == []


@pytest.mark.parametrize("args", [["params"], ["params", "--year", "2026-27"], ["params", "--year", "2023-24"]])
def test_params_names_no_development_file(args):
    register(cli)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Educ. Law §1950" in result.output
    assert DEVELOPMENT.findall(result.output) == []
