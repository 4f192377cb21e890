"""apportion.law.governance: the hearing a changed method needs and the district superintendent salary cap
(Educ. Law §1950(4)(b)(7)(i); §1950(4)(a)(2); rules §2, §6)."""
from __future__ import annotations

from datetime import date

import pytest

from apportion.law import governance

MEETING = date(2026, 4, 21)


@pytest.mark.parametrize("method, prior, hearing, meeting, ok", [
    ("WADA", None, None, None, True),                  # no prior method known: nothing changed
    ("WADA", "WADA", None, None, True),                # the same method: no hearing needed
    ("WADA", "true value", date(2026, 3, 22), MEETING, True),   # 30 days before the meeting: just in time
    ("WADA", "true value", date(2026, 3, 23), MEETING, False),  # 29 days: too late
    ("WADA", "true value", None, MEETING, False),      # changed without a hearing
    ("WADA", "true value", date(2026, 1, 5), None, False),      # no annual meeting date to count from
])
def test_a_changed_method_needs_a_hearing_in_time(method, prior, hearing, meeting, ok):
    # MEETING 2026-04-21 − 30 days = 2026-03-22: a hearing on or before that date is in time
    assert governance.method_change_hearing_ok(method, prior, hearing, meeting, 30) is ok


def test_the_superintendent_salary_may_reach_the_cap_but_not_pass_it():
    # cap $208,250 (the 2019-20 cap): at the cap fine, one cent over flagged, no salary given → nothing to check
    cap = 208_250_00
    assert [governance.ds_salary_over_cap(s, cap) for s in (208_250_00, 208_250_01, None)] == [False, True, False]
