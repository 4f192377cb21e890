"""District statements a treasurer can check with a calculator, and their PDFs.

Every statement of the shipped example jobs (``inputs/``) is read back with
openpyxl and every working line recomputed from the operands it prints, with
exact fractions, to the cent or dollar shown: a reader redoing the arithmetic
gets the figure on the page. Then the statements are rendered to PDF and the
text read back with pypdf.
"""
from __future__ import annotations

import io
import json
import math
import re
from fractions import Fraction
from pathlib import Path

import openpyxl
import pypdf

from apportion.batch import run_batch
from apportion.runner import compute_job, output_files
from apportion.writers.document import ReportOptions, exact_text, shown
from apportion.writers.pdf import render_statement_pdf

from .builders import EXAMPLE_JOBS

EXAMPLES = Path(__file__).resolve().parents[1] / "inputs"
JOBS = list(EXAMPLE_JOBS)  # example_files (conftest): each one's `run --pdf` output, by path
NUMBER = r"-?[\d,]+(?:\.\d+)?"


def num(text: str) -> Fraction:
    """A number as printed (1,234.56; -84,215.37; 2 / 3) as an exact fraction."""
    if " / " in text:
        a, b = text.split(" / ")
        return Fraction(int(a.replace(",", "")), int(b.replace(",", "")))
    return Fraction(text.replace(",", ""))


def half_up(value: Fraction, places: int = 0) -> Fraction:
    scaled = abs(value) * 10 ** places
    whole = math.floor(scaled + Fraction(1, 2))
    return Fraction(whole if value >= 0 else -whole, 10 ** places)


def trunc(value: Fraction, places: int) -> Fraction:
    return Fraction(math.floor(value * 10 ** places), 10 ** places)


def statements(example_files) -> list[tuple[str, bytes]]:
    return [(name, data) for files in example_files.values() for name, data in sorted(files.items())
            if name.startswith("districts/") and name.endswith(".xlsx")]


def cents(value) -> Fraction:
    """A money cell as exact dollars (the cell holds a float of dollars and cents)."""
    return Fraction(round(value * 100), 100)


def charge_rows(ws) -> list[dict]:
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Charge")
    columns = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(header, c).value}
    rows = []
    for r in range(header + 1, ws.max_row + 1):
        if ws.cell(r, 1).value in (None, "Total"):
            break
        rows.append({"charge": ws.cell(r, 1).value, "amount": cents(ws.cell(r, columns["Amount"]).value),
                     "working": ws.cell(r, columns["Working: amount = cost × your units ÷ all units"]).value})
    return rows


SPLIT = re.compile(rf"({NUMBER}) × ({NUMBER}) ÷ ({NUMBER}) ")
FINAL = re.compile(rf"final ({NUMBER}) = ({NUMBER}) × ({NUMBER}) ÷ ({NUMBER}) .*, less the charge ({NUMBER})$")


def check_charge(row: dict) -> None:
    """An amount is its working settled to the cent (the rounding rule takes the cent below or above)."""
    text = row["working"]
    final = FINAL.match(text)
    if final:
        f, cost, units, total, charge = (num(g) for g in final.groups())
        assert abs(cost * units / total - f) < Fraction(1, 100), text
        assert row["amount"] == f - charge, text
        return
    split = SPLIT.match(text)
    assert split, f"a charge whose working cannot be redone: {text!r}"
    whole, part, total = (num(g) for g in split.groups())
    exact = whole * part / total
    assert abs(exact - row["amount"]) < Fraction(1, 100), (text, row["amount"])


def aid_steps(ws) -> list[dict]:
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Step")
    steps = []
    for r in range(header + 1, ws.max_row + 1):
        label = ws.cell(r, 1).value
        if label is None:
            break
        steps.append({"label": label.strip(), "detail": label.startswith(" "), "value": ws.cell(r, 2).value,
                      "format": ws.cell(r, 2).number_format, "working": ws.cell(r, 3).value or ""})
        if label == "Total aid":
            break
    return steps


def value_of(step: dict) -> Fraction:
    v = step["value"]
    return cents(v) if step["format"] == "#,##0.00" else Fraction(str(v))


