"""writers.pdf.string_width measures text exactly as fpdf2's get_string_width does (the same float), so the
PDFs' line breaks and bytes are those fpdf2 alone would make."""
from __future__ import annotations

from fpdf import FPDF
from hypothesis import given, settings
from hypothesis import strategies as st

from apportion.writers.pdf import ENCODING, FONT, pdf_text, string_width

SIZES = (6.6, 6.204, 7.5, 9.5, 10.5)


def page() -> FPDF:
    pdf = FPDF(unit="pt", format="Letter")
    pdf.core_fonts_encoding = ENCODING
    pdf.add_page()
    return pdf


@settings(deadline=None, max_examples=300)
@given(st.text(max_size=60), st.sampled_from(["", "B", "I"]), st.sampled_from(SIZES))
def test_same_width_as_fpdf(text, style, size):
    pdf = page()
    pdf.set_font(FONT, style, size)
    text = pdf_text(text)
    assert string_width(pdf, text) == pdf.get_string_width(text)


def test_statement_texts_and_stretched_type():
    pdf = page()
    texts = ["", " ", "Charges for 2026-27", "1,234,567.89", "final 12.34 = 1,000.00 × 3 ÷ 7 actual days, less",
             "Board of Cooperative Educational Services — §1950(4)(d)", "é ü — “quoted” ½ €"]
    for style in ("", "B", "I"):
        for size in SIZES:
            pdf.set_font(FONT, style, size)
            for text in map(pdf_text, texts):
                assert string_width(pdf, text) == pdf.get_string_width(text)
    pdf.set_stretching(90)  # not a plain setting: measured by fpdf2 itself
    assert string_width(pdf, "stretched text") == pdf.get_string_width("stretched text")


def test_pdfs_are_the_bytes_fpdf2_alone_makes(example_files, monkeypatch):
    """Every example statement's PDF, re-drawn from its document with fpdf2's own line width (CurrentLine),
    is byte for byte the one the run wrote with the linear-time width (and the long wrapped texts break alike)."""
    import json

    from fpdf import line_break

    from apportion.writers import pdf

    monkeypatch.setattr(pdf, "_CurrentLine", line_break.CurrentLine)
    checked = 0
    for files in example_files.values():
        for name, data in files.items():
            if name.startswith("districts/") and name.endswith(".json"):
                assert pdf.render_statement_pdf(json.loads(data)) == files[name.removesuffix(".json") + ".pdf"], name
                checked += 1
    assert checked >= 10
    long_text = {"title": "T", "subtitle": "S", "status": "", "footer": ["a", "b"], "header": [],
                 "sections": [{"title": "Working", "note": "word " * 400,
                               "steps": {"columns": ["Step", "Value", "How", "Law"], "lines": [
                                   {"label": "x", "value": 1, "kind": "count", "working": "a-b " * 90 + "x" * 300,
                                    "law": "§1950", "role": "body"}]}}]}
    plain = pdf.render_document_pdf(long_text)
    monkeypatch.undo()
    assert pdf.render_document_pdf(long_text) == plain
