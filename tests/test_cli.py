"""The command line: exit codes, messages and the files each command writes (docs/formats.md, Command line)."""
from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from apportion.cli import cli

from .builders import small_job, vector_job, write_workbook


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_run_writes_every_output(tmp_path):
    job = small_job(tmp_path / "job.xlsx")
    result = invoke("run", job, "-o", tmp_path / "out", "--jobs", 1)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "TEST_2026-27"
    names = {p.name for p in folder.iterdir()}
    assert {"TEST_2026-27_summary.xlsx", "billing.csv", "aid.csv", "issues.csv", "districts"} <= names
    assert "reconciliation.csv" not in names  # estimate mode
    files = sorted(p.name for p in (folder / "districts").iterdir())
    statements = [n for n in files if n.endswith(".xlsx")]
    assert statements[0] == "010100010000_Alpha_CSD.xlsx" and len(statements) == 6
    # each statement's document beside it; no PDF unless asked for
    assert sorted(n for n in files if not n.endswith(".xlsx")) == [n.replace(".xlsx", ".json") for n in statements]
    assert "OK      TEST 2026-27: 5 districts" in result.output


def test_run_pdf_writes_a_pdf_beside_each_statement_and_the_summary(tmp_path):
    job = small_job(tmp_path / "job.xlsx")
    result = invoke("run", job, "-o", tmp_path / "out", "--jobs", 1, "--pdf", "--prepared", "2026-04-15")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "TEST_2026-27"
    assert (folder / "TEST_2026-27_summary.pdf").read_bytes().startswith(b"%PDF-")
    statements = sorted((folder / "districts").glob("*.xlsx"))
    assert len(statements) == 6
    for path in statements:
        assert path.with_suffix(".pdf").read_bytes().startswith(b"%PDF-"), path.name
        assert json.loads(path.with_suffix(".json").read_text("utf-8"))["facts"]["prepared"] == "2026-04-15"


def test_run_prepared_must_be_a_date(tmp_path):
    result = invoke("run", small_job(tmp_path / "job.xlsx"), "-o", tmp_path / "out", "--prepared", "soon")
    assert result.exit_code == 2 and "--prepared" in result.output


def test_billing_and_aid_csv_layout(tmp_path):
    invoke("run", small_job(tmp_path / "job.xlsx"), "-o", tmp_path / "out")
    folder = tmp_path / "out" / "TEST_2026-27"
    billing = list(csv.reader(io.StringIO((folder / "billing.csv").read_text())))
    assert billing[0] == ["district_code", "district_name", "category", "item_code", "item_name", "units",
                          "unit_cost", "amount"]
    keys = [(r[0], r[2], r[3]) for r in billing[1:]]
    assert keys == sorted(keys)
    assert all(r[7].split(".")[1].__len__() == 2 for r in billing[1:])
    assert {r[2] for r in billing[1:]} == {"administrative", "capital", "rent", "coser", "coser surplus",
                                           "coser adjustment", "shared pd"}
    aid = list(csv.DictReader(io.StringIO((folder / "aid.csv").read_text())))
    assert list(aid[0]) == ["district_code", "district_name", "tax_rate_mills", "millage_ratio", "wealth_ratio",
                            "rwada_ratio", "sharing_ratio", "ratio_source", "capital_ratio", "approved_admin",
                            "approved_services", "capital_expense", "rent_expense", "admin_aid", "services_aid",
                            "capital_aid", "rent_aid", "save_harmless_aid", "total_aid", "total_charges", "net_cost"]
    special = next(r for r in aid if r["ratio_source"] == "special act")
    assert special["tax_rate_mills"] == "" and special["sharing_ratio"] == "0.500" and special["capital_ratio"] == "0.000"
    assert len(aid) == 5  # components only: the non-component gets no aid row


