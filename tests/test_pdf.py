"""The PDFs apportion writes itself (writers/pdf.py), read back with pypdf (strict): every value of the document
on its page as shown, page by page — the repeated title, the table header again on each page a table runs
onto, the footer with page x of y; text from the inputs that cannot break the file; the same bytes for the
same document."""
from __future__ import annotations

import io
import json
from datetime import datetime

import pypdf
import pytest

from apportion.writers.document import shown
from apportion.writers.pdf import footer_size, pdf_text, render_document_pdf, render_statement_pdf, string_width
from apportion.writers.summary import pdf_charts, summary_document


def squeezed(text) -> str:
    """Text without its white space: how pypdf's extraction (which spaces and breaks lines as it sees fit) and
    the document are compared."""
    return "".join(pdf_text(text).split())


def read(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data), strict=True)


def document_items(document: dict, charts: list[dict] = ()) -> list[tuple[str, str, object]]:
    """What the PDF must show, in drawing order: (how it is found, its text, the table it belongs to).
    "seq": the next text, in order; "pair": a label, its value as shown and its note, found on some page (the
    pairs of a two-block layout are drawn block by block); "head" / "row": a table's header and rows in order."""
    items = [("seq", document["title"], None), ("seq", document["subtitle"], None),
             ("seq", document.get("status") or "", None)]

    def pairs(block):
        for p in block:
            numeric = p["kind"] not in ("text", "date")
            items.append(("pair", p["label"] + shown(p["value"], p["kind"])
                          + (p["note"] if p.get("note") and numeric else ""), None))

    pairs(document["header"])
    for section in document["sections"]:
        for text in [section["title"], section.get("note") or "", *section.get("notes", []), section.get("lead", "")]:
            items.append(("seq", text, None))
        pairs(section.get("pairs", []))
        if "table" in section:
            table = section["table"]
            columns = table["columns"]
            key = id(table)
            items.append(("head", "".join(c["header"] for c in columns), key))
            items += [("row", "".join(shown(r.get(c["key"]), c["kind"]) for c in columns), key) for r in table["rows"]]
            if not table["rows"]:
                items.append(("seq", table.get("empty", "None."), None))
            if table.get("total"):
                total = table["total"]
                items.append(("row", total.get("label", "Total") + "".join(shown(total.get(c["key"]), c["kind"])
                                                                           for c in columns[1:]), key))
        if "steps" in section:
            steps = section["steps"]
            key = id(steps)
            items.append(("head", "".join(steps["columns"]), key))
            items += [("row", line["label"] + shown(line["value"], line["kind"]) + line["working"] + line["law"], key)
                      for line in steps["lines"]]
    for chart in charts:
        items.append(("seq", chart["title"], None))
        for i, label in enumerate(chart["labels"]):
            items.append(("seq", label + "".join(shown(s["values"][i], s["kind"]) for s in chart["series"]), None))
        if len(chart["series"]) > 1:
            items.append(("seq", "".join(s["name"] for s in chart["series"]), None))
    return [(how, squeezed(text), key) for how, text, key in items if squeezed(text)]


def check_pages(data: bytes, document: dict, charts: list[dict] = ()) -> int:
    """Every item of the document found on the PDF's pages, in order, each whole on one page; every page's
    footer and, after the first, the title "(continued)"; a table's header again atop each page it runs onto.
    The number of pages."""
    pages = [squeezed(page.extract_text()) for page in read(data).pages]
    left, right = document.get("footer", ["", ""])
    bodies = []
    for number, text in enumerate(pages, 1):
        footer = squeezed(f"{left}Page {number} of {len(pages)}{right}")
        assert text.endswith(footer), (number, text[-200:])
        text = text[:-len(footer)]
        if number > 1:
            continued = squeezed(document["title"] + document["subtitle"] + " (continued)")
            assert text.startswith(continued), (number, text[:200])
            text = text[len(continued):]
        bodies.append(text)
    heads = {key: text for how, text, key in document_items(document, charts) if how == "head"}
    page, cursor, last = 0, 0, None
    for how, text, key in document_items(document, charts):
        if how == "pair":
            assert any(text in body for body in bodies), text
            continue
        found = bodies[page].find(text, cursor)
        while found < 0 and page + 1 < len(bodies):  # on a later page
            page, cursor = page + 1, 0
            found = bodies[page].find(text, cursor)
            if found >= 0 and how == "row" and last == key:  # the table ran onto this page: its header first
                assert bodies[page].startswith(heads[key]), (page + 1, bodies[page][:200])
        assert found >= 0, (how, text, page + 1)
        cursor, last = found + len(text), key
    return len(pages)


