"""The dated law parameters: the shipped tree is complete and cited, and loading is strict."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from apportion.errors import ParameterError
from apportion.parameters import ROOT, load_parameter, load_parameters, parameters_at
from apportion.years import SchoolYear

GOOD = """description: The State excludes salary above this amount.
metadata:
  label: Salary limit
  unit: currency-USD
  keyed_on: aid_year
  period: from
  reference:
    - title: Educ. Law §1950(5)(b)
      href: https://www.nysenate.gov/legislation/laws/EDN/1950
values:
  "1990-07-01": 30000
"""


def test_every_parameter_has_a_citation_and_july_dates():
    problems = []
    for name, p in load_parameters().items():
        if not p.references or not all(r.title for r in p.references):
            problems.append(f"{name}: no citation")
        # a statute is cited with its public text
        problems += [f"{name}: {r.title} has no public URL" for r in p.references
                     if r.title.startswith("Educ. Law") and not r.href.startswith("https://www.nysenate.gov/")]
        problems += [f"{name}: {d} is not July 1" for d, _ in p.values if (d.month, d.day) != (7, 1)]
    assert problems == []


def test_values_in_force_by_year():
    # the salary limit is keyed on the aid year: a 2026-27 budget is aided in 2027-28
    values = parameters_at(SchoolYear.parse("2026-27"))
    assert values["aid.salary_limit"].value == 30_000 and str(values["aid.salary_limit"].year) == "2027-28"
    # Putnam-NW schedule by budget year: 80/20 in 2006-07, 50/50 from 2009-10
    assert parameters_at(SchoolYear.parse("2006-07"))["apportionment.putnam_nw_true_value_percent"].value == 80
    assert "aid.state_average_av_per_rwada" not in parameters_at(SchoolYear.parse("2006-07"))  # none on file yet
    assert parameters_at(SchoolYear.parse("2030-31"))["apportionment.putnam_nw_true_value_percent"].value == 50
    # a year-specific value: 2024-25 aid has its own; 2027-28 carries the latest forward and says so
    avg_2425 = parameters_at(SchoolYear.parse("2023-24"))["aid.state_average_av_per_rwada"]
    assert (avg_2425.value, avg_2425.carried_forward) == (1_037_700, False)
    avg_2728 = values["aid.state_average_av_per_rwada"]
    assert (avg_2728.value, avg_2728.carried_forward, avg_2728.effective) == (1_037_700, True, date(2024, 7, 1))
    # the superintendent cap: 166,752 through 2018-19, then the lesser of 106 % and 208,250
    assert parameters_at(SchoolYear.parse("2018-19"))["governance.ds_salary_cap"].value == 166_752
    assert parameters_at(SchoolYear.parse("2019-20"))["governance.ds_salary_cap"].value == 176_757


@pytest.mark.parametrize("text, message", [
    (GOOD.replace("  label:", "  lable:"), "unexpected key 'lable'"),
    (GOOD.replace('  "1990-07-01": 30000', '  "1990-07-01": 30000\n  "1990-07-01": 40000'), "duplicate key"),
    (GOOD.replace('"1990-07-01"', '"July 1990"'), "not an ISO date"),
    (GOOD.replace("30000", "thirty"), "must be a number"),
    (GOOD.replace("currency-USD", "dollars"), "unit 'dollars'"),
    (GOOD.replace("  reference:\n    - title: Educ. Law §1950(5)(b)\n      href: https://www.nysenate.gov/legislation/laws/EDN/1950\n",
                  ""), "missing key 'reference'"),
])
def test_loading_is_strict(tmp_path: Path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ParameterError, match=message) as err:
        load_parameter(path, "aid.bad")
    assert str(path) in str(err.value)


def test_good_file_loads(tmp_path: Path):
    path = tmp_path / "salary.yaml"
    path.write_text(GOOD)
    p = load_parameter(path, "aid.salary")
    assert p.values == ((date(1990, 7, 1), 30000),) and p.keyed_on == "aid_year"


def test_shipped_tree_is_the_package_data():
    assert (ROOT / "aid" / "salary_limit.yaml").exists()


UNDATED = GOOD.replace('"1990-07-01": 30000', '"by 2024-25": 30000\n  "2027-07-01": 35000')


def test_a_value_known_only_by_a_year_says_so_and_applies_before_it(tmp_path: Path):
    path = tmp_path / "salary.yaml"
    path.write_text(UNDATED)
    p = load_parameter(path, "aid.salary")
    assert p.values == ((date(2024, 7, 1), 30000), (date(2027, 7, 1), 35000))
    early, known, later = (p.at(SchoolYear.parse(y)) for y in ("2010-11", "2024-25", "2027-28"))
    assert (early.value, early.effective_text) == (30000, "in force by 2024-25 (earliest checked)")
    assert known.effective_text == "in force by 2024-25 (earliest checked)"
    # keyed on the aid year: a 2027-28 budget is aided in 2028-29, under the dated 2027-07-01 value
    assert (later.value, later.effective_text) == (35000, "2027-07-01")


def test_only_the_first_value_may_be_undated(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace('"1990-07-01": 30000', '"2020-07-01": 1\n  "by 2024-25": 2'))
    with pytest.raises(ParameterError, match="only the first value may be 'by 2024-25'"):
        load_parameter(path, "aid.bad")


def test_shipped_parameters_have_true_dates_or_say_earliest_checked():
    """No placeholder date: every first value is dated by the law (e.g. the Putnam-NW schedule from 2005-06)
    or marked "in force by … (earliest checked)"."""
    for name, p in load_parameters().items():
        first = p.since(p.values[0][0])
        assert first.startswith("in force by") or p.period == "year" or name in {
            "apportionment.putnam_nw_true_value_percent"}, (name, first)
        assert date(1990, 7, 1) not in [d for d, _ in p.values], name
