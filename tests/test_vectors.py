"""Law tests from New York's published 2024-25 aid run (shared/vectors, 12 districts).

Every ratio and aid line of the published run must come out exactly, through
the same code path as `apportion run` (reader → validation → law core → CSV).
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from apportion.batch import run_batch

from .builders import bedscode, vector_job, vector_rows

VECTORS = vector_rows()


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("vectors")
    job = vector_job(tmp / "vectors.xlsx")
    batch = run_batch([job], tmp / "out", jobs=1)
    assert batch.exit_code == 0, [i.render() for o in batch.outcomes for i in o.issues]
    return tmp / "out" / "VECTORS_2023-24"


def _read(path: Path) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {}
    for row in csv.DictReader(io.StringIO(path.read_text())):
        rows.setdefault(row["district_code"], []).append(row)
    return rows


@pytest.mark.parametrize("v", VECTORS, ids=[v["district_name"] for v in VECTORS])
def test_aid_csv_reproduces_published_figures(outputs, v):
    row = _read(outputs / "aid.csv")[bedscode(v["district_code"])][0]
    # ratios: three decimals exactly as published
    assert row["rwada_ratio"] == v["rwada_aid_ratio_2024_25"]
    assert row["millage_ratio"] == v["millage_ratio_2024_25"]
    assert row["sharing_ratio"] == v["boces_oper_aid_ratio_2024_25"]
    # aid lines in whole dollars
    assert int(row["admin_aid"]) + int(row["services_aid"]) == int(v["boces_admin_shared_services_aid_2024_25"])
    assert int(row["capital_aid"]) == int(v["boces_capital_aid_2024_25"])
    assert int(row["rent_aid"]) == int(v["boces_rent_aid_2024_25"])
    assert int(row["total_aid"]) == int(v["boces_aid_total_2024_25"])


def test_reconciliation_every_difference_zero(outputs):
    rows = list(csv.DictReader(io.StringIO((outputs / "reconciliation.csv").read_text())))
    assert len(rows) == 4 * len(VECTORS)
    assert {r["difference"] for r in rows} == {"0"}


def test_av_per_rwada_and_wealth_ratio(vector_result):
    result = vector_result
    for v in VECTORS:
        aid = result.aid.table.loc[bedscode(v["district_code"])]
        assert int(aid["av_per_rwada"]) == int(v["av2021_per_rwada_2022_23"])
        # the wealth ratio is what the published RWADA ratio implies: 1 − trunc3(0.51 × WR)
        wr = Decimal(int(aid["wealth_ratio"])) / 1000
        expected = max(Decimal(0), 1 - (Decimal("0.51") * wr).quantize(Decimal("0.001"), rounding="ROUND_DOWN"))
        assert f"{expected:.3f}" == v["rwada_aid_ratio_2024_25"]


def test_berne_knox_arithmetic(vector_result):
    """BERNE KNOX, worked by hand.

    AV 681,147,262 / RWADA 712 = 956,667.50 → 956,667 (truncated)
    WR = 956,667 / 1,037,700 = 0.92191… → 0.921
    RWADA ratio = 1 − trunc3(0.51 × 0.921 = 0.46971) = 1 − 0.469 = 0.531
    mills = 1000 × 11,068,886 / 681,147,262 = 16.2503 → 16.3;  8 / 16.3 = 0.49079 → 0.490; millage 0.510
    sharing = min(0.900, max(0.360, 0.510, 0.531)) = 0.531 (rwada)
    admin aid = half_up(63,005 × 0.531) = half_up(33,455.655) = 33,456
    services aid = half_up(1,695,825 × 0.531) = half_up(900,483.075) = 900,483
    rent aid = floor(29,233 × 0.531) = floor(15,522.723) = 15,522
    """
    aid = vector_result.aid.table.loc[bedscode("010201")]
    assert int(aid["av_per_rwada"]) == 956_667
    assert int(aid["wealth_ratio"]) == 921
    assert int(aid["rwada_ratio"]) == 531
    assert int(aid["tax_rate_tenths"]) == 163
    assert int(aid["millage_ratio"]) == 510
    assert int(aid["sharing_ratio"]) == 531 and aid["ratio_source"] == "rwada"
    assert (int(aid["admin_aid"]), int(aid["services_aid"]), int(aid["rent_aid"])) == (33_456, 900_483, 15_522)


def test_chsd_uses_three_mills(vector_result):
    """SEWANHAKA (CHSD): mills = 1000 × 161,473,235 / 16,392,412,749 = 9.850 → 9.9;
    3 / 9.9 = 0.30303 → 0.303; millage ratio 0.697 (8 mills would give 1 − 0.808 = 0.192)."""
    aid = vector_result.aid.table.loc[bedscode("280252")]
    assert int(aid["tax_rate_tenths"]) == 99
    assert int(aid["millage_ratio"]) == 697