def test_each_statement_pdf_shows_its_documents_values_page_by_page(example_files):
    checked = 0
    for files in example_files.values():
        for name, data in files.items():
            if name.startswith("districts/") and name.endswith(".json"):
                document = json.loads(data)
                pdf = files[name.removesuffix(".json") + ".pdf"]
                check_pages(pdf, document)
                assert render_statement_pdf(document) == pdf  # the document alone makes the run's PDF
                checked += 1
    assert checked >= 10


def test_a_statement_over_many_pages_repeats_its_title_and_table_header(example_files):
    """The longest example statement with its charges thirty times over, set on as many pages as they need
    (each page checked)."""
    name, files = max(((n, f) for f in example_files.values() for n in f if n.endswith(".json")
                       and n.startswith("districts/")), key=lambda nf: len(nf[1][nf[0]]))
    document = json.loads(files[name])
    document["sections"][0]["table"]["rows"] *= 30  # far more than a page of charges
    assert check_pages(render_statement_pdf(document), document) >= 8


def test_the_summary_pdf_shows_its_document_and_charts(small_result):
    document, charts = summary_document(small_result), pdf_charts(small_result)
    assert charts and document["sections"]
    check_pages(render_document_pdf(document, charts=charts), document, charts)


NASTY = "a\\b (c) d) ( \\) \\( — € 中文 − ≥ 10\u00a0000 tab\tend \r\n soft\u00adhyphen {nb} endstream %%EOF"


def nasty_document() -> dict:
    long = " ".join([NASTY] * 6) + " " + "x" * 400
    return {
        "created": "2026-07-01T00:00:00", "title": NASTY, "subtitle": NASTY, "status": NASTY, "footer": [NASTY, "r)"],
        "header": [{"label": NASTY, "value": NASTY, "kind": "text", "role": "key"},
                   {"label": "(", "value": 1234567, "kind": "cents", "role": "key", "note": NASTY}],
        "sections": [
            {"title": NASTY, "note": long, "notes": [NASTY], "lead": NASTY, "table": {
                "columns": [{"key": "a", "header": NASTY, "kind": "text", "wrap": True},
                            {"key": "b", "header": ")", "kind": "cents"}],
                "rows": [{"a": long, "b": -5}, {"a": NASTY, "b": None}], "total": {"label": NASTY, "b": -5}}},
            {"title": "Steps", "steps": {"columns": ["Step", "Value", "How", "Law"], "lines": [
                {"label": NASTY, "value": NASTY, "kind": "text", "working": long, "law": "§1950(4)", "role": "detail"},
                {"label": "Total", "value": 7, "kind": "count", "working": "", "law": "", "role": "total"}]}},
            {"title": "Empty", "table": {"columns": [{"key": "a", "header": "A", "kind": "text"}], "rows": []}},
        ],
    }


def test_a_tab_is_a_space_in_every_text_ascii_or_not():
    # a tab in a service's name ("Svc<TAB>with tab") was shown as a space in the charges table but kept raw in
    # the aid steps' working beside "×" (Helvetica has no tab glyph): a text outside ASCII skipped the mapping
    for text, shown in (("Svc\twith tab", "Svc with tab"), ("Svc\twith tab: 9 × 1", "Svc with tab: 9 × 1"),
                        ("line\r\nend é", "line\nend é"), ("a\xa0b é", "a b é"), ("soft\xadhyphen é", "softhyphen é"),
                        ("plain é", "plain é")):
        assert pdf_text(text) == shown


