"""Email addresses as the mail standards allow them (issue 14 point 6): refused at the cell when they are not
mailboxes, kept as typed when they are (non-ASCII included: sending decides how they travel)."""
from __future__ import annotations

import pytest

from apportion.readers import coerce
from apportion.runner import check_job, read_job

from . import corpus as C


def _errors(path):
    return [(i.code, i.sheet, i.cell, i.message) for i in check_job(path) if i.severity == "error"]


@pytest.mark.parametrize("value, why", [
    ('a"@b.org', "must have an @-sign"),  # the quote opens a quoted local part that never closes
    ("a\x00b@c.org", "U+0000"),
    ("treasurer@", "something after the @-sign"),
    ("treasurer@district", "should have a period"),
    ("bo@two.example; clerk at two.example", "'clerk at two.example'"),
    ('"quoted local"@two.example', "Quoting"),
    ("Treasurer <t@two.example>", "'Treasurer <t@two.example>'"),
])
def test_a_refused_address_is_an_error_at_its_cell(tmp_path, value, why):
    s = C.valid_sheets()
    cell = C.set_cell(s, "Districts", "Email", 3, value)
    (error,) = _errors(C.write(tmp_path / "bad.xlsx", s))
    assert error[:3] == ("bad-email", "Districts", cell)
    assert why in error[3] and "mail standards" in error[3]


@pytest.mark.parametrize("value, kept", [
    ("trésorier@district.example", "trésorier@district.example"),
    ("bo@münchen.example", "bo@münchen.example"),
    (" a@one.example ,b@one.example ", "a@one.example; b@one.example"),
])
def test_an_allowed_address_is_kept_as_typed(tmp_path, value, kept):
    s = C.valid_sheets()
    C.set_cell(s, "Districts", "Email", 3, value)
    job = read_job(C.write(tmp_path / "ok.xlsx", s))
    assert job.districts.loc[C.CODES[2], "email"] == kept


def test_business_office_email_is_one_address(tmp_path):
    s = C.valid_sheets()
    C.set_item(s, "Business office email", "business@boces.example")
    assert read_job(C.write(tmp_path / "ok.xlsx", s)).settings.business_office_email == "business@boces.example"
    cell = C.set_item(s, "Business office email", "a@boces.example; b@boces.example")
    assert [e[:3] for e in _errors(C.write(tmp_path / "two.xlsx", s))] == [("bad-item", "BOCES", cell)]


def test_email_problem_is_offline_and_names_the_reason():
    assert coerce.email_problem("bo@two.example") is None
    assert "U+0000" in coerce.email_problem("a\x00@b.org")
    assert coerce.why_not_emails("ok@one.example; a\"@b.org").startswith("'a\"@b.org':")
