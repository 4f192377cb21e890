"""`apportion compare`: every change between two runs with its two drivers, to the cent (rules §9).

The two runs are the small job of ``builders`` and the same job with four edits: the administrative
budget 1,000,000 → 1,100,000, Beta's RWADA 600 → 700, Alpha's S100 units 2 → 3 and Delta's tax levy
2,500,000 → 3,000,000. Every other line is unchanged.
"""
from __future__ import annotations

import csv
import io
from fractions import Fraction

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from apportion.batch import run_batch
from apportion.cli import cli
from apportion.compare import NotAJobOutput, compare, compare_runs
from apportion.compare.drivers import settle
from apportion.compare.figures import RunFigures
from apportion.money import split_one

from .builders import small_job, small_sheets, set_item, write_workbook

ALPHA, BETA, GAMMA, DELTA, EPSILON, OUTSIDE = (f"010{i}00010000" for i in range(1, 7))
ZETA = "010700010000"


def four_edits(sheets: dict) -> None:
    set_item(sheets, "Administrative budget", 1_100_000)
    districts = sheets["Districts"]
    districts[2][4] = 700  # Beta's RWADA
    districts[4][6] = 3_000_000  # Delta's tax levy
    sheets["Participation"][1][2] = 3  # Alpha's S100 units


def run(tmp_path, name: str, edit=None):
    job = small_job(tmp_path / f"{name}.xlsx", edit)
    batch = run_batch([job], tmp_path / name, jobs=1)
    assert batch.exit_code == 0
    return tmp_path / name / "TEST_2026-27"


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("compare")
    return compare_runs(run(tmp, "old"), run(tmp, "new", four_edits))


def values(c, code, category, item):
    line = c.line(code, category, item)
    return (int(line["old"]), int(line["new"]), int(line["change"]), int(line["part_1"]), int(line["part_2"]))


def test_pool_share_drivers(comparison):
    # WADA bases: Alpha 1000, Beta 600 → 700, Gamma 1500, Delta 400, Epsilon 50: Σ 3550 → 3650.
    # Administrative pool 1,000,000 − 100,000 other revenue = 900,000 → 1,000,000.
    # Alpha: 900,000 × 1000/3550 = 253,521.13 (billed) → 1,000,000 × 1000/3650 = 273,972.60.
    # pool size: 100,000 × 1000/3550 = 28,169.014 → 28,169.01
    # basis share: 1,000,000 × (1000/3650 − 1000/3550) = −7,717.538 → −7,717.54; 28,169.01 − 7,717.54 = 20,451.47
    assert values(comparison, ALPHA, "administrative", "ADMIN") == (25352113, 27397260, 2045147, 2816901, -771754)
    # Beta: 900,000 × 600/3550 = 152,112.68 → 1,000,000 × 700/3650 = 191,780.82; change 39,668.15
    # pool size: 100,000 × 600/3550 = 16,901.408 → 16,901.41
    # basis share: 1,000,000 × (700/3650 − 600/3550) = 22,766.741 → 22,766.74, + 16,901.41 = 39,668.15
    assert values(comparison, BETA, "administrative", "ADMIN") == (15211267, 19178082, 3966815, 1690141, 2276674)
    # the capital pool (300,000) is unchanged: all of Alpha's change is the basis share,
    # 300,000 × (1000/3650 − 1000/3550) = −2,315.26
    assert values(comparison, ALPHA, "capital", "CAPITAL") == (8450704, 8219178, -231526, 0, -231526)
    # BOCES: the pool grew 100,000.00; the shares moved, summing to one cent of rounding
    total = comparison.totals.set_index(["category", "item_code"]).loc[("administrative", "ADMIN")]
    assert (int(total["old"]), int(total["new"]), int(total["change"])) == (90000000, 100000000, 10000000)
    assert int(total["part_1"]) + int(total["part_2"]) == 10000000