def test_batch_of_three_jobs_one_broken(tmp_path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    small_job(inputs / "a.xlsx")
    vector_job(inputs / "b.xlsx")
    write_workbook(inputs / "c.xlsx", {"BOCES": [["Item", "Value"], ["BOCES name", "Broken"], ["BOCES code", "BRK"],
                                                 ["School year", "2026-27"], ["Apportionment method", "WADA"],
                                                 ["Administrative budget", "lots"], ["Capital budget", 0]],
                                       "Districts": [["District code", "District name", "RWADA"]]})
    result = invoke("run", inputs, "-o", tmp_path / "out", "--jobs", 2)
    assert result.exit_code == 1
    out = tmp_path / "out"
    assert (out / "TEST_2026-27" / "billing.csv").exists() and (out / "VECTORS_2023-24" / "aid.csv").exists()
    broken = out / "BRK_2026-27"
    assert sorted(p.name for p in broken.iterdir()) == [".apportion-output", "ERRORS.txt", "issues.csv"]
    issues = list(csv.DictReader(io.StringIO((broken / "issues.csv").read_text())))
    assert ("not-money", "BOCES", "B6") in {(i["code"], i["sheet"], i["cell"]) for i in issues}
    assert "2 of 3 job(s) computed." in result.output


def test_validate_writes_nothing_and_exit_codes(tmp_path):
    job = small_job(tmp_path / "job.xlsx")
    result = invoke("validate", job)
    assert result.exit_code == 0 and "OK" in result.output
    assert not (tmp_path / "outputs").exists()
    bad = small_job(tmp_path / "bad.xlsx", lambda s: s["Districts"][1].__setitem__(4, "n/a"))
    result = invoke("validate", bad)
    assert result.exit_code == 1
    assert "E2" in result.output and "[not-a-number]" in result.output and "Traceback" not in result.output


def test_usage_error_exits_2(tmp_path):
    assert CliRunner().invoke(cli, ["run", "--jobs", "0"]).exit_code == 2
    assert CliRunner().invoke(cli, ["frobnicate"]).exit_code == 2


def test_params_lists_values_with_citations():
    result = invoke("params", "--year", "2026-27")
    assert result.exit_code == 0
    assert "aid.salary_limit = 30000" in result.output
    assert "aid.state_average_av_per_rwada = 1037700" in result.output and "carried forward" in result.output
    assert "apportionment.putnam_nw_true_value_percent = 50" in result.output
    assert "§1950" in result.output
    result = invoke("params", "--year", "2024-25")  # budget 2024-25 → aid year 2025-26
    assert result.exit_code == 0
    assert CliRunner().invoke(cli, ["params", "--year", "someday"]).exit_code == 2


def test_missing_path_is_a_usage_error(tmp_path):
    result = invoke("run", tmp_path / "nothing-here", "-o", tmp_path / "out")
    assert result.exit_code == 2 and "no such file or folder" in result.output


def test_validate_json_lists_every_issue_with_its_cell(tmp_path):
    import json
    bad = small_job(tmp_path / "bad.xlsx", lambda s: s["Districts"][1].__setitem__(4, "n/a"))
    result = invoke("validate", bad, "--json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    (job,) = report["jobs"]
    assert job["status"] == "failed"
    assert {"code": "not-a-number", "sheet": "Districts", "cell": "E2"}.items() <= next(
        i for i in job["issues"] if i["code"] == "not-a-number").items()


def test_every_reporting_command_takes_the_one_shared_verbose_option():
    """run, validate, compare, mail and watch: the same -v/--verbose from apportion.cli_options, help and all."""
    from apportion.cli_options import verbose_option

    @verbose_option
    def probe(verbose):  # the option as the shared decorator makes it
        return verbose

    shared = probe.__click_params__[0]
    for name in ("run", "validate", "compare", "mail", "watch"):
        option = next((p for p in cli.commands[name].params if p.name == "verbose"), None)
        assert option is not None, f"apportion {name} has no -v"
        assert (option.opts, option.help, option.is_flag) == (shared.opts, shared.help, True), name
