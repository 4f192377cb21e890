"""The issue catalogue is complete: every code the package can emit is listed, with its severity, and documented."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from apportion.errors import Issue, IssueLog
from apportion.issues import CATALOGUE, lookup, markdown
from apportion.limits import SETTINGS as LIMIT_NAMES
from apportion.readers.content import SUSPECT_MESSAGES
from apportion.readers.table import KIND_CODES, NUMBER_CODES

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "apportion"
#: a code looks like ``missing-column``: lower-case words joined by hyphens
CODE_SHAPE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")
#: literals of that shape in the package that are not issue codes
NOT_CODES = {"non-component", "too-large", "too-precise", "utf-8", "utf-16", "yyyy-mm-dd"}
NOT_CODES |= set(LIMIT_NAMES)  # the names of the size limits (--limit NAME=N)
#: calls whose first argument is an issue code (log methods, the readers' refusals)
CODE_FIRST = {"error", "warning", "note", "UnsafeWorkbook", "UnreadableSheet"}


def _literals(package: Path = PACKAGE):
    """(file, line, string, whether it sits where a code goes) for every code-shaped string literal in the package."""
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        positional = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args:
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in CODE_FIRST:
                    positional.add(id(node.args[0]))
                elif name in ("Issue", "add") and len(node.args) > 1:
                    positional.add(id(node.args[1]))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                    CODE_SHAPE.match(node.value) or id(node) in positional):
                yield path.relative_to(package.parent), node.lineno, node.value, id(node) in positional


def test_the_scan_finds_an_uncatalogued_code_however_it_is_passed(tmp_path):
    """The two scans below can fail: a code passed straight to the log, and one picked from a rule table."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "m.py").write_text(
        'def check(log, broken):\n'
        '    log.error("made-up-code", "a literal where the code goes")\n'
        '    rules = [("rule", "made-up-rule", "column")]\n'
        '    for _, code, _ in rules:\n'
        '        log.warning(code, "through a variable")\n'
        '    log.note("missing-column", "catalogued")\n')
    found = {(code, positional) for _, _, code, positional in _literals(package)}
    assert found == {("made-up-code", True), ("made-up-rule", False), ("missing-column", True)}
    uncatalogued = {code for code, _ in found if code not in CATALOGUE}
    assert uncatalogued == {"made-up-code", "made-up-rule"}


def test_every_code_passed_to_the_log_is_in_the_catalogue():
    wrong = [f"{f}:{line} {code!r}" for f, line, code, positional in _literals() if positional and code not in CATALOGUE]
    assert not wrong, "codes missing from apportion/issues.yaml: " + ", ".join(wrong)


def test_every_code_shaped_literal_is_a_catalogued_code():
    """Codes chosen through a variable (a refusal's kind, a rule table) are caught by their literal."""
    wrong = [f"{f}:{line} {code!r}" for f, line, code, _ in _literals()
             if code not in CATALOGUE and code not in NOT_CODES]
    assert not wrong, ("add these to apportion/issues.yaml, or to NOT_CODES here if they are not issue codes: "
                       + ", ".join(wrong))


def test_the_readers_code_tables_are_catalogued():
    codes = {c for table in NUMBER_CODES.values() for c in table.values()} | set(KIND_CODES.values()) | set(
        SUSPECT_MESSAGES)
    assert codes <= set(CATALOGUE), codes - set(CATALOGUE)


def test_every_catalogued_code_is_emitted_somewhere():
    used = {code for _, _, code, _ in _literals()}
    assert set(CATALOGUE) <= used, f"catalogued but never emitted: {sorted(set(CATALOGUE) - used)}"


def test_each_entry_has_a_title_and_a_template():
    for entry in CATALOGUE.values():
        assert CODE_SHAPE.match(entry.code), entry.code
        assert entry.title and entry.title[0].isupper(), entry.code
        assert entry.template and not entry.template.endswith("."), entry.code


def test_an_unlisted_code_or_a_wrong_severity_is_refused():
    with pytest.raises(ValueError, match="not in the catalogue"):
        IssueLog().error("no-such-code", "x")
    with pytest.raises(ValueError, match="is a warning in the catalogue"):
        IssueLog().error("no-budget-vote", "x")
    with pytest.raises(ValueError, match="not in the catalogue"):
        Issue("error", "made-up")
    assert lookup("missing-column").severity == "error"


def test_a_message_defaults_to_the_template_filled_from_the_location_and_values():
    log = IssueLog()
    log.error("missing-column", file="a.xlsx", sheet="Districts", cell="A1", column="RWADA")
    log.error("no-participation", service="101", basis="anticipated", sheet="Services")
    assert [i.message for i in log.issues] == [
        "the required column 'RWADA' is missing",
        "service 101 has a budget but no participation units under its anticipated basis"]
    assert log.issues[1].sheet == "Services"
    with pytest.raises(TypeError, match="template values"):
        log.error("no-participation", "its own message", service="101")


def test_docs_list_every_code_as_generated():
    """docs/issues.md is ``python -m apportion.issues`` (rewrite it with that command after editing the catalogue)."""
    assert (ROOT / "docs" / "issues.md").read_text() == markdown()
    assert "issues.md" in (ROOT / "docs" / "formats.md").read_text()