def test_coser_drivers(comparison):
    # S100 (anticipated, budget 90,000): units Alpha 2 → 3, Beta 1, Gamma 0.5: Σ 3.5 → 4.5,
    # unit cost 90,000/3.5 = 25,714.2857 → 90,000/4.5 = 20,000.
    # Alpha: 51,428.57 → 60,000.00; units 1 × 25,714.2857 = 25,714.29; unit cost 3 × −5,714.2857 = −17,142.86
    assert values(comparison, ALPHA, "coser", "S100") == (5142857, 6000000, 857143, 2571429, -1714286)
    # Beta: units unchanged, 1 × −5,714.2857 = −5,714.29, all unit cost
    assert values(comparison, BETA, "coser", "S100") == (2571429, 2000000, -571429, 0, -571429)
    # Gamma: 0.5 × −5,714.2857 = −2,857.14
    assert values(comparison, GAMMA, "coser", "S100") == (1285714, 1000000, -285714, 0, -285714)
    # the service's budget is the same, so the BOCES total does not move; its parts cancel
    total = comparison.totals.set_index(["category", "item_code"]).loc[("coser", "S100")]
    assert (int(total["change"]), int(total["part_1"]), int(total["part_2"])) == (0, 2571429, -2571429)


def test_aid_drivers(comparison):
    # Delta (CHSD component, M = 3): levy 2,500,000 → 3,000,000 on AV 200,000,000: 12.5 → 15.0 mills;
    # millage ratio 1 − trunc3(3/12.5) = 0.760 → 1 − 3/15 = 0.800 (RWADA ratio 0.755 stays below).
    # Approved administrative expense 14,015 → 14,765 dollars (its admin share × the admin factor).
    # aid: half_up(14,015 × 0.760 = 10,651.40) = 10,651 → 14,765 × 0.800 = 11,812; change 1,161.00
    # ratio: 0.040 × 14,015 = 560.60; expense: 0.800 × 750 = 600.00; the 0.40 the old bill rounded away
    # goes to the larger part: 600.40
    assert values(comparison, DELTA, "aid", "ADMIN") == (1065100, 1181200, 116100, 56060, 60040)
    # Delta's capital ratio is the RWADA ratio (0.755), which the levy does not touch: all expense
    assert values(comparison, DELTA, "aid", "CAPITAL") == (2552100, 2482200, -69900, 0, -69900)
    # Alpha's ratios (RWADA ratio 0.755 > millage 0.500) do not move: its aid changes by expense only
    for item in ("ADMIN", "SERVICES", "CAPITAL", "RENT"):
        assert int(comparison.line(ALPHA, "aid", item)["part_1"]) == 0


def test_aid_ratio_part_exact(comparison):
    """The ratio part is Δratio × old expense, the expense part new ratio × Δexpense, settled to the bill."""
    old, new = comparison.old.aid, comparison.new.aid
    for code in (BETA, DELTA):
        e_old, e_new = int(old.at[code, "approved_admin"]), int(new.at[code, "approved_admin"])
        r_old, r_new = int(old.at[code, "sharing_ratio"]), int(new.at[code, "sharing_ratio"])
        line = comparison.line(code, "aid", "ADMIN")
        ratio_part = Fraction((r_new - r_old) * e_old, 10)  # cents: dollars × thousandths / 1000 × 100
        expense_part = Fraction(r_new * (e_new - e_old), 10)
        # the smaller part is its exact value rounded half up; the larger takes what the two bills' rounding
        # to whole dollars left over (under a dollar each), so the two add up to the change
        small, large = sorted([(abs(ratio_part), ratio_part, int(line["part_1"])),
                               (abs(expense_part), expense_part, int(line["part_2"]))])
        assert small[2] == int(small[1] + Fraction(1, 2))
        assert abs(large[2] - large[1]) <= 100
        assert int(line["part_1"]) + int(line["part_2"]) == int(line["change"])
    # Delta: ratio 0.760 → 0.800 (levy); Beta: RWADA 600 → 700 lowers wealth, raising its RWADA ratio
    assert (int(old.at[DELTA, "sharing_ratio"]), int(new.at[DELTA, "sharing_ratio"])) == (760, 800)
    assert int(new.at[BETA, "sharing_ratio"]) > int(old.at[BETA, "sharing_ratio"])


def test_totals_and_net_cost(comparison):
    # Alpha: total charges +26,244.59 = budget shares (20,451.47 − 2,315.26 − 463.05 = 17,673.16) + S100 8,571.43
    assert values(comparison, ALPHA, "total charges", "CHARGES") == (57582065, 60206524, 2624459, 1767316, 857143)
    # net cost = charges − aid: +26,244.59 in charges, −3,273.00 from more aid
    assert values(comparison, ALPHA, "net cost", "NET") == (37046165, 39343324, 2297159, 2624459, -327300)
    net = comparison.totals.set_index(["category", "item_code"]).loc[("net cost", "NET")]
    assert int(net["change"]) == int(net["part_1"]) + int(net["part_2"]) == 8493700