RULES = [  # (label, pattern over the working, how the value follows from the numbers it names)
    ("Tax rate (mills)", rf"\(({NUMBER}) levy \+ ({NUMBER}) PILOTs\) ÷ ({NUMBER}) AV × 1,000, to the nearest 0.1 mill",
     lambda levy, pilots, av: half_up((levy + pilots) / av * 1000, 1)),
    ("Millage ratio", rf"1 − ({NUMBER}) mills ÷ ({NUMBER}) mills",
     lambda mills, rate: max(Fraction(0), 1 - trunc(mills / rate, 3))),
    ("AV per RWADA", rf"({NUMBER}) AV ÷ ({NUMBER}) RWADA, truncated to the dollar",
     lambda av, rwada: Fraction(math.floor(av / rwada))),
    ("Wealth ratio", rf"({NUMBER}) ÷ the state average AV per RWADA ({NUMBER}), to 3 decimals without rounding",
     lambda x, avg: trunc(x / avg, 3)),
    ("RWADA ratio", rf"1 − ({NUMBER}) × ({NUMBER}) \(the product", lambda f, w: max(Fraction(0), 1 - trunc(f * w, 3))),
    ("Sharing ratio", rf"the greater of the millage ratio ({NUMBER}) and the RWADA ratio ({NUMBER}), at least "
                      rf"({NUMBER}) and at most ({NUMBER})", lambda m, r, lo, hi: min(hi, max(lo, m, r))),
    ("Capital and rent ratio", rf"the RWADA ratio ({NUMBER}), at most ({NUMBER})", lambda r, cap: min(r, cap)),
    ("Approved administrative expense", rf"administrative share ({NUMBER}) × approved cost ({NUMBER}) ÷ "
                                        rf"administrative budget ({NUMBER}), rounded to the dollar",
     lambda share, approved, budget: half_up(share * approved / budget)),
    ("Capital expense", rf"capital share ({NUMBER}) × ({NUMBER}(?: / {NUMBER})?) aidable, rounded to the dollar",
     lambda share, f: half_up(share * f)),
    ("Rent expense", rf"rent share ({NUMBER}), rounded to the dollar", lambda share: half_up(share)),
    ("Administrative aid", rf"({NUMBER}) × sharing ratio ({NUMBER}), rounded to the dollar", lambda e, r: half_up(e * r)),
    ("Services aid", rf"({NUMBER}) × ({NUMBER}), rounded to the dollar", lambda e, r: half_up(e * r)),
    ("Capital aid", rf"({NUMBER}) × capital ratio ({NUMBER}), rounded to the dollar", lambda e, r: half_up(e * r)),
    ("Rent aid", rf"({NUMBER}) × capital ratio ({NUMBER}), truncated to the dollar",
     lambda e, r: Fraction(math.floor(e * r))),
]
DETAIL = re.compile(rf": charge ({NUMBER}) × (?:(1) \(all aidable\)|(0) \(not aidable\)|({NUMBER}) ÷ ({NUMBER}) aidable)$")


def check_steps(steps: list[dict]) -> int:
    """Every aid step recomputed from the numbers its working names; returns how many were checked."""
    checked = 0
    by_label = {s["label"]: s for s in steps if not s["detail"]}
    for label, pattern, rule in RULES:
        step = by_label.get(label)
        if step is None or step["working"].startswith(("not used", "none", "no ")):
            continue
        special = re.match(rf"the State pays ({NUMBER}) of approved services", step["working"])
        if special:  # a special act district's sharing ratio is the law's fraction (§1950(4)(m))
            assert num(special[1]) == value_of(step)
            checked += 1
            continue
        m = re.search(pattern, step["working"])
        assert m, (label, step["working"])
        assert rule(*(num(g) for g in m.groups())) == value_of(step), (label, step["working"], step["value"])
        checked += 1
    parts = Fraction(0)
    for step in (s for s in steps if s["detail"]):
        m = DETAIL.search(step["working"])
        assert m, step["working"]
        charge, one, zero, a, b = m.groups()
        part = num(charge) * (1 if one else 0 if zero else num(a) / num(b))
        assert half_up(part, 2) == value_of(step), step["working"]
        parts += part
        checked += 1
    services = by_label["Approved services expense"]
    if "aidable parts below" in services["working"]:
        assert half_up(parts) == value_of(services), services["working"]
        checked += 1
    lines = ["Administrative aid", "Services aid", "Capital aid", "Rent aid", "Save-harmless aid"]
    assert sum(value_of(by_label[k]) for k in lines) == value_of(by_label["Total aid"])
    return checked


