"""The PDF writer measures and breaks text as fpdf2 (which drew the PDFs before it) does: the same AFM widths,
the same float for a string's width, the same lines for a wrapped text — so the pages keep their layout.
fpdf2 is a test dependency only, the reference here."""
from __future__ import annotations

from fpdf import FPDF
from fpdf.fonts import CORE_FONTS_CHARWIDTHS
from hypothesis import given, settings
from hypothesis import strategies as st

from apportion.writers.helvetica import HELVETICA, HELVETICA_BOLD
from apportion.writers.pdf import ENCODING, _Page, pdf_text, string_width

SIZES = (6.6, 6.204, 6.8 * 0.94, 7.5, 9.5, 10.5, 13)
STYLES = ("", "B", "I", "BI")
WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDÉé×÷—–(),.:;§$%0123456789-/ü½€", min_size=1,
                max_size=25)


def fpdf_page(style: str, size: float) -> FPDF:
    pdf = FPDF(unit="pt", format="Letter")
    pdf.core_fonts_encoding = ENCODING
    pdf.add_page()
    pdf.c_margin = 1  # as the statements were drawn
    pdf.set_font("Helvetica", style, size)
    return pdf


def page(style: str, size: float) -> _Page:
    pdf = _Page({"title": "T", "subtitle": "S"})
    pdf.set_font(style, size)
    return pdf


def test_width_tables_are_fpdf2s():
    """Every WinAnsi byte's width in each Helvetica face is fpdf2's (the Core 14 AFM metrics)."""
    for style, table in (("", HELVETICA), ("B", HELVETICA_BOLD), ("I", HELVETICA), ("BI", HELVETICA_BOLD)):
        assert list(table) == [CORE_FONTS_CHARWIDTHS["helvetica" + style][chr(b)] for b in range(256)], style


@settings(deadline=None, max_examples=300)
@given(st.text(max_size=60), st.sampled_from(STYLES), st.sampled_from(SIZES))
def test_same_width_as_fpdf(text, style, size):
    text = pdf_text(text)
    assert string_width(text, style, size) == fpdf_page(style, size).get_string_width(text)


def test_statement_texts():
    texts = ["", " ", "Charges for 2026-27", "1,234,567.89", "final 12.34 = 1,000.00 × 3 ÷ 7 actual days, less",
             "Board of Cooperative Educational Services — §1950(4)(d)", "é ü — “quoted” ½ €"]
    for style in STYLES:
        for size in SIZES:
            reference = fpdf_page(style, size)
            for text in map(pdf_text, texts):
                assert string_width(text, style, size) == reference.get_string_width(text), (text, style, size)


@settings(deadline=None, max_examples=400)
@given(st.lists(WORDS, min_size=1, max_size=40), st.floats(16, 560), st.sampled_from(STYLES),
       st.sampled_from(SIZES), st.sampled_from([" ", " ", "  "]))
def test_lines_break_where_fpdf2_breaks_them(words, width, style, size, separator):
    """A wrapped text's lines (words too long for the cell cut after their last character that fits, double
    spaces kept) are fpdf2's multi_cell lines, in the same cell width."""
    text = pdf_text(separator.join(words))
    expected = fpdf_page(style, size).multi_cell(width, 10, text, dry_run=True, output="LINES")
    # fpdf2 hands its lines back as the Windows-1252 bytes read as Latin-1
    expected = [line.encode("latin-1").decode(ENCODING) for line in expected]
    lines = page(style, size).lines(text, width)
    assert [line for line, *_ in lines] == expected
    for line, width_pt, spaces, _ in lines:
        assert width_pt == string_width(line, style, size) and spaces == line.count(" ")


def test_a_long_text_breaks_at_spaces_then_within_a_word():
    lines = page("", 6.6).lines("word " * 40 + "x" * 300, 120)
    texts = [line for line, *_ in lines]
    cut = next(i for i, text in enumerate(texts) if "x" in text)
    assert cut >= 2 and all(text == " ".join(["word"] * len(text.split())) for text in texts[:cut])
    assert all(wrapped for *_, wrapped in lines[:cut])  # broken at a space: justified
    assert "".join(texts[cut:]) == "x" * 300 and len(texts) - cut >= 8  # 300 × 500/1000 × 6.6 pt = 990 pt
    assert not any(wrapped for *_, wrapped in lines[cut:])  # cut within the word, and the last: not justified
    assert all(width <= 120 - 2 for _, width, *_ in lines)
