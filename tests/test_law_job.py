"""Law cases through a whole job (reader → validation → core), rules §1-§7, exact to the cent."""
from __future__ import annotations

import datetime as dt

import pytest

from apportion.errors import JobInputError
from apportion.runner import compute_job

from .builders import set_item, small_job

ALPHA, BETA, GAMMA, DELTA, EPSILON, OUTSIDE = ("010100010000", "010200010000", "010300010000", "010400010000",
                                               "010500010000", "010600010000")


def run(tmp_path, edit=None):
    return compute_job(small_job(tmp_path / "job.xlsx", edit))


def codes(issues):
    return {i.code for i in issues}


def test_pools_and_wada_shares(small_result):
    # admin pool = 1,000,000 − 0 state aid − 100,000 other revenue = 900,000
    # RWADA 1000 / 600 / 1500 / 400 / 50 (Σ 3,550); Alpha 900,000 × 1000/3550 = 253,521.126… → 253,521.13
    r = small_result
    assert r.pools.admin == 900_000_00
    admin = r.apportionment.shares["administrative"]
    assert admin[ALPHA] == 253_521_13 and admin.sum() == 900_000_00
    assert r.apportionment.shares["capital"].sum() == 300_000_00 and r.apportionment.shares["rent"].sum() == 60_000_00
    assert OUTSIDE not in r.apportionment.shares.index  # a non-component shares nothing


def test_coser_unit_costs_and_charges(small_result):
    r = small_result
    s = r.coser.services
    # S100 anticipated: 90,000 / (2 + 1 + 0.5) = 25,714.2857 → 25,714.29; charges 51,428.57 / 25,714.29 / 12,857.14
    assert s.at["S100", "unit_cost"] == 25_714_29
    c = r.coser.rows.set_index(["service_code", "district_code"])["charge"]
    assert (c["S100", ALPHA], c["S100", BETA], c["S100", GAMMA]) == (51_428_57, 25_714_29, 12_857_14)
    # S200 2-year average: (4+6)/2 = 5, (3+2)/2 = 2.5, (1+1)/2 = 1 → Σ 8.5; 200,000 / 8.5 = 23,529.41
    assert s.at["S200", "unit_cost"] == 23_529_41
    # S400 3-year average: 11 and 5 → Σ16; 30,000/16 = 1,875.00
    assert s.at["S400", "unit_cost"] == 1_875_00
    for code in ("S100", "S200", "S300", "S400"):
        assert r.coser.rows.loc[r.coser.rows["service_code"] == code, "charge"].sum() == s.at[code, "budget"]


def test_swd_true_up_on_actual_units(small_result):
    # S200 actual cost 210,000 over actual units 5 / 4 / 1 (Σ10): 105,000 / 84,000 / 21,000
    r = small_result
    rows = r.coser.rows[r.coser.rows["service_code"] == "S200"].set_index("district_code")
    assert rows["final_charge"].to_dict() == {ALPHA: 105_000_00, BETA: 84_000_00, EPSILON: 21_000_00}
    assert rows.at[ALPHA, "adjustment"] == 105_000_00 - 117_647_06
    adjustments = r.billing[r.billing["category"] == "coser adjustment"]["amount"].sum()
    assert adjustments == 210_000_00 - 200_000_00


def test_service_surplus_returned_by_participation(small_result):
    # S400 surplus 3,000 by basis units 11 : 5 → 2,062.50 and 937.50, billed as credits
    r = small_result
    credits = r.billing[r.billing["category"] == "coser surplus"].set_index("district_code")["amount"]
    assert credits.to_dict() == {ALPHA: -2_062_50, BETA: -937_50}


def test_three_quarter_approval_warning(small_result):
    # S100: 3 component participants → ⌈0.75 × 3⌉ = 3 needed, 3 approvals → fine
    # S200: 3 participants, 2 approvals → warning; S300: the non-component does not count (1 participant, 2 ok)
    r = small_result
    flagged = {i.cell for i in r.log.warnings if i.code == "methodology-not-approved"}
    assert flagged == {"J3", "J5"}  # S200 (row 3) and S400 (row 5: 1 of 2)


def test_salaries_over_limit_from_staff(small_result):
    # S100 staff: 65,000 − 30,000 = 35,000 over; the aide at 28,000 is under → 35,000
    r = small_result
    assert r.coser.services.at["S100", "salaries_over_limit"] == 35_000_00
    assert r.coser.services.at["S200", "salaries_over_limit"] == 10_000_00  # given on the sheet