def test_every_working_line_of_the_examples_gives_its_figure(example_files):
    found = statements(example_files)
    assert len(found) == 30  # the two jobs: 20 statements (19 components, 1 non-component) and 10
    checked = 0
    for name, data in found:
        ws = openpyxl.load_workbook(io.BytesIO(data), data_only=True)["Statement"]
        rows = charge_rows(ws)
        assert rows, name
        for row in rows:
            check_charge(row)
            checked += 1
        if any(ws.cell(r, 1).value == "Step" for r in range(1, ws.max_row + 1)):
            checked += check_steps(aid_steps(ws))
    assert checked > 30 * 20


def test_alder_creek_shows_the_exact_operands(example_files):
    """The figures the issue found irreproducible: the approved administrative expense and the SWD true-up."""
    data = example_files[JOBS[0]]["districts/990101040000_Alder_Creek_Central_School_District.xlsx"]
    ws = openpyxl.load_workbook(io.BytesIO(data), data_only=True)["Statement"]
    steps = {s["label"]: s for s in aid_steps(ws)}
    admin = steps["Approved administrative expense"]
    # 247,462.60 × 2,069,905.00 ÷ 6,485,200.00 = 78,984.29…, rounded: 78,984
    assert admin["value"] == 78_984 and "247,462.60 × approved cost 2,069,905.00" in admin["working"]
    true_up = next(r for r in charge_rows(ws) if r["charge"] == "CoSer true-up (SWD)")
    # final 4,763,220.00 × 7 ÷ 83 = 401,717.349…, settled to 401,717.35; less the charge 360,000.00
    assert true_up["working"].startswith("final 401,717.35 = 4,763,220.00 × 7 ÷ 83 actual pupil")
    assert true_up["amount"] == Fraction("41717.35")


def test_averaged_units_show_two_decimals_and_billing_keeps_them_exact(example_files):
    files = example_files[JOBS[0]]
    ws = openpyxl.load_workbook(io.BytesIO(files["districts/990101040000_Alder_Creek_Central_School_District.xlsx"]),
                                data_only=True)["Statement"]
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Charge")
    units = {ws.cell(r, 2).value: ws.cell(r, 4).value for r in range(header + 1, header + 20)}
    assert units["510-001"] == 654.33  # a 3-year average of 1,963 pupils
    assert "990101040000,Alder Creek Central School District,coser,510-001,Model Schools,654.333333," in \
        files["billing.csv"].decode()


def test_statement_says_estimate_aid_year_and_the_carried_forward_average(example_files):
    data = example_files[JOBS[0]]["districts/990101040000_Alder_Creek_Central_School_District.xlsx"]
    ws = openpyxl.load_workbook(io.BytesIO(data), data_only=True)["Statement"]
    assert ws["A3"].value.startswith("Estimate — charges for 2026-27; BOCES aid estimated for aid year 2027-28")
    notes = " ".join(str(c.value) for row in ws.iter_rows() for c in row if isinstance(c.value, str))
    assert "uses the 2024-25 figure, $1,037,700.00; the published figure replaces it" in notes


def test_documents_are_json_beside_each_statement(example_files):
    for files in example_files.values():
        for name, data in files.items():
            if name.startswith("districts/") and name.endswith(".xlsx"):
                document = json.loads(files[name.replace(".xlsx", ".json")])
                facts = document["facts"]
                assert facts["district_code"] == Path(name).name[:12]
                assert facts["label"] == "Estimate" and facts["aid_year"] == "2027-28"
                ws = openpyxl.load_workbook(io.BytesIO(data), data_only=True)["Statement"]
                labels = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, 14)}
                assert round(labels["Total charges"] * 100) == facts["total_charges_cents"]
                assert labels["Total BOCES aid"] == facts["total_aid_dollars"]


def test_pdf_text_reads_back_district_total_charges_and_net_cost(example_files):
    for files in example_files.values():
        for name in (n for n in files if n.startswith("districts/") and n.endswith(".json")):
            document = json.loads(files[name])
            pdf = files[name.replace(".json", ".pdf")]
            assert render_statement_pdf(document) == pdf  # the document alone makes the same PDF
            text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
            facts = document["facts"]
            assert facts["district_name"] in text
            assert shown(facts["total_charges_cents"], "cents") in text
            assert shown(facts["net_cost_cents"], "cents") in text
            assert "Estimate" in text and "aid year 2027-28" in text