def test_every_part_adds_up_and_nothing_else_moved(comparison):
    lines = comparison.lines
    assert ((lines["part_1"] + lines["part_2"]) == lines["change"]).all()
    totals = comparison.totals
    assert ((totals["part_1"] + totals["part_2"]) == totals["change"]).all()
    assert (lines["line_status"] == "both").all() and comparison.one_sided.empty
    # the unchanged services' charges did not move for anyone
    unchanged = lines[lines["item_code"].isin(["S200", "S300", "S400", "PD-1"])]
    assert not unchanged.empty and (unchanged["change"] == 0).all()
    # the non-component outside city has only its S300 charge, unchanged
    outside = comparison.changed(OUTSIDE)
    assert outside.empty


def test_settle_gives_residue_to_larger_part():
    # exact parts 10.4 and −0.4 cents, billed change 11: rounded 10 + 0 leaves 1 for the larger part → 11, 0.
    # exact parts −0.5 and −2.5, billed change −3: half away from zero −1 + −3 = −4 leaves +1 for the
    # larger part (−2.5) → −1, −2.
    p1, p2 = settle(np.array([11, -3]), np.array([Fraction(52, 5), Fraction(-1, 2)], dtype=object),
                    np.array([Fraction(-2, 5), Fraction(-5, 2)], dtype=object))
    assert (p1.tolist(), p2.tolist()) == ([11, -1], [0, -2])


def one_sided_edits(sheets: dict) -> None:
    """Drop the outside district and its S300 rows; add Zeta and a service S500 for Alpha and Zeta."""
    sheets["Districts"] = [r for r in sheets["Districts"] if r[0] != OUTSIDE]
    sheets["Districts"].append([ZETA, "Zeta CSD", "component", 100_000_000, 200, 190, 2_000_000, 0, "yes", None, None])
    sheets["Services"] = [r for r in sheets["Services"] if r[0] != "S300"]
    sheets["Services"].append(["S500", "Art", 12_000, "pupil", "anticipated", "yes", "no", None, 0, 2, "no", None, 0])
    sheets["Participation"] = [r for r in sheets["Participation"] if r[1] != "S300"]
    sheets["Participation"] += [[ALPHA, "S500", 1, 0, 0, 0, None], [ZETA, "S500", 2, 0, 0, 0, None]]


def test_one_sided_districts_and_services(tmp_path):
    c = compare_runs(run(tmp_path, "old"), run(tmp_path, "new", one_sided_edits))
    listed = set(map(tuple, c.one_sided[["kind", "code", "side"]].to_numpy()))
    assert listed == {("district", OUTSIDE, "old only"), ("district", ZETA, "new only"),
                      ("service", "S300", "old only"), ("service", "S500", "new only")}
    assert (c.district(ZETA)["district_status"] == "new only").all()
    assert (c.district(OUTSIDE)["district_status"] == "old only").all()
    # S500 is new: its charges are all units at its unit cost of 4,000 (12,000 / 3 pupils)
    assert values(c, ZETA, "coser", "S500") == (0, 800000, 800000, 800000, 0)
    assert values(c, ALPHA, "coser", "S500") == (0, 400000, 400000, 400000, 0)
    # S300 ended: Alpha's 3 runs of 12,500 are all units too (50,000 budget over 4 runs)
    assert values(c, ALPHA, "coser", "S300") == (3750000, 0, -3750000, -3750000, 0)
    assert c.line(ALPHA, "coser", "S300")["line_status"] == "old only"
    # Zeta joins the pools with share 0 last year: all of its administrative charge is basis share
    zeta = c.line(ZETA, "administrative", "ADMIN")
    assert int(zeta["part_1"]) == 0 and int(zeta["part_2"]) == int(zeta["new"]) > 0
    # Zeta had no aid last year: its aid is all approved expense (at this year's ratio)
    assert int(c.line(ZETA, "aid", "SERVICES")["part_1"]) == 0
    assert ((c.lines["part_1"] + c.lines["part_2"]) == c.lines["change"]).all()