def test_shared_pd_per_attendee(small_result):
    # PD-1 12,000 by staff attending: Alpha 5 + 2 = 7, Beta 3 → 8,400 and 3,600; unit cost 1,200
    r = small_result
    charges = r.shared_pd.rows.set_index("district_code")["charge"]
    assert charges.to_dict() == {ALPHA: 8_400_00, BETA: 3_600_00}
    assert r.shared_pd.contracts.at["PD-1", "unit_cost"] == 1_200_00


def test_approved_services_estimate(small_result):
    """Alpha: S100 51,428.57 × (90,000 − 35,000)/90,000 = 31,428.571…
    + S200 final 105,000 × (200,000 − 10,000 − 5,000)/200,000 = 97,125
    + S300 transportation 0 + S400 not aidable 0
    + PD 8,400 × (12,000 − 2,000)/12,000 = 7,000  → 135,553.57 → 135,554"""
    r = small_result
    assert r.aid.table.at[ALPHA, "approved_services"] == 135_554


def test_approved_admin_ten_percent_limit(small_result):
    """Total expenses 1,000,000 + 370,000 services + 12,000 PD = 1,382,000; 10 % = 138,200;
    factor 138,200 / 1,000,000; Alpha 253,521.13 × 0.1382 = 35,036.62 → 35,037"""
    r = small_result
    assert r.aid.table.at[ALPHA, "approved_admin"] == 35_037


def test_special_act_gets_half_of_approved_services(small_result):
    """Epsilon (special act): S200 final 21,000 × 0.925 = 19,425; aid = half_up(19,425 × 0.500) = 9,713."""
    r = small_result
    e = r.aid.table.loc[EPSILON]
    assert (e["approved_services"], e["services_aid"], e["admin_aid"], e["capital_aid"], e["rent_aid"]) == \
        (19_425, 9_713, 0, 0, 0)
    assert e["sharing_ratio"] == 500 and e["capital_ratio"] == 0 and e["ratio_source"] == "special act"


def test_billing_rows_sum_to_total_charges(small_result):
    r = small_result
    assert r.billing["amount"].sum() == 900_000_00 + 300_000_00 + 60_000_00 + 370_000_00 + 10_000_00 + 12_000_00 \
        - 3_000_00
    outside = r.billing[r.billing["district_code"] == OUTSIDE]
    assert set(outside["category"]) == {"coser"}  # a non-component has rows only for what it bought


def test_failed_vote_uses_contingency_budget(tmp_path):
    # 2 yes, 3 no → fails; cap = prior 800,000 + 20,000 excluded = 820,000 → pool 820,000 − 100,000 = 720,000
    def edit(sheets):
        for row in sheets["Districts"][1:4]:
            row[8] = "no"
        set_item(sheets, "Prior year administrative budget", 800_000)
        set_item(sheets, "Excluded retirement increases", 20_000)
    r = run(tmp_path, edit)
    assert r.vote.adopted is False and r.pools.admin_used == 820_000_00
    assert r.pools.admin == 720_000_00
    assert r.apportionment.shares["administrative"].sum() == 720_000_00
    assert r.apportionment.shares["administrative_proposed"].sum() == 900_000_00
    assert "budget-vote-failed" in codes(r.log.warnings)


def test_failed_vote_without_prior_budget_is_an_error(tmp_path):
    def edit(sheets):
        for row in sheets["Districts"][1:5]:
            row[8] = "no"
    with pytest.raises(JobInputError) as err:
        run(tmp_path, edit)
    assert "prior-budget-missing" in codes(err.value.issues)


def test_method_change_needs_a_timely_hearing(tmp_path):
    def late(sheets):
        set_item(sheets, "Prior year method", "true value")
        set_item(sheets, "Method hearing date", dt.date(2026, 4, 1))
        set_item(sheets, "Annual meeting date", dt.date(2026, 4, 15))  # 14 days: too late
    assert "method-change-hearing" in codes(run(tmp_path, late).log.warnings)

    def timely(sheets):
        late(sheets)
        set_item(sheets, "Method hearing date", dt.date(2026, 3, 16))  # exactly 30 days before
    assert "method-change-hearing" not in codes(run(tmp_path, timely).log.warnings)


def test_ds_salary_over_cap_warns(tmp_path):
    r = run(tmp_path, lambda s: set_item(s, "District superintendent salary", 208_250.01))
    assert "ds-salary-over-cap" in codes(r.log.warnings)
    r = run(tmp_path, lambda s: set_item(s, "District superintendent salary", 208_250))
    assert "ds-salary-over-cap" not in codes(r.log.warnings)