def test_a_typical_statement_pdf_is_one_page(example_files):
    files = example_files[JOBS[0]]
    pages = {n: len(pypdf.PdfReader(io.BytesIO(d)).pages) for n, d in files.items() if n.endswith(".pdf")
             and n.startswith("districts/")}
    assert pages and set(pages.values()) == {1}, pages


def test_pdf_bytes_are_the_same_for_the_same_inputs(example_files, tmp_path):
    batch = run_batch([EXAMPLES / JOBS[1]], tmp_path, jobs=1, options=ReportOptions(pdf=True))
    folder = Path(batch.outcomes[0].output)
    again = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    for name, data in example_files[JOBS[1]].items():
        if name.endswith((".pdf", ".json")):
            assert again[name] == data, name


def test_exact_text_shows_terminating_decimals_and_fractions():
    assert exact_text(Fraction(1, 2)) == "0.5"
    assert exact_text(Fraction(206990500, 100), 2) == "2,069,905.00"
    assert exact_text(Fraction(1, 3)) == "1 / 3"
    assert exact_text(Fraction(-51, 100)) == "-0.51"


# --- the summary's charts and sheets ---------------------------------------------------------------------------


def many_districts(sheets: dict) -> None:
    """54 components (the size of a large BOCES): 50 more like Beta."""
    beta = sheets["Districts"][2]
    for i in range(50):
        sheets["Districts"].append([f"0199{i:02d}010000", f"Added District {i:02d} Central School District",
                                    "component", 100_000_000 + i * 7_000_000, 200 + i * 13, 190 + i * 12,
                                    2_000_000 + i * 90_000, 0, "yes", None, None])
    del beta


def test_many_districts_chart_the_largest_15_and_the_others(tmp_path):
    import zipfile

    from .builders import small_job
    files = output_files(compute_job(small_job(tmp_path / "job.xlsx", many_districts)), [("x", "0" * 64)])
    with zipfile.ZipFile(io.BytesIO(files["TEST_2026-27_summary.xlsx"])) as z:
        charts = [z.read(n).decode() for n in sorted(z.namelist()) if n.startswith("xl/charts/chart")]
    assert len(charts) == 3
    # each chart draws 16 bars (the 15 largest and "all others") from the summary's own columns J …
    for xml in (charts[0], charts[2]):
        assert "Summary!$J$" in xml and "<c:ptCount val=\"16\"/>" in xml
    assert "All others (40 districts)" in charts[0]  # 55 components
    assert "All others (41 districts)" in charts[2]  # and the non-component with a statement
    assert "the 15 highest of 55 districts" in charts[1] and "<c:ptCount val=\"15\"/>" in charts[1]
    summary = openpyxl.load_workbook(io.BytesIO(files["TEST_2026-27_summary.xlsx"]))["Summary"]
    assert summary.print_area == "'Summary'!$A$1:$G$" + summary.print_area.rsplit("$", 1)[1]  # the data stays off paper


def test_sheets_with_nothing_to_show_are_not_written(tmp_path):
    from .builders import small_job

    def no_pd_or_collaboration(sheets):
        for name in ("Shared PD", "PD Attendance", "Collaboration hours"):
            del sheets[name]

    files = output_files(compute_job(small_job(tmp_path / "job.xlsx", no_pd_or_collaboration)), [("x", "0" * 64)])
    names = openpyxl.load_workbook(io.BytesIO(files["TEST_2026-27_summary.xlsx"])).sheetnames
    assert "Shared PD" not in names and "Collaboration credit" not in names and "CoSer unit costs" in names


def test_no_total_over_mixed_units_and_widths_fit_the_numbers(small_result):
    files = output_files(small_result, [("x", "0" * 64)])
    book = openpyxl.load_workbook(io.BytesIO(files["TEST_2026-27_summary.xlsx"]))
    ws = book["CoSer unit costs"]
    header = {c.value: c.column_letter for c in ws[4] if c.value}
    total_row = next(r for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value == "Total")
    assert ws[f"{header['Basis units']}{total_row}"].value is None  # FTE + pupils + runs + devices: no sum
    assert ws[f"{header['Budget']}{total_row}"].value.startswith("=SUBTOTAL")
    # the widest money figure, 370,000.00 as its total, fits its column (one unit a digit, half a mark)
    assert ws.column_dimensions[header["Budget"]].width >= len("370,000.00")