def test_compare_command_writes_workbook_and_csv(tmp_path):
    old, new = run(tmp_path, "old"), run(tmp_path, "new", four_edits)
    out = tmp_path / "what-changed.xlsx"
    result = CliRunner().invoke(cli, ["compare", str(old), str(new), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "TEST 2026-27 → TEST 2026-27" in result.output
    rows = list(csv.DictReader(io.StringIO(out.with_suffix(".csv").read_text())))
    alpha = next(r for r in rows if r["district_code"] == ALPHA and r["item_code"] == "ADMIN"
                 and r["category"] == "administrative")
    assert (alpha["old"], alpha["new"], alpha["change"], alpha["change_percent"]) == \
        ("253521.13", "273972.60", "20451.47", "8.07")  # 20,451.47 / 253,521.13 = 8.067 %
    assert (alpha["driver_1"], alpha["part_1"], alpha["driver_2"], alpha["part_2"]) == \
        ("pool size", "28169.01", "basis share", "-7717.54")
    boces = next(r for r in rows if r["district_name"] == "BOCES total" and r["category"] == "net cost")
    assert boces["district_code"] == "" and boces["change"] == "84937.00"
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Comparison", "Net cost", "Lines", "One side only"]
    net = book["Net cost"]
    header = [cell.value for cell in net[3]]
    first = dict(zip(header, [cell.value for cell in net[4]]))
    assert first["District code"] == ALPHA and first["Change"] == pytest.approx(22971.59, abs=0.001)
    # the same inputs give the same bytes
    again = tmp_path / "again.xlsx"
    verbose = CliRunner().invoke(cli, ["compare", str(old), str(new), "-o", str(again), "-v"], catch_exceptions=False)
    assert again.read_bytes() == out.read_bytes()
    # -v: a line per district with its net cost old → new and the change (Alpha's, as on the Net cost sheet)
    alpha_line = next(line for line in verbose.output.splitlines() if line.strip().startswith(ALPHA))
    assert "→" in alpha_line and alpha_line.endswith("(+22,971.59)")
    assert ALPHA not in result.output  # without -v, the totals only


def test_compare_refuses_what_is_not_a_job_output(tmp_path):
    good = run(tmp_path, "old")
    sheets = small_sheets()
    set_item(sheets, "Administrative budget", "lots")
    bad_job = write_workbook(tmp_path / "bad.xlsx", sheets)
    assert run_batch([bad_job], tmp_path / "bad", jobs=1).exit_code == 1
    failed = tmp_path / "bad" / "TEST_2026-27"
    with pytest.raises(NotAJobOutput, match="failed"):
        compare_runs(good, failed)
    invoke = CliRunner().invoke
    result = invoke(cli, ["compare", str(failed), str(good)])
    assert result.exit_code == 1 and "failed with input errors" in result.output
    result = invoke(cli, ["compare", str(tmp_path), str(good)])
    assert result.exit_code == 1 and "not a job output folder" in result.output
    result = invoke(cli, ["compare", str(good)])
    assert result.exit_code == 2
    result = invoke(cli, ["compare", str(good), str(good), "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 2
    result = invoke(cli, ["compare", str(good), str(tmp_path / "no such run")])  # a path that does not exist
    assert result.exit_code == 2 and "does not exist" in result.output


def test_compare_refuses_two_boces(tmp_path):
    good = run(tmp_path, "old")
    other = run(tmp_path, "other", lambda sheets: set_item(sheets, "BOCES code", "OTHER"))
    other = other.parent / "OTHER_2026-27"
    with pytest.raises(NotAJobOutput, match="one BOCES"):
        compare_runs(good, other)
    result = CliRunner().invoke(cli, ["compare", str(good), str(other), "-o", str(tmp_path / "c.xlsx")])
    assert result.exit_code == 1 and "two runs of one BOCES" in result.output
    assert not (tmp_path / "c.xlsx").exists()


def test_compare_never_replaces_an_input_or_a_report(tmp_path):
    """Tester D3: ``compare -o`` overwrote any workbook — an input, a job's own summary — exit 0. Now an
    earlier comparison is replaced as before; any other existing file only with --force; an input workbook
    or a file inside a job output folder never."""
    good = run(tmp_path, "old")
    invoke = CliRunner().invoke
    mine = tmp_path / "c.xlsx"
    assert invoke(cli, ["compare", str(good), str(good), "-o", str(mine)]).exit_code == 0
    assert invoke(cli, ["compare", str(good), str(good), "-o", str(mine)]).exit_code == 0  # its own: replaced
    notes = tmp_path / "notes.xlsx"
    notes.write_bytes(b"my own workbook")
    result = invoke(cli, ["compare", str(good), str(good), "-o", str(notes)])
    assert result.exit_code == 2 and "already exists and is not an earlier comparison" in result.output
    assert notes.read_bytes() == b"my own workbook"
    assert invoke(cli, ["compare", str(good), str(good), "-o", str(notes), "--force"]).exit_code == 0
    inputs = write_workbook(tmp_path / "inputs.xlsx", small_sheets())
    before = inputs.read_bytes()
    result = invoke(cli, ["compare", str(good), str(good), "-o", str(inputs), "--force"])
    assert result.exit_code == 2 and "is an input workbook" in result.output and inputs.read_bytes() == before
    summary = next(good.glob("*_summary.xlsx"))
    before = summary.read_bytes()
    result = invoke(cli, ["compare", str(good), str(good), "-o", str(summary), "--force"])
    assert result.exit_code == 2 and "inside the job output folder" in result.output
    assert summary.read_bytes() == before


def test_compare_output_that_cannot_be_written_is_one_line(tmp_path):
    good = run(tmp_path, "old")
    (tmp_path / "afile").write_text("not a folder")
    (tmp_path / "dir.xlsx").mkdir()  # the workbook's name is taken by a folder
    result = CliRunner().invoke(cli, ["compare", str(good), str(good), "-o", str(tmp_path / "dir.xlsx")])
    assert result.exit_code == 1 and "cannot write" in result.output and "Traceback" not in result.output
    # a path under a file
    result = CliRunner().invoke(cli, ["compare", str(good), str(good), "-o", str(tmp_path / "afile" / "x.xlsx")])
    assert result.exit_code == 1 and "cannot write" in result.output and str(tmp_path / "afile") in result.output


def _pool_run(pool: int, weights: dict, rounding: str):
    """A run with one administrative pool split by ``weights`` (district code → basis), as its folder reads back."""
    w = pd.Series(weights, dtype=object)
    amounts = split_one(pool, w, rounding=rounding)
    lines = pd.DataFrame({"district_code": w.index, "district_name": w.index, "category": "administrative",
                          "item_code": "ADMIN", "item_name": "Administrative budget",
                          "amount": amounts.reindex(w.index).astype(np.int64).to_numpy()})
    total = sum(weights.values())
    shares = pd.Series({k: Fraction(v, total) for k, v in weights.items()}, dtype=object)
    return RunFigures("x", "T", "T", "2026-27", None, lines, pd.DataFrame(), shares,
                      pd.DataFrame(columns=["kind", "item_code", "district_code", "units"]), pd.Series(dtype=object))


codes = st.sampled_from(["A", "B", "C", "D", "E"])
bases = st.dictionaries(codes, st.integers(1, 10**9), min_size=1, max_size=5)


@settings(deadline=None, max_examples=60)
@given(pool_old=st.integers(0, 10**10), pool_new=st.integers(0, 10**10), old=bases, new=bases,
       rounding=st.sampled_from(["largest remainder", "half up"]))
def test_pool_drivers_add_up_and_stay_near_their_exact_values(pool_old, pool_new, old, new, rounding):
    c = compare(_pool_run(pool_old, old, rounding), _pool_run(pool_new, new, rounding))
    lines = c.lines[c.lines["category"] == "administrative"].set_index("district_code")
    assert ((lines["part_1"] + lines["part_2"]) == lines["change"]).all()
    t_old, t_new = sum(old.values()), sum(new.values())
    for code, line in lines.iterrows():
        s_old, s_new = Fraction(old.get(code, 0), t_old), Fraction(new.get(code, 0), t_new)
        exact_1, exact_2 = (pool_new - pool_old) * s_old, pool_new * (s_new - s_old)
        # the smaller part is its exact value rounded half away from zero; the larger (part 1 on a tie) takes
        # what the two bills' rounding left over
        small, large = sorted([(abs(exact_1), 1, exact_1, int(line["part_1"])),
                               (abs(exact_2), 0, exact_2, int(line["part_2"]))])
        half = Fraction(1, 2)
        assert small[3] == (int(small[2] + half) if small[2] >= 0 else -int(-small[2] + half))
        if rounding == "largest remainder":  # each bill within a cent of exact: the residue is a few cents
            assert abs(large[3] - large[2]) <= 3