def test_state_average_carried_forward_with_warning(tmp_path):
    def edit(sheets):
        sheets["BOCES"] = [row for row in sheets["BOCES"] if row[0] != "State average AV per RWADA"]
    r = run(tmp_path, edit)
    warning = next(i for i in r.log.warnings if i.code == "state-average-carried-forward")
    assert "1,037,700" in warning.message and "2027-28" in warning.message


@pytest.mark.parametrize("authority, pct, ok", [("Putnam-Northern Westchester", 50, True),
                                                ("Putnam-Northern Westchester", 0.5, True),
                                                ("Putnam-Northern Westchester", 60, False),
                                                ("Suffolk", 73, True)])
def test_blend_rules(tmp_path, authority, pct, ok):
    def edit(sheets):
        set_item(sheets, "Apportionment method", "blend")
        set_item(sheets, "Blend authority", authority)
        set_item(sheets, "Blend true value percent", pct)
        sheets["Districts"][5][3] = None  # the special act district has no full value
    if ok:
        r = run(tmp_path, edit)
        assert r.apportionment.shares["administrative"].sum() == 900_000_00
    else:
        with pytest.raises(JobInputError) as err:
            run(tmp_path, edit)
        issue = next(i for i in err.value.issues if i.code == "blend-off-schedule")
        assert (issue.sheet, issue.column) == ("BOCES", "Blend true value percent") and issue.cell.startswith("B")


def test_true_value_special_act_basis(tmp_path):
    # special act full value = 50 × 1,037,700 = 51,885,000; Σ = 500M + 300M + 800M + 200M + 51.885M
    r = run(tmp_path, lambda s: set_item(s, "Apportionment method", "true value"))
    share = r.apportionment.shares["administrative"]
    assert share[EPSILON] == 25_215_66  # 900,000 × 51,885,000 / 1,851,885,000 = 25,215.664… → 25,215.66
    assert share.sum() == 900_000_00


def test_collaboration_credits(small_result):
    # A: 5 + 7.5 = 12.5 hours → 1 credit registered at 2026-Q2; B: 25 hours but no credit wanted → 0
    r = small_result
    c = r.collaboration.set_index("teacher")
    assert (c.at["A. Teacher", "credits"], c.at["A. Teacher", "registered_quarter"]) == (1, "2026-Q2")
    assert c.at["B. Teacher", "hours"] == 25_000_000 and c.at["B. Teacher", "credits"] == 0


@pytest.mark.parametrize("column, value, code", [(3, 15, "pd-too-long"), (4, "yes", "pd-credit"),
                                                 (6, dt.date(2026, 9, 1), "pd-post-dated")])
def test_shared_pd_rules(tmp_path, column, value, code):
    def edit(sheets):
        sheets["Shared PD"][1][column] = value
    with pytest.raises(JobInputError) as err:
        run(tmp_path, edit)
    assert code in codes(err.value.issues)


def test_shared_pd_needs_two_paying_districts(tmp_path):
    def edit(sheets):
        sheets["PD Attendance"] = [r for r in sheets["PD Attendance"] if r[1] != BETA]
    with pytest.raises(JobInputError) as err:
        run(tmp_path, edit)
    issue = next(i for i in err.value.issues if i.code == "pd-too-few-districts")
    assert (issue.sheet, issue.cell) == ("Shared PD", "A2")


def test_zero_basis_is_an_error_in_the_users_words(tmp_path):
    def edit(sheets):
        set_item(sheets, "Apportionment method", "enrollment")
        for row in sheets["Districts"][1:6]:
            row[5] = 0
    with pytest.raises(JobInputError) as err:
        run(tmp_path, edit)
    issue = next(i for i in err.value.issues if i.code == "zero-basis")
    assert "total enrollment of the component districts is 0" in issue.message


def test_year_without_a_published_state_average_needs_one_on_the_sheet(tmp_path):
    def old_year(sheets):
        set_item(sheets, "School year", "2005-06")
        sheets["BOCES"] = [row for row in sheets["BOCES"] if row[0] != "State average AV per RWADA"]
    with pytest.raises(JobInputError) as err:
        run(tmp_path, old_year)
    issue = next(i for i in err.value.issues if i.code == "no-parameter")
    assert "state_average_av_per_rwada" in issue.message and issue.sheet == "BOCES"
    # given on the BOCES sheet, the same year computes
    r = run(tmp_path, lambda s: set_item(s, "School year", "2005-06"))
    assert r.apportionment.shares["administrative"].sum() == 900_000_00