def test_text_from_inputs_cannot_break_the_pdf():
    """Backslashes, unbalanced parentheses, characters outside Windows-1252, control characters, a literal
    ``{nb}`` and ``%%EOF``: the file still reads strictly and shows the text as pdf_text gives it."""
    assert pdf_text(NASTY) == "a\\b (c) d) ( \\) \\( — € ?? - >= 10 000 tab end \n softhyphen {nb} endstream %%EOF"
    document = nasty_document()
    data = render_document_pdf(document)
    reader = read(data)
    assert reader.metadata.title == pdf_text(NASTY)
    assert check_pages(data, document) >= 1
    assert "{nb}" in reader.pages[0].extract_text()  # no page-count alias: text is text


def test_the_same_document_makes_the_same_bytes_and_only_its_date_moves_them():
    document = nasty_document()
    first = render_document_pdf(document)
    assert render_document_pdf(json.loads(json.dumps(document))) == first
    later = dict(document, created="2027-07-01T00:00:00")
    moved = render_document_pdf(later)
    assert moved != first and len(moved) == len(first)
    assert read(moved).metadata.creation_date == datetime(2027, 7, 1, tzinfo=read(moved).metadata.creation_date.tzinfo)


@pytest.mark.parametrize("landscape", [False, True])
def test_letter_pages_in_the_standard_helvetica_fonts(landscape):
    reader = read(render_document_pdf(nasty_document(), landscape=landscape))
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (width, height) == ((792.0, 612.0) if landscape else (612.0, 792.0))
        fonts = {f.get_object()["/BaseFont"]: f.get_object()["/Encoding"] for f in page["/Resources"]["/Font"].values()}
        assert fonts == {"/Helvetica": "/WinAnsiEncoding", "/Helvetica-Bold": "/WinAnsiEncoding",
                         "/Helvetica-Oblique": "/WinAnsiEncoding"}
        assert page["/Contents"].get_object()["/Filter"] == "/FlateDecode"



def test_a_long_text_value_in_the_header_wraps_within_its_block(example_files):
    """Reviewer P6: a long email address in a statement's PDF header ran into the "Net cost" label beside it
    (business.office@maplejunction.example.orgNet cost). A text value wider than its block wraps within it."""
    files = example_files["example_valley_2026-27.xlsx"]
    name = next(n for n in files if n.startswith("districts/990115") and n.endswith(".json"))
    document = json.loads(files[name])
    [email] = [p["value"] for p in document["header"] if p["label"] == "Email"]
    assert email == "business.office@maplejunction.example.org"
    lines = read(files[name.removesuffix(".json") + ".pdf"]).pages[0].extract_text().splitlines()
    assert not any("Net cost" in line and ".org" in line for line in lines)
    at = next(i for i, line in enumerate(lines) if "business.office@" in line)
    assert squeezed(lines[at].split("Email")[-1] + lines[at + 1]).startswith(squeezed(email)), lines[at:at + 2]


def test_a_long_footer_is_set_smaller_to_clear_the_page_number():
    """The footer's left third names the BOCES and the district; a long pair ran into the centred "Page 1 of 1".
    It is now set smaller, in proportion, until it fits its third (4 pt at least), and printed whole."""
    long = "Onondaga-Cortland-Madison BOCES - Jamesville-DeWitt Central School District"
    document = {**nasty_document(), "footer": [long, "statement for 2026-27"]}
    data = render_document_pdf(document)
    assert check_pages(data, document) >= 1  # the whole footer is on every page
    width = (612 - 2 * 30) / 3  # a letter page's third, inside the 30-point margins
    size = footer_size(long, width)
    # at 6.5 pt it is 232.3 pt wide, past its 184-pt third; at 5.03 pt (6.5 × 180 / 232.3, to the
    # hundredth below) it is 179.7 pt: 4 pt clear of the page number
    assert string_width(long, "", 6.5) > width
    assert size == 5.03 and string_width(long, "", size) <= width - 4
    stream = b"".join(page.get_contents().get_data() for page in read(data).pages)
    assert f"/F1 {size:.2f} Tf".encode() in stream and f"({long}) Tj".encode() in stream
    assert footer_size("Valley BOCES - Maple Junction CSD", width) == 6.5  # a pair that fits is as it was
